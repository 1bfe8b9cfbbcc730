"""Scenario ▸ Transpose vessel (sling): two clicks make a sling.

The first click picks a point on a vessel, the second the anchor on the dura of the petrous
bone or on the tentorium (its attachment along the transverse sinus). The sling is added to
the scenario as one undoable step when the anchor is placed; Esc, or choosing the tool again,
cancels. Clicks pick through see-through structures (the petrous bone is drawn translucent);
drags still turn the camera between the clicks.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

__all__ = ["SlingTool", "ANCHOR_STRUCTURES", "PROMPTS"]

# Where a sling may be fixed: the petrous dura, and the tentorium, which the model shows as the
# transverse sinus along its attachment.
ANCHOR_STRUCTURES = ("petrous", "transverse_sinus", "tentorium")
PROMPTS = (
    "Transpose: click the point of the vessel to sling",
    "Transpose: click the anchor on the petrous dura or the tentorium",
)


class SlingTool(QObject):
    activeChanged = Signal(bool)

    def __init__(self, scene_view, document, parent=None):
        super().__init__(parent)
        self.view = scene_view
        self.document = document
        self.active = False
        self.vessel: str | None = None
        self.point: tuple[float, float, float] | None = None
        # another scenario opened (or undo past the start): the first pick belongs to the old scene
        document.scenarioChanged.connect(self._scenario_changed)

    def _scenario_changed(self, changed) -> None:
        if changed is None and self.active and self.vessel is not None:
            if self.vessel not in self.document.vessel_ids():
                self.cancel()

    def start(self) -> None:
        """Turn the tool on (off when it is on already)."""
        if self.active:
            self.cancel()
            return
        if self.document.showing_before:
            self.document.set_show_before(False)
        self.active = True
        self.vessel = self.point = None
        self.view.click_tool = self._click
        self._show_pending()
        self.document.statusMessage.emit(PROMPTS[0] + " (Esc cancels)")
        self.activeChanged.emit(True)

    def cancel(self) -> None:
        if not self.active:
            return
        self._stop()
        self.document.statusMessage.emit("Transposition cancelled")

    def _stop(self) -> None:
        self.active = False
        self.vessel = self.point = None
        if self.view.click_tool == self._click:
            self.view.click_tool = None
        self._show_pending()
        self.activeChanged.emit(False)

    def _show_pending(self) -> None:
        if self.view.presenter is not None:
            self.view.presenter.measurements.set_pending([] if self.point is None else [self.point])
            self.view.request_render()

    def _click(self, _sid, _point) -> bool:
        if not self.active:
            return False
        d = self.document
        x, y = self.view.last_click
        if self.vessel is None:
            vessels = set(d.vessel_ids())
            sid, point = self.view.pick_first(x, y, vessels.__contains__)
            if sid is None:
                d.statusMessage.emit(PROMPTS[0] + " (on a vessel)")
                return True
            self.vessel, self.point = sid, point
            self._show_pending()
            d.statusMessage.emit(f"{d.scenario.vessel(sid).label}: " + PROMPTS[1][len("Transpose: ") :])
            return True
        sid, anchor = self.view.pick_first(x, y, ANCHOR_STRUCTURES.__contains__)
        if sid is None:
            d.statusMessage.emit(PROMPTS[1] + " (the petrous bone's face or the tentorium)")
            return True
        vessel, point = self.vessel, self.point
        self._stop()
        d.add_sling(vessel, point, anchor)
        return True
