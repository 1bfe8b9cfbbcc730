"""The headless CLI, run as a user would (a subprocess of the installed entry point)."""
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from PIL import Image

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "viewer/schemas/anatomy.schema.json").read_text())


def run(*args, **kw):
    return subprocess.run([sys.executable, "-m", "viewer", *args], capture_output=True, text=True, timeout=180, **kw)


@pytest.mark.render
def test_render_writes_png_of_the_asked_size(tmp_path):
    out = tmp_path / "scene.png"
    r = run("render", "--view", "retrosigmoid", "--size", "640x400", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert str(out) in r.stdout
    img = np.asarray(Image.open(out).convert("RGB"))
    assert img.shape == (400, 640, 3)
    assert img.std() > 10  # not blank
    assert ((img[..., 0] > 140) & (img[..., 1] < 70) & (img[..., 2] < 70)).sum() > 50  # arteries


def test_anatomy_json_validates_against_the_contract():
    r = run("anatomy", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    jsonschema.validate(data, SCHEMA)
    samples = data["facial_nerve"]["samples"]
    assert max(b["arc_mm"] - a["arc_mm"] for a, b in zip(samples, samples[1:])) <= 0.25
    kinds = {s["kind"] for s in data["structures"]}
    assert {"brainstem", "nerve", "artery", "vein"} <= kinds
    roles = {s["role"] for s in data["structures"]}
    assert {"vertebral", "basilar", "aica", "pica", "sca", "vein"} <= roles


def test_schema_rejects_a_broken_anatomy():
    r = run("anatomy", "--json")
    data = json.loads(r.stdout)
    data["facial_nerve"]["samples"][3]["segment"] = "XYZ"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA)


@pytest.mark.parametrize("args, needle", [
    (("render", "--out", "/nonexistent-dir/x.png"), "does not exist"),
    (("render", "--out", "x.jpg"), "must be a .png"),
    (("render", "--size", "big", "--out", "x.png"), "size must look like"),
    (("render", "--view", "sideways", "--out", "x.png"), "invalid choice"),
    (("frobnicate",), "invalid choice"),
    (("anatomy",), "required"),
])
def test_bad_usage_exits_2_with_one_line(args, needle, tmp_path):
    r = run(*args, cwd=tmp_path)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], r.stderr


def test_output_that_is_a_directory_exits_2(tmp_path):
    (tmp_path / "d.png").mkdir()
    r = run("render", "--out", str(tmp_path / "d.png"))
    assert r.returncode == 2 and "is a directory" in r.stderr


def test_unwritable_output_exits_2(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        r = run("render", "--out", str(ro / "x.png"))
        if r.returncode == 0:  # root ignores directory permissions
            pytest.skip("running as root: permissions are not enforced")
        assert r.returncode == 2 and "not writable" in r.stderr
    finally:
        ro.chmod(0o700)
