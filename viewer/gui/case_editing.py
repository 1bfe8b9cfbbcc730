"""Dragging a patient's vessel: "what if this loop were lifted off the root exit zone?"

Select a vessel of a patient case (click its surface) and its spline handles appear, as
on the model; drag one (Shift: the whole loop) and the vessel is redrawn as its tube
while its original surface stays as a see-through ghost. The edit is part of the case
(its scenario, saved in case.json), undoable, and from then on the analysis measures
that vessel as a tube, re-run at once on the geometry already measured (~ms), so the
Findings panel and the callouts follow the drag. Case ▸ Reset vessel to its surface
drops the edit. Branches and separate pieces of a vessel keep their surfaces.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication

from ..display import Override
from ..render.case_view import structure_of_vessel

GHOST_OVERRIDE = "edited vessel ghost"
GHOST_OPACITY = 0.25  # the original surface of an edited vessel: seen, not in the way


class CaseVesselEditor(QObject):
    """Handles and drags of the selected patient vessel (a grab tool of the 3D view)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.document = d = window.document
        self.view = window.scene_view
        self._drag: tuple | None = None
        self.view.grab_tools.append(self)
        d.selectionChanged.connect(self._show_handles)
        self._geometry = None  # the measured geometry the tubes and handles were last drawn from
        d.caseFindingsChanged.connect(self._geometry_changed)
        d.caseVesselsChanged.connect(self._refresh)
        d.caseChanged.connect(self._forget_geometry)

    def selected_vessel(self):
        d = self.document
        if d.case is None or not d.selected:
            return None
        return d.case_vessels().get(d.selected)

    def _forget_geometry(self, *_args) -> None:
        self._geometry = None  # a closed case's surfaces must not stay alive here

    def _geometry_changed(self, *_args) -> None:
        # a drag re-analyses on the same geometry (caseVesselsChanged already redrew it): only a new
        # measurement (the case opened, a role changed) brings other vessels and handles
        if self.document.case_geometry is not self._geometry:
            self._geometry = self.document.case_geometry
            self._refresh()

    def _refresh(self, *_args) -> None:
        d, actors = self.document, self.view.case_actors
        if d.case is None or actors is None:
            return
        vessels = d.case_vessels()
        edited = {vid: vessels[vid] for vid in d.edited_case_vessel_ids() if vid in vessels}
        actors.set_tubes(edited)
        ghosts = {structure_of_vessel(vid, d.structures) for vid in edited} - {None}
        d.display.set_override(GHOST_OVERRIDE, {sid: Override(max_opacity=GHOST_OPACITY) for sid in ghosts})
        self._show_handles()
        self.view.request_render()

    def _show_handles(self, *_args) -> None:
        if self.document.case is None:
            return  # the model's handles are the view's own
        v = self.selected_vessel()
        if v is None:
            self.view.handles.hide()
        else:
            self.view.handles.show(v.handles_mm, active=self._drag[1] if self._drag else None)
        self.view.request_render()

    # grab tool protocol of SceneView: grab(x, y) -> bool, drag(x, y), drop()
    def grab(self, x: int, y: int) -> bool:
        v = self.selected_vessel()
        if v is None:
            return False
        index = self.view.handles.pick_handle(x, y)
        if index is None:
            return False
        loop = bool(QApplication.keyboardModifiers() & Qt.KeyboardModifier.ShiftModifier)
        self._drag = (v.id, index, self.view._display_depth(v.handles_mm[index]), object(), loop)
        return True

    def drag(self, x: int, y: int) -> None:
        if self._drag is None:
            return
        vid, index, depth, key, loop = self._drag
        self.document.move_case_handle(
            vid, index, self.view.display_to_world(x, y, depth), whole_loop=loop, merge_key=key
        )

    def drop(self) -> None:
        self._drag = None

    def reset_selected(self) -> None:
        v = self.selected_vessel()
        if v is None or v.id not in self.document.edited_case_vessel_ids():
            self.document.statusMessage.emit("Select an edited patient vessel to reset it")
            return
        self.document.reset_case_vessel(v.id)


def install_case_vessel_editor(window) -> CaseVesselEditor:
    editor = CaseVesselEditor(window)
    act = QAction("&Reset selected vessel to its surface", window)
    act.setStatusTip("Drop the edit of the selected patient vessel: the analysis uses its surface again (undoable)")
    act.triggered.connect(editor.reset_selected)
    window.case_menu.addSeparator()
    window.case_menu.addAction(act)
    act.setEnabled(window.document.case is not None)
    window.document.caseChanged.connect(lambda case: act.setEnabled(case is not None))
    window.reset_case_vessel_action = act
    return editor
