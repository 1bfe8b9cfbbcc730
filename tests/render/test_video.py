"""Video export (viewer.render.video): MP4 and GIF read back, cancellation, real frame sources."""

from __future__ import annotations

import sys
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from viewer.motion import Pulsation
from viewer.render.video import (
    ExportCancelled,
    export_animation,
    pulsation_frame_count,
    turntable_frames,
    write_video,
)
from viewer.scenario import default_scenario

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from test_analysis import crossing  # noqa: E402

pytestmark = pytest.mark.render


def synthetic(n, w=96, h=64):
    """n distinct frames: a bar sweeping across a gradient."""
    for k in range(n):
        img = np.zeros((h, w, 3), np.uint8)
        img[..., 0] = np.linspace(0, 255, w, dtype=np.uint8)[None, :]
        img[:, (k * 7) % w : (k * 7) % w + 5, 1] = 255
        yield img


def mp4_frames(path):
    gen = imageio_ffmpeg.read_frames(str(path))
    meta = next(gen)
    w, h = meta["size"]
    frames = [np.frombuffer(b, np.uint8).reshape(h, w, 3) for b in gen]
    return meta, frames


def leftovers(folder: Path, keep: set[str]):
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


def test_mp4_frame_count_size_and_fps(tmp_path):
    out = tmp_path / "a.mp4"
    info = write_video(synthetic(7), out, fps=10)
    meta, frames = mp4_frames(out)
    assert info.frames == 7 and info.size == (96, 64)
    assert len(frames) == 7 and frames[0].shape == (64, 96, 3)
    assert meta["fps"] == pytest.approx(10)
    assert leftovers(tmp_path, {"a.mp4"}) == []


def test_mp4_odd_size_is_padded_to_even(tmp_path):
    info = write_video(synthetic(3, 95, 63), tmp_path / "odd.mp4", fps=5)
    assert info.size == (96, 64)
    _, frames = mp4_frames(tmp_path / "odd.mp4")
    assert len(frames) == 3 and frames[0].shape == (64, 96, 3)


def test_gif_frame_count_size_and_delay(tmp_path):
    out = tmp_path / "a.gif"
    write_video(synthetic(6), out, fps=25)
    with Image.open(out) as im:
        assert im.n_frames == 6 and im.size == (96, 64)
        assert im.info["duration"] == 40
        assert im.info.get("loop") == 0


@pytest.mark.parametrize("suffix", [".mp4", ".gif"])
def test_cancel_leaves_no_file_and_keeps_an_existing_one(tmp_path, suffix):
    calls = []

    def progress(done, total):
        calls.append((done, total))
        return done < 3  # cancel after the third frame

    out = tmp_path / f"new{suffix}"
    with pytest.raises(ExportCancelled):
        write_video(synthetic(10), out, fps=10, total=10, progress=progress)
    assert calls == [(1, 10), (2, 10), (3, 10)]
    assert not out.exists()
    existing = tmp_path / f"old{suffix}"
    existing.write_bytes(b"precious")
    with pytest.raises(ExportCancelled):
        write_video(synthetic(10), existing, fps=10, progress=lambda d, t: d < 2)
    assert existing.read_bytes() == b"precious"
    assert leftovers(tmp_path, {existing.name}) == []


def test_a_failing_frame_source_leaves_nothing(tmp_path):
    def broken():
        yield from synthetic(2)
        raise RuntimeError("renderer died")

    with pytest.raises(RuntimeError):
        write_video(broken(), tmp_path / "x.mp4")
    with pytest.raises(ValueError, match="first was"):
        write_video([np.zeros((8, 8, 3), np.uint8), np.zeros((10, 8, 3), np.uint8)], tmp_path / "y.gif")
    with pytest.raises(ValueError, match=".mp4 or .gif"):
        write_video(synthetic(2), tmp_path / "z.avi")
    assert leftovers(tmp_path, set()) == []


def test_turntable_mp4_from_the_scene(tmp_path):
    out = tmp_path / "turn.mp4"
    seen = []
    info = export_animation(
        default_scenario(),
        out,
        "turntable",
        frames=6,
        fps=12,
        size=(200, 120),
        progress=lambda d, t: seen.append((d, t)),
    )
    assert seen[-1] == (6, 6)
    meta, frames = mp4_frames(out)
    assert info.frames == len(frames) == 6
    assert frames[0].shape == (120, 200, 3)
    diffs = [np.abs(f.astype(int) - frames[0].astype(int)).mean() for f in frames[1:]]
    assert min(diffs) > 1.0  # the camera moves every frame


def test_turntable_generator_closes_its_plotter_when_abandoned():
    from pyvista.plotting.plotter import _ALL_PLOTTERS

    before = len(_ALL_PLOTTERS)
    gen = turntable_frames(default_scenario(), 4, size=(64, 48))
    first = next(gen)
    assert first.shape == (48, 64, 3)
    gen.close()
    assert len(_ALL_PLOTTERS) == before


def test_pulsation_gif_follows_the_cardiac_cycle(tmp_path):
    aica, _ = crossing(4.0, -0.1)
    s = default_scenario().with_vessel(aica)
    p = Pulsation(heart_rate_bpm=120)  # 0.5 s cycle
    assert pulsation_frame_count(p, 1.0, 10) == 5
    out = tmp_path / "pulse.gif"
    info = export_animation(s, out, "pulsation", fps=10, size=(240, 160), view="rez_closeup", pulsation=p)
    assert info.frames == 5
    with Image.open(out) as im:
        assert im.n_frames == 5 and im.size == (240, 160)
        frames = []
        for k in range(im.n_frames):
            im.seek(k)
            frames.append(np.asarray(im.convert("RGB")).astype(int))
    # systole (frame 0.1 s = 0.2 cycle) differs from end-diastole (frame 0) in the scene itself
    body = slice(40, None)  # below the caption
    assert np.abs(frames[1][body] - frames[0][body]).mean() > 0.2


def test_mechanism_gif_and_mp4_frame_counts(tmp_path):
    from viewer.mechanism_anim import DEFAULT_PERIOD_S
    from viewer.presets import load_preset
    from viewer.render.video import mechanism_frame_count

    assert mechanism_frame_count(DEFAULT_PERIOD_S, 1.0, 25) == 300  # one 12 s loop in real time
    s = load_preset("aica-attached-segment")
    gif = tmp_path / "mech.gif"
    info = export_animation(s, gif, "mechanism", frames=6, size=(200, 120))
    assert info.frames == 6
    with Image.open(gif) as im:
        assert im.n_frames == 6 and im.size == (200, 120)
        frames = []
        for k in range(im.n_frames):
            im.seek(k)
            frames.append(np.asarray(im.convert("RGB")).astype(int))
    # frame k is at k * 2 s of the loop: the captions and impulses change
    assert all(np.abs(b - a).mean() > 0.2 for a, b in zip(frames, frames[1:]))
    mp4 = tmp_path / "mech.mp4"
    export_animation(s, mp4, "mechanism", frames=3, fps=5, size=(160, 96))
    meta, mframes = mp4_frames(mp4)
    assert len(mframes) == 3 and meta["size"] == (160, 96)
    assert leftovers(tmp_path, {"mech.gif", "mech.mp4"}) == []


def test_mechanism_generator_releases_its_plotter():
    from pyvista.plotting.plotter import _ALL_PLOTTERS

    from viewer.render.video import mechanism_frames

    before = len(_ALL_PLOTTERS)
    gen = mechanism_frames(default_scenario(), 3, size=(64, 48))
    assert next(gen).shape == (48, 64, 3)
    gen.close()
    assert len(_ALL_PLOTTERS) == before
