"""Screenshots of the surgeon's keyhole view at 0 and 8 mm cerebellar retraction (offscreen).

Run: .venv/bin/python scripts/corridor_screenshots.py [--out assets/screenshots]
Writes keyhole-0mm.png, keyhole-8mm.png and keyhole-0-vs-8mm.png (side by side).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pyvista as pv
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from viewer.analysis import analyze  # noqa: E402
from viewer.corridor import with_corridor  # noqa: E402
from viewer.render.corridor_view import Retraction  # noqa: E402
from viewer.render.scenario_view import ScenarioView  # noqa: E402
from viewer.render.scene import Scene  # noqa: E402
from viewer.scenario import Corridor, default_scenario  # noqa: E402


def shot(retraction: float, size=(900, 700)) -> np.ndarray:
    p = pv.Plotter(off_screen=True, window_size=list(size))
    try:
        scene = Scene(p)
        scene.set_view("keyhole")
        sc = replace(default_scenario(), corridor=Corridor(retraction))
        ScenarioView(scene).show(sc)
        Retraction(scene).set(retraction)
        f = with_corridor(analyze(sc), sc)
        share = 100 * f.corridor["rez_visible_fraction"]
        p.add_text(
            f"Left keyhole, retraction {retraction:.0f} mm: {share:.0f} % of the REZ visible",
            font_size=12,
            position="upper_left",
            color="white",
        )
        return p.screenshot(return_img=True)
    finally:
        p.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="assets/screenshots")
    out = Path(ap.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    imgs = [shot(r) for r in (0.0, 8.0)]
    for r, img in zip((0, 8), imgs):
        Image.fromarray(img).save(out / f"keyhole-{r}mm.png")
    Image.fromarray(np.hstack(imgs)).save(out / "keyhole-0-vs-8mm.png")


if __name__ == "__main__":
    main()
