"""Patient case model (pure core: numpy + stdlib): roles, role guessing, case.json.

A case is a scene whose anatomy is a patient's: structures (closed surfaces stored
beside case.json in a .hfscase archive, docs: README "Patient data"), each with a
role that says what the analysis may treat it as. Nothing is a nerve or a vessel
unless its role says so; unknown names are "other".

case.json validation reports `file: $.path: reason`, one line, like the scenario
loader; the archive itself (zip, meshes) is read by viewer.patient.casefile.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace

from .display import StructureInfo

CASE_FORMAT = "hfs-case"
CASE_VERSION = 1

ROLES = ("brainstem", "facial_nerve", "vestibulocochlear_nerve", "vessel", "lesion", "cerebellum", "bone", "other")
VESSEL_ROLES = ("vertebral", "basilar", "aica", "pica", "sca", "vein", "other")
KINDS = ("artery", "vein")
SOURCE_KINDS = ("nifti", "nrrd", "seg.nrrd", "mesh")
SPACES = ("RAS", "LPS")
SIDES = ("left", "right")
LANDMARKS = ("root_exit_point", "root_detachment_point", "internal_acoustic_meatus")

# Display colours per role (the model's conventions: arteries red, veins blue, nerves yellow).
ROLE_COLOURS = {
    "brainstem": (222, 184, 135),
    "facial_nerve": (240, 205, 60),
    "vestibulocochlear_nerve": (190, 215, 110),
    "artery": (200, 35, 35),
    "vein": (45, 80, 200),
    "lesion": (196, 186, 160),
    "cerebellum": (205, 150, 140),
    "bone": (236, 230, 214),
    "other": (150, 160, 170),
}


class CaseError(ValueError):
    """Invalid case or import argument: one line naming the file (or argument) and the problem."""


@dataclass(frozen=True)
class Source:
    file: str  # base name only: never a path (paths can name the patient)
    sha256: str
    kind: str
    space: str
    label: int | None = None
    # voxel edge lengths of a label map (mm): one voxel is the contact tolerance of the analysis
    # on a case (docs/case-analysis.md); None for meshes and for cases imported before it was kept
    voxel_mm: tuple[float, float, float] | None = None

    def to_dict(self) -> dict:
        d = {"file": self.file, "sha256": self.sha256, "kind": self.kind, "space": self.space, "label": self.label}
        if self.voxel_mm is not None:
            d["voxel_mm"] = [float(v) for v in self.voxel_mm]
        return d


@dataclass(frozen=True)
class Structure:
    id: str
    name: str
    role: str
    colour: tuple[int, int, int]
    vessel_role: str | None = None
    kind: str | None = None  # artery | vein, vessels only
    pieces: int = 1  # disconnected parts of the surface (a label can have several)
    source: int | None = None  # index into Case.sources

    @property
    def mesh(self) -> str:
        return f"meshes/{self.id}.vtp"

    def to_dict(self) -> dict:
        d = {"id": self.id, "name": self.name, "role": self.role}
        if self.role == "vessel":
            d["vessel_role"] = self.vessel_role or "other"
            d["kind"] = self.kind or vessel_kind(self.vessel_role)
        d["mesh"] = self.mesh
        d["colour"] = [int(c) for c in self.colour]
        d["pieces"] = int(self.pieces)
        if self.source is not None:
            d["source"] = int(self.source)
        return d


@dataclass(frozen=True)
class Case:
    name: str
    structures: tuple[Structure, ...]
    sources: tuple[Source, ...] = ()
    side: str = "left"
    landmarks: dict = field(default_factory=dict)
    scenario: dict | None = None  # scenario v2 object, kept as validated JSON

    def structure(self, sid: str) -> Structure:
        for s in self.structures:
            if s.id == sid:
                return s
        raise KeyError(sid)

    def with_role(self, sid: str, role: str, vessel_role: str | None = None) -> Case:
        """A copy with one structure's role changed (and its default colour if it had the old default)."""
        role, vessel_role, kind = check_role(role, vessel_role, what=sid)
        out = []
        for s in self.structures:
            if s.id == sid:
                colour = s.colour
                if tuple(s.colour) == default_colour(s.role, s.kind):
                    colour = default_colour(role, kind)
                s = replace(s, role=role, vessel_role=vessel_role, kind=kind, colour=colour)
            out.append(s)
        return replace(self, structures=tuple(out))

    def to_dict(self) -> dict:
        d = {
            "format": CASE_FORMAT,
            "version": CASE_VERSION,
            "name": self.name,
            "side": self.side,
            "sources": [s.to_dict() for s in self.sources],
            "structures": [s.to_dict() for s in self.structures],
        }
        if self.landmarks:
            d["landmarks"] = {k: [float(v) for v in p] for k, p in self.landmarks.items()}
        if self.scenario is not None:
            d["scenario"] = self.scenario
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1) + "\n"


def vessel_kind(vessel_role: str | None) -> str:
    return "vein" if vessel_role == "vein" else "artery"


def default_colour(role: str, kind: str | None = None) -> tuple[int, int, int]:
    if role == "vessel":
        return ROLE_COLOURS[kind or "artery"]
    return ROLE_COLOURS.get(role, ROLE_COLOURS["other"])


def check_role(role: str, vessel_role: str | None = None, what: str = "role") -> tuple[str, str | None, str | None]:
    """(role, vessel_role, kind) normalised; a vessel role alone (`aica`) means a vessel."""
    role = role.strip().lower().replace("-", "_")
    vr = vessel_role.strip().lower() if vessel_role else None
    if role in VESSEL_ROLES and role != "other" and vr is None:
        role, vr = "vessel", role
    if role in ("artery", "vein") and vr is None:
        role, vr = "vessel", ("vein" if role == "vein" else "other")
    if role not in ROLES:
        raise CaseError(f"{what}: unknown role '{role}' (one of {', '.join(ROLES)})")
    if role != "vessel":
        if vr is not None:
            raise CaseError(f"{what}: a vessel role ('{vr}') needs the role 'vessel'")
        return role, None, None
    vr = vr or "other"
    if vr not in VESSEL_ROLES:
        raise CaseError(f"{what}: unknown vessel role '{vr}' (one of {', '.join(VESSEL_ROLES)})")
    return role, vr, vessel_kind(vr)


def parse_label_spec(text: str) -> tuple[int, str, str | None]:
    """`VALUE=ROLE[:VESSEL_ROLE]` (the --label option) -> (value, role, vessel_role)."""
    m = re.fullmatch(r"\s*(-?\d+)\s*=\s*([A-Za-z_\-]+)\s*(?::\s*([A-Za-z_\-]+))?\s*", text)
    if not m:
        raise CaseError(f"--label {text}: expected VALUE=ROLE[:VESSEL_ROLE], e.g. 4=vessel:aica")
    role, vr, _ = check_role(m.group(2), m.group(3), what=f"--label {text}")
    return int(m.group(1)), role, vr


# Name patterns, checked in order: the first match wins. Words are matched on token
# boundaries so that "VII" does not match "VIII" and "pons" does not match "response".
_ROLE_PATTERNS: tuple[tuple[str, str, str | None], ...] = (
    (
        r"schwannoma|neurinoma|meningioma|tumou?r|aneurysm|avm|malformation|lesion|plaque|cyst|epidermoid|mass",
        "lesion",
        None,
    ),
    (
        r"vestibulocochlear|cochlear|vestibular|acoustic|cn ?8|cn ?viii|viii|n ?viii|nerve ?8",
        "vestibulocochlear_nerve",
        None,
    ),
    (r"facial|cn ?7|cn ?vii|vii|n ?vii|nerve ?7", "facial_nerve", None),
    (r"aica|anterior inferior cerebellar", "vessel", "aica"),
    (r"pica|posterior inferior cerebellar", "vessel", "pica"),
    (r"sca|superior cerebellar artery", "vessel", "sca"),
    (r"vertebral|va|lva|rva|va ?left|va ?right|vertebral artery", "vessel", "vertebral"),
    (r"basilar|ba|basilar artery", "vessel", "basilar"),
    (r"vein|venous|petrosal|dandy|sinus|vv", "vessel", "vein"),
    (r"artery|arterial|arteries|vessel|vessels|vascular|aa", "vessel", "other"),
    (r"brain ?stem|pons|pontine|medulla|medulla oblongata|midbrain|mesencephalon", "brainstem", None),
    (r"cerebell\w*|flocculus|hemisphere", "cerebellum", None),
    (r"bone|petrous|petrosa|skull|clivus|temporal bone|mastoid|iam|meatus", "bone", None),
)


def _tokens(name: str) -> str:
    """Lower case, camelCase and punctuation split into single-space-separated words."""
    s = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    s = re.sub(r"(\d)([A-Za-z])|([A-Za-z])(\d)", lambda m: f"{m.group(1) or m.group(3)} {m.group(2) or m.group(4)}", s)
    return " " + " ".join(re.split(r"[^a-z0-9]+", s.lower())).strip() + " "


def guess_role(name: str) -> tuple[str, str | None, str | None]:
    """(role, vessel_role, kind) guessed from a segment or label name; ('other', None, None) if unsure."""
    words = _tokens(name or "")
    for pattern, role, vr in _ROLE_PATTERNS:
        if re.search(rf" (?:{pattern}) ", words):
            return role, vr, (vessel_kind(vr) if role == "vessel" else None)
    return "other", None, None


def slug(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", (name or "").lower()).strip("_")[:40] or "structure"
    if base[0].isdigit():
        base = "s_" + base
    sid, n = base, 2
    while sid in taken:
        sid, n = f"{base}_{n}", n + 1
    taken.add(sid)
    return sid


# --------------------------------------------------------------------------- case.json

_TOP_KEYS = {"format", "version", "name", "side", "sources", "structures", "landmarks", "scenario"}
_SOURCE_KEYS = {"file", "sha256", "kind", "space", "label", "voxel_mm"}
_STRUCT_KEYS = {"id", "name", "role", "vessel_role", "kind", "mesh", "colour", "pieces", "source"}
_ID = re.compile(r"[a-z][a-z0-9_]{0,63}")


def _err(file: str, path: str, reason: str) -> CaseError:
    return CaseError(f"{file}: {path}: {reason}")


def _obj(v, file, path, keys, required):
    if not isinstance(v, dict):
        raise _err(file, path, "expected an object")
    for k in v:
        if k not in keys:
            raise _err(file, f"{path}.{k}", "unknown key")
    for k in required:
        if k not in v:
            raise _err(file, f"{path}.{k}", "missing")
    return v


def _str(v, file, path, allowed=None, nonempty=True) -> str:
    if not isinstance(v, str) or (nonempty and not v.strip()):
        raise _err(file, path, "expected a non-empty string")
    if allowed is not None and v not in allowed:
        raise _err(file, path, f"'{v}' is not one of {', '.join(allowed)}")
    return v


def _int(v, file, path, lo=None) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or (lo is not None and v < lo):
        raise _err(file, path, f"expected an integer{'' if lo is None else f' >= {lo}'}")
    return v


def _point(v, file, path) -> tuple[float, float, float]:
    if (
        not isinstance(v, list)
        or len(v) != 3
        or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v)
    ):
        raise _err(file, path, "expected [x, y, z] numbers")
    if not all(abs(float(x)) < 1e4 for x in v):  # also rejects NaN/inf
        raise _err(file, path, "coordinates must be finite millimetres")
    return tuple(float(x) for x in v)


def case_from_dict(d, file: str = "case.json") -> Case:
    _obj(d, file, "$", _TOP_KEYS, ("format", "version", "name", "structures"))
    if d["format"] != CASE_FORMAT:
        raise _err(file, "$.format", f"expected '{CASE_FORMAT}'")
    if _int(d["version"], file, "$.version") != CASE_VERSION:
        raise _err(file, "$.version", f"version {d['version']} not supported (this build reads {CASE_VERSION})")
    name = _str(d["name"], file, "$.name")
    side = _str(d.get("side", "left"), file, "$.side", SIDES)
    sources = []
    raw_sources = d.get("sources", [])
    if not isinstance(raw_sources, list):
        raise _err(file, "$.sources", "expected a list")
    for i, s in enumerate(raw_sources):
        p = f"$.sources[{i}]"
        _obj(s, file, p, _SOURCE_KEYS, ("file", "sha256", "kind", "space"))
        fname = _str(s["file"], file, f"{p}.file")
        if "/" in fname or "\\" in fname:
            raise _err(file, f"{p}.file", "a base name, not a path")
        sha = _str(s["sha256"], file, f"{p}.sha256")
        if not re.fullmatch(r"[0-9a-f]{64}", sha):
            raise _err(file, f"{p}.sha256", "expected 64 hex digits")
        label = s.get("label")
        if label is not None:
            _int(label, file, f"{p}.label")
        voxel = s.get("voxel_mm")
        if voxel is not None:
            if (
                not isinstance(voxel, list)
                or len(voxel) != 3
                or not all(isinstance(x, (int, float)) and not isinstance(x, bool) and 0 < x < 100 for x in voxel)
            ):
                raise _err(file, f"{p}.voxel_mm", "expected [sx, sy, sz] voxel sizes in mm (0-100)")
            voxel = tuple(float(x) for x in voxel)
        sources.append(
            Source(
                fname,
                sha,
                _str(s["kind"], file, f"{p}.kind", SOURCE_KINDS),
                _str(s["space"], file, f"{p}.space", SPACES),
                label,
                voxel,
            )
        )
    raw = d["structures"]
    if not isinstance(raw, list) or not raw:
        raise _err(file, "$.structures", "expected a non-empty list")
    structures, ids = [], set()
    for i, s in enumerate(raw):
        p = f"$.structures[{i}]"
        _obj(s, file, p, _STRUCT_KEYS, ("id", "name", "role", "mesh", "colour"))
        sid = _str(s["id"], file, f"{p}.id")
        if not _ID.fullmatch(sid):
            raise _err(file, f"{p}.id", "lower-case letters, digits and _ (starting with a letter), at most 64")
        if sid in ids:
            raise _err(file, f"{p}.id", f"duplicate id '{sid}'")
        ids.add(sid)
        role = _str(s["role"], file, f"{p}.role", ROLES)
        vr = kind = None
        if role == "vessel":
            vr = _str(s.get("vessel_role", "other"), file, f"{p}.vessel_role", VESSEL_ROLES)
            kind = _str(s.get("kind", vessel_kind(vr)), file, f"{p}.kind", KINDS)
        else:
            for k in ("vessel_role", "kind"):
                if k in s:
                    raise _err(file, f"{p}.{k}", "only vessels have it")
        if s["mesh"] != f"meshes/{sid}.vtp":
            raise _err(file, f"{p}.mesh", f"expected 'meshes/{sid}.vtp'")
        c = s["colour"]
        if (
            not isinstance(c, list)
            or len(c) != 3
            or not all(isinstance(x, int) and not isinstance(x, bool) and 0 <= x <= 255 for x in c)
        ):
            raise _err(file, f"{p}.colour", "expected [r, g, b] integers 0-255")
        pieces = _int(s.get("pieces", 1), file, f"{p}.pieces", lo=1)
        src = s.get("source")
        if src is not None and not (0 <= _int(src, file, f"{p}.source") < len(sources)):
            raise _err(file, f"{p}.source", f"no source {src}")
        structures.append(Structure(sid, _str(s["name"], file, f"{p}.name"), role, tuple(c), vr, kind, pieces, src))
    landmarks = {}
    if "landmarks" in d:
        lm = _obj(d["landmarks"], file, "$.landmarks", set(LANDMARKS), ())
        landmarks = {k: _point(v, file, f"$.landmarks.{k}") for k, v in lm.items()}
    scenario = d.get("scenario")
    if scenario is not None:
        _check_scenario(scenario, file)
    return Case(name, tuple(structures), tuple(sources), side, landmarks, scenario)


def _check_scenario(obj, file: str) -> None:
    from .scenario import ScenarioError, parse_scenario

    if not isinstance(obj, dict):
        raise _err(file, "$.scenario", "expected an object")
    try:
        parse_scenario(json.dumps(obj), f"{file}: $.scenario")
    except ScenarioError as exc:
        raise CaseError(str(exc)) from None


def parse_case(text: str | bytes, file: str = "case.json") -> Case:
    try:
        d = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CaseError(f"{file}: not JSON ({exc})") from None
    return case_from_dict(d, file)


# ---------------------------------------------------------------------- display
# Structures panel groups of a case: one per role, in this order, with these titles.
ROLE_TITLES = {
    "brainstem": "Brainstem",
    "facial_nerve": "Facial nerve (CN VII)",
    "vestibulocochlear_nerve": "Vestibulocochlear nerve (CN VIII)",
    "vessel": "Vessels",
    "lesion": "Lesions",
    "cerebellum": "Cerebellum",
    "bone": "Bone",
    "other": "Other",
}
_ROLE_KIND = {"facial_nerve": "nerve", "vestibulocochlear_nerve": "nerve"}  # DisplayState kinds (bone: see-through)
VESSEL_WORDS = {
    "vertebral": "vertebral artery",
    "basilar": "basilar artery",
    "aica": "AICA",
    "pica": "PICA",
    "sca": "superior cerebellar artery",
    "vein": "vein",
    "other": "vessel",
}


def role_words(s: Structure) -> str:
    """e.g. 'facial nerve', 'vessel: AICA (artery)'."""
    if s.role == "vessel":
        return (
            f"vessel: {VESSEL_WORDS.get(s.vessel_role or 'other', 'vessel')} ({s.kind or vessel_kind(s.vessel_role)})"
        )
    return s.role.replace("_", " ")


def display_structures(case: Case, stats: dict[str, dict] | None = None) -> dict:
    """The case's structures as the display state and the panels know them (group = role).

    `stats` (per structure id: triangles, volume_mm3) adds sizes to the descriptions."""
    out = {}
    for s in case.structures:
        st = (stats or {}).get(s.id, {})
        source = case.sources[s.source] if s.source is not None and s.source < len(case.sources) else None
        bits = [f"Patient structure, {role_words(s)}"]
        if "volume_mm3" in st:
            bits.append(f"{st['volume_mm3']:.0f} mm\u00b3, {st.get('triangles', 0):,} triangles")
        if s.pieces > 1:
            bits.append(f"{s.pieces} separate pieces")
        if source is not None:
            label = f", label {source.label}" if source.label is not None else ""
            bits.append(f"from {source.file}{label} ({source.space})")
        kind = s.kind if s.role == "vessel" else _ROLE_KIND.get(s.role, s.role)
        out[s.id] = StructureInfo(
            id=s.id,
            name=s.name,
            kind=kind or "artery",
            role=s.role,
            group=s.role,
            description="; ".join(bits),
            colour=tuple(int(c) for c in s.colour),
            visible=True,
            triangles=int(st.get("triangles", 0)),
        )
    return out
