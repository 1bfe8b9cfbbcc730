"""The 3D view's Qt widget: a pyvistaqt QtInteractor that repaints from the frame VTK already drew.

pyvistaqt's paintGL renders the whole scene again on every repaint, because plain pyvista
code may change a scene without asking for a frame. So every explicit render cost two
(the render, then the repaint its finished frame schedules), and every expose or window
grab cost one more: about 0.5 s each on a software-rendered full-HD window. Here the
scene only changes through SceneView, which says so (`invalidate_frame`); VTK's own
render requests (`Render`), resizes and a new GL context say so too. While nothing did,
a repaint blits the last frame (what the C++ QVTKOpenGLNativeWidget does for repaints
scheduled by a finished render).
"""

from __future__ import annotations

from pyvistaqt import QtInteractor


class SceneInteractor(QtInteractor):
    _frame_current = False  # the last finished VTK frame shows the scene as it is now

    @property
    def frame_current(self) -> bool:
        return self._frame_current

    def invalidate_frame(self) -> None:
        """The scene changed: the next repaint must render."""
        self._frame_current = False

    # pyvistaqt hooks (QVTKRenderWindowInteractor in pyvistaqt/rwi.py)
    def _cb_frame(self, obj, evt):
        rw = self._RenderWindow
        if rw is not None and not (rw.GetDoubleBuffer() and not rw.GetSwapBuffers()):
            self._frame_current = True  # a displayable frame finished
        super()._cb_frame(obj, evt)

    def Render(self):  # noqa: N802 - VTK API name
        self._frame_current = False
        super().Render()

    def initializeGL(self):  # noqa: N802 - Qt API name
        self._frame_current = False
        super().initializeGL()

    def resizeGL(self, w, h):  # noqa: N802 - Qt API name
        self._frame_current = False
        super().resizeGL(w, h)

    def paintGL(self):  # noqa: N802 - Qt API name
        if not self._frame_current or self._in_paint:
            super().paintGL()
            return
        # pyvistaqt's paintGL skips its render while _in_paint is set and only blits
        self._in_paint = True
        try:
            super().paintGL()
        finally:
            self._in_paint = False
