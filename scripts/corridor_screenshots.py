"""The surgeon's keyhole view at 0 and 8 mm cerebellar retraction, left and right (real window grabs).

Run under an X server (make screenshots does): .venv/bin/python scripts/corridor_screenshots.py [--out DIR]
Writes keyhole-both-sides-0-8mm.png (the 3D views, 2 x 2, labelled) and window-right-keyhole-8mm.png.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from viewer.scenario import Corridor, default_scenario, save_scenario

VIEW_BOX = (406, 60, 1163, 975)  # the 3D view inside a 1600 x 1000 window grab
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def grab(side: str, mm: float, tmp: Path) -> Path:
    scenario = replace(default_scenario(side), name=f"{side.capitalize()} corridor, {mm:.0f} mm", corridor=Corridor(mm))
    src, png = tmp / f"{side}-{mm:.0f}.json", tmp / f"{side}-{mm:.0f}.png"
    save_scenario(scenario, src)
    cmd = [sys.executable, "-m", "viewer", "--scenario", str(src), "--view", "keyhole", "--screenshot", str(png)]
    subprocess.run(cmd, check=True)
    return png


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default="assets/screenshots")
    out = Path(ap.parse_args().out)
    with tempfile.TemporaryDirectory() as t:
        shots = {(side, mm): grab(side, mm, Path(t)) for side in ("left", "right") for mm in (0.0, 8.0)}
        tiles = {}
        for key, png in shots.items():
            im = Image.open(png).convert("RGB").crop(VIEW_BOX)
            tiles[key] = im.resize((im.width // 2, im.height // 2), Image.LANCZOS)
        Image.open(shots[("right", 8.0)]).save(out / "window-right-keyhole-8mm.png", optimize=True)
    tw, th = tiles[("left", 0.0)].size
    sheet = Image.new("RGB", (2 * tw + 6, 2 * th + 6), (20, 24, 32))
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.truetype(FONT, 18)
    for i, side in enumerate(("left", "right")):
        for j, mm in enumerate((0.0, 8.0)):
            x, y = j * (tw + 6), i * (th + 6)
            sheet.paste(tiles[(side, mm)], (x, y))
            draw.rectangle((x, y, x + 300, y + 30), fill=(0, 0, 0))
            draw.text((x + 8, y + 5), f"{side.capitalize()}, {mm:.0f} mm retraction", fill=(255, 255, 255), font=font)
    sheet.save(out / "keyhole-both-sides-0-8mm.png", optimize=True)
    print(f"wrote {out / 'keyhole-both-sides-0-8mm.png'} and {out / 'window-right-keyhole-8mm.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
