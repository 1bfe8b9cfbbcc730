"""The patient-data commands as a user runs them: import, case --json, export, render --case."""

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from viewer.patient.demo import DEMO_DIR, LABELS


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "viewer", *args], capture_output=True, text=True, timeout=300, cwd=cwd)


@pytest.fixture(scope="module")
def demo_case(tmp_path_factory):
    out = tmp_path_factory.mktemp("case") / "demo.hfscase"
    r = run(
        "import", str(DEMO_DIR / "hfs_demo.seg.nrrd"), "--label", "9=vessel:vein", "--name", "Demo", "--out", str(out)
    )
    assert r.returncode == 0, r.stderr
    assert str(out) in r.stdout
    return out


def test_case_json_contract(demo_case):
    r = run("case", "--json", str(demo_case))
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["format"] == "hfs-case" and d["version"] == 1 and d["name"] == "Demo" and d["side"] == "left"
    assert len(d["structures"]) == len(LABELS)
    assert {s["kind"] for s in d["sources"]} == {"seg.nrrd"} and {s["space"] for s in d["sources"]} == {"LPS"}
    assert all(s["file"] == "hfs_demo.seg.nrrd" and len(s["sha256"]) == 64 for s in d["sources"])
    roles = {s["name"]: (s["role"], s.get("vessel_role")) for s in d["structures"]}
    assert roles["Brainstem"] == ("brainstem", None)
    assert roles["Facial nerve (CN VII)"] == ("facial_nerve", None)
    assert roles["Left AICA"] == ("vessel", "aica")
    assert roles["Vein of the pontomedullary sulcus"] == ("vessel", "vein")
    total = 0
    for s in d["structures"]:
        b = s["bounds_mm"]
        assert len(b) == 6 and all(b[2 * k] < b[2 * k + 1] for k in range(3))
        assert s["volume_mm3"] > 0 and s["triangles"] > 0 and s["mesh"] == f"meshes/{s['id']}.vtp"
        total += s["triangles"]
    assert total < 400_000
    # the model's left CPA: the facial nerve runs laterally from the brainstem (x < 0, left side)
    cn7 = next(s for s in d["structures"] if s["role"] == "facial_nerve")
    assert -33 < cn7["bounds_mm"][0] < -28 and -14 < cn7["bounds_mm"][1] < -9


def test_import_demo_flag_matches_the_seg_nrrd(demo_case, tmp_path):
    out = tmp_path / "nifti.hfscase"
    r = run("import", "--demo", "--out", str(out))
    assert r.returncode == 0, r.stderr
    a = {s["name"]: s for s in json.loads(run("case", "--json", str(out)).stdout)["structures"]}
    b = {s["name"]: s for s in json.loads(run("case", "--json", str(demo_case)).stdout)["structures"]}
    assert set(a) == set(b)
    for name in a:  # the NIfTI (RAS) and the .seg.nrrd (LPS) of the same voxels: the same surfaces
        assert np.allclose(a[name]["bounds_mm"], b[name]["bounds_mm"], atol=0.3), name


@pytest.mark.parametrize("fmt", ["stl", "obj", "ply", "glb"])
def test_export_case(demo_case, tmp_path, fmt):
    out = tmp_path / f"demo.{fmt}"
    r = run("export", "--case", str(demo_case), "--format", fmt, "--space", "LPS", "--out", str(out))
    assert r.returncode == 0, r.stderr
    head = out.read_bytes()[:2000]
    if fmt != "glb":
        assert b"SPACE=LPS" in head
    else:
        assert head[:4] == b"glTF" and b'"SPACE":"LPS"' in head


def test_export_stl_folder_and_preset(tmp_path):
    r = run("export", "--preset", "mild-contact", "--format", "stl", "--out", str(tmp_path / "parts"))
    assert r.returncode == 0, r.stderr
    names = {p.stem for p in (tmp_path / "parts").glob("*.stl")}
    assert {"brainstem", "cn7", "aica"} <= names
    r = run(
        "import", *(str(p) for p in sorted((tmp_path / "parts").glob("*.stl"))), "--out", str(tmp_path / "m.hfscase")
    )
    assert r.returncode == 0, r.stderr


@pytest.mark.render
def test_render_case(demo_case, tmp_path):
    out = tmp_path / "case.png"
    r = run("render", "--case", str(demo_case), "--view", "anterior", "--size", "480x320", "--out", str(out))
    assert r.returncode == 0, r.stderr
    img = np.asarray(Image.open(out).convert("RGB")).astype(int)
    assert img.shape == (320, 480, 3)
    tan = (abs(img[..., 0] - 222) < 40) & (abs(img[..., 1] - 184) < 40) & (abs(img[..., 2] - 135) < 40)
    red = (img[..., 0] > 120) & (img[..., 1] < 70) & (img[..., 2] < 70)
    assert tan.sum() > 2000 and red.sum() > 50  # brainstem and arteries in view, framed on the case
    ys, xs = np.nonzero(tan)
    assert 100 < xs.mean() < 380 and 60 < ys.mean() < 260


def test_import_usage_errors(tmp_path):
    r = run("import", "--out", str(tmp_path / "x.hfscase"))
    assert r.returncode == 2 and "give INPUT" in r.stderr
    r = run("import", str(DEMO_DIR / "hfs_demo.seg.nrrd"), "--out", str(tmp_path / "x.zip"))
    assert r.returncode == 2 and ".hfscase" in r.stderr


def test_gui_case_argument_refuses_a_bad_case_before_any_window(tmp_path):
    """`hfs-viewer --case` reads and checks the case first: a broken file is one line, exit 2."""
    import subprocess
    import sys

    bad = tmp_path / "bad.hfscase"
    bad.write_bytes(b"not a zip")
    r = subprocess.run(
        [sys.executable, "-m", "viewer", "--case", str(bad), "--screenshot", str(tmp_path / "x.png")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2 and "bad.hfscase" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.png").exists()
