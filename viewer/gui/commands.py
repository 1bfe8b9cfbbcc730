"""Undo commands (Qt's QUndoStack): every scenario edit is one of these.

A continuous drag sends many edit commands with the same `merge_key`;
QUndoStack merges them (mergeWith), so one drag is one undo step.
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from ..scenario import Lesion, Pad, Scenario, Vessel

EDIT_VESSEL_ID = 4101
EDIT_LESION_ID = 4102
EDIT_PAD_ID = 4104


class _MergingEdit(QUndoCommand):
    """Replace one scenario item (vessel or lesion, by id); merges moves of one drag."""

    COMMAND_ID = -1

    def __init__(self, document, before, after, text: str, merge_key: object | None = None):
        super().__init__(text)
        self.document = document
        self.before = before
        self.after = after
        self.merge_key = merge_key

    def id(self) -> int:  # noqa: A003 - Qt API name
        return self.COMMAND_ID

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt API name
        if (
            self.merge_key is None
            or type(other) is not type(self)
            or other.merge_key != self.merge_key
            or self._target(other.before) != self._target(self.before)
        ):
            return False
        self.after = other.after
        self.setText(other.text())
        return True

    @staticmethod
    def _target(item):
        """What one drag edits: moves of the same item merge."""
        return item.id

    def _put(self, item) -> None:
        raise NotImplementedError

    def redo(self) -> None:
        self._put(self.after)

    def undo(self) -> None:
        self._put(self.before)


class EditVesselCommand(_MergingEdit):
    COMMAND_ID = EDIT_VESSEL_ID

    def _put(self, item: Vessel) -> None:
        self.document._put_vessel(item)


class EditLesionCommand(_MergingEdit):
    """Move or resize one lesion; a drag or a spin-box ramp merges into one step."""

    COMMAND_ID = EDIT_LESION_ID

    def _put(self, item: Lesion) -> None:
        self.document._put_lesion(item)


class EditPadCommand(_MergingEdit):
    """Move, resize or turn one Teflon pad; a drag or a spin-box ramp merges into one step."""

    COMMAND_ID = EDIT_PAD_ID

    def _put(self, item: Pad) -> None:
        self.document._put_pad(item)


class ReplaceScenarioCommand(QUndoCommand):
    def __init__(self, document, before: Scenario, after: Scenario, text: str):
        super().__init__(text)
        self.document = document
        self.before = before
        self.after = after

    def redo(self) -> None:
        self.document._put_scenario(self.after)

    def undo(self) -> None:
        self.document._put_scenario(self.before)


class EditCorridorCommand(_MergingEdit):
    """Change the planned corridor (retraction); one slider drag merges into one undo step.
    `before`/`after` are whole scenarios: the corridor has no id of its own."""

    COMMAND_ID = 4103

    @staticmethod
    def _target(item):
        return "corridor"

    def _put(self, item: Scenario) -> None:
        self.document._put_scenario(item)


class EditCaseCommand(QUndoCommand):
    """Change the open patient case (a structure's role); `before`/`after` are whole cases."""

    def __init__(self, document, before, after, text: str):
        super().__init__(text)
        self.document = document
        self.before = before
        self.after = after

    def redo(self) -> None:
        self.document._put_case(self.after)

    def undo(self) -> None:
        self.document._put_case(self.before)


class EditCaseVesselCommand(_MergingEdit):
    """Move a patient vessel's handles (its course then analysed as a tube); a drag merges into one
    step. `before`/`after` are whole cases, the edited vessel's id in `vessel_id`."""

    COMMAND_ID = 4104

    def __init__(self, document, before, after, text: str, vessel_id: str, merge_key: object | None = None):
        super().__init__(document, before, after, text, merge_key)
        self.vessel_id = vessel_id

    def _target(self, item):
        return self.vessel_id

    def mergeWith(self, other) -> bool:  # noqa: N802 - Qt API name
        if getattr(other, "vessel_id", None) != self.vessel_id:
            return False
        return super().mergeWith(other)

    def _put(self, item) -> None:
        self.document._put_case_vessels(item, (self.vessel_id,))
