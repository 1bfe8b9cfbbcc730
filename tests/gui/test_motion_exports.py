"""Pulsation playback and the exports from the real window."""

import numpy as np
import pytest
from PIL import Image

from viewer.presets import load_preset

pytestmark = pytest.mark.gui


@pytest.fixture
def mw(win, qtbot):
    win.document.load_scenario(load_preset("mild-contact"))
    win.document.set_view("rez_closeup")
    qtbot.wait(20)
    yield win
    win.pulsation.pause()


def test_pulsation_plays_without_touching_the_document_and_pauses(mw, qtbot):
    d = mw.document
    before = d.scenario
    steps = d.undo_stack.count()
    aica_mesh = mw.scene_view.scene.mesh_set.meshes["aica"]
    radii = []
    mw.pulsation_action.trigger()
    assert mw.pulsation.playing and mw.pulsation_action.isChecked()

    def sample(_t):
        pts = np.asarray(aica_mesh.points)
        radii.append(float(np.ptp(pts[:, 0]) + np.ptp(pts[:, 1]) + np.ptp(pts[:, 2])))

    mw.pulsation.frameShown.connect(sample)
    qtbot.waitUntil(lambda: mw.pulsation.frames >= 6, timeout=20000)
    mw.pulsation.frameShown.disconnect(sample)
    assert max(radii) - min(radii) > 0.05, "the artery's mesh changes with the heartbeat"
    assert d.scenario == before and d.undo_stack.count() == steps  # the document is untouched
    assert "bpm" in mw.scene_view._overlay.GetText(2)
    mw.pulsation_action.trigger()
    assert not mw.pulsation.playing and not mw.scene_view._overlay.GetVisibility()
    qtbot.wait(50)
    mw.scene_view.render_now()
    # back to the document's state: the AICA mesh is the rest course again
    v = d.scenario.vessel("aica")
    assert np.allclose(np.asarray(aica_mesh.points).mean(axis=0), v.course_mm.mean(axis=0), atol=1.0)


def test_pulsation_stops_when_the_window_is_minimised(mw, qtbot):
    mw.pulsation.play()
    qtbot.waitUntil(lambda: mw.pulsation.frames >= 1, timeout=10000)
    mw.showMinimized()
    qtbot.waitUntil(lambda: not mw.pulsation.playing, timeout=5000)
    mw.showNormal()
    qtbot.wait(100)


def test_veins_do_not_pulsate(win, qtbot):
    win.document.load_scenario(load_preset("venous-compression"))
    qtbot.wait(20)
    win.scene_view.render_now()
    vein_ids = [v.id for v in win.document.scenario.vessels if v.kind == "vein"]
    meshes = {vid: np.array(win.scene_view.presenter.vessel_actor(vid).mapper.dataset.points) for vid in vein_ids}
    win.pulsation.play()
    qtbot.waitUntil(lambda: win.pulsation.frames >= 4, timeout=20000)
    for vid, pts in meshes.items():
        now = np.asarray(win.scene_view.presenter.vessel_actor(vid).mapper.dataset.points)
        assert np.array_equal(now, pts), vid
    win.pulsation.pause()


def test_export_image_4k_with_and_without_annotations(mw, tmp_path):
    with_ann = mw.export_image(tmp_path / "a.png", (3840, 2160), annotations=True)
    without = mw.export_image(tmp_path / "b.png", (3840, 2160), annotations=False)
    a = np.asarray(Image.open(with_ann).convert("RGB")).astype(int)
    b = np.asarray(Image.open(without).convert("RGB")).astype(int)
    assert a.shape == b.shape == (2160, 3840, 3)

    def yellow(img):
        return ((img[..., 0] > 230) & (img[..., 1] > 200) & (img[..., 2] < 80)).sum()

    assert yellow(a) > 2000 and yellow(b) < yellow(a) / 10  # the culprit's callout box only with annotations
    assert any(c.GetVisibility() for c in mw.scene_view.callouts.actors)  # restored in the window


def test_export_video_and_cancel(mw, tmp_path, qtbot):
    from imageio_ffmpeg import read_frames

    from viewer.gui.exports import export_video

    out = tmp_path / "pulse.mp4"
    info = export_video(mw, out, "pulsation", size=(320, 240), fps=10, frames=6)
    assert info is not None and out.is_file() and info.frames == 6
    gen = read_frames(str(out))
    meta = gen.__next__()
    n = sum(1 for _ in gen)
    assert n == 6 and tuple(meta["size"]) == (320, 240)
    # Cancel pressed after the second frame: nothing written, an existing file untouched
    existing = tmp_path / "keep.gif"
    existing.write_bytes(b"old")

    def press_cancel(done, total, dlg):
        if done == 2:
            dlg.cancel()

    assert (
        export_video(mw, existing, "turntable", size=(160, 120), fps=10, frames=8, progress_hook=press_cancel) is None
    )
    assert existing.read_bytes() == b"old"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".keep")]


def test_export_report_pdf_from_the_window(mw, tmp_path):
    from pypdf import PdfReader

    from viewer.gui.exports import export_report

    out = export_report(mw, tmp_path / "case.pdf")
    reader = PdfReader(str(out))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert len(reader.pages) >= 1
    assert mw.document.scenario.name in text
    assert "Classification" in text
