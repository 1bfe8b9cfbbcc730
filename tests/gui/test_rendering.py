"""How often the 3D view renders: once to the first frame, once per change, never for a repaint.

On software GL a full-HD render costs about half a second, so these are counts of VTK
renders (the render window's StartEvent), not times.
"""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import close_and_delete, qimage_to_array

from viewer.gui.app import _application, grab_when_rendered
from viewer.gui.main_window import DEFAULT_SIZE, MainWindow

pytestmark = pytest.mark.gui


class RenderCounter:
    def __init__(self, plotter):
        self.rw = plotter.render_window
        self.count = 0
        self._tag = self.rw.AddObserver("StartEvent", self._seen)

    def _seen(self, *_):
        self.count += 1

    def close(self):
        self.rw.RemoveObserver(self._tag)


def test_screenshot_start_renders_once_and_the_grab_reuses_that_frame(qapp, mesh_set):
    """The `--screenshot` path: window, first frame, whole-window grab."""
    _application()  # names, icon and font as the command line sets them: the layout is final at the first paint
    w = MainWindow(mesh_set=mesh_set, persist=False)
    counter = RenderCounter(w.scene_view.plotter)
    grabs = []
    real_grab = w.grab

    def grab(*args):
        before = counter.count
        img = real_grab(*args)
        grabs.append((before, counter.count))
        return img

    w.grab = grab
    try:
        w.resize(*DEFAULT_SIZE)
        w.show()
        img = grab_when_rendered(qapp, w)
        assert img is not None, "the 3D view never showed the scene"
        assert grabs, "grab_when_rendered did not grab the window"
        before, after = grabs[-1]
        assert before == 1, f"{before} renders before the window grab (one frame is enough)"
        assert after == before, "the window grab rendered the scene again"
        assert counter.count == 1
        # the teaching cases and their thumbnails wait for their tab or menu
        assert w.preset_panel.list.count() == 0 and not w.preset_actions
    finally:
        counter.close()
        close_and_delete(qapp, w)


def test_a_change_renders_once_and_repaints_do_not_render(win, qapp, qtbot):
    plotter = win.scene_view.plotter
    win.scene_view.render_now()
    qtbot.wait(50)
    before_img = qimage_to_array(win.grab_window())
    counter = RenderCounter(plotter)
    try:
        win.document.set_view("superior")
        qtbot.waitUntil(lambda: counter.count >= 1, timeout=5000)
        qtbot.wait(200)  # the repaint that the finished render schedules has happened by now
        assert counter.count == 1
        plotter.repaint()  # an expose: the frame VTK drew is still the scene
        after_img = qimage_to_array(win.grab_window())
        assert counter.count == 1
        # ... and it is the new view, not a stale frame
        view = win.scene_view.widget
        top_left = view.mapTo(win, view.rect().topLeft())
        y, x = top_left.y(), top_left.x()
        region = (slice(y, y + view.height()), slice(x, x + view.width()))
        assert np.abs(after_img[region].astype(int) - before_img[region].astype(int)).mean() > 5
        win.resize(win.width() - 40, win.height())  # a resize must render again
        qtbot.waitUntil(lambda: counter.count >= 2, timeout=5000)
    finally:
        counter.close()
