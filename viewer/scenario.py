"""Scenario model and file format v2 (pure core: no Qt, no VTK).

A scenario holds what the user can change (vessels, lesions, history, and for the
rehearsal of a microvascular decompression: pads, slings, the retraction corridor and
measurements); the anatomy (nerves, brainstem, bone) belongs to the model. File
format, JSON UTF-8 (README "File formats")::

    {"format": "hfs-scenario", "version": 2, "name": str, "description": str (optional),
     "side": "left"|"right" (optional, default "left"),
     "vessels": [{"id": str, "label": str, "kind": "artery"|"vein",
                  "role": "vertebral"|"basilar"|"aica"|"pica"|"sca"|"vein"|"other",
                  "radius_mm": float, "centerline_mm": [[x, y, z], ...]}],
     "lesions": [{"id": str, "kind": "tumor"|"avm"|"aneurysm"|"brainstem_lesion",
                  "label": str (optional), "center_mm": [x, y, z], "radii_mm": [a, b, c]}],
     "pads": [{"id": str, "label": str (optional), "center_mm": [x, y, z],
               "radii_mm": [a, b, c] (0.5-6 mm), "axes": [[3], [3], [3]] (optional)}],
     "slings": [{"id": str, "vessel": vessel id, "at_mm": float >= 0, "anchor_mm": [x, y, z]}],
     "corridor": {"retraction_mm": float (0-10)},
     "measurements": [{"id": str, "kind": "ruler"|"angle", "label": str (optional),
                       "points_mm": [[x, y, z], ...]}],
     "history": {"prior_bells_palsy": bool, "facial_trauma": bool, "inflammatory": bool},
     "teaching": {"title": str, "note": str, "sources": [bibliography keys],
                  "expected": [classification tags], "view": camera view name,
                  "expected_segment": "RExP"|"AS"|"RDP"|"CP" (optional),
                  "expected_severity": "mild"|"moderate"|"severe" (optional)}}

Everything but format, version, name and vessels is optional (each history flag
too); unknown keys are errors at every level. Rules beyond the types:

- Versions: a version 1 file (no side, pads, slings, corridor, measurements or new
  history flags; ``prior_bells_palsy`` required in its history) loads as a version 2
  scenario with ``side="left"``. Saving always writes version 2. Other versions are refused.
- ``side: "right"``: the whole scene is the mirror image at x = 0 of the left model
  (``mirror_scenario``).
- Ids are unique across vessels, lesions, pads, slings and measurements together
  (one namespace, so a finding or a selection can name any object by its id).
- Pad: a Teflon felt pad, an ellipsoid with semi-axes ``radii_mm`` along the rows of
  ``axes`` (default: x, y, z). The rows must be orthonormal: every entry of R·Rᵀ
  within ``AXES_TOLERANCE`` of the identity. Either handedness is accepted (the
  ellipsoid is symmetric, so it does not change the shape), and mirroring keeps it.
- Sling: pulls the vessel's course at arc length ``at_mm`` (mm from the first handle
  along ``vessel_course``) to ``anchor_mm``. ``at_mm`` must be >= 0; a value past the
  course's end means the end (``Sling.arc_on`` clamps), so dragging a vessel shorter
  never makes a scenario unsavable.
- Measurement: ``kind: "ruler"`` has 2 points (``value`` = their distance, mm);
  ``kind: "angle"`` has 3 points, the vertex in the middle (``value`` = the angle at
  the vertex, degrees 0-180; NaN while an arm has zero length). The value is computed,
  never stored.

Optional keys are written only when they differ from the default (no empty lists of
pads, slings or measurements, no ``side: "left"``); ``lesions`` and
``history.prior_bells_palsy`` are always written, as in version 1, so files without
the new features differ from version 1 only in the version number.
`teaching` (the shipped presets carry it, viewer/presets/) says what the case
teaches and what the analysis is expected to find; it never changes the analysis. A vessel's
`centerline_mm` holds its *handles*; the vessel's course is the centripetal
Catmull-Rom spline through them (`vessel_course`, cached). The schema is also
published as JSON Schema draft 2020-12 in ``viewer/schemas/scenario-v2.schema.json``
(version 1: ``scenario-v1.schema.json``);
validation here is hand-written so that every error names the file, the JSON
path and the reason, e.g. ``case.json: $.vessels[2].radius_mm: 7.0 is outside 0.2-6 mm``.

Loading never evaluates or unpickles anything, never leaves partial state
(a Scenario is only built after the whole document validated), and
``load_scenario(save_scenario(s)) == s`` holds exactly (floats are written with
``repr`` precision).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from . import vocabulary
from .geometry import catmull_rom, resample_polyline
from .sources import BIBLIOGRAPHY
from .views import VIEWS

__all__ = [
    "FORMAT",
    "VERSION",
    "MAX_FILE_BYTES",
    "MAX_POINTS",
    "MIN_POINTS",
    "COORD_LIMIT_MM",
    "VESSEL_RADIUS_RANGE_MM",
    "LESION_RADIUS_RANGE_MM",
    "VESSEL_KINDS",
    "VESSEL_ROLES",
    "LESION_KINDS",
    "COURSE_STEP_MM",
    "READABLE_VERSIONS",
    "SIDES",
    "PAD_RADIUS_RANGE_MM",
    "AXES_TOLERANCE",
    "RETRACTION_RANGE_MM",
    "MEASUREMENT_KINDS",
    "MEASUREMENT_POINTS",
    "CLASSIFICATION_TAGS",
    "VIEW_NAMES",
    "SEGMENT_CODES",
    "SEVERITY_NAMES",
    "ScenarioError",
    "Vessel",
    "Lesion",
    "Pad",
    "Sling",
    "Corridor",
    "Measurement",
    "History",
    "Teaching",
    "Scenario",
    "parse_scenario",
    "load_scenario",
    "save_scenario",
    "scenario_to_dict",
    "scenario_from_dict",
    "dumps_scenario",
    "default_scenario",
    "vessel_course",
    "validate_scenario_dict",
    "mirror_scenario",
]

FORMAT = "hfs-scenario"
VERSION = 2  # written; READABLE_VERSIONS are read
READABLE_VERSIONS = (1, 2)
MAX_FILE_BYTES = 5 * 1024 * 1024
MIN_POINTS = 2
MAX_POINTS = 10_000
COORD_LIMIT_MM = 200.0
VESSEL_RADIUS_RANGE_MM = (0.2, 6.0)
# Lesions can be far larger than vessels (a CPA meningioma or epidermoid of a few
# centimetres); the semi-axes still have to be finite and plausible.
LESION_RADIUS_RANGE_MM = (0.2, 50.0)
MAX_ID_LENGTH = 200
VESSEL_KINDS = ("artery", "vein")
VESSEL_ROLES = ("vertebral", "basilar", "aica", "pica", "sca", "vein", "other")
LESION_KINDS = vocabulary.LESION_KINDS
COURSE_STEP_MM = 0.5  # same spacing as viewer.anatomy.Tube.centerline_mm
SIDES = ("left", "right")
PAD_RADIUS_RANGE_MM = (0.5, 6.0)
# Hand-written axes (0.7071...) must load; 1e-3 still keeps the shape within 0.1 %.
AXES_TOLERANCE = 1e-3
RETRACTION_RANGE_MM = (0.0, 10.0)
MEASUREMENT_KINDS = ("ruler", "angle")
MEASUREMENT_POINTS = {"ruler": 2, "angle": 3}  # an angle's vertex is the middle point
# Vocabularies the optional "teaching" block refers to, from the tables that own them.
# CLASSIFICATION_TAGS holds the version 1 tags plus the version 2 ones (other causes, the MVD
# rehearsal); version 1 files may only name the version 1 tags.
_V1_TAGS = vocabulary.TAGS_V1
CLASSIFICATION_TAGS = vocabulary.TAGS + vocabulary.FUTURE_TAGS
VIEW_NAMES = tuple(VIEWS)
SEGMENT_CODES = vocabulary.SEGMENTS
SEVERITY_NAMES = vocabulary.SEVERITIES
MAX_TEXT_LENGTH = 20_000

_TOP_KEYS_V1 = {"format", "version", "name", "description", "vessels", "lesions", "history", "teaching"}
_TOP_KEYS = _TOP_KEYS_V1 | {"side", "pads", "slings", "corridor", "measurements"}
_TOP_REQUIRED = ("format", "version", "name", "vessels")
_VESSEL_KEYS = ("id", "label", "kind", "role", "radius_mm", "centerline_mm")
_LESION_KEYS = {"id", "kind", "label", "center_mm", "radii_mm"}
_LESION_REQUIRED = ("id", "kind", "center_mm", "radii_mm")
_HISTORY_KEYS_V1 = ("prior_bells_palsy",)
_HISTORY_KEYS = ("prior_bells_palsy", "facial_trauma", "inflammatory")  # all optional in version 2
_PAD_KEYS = {"id", "label", "center_mm", "radii_mm", "axes"}
_PAD_REQUIRED = ("id", "center_mm", "radii_mm")
_SLING_KEYS = ("id", "vessel", "at_mm", "anchor_mm")
_CORRIDOR_KEYS = ("retraction_mm",)
_MEASUREMENT_KEYS = {"id", "kind", "label", "points_mm"}
_MEASUREMENT_REQUIRED = ("id", "kind", "points_mm")
_TEACHING_KEYS = {"title", "note", "sources", "expected", "view", "expected_segment", "expected_severity"}
_TEACHING_REQUIRED = ("title", "note", "sources", "expected", "view")


class ScenarioError(Exception):
    """Invalid scenario input. ``str(err)`` reads ``file: json.path: reason``."""

    def __init__(self, source: str, path: str, reason: str):
        self.source = source
        self.path = path
        self.reason = reason
        super().__init__(f"{source}: {path}: {reason}")


# --------------------------------------------------------------------------- model

Point = tuple[float, float, float]


def _as_points(value) -> tuple[Point, ...]:
    arr = np.asarray(value, dtype=float)
    if arr.ndim != 2 or arr.shape[1] != 3:
        raise ValueError("points must be an (N, 3) sequence")
    return tuple((float(x), float(y), float(z)) for x, y, z in arr.tolist())


def _as_point(value) -> Point:
    x, y, z = (float(v) for v in np.asarray(value, dtype=float).reshape(3).tolist())
    return (x, y, z)


@dataclass(frozen=True)
class Vessel:
    """A vessel the user can drag: handles (``centerline_mm``) plus one radius."""

    id: str
    label: str
    kind: str  # artery | vein
    role: str  # vertebral | basilar | aica | pica | sca | vein | other
    radius_mm: float
    centerline_mm: tuple[Point, ...]  # handles; the course is catmull_rom(handles)

    def __post_init__(self):
        # Accept lists / numpy arrays from code; store hashable float tuples.
        object.__setattr__(self, "centerline_mm", _as_points(self.centerline_mm))
        object.__setattr__(self, "radius_mm", float(self.radius_mm))

    @property
    def handles_mm(self) -> np.ndarray:
        return np.array(self.centerline_mm, dtype=float)

    @property
    def course_mm(self) -> np.ndarray:
        """Smooth course through the handles, resampled every 0.5 mm (cached, read-only)."""
        return vessel_course(self.centerline_mm)

    @property
    def course_length_mm(self) -> float:
        """Length of ``course_mm`` (the arc length a sling's ``at_mm`` refers to)."""
        c = self.course_mm
        return float(np.linalg.norm(np.diff(c, axis=0), axis=1).sum())

    def with_handle(self, index: int, point) -> Vessel:
        pts = list(self.centerline_mm)
        pts[index] = _as_point(point)
        return replace(self, centerline_mm=tuple(pts))

    def moved(self, offset) -> Vessel:
        off = np.asarray(offset, dtype=float).reshape(3)
        return replace(self, centerline_mm=self.handles_mm + off)


@dataclass(frozen=True)
class Lesion:
    """Space-occupying or brainstem lesion: an ellipsoid (axis-aligned semi-axes)."""

    id: str
    kind: str  # tumor | avm | aneurysm | brainstem_lesion
    center_mm: Point
    radii_mm: Point
    label: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "center_mm", _as_point(self.center_mm))
        object.__setattr__(self, "radii_mm", _as_point(self.radii_mm))


@dataclass(frozen=True)
class Pad:
    """A Teflon felt pad (MVD): an ellipsoid, semi-axes ``radii_mm`` along the rows of ``axes``.

    ``axes`` is None (the x, y, z axes) or three orthonormal rows (checked on load
    and save, within AXES_TOLERANCE).
    """

    id: str
    center_mm: Point
    radii_mm: Point
    axes: tuple[Point, Point, Point] | None = None
    label: str = ""

    def __post_init__(self):
        object.__setattr__(self, "center_mm", _as_point(self.center_mm))
        object.__setattr__(self, "radii_mm", _as_point(self.radii_mm))
        if self.axes is not None:
            rows = _as_points(self.axes)
            if len(rows) != 3:
                raise ValueError("axes must be three rows of three numbers")
            object.__setattr__(self, "axes", rows)

    @property
    def axes_matrix(self) -> np.ndarray:
        """The axes as a 3x3 array (rows), the identity when none are given."""
        return np.eye(3) if self.axes is None else np.array(self.axes, dtype=float)


@dataclass(frozen=True)
class Sling:
    """Transposition: the vessel's course at arc length ``at_mm`` is pulled to ``anchor_mm``."""

    id: str
    vessel: str  # a vessel id of the same scenario
    at_mm: float  # mm along vessel_course from the first handle; past the end = the end
    anchor_mm: Point

    def __post_init__(self):
        object.__setattr__(self, "at_mm", float(self.at_mm))
        object.__setattr__(self, "anchor_mm", _as_point(self.anchor_mm))

    def arc_on(self, vessel: Vessel) -> float:
        """``at_mm`` clamped to the vessel's course (the file format's rule)."""
        return min(max(self.at_mm, 0.0), vessel.course_length_mm)


@dataclass(frozen=True)
class Corridor:
    """The retrosigmoid working corridor: cerebellar retraction at the flocculus, 0-10 mm."""

    retraction_mm: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "retraction_mm", float(self.retraction_mm))


@dataclass(frozen=True)
class Measurement:
    """A ruler (2 points) or an angle (3 points, the vertex in the middle); ``value`` is computed."""

    id: str
    kind: str  # ruler | angle
    points_mm: tuple[Point, ...]
    label: str = ""

    def __post_init__(self):
        object.__setattr__(self, "points_mm", _as_points(self.points_mm))

    @property
    def unit(self) -> str:
        return "deg" if self.kind == "angle" else "mm"

    @property
    def value(self) -> float:
        """Ruler: the distance in mm. Angle: degrees at the vertex (0-180), NaN if an arm is empty."""
        p = np.array(self.points_mm, dtype=float)
        if self.kind == "ruler":
            if len(p) != 2:
                raise ValueError(f"a ruler has 2 points, this one {len(p)}")
            return float(np.linalg.norm(p[1] - p[0]))
        if self.kind == "angle":
            if len(p) != 3:
                raise ValueError(f"an angle has 3 points, this one {len(p)}")
            a, b = p[0] - p[1], p[2] - p[1]
            if not (np.any(a) and np.any(b)):
                return math.nan
            # atan2 of |a x b| and a.b stays accurate near 0 and 180 degrees (acos does not)
            return math.degrees(math.atan2(float(np.linalg.norm(np.cross(a, b))), float(np.dot(a, b))))
        raise ValueError(f"unknown measurement kind {self.kind!r}")


@dataclass(frozen=True)
class History:
    prior_bells_palsy: bool = False
    facial_trauma: bool = False  # prior facial nerve injury (trauma, surgery)
    inflammatory: bool = False  # an inflammatory condition affecting the facial nerve


@dataclass(frozen=True)
class Teaching:
    """What a teaching case (a preset) shows, and what the analysis must find in it.

    ``expected`` is the classification (analysis tags, in the analysis' order);
    ``expected_segment`` / ``expected_severity`` describe the culprit's contact
    when given. ``sources`` are keys of viewer.sources.BIBLIOGRAPHY; ``view`` is a
    camera preset name (viewer.render.views).
    """

    title: str
    note: str
    sources: tuple[str, ...]
    expected: tuple[str, ...]
    view: str
    expected_segment: str | None = None
    expected_severity: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "sources", tuple(self.sources))
        object.__setattr__(self, "expected", tuple(self.expected))


@dataclass(frozen=True)
class Scenario:
    name: str
    vessels: tuple[Vessel, ...] = ()
    lesions: tuple[Lesion, ...] = ()
    history: History = field(default_factory=History)
    description: str | None = None
    teaching: Teaching | None = None
    side: str = "left"  # left | right (the mirror image at x = 0)
    pads: tuple[Pad, ...] = ()
    slings: tuple[Sling, ...] = ()
    corridor: Corridor | None = None
    measurements: tuple[Measurement, ...] = ()

    def __post_init__(self):
        for name in ("vessels", "lesions", "pads", "slings", "measurements"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    @property
    def ids(self) -> tuple[str, ...]:
        """Every id: vessels, lesions, pads, slings, measurements (one namespace)."""
        return tuple(
            x.id for group in (self.vessels, self.lesions, self.pads, self.slings, self.measurements) for x in group
        )

    def vessel(self, vessel_id: str) -> Vessel:
        for v in self.vessels:
            if v.id == vessel_id:
                return v
        raise KeyError(vessel_id)

    def pad(self, pad_id: str) -> Pad:
        return _find(self.pads, pad_id)

    def sling(self, sling_id: str) -> Sling:
        return _find(self.slings, sling_id)

    def measurement(self, measurement_id: str) -> Measurement:
        return _find(self.measurements, measurement_id)

    def with_vessel(self, vessel: Vessel) -> Scenario:
        """Replace the vessel with the same id (or append it)."""
        out = [vessel if v.id == vessel.id else v for v in self.vessels]
        if not any(v.id == vessel.id for v in self.vessels):
            out.append(vessel)
        return replace(self, vessels=tuple(out))

    def without_vessel(self, vessel_id: str) -> Scenario:
        """Remove the vessel and the slings on it (a sling needs its vessel)."""
        return replace(
            self,
            vessels=tuple(v for v in self.vessels if v.id != vessel_id),
            slings=tuple(x for x in self.slings if x.vessel != vessel_id),
        )

    def with_lesion(self, lesion: Lesion) -> Scenario:
        out = [lesion if x.id == lesion.id else x for x in self.lesions]
        if not any(x.id == lesion.id for x in self.lesions):
            out.append(lesion)
        return replace(self, lesions=tuple(out))

    def with_pad(self, pad: Pad) -> Scenario:
        """Replace the pad with the same id (or append it); ValueError if another object has the id."""
        return replace(self, pads=self._put("pads", pad))

    def without_pad(self, pad_id: str) -> Scenario:
        return replace(self, pads=tuple(x for x in self.pads if x.id != pad_id))

    def with_sling(self, sling: Sling) -> Scenario:
        """Replace the sling with the same id (or append it); its vessel must exist."""
        if not any(v.id == sling.vessel for v in self.vessels):
            raise ValueError(f"sling {sling.id!r}: no vessel {sling.vessel!r} in this scenario")
        return replace(self, slings=self._put("slings", sling))

    def without_sling(self, sling_id: str) -> Scenario:
        return replace(self, slings=tuple(x for x in self.slings if x.id != sling_id))

    def with_measurement(self, measurement: Measurement) -> Scenario:
        return replace(self, measurements=self._put("measurements", measurement))

    def without_measurement(self, measurement_id: str) -> Scenario:
        return replace(self, measurements=tuple(x for x in self.measurements if x.id != measurement_id))

    def _put(self, group: str, item) -> tuple:
        items = getattr(self, group)
        if item.id in self.ids and not any(x.id == item.id for x in items):
            raise ValueError(f"id {item.id!r} is already used by another object of the scenario")
        out = [item if x.id == item.id else x for x in items]
        if not any(x.id == item.id for x in items):
            out.append(item)
        return tuple(out)


def _find(items, ident: str):
    for x in items:
        if x.id == ident:
            return x
    raise KeyError(ident)


@lru_cache(maxsize=512)
def _course(handles: tuple[Point, ...], step: float) -> np.ndarray:
    out = resample_polyline(catmull_rom(np.array(handles, dtype=float)), step=step)
    out.setflags(write=False)
    return out


def vessel_course(handles, step: float = COURSE_STEP_MM) -> np.ndarray:
    """The vessel's course: centripetal Catmull-Rom through the handles, resampled.

    Cached on the handle tuple (the GUI calls the analysis on every mouse move and
    only the dragged vessel changes). The returned array is read-only.
    """
    if not isinstance(handles, tuple):
        handles = _as_points(handles)
    return _course(handles, float(step))


# --------------------------------------------------------------------------- conversion


def _fmt_num(v) -> str:
    return repr(float(v)) if isinstance(v, float) else repr(v)


def scenario_to_dict(s: Scenario) -> dict:
    """The JSON document (format v2) for a scenario; optional keys only when not the default."""
    d: dict[str, Any] = {"format": FORMAT, "version": VERSION, "name": s.name}
    if s.description is not None:
        d["description"] = s.description
    if s.side != "left":
        d["side"] = s.side
    d["vessels"] = [
        {
            "id": v.id,
            "label": v.label,
            "kind": v.kind,
            "role": v.role,
            "radius_mm": float(v.radius_mm),
            "centerline_mm": [list(p) for p in v.centerline_mm],
        }
        for v in s.vessels
    ]
    lesions = []
    for les in s.lesions:
        e: dict[str, Any] = {"id": les.id, "kind": les.kind}
        if les.label is not None:
            e["label"] = les.label
        e["center_mm"] = list(les.center_mm)
        e["radii_mm"] = list(les.radii_mm)
        lesions.append(e)
    d["lesions"] = lesions  # always, as version 1 wrote it
    if s.pads:
        pads = []
        for pad in s.pads:
            e = {"id": pad.id}
            if pad.label:
                e["label"] = pad.label
            e["center_mm"] = list(pad.center_mm)
            e["radii_mm"] = list(pad.radii_mm)
            if pad.axes is not None:
                e["axes"] = [list(r) for r in pad.axes]
            pads.append(e)
        d["pads"] = pads
    if s.slings:
        d["slings"] = [
            {"id": x.id, "vessel": x.vessel, "at_mm": float(x.at_mm), "anchor_mm": list(x.anchor_mm)} for x in s.slings
        ]
    if s.corridor is not None:
        d["corridor"] = {"retraction_mm": float(s.corridor.retraction_mm)}
    if s.measurements:
        ms = []
        for m in s.measurements:
            e = {"id": m.id, "kind": m.kind}
            if m.label:
                e["label"] = m.label
            e["points_mm"] = [list(p) for p in m.points_mm]
            ms.append(e)
        d["measurements"] = ms
    h: dict[str, Any] = {"prior_bells_palsy": bool(s.history.prior_bells_palsy)}
    if s.history.facial_trauma:
        h["facial_trauma"] = True
    if s.history.inflammatory:
        h["inflammatory"] = True
    d["history"] = h
    if s.teaching is not None:
        t = s.teaching
        td: dict[str, Any] = {
            "title": t.title,
            "note": t.note,
            "sources": list(t.sources),
            "expected": list(t.expected),
            "view": t.view,
        }
        if t.expected_segment is not None:
            td["expected_segment"] = t.expected_segment
        if t.expected_severity is not None:
            td["expected_severity"] = t.expected_severity
        d["teaching"] = td
    return d


_swap_sides = vocabulary.swap_side_words  # worded in the vocabulary, shared with the anatomy


def _mirror_point(p: Point) -> Point:
    return (0.0 - p[0], p[1], p[2])  # 0.0 - x: no "-0.0" in files


def _mirror_axes(axes):
    """Reflect the ellipsoid's axes at x = 0 and keep the frame's handedness.

    Reflecting negates the x component of every row, which flips the determinant;
    negating the first row as well flips it back. The ellipsoid is symmetric about
    each of its axes, so the shape is exactly the mirror image, and the map is its
    own inverse (negations are exact).
    """
    if axes is None:
        return None
    (a, b, c), r1, r2 = axes
    return ((a, 0.0 - b, 0.0 - c), _mirror_point(r1), _mirror_point(r2))


_OTHER_SIDE = {"left": "right", "right": "left"}


def mirror_scenario(s: Scenario) -> Scenario:
    """The mirror image at x = 0: every coordinate x -> -x, ``side`` flipped.

    Vessel handles, lesion/pad centres, pad axes (see ``_mirror_axes``), sling anchors
    and measurement points are mirrored; ellipsoid radii, arc positions and measured
    values do not change. Left/Right words are swapped in the name, description,
    labels and teaching title and note; ids and the teaching view name stay.
    ``mirror_scenario(mirror_scenario(s)) == s``.
    """

    def pts(ps):
        return tuple(_mirror_point(p) for p in ps)

    teaching = s.teaching
    if teaching is not None:
        teaching = replace(teaching, title=_swap_sides(teaching.title), note=_swap_sides(teaching.note))
    return replace(
        s,
        name=_swap_sides(s.name),
        description=_swap_sides(s.description),
        side=_OTHER_SIDE[s.side],
        vessels=tuple(replace(v, label=_swap_sides(v.label), centerline_mm=pts(v.centerline_mm)) for v in s.vessels),
        lesions=tuple(replace(x, label=_swap_sides(x.label), center_mm=_mirror_point(x.center_mm)) for x in s.lesions),
        pads=tuple(
            replace(x, label=_swap_sides(x.label), center_mm=_mirror_point(x.center_mm), axes=_mirror_axes(x.axes))
            for x in s.pads
        ),
        slings=tuple(replace(x, anchor_mm=_mirror_point(x.anchor_mm)) for x in s.slings),
        measurements=tuple(replace(x, label=_swap_sides(x.label), points_mm=pts(x.points_mm)) for x in s.measurements),
        teaching=teaching,
    )


class _NonFinite:
    """Placeholder for the NaN/Infinity tokens Python's json accepts (reported with its path)."""

    __slots__ = ("token",)

    def __init__(self, token: str):
        self.token = token


class _Obj(dict):
    """JSON object that remembers keys given more than once (json keeps the last)."""

    duplicates: tuple[str, ...] = ()


def _pairs_hook(pairs):
    obj = _Obj(pairs)
    if len(obj) != len(pairs):
        seen, dups = set(), []
        for k, _ in pairs:
            if k in seen and k not in dups:
                dups.append(k)
            seen.add(k)
        obj.duplicates = tuple(dups)
    return obj


class _Validator:
    def __init__(self, source: str):
        self.source = source
        self.version = VERSION

    def fail(self, path: str, reason: str):
        raise ScenarioError(self.source, path, reason)

    # -- primitive checks
    def obj(self, v, path: str, allowed: Iterable[str], required: Iterable[str]) -> dict:
        if not isinstance(v, dict):
            self.fail(path, f"expected an object, got {_type_name(v)}")
        dups = getattr(v, "duplicates", ())
        if dups:
            self.fail(f"{path}.{dups[0]}", "key given more than once")
        allowed = set(allowed)
        unknown = [k for k in v if k not in allowed]
        if unknown:
            self.fail(
                f"{path}.{unknown[0]}" if _plain_key(unknown[0]) else f"{path}[{json.dumps(unknown[0])}]",
                f"unknown key {json.dumps(unknown[0])} (allowed: {', '.join(sorted(allowed))})",
            )
        for k in required:
            if k not in v:
                self.fail(f"{path}.{k}", "missing required field")
        return v

    def string(self, v, path: str, nonempty: bool = False, max_len: int | None = None) -> str:
        self.not_nonfinite(v, path)
        if not isinstance(v, str):
            self.fail(path, f"expected a string, got {_type_name(v)}")
        if nonempty and not v.strip():
            self.fail(path, "must not be empty")
        if max_len is not None and len(v) > max_len:
            self.fail(path, f"longer than {max_len} characters")
        return v

    def choice(self, v, path: str, options: tuple[str, ...]) -> str:
        self.string(v, path)
        if v not in options:
            self.fail(path, f"{json.dumps(v)} is not one of {', '.join(options)}")
        return v

    def not_nonfinite(self, v, path: str):
        if isinstance(v, _NonFinite):
            self.fail(path, f"{v.token} is not allowed (numbers must be finite)")

    def number(self, v, path: str) -> float:
        self.not_nonfinite(v, path)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            self.fail(path, f"expected a number, got {_type_name(v)}")
        try:
            f = float(v)
        except OverflowError:
            self.fail(path, "number too large")
        if not math.isfinite(f):
            self.fail(path, f"{v!r} is not allowed (numbers must be finite)")
        return f

    def boolean(self, v, path: str) -> bool:
        self.not_nonfinite(v, path)
        if not isinstance(v, bool):
            self.fail(path, f"expected true or false, got {_type_name(v)}")
        return v

    def array(self, v, path: str) -> list:
        self.not_nonfinite(v, path)
        if not isinstance(v, list):
            self.fail(path, f"expected an array, got {_type_name(v)}")
        return v

    def point(self, v, path: str) -> Point:
        self.array(v, path)
        if len(v) != 3:
            self.fail(path, f"expected [x, y, z] (3 numbers), got {len(v)} values")
        out = []
        for k, c in enumerate(v):
            f = self.number(c, f"{path}[{k}]")
            if abs(f) > COORD_LIMIT_MM:
                self.fail(f"{path}[{k}]", f"{_fmt_num(c)} is outside -{COORD_LIMIT_MM:g}..{COORD_LIMIT_MM:g} mm")
            out.append(f)
        return (out[0], out[1], out[2])

    def ranged(self, v, path: str, lo: float, hi: float) -> float:
        f = self.number(v, path)
        if not lo <= f <= hi:
            self.fail(path, f"{_fmt_num(v)} is outside {lo:g}-{hi:g} mm")
        return f

    # -- document
    def scenario(self, doc) -> Scenario:
        if not isinstance(doc, dict):
            self.fail("$", f"expected a JSON object, got {_type_name(doc)}")
        if "format" not in doc:
            self.fail("$.format", f"missing required field (expected {json.dumps(FORMAT)})")
        if doc["format"] != FORMAT or not isinstance(doc["format"], str):
            self.fail("$.format", f"{_show(doc['format'])} is not {json.dumps(FORMAT)}")
        if "version" not in doc:
            self.fail("$.version", f"missing required field (expected {VERSION})")
        ver = doc["version"]
        if isinstance(ver, bool) or not isinstance(ver, int) or ver not in READABLE_VERSIONS:
            newer = (
                " (written by a newer program)"
                if isinstance(ver, int) and not isinstance(ver, bool) and ver > VERSION
                else ""
            )
            self.fail(
                "$.version",
                f"unsupported version {_show(ver)}{newer}; this program reads versions "
                f"{', '.join(map(str, READABLE_VERSIONS))}",
            )
        self.version = ver
        if ver == 1:
            self.v2_only(doc, "$", _TOP_KEYS - _TOP_KEYS_V1)
        self.obj(doc, "$", _TOP_KEYS if ver >= 2 else _TOP_KEYS_V1, _TOP_REQUIRED)
        name = self.string(doc["name"], "$.name")
        desc = self.string(doc["description"], "$.description") if "description" in doc else None
        side = self.choice(doc["side"], "$.side", SIDES) if "side" in doc else "left"
        ids: dict[str, str] = {}

        def claim(ident: str, path: str):
            if ident in ids:
                self.fail(path, f"duplicate id {json.dumps(ident)} (also at {ids[ident]})")
            ids[ident] = path

        vessels = []
        for i, v in enumerate(self.array(doc["vessels"], "$.vessels")):
            p = f"$.vessels[{i}]"
            self.obj(v, p, _VESSEL_KEYS, _VESSEL_KEYS)
            vid = self.string(v["id"], f"{p}.id", nonempty=True, max_len=MAX_ID_LENGTH)
            claim(vid, f"{p}.id")
            label = self.string(v["label"], f"{p}.label")
            kind = self.choice(v["kind"], f"{p}.kind", VESSEL_KINDS)
            role = self.choice(v["role"], f"{p}.role", VESSEL_ROLES)
            radius = self.ranged(v["radius_mm"], f"{p}.radius_mm", *VESSEL_RADIUS_RANGE_MM)
            pts = self.array(v["centerline_mm"], f"{p}.centerline_mm")
            if not MIN_POINTS <= len(pts) <= MAX_POINTS:
                self.fail(f"{p}.centerline_mm", f"{len(pts)} points; a centreline needs {MIN_POINTS}-{MAX_POINTS}")
            handles = tuple(self.point(q, f"{p}.centerline_mm[{k}]") for k, q in enumerate(pts))
            vessels.append(Vessel(vid, label, kind, role, radius, handles))
        lesions = []
        if "lesions" in doc:
            for i, les in enumerate(self.array(doc["lesions"], "$.lesions")):
                p = f"$.lesions[{i}]"
                self.obj(les, p, _LESION_KEYS, _LESION_REQUIRED)
                lid = self.string(les["id"], f"{p}.id", nonempty=True, max_len=MAX_ID_LENGTH)
                claim(lid, f"{p}.id")
                kind = self.choice(les["kind"], f"{p}.kind", LESION_KINDS)
                label = self.string(les["label"], f"{p}.label") if "label" in les else None
                centre = self.point(les["center_mm"], f"{p}.center_mm")
                r = self.radii(les["radii_mm"], f"{p}.radii_mm", LESION_RADIUS_RANGE_MM)
                lesions.append(Lesion(lid, kind, centre, r, label))
        pads = []
        for i, pad in enumerate(self.array(doc["pads"], "$.pads") if "pads" in doc else ()):
            p = f"$.pads[{i}]"
            self.obj(pad, p, _PAD_KEYS, _PAD_REQUIRED)
            pid = self.string(pad["id"], f"{p}.id", nonempty=True, max_len=MAX_ID_LENGTH)
            claim(pid, f"{p}.id")
            label = self.string(pad["label"], f"{p}.label") if "label" in pad else ""
            centre = self.point(pad["center_mm"], f"{p}.center_mm")
            r = self.radii(pad["radii_mm"], f"{p}.radii_mm", PAD_RADIUS_RANGE_MM)
            axes = self.axes(pad["axes"], f"{p}.axes") if "axes" in pad else None
            pads.append(Pad(pid, centre, r, axes, label))
        vessel_ids = {v.id for v in vessels}
        slings = []
        for i, sl in enumerate(self.array(doc["slings"], "$.slings") if "slings" in doc else ()):
            p = f"$.slings[{i}]"
            self.obj(sl, p, _SLING_KEYS, _SLING_KEYS)
            sid = self.string(sl["id"], f"{p}.id", nonempty=True, max_len=MAX_ID_LENGTH)
            claim(sid, f"{p}.id")
            target = self.string(sl["vessel"], f"{p}.vessel")
            if target not in vessel_ids:
                self.fail(f"{p}.vessel", f"{_show(target)} is not the id of a vessel of this scenario")
            at = self.number(sl["at_mm"], f"{p}.at_mm")
            if at < 0:
                self.fail(f"{p}.at_mm", f"{_fmt_num(sl['at_mm'])} is negative (mm along the vessel's course, >= 0)")
            anchor = self.point(sl["anchor_mm"], f"{p}.anchor_mm")
            slings.append(Sling(sid, target, at, anchor))
        corridor = None
        if "corridor" in doc:
            c = self.obj(doc["corridor"], "$.corridor", _CORRIDOR_KEYS, _CORRIDOR_KEYS)
            corridor = Corridor(self.ranged(c["retraction_mm"], "$.corridor.retraction_mm", *RETRACTION_RANGE_MM))
        measurements = []
        for i, m in enumerate(self.array(doc["measurements"], "$.measurements") if "measurements" in doc else ()):
            p = f"$.measurements[{i}]"
            self.obj(m, p, _MEASUREMENT_KEYS, _MEASUREMENT_REQUIRED)
            mid = self.string(m["id"], f"{p}.id", nonempty=True, max_len=MAX_ID_LENGTH)
            claim(mid, f"{p}.id")
            kind = self.choice(m["kind"], f"{p}.kind", MEASUREMENT_KINDS)
            label = self.string(m["label"], f"{p}.label") if "label" in m else ""
            pts = self.array(m["points_mm"], f"{p}.points_mm")
            need = MEASUREMENT_POINTS[kind]
            if len(pts) != need:
                what = "a ruler needs 2" if kind == "ruler" else "an angle needs 3 (end, vertex, end)"
                self.fail(f"{p}.points_mm", f"{len(pts)} points; {what}")
            points = tuple(self.point(q, f"{p}.points_mm[{k}]") for k, q in enumerate(pts))
            measurements.append(Measurement(mid, kind, points, label))
        history = History()
        if "history" in doc:
            if ver == 1:
                self.v2_only(doc["history"], "$.history", set(_HISTORY_KEYS) - set(_HISTORY_KEYS_V1))
                h = self.obj(doc["history"], "$.history", _HISTORY_KEYS_V1, _HISTORY_KEYS_V1)
            else:
                h = self.obj(doc["history"], "$.history", _HISTORY_KEYS, ())
            history = History(*(self.boolean(h[k], f"$.history.{k}") if k in h else False for k in _HISTORY_KEYS))
        teaching = self.teaching(doc["teaching"]) if "teaching" in doc else None
        return Scenario(
            name,
            tuple(vessels),
            tuple(lesions),
            history,
            desc,
            teaching,
            side,
            tuple(pads),
            tuple(slings),
            corridor,
            tuple(measurements),
        )

    def v2_only(self, v, path: str, keys):
        """In a version 1 document, a version 2 key gets a message that says so."""
        if isinstance(v, dict):
            for k in v:
                if k in keys:
                    self.fail(
                        f"{path}.{k}",
                        f'unknown key {json.dumps(k)} in a version 1 file (it is new in version 2: write "version": 2)',
                    )

    def radii(self, v, path: str, limits: tuple[float, float]) -> Point:
        radii = self.array(v, path)
        if len(radii) != 3:
            self.fail(path, f"expected [a, b, c] (3 semi-axes), got {len(radii)} values")
        a, b, c = (self.ranged(x, f"{path}[{k}]", *limits) for k, x in enumerate(radii))
        return (a, b, c)

    def axes(self, v, path: str) -> tuple[Point, Point, Point]:
        rows = self.array(v, path)
        if len(rows) != 3:
            self.fail(path, f"expected 3 rows (the ellipsoid's axes), got {len(rows)}")
        out = []
        for k, row in enumerate(rows):
            self.array(row, f"{path}[{k}]")
            if len(row) != 3:
                self.fail(f"{path}[{k}]", f"expected [x, y, z] (3 numbers), got {len(row)} values")
            x, y, z = (self.number(c, f"{path}[{k}][{j}]") for j, c in enumerate(row))
            out.append((x, y, z))
        m = np.clip(np.array(out, dtype=float), -2.0, 2.0)  # no overflow; beyond 1 it fails anyway
        dev = float(np.abs(m @ m.T - np.eye(3)).max())
        if not dev <= AXES_TOLERANCE:
            self.fail(
                path,
                f"rows are not orthonormal (R·Rᵀ differs from the identity by {dev:.3g}; tolerance {AXES_TOLERANCE:g})",
            )
        return (out[0], out[1], out[2])

    def names(self, v, path: str, options, what: str, nonempty: bool) -> tuple[str, ...]:
        """An array of distinct strings, each one of `options`."""
        items = self.array(v, path)
        if nonempty and not items:
            self.fail(path, f"must list at least one {what}")
        seen: dict[str, int] = {}
        for k, x in enumerate(items):
            self.string(x, f"{path}[{k}]")
            if x not in options:
                self.fail(f"{path}[{k}]", f"{_show(x)} is not a known {what}")
            if x in seen:
                self.fail(f"{path}[{k}]", f"{_show(x)} given more than once (also at {path}[{seen[x]}])")
            seen[x] = k
        return tuple(items)

    def teaching(self, t) -> Teaching:
        p = "$.teaching"
        self.obj(t, p, _TEACHING_KEYS, _TEACHING_REQUIRED)
        title = self.string(t["title"], f"{p}.title", nonempty=True, max_len=MAX_ID_LENGTH)
        note = self.string(t["note"], f"{p}.note", nonempty=True, max_len=MAX_TEXT_LENGTH)
        sources = self.names(t["sources"], f"{p}.sources", BIBLIOGRAPHY, "source key (viewer/sources.py)", False)
        tags = _V1_TAGS if self.version == 1 else CLASSIFICATION_TAGS
        expected = self.names(
            t["expected"],
            f"{p}.expected",
            tags,
            "classification tag" + (" of version 1" if self.version == 1 else ""),
            True,
        )
        view = self.choice(t["view"], f"{p}.view", VIEW_NAMES)
        seg = (
            self.choice(t["expected_segment"], f"{p}.expected_segment", SEGMENT_CODES)
            if "expected_segment" in t
            else None
        )
        sev = (
            self.choice(t["expected_severity"], f"{p}.expected_severity", SEVERITY_NAMES)
            if "expected_severity" in t
            else None
        )
        return Teaching(title, note, sources, expected, view, seg, sev)


def _plain_key(k: str) -> bool:
    return k.isidentifier()


def _type_name(v) -> str:
    if isinstance(v, _NonFinite):
        return v.token
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, (int, float)):
        return "a number"
    if isinstance(v, str):
        return "a string"
    if isinstance(v, list):
        return "an array"
    if isinstance(v, dict):
        return "an object"
    return type(v).__name__


def _show(v) -> str:
    if isinstance(v, _NonFinite):
        return v.token
    try:
        s = json.dumps(v)
    except (TypeError, ValueError):
        s = repr(v)
    return s if len(s) <= 60 else s[:57] + "..."


def validate_scenario_dict(doc, source_name: str = "<scenario>") -> Scenario:
    """Validate an already-decoded JSON document and build the Scenario."""
    return _Validator(source_name).scenario(doc)


def scenario_from_dict(doc, source_name: str = "<scenario>") -> Scenario:
    return validate_scenario_dict(doc, source_name)


def parse_scenario(text: str | bytes, source_name: str = "<stdin>") -> Scenario:
    """Parse and validate scenario JSON text (str or UTF-8 bytes)."""
    if isinstance(text, (bytes, bytearray)):
        if len(text) > MAX_FILE_BYTES:
            raise ScenarioError(source_name, "$", f"input is {len(text)} bytes; the limit is {MAX_FILE_BYTES} (5 MB)")
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise ScenarioError(source_name, "$", f"not valid UTF-8 (byte {e.start})") from None
    elif isinstance(text, str):
        if len(text) > MAX_FILE_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
            raise ScenarioError(source_name, "$", f"input is larger than the limit of {MAX_FILE_BYTES} bytes (5 MB)")
        if text.startswith("\ufeff"):
            text = text[1:]
    else:
        raise TypeError("text must be str or bytes")
    try:
        doc = json.loads(text, parse_constant=_NonFinite, object_pairs_hook=_pairs_hook)
    except json.JSONDecodeError as e:
        raise ScenarioError(source_name, "$", f"not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})") from None
    except RecursionError:
        raise ScenarioError(source_name, "$", "not valid JSON: nested too deeply") from None
    except ValueError as e:  # e.g. integers with more digits than Python converts
        raise ScenarioError(source_name, "$", f"not valid JSON: {e}") from None
    try:
        return _Validator(source_name).scenario(doc)
    except RecursionError:
        raise ScenarioError(source_name, "$", "nested too deeply") from None


def load_scenario(path: str | os.PathLike) -> Scenario:
    """Read and validate a scenario file; raises ScenarioError (never a partial result)."""
    name = os.fspath(path)
    try:
        size = os.stat(path).st_size
    except OSError as e:
        raise ScenarioError(name, "$", f"cannot read file: {e.strerror or e}") from None
    if size > MAX_FILE_BYTES:
        raise ScenarioError(name, "$", f"file is {size} bytes; the limit is {MAX_FILE_BYTES} (5 MB)")
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)  # the file may grow, or be a pipe
    except OSError as e:
        raise ScenarioError(name, "$", f"cannot read file: {e.strerror or e}") from None
    return parse_scenario(data, name)


def dumps_scenario(s: Scenario) -> str:
    return json.dumps(scenario_to_dict(s), indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def save_scenario(scenario: Scenario, path: str | os.PathLike) -> None:
    """Write atomically: temp file in the same folder, flush + fsync, os.replace.

    The scenario is validated first (a saved file always loads), so an invalid
    scenario raises ScenarioError and leaves any existing file untouched.
    """
    target = Path(path)
    text = dumps_scenario(scenario)
    validate_scenario_dict(json.loads(text, parse_constant=_NonFinite, object_pairs_hook=_pairs_hook), os.fspath(path))
    data = text.encode("utf-8")
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError(
            os.fspath(path), "$", f"scenario would be {len(data)} bytes; the limit is {MAX_FILE_BYTES} (5 MB)"
        )
    folder = target.parent if str(target.parent) else Path(".")
    try:
        mode = os.stat(target).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename durable (best effort; not available everywhere)
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


# --------------------------------------------------------------------------- default


@lru_cache(maxsize=1)
def _default_scenario() -> Scenario:
    from .anatomy import build_anatomy

    anatomy = build_anatomy()
    vessels = tuple(
        Vessel(
            t.id,
            t.name,
            t.kind,
            t.role if t.role in VESSEL_ROLES else "other",
            t.radius_mm,
            np.round(np.asarray(t.control_mm, dtype=float), 3),
        )
        for t in anatomy.vessels
    )
    return Scenario(
        name="Normal anatomy",
        vessels=vessels,
        description="The model's default left cerebellopontine angle: no vessel touches the facial nerve.",
    )


def default_scenario(side: str = "left") -> Scenario:
    """The anatomy's normal vessels as a scenario (handles = the tubes' control points).

    The right side's is the left's mirror image (`mirror_scenario`), as its anatomy is."""
    if side not in SIDES:
        raise ValueError(f"unknown side '{side}' (choose from {', '.join(SIDES)})")
    return _default_scenario() if side == "left" else _default_right_scenario()


@lru_cache(maxsize=1)
def _default_right_scenario() -> Scenario:
    return mirror_scenario(_default_scenario())
