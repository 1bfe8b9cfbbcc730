"""Ruler and angle tools: the next clicks on the anatomy place a measurement's points.

While a tool is on, a click on a structure adds a point (shown at once as a marker)
instead of picking; the measurement is added to the scenario (undoable, saved with it)
when its last point is placed: 2 for a ruler, 3 for an angle (vertex second). A click
on empty space is ignored; Esc or choosing the tool again cancels. Drags still turn
the camera, so the user can look around between the clicks.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from ..scenario import MEASUREMENT_POINTS

__all__ = ["MeasureTool"]

PROMPTS = {
    "ruler": ("Ruler: click the first point on the anatomy", "Ruler: click the second point"),
    "angle": ("Angle: click the first arm's end", "Angle: click the vertex", "Angle: click the second arm's end"),
}


class MeasureTool(QObject):
    modeChanged = Signal(str)  # "ruler" | "angle" | "" (off)

    def __init__(self, scene_view, document, parent=None):
        super().__init__(parent)
        self.view = scene_view
        self.document = document
        self.mode = ""
        self.points: list[tuple[float, float, float]] = []
        # another scenario opened (or undo past the start): the picks so far belong to the old scene
        document.scenarioChanged.connect(lambda changed: self.cancel() if changed is None else None)

    def start(self, mode: str) -> None:
        """Turn a tool on (or off, when it is already on)."""
        if mode not in MEASUREMENT_POINTS:
            raise ValueError(f"unknown measurement tool {mode!r}")
        if self.mode == mode:
            self.cancel()
            return
        self.mode = mode
        self.points = []
        self.view.click_tool = self._click
        self._show_pending()
        self.document.statusMessage.emit(PROMPTS[mode][0] + " (Esc cancels)")
        self.modeChanged.emit(mode)

    def cancel(self) -> None:
        if not self.mode:
            return
        self.mode = ""
        self.points = []
        if self.view.click_tool == self._click:
            self.view.click_tool = None
        self._show_pending()
        self.document.statusMessage.emit("Measurement cancelled")
        self.modeChanged.emit("")

    def _show_pending(self) -> None:
        if self.view.presenter is not None:
            self.view.presenter.measurements.set_pending(self.points)
            self.view.request_render()

    def _click(self, sid, point) -> bool:
        if not self.mode:
            return False
        if sid is None or point is None:
            self.document.statusMessage.emit(PROMPTS[self.mode][len(self.points)] + " (on a structure)")
            return True
        self.points.append(tuple(float(c) for c in point))
        need = MEASUREMENT_POINTS[self.mode]
        if len(self.points) < need:
            self._show_pending()
            self.document.statusMessage.emit(PROMPTS[self.mode][len(self.points)])
            return True
        mode, points = self.mode, self.points
        self.mode, self.points = "", []
        self.view.click_tool = None
        self._show_pending()
        self.document.add_measurement(mode, points)
        self.modeChanged.emit("")
        return True


def install_measure_tool(window) -> MeasureTool:
    """The Measure menu (Ruler Shift+R, Angle Shift+A, Remove measurements) before Help."""
    from PySide6.QtGui import QAction, QKeySequence

    tool = MeasureTool(window.scene_view, window.document, window)
    menu = window.menuBar().addMenu("&Measure")
    window.menuBar().insertMenu(window.help_menu.menuAction(), menu)
    actions = {}
    for mode, title, key in (("ruler", "&Ruler (distance)", "Shift+R"), ("angle", "&Angle", "Shift+A")):
        act = QAction(title, window)
        act.setCheckable(True)
        act.setShortcut(QKeySequence(key))
        act.setStatusTip(PROMPTS[mode][0])
        act.triggered.connect(lambda _=False, m=mode: tool.start(m))
        menu.addAction(act)
        actions[mode] = act
    cancel = QAction("&Cancel measuring", window)
    cancel.setShortcut(QKeySequence("Esc"))
    cancel.setEnabled(False)
    cancel.triggered.connect(tool.cancel)
    menu.addAction(cancel)
    menu.addSeparator()
    remove = QAction("Re&move measurements", window)
    remove.triggered.connect(window.document.remove_measurements)
    menu.addAction(remove)
    window.addActions([*actions.values(), cancel])

    def on_mode(mode: str) -> None:
        for m, act in actions.items():
            act.setChecked(m == mode)
        cancel.setEnabled(bool(mode))  # Esc belongs to presentation mode otherwise

    tool.modeChanged.connect(on_mode)
    window.ruler_action, window.angle_action = actions["ruler"], actions["angle"]
    window.cancel_measure_action, window.remove_measurements_action = cancel, remove
    window.measure_menu = menu
    return tool
