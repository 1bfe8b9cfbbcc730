"""A drag costs one frame per batch of mouse moves: one GL render, and panels that set their
text only when it changes (counted on the real window's widgets)."""

import numpy as np
import pytest
from gui_helpers import widget_pos_of
from PySide6.QtCore import QPoint, Qt

from viewer.anatomy import build_anatomy
from viewer.scenario import default_scenario

pytestmark = pytest.mark.gui


class Counts:
    """GL renders of the 3D view and text sets on the findings panel's widgets."""

    def __init__(self, win):
        self.rw = win.scene_view.plotter.render_window
        self.renders = 0
        self._tag = self.rw.AddObserver("StartEvent", self._render)
        p = win.findings_panel
        self.widgets = {
            "headline": (p.headline_label, "setText"),
            "tags": (p.tags_label, "setText"),
            "culprit": (p.culprit_label, "setText"),
            "details": (p.details, "setHtml"),
        }
        self.sets = dict.fromkeys(self.widgets, 0)
        for name, (w, method) in self.widgets.items():
            setattr(w, method, self._counting(name, getattr(w, method)))

    def _render(self, *_):
        self.renders += 1

    def _counting(self, name, real):
        def counted(text):
            self.sets[name] += 1
            return real(text)

        return counted

    def reset(self):
        self.renders = 0
        self.sets = dict.fromkeys(self.widgets, 0)

    def close(self):
        self.rw.RemoveObserver(self._tag)
        self.rw = None  # a test must not keep the window's render window alive
        for w, method in self.widgets.values():
            delattr(w, method)


@pytest.fixture
def counts(win):
    c = Counts(win)
    yield c
    c.close()
    # the mesh set is shared by the session's windows: leave CN VII and the AICA undeformed
    win.document.load_scenario(default_scenario())
    win.scene_view.render_now()


def frame_done(qtbot, counts, renders_before):
    """Run the loop until the batch's frame has rendered, then a while longer (a second
    render of the same batch would show up here)."""
    qtbot.waitUntil(lambda: counts.renders > renders_before, timeout=20000)
    qtbot.wait(150)


def setup_drag(win, qtbot):
    """AICA selected, the handle nearest CN VII's attached segment put in the depth plane of a
    point just anterior to the nerve; returns (handle index, its position, that point)."""
    d = win.document
    d.load_scenario(default_scenario())
    d.select("aica")
    nerve = build_anatomy().facial_nerve
    p_arc = nerve.point_at(4.0)
    aica = d.scenario.vessel("aica")
    k = int(np.argmin(np.linalg.norm(aica.handles_mm - p_arc, axis=1)))
    target = p_arc + np.array([0.0, 0.6, -0.6])
    h = aica.handles_mm[k].copy()
    h[1] = target[1]
    d.move_handle("aica", k, h)
    qtbot.wait(30)
    win.scene_view.render_now()
    qtbot.wait(150)
    assert not any(c.structure == "CN VII" for c in d.findings.contacts)
    return k, h, target


def display_xy(win, p):
    ren = win.scene_view.plotter.renderer
    ren.SetWorldPoint(*p, 1.0)
    ren.WorldToDisplay()
    x, y, _ = ren.GetDisplayPoint()
    return np.array([x, y])


def test_each_batch_of_moves_renders_once_and_findings_text_is_set_only_when_it_changes(win, qtbot, counts):
    k, h, target = setup_drag(win, qtbot)
    d, iren = win.document, win.scene_view.plotter.iren.interactor
    start, end = display_xy(win, h), display_xy(win, target)
    away = -(end - start) / np.linalg.norm(end - start)  # away from the nerve: no contact either way

    def move_to(xy):
        iren.SetEventInformation(int(round(xy[0])), int(round(xy[1])), 0, 0)
        iren.InvokeEvent("MouseMoveEvent")

    iren.SetEventInformation(int(round(start[0])), int(round(start[1])), 0, 0)
    iren.InvokeEvent("LeftButtonPressEvent")
    try:
        headline = win.findings_panel.headline_label.text()
        for batch in range(3):  # three moves arrive before the loop runs: one frame
            counts.reset()
            moved = d.scenario.vessel("aica").handles_mm[k].copy()
            for step in range(3):
                move_to(start + away * (4 + 6 * batch + 2 * step))
            frame_done(qtbot, counts, 0)
            assert not np.allclose(d.scenario.vessel("aica").handles_mm[k], moved)  # the handle moved
            assert counts.renders == 1, f"batch {batch}: {counts.renders} renders"
            assert counts.sets == dict.fromkeys(counts.sets, 0), f"unchanged findings set text: {counts.sets}"
            assert win.findings_panel.headline_label.text() == headline

        counts.reset()
        for t in (0.4, 0.8, 1.0):  # onto the nerve: the findings change, once for the frame
            move_to(start + t * (end - start))
        frame_done(qtbot, counts, 0)
        assert counts.renders == 1
        assert counts.sets["headline"] == 1 and counts.sets["culprit"] == 1, counts.sets
        assert max(counts.sets.values()) == 1, counts.sets
        assert win.findings_panel.headline_label.text() != headline
        assert "AICA" in win.findings_panel.headline_label.text()
        assert d.findings.culprit == "aica"
    finally:
        iren.InvokeEvent("LeftButtonReleaseEvent")
    assert d.undo_stack.count() == 2  # the setup move and the drag


def test_real_mouse_moves_render_one_frame_each(win, qtbot, counts):
    k, h, target = setup_drag(win, qtbot)
    d = win.document
    w = win.scene_view.widget
    a = QPoint(*widget_pos_of(w, h))
    b = QPoint(*widget_pos_of(w, target))
    qtbot.mousePress(w, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    try:
        qtbot.wait(150)
        for t in (0.25, 0.5, 0.75, 1.0):
            counts.reset()
            before = d.scenario.vessel("aica").handles_mm[k].copy()
            qtbot.mouseMove(w, QPoint(round(a.x() + t * (b.x() - a.x())), round(a.y() + t * (b.y() - a.y()))))
            frame_done(qtbot, counts, 0)
            assert not np.allclose(d.scenario.vessel("aica").handles_mm[k], before)
            assert counts.renders == 1, f"move to {t}: {counts.renders} renders"
            assert max(counts.sets.values()) <= 1, counts.sets
    finally:
        qtbot.mouseRelease(w, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    assert d.findings.culprit == "aica"
