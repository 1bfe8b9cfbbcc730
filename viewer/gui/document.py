"""SceneDocument: the single owner of the viewer's UI state, with a Qt signal per change.

Widgets never talk to each other: they call the document's setters and listen to
its signals (napari's model events / 3D Slicer's parameter node). The 3D view
(`view3d.SceneView`) is just another listener that applies the state to the VTK
scene. Setters are no-ops when nothing changes, so two-way bindings cannot loop.

Later additions (scenario, analysis findings, undo stack) belong here too.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal

from ..anatomy import SEGMENT_NAMES, FacialNerve, build_anatomy
from ..render.scene import StructureInfo
from ..render.style import DEFAULT_OPACITY
from ..render.views import DEFAULT_VIEW, VIEWS

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

    def __init__(self, structures: dict[str, StructureInfo], facial_nerve: FacialNerve | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.structures = dict(structures)
        self._visible = {sid: bool(s.visible) for sid, s in self.structures.items()}
        self._opacity = {sid: float(DEFAULT_OPACITY.get(s.kind, 1.0)) for sid, s in self.structures.items()}
        self._colour = {sid: tuple(int(c) for c in s.colour) for sid, s in self.structures.items()}
        self._view = DEFAULT_VIEW
        self._labels = False
        self._selected = ""
        self._last_pick: PickResult | None = None
        self._facial_nerve = facial_nerve

    # ------------------------------------------------------------------ queries
    def ids(self) -> list[str]:
        return list(self.structures)

    def ids_in_group(self, group: str) -> list[str]:
        return [sid for sid, s in self.structures.items() if s.group == group]

    def is_visible(self, sid: str) -> bool:
        return self._visible[sid]

    def opacity(self, sid: str) -> float:
        return self._opacity[sid]

    def colour(self, sid: str) -> tuple[int, int, int]:
        return self._colour[sid]

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
    def set_visible(self, sid: str, visible: bool) -> None:
        visible = bool(visible)
        if self._visible[sid] != visible:
            self._visible[sid] = visible
            self.visibilityChanged.emit(sid, visible)

    def set_visibilities(self, visible: dict[str, bool]) -> None:
        for sid, on in visible.items():
            self.set_visible(sid, on)

    def set_opacity(self, sid: str, opacity: float) -> None:
        opacity = float(np.clip(opacity, 0.0, 1.0))
        if abs(self._opacity[sid] - opacity) > 1e-9:
            self._opacity[sid] = opacity
            self.opacityChanged.emit(sid, opacity)

    def set_colour(self, sid: str, rgb) -> None:
        rgb = tuple(int(np.clip(c, 0, 255)) for c in rgb)
        if len(rgb) != 3:
            raise ValueError(f"colour must be (r, g, b), got {rgb}")
        if self._colour[sid] != rgb:
            self._colour[sid] = rgb
            self.colourChanged.emit(sid, rgb)

    def isolate(self, sid: str) -> None:
        """Show only `sid` (and the brainstem for orientation)."""
        if sid not in self.structures:
            raise KeyError(sid)
        self.set_visibilities({other: other in (sid, CONTEXT_ID) for other in self.structures})
        self.select(sid)

    def show_all(self) -> None:
        self.set_visibilities({sid: True for sid in self.structures})

    def show_defaults(self) -> None:
        self.set_visibilities({sid: s.visible for sid, s in self.structures.items()})

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
        sid = sid or ""
        if sid and sid not in self.structures:
            raise KeyError(sid)
        if self._selected != sid:
            self._selected = sid
            self.selectionChanged.emit(sid)

    @property
    def facial_nerve(self) -> FacialNerve:
        if self._facial_nerve is None:
            self._facial_nerve = build_anatomy().facial_nerve
        return self._facial_nerve

    def describe_point(self, sid: str, point_mm) -> PickResult:
        """Name, description and, on CN VII, the zone and myelin type at a surface point."""
        info = self.structures[sid]
        p = np.asarray(point_mm, float).reshape(3)
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
