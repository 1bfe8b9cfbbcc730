"""Bad input: one line naming the file and the problem, nothing half-built (each case of the
patient-data brief), checked both on the library and, for a few, on the `import` command."""

import io
import struct
import subprocess
import sys
import time
import zipfile

import nibabel as nib
import numpy as np
import pytest
import pyvista as pv

from viewer.case import CaseError
from viewer.patient.casefile import MAX_UNPACKED, read_case, write_case
from viewer.patient.importer import import_files


def small_labels():
    lab = np.zeros((20, 20, 20), np.uint8)
    lab[5:15, 5:15, 5:15] = 1
    return lab


def fails(paths, match, **kw):
    with pytest.raises(CaseError) as e:
        import_files(paths, **kw)
    msg = str(e.value)
    assert "\n" not in msg
    assert any(str(getattr(p, "name", p)) in msg for p in paths), msg
    assert match in msg, msg
    return msg


def test_truncated_nii_gz(tmp_path):
    p = tmp_path / "cut.nii.gz"
    nib.save(nib.Nifti1Image(np.random.default_rng(0).integers(0, 5, (40, 40, 40)).astype(np.uint8), np.eye(4)), p)
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    fails([p], "truncated or corrupt")


def test_nifti_with_nan_affine(tmp_path):
    p = tmp_path / "nan.nii"
    a = np.eye(4)
    a[0, 3] = np.nan
    img = nib.Nifti1Image(small_labels(), None)
    img.header.set_sform(a, code=1)
    nib.save(img, p)
    fails([p], "NaN")


def test_4d_image_is_not_a_label_map(tmp_path):
    p = tmp_path / "dwi.nii.gz"
    nib.save(nib.Nifti1Image(np.zeros((10, 10, 10, 6), np.int16), np.eye(4)), p)
    fails([p], "4-D image")


def test_float_label_map(tmp_path):
    p = tmp_path / "t1.nii.gz"
    nib.save(nib.Nifti1Image(small_labels().astype(np.float32) * 0.37, np.eye(4)), p)
    fails([p], "non-integer")


def test_intensity_image_with_many_values(tmp_path):
    p = tmp_path / "mra.nii.gz"
    nib.save(nib.Nifti1Image(np.arange(20 * 20 * 20, dtype=np.int16).reshape(20, 20, 20), np.eye(4)), p)
    fails([p], "intensity image")


def test_2gb_volume_refused_from_the_header(tmp_path):
    # A header claiming 1024 x 1024 x 1024 int16 (2 GiB) and no data: refused before any read.
    hdr = nib.Nifti1Header()
    hdr.set_data_shape((1024, 1024, 1024))
    hdr.set_data_dtype(np.int16)
    hdr.set_sform(np.eye(4), code=1)
    p = tmp_path / "huge.nii"
    p.write_bytes(hdr.binaryblock + b"\0" * 4)
    t = time.perf_counter()
    msg = fails([p], "too large")
    assert "2.0 GiB" in msg and time.perf_counter() - t < 2.0
    n = tmp_path / "huge.nrrd"
    n.write_bytes(
        b"NRRD0004\ntype: uint16\ndimension: 3\nspace: left-posterior-superior\nsizes: 1024 1024 1024\n"
        b"space directions: (1,0,0) (0,1,0) (0,0,1)\nspace origin: (0,0,0)\nencoding: raw\nendian: little\n\n"
    )
    fails([n], "too large")


def test_stl_with_nan_points(tmp_path):
    p = tmp_path / "vessel.stl"
    tri = np.array([[0, 0, 0], [10, 0, 0], [0, 10, 0]], np.float32)
    rec = [
        struct.pack("<3f", 0, 0, 1) + tri.tobytes() + b"\0\0",
        struct.pack("<3f", 0, 0, 1)
        + np.array([[np.nan, 0, 0], [10, 0, 5], [0, 10, 5]], np.float32).tobytes()
        + b"\0\0",
    ]
    p.write_bytes(b"x" * 80 + struct.pack("<I", 2) + b"".join(rec))
    fails([p], "NaN")


@pytest.mark.parametrize("scale, unit", [(0.001, "metres"), (1000.0, "micrometres")])
def test_mesh_not_in_mm(tmp_path, scale, unit):
    p = tmp_path / "aica.stl"
    pv.Sphere(radius=8.0 * scale, center=(0, 0, 0)).save(str(p))
    fails([p], unit)


def test_unsupported_and_missing_files(tmp_path):
    p = tmp_path / "scan.dcm"
    p.write_bytes(b"x")
    fails([p], "unsupported file type")
    with pytest.raises(CaseError, match="no such file"):
        import_files([tmp_path / "absent.nii.gz"])


# ------------------------------------------------------------------- .hfscase


@pytest.fixture()
def good_case(tmp_path):
    p = tmp_path / "x.nii.gz"
    nib.save(nib.Nifti1Image(small_labels(), np.diag([0.5, 0.5, 0.5, 1])), p)
    r = import_files([p])
    return r, write_case(tmp_path / "good.hfscase", r.case, r.meshes)


def _rezip(src, dst, rename=None, drop=None, add=None):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for i in zin.infolist():
            if drop and i.filename == drop:
                continue
            name = rename(i.filename) if rename else i.filename
            zout.writestr(name, zin.read(i.filename))
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def test_case_with_parent_paths(tmp_path, good_case):
    _, src = good_case
    bad = _rezip(src, tmp_path / "evil.hfscase", add={"../escape.txt": b"x"})
    with pytest.raises(CaseError, match=r"evil.hfscase: unexpected member '\.\./escape.txt'"):
        read_case(bad)
    bad = _rezip(src, tmp_path / "evil2.hfscase", rename=lambda n: "/abs/" + n if n.endswith(".vtp") else n)
    with pytest.raises(CaseError, match="unexpected member '/abs/"):
        read_case(bad)
    assert not (tmp_path.parent / "escape.txt").exists()


def test_case_zip_bomb_declared(tmp_path, good_case):
    _, src = good_case
    bad = _rezip(src, tmp_path / "bomb.hfscase", add={"meshes/zeros.vtp": b"\0" * (MAX_UNPACKED + 1)})
    assert bad.stat().st_size < 2_000_000
    with pytest.raises(CaseError, match="over the 200 MB limit"):
        read_case(bad)


def test_case_zip_bomb_lying_sizes(tmp_path, good_case):
    """A member whose directory entry declares 1 kB but inflates to 50 MB: never decompressed
    past what it declares (the read stops, the CRC check fails)."""
    r, src = good_case
    sid = r.case.structures[0].id
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("case.json", r.case.to_json())
        z.writestr(f"meshes/{sid}.vtp", b"\0" * 50_000_000)
    data = bytearray(buf.getvalue())
    # patch the uncompressed size (local header + central directory) to 1000 bytes
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        pos = -1
        while (pos := data.find(sig, pos + 1)) >= 0:
            name_len = struct.unpack_from("<H", data, pos + (26 if sig == b"PK\x03\x04" else 28))[0]
            name = bytes(data[pos + (30 if sig == b"PK\x03\x04" else 46) :][:name_len])
            if name.endswith(b".vtp"):
                struct.pack_into("<I", data, pos + off, 1000)
    bad = tmp_path / "liar.hfscase"
    bad.write_bytes(bytes(data))
    with pytest.raises(CaseError, match="liar.hfscase"):
        read_case(bad)


def test_case_missing_mesh(tmp_path, good_case):
    r, src = good_case
    sid = r.case.structures[0].id
    bad = _rezip(src, tmp_path / "hole.hfscase", drop=f"meshes/{sid}.vtp")
    with pytest.raises(CaseError, match=f"hole.hfscase: meshes/{sid}.vtp .* is missing"):
        read_case(bad)


def test_case_with_nan_mesh(tmp_path, good_case):
    from viewer.patient.casefile import mesh_to_vtp_bytes

    r, src = good_case
    sid = r.case.structures[0].id
    m = r.meshes[sid].copy()
    m.points[0] = np.nan
    bad = _rezip(
        src, tmp_path / "nan.hfscase", drop=f"meshes/{sid}.vtp", add={f"meshes/{sid}.vtp": mesh_to_vtp_bytes(m)}
    )
    with pytest.raises(CaseError, match="not finite"):
        read_case(bad)


def test_case_too_many_members(tmp_path, good_case):
    _, src = good_case
    bad = _rezip(src, tmp_path / "many.hfscase", add={f"meshes/m{i}.vtp": b"" for i in range(1001)})
    with pytest.raises(CaseError, match="more than the 1000"):
        read_case(bad)


def test_not_a_zip(tmp_path):
    p = tmp_path / "x.hfscase"
    p.write_bytes(b"hello")
    with pytest.raises(CaseError, match="x.hfscase: not a .hfscase archive"):
        read_case(p)


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "viewer", *args], capture_output=True, text=True, timeout=120, cwd=cwd)


def test_cli_bad_inputs_exit_2_with_one_line(tmp_path, good_case):
    p = tmp_path / "cut.nii.gz"
    nib.save(nib.Nifti1Image(np.random.default_rng(0).integers(0, 5, (40, 40, 40)).astype(np.uint8), np.eye(4)), p)
    p.write_bytes(p.read_bytes()[:300])
    out = tmp_path / "o.hfscase"
    r = _cli("import", str(p), "--out", str(out))
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "cut.nii.gz" in r.stderr, r.stderr
    assert not out.exists() and not list(tmp_path.glob(".o.hfscase*"))
    r = _cli("import", str(p), "--label", "3=nerve", "--out", str(out))
    assert r.returncode == 2 and "--label 3=nerve" in r.stderr
    _, src = good_case
    bad = _rezip(src, tmp_path / "evil.hfscase", add={"../x": b"1"})
    for cmd in (
        ["case", "--json", str(bad)],
        ["render", "--case", str(bad), "--out", str(tmp_path / "a.png")],
        ["export", "--case", str(bad), "--format", "stl", "--out", str(tmp_path / "a.stl")],
    ):
        r = _cli(*cmd)
        assert r.returncode == 2 and "evil.hfscase: unexpected member" in r.stderr, (cmd, r.stderr)


def test_intensity_image_within_the_label_range(tmp_path):
    # values 0..599: few enough to be labels by range, but 599 separate structures is an image
    p = tmp_path / "mr.nii.gz"
    rng = np.random.default_rng(1)
    nib.save(nib.Nifti1Image(rng.integers(0, 600, (30, 30, 30)).astype(np.int16), np.eye(4)), p)
    fails([p], "intensity image")


@pytest.mark.parametrize("name", ["junk.ply", "junk.obj", "junk.vtp", "junk.vtk", "junk.stl"])
def test_cli_garbage_mesh_one_line(tmp_path, name):
    p = tmp_path / name
    p.write_bytes(b"\x00\x01garbage that is no mesh\n" * 3)
    r = _cli("import", str(p), "--out", str(tmp_path / "o.hfscase"))
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and name in r.stderr, r.stderr
