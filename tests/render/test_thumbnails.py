"""Shipped preset thumbnails: one per preset, the right size, rendered from the current preset file."""

import json

import numpy as np
import pytest
from PIL import Image

from viewer.presets import PRESET_NAMES
from viewer.render.thumbnails import THUMB_DIR, THUMB_SIZE, preset_sha256, render_thumbnail

pytestmark = pytest.mark.render


def test_every_preset_has_a_current_thumbnail():
    manifest = json.loads((THUMB_DIR / "manifest.json").read_text(encoding="utf-8"))
    assert tuple(manifest["size"]) == THUMB_SIZE
    stale = [n for n in PRESET_NAMES if manifest["presets"].get(n) != preset_sha256(n)]
    assert not stale, f"presets changed since their thumbnails were rendered (run `make thumbnails`): {stale}"
    for name in PRESET_NAMES:
        img = Image.open(THUMB_DIR / f"{name}.png")
        assert img.size == THUMB_SIZE
        assert np.asarray(img.convert("RGB")).std() > 20  # a scene, not a blank


def test_thumbnail_renders_the_preset_scene():
    shipped = np.asarray(Image.open(THUMB_DIR / "vestibular-schwannoma.png").convert("RGB")).astype(int)
    fresh = render_thumbnail("vestibular-schwannoma").astype(int)
    other = np.asarray(Image.open(THUMB_DIR / "idiopathic.png").convert("RGB")).astype(int)
    assert np.abs(fresh - shipped).mean() < np.abs(fresh - other).mean() / 3
