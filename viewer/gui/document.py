"""SceneDocument: a thin Qt wrapper with signals around the toolkit-free SceneModel.

The state itself (anatomy, scenario, findings + nerve deformation, display values
with their overrides) is owned by `viewer.scene_model.SceneModel`; this class adds
what only an interactive window needs: Qt signals per change, the undo stack
(every edit goes through an undo command, viewer.gui.commands), the selection, the
camera preset and the labels switch. Widgets never talk to each other: they call the
document's setters and listen to its signals (napari's model events / 3D Slicer's
parameter node). Setters are no-ops when nothing changes, so two-way bindings
cannot loop. The analysis re-runs at most once per event-loop pass however many
mouse moves arrived (a zero-delay single-shot timer coalesces them).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from .. import editing, pad_editing
from ..analysis import Findings
from ..anatomy import FacialNerve
from ..case import Case, display_structures
from ..display import DisplayState, StructureInfo
from ..scenario import (
    RETRACTION_RANGE_MM,
    Corridor,
    Lesion,
    Measurement,
    Pad,
    Scenario,
    Sling,
    Vessel,
    default_scenario,
)
from ..scene_model import SceneModel, SceneState
from ..views import DEFAULT_VIEW, VIEWS
from ..vocabulary import HISTORY_WORDS, LESION_WORDS, SEGMENT_NAMES

FACIAL_NERVE_ID = "cn7"
CONTEXT_ID = "brainstem"  # kept visible by "isolate" for orientation


@dataclass(frozen=True)
class PickResult:
    """What a click in the 3D view hit, in words a teacher can read out."""

    sid: str
    name: str
    description: str
    point_mm: tuple[float, float, float]
    segment: str | None = None  # CN VII zone code: RExP | AS | RDP | CP
    myelin: str | None = None  # central | peripheral
    arc_mm: float | None = None  # distance along CN VII from the root exit point

    @property
    def segment_label(self) -> str | None:
        """e.g. 'attached segment (AS)'."""
        if self.segment is None:
            return None
        return f"{SEGMENT_NAMES[self.segment]} ({self.segment})"

    def status_text(self) -> str:
        text = self.name
        if self.segment is not None:
            text += f" \u2014 {self.segment_label}, {self.myelin} myelin, {self.arc_mm:.1f} mm from the root exit point"
        return text


class SceneDocument(QObject):
    """Visibility, opacity, colour per structure; camera preset; labels; selection and pick."""

    visibilityChanged = Signal(str, bool)
    opacityChanged = Signal(str, float)
    colourChanged = Signal(str, object)  # (r, g, b) ints 0-255
    viewChanged = Signal(str)  # emitted on every set_view, also when re-applied (reset)
    labelsToggled = Signal(bool)
    selectionChanged = Signal(str)  # structure id, "" for none
    structurePicked = Signal(object)  # PickResult, or None when a click hit nothing
    scenarioChanged = Signal(object)  # tuple of changed vessel ids, or None when all may have changed
    findingsChanged = Signal(object)  # Findings
    handleSelected = Signal(int)  # index of the selected handle of the selected vessel, -1 for none
    statusMessage = Signal(str)  # one-line feedback for the status bar
    sideChanged = Signal(str)  # "left" | "right": a scenario of the other side was put in (the scene is mirrored)
    planShownChanged = Signal(bool)  # True: the scene before decompression (pads and slings left out) is shown
    caseChanged = Signal(object)  # Case | None: a patient case was opened or closed
    caseEdited = Signal(object)  # Case: the open case's roles changed (the structure groups follow)
    caseFindingsChanged = Signal(object)  # Findings of the open case's own geometry, or None (pending / failed)
    caseVesselsChanged = Signal(object)  # tuple of patient vessel ids whose course was edited (or reset)

    def __init__(
        self,
        model: SceneModel | dict[str, StructureInfo],
        parent: QObject | None = None,
        scenario: Scenario | None = None,
    ):
        super().__init__(parent)
        if not isinstance(model, SceneModel):  # a structure table: the parametric anatomy
            model = SceneModel(scenario=scenario, structures=model)
        self.model = model
        self.undo_stack = QUndoStack(self)
        self._handle = -1
        self._drag_serial = 0
        self._analysis_timer = QTimer(self)
        self._analysis_timer.setSingleShot(True)
        self._analysis_timer.setInterval(0)
        self._analysis_timer.timeout.connect(self.flush)
        self._view = DEFAULT_VIEW
        self._labels = False
        self._selected = ""
        self._last_pick: PickResult | None = None
        self._announced: SceneState | None = None  # the state last sent with findingsChanged
        self._show_before = False
        self._before: tuple[Scenario | None, SceneState | None] = (None, None)  # (scenario, its before state)
        # A patient case replaces the model's structures while it is open (the model's own
        # display state is kept untouched underneath and comes back when the case closes).
        self._case: Case | None = None
        self._case_display: DisplayState | None = None
        self.case_stats: dict[str, dict] = {}
        self.case_meshes: dict = {}  # structure id -> surface (pyvista PolyData) of the open case
        # the analysis of the case's own geometry (viewer.patient.case_analysis), run off the GUI thread
        self.case_findings: Findings | None = None
        self.case_geometry = None  # CaseGeometry: nerve path, landmarks, vessel centrelines
        self.case_analysis_error = ""  # why there are no case findings ("" while pending)
        self.display.add_listener(self._on_display)

    # ------------------------------------------------------------------ queries
    @property
    def display(self) -> DisplayState:
        """The DisplayState of what is shown: user values + overrides -> effective values
        (the open case's structures, else the model's)."""
        return self._case_display if self._case_display is not None else self.model.display

    @property
    def case(self) -> Case | None:
        """The patient case shown instead of the model, or None."""
        return self._case

    @property
    def structures(self) -> dict[str, StructureInfo]:
        return self.display.structures

    def ids(self) -> list[str]:
        return list(self.structures)

    def ids_in_group(self, group: str) -> list[str]:
        return [sid for sid, s in self.structures.items() if s.group == group]

    def is_visible(self, sid: str) -> bool:
        """Effective visibility (what the 3D view shows)."""
        return self.display.visible(sid)

    def opacity(self, sid: str) -> float:
        """Effective opacity (the user's value capped by any override, e.g. a see-through pons)."""
        return self.display.opacity(sid)

    def colour(self, sid: str) -> tuple[int, int, int]:
        return self.display.colour(sid)

    @property
    def current_view(self) -> str:
        return self._view

    @property
    def labels_on(self) -> bool:
        return self._labels

    @property
    def selected(self) -> str:
        return self._selected

    @property
    def last_pick(self) -> PickResult | None:
        return self._last_pick

    # ------------------------------------------------------------------ structure state
    def _on_display(self, sid: str, what: str) -> None:
        if what == "visible":
            self.visibilityChanged.emit(sid, self.display.visible(sid))
        elif what == "opacity":
            self.opacityChanged.emit(sid, self.display.opacity(sid))
        else:
            self.colourChanged.emit(sid, self.display.colour(sid))

    def set_visible(self, sid: str, visible: bool) -> None:
        self.display.set_visible(sid, visible)

    def set_visibilities(self, visible: dict[str, bool]) -> None:
        for sid, on in visible.items():
            self.set_visible(sid, on)

    def set_opacity(self, sid: str, opacity: float) -> None:
        self.display.set_opacity(sid, opacity)

    def set_colour(self, sid: str, rgb) -> None:
        self.display.set_colour(sid, rgb)

    def isolate(self, sid: str) -> None:
        """Show only `sid` (and the brainstem for orientation)."""
        if sid not in self.structures:
            raise KeyError(sid)
        keep = {sid, CONTEXT_ID} | {o for o, s in self.structures.items() if self._case and s.role == "brainstem"}
        self.set_visibilities({other: other in keep for other in self.structures})
        self.select(sid)

    def show_all(self) -> None:
        self.set_visibilities({sid: True for sid in self.structures})

    def show_defaults(self) -> None:
        self.set_visibilities({sid: s.visible for sid, s in self.structures.items()})

    def close(self) -> None:
        """Stop listening to the model (it may outlive this document)."""
        self._analysis_timer.stop()
        self.display.remove_listener(self._on_display)

    # ------------------------------------------------------------------ view, labels
    def set_view(self, name: str) -> None:
        if name not in VIEWS:
            raise KeyError(f"unknown view '{name}' (choose from {', '.join(VIEWS)})")
        self._view = name
        self.viewChanged.emit(name)

    def reset_view(self) -> None:
        """Put the camera back on the current preset (after the user rotated or zoomed)."""
        self.set_view(self._view)

    def set_labels(self, on: bool) -> None:
        on = bool(on)
        if self._labels != on:
            self._labels = on
            self.labelsToggled.emit(on)

    # ------------------------------------------------------------------ selection, picking
    def select(self, sid: str) -> None:
        """Select a structure, a scenario vessel or a lesion by id ("" for none)."""
        sid = sid or ""
        if sid and not self._selectable(sid):
            raise KeyError(sid)
        if self._selected != sid:
            self._selected = sid
            self._handle = -1  # a handle index belongs to the previously selected vessel
            self.selectionChanged.emit(sid)
            self.handleSelected.emit(-1)

    def _selectable(self, sid: str) -> bool:
        return sid in self.structures or sid in self.scenario.ids

    @property
    def facial_nerve(self) -> FacialNerve:
        return self.model.anatomy.facial_nerve

    def describe_point(self, sid: str, point_mm) -> PickResult:
        """Name, description and, on CN VII, the zone and myelin type at a surface point."""
        p = np.asarray(point_mm, float).reshape(3)
        if sid not in self.structures:  # a lesion, pad, sling, or a vessel the shipped meshes lack
            if sid in self.pad_ids():
                pad = self.scenario.pad(sid)
                size = " \u00d7 ".join(f"{2 * r:.1f}" for r in pad.radii_mm)
                return PickResult(
                    sid, pad.label or "Teflon pad", f"Teflon felt pad, {size} mm", tuple(float(v) for v in p)
                )
            if sid in self.sling_ids():
                sl = self.scenario.sling(sid)
                v = self.scenario.vessel(sl.vessel)
                return PickResult(
                    sid,
                    f"Sling on the {v.label}",
                    f"transposition: {sl.at_mm:.1f} mm along the vessel, fixed to the dura",
                    tuple(float(c) for c in p),
                )
            if sid in self.lesion_ids():
                les = self.lesion(sid)
                size = " \u00d7 ".join(f"{2 * r:.1f}" for r in les.radii_mm)
                return PickResult(
                    sid,
                    les.label or LESION_WORDS[les.kind],
                    f"{LESION_WORDS[les.kind]}, {size} mm (ellipsoid diameters R-L \u00d7 A-P \u00d7 S-I)",
                    tuple(float(v) for v in p),
                )
            v = self.scenario.vessel(sid)
            return PickResult(sid, v.label, f"{v.kind}, radius {v.radius_mm:.2f} mm", tuple(float(x) for x in p))
        info = self.structures[sid]
        seg = myelin = arc = None
        if sid == FACIAL_NERVE_ID:
            nerve = self.facial_nerve
            # a surface point lies one radius from the centreline: its nearest
            # centreline sample gives the arc length (samples are 0.2 mm apart)
            i = int(np.argmin(np.linalg.norm(nerve.points_mm - p, axis=1)))
            arc = float(nerve.arc_mm[i])
            seg = str(nerve.segment_at(arc))
            myelin = str(nerve.myelin_at(arc))
        return PickResult(sid, info.name, info.description, tuple(float(v) for v in p), seg, myelin, arc)

    def pick(self, sid: str | None, point_mm=None) -> PickResult | None:
        """A click in the 3D view hit `sid` at `point_mm` (or nothing when sid is None)."""
        result = self.describe_point(sid, point_mm) if sid else None
        self._last_pick = result
        if result is not None:
            self.select(result.sid)
        self.structurePicked.emit(result)
        return result

    # ------------------------------------------------------------------ scenario and findings
    @property
    def scenario(self) -> Scenario:
        return self.model.scenario

    @property
    def state(self) -> SceneState:
        """Findings and nerve deformation of the current scenario, computed together (now, if stale)."""
        self.flush()
        return self.model.state

    @property
    def findings(self) -> Findings:
        """Analysis of the current scenario (computed now if an update is pending)."""
        return self.state.findings

    def flush(self) -> None:
        """Run the pending analysis now and announce it (normally the timer does this)."""
        self._analysis_timer.stop()
        state = self.model.state
        if state is not self._announced:
            self._announced = state
            self.findingsChanged.emit(state.findings)

    def _set_model_scenario(self, scenario: Scenario, changed: tuple[str, ...] | None) -> None:
        if self.model.set_scenario(scenario):
            self.scenarioChanged.emit(changed)
            self._analysis_timer.start()
            self._drop_before_if_no_plan()

    def _put_vessel(self, vessel: Vessel) -> None:  # used by undo commands
        self._set_model_scenario(self.scenario.with_vessel(vessel), (vessel.id,))

    def _put_lesion(self, lesion: Lesion) -> None:  # used by undo commands
        self._set_model_scenario(self.scenario.with_lesion(lesion), (lesion.id,))

    @property
    def side(self) -> str:
        """The patient side of the scenario shown ("right": the left model mirrored at x = 0)."""
        return self.model.side

    def _put_scenario(self, scenario: Scenario) -> None:  # used by undo commands
        side = self.model.side
        changed = self.model.set_scenario(scenario)
        if self.model.side != side:
            self.sideChanged.emit(self.model.side)
        if self._selected and not self._selectable(self._selected):
            self.select("")
        if self._handle >= 0 and (
            self._selected not in self.vessel_ids()
            or self._handle >= len(scenario.vessel(self._selected).centerline_mm)
        ):
            self.select_handle(-1)
        if changed:
            self.scenarioChanged.emit(None)
            self._analysis_timer.start()
        self._drop_before_if_no_plan()

    def vessel_ids(self) -> list[str]:
        return [v.id for v in self.scenario.vessels]

    @property
    def selected_vessel(self) -> Vessel | None:
        """The selected vessel of the model's scenario (None while a case is shown: its vessels are its own)."""
        if self._case is not None:
            return None
        return self.scenario.vessel(self._selected) if self._selected in self.vessel_ids() else None

    @property
    def selected_handle(self) -> int:
        return self._handle

    def select_handle(self, index: int) -> None:
        index = int(index)
        if index != self._handle:
            self._handle = index
            self.handleSelected.emit(index)

    def begin_drag(self) -> int:
        """A new merge key: the moves of one drag become one undo step."""
        self._drag_serial += 1
        return self._drag_serial

    def move_handle(
        self, vessel_id: str, index: int, target, *, whole_loop: bool = False, merge_key: object | None = None
    ) -> bool:
        """Move a vessel handle (undoable). Returns False when nothing moved (fixed origin)."""
        before = self.scenario.vessel(vessel_id)
        result = editing.move_handle(before, index, target, whole_loop=whole_loop, scenario=self.scenario)
        if result.vessel == before:
            self.statusMessage.emit(f"{before.label}: the origin handle stays attached to its parent vessel")
            return False
        from .commands import EditVesselCommand

        what = "loop" if whole_loop else f"handle {index + 1}"
        self.undo_stack.push(EditVesselCommand(self, before, result.vessel, f"Move {before.label} {what}", merge_key))
        if result.clamped:
            self.statusMessage.emit(
                f"{before.label} stopped at the brainstem surface: vessels cannot enter the brainstem"
            )
        return True

    def nudge_selected_handle(self, delta_mm) -> bool:
        pad = self.selected_pad
        if pad is not None:  # a pad moves whole, like a lesion
            return self.move_pad(pad.id, np.asarray(pad.center_mm) + np.asarray(delta_mm, float))
        lesion = self.selected_lesion
        if lesion is not None:  # a lesion's one handle is its centre
            return self.move_lesion(lesion.id, np.asarray(lesion.center_mm) + np.asarray(delta_mm, float))
        vessel = self.selected_vessel
        if vessel is None or self._handle < 0:
            self.statusMessage.emit("Select a vessel handle first (click a vessel, then a handle)")
            return False
        target = vessel.handles_mm[self._handle] + np.asarray(delta_mm, float)
        return self.move_handle(vessel.id, self._handle, target)  # one undo step per key press

    def set_vessel_radius(self, vessel_id: str, radius_mm: float, merge_key: object | None = None) -> None:
        from .commands import EditVesselCommand

        before = self.scenario.vessel(vessel_id)
        after = editing.set_radius(before, radius_mm)
        if after != before:
            self.undo_stack.push(
                EditVesselCommand(self, before, after, f"{before.label} radius {after.radius_mm:.2f} mm", merge_key)
            )

    def fixed_handles(self, vessel_id: str) -> set[int]:
        """Handles that never move (origin; an end joined to another vessel)."""
        return editing.fixed_handles(self.scenario.vessel(vessel_id), self.scenario)

    # ------------------------------------------------------------------ lesions, history
    def lesion_ids(self) -> list[str]:
        return [les.id for les in self.scenario.lesions]

    def lesion(self, lesion_id: str) -> Lesion:
        for les in self.scenario.lesions:
            if les.id == lesion_id:
                return les
        raise KeyError(lesion_id)

    @property
    def selected_lesion(self) -> Lesion | None:
        if self._case is not None:
            return None
        return self.lesion(self._selected) if self._selected in self.lesion_ids() else None

    def add_lesion(self, kind: str) -> str:
        """Add a lesion of `kind` at its textbook site (undoable) and select it; returns its id."""
        lesion = editing.clamp_lesion(editing.new_lesion(kind, self.scenario)).lesion
        self.set_scenario(replace(self.scenario, lesions=self.scenario.lesions + (lesion,)), f"Add {lesion.label}")
        self.select(lesion.id)
        self.statusMessage.emit(
            f"Added {lesion.label}: drag its handle or nudge it with the arrow keys; [ and ] shrink and grow it"
        )
        return lesion.id

    def remove_lesion(self, lesion_id: str) -> None:
        les = self.lesion(lesion_id)
        self.set_scenario(
            replace(self.scenario, lesions=tuple(x for x in self.scenario.lesions if x.id != lesion_id)),
            f"Remove {les.label or les.kind}",
        )

    def _edit_lesion(self, before: Lesion, result, text: str, merge_key) -> bool:
        from .commands import EditLesionCommand

        if result.lesion == before:
            if result.clamped:
                self.statusMessage.emit(self._clamp_message(before))
            return False
        self.undo_stack.push(EditLesionCommand(self, before, result.lesion, text, merge_key))
        if result.clamped:
            self.statusMessage.emit(self._clamp_message(before))
        return True

    @staticmethod
    def _clamp_message(lesion: Lesion) -> str:
        name = lesion.label or lesion.kind
        if lesion.kind == "brainstem_lesion":
            return f"{name} stays inside the brainstem: it is an intra-axial lesion"
        return f"{name} stopped at the brainstem surface: an extra-axial mass cannot enter the brainstem"

    def move_lesion(self, lesion_id: str, target, merge_key: object | None = None) -> bool:
        before = self.lesion(lesion_id)
        return self._edit_lesion(
            before, editing.move_lesion(before, target), f"Move {before.label or before.kind}", merge_key
        )

    def resize_lesion(self, lesion_id: str, radii_mm, merge_key: object | None = None) -> bool:
        before = self.lesion(lesion_id)
        return self._edit_lesion(
            before, editing.resize_lesion(before, radii_mm), f"Resize {before.label or before.kind}", merge_key
        )

    def scale_selected_lesion(self, factor: float) -> bool:
        lesion = self.selected_lesion
        if lesion is None:
            self.statusMessage.emit("Select a lesion first (Scenario menu or click it in the 3D view)")
            return False
        return self.resize_lesion(lesion.id, np.asarray(lesion.radii_mm) * float(factor))

    def set_prior_bells_palsy(self, on: bool) -> None:
        self.set_history_flag("prior_bells_palsy", on)

    def set_history_flag(self, name: str, on: bool) -> None:
        """Set one patient-history flag (vocabulary.HISTORY_WORDS), as one undoable step."""
        if bool(on) != getattr(self.scenario.history, name):
            self.set_scenario(
                replace(self.scenario, history=replace(self.scenario.history, **{name: bool(on)})),
                HISTORY_WORDS[name] + (" on" if on else " off"),
            )

    def set_scenario(self, scenario: Scenario, text: str = "Open scenario") -> None:
        from .commands import ReplaceScenarioCommand

        if scenario != self.scenario:
            self.undo_stack.push(ReplaceScenarioCommand(self, self.scenario, scenario, text))

    def reset_to_default(self) -> None:
        self.set_scenario(default_scenario(self.side), "Reset to default anatomy")  # on the same side

    # ------------------------------------------------------------------ corridor
    def set_corridor(self, retraction_mm: float | None, merge_key: object | None = None) -> None:
        """Plan the retrosigmoid corridor with this cerebellar retraction (mm at the flocculus, clamped
        to 0-10), or None for no corridor; undoable, a slider drag is one step."""
        from .commands import EditCorridorCommand

        if retraction_mm is None:
            after = replace(self.scenario, corridor=None)
            text = "No corridor"
        else:
            lo, hi = RETRACTION_RANGE_MM
            mm = round(min(max(float(retraction_mm), lo), hi), 2)
            after = replace(self.scenario, corridor=Corridor(mm))
            text = f"Cerebellar retraction {mm:.1f} mm"
        if after != self.scenario:
            self.undo_stack.push(EditCorridorCommand(self, self.scenario, after, text, merge_key))

    # ------------------------------------------------------------------ measurements
    def add_measurement(self, kind: str, points_mm) -> str:
        """Add a ruler (2 points) or an angle (3 points, vertex in the middle), undoable; returns its id."""
        taken = set(self.scenario.ids)
        n = 1
        while f"{kind}-{n}" in taken:
            n += 1
        m = Measurement(f"{kind}-{n}", kind, tuple(tuple(float(c) for c in p) for p in points_mm))
        word = f"{m.value:.1f} mm" if kind == "ruler" else f"{m.value:.1f}\u00b0"
        self.set_scenario(self.scenario.with_measurement(m), f"Add {kind} ({word})")
        self.statusMessage.emit(f"{kind.capitalize()} {m.id}: {word}")
        return m.id

    def remove_measurements(self) -> None:
        if self.scenario.measurements:
            self.set_scenario(replace(self.scenario, measurements=()), "Remove measurements")

    # ------------------------------------------------------------------ decompression plan: pads
    def pad_ids(self) -> list[str]:
        return [p.id for p in self.scenario.pads]

    def sling_ids(self) -> list[str]:
        return [s.id for s in self.scenario.slings]

    @property
    def selected_pad(self) -> Pad | None:
        return self.scenario.pad(self._selected) if self._selected in self.pad_ids() else None

    @property
    def selected_sling(self) -> Sling | None:
        return self.scenario.sling(self._selected) if self._selected in self.sling_ids() else None

    def _put_pad(self, pad: Pad) -> None:  # used by undo commands
        self._set_model_scenario(self.scenario.with_pad(pad), (pad.id,))

    def pad_contact(self):
        """The contact a new pad goes to: the culprit if it is a vessel on CN VII, else the deepest
        vessel contact on CN VII; None when no vessel touches CN VII."""
        f = self.findings
        cc = f.culprit_contact()
        if cc is not None and cc.source == "vessel" and cc.structure == "CN VII":
            return cc
        on_vii = [c for c in f.contacts if c.structure == "CN VII"]
        return max(on_vii, key=lambda c: c.penetration_mm) if on_vii else None

    def insert_pad(self) -> str | None:
        """Scenario > Insert Teflon pad: a pad between the culprit vessel and CN VII at their contact
        (undoable), selected; None (and a status message) when no vessel touches CN VII."""
        contact = self.pad_contact()
        if contact is None:
            self.statusMessage.emit("No vessel touches CN VII: there is no contact to put a Teflon pad into")
            return None
        from ..decompression import pad_at_contact

        pad = pad_at_contact(
            self.scenario, self.model.anatomy, vessel_id=contact.id, radii_mm=pad_editing.INSERT_PAD_RADII_MM
        )
        if pad is None:  # the vessel touches CN VII only with the plan's other pads and slings in place
            self.statusMessage.emit(f"The {contact.label} touches CN VII only as the plan reroutes it: move that pad")
            return None
        pad = replace(pad, label="Teflon pad")
        self.set_show_before(False)  # the user wants to see what the pad does
        self.set_scenario(self.scenario.with_pad(pad), f"Insert Teflon pad ({contact.label})")
        self.select(pad.id)
        self.statusMessage.emit(
            f"Teflon pad between the {contact.label} and CN VII: drag it, arrows nudge, [ ] size, , . turn, Delete removes"
        )
        return pad.id

    def _edit_pad(self, before: Pad, after: Pad, text: str, merge_key) -> bool:
        from .commands import EditPadCommand

        if after == before:
            return False
        self.undo_stack.push(EditPadCommand(self, before, after, text, merge_key))
        return True

    def move_pad(self, pad_id: str, target, merge_key: object | None = None) -> bool:
        before = self.scenario.pad(pad_id)
        return self._edit_pad(
            before, pad_editing.moved_pad(before, target), f"Move {before.label or pad_id}", merge_key
        )

    def resize_pad(self, pad_id: str, radii_mm, merge_key: object | None = None) -> bool:
        before = self.scenario.pad(pad_id)
        after = pad_editing.resized_pad(before, radii_mm)
        size = " \u00d7 ".join(f"{2 * r:.1f}" for r in after.radii_mm)
        return self._edit_pad(before, after, f"Resize {before.label or pad_id} ({size} mm)", merge_key)

    def rotate_pad(self, pad_id: str, axis, degrees: float, merge_key: object | None = None) -> bool:
        before = self.scenario.pad(pad_id)
        after = pad_editing.rotated_pad(before, axis, degrees)
        return self._edit_pad(before, after, f"Turn {before.label or pad_id} {degrees:+.0f}\u00b0", merge_key)

    def set_pad_axes(self, pad_id: str, axes, merge_key: object | None = None) -> bool:
        from dataclasses import replace as _replace

        before = self.scenario.pad(pad_id)
        after = _replace(before, axes=tuple(tuple(float(v) for v in row) for row in axes))
        return self._edit_pad(before, after, f"Turn {before.label or pad_id}", merge_key)

    def remove_pad(self, pad_id: str) -> None:
        pad = self.scenario.pad(pad_id)
        self.set_scenario(self.scenario.without_pad(pad_id), f"Remove {pad.label or pad_id}")

    # ------------------------------------------------------------------ decompression plan: slings
    def add_sling(self, vessel_id: str, point_on_vessel, anchor_mm) -> str:
        """Transpose a vessel: a sling from the course point nearest `point_on_vessel` to `anchor_mm`."""
        vessel = self.scenario.vessel(vessel_id)
        sling = Sling(
            pad_editing.new_id(self.scenario, "sling"),
            vessel_id,
            round(pad_editing.arc_at_point(vessel, point_on_vessel), 2),
            tuple(float(c) for c in anchor_mm),
        )
        self.set_show_before(False)
        self.set_scenario(self.scenario.with_sling(sling), f"Transpose {vessel.label} (sling)")
        self.select(sling.id)
        self.statusMessage.emit(f"{vessel.label} slung to the dura at {sling.at_mm:.1f} mm along its course")
        return sling.id

    def remove_sling(self, sling_id: str) -> None:
        sl = self.scenario.sling(sling_id)
        label = self.scenario.vessel(sl.vessel).label
        self.set_scenario(self.scenario.without_sling(sling_id), f"Remove the sling on the {label}")

    # ------------------------------------------------------------------ selected object: keys and menus
    def remove_selected(self) -> bool:
        """Delete: the selected lesion, pad or sling (False and a hint when none is selected)."""
        if self.selected_pad is not None:
            self.remove_pad(self._selected)
        elif self.selected_sling is not None:
            self.remove_sling(self._selected)
        elif self.selected_lesion is not None:
            self.remove_lesion(self._selected)
        else:
            self.statusMessage.emit("Select a lesion, pad or sling to remove (click it in the 3D view)")
            return False
        return True

    def scale_selected(self, factor: float) -> bool:
        """[ and ]: the selected pad or lesion, all semi-axes by `factor`."""
        pad = self.selected_pad
        if pad is not None:
            return self.resize_pad(pad.id, np.asarray(pad.radii_mm) * float(factor))
        if self.selected_lesion is None:
            self.statusMessage.emit("Select a lesion or a pad first (click it in the 3D view)")
            return False
        return self.scale_selected_lesion(factor)

    def rotate_selected_pad(self, axis, degrees: float) -> bool:
        pad = self.selected_pad
        if pad is None:
            self.statusMessage.emit("Select a pad to turn (click it in the 3D view)")
            return False
        return self.rotate_pad(pad.id, axis, degrees)

    # ------------------------------------------------------------------ before / after decompression
    @property
    def showing_before(self) -> bool:
        """True while the scene before decompression is shown (the plan's pads and slings left out)."""
        return self._show_before

    def set_show_before(self, on: bool) -> None:
        on = bool(on)
        if on and not pad_editing.has_plan(self.scenario):
            self.statusMessage.emit("No decompression plan yet: insert a Teflon pad or transpose a vessel first")
            on = False
        if on != self._show_before:
            self._show_before = on
            self.planShownChanged.emit(on)
        elif not on:
            self.planShownChanged.emit(False)  # keeps a checkable action honest when it was refused

    def _drop_before_if_no_plan(self) -> None:
        if self._show_before and not pad_editing.has_plan(self.scenario):
            self._show_before = False
            self.planShownChanged.emit(False)

    @property
    def shown_state(self) -> SceneState:
        """The state the 3D view, the Findings panel and the exports show: the current one, or while
        `showing_before` the same scenario without pads and slings (evaluated once per scenario)."""
        state = self.state
        if not self._show_before or not pad_editing.has_plan(state.scenario):
            return state
        if self._before[0] is not state.scenario:
            self._before = (state.scenario, self.model.evaluate(pad_editing.without_plan(state.scenario)))
        return self._before[1]

    @property
    def shown_scenario(self) -> Scenario:
        """The scenario of `shown_state` (for exports)."""
        return pad_editing.without_plan(self.scenario) if self._show_before else self.scenario

    def _start_over(self) -> None:
        """A fresh, clean undo history, nothing selected (a handle or pick marker of the
        old scene must not float in the new one)."""
        self.undo_stack.clear()
        self.select("")
        if self._last_pick is not None:
            self._last_pick = None
            self.structurePicked.emit(None)

    def load_scenario(self, scenario: Scenario) -> None:
        """Start over with a scenario from a file (an open case closes)."""
        self._start_over()
        self._swap_case(None, None)
        self._put_scenario(scenario)
        self.undo_stack.setClean()

    # ------------------------------------------------------------------ patient cases
    def open_case(self, case: Case, meshes: dict, stats: dict[str, dict] | None = None) -> None:
        """Show a patient case (its surfaces: `meshes` by structure id) instead of the model; clean
        history. `stats`: sizes per structure (triangles, volume_mm3) for the descriptions."""
        self.case_meshes = dict(meshes)
        self.case_stats = dict(stats or {})
        display = DisplayState(display_structures(case, self.case_stats))
        self._start_over()
        self._swap_case(case, display)
        self.undo_stack.setClean()

    def close_case(self) -> None:
        """Back to the model and its scenario."""
        if self._case is not None:
            self._start_over()
            self._swap_case(None, None)

    def _swap_case(self, case: Case | None, display: DisplayState | None) -> None:
        if case is None and self._case is None:
            return
        self.display.remove_listener(self._on_display)
        self._case, self._case_display = case, display
        self.set_case_analysis(None, None, "", announce=False)
        if case is None:
            self.case_meshes, self.case_stats = {}, {}
        self.display.add_listener(self._on_display)
        self.caseChanged.emit(case)

    def set_structure_role(self, sid: str, role: str, vessel_role: str | None = None) -> None:
        """Give a case structure another role (undoable): what the analysis may treat it as."""
        from .commands import EditCaseCommand

        if self._case is None:
            raise RuntimeError("no patient case is open")
        new = self._case.with_role(sid, role, vessel_role)
        if new != self._case:
            self.undo_stack.push(EditCaseCommand(self, self._case, new, f"Role of {new.structure(sid).name}"))

    def set_case_landmark(self, key: str, point_mm) -> None:
        """Place a landmark of the case's facial nerve by hand (undoable); the analysis follows it."""
        from .commands import EditCaseCommand

        if self._case is None:
            raise RuntimeError("no patient case is open")
        p = tuple(float(v) for v in np.asarray(point_mm, float).reshape(3))
        new = replace(self._case, landmarks={**self._case.landmarks, key: p})
        self.undo_stack.push(EditCaseCommand(self, self._case, new, f"Place {key.replace('_', ' ')}"))

    def clear_case_landmarks(self) -> None:
        """Back to the landmarks derived from the surfaces (undoable)."""
        from .commands import EditCaseCommand

        if self._case is not None and self._case.landmarks:
            new = replace(self._case, landmarks={})
            self.undo_stack.push(EditCaseCommand(self, self._case, new, "Derive landmarks"))

    # ------------------------------------------------------------------ patient vessels
    def case_vessels(self) -> dict[str, Vessel]:
        """The case's vessels as scenario vessels: derived from their surfaces (after the analysis),
        with the user's edits (kept in the case's scenario) over them."""
        if self._case is None or self.case_geometry is None:
            return {}
        from ..patient.case_analysis import case_scenario

        return {v.id: v for v in case_scenario(self._case, self.case_geometry).vessels}

    def _edited_case_vessels(self) -> tuple[Vessel, ...]:
        if self._case is None or self._case.scenario is None:
            return ()
        from ..scenario import scenario_from_dict

        return scenario_from_dict(self._case.scenario, f"{self._case.name}: scenario").vessels

    def edited_case_vessel_ids(self) -> set[str]:
        return {v.id for v in self._edited_case_vessels()}

    def move_case_handle(
        self, vessel_id: str, index: int, target, *, whole_loop: bool = False, merge_key: object | None = None
    ) -> bool:
        """Drag a patient vessel's handle (undoable): from then on the analysis uses its tube.
        The origin stays attached; the tube stops at the patient's brainstem surface."""
        from .commands import EditCaseVesselCommand

        before = self.case_vessels().get(vessel_id)
        if before is None:
            return False
        result = editing.move_handle(before, index, target, whole_loop=whole_loop, clamp=False)
        moved = result.vessel
        sdf_fn = getattr(getattr(self.case_geometry, "anatomy", None), "brainstem_sdf", None)
        clamped = False
        if sdf_fn is not None and moved != before:
            from ..sdf import project_to_surface

            pts = moved.handles_mm
            limit = moved.radius_mm + editing.PIA_CLEARANCE_MM
            inside = np.asarray(sdf_fn(pts), float) < limit - 1e-6
            changed = np.any(pts != before.handles_mm, axis=1)
            inside &= changed  # handles the user did not move stay where the surfaces put them
            if inside.any():
                pts[inside] = project_to_surface(sdf_fn, pts[inside], offset=limit)
                moved, clamped = replace(moved, centerline_mm=np.round(pts, 4)), True
        if moved == before:
            self.statusMessage.emit(f"{before.label}: the origin handle stays attached")
            return False
        after = self._case_with_vessel(moved)
        what = "loop" if whole_loop else f"handle {index + 1}"
        self.undo_stack.push(
            EditCaseVesselCommand(self, self._case, after, f"Move {before.label} {what}", vessel_id, merge_key)
        )
        if clamped:
            self.statusMessage.emit(f"{before.label} stopped at the brainstem surface")
        return True

    def reset_case_vessel(self, vessel_id: str) -> None:
        """Back to the vessel's own surface (undoable)."""
        from .commands import EditCaseVesselCommand

        if vessel_id in self.edited_case_vessel_ids():
            after = self._case_with_vessel(None, drop=vessel_id)
            self.undo_stack.push(EditCaseVesselCommand(self, self._case, after, "Reset vessel", vessel_id))

    def _case_with_vessel(self, vessel: Vessel | None, drop: str | None = None) -> Case:
        from ..scenario import scenario_from_dict, scenario_to_dict

        case = self._case
        base = (
            scenario_from_dict(case.scenario, f"{case.name}: scenario")
            if case.scenario is not None
            else Scenario(case.name, side=case.side)
        )
        if drop is not None:
            base = base.without_vessel(drop)
        if vessel is not None:
            base = base.with_vessel(vessel)
        return replace(case, scenario=scenario_to_dict(base))

    def _put_case_vessels(self, case: Case, changed: tuple[str, ...]) -> None:  # used by undo commands
        """The case's edited vessels changed: re-analyse at once on the measured geometry (fast)."""
        self._case = case
        self.caseVesselsChanged.emit(tuple(changed))
        geometry = self.case_geometry
        if geometry is not None:
            from ..analysis import analyze
            from ..patient.case_analysis import case_scenario

            anatomy = geometry.anatomy
            self.set_case_analysis(analyze(case_scenario(case, geometry), anatomy, anatomy.thresholds()), geometry)

    def _put_case(self, case: Case) -> None:  # used by undo commands
        """Roles (and their default colours) of the open case changed: the panels regroup."""
        old = self._case
        self._case = case
        infos = display_structures(case, self.case_stats)
        for s in case.structures:
            info, new = self._case_display.structures[s.id], infos[s.id]
            info.role, info.group, info.kind, info.description = new.role, new.group, new.kind, new.description
            if old is not None and old.structure(s.id).colour != s.colour:
                info.colour = s.colour
                self._case_display.set_colour(s.id, s.colour)
        self.set_case_analysis(None, None, "")  # the roles say what is analysed: pending again
        self.caseEdited.emit(case)

    def set_case_analysis(self, findings: Findings | None, geometry, error: str = "", announce: bool = True) -> None:
        """The findings of the open case's geometry (None: pending, or `error` says why not)."""
        self.case_findings, self.case_geometry, self.case_analysis_error = findings, geometry, error
        if announce:
            self.caseFindingsChanged.emit(findings)

    def case_to_save(self) -> Case:
        """The open case with the colours the user gave its structures."""
        case = self._case
        return replace(
            case, structures=tuple(replace(s, colour=tuple(self.display.colour(s.id))) for s in case.structures)
        )
