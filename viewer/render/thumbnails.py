"""Preset thumbnails for the preset browser, rendered from the preset scenes.

Rendering 17 scenes at start-up would cost ~10 s on a software-rendered machine,
so the thumbnails are rendered once here and shipped as package data
(``viewer/presets/thumbnails/<name>.png`` + ``manifest.json`` holding the sha256
of each preset file they were rendered from). A test fails when a preset changes
without its thumbnail; regenerate with ``make thumbnails``
(``python -m viewer.render.thumbnails``).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from ..presets import PRESET_NAMES, load_preset, preset_text
from .images import save_png_atomic
from .scenario_view import render_scenario

THUMB_SIZE = (240, 150)
SUPERSAMPLE = 2  # render at 2x and downsample: smooth edges at icon size
THUMB_DIR = Path(__file__).resolve().parent.parent / "presets" / "thumbnails"


def preset_sha256(name: str) -> str:
    return hashlib.sha256(preset_text(name).encode("utf-8")).hexdigest()


def render_thumbnail(name: str, size=THUMB_SIZE) -> np.ndarray:
    w, h = size
    img = render_scenario(load_preset(name), size=(w * SUPERSAMPLE, h * SUPERSAMPLE), annotations=False)
    return np.asarray(Image.fromarray(img[..., :3]).resize((w, h), Image.LANCZOS))


def write_thumbnails(out_dir: Path | str = THUMB_DIR, names=PRESET_NAMES, progress=None) -> dict:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    manifest = {"size": list(THUMB_SIZE), "presets": {}}
    for i, name in enumerate(names):
        save_png_atomic(render_thumbnail(name), out / f"{name}.png")
        manifest["presets"][name] = preset_sha256(name)
        if progress:
            progress(i + 1, len(names), name)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def thumbnail_path(name: str) -> Path:
    return THUMB_DIR / f"{name}.png"


if __name__ == "__main__":
    write_thumbnails(progress=lambda i, n, name: print(f"[{i}/{n}] {name}", file=sys.stderr))
