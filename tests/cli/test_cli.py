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


@pytest.mark.parametrize(
    "args, needle",
    [
        (("render", "--out", "/nonexistent-dir/x.png"), "does not exist"),
        (("render", "--out", "x.jpg"), "must be a .png"),
        (("render", "--size", "big", "--out", "x.png"), "size must look like"),
        (("render", "--view", "sideways", "--out", "x.png"), "invalid choice"),
        (("frobnicate",), "invalid choice"),
        (("anatomy",), "required"),
    ],
)
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


# ---------------------------------------------------------------- exports: PDF report and video
def _aica_scenario_file(folder: Path) -> Path:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
    from dataclasses import replace

    from test_analysis import crossing

    from viewer.scenario import default_scenario, save_scenario

    aica, _ = crossing(4.0, -0.3)
    path = folder / "aica case.json"
    save_scenario(replace(default_scenario().with_vessel(aica), name="AICA on the attached segment"), path)
    return path


def _headless_env():
    import os

    return {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}


@pytest.mark.render
def test_report_writes_a_pdf_headless(tmp_path):
    import pypdf

    scenario = _aica_scenario_file(tmp_path)
    out = tmp_path / "report.pdf"
    r = run("report", "--scenario", str(scenario), "--out", str(out), "--size", "300x180", env=_headless_env())
    assert r.returncode == 0, r.stderr
    assert str(out) in r.stdout
    reader = pypdf.PdfReader(str(out))
    assert len(reader.pages) >= 1
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "AICA on the attached segment" in text
    assert "Classification: single vessel" in text and "moderate" in text
    assert len({im.indirect_reference.idnum for p in reader.pages for im in p.images}) == 2


@pytest.mark.render
def test_report_of_a_preset(tmp_path):
    import pypdf

    out = tmp_path / "avm.pdf"
    r = run("report", "--preset", "avm", "--out", str(out), "--size", "240x144")
    assert r.returncode == 0, r.stderr
    text = " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(str(out)).pages)
    assert "Teaching case" in text and "Classification: " in text and "AVM" in text


@pytest.mark.render
def test_render_video_mp4_pulsation_and_gif_turntable(tmp_path):
    import imageio_ffmpeg

    mp4 = tmp_path / "pulse.mp4"
    r = run(
        "render", "--out", str(mp4), "--heart-rate", "120", "--fps", "10", "--size", "160x96", "--view", "rez_closeup"
    )
    assert r.returncode == 0, r.stderr
    assert "frame 5/5" in r.stderr  # progress on stderr: one 0.5 s cycle at 10 fps
    gen = imageio_ffmpeg.read_frames(str(mp4))
    meta = next(gen)
    assert meta["size"] == (160, 96) and sum(1 for _ in gen) == 5
    gif = tmp_path / "turn.gif"
    r = run("render", "--out", str(gif), "--animation", "turntable", "--frames", "4", "--size", "120x80")
    assert r.returncode == 0, r.stderr
    with Image.open(gif) as im:
        assert im.n_frames == 4 and im.size == (120, 80)


@pytest.mark.parametrize(
    "args, needle",
    [
        (("render", "--out", "x.avi"), "must be a .png, .mp4 or .gif file"),
        (("render", "--out", "x.png", "--animation", "turntable"), "needs an .mp4 or .gif output"),
        (("render", "--out", "/nonexistent-dir/x.mp4"), "does not exist"),
        (("render", "--out", "x.gif", "--heart-rate", "500"), "outside 20..240"),
        (("render", "--out", "x.mp4", "--frames", "0"), "outside 1..10000"),
        (("report", "--scenario", "missing.json", "--out", "r.pdf"), "missing.json"),
        (("report", "--scenario", "bad.json", "--out", "r.pdf"), "bad.json: $"),
        (("report", "--scenario", "bad.json", "--out", "r.txt"), "must be a .pdf file"),
        (("report", "--out", "r.pdf"), "required"),
        (("report", "--preset", "nope", "--out", "r.pdf"), "unknown preset 'nope' (valid: "),
        (("report", "--preset", "avm", "--scenario", "bad.json", "--out", "r.pdf"), "not allowed with"),
    ],
)
def test_export_bad_usage_exits_2_with_one_line(args, needle, tmp_path):
    (tmp_path / "bad.json").write_text('{"format": "hfs-scenario", "version": 1, "name": "x", "vessels": 3}')
    r = run(*args, cwd=tmp_path)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"]


# ------------------------------------------------------------------ teaching presets


def test_presets_list_json_shape():
    from viewer.presets import PRESET_NAMES, load_preset

    r = run("presets", "--list", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert isinstance(data, list) and len(data) >= 16
    assert [d["name"] for d in data] == list(PRESET_NAMES)  # stable teaching order
    for d in data:
        assert list(d)[:3] == ["name", "title", "expected"]
        assert isinstance(d["title"], str) and d["title"]
        assert isinstance(d["expected"], list) and all(isinstance(t, str) for t in d["expected"])
        assert d["expected"] == list(load_preset(d["name"]).teaching.expected)


def test_presets_list_plain_is_an_aligned_table():
    r = run("presets", "--list")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.rstrip("\n").splitlines()
    assert lines[0].split()[:2] == ["NAME", "TITLE"] and len(lines) >= 17
    col = lines[0].index("TITLE")
    assert all(line[col - 2 : col] == "  " and line[col] != " " for line in lines)  # titles start in one column
    assert any(line.startswith("vertebral-tandem ") and "single, tandem" in line for line in lines)


def test_analyze_preset_json_equals_analyze_of_its_file():
    from viewer.presets import preset_path

    a = run("analyze", "--preset", "vertebral-tandem", "--json")
    b = run("analyze", str(preset_path("vertebral-tandem")), "--json")
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    assert json.loads(a.stdout) == json.loads(b.stdout)
    assert json.loads(a.stdout)["classification"] == ["single", "tandem"]
    text = run("analyze", "--preset", "idiopathic")
    assert text.returncode == 0 and "Classification: idiopathic" in text.stdout


@pytest.mark.parametrize(
    "args, needle",
    [
        (("analyze", "--preset", "nope"), "unknown preset 'nope' (valid: aica-attached-segment, "),
        (("analyze",), "give SCENARIO.json"),
        (("analyze", "x.json", "--preset", "avm"), "not both"),
        (("presets",), "required"),
        (("render", "--preset", "nope", "--out", "x.png"), "unknown preset 'nope'"),
        (("render", "--preset", "avm", "--scenario", "x.json", "--out", "x.png"), "not allowed with"),
        (("--preset", "nope"), "unknown preset 'nope'"),  # the GUI: refused before any window opens
        (("--preset", "avm", "--scenario", "x.json"), "not both"),
    ],
)
def test_preset_bad_usage_exits_2_with_one_line(args, needle, tmp_path):
    r = run(*args, cwd=tmp_path)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], r.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.render
def test_render_preset_writes_png_of_the_asked_size_in_its_view(tmp_path):
    out = tmp_path / "tandem.png"
    r = run("render", "--preset", "vertebral-tandem", "--size", "480x300", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "view rez_closeup" in r.stdout  # the preset's teaching view by default
    img = np.asarray(Image.open(out).convert("RGB"))
    assert img.shape == (300, 480, 3) and img.std() > 10
    assert ((img[..., 0] > 200) & (img[..., 1] > 170) & (img[..., 2] < 90)).sum() > 200  # the yellow callout
    plain = tmp_path / "plain.png"
    r = run("render", "--view", "rez_closeup", "--size", "480x300", "--out", str(plain))
    assert r.returncode == 0, r.stderr
    assert (
        np.abs(img.astype(int) - np.asarray(Image.open(plain).convert("RGB")).astype(int)).mean() > 2
    )  # not the default scene


@pytest.mark.render
def test_render_mechanism_animation_of_a_preset(tmp_path):
    gif = tmp_path / "mech.gif"
    r = run(
        "render",
        "--preset",
        "aica-attached-segment",
        "--out",
        str(gif),
        "--animation",
        "mechanism",
        "--frames",
        "4",
        "--size",
        "160x100",
    )
    assert r.returncode == 0, r.stderr
    assert "frame 4/4" in r.stderr and "mechanism" in r.stdout and "view rez_closeup" in r.stdout
    with Image.open(gif) as im:
        assert im.n_frames == 4 and im.size == (160, 100)
    r = run("render", "--out", str(tmp_path / "x.gif"), "--animation", "nope")
    assert r.returncode == 2 and "mechanism" in r.stderr  # listed among the choices


def test_mp4_without_ffmpeg_is_a_one_line_error(tmp_path, monkeypatch):
    # a frozen build without bundled ffmpeg on a machine without ffmpeg
    import imageio_ffmpeg

    from viewer import cli

    def missing():
        raise RuntimeError("No ffmpeg exe could be found")

    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", missing)
    out = tmp_path / "x.mp4"
    with pytest.raises(cli.UsageError, match="needs ffmpeg"):
        cli._cmd_render(
            cli.build_parser().parse_args(["render", "--out", str(out), "--frames", "2", "--size", "64x48"])
        )
    assert not out.exists()
