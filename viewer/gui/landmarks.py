"""Case ▸ Place landmark: the next click on the patient's facial nerve puts a landmark there.

The root exit point, root detachment point and internal acoustic meatus are derived from
the surfaces when a case is analysed; where the derivation is wrong (a nerve that never
meets the brainstem surface, a segmentation that merges the nerve with the pons) the user
places them by hand. A landmark is part of the case (saved in case.json), set through an
undo command, and the analysis runs again so the segment map follows it. A click anywhere
but on the facial nerve is refused with a message; Esc or the same action again cancels.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence

from ..case import LANDMARKS

__all__ = ["LandmarkTool", "LANDMARK_TITLES", "install_landmark_tool"]

LANDMARK_TITLES = {
    "root_exit_point": "root exit point (RExP)",
    "root_detachment_point": "root detachment point (RDP)",
    "internal_acoustic_meatus": "internal acoustic meatus (IAM)",
}


class LandmarkTool(QObject):
    modeChanged = Signal(str)  # the landmark being placed, "" when off

    def __init__(self, scene_view, document, parent=None):
        super().__init__(parent)
        self.view = scene_view
        self.document = document
        self.mode = ""
        document.caseChanged.connect(lambda _case: self.cancel())

    def start(self, landmark: str) -> None:
        """Place `landmark` with the next click on the facial nerve (again: cancel)."""
        if landmark not in LANDMARKS:
            raise ValueError(f"unknown landmark {landmark!r}")
        if self.mode == landmark:
            self.cancel()
            return
        if self.document.case is None:
            self.document.statusMessage.emit("Landmarks belong to a patient case: import or open one first")
            return
        self.mode = landmark
        self.view.click_tool = self._click
        self.document.statusMessage.emit(f"Click the facial nerve at its {LANDMARK_TITLES[landmark]} (Esc cancels)")
        self.modeChanged.emit(landmark)

    def cancel(self) -> None:
        if not self.mode:
            return
        self.mode = ""
        if self.view.click_tool == self._click:
            self.view.click_tool = None
        self.modeChanged.emit("")

    def _click(self, sid: str | None, point) -> bool:
        case = self.document.case
        if case is None or not self.mode:
            return False
        facial = [s.id for s in case.structures if s.role == "facial_nerve"]
        if sid is None or sid not in facial:
            self.document.statusMessage.emit(
                f"Click on the facial nerve to place its {LANDMARK_TITLES[self.mode]} (Esc cancels)"
            )
            return True  # the tool keeps the click: no pick while placing
        landmark = self.mode
        self.cancel()
        self.document.set_case_landmark(landmark, point)
        self.document.statusMessage.emit(f"{LANDMARK_TITLES[landmark].capitalize()} placed; analysing again")
        return True


def install_landmark_tool(window) -> LandmarkTool:
    """The tool and its Case menu entries (placing the three landmarks, back to derived ones)."""
    tool = LandmarkTool(window.scene_view, window.document, window)
    menu = window.menuBar().addMenu("&Case")
    window.menuBar().insertMenu(window.help_menu.menuAction(), menu)  # before Help, as Measure is
    menu.setObjectName("caseMenu")
    window.landmark_actions = {}
    for key in LANDMARKS:
        act = QAction(f"Place {LANDMARK_TITLES[key]}", window, checkable=True)
        act.setStatusTip(f"The next click on the facial nerve sets its {LANDMARK_TITLES[key]}")
        act.triggered.connect(lambda _=False, k=key: tool.start(k))
        menu.addAction(act)
        window.landmark_actions[key] = act
    tool.modeChanged.connect(lambda mode: [a.setChecked(k == mode) for k, a in window.landmark_actions.items()])
    window.derive_landmarks_action = QAction("&Derive landmarks from the surfaces", window)
    window.derive_landmarks_action.setStatusTip("Forget the landmarks placed by hand (undoable)")
    window.derive_landmarks_action.triggered.connect(window.document.clear_case_landmarks)
    menu.addAction(window.derive_landmarks_action)
    # Esc cancels; enabled only while placing, as the measure tool's own Esc (Esc belongs to
    # presentation mode otherwise, and two enabled actions on one key would be ambiguous)
    cancel = QAction("&Cancel placing", window)
    cancel.setShortcut(QKeySequence("Esc"))
    cancel.setEnabled(False)
    cancel.triggered.connect(tool.cancel)
    menu.addAction(cancel)
    window.addAction(cancel)
    window.cancel_landmark_action = cancel
    tool.modeChanged.connect(lambda mode: cancel.setEnabled(bool(mode)))
    window.case_menu = menu

    def sync(case) -> None:
        for act in menu.actions():
            if act is not cancel:
                act.setEnabled(case is not None)

    window.document.caseChanged.connect(sync)
    sync(window.document.case)
    return tool
