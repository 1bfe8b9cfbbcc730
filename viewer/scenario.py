"""Scenario model and file format v1 (pure core: no Qt, no VTK).

A scenario holds what the user can change (vessels, lesions, history); the
anatomy (nerves, brainstem, bone) belongs to the model. File format, JSON UTF-8::

    {"format": "hfs-scenario", "version": 1, "name": str, "description": str (optional),
     "vessels": [{"id": str, "label": str, "kind": "artery"|"vein",
                  "role": "vertebral"|"basilar"|"aica"|"pica"|"sca"|"vein"|"other",
                  "radius_mm": float, "centerline_mm": [[x, y, z], ...]}],
     "lesions": [{"id": str, "kind": "tumor"|"avm"|"aneurysm"|"brainstem_lesion",
                  "label": str (optional), "center_mm": [x, y, z], "radii_mm": [a, b, c]}],
     "history": {"prior_bells_palsy": bool},
     "teaching": {"title": str, "note": str, "sources": [bibliography keys],
                  "expected": [classification tags], "view": camera view name,
                  "expected_segment": "RExP"|"AS"|"RDP"|"CP" (optional),
                  "expected_severity": "mild"|"moderate"|"severe" (optional)}}

`lesions`, `history` and `teaching` are optional; unknown keys are errors.
`teaching` (the shipped presets carry it, viewer/presets/) says what the case
teaches and what the analysis is expected to find; it never changes the analysis. A vessel's
`centerline_mm` holds its *handles*; the vessel's course is the centripetal
Catmull-Rom spline through them (`vessel_course`, cached). The schema is also
published as JSON Schema draft 2020-12 in ``viewer/schemas/scenario-v1.schema.json``;
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
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from .geometry import catmull_rom, resample_polyline
from .sources import BIBLIOGRAPHY

__all__ = [
    "FORMAT", "VERSION", "MAX_FILE_BYTES", "MAX_POINTS", "MIN_POINTS", "COORD_LIMIT_MM",
    "VESSEL_RADIUS_RANGE_MM", "LESION_RADIUS_RANGE_MM", "VESSEL_KINDS", "VESSEL_ROLES", "LESION_KINDS",
    "COURSE_STEP_MM",
    "CLASSIFICATION_TAGS", "VIEW_NAMES", "SEGMENT_CODES", "SEVERITY_NAMES",
    "ScenarioError", "Vessel", "Lesion", "History", "Teaching", "Scenario",
    "parse_scenario", "load_scenario", "save_scenario", "scenario_to_dict", "scenario_from_dict",
    "default_scenario", "vessel_course", "validate_scenario_dict",
]

FORMAT = "hfs-scenario"
VERSION = 1
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
LESION_KINDS = ("tumor", "avm", "aneurysm", "brainstem_lesion")
COURSE_STEP_MM = 0.5  # same spacing as viewer.anatomy.Tube.centerline_mm
# Vocabularies the optional "teaching" block refers to. They are owned by other modules
# that this one must not import (viewer.analysis imports this module; viewer.render is
# above the pure core), so they are repeated here and tests check that they agree:
CLASSIFICATION_TAGS = ("single", "multiple", "double", "tandem", "venous", "tumor", "avm", "aneurysm",
                       "brainstem_lesion", "post_bells", "idiopathic")  # = viewer.analysis.TAGS
VIEW_NAMES = ("anterior", "left_lateral", "inferior", "superior", "retrosigmoid",
              "rez_closeup")  # = viewer.render.views.VIEWS
SEGMENT_CODES = ("RExP", "AS", "RDP", "CP")  # = viewer.anatomy.SEGMENTS
SEVERITY_NAMES = ("mild", "moderate", "severe")  # = viewer.analysis.SEVERITIES
MAX_TEXT_LENGTH = 20_000

_TOP_KEYS = {"format", "version", "name", "description", "vessels", "lesions", "history", "teaching"}
_TOP_REQUIRED = ("format", "version", "name", "vessels")
_VESSEL_KEYS = ("id", "label", "kind", "role", "radius_mm", "centerline_mm")
_LESION_KEYS = {"id", "kind", "label", "center_mm", "radii_mm"}
_LESION_REQUIRED = ("id", "kind", "center_mm", "radii_mm")
_HISTORY_KEYS = ("prior_bells_palsy",)
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

    def with_handle(self, index: int, point) -> "Vessel":
        pts = list(self.centerline_mm)
        pts[index] = _as_point(point)
        return replace(self, centerline_mm=tuple(pts))

    def moved(self, offset) -> "Vessel":
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
class History:
    prior_bells_palsy: bool = False


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

    def __post_init__(self):
        object.__setattr__(self, "vessels", tuple(self.vessels))
        object.__setattr__(self, "lesions", tuple(self.lesions))

    def vessel(self, vessel_id: str) -> Vessel:
        for v in self.vessels:
            if v.id == vessel_id:
                return v
        raise KeyError(vessel_id)

    def with_vessel(self, vessel: Vessel) -> "Scenario":
        """Replace the vessel with the same id (or append it)."""
        out = [vessel if v.id == vessel.id else v for v in self.vessels]
        if not any(v.id == vessel.id for v in self.vessels):
            out.append(vessel)
        return replace(self, vessels=tuple(out))

    def with_lesion(self, lesion: Lesion) -> "Scenario":
        out = [lesion if x.id == lesion.id else x for x in self.lesions]
        if not any(x.id == lesion.id for x in self.lesions):
            out.append(lesion)
        return replace(self, lesions=tuple(out))


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
    """The JSON document (format v1) for a scenario."""
    d: dict[str, Any] = {"format": FORMAT, "version": VERSION, "name": s.name}
    if s.description is not None:
        d["description"] = s.description
    d["vessels"] = [{
        "id": v.id, "label": v.label, "kind": v.kind, "role": v.role,
        "radius_mm": float(v.radius_mm),
        "centerline_mm": [list(p) for p in v.centerline_mm],
    } for v in s.vessels]
    lesions = []
    for les in s.lesions:
        e: dict[str, Any] = {"id": les.id, "kind": les.kind}
        if les.label is not None:
            e["label"] = les.label
        e["center_mm"] = list(les.center_mm)
        e["radii_mm"] = list(les.radii_mm)
        lesions.append(e)
    d["lesions"] = lesions
    d["history"] = {"prior_bells_palsy": bool(s.history.prior_bells_palsy)}
    if s.teaching is not None:
        t = s.teaching
        td: dict[str, Any] = {"title": t.title, "note": t.note, "sources": list(t.sources),
                              "expected": list(t.expected), "view": t.view}
        if t.expected_segment is not None:
            td["expected_segment"] = t.expected_segment
        if t.expected_severity is not None:
            td["expected_severity"] = t.expected_severity
        d["teaching"] = td
    return d


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
            self.fail(f"{path}.{unknown[0]}" if _plain_key(unknown[0]) else f"{path}[{json.dumps(unknown[0])}]",
                      f"unknown key {json.dumps(unknown[0])} (allowed: {', '.join(sorted(allowed))})")
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
        if isinstance(ver, bool) or not isinstance(ver, int) or ver != VERSION:
            self.fail("$.version", f"unsupported version {_show(ver)} (this program reads version {VERSION})")
        self.obj(doc, "$", _TOP_KEYS, _TOP_REQUIRED)
        name = self.string(doc["name"], "$.name")
        desc = self.string(doc["description"], "$.description") if "description" in doc else None
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
                radii = self.array(les["radii_mm"], f"{p}.radii_mm")
                if len(radii) != 3:
                    self.fail(f"{p}.radii_mm", f"expected [a, b, c] (3 semi-axes), got {len(radii)} values")
                r = tuple(self.ranged(x, f"{p}.radii_mm[{k}]", *LESION_RADIUS_RANGE_MM) for k, x in enumerate(radii))
                lesions.append(Lesion(lid, kind, centre, r, label))
        history = History()
        if "history" in doc:
            h = self.obj(doc["history"], "$.history", _HISTORY_KEYS, _HISTORY_KEYS)
            history = History(self.boolean(h["prior_bells_palsy"], "$.history.prior_bells_palsy"))
        teaching = self.teaching(doc["teaching"]) if "teaching" in doc else None
        return Scenario(name, tuple(vessels), tuple(lesions), history, desc, teaching)

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
        expected = self.names(t["expected"], f"{p}.expected", CLASSIFICATION_TAGS, "classification tag", True)
        view = self.choice(t["view"], f"{p}.view", VIEW_NAMES)
        seg = self.choice(t["expected_segment"], f"{p}.expected_segment", SEGMENT_CODES) \
            if "expected_segment" in t else None
        sev = self.choice(t["expected_severity"], f"{p}.expected_severity", SEVERITY_NAMES) \
            if "expected_severity" in t else None
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
        raise ScenarioError(os.fspath(path), "$", f"scenario would be {len(data)} bytes; the limit is {MAX_FILE_BYTES} (5 MB)")
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
        Vessel(t.id, t.name, t.kind, t.role if t.role in VESSEL_ROLES else "other", t.radius_mm,
               np.round(np.asarray(t.control_mm, dtype=float), 3))
        for t in anatomy.vessels
    )
    return Scenario(
        name="Normal anatomy",
        vessels=vessels,
        description="The model's default left cerebellopontine angle: no vessel touches the facial nerve.",
    )


def default_scenario() -> Scenario:
    """The anatomy's normal vessels as a scenario (handles = the tubes' control points)."""
    return _default_scenario()
