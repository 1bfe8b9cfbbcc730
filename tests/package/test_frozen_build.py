"""The frozen build does what the source install does: same CLI, same analysis bytes, same pictures,
real menu text (a bundled font when the machine has none) and the 3D scene in its window."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from .conftest import APP, ROOT, run
from .glyphs import distinct_glyph_shapes

PRESETS = sorted((ROOT / "viewer" / "presets").glob("*.json"))
MIN_GLYPH_SHAPES = 10  # "File Edit Scenario View Help" has ~20 distinct glyphs; boxes give 1-3


def _rgb(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB")).astype(np.int16)


def _assert_scene(img: np.ndarray, what: str) -> None:
    """Not blank: a lit 3D scene has many colours and contrast."""
    colours = len(np.unique(img.reshape(-1, 3), axis=0))
    assert img.std() > 15 and colours > 500, f"{what} looks blank: std {img.std():.1f}, {colours} colours"


@pytest.fixture(scope="session")
def default_scenario(tmp_path_factory, source) -> Path:
    data = json.loads(run(source + ["anatomy", "--json"]).stdout)
    path = tmp_path_factory.mktemp("scenario") / "default.json"
    path.write_text(json.dumps(data["default_scenario"], indent=1), encoding="utf-8")
    return path


# ------------------------------------------------------------------ CLI and contents


def test_version_matches_source_and_metadata_is_bundled(frozen, source):
    out = run(frozen + ["--version"]).stdout
    assert out == run(source + ["--version"]).stdout
    metas = list((APP / "_internal").glob("hfs_viewer-*.dist-info/METADATA"))
    assert metas, "hfs_viewer-*.dist-info missing: About falls back to viewer.__version__"
    version = next(ln.split(":", 1)[1].strip() for ln in metas[0].read_text().splitlines() if ln.startswith("Version:"))
    assert out.decode().split()[-1] == version


def test_bundle_carries_meshes_package_data_fonts_licences_and_desktop_files():
    internal = APP / "_internal"
    shipped = sorted(p.name for p in (ROOT / "assets" / "meshes").iterdir() if p.suffix in (".vtp", ".json"))
    assert sorted(p.name for p in (internal / "assets" / "meshes").iterdir()) == shipped
    # every data file of the viewer package (schemas, presets, thumbnails, ...), whatever is added later
    pkg = ROOT / "viewer"
    data = sorted(
        str(p.relative_to(pkg))
        for p in pkg.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    )
    assert any(d.startswith("schemas/") for d in data) and any(d.startswith("presets/") for d in data)
    missing = [d for d in data if not (internal / "viewer" / d).is_file()]
    assert not missing, f"package data not bundled: {missing}"
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE_DEJAVU", "fonts.conf"):
        assert (internal / "fonts" / name).is_file(), name
    lic = internal / "licenses"
    notices = (lic / "THIRD-PARTY-NOTICES.txt").read_text()
    for dist in ("PySide6", "vtk", "pyvista", "numpy", "matplotlib", "pillow"):
        assert dist.lower() in notices.lower(), dist
    for dist in ("vtk", "pyvista", "numpy", "pillow"):
        assert list(lic.glob(f"{dist}-*/**/LICENSE*")), f"no licence file for {dist}"
    desktop = (APP / "share" / "applications" / "hfs-viewer.desktop").read_text()
    assert "Exec=hfs-viewer" in desktop and "Icon=hfs-viewer" in desktop
    for n in (16, 32, 48, 64, 128, 256, 512):
        assert (APP / "share" / "icons" / "hicolor" / f"{n}x{n}" / "apps" / "hfs-viewer.png").is_file()
    assert (APP / "share" / "icons" / "hicolor" / "scalable" / "apps" / "hfs-viewer.svg").is_file()


def test_build_fits_the_size_budget_and_leaves_out_what_the_app_never_uses():
    report = json.loads((ROOT / "dist" / "build-report.json").read_text())
    folder = sum(p.lstat().st_size for p in APP.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6
    assert report["folder_mb"] == pytest.approx(folder, abs=0.2), "build-report.json is from another build"
    assert folder <= report["budget_mb"]["folder"] == 450, f"folder {folder:.1f} MB"
    if report["archive_mb"] is not None:
        assert report["archive_mb"] <= report["budget_mb"]["archive"] == 170
    internal = APP / "_internal"
    names = {p.name for p in internal.rglob("*")}
    # VTK modules pyvista names for charts, volume rendering and widgets (rthook_vtk_lean.py)
    for lib in ("libvtkInteractionWidgets", "libvtkChartsCore", "libvtkRenderingVolume", "libvtkViewsCore"):
        assert not [n for n in names if n.startswith(lib)], lib
    assert not (internal / "scipy").exists() and not (internal / "scipy.libs").exists()
    assert not [n for n in names if n.startswith(("QtOpenGL.", "_ssl.", "_hashlib.", "libcrypto"))]
    assert [n for n in names if n.startswith("QtOpenGLWidgets.")], "the binding QOpenGLWidget needs stays"


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-validate not installed")
def test_desktop_entry_is_valid():
    out = subprocess.run(
        ["desktop-file-validate", str(ROOT / "packaging" / "linux" / "hfs-viewer.desktop")],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0 and not out.stdout.strip(), out.stdout + out.stderr


def test_anatomy_json_is_byte_identical(frozen, source):
    assert run(frozen + ["anatomy", "--json"]).stdout == run(source + ["anatomy", "--json"]).stdout


@pytest.mark.parametrize("scenario", ["default", *[p.stem for p in PRESETS]])
def test_analyze_json_is_byte_identical(frozen, source, default_scenario, scenario):
    if scenario == "default":
        src_file = frozen_file = default_scenario
    else:  # the frozen build analyses its own bundled copy of the preset
        src_file = ROOT / "viewer" / "presets" / f"{scenario}.json"
        frozen_file = APP / "_internal" / "viewer" / "presets" / f"{scenario}.json"
    a = run(frozen + ["analyze", str(frozen_file), "--json"]).stdout
    b = run(source + ["analyze", str(src_file), "--json"]).stdout
    assert a == b, f"analyze --json differs for {scenario}"
    json.loads(a)


def test_analyze_report_and_stdin_are_identical(frozen, source, default_scenario):
    text = default_scenario.read_bytes()
    assert run(frozen + ["analyze", "-"], stdin=text).stdout == run(source + ["analyze", "-"], stdin=text).stdout


def test_bad_input_gives_the_same_one_line_error(frozen, source, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json", encoding="utf-8")
    a = run(frozen + ["analyze", str(bad)], check=False)
    b = run(source + ["analyze", str(bad)], check=False)
    assert (a.returncode, a.stderr) == (b.returncode, b.stderr) and a.returncode == 2


# ------------------------------------------------------------------ rendering


def test_render_default_scene_matches_source(frozen, source, tmp_path, display):
    a, b = tmp_path / "frozen.png", tmp_path / "source.png"
    run(frozen + ["render", "--out", str(a), "--size", "800x500"])
    run(source + ["render", "--out", str(b), "--size", "800x500"])
    fa, fb = _rgb(a), _rgb(b)
    assert fa.shape == (500, 800, 3)
    _assert_scene(fa, "frozen render")
    diff = np.abs(fa - fb).mean()
    assert diff < 1.0, f"frozen render differs from the source install's: mean |diff| {diff:.2f}"


def test_gif_export_works_frozen(frozen, tmp_path, display):
    out = tmp_path / "turn.gif"
    run(frozen + ["render", "--out", str(out), "--animation", "turntable", "--frames", "3", "--size", "200x120"])
    with Image.open(out) as gif:
        assert gif.n_frames == 3 and gif.size == (200, 120)


def test_pdf_report_works_frozen(frozen, tmp_path):
    if not PRESETS:
        pytest.skip("no presets shipped")
    out = tmp_path / "report.pdf"
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}  # headless, as on a server
    run(frozen + ["report", "--scenario", str(PRESETS[0]), "--out", str(out), "--size", "320x200"], env=env)
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and b"/FontFile" in data, "PDF without embedded fonts"


def test_patient_import_export_and_case_render_work_frozen(frozen, source, tmp_path):
    """The importers are in the build: the shipped demo (NIfTI + table and .seg.nrrd), a mesh
    export re-imported, and a case render, with the same case.json as the source install."""
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    demo = ROOT / "viewer" / "patient" / "demo"
    run(frozen + ["import", str(demo / "hfs_demo.seg.nrrd"), "--out", str(tmp_path / "seg.hfscase")], env=env)
    run(frozen + ["import", "--demo", "--out", str(tmp_path / "nii.hfscase")], env=env)
    run(source + ["import", "--demo", "--out", str(tmp_path / "src.hfscase")], env=env)
    a = json.loads(run(frozen + ["case", "--json", str(tmp_path / "nii.hfscase")], env=env).stdout)
    b = json.loads(run(source + ["case", "--json", str(tmp_path / "src.hfscase")], env=env).stdout)
    assert a == b
    run(
        frozen + ["export", "--case", str(tmp_path / "seg.hfscase"), "--format", "ply", "--out", str(tmp_path / "ply")],
        env=env,
    )
    plys = sorted((tmp_path / "ply").glob("*.ply"))
    run(frozen + ["import", *map(str, plys), "--out", str(tmp_path / "back.hfscase")], env=env)
    out = tmp_path / "case.png"
    run(frozen + ["render", "--case", str(tmp_path / "seg.hfscase"), "--size", "320x200", "--out", str(out)], env=env)
    _assert_scene(_rgb(out), "frozen case render")


def test_case_analysis_and_decompression_are_identical_frozen(frozen, source, tmp_path):
    """A patient case's own analysis and anatomy (a vessel in two pieces included: the split
    must not need VTK modules the build leaves out), and a decompression plan, as from source."""
    from viewer.patient.casefile import write_case
    from viewer.patient.synthetic import import_scenario_case
    from viewer.presets import load_preset

    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    result = import_scenario_case(load_preset("aica-attached-segment"), folder=tmp_path)
    assert any(s.pieces > 1 for s in result.case.structures)  # the piece split is exercised
    case = write_case(tmp_path / "aica.hfscase", result.case, result.meshes)
    for args in (["analyze", str(case), "--json"], ["anatomy", "--case", str(case), "--json"]):
        a = json.loads(run(frozen + args, env=env).stdout)
        b = json.loads(run(source + args, env=env).stdout)
        assert a == b, args
    plan = ROOT / "viewer" / "presets" / "mvd-pad-on-rez.json"
    a = json.loads(run(frozen + ["analyze", str(plan), "--json"], env=env).stdout)
    b = json.loads(run(source + ["analyze", str(plan), "--json"], env=env).stdout)
    assert a == b and a["decompression"]["warnings"]


# ------------------------------------------------------------------ the window


def test_window_shows_menu_text_and_the_scene_like_the_source(frozen, source, tmp_path, display):
    a, b = tmp_path / "frozen.png", tmp_path / "source.png"
    run(frozen + ["--screenshot", str(a), "--size", "1200x800"])
    run(source + ["--screenshot", str(b), "--size", "1200x800"])
    shapes = distinct_glyph_shapes(a)
    assert shapes >= MIN_GLYPH_SHAPES, f"menu bar has {shapes} distinct glyph shapes: text drawn as boxes?"
    fa, fb = _rgb(a), _rgb(b)
    h, w, _ = fa.shape
    _assert_scene(fa[int(h * 0.25) : int(h * 0.75), int(w * 0.35) : int(w * 0.65)], "3D view of the frozen window")
    assert fa.shape == fb.shape
    diff = np.abs(fa - fb).mean()
    assert diff < 2.0, f"frozen window grab differs from the source install's: mean |diff| {diff:.2f}"


def _unshare_works() -> bool:
    if not sys.platform.startswith("linux") or not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode == 0


HIDE_FONTS = (
    "for d in /usr/share/fonts /usr/local/share/fonts /etc/fonts; do "
    '[ -d "$d" ] && { mount -t tmpfs none "$d" || exit 97; }; done; exec "$0" "$@"'
)


@pytest.mark.skipif(
    not _unshare_works(), reason="needs `unshare -m` (root or user namespaces) to hide the system fonts"
)
def test_window_text_is_real_on_a_machine_without_fonts(frozen, tmp_path, display):
    """/etc/fonts and the font folders hidden in a mount namespace: only the bundled DejaVu Sans remains."""
    if shutil.which("fc-list"):
        fonts = run(["unshare", "-m", "sh", "-c", HIDE_FONTS, "fc-list"], check=False)
        assert fonts.returncode == 0 and not fonts.stdout.strip(), "system fonts still visible in the namespace"
    out = tmp_path / "nofonts.png"
    run(["unshare", "-m", "sh", "-c", HIDE_FONTS, *frozen, "--screenshot", str(out), "--size", "1000x700"])
    shapes = distinct_glyph_shapes(out)
    assert shapes >= MIN_GLYPH_SHAPES, f"without system fonts the menu bar has {shapes} glyph shapes (boxes)"


def test_menu_check_detects_boxes_when_no_font_is_usable(frozen, tmp_path, display):
    """Negative control: with a fontconfig that knows no font at all, Qt draws boxes and the check says so."""
    conf = tmp_path / "empty-fonts.conf"
    conf.write_text('<?xml version="1.0"?><fontconfig></fontconfig>\n', encoding="utf-8")
    out = tmp_path / "boxes.png"
    run(frozen + ["--screenshot", str(out), "--size", "1000x700"], env=dict(os.environ, FONTCONFIG_FILE=str(conf)))
    shapes = distinct_glyph_shapes(out)
    assert shapes < MIN_GLYPH_SHAPES // 2, f"expected boxes (few glyph shapes), found {shapes}"
