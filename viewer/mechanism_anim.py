"""The mechanism animation as data (pure core: numpy only, no Qt, no VTK).

From a scenario's `Findings` and the anatomy, a
`MechanismPlan` says what the mechanism view shows and when; `plan.state_at(t)`
gives one frame (`MechanismState`): impulse positions and kinds, ephaptic sparks,
the demyelination patch's intensity, the facial motor nucleus' glow, the
transition-zone ring's glow and the caption. The render layer
(`viewer.render.mechanism.MechanismView`) only draws states; the GUI drives `t`
from a QTimer, the video export from the frame index.

What is shown (docs/clinical-reference.md section 5; the chain of `analysis._mechanism`):

* CN VII carries `n_fibres` thin fibre polylines on its surface (rotation-
  minimising frames, so they do not twist), and the intra-pontine facial pathway
  runs from the root exit point around the internal genu to the facial motor
  nucleus (`anatomy.facial_pathway_mm`).
* Arterial compression on **central** myelin (``arterial_nvc``; also venous and
  secondary-lesion cases, see below): a demyelination patch appears around the
  contact (the contact run widened by `PATCH_MARGIN_MM`, at least
  ``PATCH_MIN_HALF_MM`` either side, at most ``PATCH_MAX_HALF_MM``, clipped to
  the central myelin, i.e. to the end of the transition zone); **ectopic**
  impulses start at the patch and run orthodromically towards the porus (nerve
  arc increases, Nielsen 1984); **ephaptic** cross-talk sparks jump between
  neighbouring fibres at the patch and start impulses on the neighbour
  (Nielsen 1984, Lefaucheur 2018); **antidromic** impulses run centrally through
  the root exit point and the pathway to the nucleus (Moller & Jannetta 1985),
  which then glows (hyperexcitability) and fires **efferent** volleys back out
  along every fibre (Ferguson 1978).
* Contact on **peripheral** myelin only (``peripheral_nvc``): no patch, no
  impulses; the transition-zone ring glows while the captions explain that
  Schwann-cell myelin distal to the TZ is sturdier (Gupta 2023, Tomii 2003,
  Lacombe 2009) and that the contact is less likely symptomatic (Hughes 2021).
* Venous compression: the same chain, weaker (dimmer patch, fewer impulses), with
  captions on the low pulsatility of veins (Hermier 2018).
* Secondary (tumour, AVM, aneurysm): mass effect; the patch sits at the contact
  when it is on central myelin, else at the transition zone (the stretched root
  exit zone, as the analysis' mechanism says).
* Central (brainstem lesion): no patch; the nucleus glows and fires on its own.
* Post-Bell's palsy: no compression; one command reaches several fibres
  (synkinesis). After a facial nerve injury (``post_trauma``) the same, plus
  ephaptic sparks at the injured end of the nerve (aberrant regeneration and
  cross-talk, Sadjadpour 1975).
* Inflammatory (no compressing vessel): the chain without a compressor and
  without the heart beat: a demyelination patch at the root exit zone's
  transition zone (inflammatory demyelination, Nielsen 1985, Onesti 2016).
* Idiopathic: nothing moves; captions say what to look for.

Timing: one loop of `period_s` (default 12 s, captions about 2 s each so they can
be read aloud); `state_at(t)` depends only on ``t mod period`` (rounded to 1 ns),
so ``state_at(t) == state_at(t + k * period)`` exactly. Every event starts and
ends inside one loop. Impulse speeds are for display (a few cm/s; real facial
motor axons conduct at tens of m/s), which the footnote says.

Building: `fibre_geometry` lays the fibres and the pathway, `CulpritSite` is the
culprit contact read once from the findings, `plan_mode` picks the mode and one
schedule function per mode places the impulses, sparks, captions and glows.

Cost: `state_at` is a few vectorised numpy calls (about 0.1 ms); building a plan
is about 1-3 ms (scripts/benchmarks/bench_mechanism.py measures both).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .anatomy import Anatomy, build_anatomy
from .geometry import arc_lengths, parallel_transport_frames
from .sources import BIBLIOGRAPHY
from .vocabulary import MASS_LESION_KINDS, SEVERITY_WORDS, lesion_phrase, segment_site

__all__ = [
    "IMPULSE_KINDS",
    "PLAN_MODES",
    "DEFAULT_PERIOD_S",
    "Caption",
    "CulpritSite",
    "MechanismPlan",
    "MechanismState",
    "build_mechanism_plan",
    "fibre_geometry",
    "plan_mode",
]

IMPULSE_KINDS = ("ectopic", "ephaptic", "antidromic", "efferent")
# What the view does: "chain" = patch + ectopic/ephaptic/antidromic + nucleus; "peripheral" = still,
# TZ ring glows; "central" = nucleus fires on its own; "synkinesis" = post-Bell's; "none" = nothing moves.
PLAN_MODES = ("chain", "peripheral", "central", "synkinesis", "none")
DEFAULT_PERIOD_S = 12.0
_BASE = 12.0  # the schedule below is written for a 12 s loop and scaled to period_s
N_FIBRES = 6
FIBRE_RADIUS_FACTOR = 1.08  # fibres just outside the nerve surface (drawn over it)
PATCH_MARGIN_MM = 0.5
PATCH_MIN_HALF_MM = 1.0
PATCH_MAX_HALF_MM = 2.5
ORTHO_SPEED = 16.0  # mm/s of display time (real conduction: tens of m/s)
ANTI_TRAVEL_S = 1.6  # antidromic: patch -> nucleus in this long, whatever the distance
EFFERENT_TRAVEL_S = 1.8  # nucleus -> porus
SPARK_S = 0.3
SPARK_POINTS = 9
_PATH_STRIDE = 1000.0  # paths are concatenated on one parameter axis, this far apart
_NOT_ON_NERVE = -1.0e4
FOOTNOTE = "Impulses slowed for display; colours: central myelin blue, transition zone white, peripheral green"


@dataclass(frozen=True)
class Caption:
    """One lecture-hall caption: a short title, one detail line, bibliography keys."""

    title: str
    detail: str
    sources: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.detail}"

    def sources_line(self) -> str:
        return ("Sources: " + ", ".join(self.sources)) if self.sources else ""


@dataclass(frozen=True, eq=False)
class MechanismState:
    """One frame of the mechanism animation (arrays are fresh copies)."""

    t: float  # time within the loop, [0, period)
    step: int  # caption index
    caption: Caption
    points: np.ndarray  # (n, 3) impulse positions, mm
    kinds: np.ndarray  # (n,) str, one of IMPULSE_KINDS
    ids: np.ndarray  # (n,) int: event index, stable over an impulse's flight
    arc_mm: np.ndarray  # (n,) CN VII arc length under the impulse, NaN inside the brainstem
    sparks: np.ndarray  # (m, SPARK_POINTS, 3) polylines of the ephaptic sparks now visible
    spark_ids: np.ndarray  # (m,) int: spark index in the plan's schedule
    spark_strength: np.ndarray  # (m,) 0..1
    patch_intensity: float  # 0..1 (0 when there is no patch)
    nucleus_glow: float  # 0..1
    tz_glow: float  # 0..1: the transition-zone ring pulses (peripheral contact)

    def of_kind(self, kind: str) -> np.ndarray:
        return self.points[self.kinds == kind]


@dataclass(frozen=True, eq=False)
class CulpritSite:
    """The culprit's contact with CN VII as the animation uses it: built once from the findings."""

    id: str  # vessel or lesion id (Findings.culprit)
    source: str  # "vessel" | "lesion"
    label: str
    kind: str  # artery | vein | tumor | ...
    segment: str | None  # RExP | AS | RDP | CP
    myelin: str | None  # central | peripheral
    severity: str
    arc_mm: float  # along CN VII from its brainstem end
    arc_range_mm: tuple[float, float] | None  # extent of the contact run
    point_mm: np.ndarray  # (3,) closest point on the nerve centreline (read-only)

    @property
    def on_central_myelin(self) -> bool:
        return self.myelin == "central"

    @classmethod
    def from_findings(cls, findings) -> CulpritSite | None:
        """The culprit contact of `findings` (viewer.analysis.Findings); None without one on the nerve's arc."""
        c = findings.culprit_contact()
        if c is None or c.arc_mm is None:
            return None
        point = np.asarray(c.nerve_point_mm, float)
        point.setflags(write=False)
        return cls(
            c.id, c.source, c.label, c.kind, c.segment, c.myelin, c.severity, float(c.arc_mm), c.arc_range_mm, point
        )


@dataclass(frozen=True, eq=False)
class MechanismPlan:
    """What the mechanism view shows for one set of findings, and when."""

    mode: str  # one of PLAN_MODES
    kind: str  # the analysis' mechanism kind (arterial_nvc, peripheral_nvc, venous, ...)
    likely_symptomatic: bool
    summary: str  # the analysis' mechanism summary
    culprit: CulpritSite | None  # the culprit's contact with CN VII (None without one)
    patch_arc_mm: tuple[float, float] | None  # demyelination patch along CN VII (central myelin only)
    patch_max: float  # peak patch intensity (weaker for a vein)
    tz_arc_mm: tuple[float, float]
    porus_arc_mm: float
    nerve_radius_mm: float
    nerve_arc_mm: np.ndarray  # (N,) CN VII samples' arc length
    centerline_mm: np.ndarray  # (N, 3) the (possibly deformed) CN VII centreline the fibres follow
    fibres: np.ndarray  # (K, N, 3) fibre polylines on the nerve surface
    fibre_radius_mm: float
    pathway_mm: np.ndarray  # (M, 3) intra-pontine pathway, from the root exit side to the nucleus
    nucleus_mm: np.ndarray
    period_s: float
    captions: tuple[Caption, ...]
    caption_starts: tuple[float, ...]  # seconds within the loop
    footnote: str
    # schedule (private: read through state_at)
    _ev_t0: np.ndarray = field(repr=False)
    _ev_dur: np.ndarray = field(repr=False)
    _ev_path: np.ndarray = field(repr=False)
    _ev_s0: np.ndarray = field(repr=False)
    _ev_s1: np.ndarray = field(repr=False)
    _ev_kind: np.ndarray = field(repr=False)
    _path_g: np.ndarray = field(repr=False)  # concatenated global path parameter
    _path_xyz: np.ndarray = field(repr=False)  # (P, 3) points on it
    _path_arc: np.ndarray = field(repr=False)  # nerve arc at each (or _NOT_ON_NERVE)
    _sp_t0: np.ndarray = field(repr=False)
    _sp_geom: np.ndarray = field(repr=False)  # (S, SPARK_POINTS, 3)
    _patch_keys: tuple[np.ndarray, np.ndarray] = field(repr=False)
    _glow_keys: tuple[np.ndarray, np.ndarray] = field(repr=False)
    _tz_keys: tuple[np.ndarray, np.ndarray] = field(repr=False)
    _throb_beats: int = field(repr=False, default=0)

    # ------------------------------------------------------------------ queries
    @property
    def culprit_id(self) -> str | None:
        return self.culprit.id if self.culprit is not None else None

    @property
    def culprit_source(self) -> str | None:
        return self.culprit.source if self.culprit is not None else None

    @property
    def culprit_label(self) -> str | None:
        return self.culprit.label if self.culprit is not None else None

    @property
    def culprit_myelin(self) -> str | None:
        return self.culprit.myelin if self.culprit is not None else None

    @property
    def culprit_arc_mm(self) -> float | None:
        return self.culprit.arc_mm if self.culprit is not None else None

    @property
    def on_central_myelin(self) -> bool:
        return self.culprit is not None and self.culprit.on_central_myelin

    @property
    def n_fibres(self) -> int:
        return int(self.fibres.shape[0])

    @property
    def has_patch(self) -> bool:
        return self.patch_arc_mm is not None

    @property
    def has_impulses(self) -> bool:
        return bool(self._ev_t0.size)

    @property
    def sources(self) -> tuple[str, ...]:
        out: list[str] = []
        for c in self.captions:
            out += [k for k in c.sources if k not in out]
        return tuple(out)

    def phase(self, t: float) -> float:
        """Time within the loop, [0, period), rounded to 1 ns so that t and t + k period agree exactly."""
        p = round(float(t) % self.period_s, 9)
        return 0.0 if p >= self.period_s else p

    def step_at(self, t: float) -> int:
        return int(np.searchsorted(self.caption_starts, self.phase(t), side="right") - 1)

    def event_kinds(self) -> tuple[str, ...]:
        """Kind of every scheduled impulse (index = `MechanismState.ids`)."""
        return tuple(str(k) for k in self._ev_kind)

    @property
    def spark_geometry(self) -> np.ndarray:
        """(S, SPARK_POINTS, 3): every scheduled spark's polyline (index = `MechanismState.spark_ids`)."""
        return self._sp_geom

    def frame_times(self, n_frames: int, loops: float = 1.0) -> np.ndarray:
        """n frame times evenly spaced over `loops` loops, the last one step short of the end (seamless)."""
        return np.arange(int(n_frames)) * (float(loops) * self.period_s / int(n_frames))

    def state_at(self, t: float) -> MechanismState:
        tau = self.phase(t)
        step = self.step_at(tau)
        # travelling impulses
        live = (self._ev_t0 <= tau) & (tau < self._ev_t0 + self._ev_dur)
        idx = np.flatnonzero(live)
        if idx.size:
            frac = (tau - self._ev_t0[idx]) / self._ev_dur[idx]
            s = self._ev_s0[idx] + frac * (self._ev_s1[idx] - self._ev_s0[idx])
            g = self._ev_path[idx] * _PATH_STRIDE + s
            pts = np.column_stack([np.interp(g, self._path_g, self._path_xyz[:, k]) for k in range(3)])
            arc = np.interp(g, self._path_g, self._path_arc)
            arc = np.where(arc < 0.0, np.nan, arc)
            kinds = self._ev_kind[idx]
        else:
            pts = np.zeros((0, 3))
            arc = np.zeros(0)
            kinds = np.zeros(0, dtype=self._ev_kind.dtype)
        # sparks: a quick flash that fades
        sp = np.flatnonzero((self._sp_t0 <= tau) & (tau < self._sp_t0 + SPARK_S * self._scale))
        strength = 1.0 - (tau - self._sp_t0[sp]) / (SPARK_S * self._scale)
        patch = float(np.interp(tau, *self._patch_keys)) * self.patch_max if self.has_patch else 0.0
        if patch > 0.0 and self._throb_beats:
            # the compression is pulsatile: the patch throbs with the heart beat (whole beats per loop)
            patch *= 0.85 + 0.15 * np.cos(2.0 * np.pi * self._throb_beats * tau / self.period_s)
        return MechanismState(
            t=tau,
            step=step,
            caption=self.captions[step],
            points=pts,
            kinds=kinds,
            ids=idx,
            arc_mm=arc,
            sparks=self._sp_geom[sp].copy(),
            spark_ids=sp,
            spark_strength=strength,
            patch_intensity=float(np.clip(patch, 0.0, 1.0)),
            nucleus_glow=float(np.interp(tau, *self._glow_keys)),
            tz_glow=float(np.interp(tau, *self._tz_keys)),
        )

    @property
    def _scale(self) -> float:
        return self.period_s / _BASE


# --------------------------------------------------------------------------- building
def _interp_rows(x: float, xp: np.ndarray, fp: np.ndarray) -> np.ndarray:
    return np.array([np.interp(x, xp, fp[:, k]) for k in range(fp.shape[1])])


class _Paths:
    """Polylines on one concatenated parameter axis: path p covers [p * STRIDE, p * STRIDE + length]."""

    def __init__(self):
        self.g: list[np.ndarray] = []
        self.xyz: list[np.ndarray] = []
        self.arc: list[np.ndarray] = []

    def add(self, param: np.ndarray, xyz: np.ndarray, arc: np.ndarray) -> int:
        p = len(self.g)
        param = np.asarray(param, float)
        if param.size < 2 or np.any(np.diff(param) <= 0) or param[-1] - param[0] >= _PATH_STRIDE - 1:
            raise ValueError("path parameter must increase and stay shorter than the stride")
        self.g.append(p * _PATH_STRIDE + param)
        self.xyz.append(np.asarray(xyz, float))
        self.arc.append(np.asarray(arc, float))
        return p

    def arrays(self):
        if not self.g:
            return np.array([0.0, 1.0]), np.zeros((2, 3)), np.full(2, _NOT_ON_NERVE)
        return np.concatenate(self.g), np.vstack(self.xyz), np.concatenate(self.arc)


def _dedupe(param: np.ndarray, xyz: np.ndarray, arc: np.ndarray):
    keep = np.concatenate([[True], np.diff(param) > 1e-9])
    return param[keep], xyz[keep], arc[keep]


class _Schedule:
    def __init__(self, scale: float):
        self.k = scale
        self.rows: list[tuple[float, float, int, float, float, str]] = []
        self.sparks: list[tuple[float, np.ndarray]] = []

    def impulse(self, t0: float, dur: float, path: int, s0: float, s1: float, kind: str) -> None:
        if dur <= 0 or s1 == s0:
            return
        self.rows.append((t0 * self.k, dur * self.k, path, s0, s1, kind))

    def spark(self, t0: float, geom: np.ndarray) -> None:
        self.sparks.append((t0 * self.k, geom))


def _keys(points, scale: float) -> tuple[np.ndarray, np.ndarray]:
    t = np.array([p[0] for p in points], float) * scale
    v = np.array([p[1] for p in points], float)
    return t, v


def _patch_extent(arc: float, arc_range, tz_end: float) -> tuple[float, float]:
    lo, hi = (arc, arc) if arc_range is None else (min(arc_range), max(arc_range))
    lo = min(lo - PATCH_MARGIN_MM, arc - PATCH_MIN_HALF_MM)
    hi = max(hi + PATCH_MARGIN_MM, arc + PATCH_MIN_HALF_MM)
    lo = max(lo, arc - PATCH_MAX_HALF_MM, 0.0)
    hi = min(hi, arc + PATCH_MAX_HALF_MM, tz_end)
    if hi - lo < 0.4:  # a contact right at the end of the central myelin: keep a visible patch inside it
        lo = max(0.0, min(lo, tz_end - 0.8))
        hi = tz_end
    return float(lo), float(hi)


def _site(seg: str | None) -> str:
    return segment_site(seg, "facial nerve")


def _cap(title: str, detail: str, *sources: str) -> Caption:
    missing = [k for k in sources if k not in BIBLIOGRAPHY]
    if missing:  # a programming error, caught by the tests
        raise KeyError(f"unknown source keys {missing}")
    return Caption(title, detail, tuple(sources))


def _chain_captions(kind: str, c, plan_patch_at_tz: bool, lesion_word: str | None) -> list[Caption]:
    label = c.label if c is not None else "The compressor"
    seg = c.segment if c is not None else None
    sev = SEVERITY_WORDS.get(c.severity, c.severity) if c is not None else ""
    if kind == "venous":
        first = _cap(
            f"{label} presses on the {_site(seg)}",
            f"A vein \u00b7 {sev} \u00b7 central myelin \u00b7 veins hardly pulsate: rarely the sole cause",
            "hermier-2018",
            "hughes-2021",
        )
    elif kind == "inflammatory":
        first = _cap(
            "Inflammation of the facial nerve: no compression",
            "Demyelination (e.g. multiple sclerosis) or infection (e.g. Lyme disease) irritates the nerve",
            "yaltho-jankovic-2011",
            "marin-collazo-2018",
            "lewitt-2016",
        )
    elif kind == "secondary_lesion":
        first = _cap(
            f"Mass effect: {label} on the {_site(seg)}",
            f"{(lesion_word or 'a mass').capitalize()} compresses, stretches or displaces the nerve"
            + (f" \u00b7 {sev}" if sev else ""),
            "lee-2010",
            "han-2009",
        )
    else:
        first = _cap(
            f"{label} presses on the {_site(seg)}",
            f"Pulsatile arterial compression \u00b7 {sev} \u00b7 central myelin",
            "jannetta-1985",
            "campos-benitez-2008",
        )
    if kind == "inflammatory":
        demyel = _cap(
            "Inflammatory demyelination at the root exit zone",
            "Central myelin up to the transition zone loses its insulation",
            "nielsen-1985",
            "onesti-2016",
            "telischi-1991",
        )
    elif plan_patch_at_tz:
        demyel = _cap(
            "The stretched root exit zone demyelinates",
            "Central myelin up to the transition zone is the weak spot (locus minoris resistentiae)",
            "lacombe-2009",
            "tomii-2003",
        )
    else:
        demyel = _cap(
            "Focal demyelination at the contact",
            "Central (oligodendrocyte) myelin, no epineurium: a locus minoris resistentiae",
            "nielsen-1985",
            "lacombe-2009",
            "tomii-2003",
        )
    if kind == "venous":
        last_detail = "Possible, but less likely from a vein alone: look for an arterial co-offender"
        last_src = ("moller-jannetta-1985", "hermier-2018")
    elif kind == "inflammatory":
        last_detail = "Treat the inflammation; MVD is not indicated without a compressing vessel"
        last_src = ("lewitt-2016", "marin-collazo-2018")
    elif kind == "secondary_lesion":
        last_detail = "Treat the lesion: removing the mass decompresses the nerve"
        last_src = ("moller-jannetta-1985", "lee-2010")
    else:
        last_detail = f"Synchronous discharges drive the whole hemiface: the spasm (MVD moves the {label})"
        last_src = ("moller-jannetta-1985", "ferguson-1978")
    return [
        first,
        demyel,
        _cap(
            "Ectopic impulses arise at the bare axons",
            "They run orthodromically towards the face: twitches without a command",
            "nielsen-1984",
        ),
        _cap(
            "Ephaptic cross-talk between fibres",
            "An impulse jumps to its neighbours: one branch drives another (lateral spread)",
            "nielsen-1984",
            "lefaucheur-2018",
        ),
        _cap(
            "Antidromic impulses run back to the facial motor nucleus",
            "Through the root exit point and around the internal genu, inside the pons",
            "moller-jannetta-1985",
            "nielsen-1985",
        ),
        _cap("The nucleus becomes hyperexcitable and fires back", last_detail, *last_src),
    ]


def plan_mode(kind: str, culprit: CulpritSite | None) -> str:
    """What the view does for an analysis mechanism kind (one of PLAN_MODES)."""
    mode = _MODE_OF_KIND.get(kind, "none")
    return "none" if mode == "peripheral" and culprit is None else mode


_MODE_OF_KIND = {
    "arterial_nvc": "chain",
    "venous": "chain",
    "secondary_lesion": "chain",
    "peripheral_nvc": "peripheral",
    "central": "central",
    "post_bells": "synkinesis",
    "post_trauma": "synkinesis",
    "inflammatory": "chain",
}


@dataclass(frozen=True, eq=False)
class _FibreGeometry:
    """CN VII's fibres and the intra-pontine pathway, everything the schedules route impulses along."""

    arc: np.ndarray  # (N,) CN VII samples' arc length
    centre: np.ndarray  # (N, 3) centreline the fibres follow
    nrm: np.ndarray  # (N, 3) rotation-minimising frame
    bin_: np.ndarray
    theta: np.ndarray  # (K,) fibre angles around the nerve
    fibres: np.ndarray  # (K, N, 3)
    radius: float  # nerve radius
    fibre_radius: float
    pathway: np.ndarray  # (M, 3) nucleus -> root exit side
    central_way: np.ndarray  # (M, 3) root exit side -> nucleus
    nucleus: np.ndarray
    tz0: float
    tz1: float
    porus_arc: float

    @property
    def n_fibres(self) -> int:
        return len(self.theta)

    @property
    def end_arc(self) -> float:
        return float(self.arc[-1])


def fibre_geometry(anatomy: Anatomy, centerline_mm=None, n_fibres: int = N_FIBRES) -> _FibreGeometry:
    """`n_fibres` fibre polylines just outside CN VII's surface (rotation-minimising frames, so they
    do not twist) along `centerline_mm` (None: the anatomy's), and the pathway to the nucleus."""
    fn = anatomy.facial_nerve
    arc = np.asarray(fn.arc_mm, float)
    centre = np.array(fn.points_mm if centerline_mm is None else centerline_mm, dtype=float)  # a copy: frozen below
    if centre.shape != fn.points_mm.shape or not np.isfinite(centre).all():
        raise ValueError(f"centerline_mm must be a finite {fn.points_mm.shape} array, got {centre.shape}")
    K = int(n_fibres)
    R = float(fn.radius_mm)
    Rf = FIBRE_RADIUS_FACTOR * R
    _, nrm, bin_ = parallel_transport_frames(centre)
    theta = 2.0 * np.pi * (np.arange(K) + 0.25) / K
    fibres = centre[None] + Rf * (np.cos(theta)[:, None, None] * nrm[None] + np.sin(theta)[:, None, None] * bin_[None])
    nucleus = np.asarray(anatomy.landmarks["facial_motor_nucleus"], float)
    pathway = np.asarray(anatomy.facial_pathway_mm, float)
    if np.linalg.norm(pathway[0] - nucleus) > 1e-6:
        pathway = np.vstack([nucleus, pathway])
    central_way = pathway[::-1].copy()  # root exit side -> nucleus
    tz0, tz1 = (float(v) for v in fn.tz_arc_mm)
    return _FibreGeometry(
        arc, centre, nrm, bin_, theta, fibres, R, Rf, pathway, central_way, nucleus, tz0, tz1, float(fn.porus_arc_mm)
    )


class _Routes:
    """Impulse paths on the fibres and the pathway, added to one `_Paths` axis as the schedules ask for them."""

    def __init__(self, geo: _FibreGeometry):
        self.geo = geo
        self.paths = _Paths()

    def fibre(self, f: int) -> int:
        """Fibre f from the root exit point to the end of the nerve."""
        g = self.geo
        return self.paths.add(g.arc, g.fibres[f], g.arc)

    def central(self, f: int, a0: float) -> tuple[int, float]:
        """Fibre f from arc a0 down to the root exit point, then the pathway to the nucleus."""
        g = self.geo
        sel = g.arc < a0
        nerve_pts = np.vstack([_interp_rows(a0, g.arc, g.fibres[f]), g.fibres[f][sel][::-1]])
        nerve_arc = np.concatenate([[a0], g.arc[sel][::-1]])
        xyz = np.vstack([nerve_pts, g.central_way])
        on = np.concatenate([nerve_arc, np.full(len(g.central_way), _NOT_ON_NERVE)])
        param, xyz, on = _dedupe(arc_lengths(xyz), xyz, on)
        return self.paths.add(param, xyz, on), float(param[-1])

    def efferent(self, f: int) -> tuple[int, float]:
        """From the nucleus down the pathway, out along fibre f to the end of the nerve."""
        g = self.geo
        xyz = np.vstack([g.pathway, g.fibres[f]])
        on = np.concatenate([np.full(len(g.pathway), _NOT_ON_NERVE), g.arc])
        param, xyz, on = _dedupe(arc_lengths(xyz), xyz, on)
        return self.paths.add(param, xyz, on), float(param[-1])


_FLAT = ((0.0, 0.0), (_BASE, 0.0))


@dataclass
class _Timeline:
    """What one mode schedules besides the impulses: captions, the patch and the glows (times in the 12 s loop)."""

    captions: list[Caption]
    caption_starts: list[float]
    patch: tuple[float, float] | None = None  # demyelination patch along CN VII
    patch_max: float = 1.0
    throb_beats: int = 0
    patch_keys: tuple = _FLAT
    glow_keys: tuple = _FLAT
    tz_keys: tuple = _FLAT


def _efferent_volleys(sched: _Schedule, routes: _Routes, volleys) -> None:
    """Efferent impulses from the nucleus: (start time, fibres) per volley."""
    for t0, fs in volleys:
        for f in fs:
            p, L = routes.efferent(f)
            sched.impulse(t0, EFFERENT_TRAVEL_S, p, 0.0, L, "efferent")


def _chain_schedule(sched: _Schedule, routes: _Routes, kind: str, c: CulpritSite | None, classification) -> _Timeline:
    """Compression on central myelin: patch, ectopic and ephaptic impulses, antidromic drive, the nucleus fires."""
    g = routes.geo
    K = g.n_fibres
    if c is not None and c.on_central_myelin:
        site_arc = c.arc_mm
        patch = _patch_extent(site_arc, c.arc_range_mm, g.tz1)
        patch_at_tz = False
    else:  # lesion beyond the central myelin (or inflammation): the stretched / inflamed TZ demyelinates
        site_arc = 0.5 * (g.tz0 + g.tz1)
        patch = _patch_extent(site_arc, None, g.tz1)
        patch_at_tz = True
    site_arc = float(np.clip(site_arc, patch[0], patch[1]))
    weak = kind == "venous"
    lesion_word = None
    if kind == "secondary_lesion":
        lesion_word = lesion_phrase(t for t in MASS_LESION_KINDS if t in classification) or None
    fib = [routes.fibre(f) for f in range(K)]
    end_arc = g.end_arc
    ortho_dur = (end_arc - site_arc) / ORTHO_SPEED
    # ectopic impulses: a first salvo while the caption introduces them, then background firing
    order = [(2 * i) % K if i < (K + 1) // 2 else (2 * i + 1) % K for i in range(K)]
    first = [3.7 + 0.32 * i for i in range(5)]
    background = list(np.arange(5.9, 10.35, 0.9 if weak else 0.55))
    for i, t0 in enumerate(first + background):
        if weak and i % 2 and i < len(first):
            continue
        f = order[i % K]
        sched.impulse(t0, ortho_dur, fib[f], site_arc, end_arc, "ectopic")
    # ephaptic sparks from fibre i to a neighbour; the neighbour then fires orthodromically
    spark_times = [5.7, 6.05, 6.4, 6.75, 7.1] + ([8.3, 9.5] if not weak else [])
    for j, t0 in enumerate(spark_times):
        f0 = order[j % K]
        f1 = (f0 + (1 if j % 2 == 0 else -1)) % K
        s_arc = float(np.clip(site_arc + (0.35 if j % 2 else -0.35), patch[0], patch[1]))
        sched.spark(
            t0, _spark_geometry(g.centre, g.nrm, g.bin_, g.arc, s_arc, g.theta[f0], g.theta[f1], g.fibre_radius)
        )
        sched.impulse(t0 + SPARK_S * 0.6, (end_arc - s_arc) / ORTHO_SPEED, fib[f1], s_arc, end_arc, "ephaptic")
    # antidromic impulses to the nucleus
    anti_starts = [7.4, 7.6, 7.8] if not weak else [7.5, 7.9]
    for j, t0 in enumerate(anti_starts):
        p, L = routes.central(order[(2 * j) % K], site_arc)
        sched.impulse(t0, ANTI_TRAVEL_S, p, 0.0, L, "antidromic")
    arrive = anti_starts[0] + ANTI_TRAVEL_S
    # the nucleus lights up, then fires back along every fibre
    _efferent_volleys(sched, routes, [(t0, range(K)) for t0 in (arrive + 0.55, arrive + 0.95)])
    return _Timeline(
        captions=_chain_captions(kind, c, patch_at_tz, lesion_word),
        caption_starts=[0.0, 1.8, 3.6, 5.6, 7.4, 9.4],
        patch=patch,
        patch_max=0.55 if weak else 1.0,
        throb_beats=0 if weak or kind in ("secondary_lesion", "inflammatory") else 14,  # 70 bpm over the 12 s loop
        patch_keys=((0.0, 0.0), (0.3, 0.0), (1.6, 1.0), (11.3, 1.0), (_BASE, 0.0)),
        glow_keys=((0.0, 0.0), (arrive, 0.0), (arrive + 0.4, 1.0), (11.2, 1.0), (11.9, 0.0), (_BASE, 0.0)),
    )


def _peripheral_schedule(sched: _Schedule, routes: _Routes, kind: str, c: CulpritSite, classification) -> _Timeline:
    """Contact on peripheral myelin only: nothing fires, the transition-zone ring glows."""
    return _Timeline(
        captions=_peripheral_captions(c, routes.geo.tz0, routes.geo.tz1),
        caption_starts=[0.0, 3.0, 6.0, 9.0],
        tz_keys=(
            (0.0, 0.0),
            (2.6, 0.0),
            (3.2, 1.0),
            (4.4, 0.5),
            (5.0, 1.0),
            (6.2, 0.5),
            (6.8, 1.0),
            (8.6, 1.0),
            (9.4, 0.35),
            (11.6, 0.35),
            (_BASE, 0.0),
        ),
    )


def _central_schedule(sched: _Schedule, routes: _Routes, kind: str, c: CulpritSite | None, classification) -> _Timeline:
    """Brainstem lesion: no patch; the nucleus glows and fires on its own."""
    K = routes.geo.n_fibres
    _efferent_volleys(sched, routes, [(t0, range(K)) for t0 in (2.2, 5.0, 6.2, 7.4, 8.3, 9.0, 9.7)])
    return _Timeline(
        captions=[
            _cap(
                "Brainstem lesion at the facial motor nucleus",
                "e.g. a multiple sclerosis plaque, a lacune or a tumour: no nerve compression",
                "marin-collazo-2018",
                "yaltho-jankovic-2011",
            ),
            _cap(
                "The facial motor neurones become hyperexcitable",
                "Loss of inhibition or irritation at the nucleus itself",
                "moller-jannetta-1985",
                "ferguson-1978",
            ),
            _cap(
                "The nucleus fires on its own, in synchrony",
                "Spasm without neurovascular compression: MVD is not indicated",
                "marin-collazo-2018",
                "simpson-2008-aan",
            ),
        ],
        caption_starts=[0.0, 4.0, 8.0],
        glow_keys=((0.0, 0.0), (1.0, 0.35), (3.5, 0.5), (4.4, 1.0), (11.2, 1.0), (11.9, 0.0), (_BASE, 0.0)),
    )


# The nucleus flickers with each synkinetic volley (after Bell's palsy or a nerve injury alike).
_SYNKINESIS_GLOW = (
    (0.0, 0.0),
    (1.4, 0.0),
    (1.6, 0.4),
    (2.2, 0.0),
    (4.5, 0.0),
    (4.7, 0.4),
    (5.3, 0.0),
    (8.1, 0.0),
    (8.3, 0.4),
    (8.9, 0.0),
    (9.6, 0.0),
    (9.8, 0.4),
    (10.4, 0.0),
    (_BASE, 0.0),
)


def _synkinesis_schedule(
    sched: _Schedule, routes: _Routes, kind: str, c: CulpritSite | None, classification
) -> _Timeline:
    """Post-Bell's palsy: one command reaches one fibre, then several (synkinesis); after an injury
    (post_trauma) also ephaptic sparks where the injured fibres lie bare, at the distal end of the nerve."""
    K = routes.geo.n_fibres
    _efferent_volleys(sched, routes, [(1.5, [0]), (4.6, [0]), (8.2, range(K)), (9.7, range(K))])
    if kind == "post_trauma":
        return _injury_timeline(sched, routes)
    return _Timeline(
        captions=[
            _cap(
                "After Bell's palsy: no compression here",
                "The palsy damaged the facial nerve's fibres",
                "yaltho-jankovic-2011",
            ),
            _cap(
                "Regenerating axons grew into the wrong branches",
                "Aberrant regeneration: fibres now reach other muscles",
                "yaltho-jankovic-2011",
            ),
            _cap(
                "One command now moves several muscle groups",
                "Synkinesis mimics hemifacial spasm; MVD is not indicated",
                "yaltho-jankovic-2011",
                "simpson-2008-aan",
            ),
        ],
        caption_starts=[0.0, 4.0, 8.0],
        glow_keys=_SYNKINESIS_GLOW,
    )


def _injury_timeline(sched: _Schedule, routes: _Routes) -> _Timeline:
    """Ephaptic sparks near the nerve's distal end (the injury lies beyond the model, in the temporal
    bone or the face), each starting an impulse on the neighbouring fibre; the synkinesis volleys stay."""
    g = routes.geo
    K = g.n_fibres
    end_arc = g.end_arc
    fib = [routes.fibre(f) for f in range(K)]
    for j, t0 in enumerate((6.2, 6.6, 7.0, 7.4)):
        f0 = (2 * j) % K
        f1 = (f0 + 1) % K
        s_arc = end_arc - 2.5 + 0.4 * (j % 2)
        sched.spark(
            t0, _spark_geometry(g.centre, g.nrm, g.bin_, g.arc, s_arc, g.theta[f0], g.theta[f1], g.fibre_radius)
        )
        sched.impulse(t0 + SPARK_S * 0.6, (end_arc - s_arc) / ORTHO_SPEED, fib[f1], s_arc, end_arc, "ephaptic")
    return _Timeline(
        captions=[
            _cap(
                "After a facial nerve injury: no compression here",
                "A blow, a fracture or surgery damaged the nerve's fibres",
                "yaltho-jankovic-2011",
                "shimizu-2005",
            ),
            _cap(
                "Regenerating axons grew into the wrong branches",
                "Aberrant regeneration: fibres now reach other muscles",
                "sadjadpour-1975",
                "yaltho-jankovic-2011",
            ),
            _cap(
                "Ephaptic cross-talk at the injured fibres",
                "Impulses jump between poorly insulated fibres: an 'artificial synapse'",
                "sadjadpour-1975",
            ),
            _cap(
                "One command now moves several muscle groups",
                "Secondary hemifacial spasm: botulinum toxin; MVD is not indicated",
                "yaltho-jankovic-2011",
                "simpson-2008-aan",
            ),
        ],
        caption_starts=[0.0, 3.0, 6.0, 9.0],
        glow_keys=_SYNKINESIS_GLOW,
    )


def _still_schedule(sched: _Schedule, routes: _Routes, kind: str, c: CulpritSite | None, classification) -> _Timeline:
    """No compression mechanism: nothing moves; the captions say what to look for."""
    if c is None:
        captions = [
            _cap(
                "No vessel or lesion touches CN VII",
                "No neurovascular compression in this scene: nothing to animate",
                "traylor-2021",
            ),
            _cap(
                "Image the cerebellopontine angle",
                "Thin-slice T2 (CISS/FIESTA) and TOF: an artery touches on ~98 % of symptomatic sides",
                "traylor-2021",
                "hughes-2021",
            ),
            _cap(
                "Exclude secondary causes",
                "CPA tumour, vascular malformation, brainstem lesion, prior Bell's palsy",
                "tan-2002",
                "yaltho-jankovic-2011",
            ),
        ]
    else:  # a contact the analysis does not call a compression mechanism (e.g. CN VIII only)
        captions = [
            _cap(
                f"{c.label} touches the {_site(c.segment)}",
                "The analysis names no compression mechanism for it: nothing to animate",
            )
        ]
    return _Timeline(captions=captions, caption_starts=[0.0, 4.0, 8.0][: len(captions)])


_SCHEDULES = {
    "chain": _chain_schedule,
    "peripheral": _peripheral_schedule,
    "central": _central_schedule,
    "synkinesis": _synkinesis_schedule,
    "none": _still_schedule,
}


@dataclass(frozen=True)
class SchematicAnatomy:
    """What the mechanism plan reads of an anatomy, for a patient case: the patient's own facial
    nerve, and the model's facial motor nucleus and intra-pontine pathway placed schematically at
    the patient's root exit point (an MRI segmentation shows neither; the model's offset from its
    own root exit point, on the case's side, stands in: a teaching picture, not the patient's)."""

    facial_nerve: object
    landmarks: dict
    facial_pathway_mm: np.ndarray


def schematic_anatomy(anatomy, side: str = "left") -> SchematicAnatomy:
    from .anatomy import build_anatomy

    model = build_anatomy(side)
    shift = np.asarray(anatomy.facial_nerve.points_mm[0], float) - np.asarray(model.facial_nerve.points_mm[0], float)
    pathway = np.asarray(model.facial_pathway_mm, float) + shift
    nucleus = np.asarray(model.landmarks["facial_motor_nucleus"], float) + shift
    return SchematicAnatomy(anatomy.facial_nerve, {**anatomy.landmarks, "facial_motor_nucleus": nucleus}, pathway)


def build_mechanism_plan(
    findings,
    anatomy: Anatomy | None = None,
    *,
    centerline_mm=None,
    period_s: float = DEFAULT_PERIOD_S,
    n_fibres: int = N_FIBRES,
) -> MechanismPlan:
    """The mechanism animation for `findings` (viewer.analysis.Findings).

    centerline_mm: the CN VII centreline the fibres follow (N x 3, the anatomy's samples; pass the
        deformed centreline, `NerveDeformation.centerline`, to keep them on a deviated nerve); None
        uses the anatomy's.
    period_s: length of one loop (the schedule is written for 12 s and scaled).
    """
    if not period_s > 0:
        raise ValueError(f"period must be positive, got {period_s}")
    if not 2 <= int(n_fibres) <= 16:
        raise ValueError(f"n_fibres {n_fibres} outside 2-16")
    geo = fibre_geometry(anatomy if anatomy is not None else build_anatomy(), centerline_mm, n_fibres)
    m = findings.mechanism
    culprit = CulpritSite.from_findings(findings)
    mode = plan_mode(m.kind, culprit)
    k = float(period_s) / _BASE
    sched = _Schedule(k)
    routes = _Routes(geo)
    tl = _SCHEDULES[mode](sched, routes, m.kind, culprit, findings.classification)

    g, xyz, parc = routes.paths.arrays()
    rows = sched.rows
    ev = (np.array([r[i] for r in rows], float) for i in range(5)) if rows else (np.zeros(0) for _ in range(5))
    t0s, durs, pth, s0s, s1s = ev
    kinds = np.array([r[5] for r in rows], dtype="<U10") if rows else np.zeros(0, dtype="<U10")
    if sched.sparks:
        sp_t0 = np.array([s[0] for s in sched.sparks])
        sp_geom = np.stack([s[1] for s in sched.sparks])
    else:
        sp_t0 = np.zeros(0)
        sp_geom = np.zeros((0, SPARK_POINTS, 3))
    for arr in (geo.centre, geo.fibres, geo.pathway, g, xyz, parc, sp_geom):
        arr.setflags(write=False)
    return MechanismPlan(
        mode=mode,
        kind=m.kind,
        likely_symptomatic=bool(m.likely_symptomatic),
        summary=m.summary,
        culprit=culprit,
        patch_arc_mm=tl.patch,
        patch_max=tl.patch_max,
        tz_arc_mm=(geo.tz0, geo.tz1),
        porus_arc_mm=geo.porus_arc,
        nerve_radius_mm=geo.radius,
        nerve_arc_mm=geo.arc,
        centerline_mm=geo.centre,
        fibres=geo.fibres,
        fibre_radius_mm=geo.fibre_radius,
        pathway_mm=geo.central_way,
        nucleus_mm=geo.nucleus,
        period_s=float(period_s),
        captions=tuple(tl.captions),
        caption_starts=tuple(float(s) * k for s in tl.caption_starts),
        footnote=FOOTNOTE,
        _ev_t0=t0s,
        _ev_dur=durs,
        _ev_path=pth.astype(int),
        _ev_s0=s0s,
        _ev_s1=s1s,
        _ev_kind=kinds,
        _path_g=g,
        _path_xyz=xyz,
        _path_arc=parc,
        _sp_t0=sp_t0,
        _sp_geom=sp_geom,
        _patch_keys=_keys(tl.patch_keys, k),
        _glow_keys=_keys(tl.glow_keys, k),
        _tz_keys=_keys(tl.tz_keys, k),
        _throb_beats=tl.throb_beats,
    )


def _peripheral_captions(c, tz0: float, tz1: float) -> list[Caption]:
    sev = SEVERITY_WORDS.get(c.severity, c.severity)
    return [
        _cap(
            f"{c.label} touches the {_site(c.segment)}",
            f"{sev.capitalize()} \u00b7 {c.arc_mm:.1f} mm out, beyond the transition zone ({tz0:.0f}-{tz1:.1f} mm)",
            "tomii-2003",
            "haller-2016",
        ),
        _cap(
            "Here the myelin is peripheral: Schwann cells",
            "Central (oligodendrocyte) myelin ends at the transition zone, ~3.7 mm into the cisternal nerve",
            "gupta-2023",
            "tomii-2003",
        ),
        _cap(
            "Sturdier than the root exit zone",
            "The transition zone is the locus minoris resistentiae; > 80 % of compressions hit central myelin",
            "lacombe-2009",
            "tomii-2003",
        ),
        _cap(
            "Less likely symptomatic",
            "Distal contacts are common without spasm (44-53 % of sides): look for a root exit zone contact",
            "hughes-2021",
            "deep-2016",
        ),
    ]


def _spark_geometry(centre, nrm, bin_, arc, s_arc: float, th0: float, th1: float, Rf: float) -> np.ndarray:
    """A jagged arc from fibre angle th0 to th1 at nerve arc s_arc, bulging outwards (a 'spark')."""
    c = _interp_rows(s_arc, arc, centre)
    n = _interp_rows(s_arc, arc, nrm)
    b = _interp_rows(s_arc, arc, bin_)
    d = (th1 - th0 + np.pi) % (2 * np.pi) - np.pi  # the short way round
    u = np.linspace(0.0, 1.0, SPARK_POINTS)
    th = th0 + d * u
    zig = np.where(np.arange(SPARK_POINTS) % 2 == 1, 0.35, -0.1) * np.sin(np.pi * u)
    r = Rf * (1.0 + 1.1 * np.sin(np.pi * u) + zig)
    return c[None] + r[:, None] * (np.cos(th)[:, None] * n[None] + np.sin(th)[:, None] * b[None])
