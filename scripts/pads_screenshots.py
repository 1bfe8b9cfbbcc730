"""A Teflon pad before/after, in the root-exit-zone close-up and the surgeon's (retrosigmoid) view
(real window grabs).

The AICA-on-the-attached-segment teaching case, and the same case with the pad Scenario ▸ Insert
Teflon pad puts into its culprit contact. Run under an X server:
.venv/bin/python scripts/pads_screenshots.py [--out DIR]
Writes pads-{before,after}-{rez-closeup,retrosigmoid}.png (the windows) and
pads-before-after.png (the 3D views, 2 x 2, labelled).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from viewer.decompression import pad_at_contact
from viewer.pad_editing import INSERT_PAD_RADII_MM
from viewer.presets import load_preset
from viewer.scenario import save_scenario
from viewer.scene_model import SceneModel

PRESET = "aica-attached-segment"
VIEWS = {"rez_closeup": "rez-closeup", "retrosigmoid": "retrosigmoid"}
VIEW_WORDS = {"rez_closeup": "REZ close-up", "retrosigmoid": "surgeon's view"}
VIEW_BOX = (406, 60, 1163, 975)  # the 3D view inside a 1600 x 1000 window grab
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def scenarios():
    before = load_preset(PRESET)
    model = SceneModel(scenario=before)
    pad = pad_at_contact(before, model.anatomy, radii_mm=INSERT_PAD_RADII_MM)
    after = replace(before.with_pad(pad), name=f"{before.name} + Teflon pad")
    return {"before": before, "after": after}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default="assets/screenshots")
    out = Path(ap.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    tiles = {}
    with tempfile.TemporaryDirectory() as t:
        for state, scenario in scenarios().items():
            src = Path(t) / f"{state}.json"
            save_scenario(scenario, src)
            for view, slug in VIEWS.items():
                png = out / f"pads-{state}-{slug}.png"
                cmd = [sys.executable, "-m", "viewer", "--scenario", str(src), "--view", view, "--screenshot", str(png)]
                subprocess.run(cmd, check=True)
                im = Image.open(png).convert("RGB")
                im.save(png, optimize=True)
                crop = im.crop(VIEW_BOX)
                tiles[(state, view)] = crop.resize((crop.width // 2, crop.height // 2), Image.LANCZOS)
    tw, th = tiles[("before", "rez_closeup")].size
    sheet = Image.new("RGB", (2 * tw + 6, 2 * th + 6), (20, 24, 32))
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.truetype(FONT, 18)
    for i, view in enumerate(VIEWS):
        for j, state in enumerate(("before", "after")):
            x, y = j * (tw + 6), i * (th + 6)
            sheet.paste(tiles[(state, view)], (x, y))
            label = f"{'Before' if state == 'before' else 'With a Teflon pad'}, {VIEW_WORDS[view]}"
            draw.rectangle((x, y, x + 12 + 11 * len(label), y + 30), fill=(0, 0, 0))
            draw.text((x + 8, y + 5), label, fill=(255, 255, 255), font=font)
    sheet.save(out / "pads-before-after.png", optimize=True)
    print(f"wrote {out}/pads-*.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
