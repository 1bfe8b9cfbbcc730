"""Compression analysis: contacts, severity, classification, culprit, mechanism.

Pure core (numpy only; no Qt, no VTK). ``analyze(scenario)`` is called by the
GUI on every mouse move, so it works on capsule chains: every nerve and vessel
is a polyline centreline plus one radius, and the surface gap between two
capsule chains is *exactly* the closest centreline distance minus both radii
(docs/design-notes.md, "Geometry: contact and depth"). Speed comes from
a prefilter (bounding box, then a nearest-sample search built once per anatomy
on the nerve samples, then a small exact ball test) so that the exact
segment-segment distance (``geometry.segment_distances``) only runs on the few
segment pairs that can touch. The nearest-sample search is ``nearest.NearestPoints``
(pure numpy, the same distances as scipy's cKDTree, which it replaced: scipy cost
the frozen build ~53 MB). Each vessel's spline course is cached on its handle tuple.

Definitions (``docs/clinical-reference.md`` sections 6-7; all thresholds
in ``Thresholds`` are configurable):

* contact: surface gap <= 0.1 mm; ``penetration_mm = max(0, -gap_mm)`` measured
  into the undeformed nerve;
* severity with nerve diameter D: ``mild`` (contact without indentation)
  penetration <= 0.1 D; ``moderate`` (indentation) <= 0.5 D; ``severe``
  (deviation of the nerve course) beyond (Campos-Benitez & Kaufmann 2008 grade
  names; numeric cut-offs are the project's own [S], since published grading is
  visual);
* one vessel can make several contacts: contiguous runs of nerve arc where the
  gap is <= the contact threshold are separate contacts (a looping AICA touching
  both the root exit zone and the cisternal portion gives ``double``).

Lesions are ellipsoids (``sdf.ellipsoid``, exact for spheres and on the surface)
tested against the nerve samples (0.2 mm apart on CN VII).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

from . import decompression, sdf
from .anatomy import Anatomy, build_anatomy
from .geometry import segment_distances
from .nearest import NearestPoints
from .scenario import Lesion, Scenario, Vessel, vessel_course
from .sources import BIBLIOGRAPHY
from .thresholds import DEFAULT_THRESHOLDS, Thresholds, severity_for  # shared with the deformation; re-exported
from .vocabulary import (
    COMBINED_NOTES,
    CONTACT_NOTES,
    HISTORY_TAGS,
    MASS_LESION_KINDS,
    MECHANISM_TEXTS,
    PROJECT_SOURCE,
    REZ_SEGMENTS,
    SEVERITIES,
    TAGS,
    Note,
    lesion_phrase,
    segment_site,
)

__all__ = [
    "Thresholds",
    "DEFAULT_THRESHOLDS",
    "Contact",
    "VesselContact",
    "Mechanism",
    "Findings",
    "TAGS",
    "SEVERITIES",
    "analyze",
    "format_report",
    "severity_for",
    "clear_caches",
    "mechanism_kind",
    "mechanism_fields",
    "combined_notes",
]

CN7 = "CN VII"
CN8 = "CN VIII"


# --------------------------------------------------------------------------- results


def _r(v: float, nd: int = 3) -> float:
    return float(round(float(v), nd)) + 0.0  # + 0.0 turns -0.0 into 0.0


@dataclass(frozen=True)
class Contact:
    """One contact of a vessel or lesion with CN VII or CN VIII, at its deepest point."""

    source: str  # "vessel" | "lesion"
    id: str
    label: str
    role: str  # vessel role; "lesion" for lesions
    kind: str  # artery | vein | tumor | avm | aneurysm | brainstem_lesion
    structure: str  # "CN VII" | "CN VIII"
    segment: str | None  # RExP | AS | RDP | CP (CN VII only)
    myelin: str | None  # central | peripheral (CN VII only)
    arc_mm: float | None  # arc length along the nerve from its brainstem end
    gap_mm: float
    penetration_mm: float
    severity: str
    side: str | None  # rostral | caudal | anterior | posterior: side of the nerve pressed
    nerve_point_mm: tuple[float, float, float]  # closest point on the nerve centreline
    other_point_mm: tuple[float, float, float]  # closest point on the vessel centreline / lesion centre
    arc_range_mm: tuple[float, float] | None = None  # extent of the contact run along the nerve

    def to_dict(self) -> dict:
        d = {
            self.source: self.id,
            "role": self.role,
            "kind": self.kind,
            "structure": self.structure,
            "segment": self.segment,
            "myelin": self.myelin,
            "arc_mm": None if self.arc_mm is None else _r(self.arc_mm),
            "gap_mm": _r(self.gap_mm),
            "penetration_mm": _r(self.penetration_mm),
            "severity": self.severity,
            "side": self.side,
            # extra keys (allowed by the contract): for markers in the viewer
            "label": self.label,
            "nerve_point_mm": [_r(v) for v in self.nerve_point_mm],
            "other_point_mm": [_r(v) for v in self.other_point_mm],
        }
        if self.arc_range_mm is not None:
            d["arc_range_mm"] = [_r(v) for v in self.arc_range_mm]
        return d

    def describe(self) -> str:
        parts = [f"{self.label} -> {segment_site(self.segment, self.structure)}", self.severity]
        if self.myelin:
            parts.append(f"{self.myelin} myelin")
        parts.append(f"gap {self.gap_mm:+.2f} mm".replace("+", "" if self.gap_mm < 0 else "+"))
        if self.side:
            parts.append(f"{self.side} side")
        if self.arc_mm is not None:
            parts.append(f"arc {self.arc_mm:.1f} mm")
        return " \u00b7 ".join(parts)


@dataclass(frozen=True)
class VesselContact:
    """Vessel-vessel contact (used for tandem compression)."""

    a: str
    b: str
    gap_mm: float
    point_mm: tuple[float, float, float]

    def to_dict(self) -> dict:
        return {"a": self.a, "b": self.b, "gap_mm": _r(self.gap_mm), "point_mm": [_r(v) for v in self.point_mm]}


@dataclass(frozen=True)
class Mechanism:
    kind: str  # one of vocabulary.MECHANISM_KINDS
    summary: str
    steps: tuple[str, ...]
    myelin: str | None
    likely_symptomatic: bool
    management: tuple[str, ...]
    sources: tuple[str, ...]
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {
            "summary": self.summary,
            "steps": list(self.steps),
            "myelin": self.myelin,
            "likely_symptomatic": self.likely_symptomatic,
            "management": list(self.management),
            "sources": list(self.sources),
            "kind": self.kind,
            "notes": list(self.notes),
        }


def _copy_block(block: dict) -> dict:
    """A deep enough copy of the decompression block (lists of dicts) for a caller to own."""
    return {
        k: ([dict(x) for x in v] if isinstance(v, list) else dict(v) if isinstance(v, dict) else v)
        for k, v in block.items()
    }


@dataclass(frozen=True)
class Findings:
    contacts: tuple[Contact, ...]
    lesion_contacts: tuple[Contact, ...]
    classification: tuple[str, ...]
    culprit: str | None
    mechanism: Mechanism
    vessel_contacts: tuple[VesselContact, ...] = ()
    thresholds: Thresholds = field(default=DEFAULT_THRESHOLDS)
    # lesions at the facial motor nucleus or its intra-pontine pathway (the brainstem_lesion tag):
    # they touch no nerve, yet they are a finding's cause and need a label of their own
    central_lesions: tuple[str, ...] = ()
    side: str = "left"  # the patient side of the scenario (not a contact's side of the nerve)
    # the surgeon's corridor: {"retraction_mm", "rez_visible_fraction"} when the scenario has one and
    # the caller asked (viewer.corridor.with_corridor); analyze() itself never traces rays
    corridor: dict | None = None
    # the MVD plan's check (formats-v2.md section 2; viewer.decompression): None without pads and slings
    decompression: dict | None = None

    def to_dict(self) -> dict:
        return {
            "side": self.side,
            "contacts": [c.to_dict() for c in self.contacts],
            "lesion_contacts": [c.to_dict() for c in self.lesion_contacts],
            "classification": list(self.classification),
            "culprit": self.culprit,
            "mechanism": self.mechanism.to_dict(),
            "tandem_contacts": [v.to_dict() for v in self.vessel_contacts],
            "central_lesions": list(self.central_lesions),
            "corridor": None if self.corridor is None else dict(self.corridor),
            "decompression": None if self.decompression is None else _copy_block(self.decompression),
        }

    @property
    def all_contacts(self) -> tuple[Contact, ...]:
        return self.contacts + self.lesion_contacts

    def culprit_contact(self) -> Contact | None:
        return _rank(self.all_contacts)[0] if self.culprit is not None else None


# --------------------------------------------------------------------------- prepared geometry


class _Chain:
    """A capsule chain prepared for queries: samples, segments, nearest-sample search, local frames."""

    def __init__(self, name: str, points: np.ndarray, radius: float, arc: np.ndarray | None = None):
        p = np.ascontiguousarray(points, dtype=float)
        self.name = name
        self.pts = p
        self.radius = float(radius)
        self.a0 = p[:-1]
        self.a1 = p[1:]
        d = self.a1 - self.a0
        seg_len = np.linalg.norm(d, axis=1)
        self.seg_len = seg_len
        self.arc = np.concatenate([[0.0], np.cumsum(seg_len)]) if arc is None else np.asarray(arc, float)
        self.half = float(seg_len.max() / 2) if len(seg_len) else 0.0
        self.lo = p.min(axis=0)
        self.hi = p.max(axis=0)
        self.near = NearestPoints(p)  # scipy's cKDTree before (frozen build size budget: no scipy)
        self.n = len(p)
        self.mid = 0.5 * (self.a0 + self.a1)
        tan = d / np.maximum(seg_len, 1e-12)[:, None]
        self.tan = tan
        self._frames: tuple[np.ndarray, np.ndarray] | None = None

    def frames(self) -> tuple[np.ndarray, np.ndarray]:
        """Per-segment unit 'anterior' and 'rostral' directions perpendicular to the tangent."""
        if self._frames is None:
            t = self.tan
            y = np.array([0.0, 1.0, 0.0])
            z = np.array([0.0, 0.0, 1.0])
            ant = y - (t @ y)[:, None] * t
            an = np.linalg.norm(ant, axis=1)
            sup = z - (t @ z)[:, None] * t
            ant_u = ant / np.maximum(an, 1e-12)[:, None]
            sup = sup - np.einsum("ij,ij->i", sup, ant_u)[:, None] * ant_u
            sn = np.linalg.norm(sup, axis=1)
            self._frames = (ant / np.maximum(an, 1e-12)[:, None], sup / np.maximum(sn, 1e-12)[:, None])
        return self._frames

    def side(self, k: int, direction: np.ndarray) -> str | None:
        """Which side of the nerve a direction (nerve -> presser) points to, at segment k."""
        ant, sup = self.frames()
        t = self.tan[k]
        v = direction - (direction @ t) * t
        if np.linalg.norm(v) < 1e-9:
            return None
        ca = float(v @ ant[k])
        cs = float(v @ sup[k])
        if abs(ca) >= abs(cs):
            return "anterior" if ca > 0 else "posterior"
        return "rostral" if cs > 0 else "caudal"


class _Prepared:
    def __init__(self, anatomy: Anatomy):
        fn = anatomy.facial_nerve
        self.anatomy = anatomy
        self.facial = fn
        self.cn7 = _Chain(CN7, fn.points_mm, fn.radius_mm, fn.arc_mm)
        # a patient case may have no CN VIII segmented (viewer.case_anatomy)
        t8 = anatomy.tubes.get("cn8")
        self.cn8 = None if t8 is None else _Chain(CN8, t8.centerline_mm, t8.radius_mm)
        self.chains = tuple(c for c in (self.cn7, self.cn8) if c is not None)
        # Both nerves in one chain for a single prefilter pass; the segment that would
        # join the end of CN VII to the start of CN VIII is marked invalid.
        self.nerves = _Chain("nerves", np.vstack([c.pts for c in self.chains]), max(c.radius for c in self.chains))
        self.seg_offset = np.cumsum([0] + [c.n for c in self.chains])  # first sample of each chain
        nseg = self.nerves.n - 1
        self.seg_chain = np.searchsorted(self.seg_offset[1:], np.arange(nseg), side="right")
        self.seg_valid = np.ones(nseg, bool)
        self.seg_valid[self.seg_offset[1:-1] - 1] = False
        self.seg_radius = np.array([c.radius for c in self.chains])[self.seg_chain]
        self.nerves.half = max(c.half for c in self.chains)  # the joining segment does not count
        seg7 = np.asarray(fn.segments)
        self.seg_labels7 = seg7
        self.central7 = np.asarray(fn.myelin) == "central"
        # the intra-pontine pathway is the model's; a patient case has none (no brainstem_lesion tag)
        nucleus = anatomy.landmarks.get("facial_motor_nucleus")
        self.pathway = (
            np.zeros((0, 3))
            if nucleus is None
            else np.vstack([np.asarray(nucleus, float)[None, :], np.asarray(anatomy.facial_pathway_mm, float)])
        )


_PREPARED: dict[int, tuple[Anatomy, _Prepared]] = {}


def _prepared(anatomy: Anatomy) -> _Prepared:
    hit = _PREPARED.get(id(anatomy))
    if hit is not None and hit[0] is anatomy:
        return hit[1]
    prep = _Prepared(anatomy)
    if len(_PREPARED) > 8:
        _PREPARED.clear()
    _PREPARED[id(anatomy)] = (anatomy, prep)
    return prep


class _VesselGeom:
    """One vessel course as capsule-chain segments (cached on the handle tuple)."""

    def __init__(self, handles):
        c = vessel_course(handles)
        self.course = c
        self.b0 = c[:-1]
        self.b1 = c[1:]
        self.mid = 0.5 * (self.b0 + self.b1)
        self.half = 0.5 * np.linalg.norm(self.b1 - self.b0, axis=1)
        self.half_max = float(self.half.max())
        self.lo = c.min(axis=0)
        self.hi = c.max(axis=0)


@lru_cache(maxsize=256)
def _vessel_geom(handles) -> _VesselGeom:
    return _VesselGeom(handles)


@lru_cache(maxsize=64)
def _course_chain(handles, radius: float) -> _Chain:
    return _Chain("vessel", vessel_course(handles), radius)


# --------------------------------------------------------------------------- contact search


def _close_pairs(chain: _Chain, b0, b1, mid, half, reach, seg_valid=None):
    """Candidate (B segment, chain segment) pairs whose capsules may be within `reach`.

    reach[i] = r_B + r_chain + contact threshold for B segment i. A segment pair
    can only be that close if the chain has a sample within
    reach + half B segment + half chain segment of the B segment's midpoint
    (triangle inequality), so every true pair is kept.
    """
    R = reach + half + chain.half
    inbox = np.all((mid >= chain.lo - R[:, None]) & (mid <= chain.hi + R[:, None]), axis=1)
    idx = np.flatnonzero(inbox)
    if idx.size == 0:
        return None
    Ri = R[idx]
    d, _ = chain.near.query(mid[idx], distance_upper_bound=float(Ri.max()) + 1e-9)
    keep = d <= Ri
    idx = idx[keep]
    if idx.size == 0:
        return None
    Ri = Ri[keep]
    diff = mid[idx][:, None, :] - chain.pts[None, :, :]
    D2 = np.einsum("ijk,ijk->ij", diff, diff)
    ii, jj = np.nonzero(D2 <= (Ri * Ri)[:, None])
    nseg = chain.n - 1
    ks = np.concatenate([jj - 1, jj])
    iis = np.concatenate([ii, ii])
    ok = (ks >= 0) & (ks < nseg)
    key = np.unique(iis[ok] * nseg + ks[ok])
    bseg = idx[key // nseg]
    cseg = key % nseg
    if seg_valid is not None:
        v = seg_valid[cseg]
        bseg, cseg = bseg[v], cseg[v]
    dist, s, t = segment_distances(b0[bseg], b1[bseg], chain.a0[cseg], chain.a1[cseg])
    return bseg, cseg, dist, s, t


def _runs(sorted_ks: np.ndarray) -> list[np.ndarray]:
    """Split sorted, unique segment indices into contiguous runs (as index arrays)."""
    if sorted_ks.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(sorted_ks) > 1) + 1
    return np.split(np.arange(sorted_ks.size), breaks)


@lru_cache(maxsize=512)
def _vessel_contacts(prep: _Prepared, vessel: Vessel, th: Thresholds) -> tuple[Contact, ...]:
    """All contacts of one vessel with CN VII and CN VIII (cached: while a handle is
    dragged only the dragged vessel is recomputed)."""
    g = _vessel_geom(vessel.centerline_mm)
    nv = prep.nerves
    rv = vessel.radius_mm
    reach_max = rv + nv.radius + th.contact_gap_mm + g.half_max + nv.half
    if np.any(g.lo > nv.hi + reach_max) or np.any(g.hi < nv.lo - reach_max):
        return ()  # whole-vessel bounding boxes apart
    reach = np.full(g.half.shape, rv + nv.radius + th.contact_gap_mm)
    res = _close_pairs(nv, g.b0, g.b1, g.mid, g.half, reach, prep.seg_valid)
    if res is None:
        return ()
    bseg, cseg, dist, s, t = res
    gap = dist - rv - prep.seg_radius[cseg]
    m = gap <= th.contact_gap_mm
    if not m.any():
        return ()
    bseg, cseg, gap, s, t = bseg[m], cseg[m], gap[m], s[m], t[m]
    order = np.lexsort((gap, cseg))  # by nerve segment, then gap
    cseg, bseg, gap, s, t = cseg[order], bseg[order], gap[order], s[order], t[order]
    first = np.ones(cseg.size, bool)
    first[1:] = cseg[1:] != cseg[:-1]
    cseg, bseg, gap, s, t = cseg[first], bseg[first], gap[first], s[first], t[first]
    out = []
    for r in _runs(cseg):  # runs never straddle the two nerves (joining segment invalid)
        j = r[np.argmin(gap[r])]
        ci = int(prep.seg_chain[cseg[j]])
        chain = prep.chains[ci]
        off = int(prep.seg_offset[ci])
        k = int(cseg[j]) - off
        tt = float(t[j])
        npt = chain.a0[k] + tt * (chain.a1[k] - chain.a0[k])
        b = int(bseg[j])
        vpt = g.b0[b] + float(s[j]) * (g.b1[b] - g.b0[b])
        arc = float(chain.arc[k] + tt * (chain.arc[k + 1] - chain.arc[k]))
        gj = float(gap[j])
        pen = max(0.0, -gj)
        arc_lo = float(chain.arc[int(cseg[r].min()) - off])
        arc_hi = float(chain.arc[int(cseg[r].max()) - off + 1])
        if chain is prep.cn7:
            seg = str(prep.facial.segment_at(arc))
            my = str(prep.facial.myelin_at(arc))
        else:
            seg = my = None
        out.append(
            Contact(
                "vessel",
                vessel.id,
                vessel.label,
                vessel.role,
                vessel.kind,
                chain.name,
                seg,
                my,
                arc,
                gj,
                pen,
                severity_for(pen, 2 * chain.radius, th),
                chain.side(k, vpt - npt),
                tuple(float(x) for x in npt),
                tuple(float(x) for x in vpt),
                (arc_lo, arc_hi),
            )
        )
    return tuple(out)


def _lesion_nerve_contacts(prep: _Prepared, chain: _Chain, lesion: Lesion, th: Thresholds) -> list[Contact]:
    c = np.asarray(lesion.center_mm)
    rad = np.asarray(lesion.radii_mm)
    reach = chain.radius + th.contact_gap_mm + float(rad.max())
    if np.any(c < chain.lo - reach) or np.any(c > chain.hi + reach):
        return []
    gap = sdf.ellipsoid(chain.pts, c, rad) - chain.radius
    hit = np.flatnonzero(gap <= th.contact_gap_mm)
    if hit.size == 0:
        return []
    out = []
    D = 2 * chain.radius
    for run in _runs(hit):
        r = hit[run]
        j = int(r[np.argmin(gap[r])])
        g = float(gap[j])
        pen = max(0.0, -g)
        arc = float(chain.arc[j])
        npt = chain.pts[j]
        if chain is prep.cn7:
            seg = str(prep.facial.segment_at(arc))
            my = str(prep.facial.myelin_at(arc))
        else:
            seg = my = None
        k = min(j, chain.n - 2)
        out.append(
            Contact(
                "lesion",
                lesion.id,
                lesion.label or lesion.kind,
                "lesion",
                lesion.kind,
                chain.name,
                seg,
                my,
                arc,
                g,
                pen,
                severity_for(pen, D, th),
                chain.side(k, c - npt),
                tuple(float(x) for x in npt),
                tuple(float(x) for x in c),
                (float(chain.arc[int(r.min())]), float(chain.arc[int(r.max())])),
            )
        )
    return out


@lru_cache(maxsize=256)
def _vessel_vessel_contact(va: Vessel, other: Vessel, th: Thresholds) -> VesselContact | None:
    """Closest surface contact between two vessels, ignoring anatomical junctions."""
    ca = _course_chain(va.centerline_mm, va.radius_mm)
    cb = _course_chain(other.centerline_mm, other.radius_mm)
    rr = va.radius_mm + other.radius_mm
    # Junctions: an end of one vessel on or inside the other (origin of a branch, VBJ).
    junctions = []
    for end in (cb.pts[0], cb.pts[-1]):
        if ca.near.query(end)[0] <= va.radius_mm + other.radius_mm + ca.half:
            junctions.append(end)
    for end in (ca.pts[0], ca.pts[-1]):
        if cb.near.query(end)[0] <= va.radius_mm + other.radius_mm + cb.half:
            junctions.append(end)
    reach = np.full(cb.n - 1, rr + th.contact_gap_mm)
    half = 0.5 * cb.seg_len
    res = _close_pairs(ca, cb.a0, cb.a1, cb.mid, half, reach)
    if res is None:
        return None
    bseg, aseg, dist, s, t = res
    gap = dist - rr
    m = gap <= th.contact_gap_mm
    if not m.any():
        return None
    bseg, aseg, gap, s, t = bseg[m], aseg[m], gap[m], s[m], t[m]
    pb = cb.a0[bseg] + s[:, None] * (cb.a1[bseg] - cb.a0[bseg])
    pa = ca.a0[aseg] + t[:, None] * (ca.a1[aseg] - ca.a0[aseg])
    if junctions:
        J = np.array(junctions)
        lim = rr + th.junction_clearance_mm
        near = np.zeros(gap.size, bool)
        for p in (pa, pb):
            dj = np.linalg.norm(p[:, None, :] - J[None, :, :], axis=2)
            near |= (dj < lim).any(axis=1)
        if near.all():
            return None
        gap, pa, pb = gap[~near], pa[~near], pb[~near]
    j = int(np.argmin(gap))
    return VesselContact(va.id, other.id, float(gap[j]), tuple(float(x) for x in 0.5 * (pa[j] + pb[j])))


def _lesion_touches_vessel(lesion: Lesion, vessel: Vessel, th: Thresholds) -> bool:
    pts = vessel_course(vessel.centerline_mm)
    d = sdf.ellipsoid(pts, np.asarray(lesion.center_mm), np.asarray(lesion.radii_mm)) - vessel.radius_mm
    return bool(d.min() <= th.contact_gap_mm)


def _lesion_near_pathway(prep: _Prepared, lesion: Lesion, th: Thresholds) -> bool:
    if len(prep.pathway) == 0:
        return False
    d = sdf.ellipsoid(prep.pathway, np.asarray(lesion.center_mm), np.asarray(lesion.radii_mm))
    return bool(d.min() <= th.brainstem_margin_mm)


# --------------------------------------------------------------------------- ranking + mechanism

_KIND_RANK = {"artery": 0, "aneurysm": 0, "avm": 0, "tumor": 1, "brainstem_lesion": 1, "vein": 2}


def _rank(contacts) -> list[Contact]:
    """Culprit order: site (central myelin first), kind (artery, then lesion, then vein), penetration."""
    c7 = [c for c in contacts if c.structure == CN7]
    return sorted(
        c7,
        key=lambda c: (
            c.myelin != "central",
            _KIND_RANK.get(c.kind, 3),
            -c.penetration_mm,
            c.gap_mm,
            c.arc_mm if c.arc_mm is not None else 0.0,
            c.id,
        ),
    )


def mechanism_kind(tags, culprit: Contact | None) -> str:
    """Which mechanism explains the findings (one of vocabulary.MECHANISM_KINDS).

    A mass lesion on the nerve outranks everything (secondary HFS), then a brainstem
    lesion (central), then the culprit's kind: an artery on central myelin is the
    classical mechanism, on peripheral myelin the less likely distal one; a vein alone
    is venous. A history (Bell's palsy, facial nerve injury, inflammation, in that order)
    explains the movements only without any of these; with one, combined_notes names it.
    """
    if any(t in tags for t in MASS_LESION_KINDS):
        return "secondary_lesion"
    if "brainstem_lesion" in tags:
        return "central"
    if culprit is not None and culprit.source == "vessel" and culprit.kind == "artery":
        return "arterial_nvc" if culprit.myelin == "central" else "peripheral_nvc"
    if culprit is not None and culprit.kind == "vein":
        return "venous"
    if "decompressed" in tags:  # an MVD plan freed the nerve: that, not a history, is what the scene shows
        return "decompressed"
    for tag in ("post_bells", "post_trauma", "inflammatory"):
        if tag in tags:
            return tag
    return "idiopathic"


def mechanism_fields(tags, culprit: Contact | None) -> dict[str, str]:
    """The named fields of the mechanism templates (vocabulary.MECHANISM_FIELDS) for these findings."""
    site = segment_site(culprit.segment) if culprit is not None else ""
    return {
        "culprit": culprit.label if culprit is not None else "",
        "site": site,
        "at_site": f" at the {site}" if site else "",
        "segment": (culprit.segment or "") if culprit is not None else "",
        "severity": culprit.severity if culprit is not None else "",
        "what": lesion_phrase(t for t in MASS_LESION_KINDS if t in tags),
        "where": f" at the {site} by the {culprit.label}" if culprit is not None and site else "",
    }


def combined_notes(
    kind: str, tags, contacts: list[Contact], lesion_contacts: list[Contact], tandem: list[VesselContact]
) -> list[Note]:
    """Notes for what else the findings show beside the mechanism (tandem, double, a co-offending vein, ...)."""
    c7 = [c for c in contacts if c.structure == CN7]
    c8 = [c for c in contacts + lesion_contacts if c.structure == CN8]
    # a tag whose own mechanism is the one shown needs no note
    explained_by = {
        "venous": "venous",
        "post_bells": "post_bells",
        "post_trauma": "post_trauma",
        "inflammatory": "inflammatory",
        "brainstem_lesion": "central",
    }
    fields = {"pairs": ", ".join(sorted({f"{t.a} -> {t.b}" for t in tandem})), "n_vessels": len({c.id for c in c7})}
    notes = []
    for tag, note in COMBINED_NOTES.items():
        if tag not in tags or explained_by.get(tag) == kind or (tag == "tandem" and not tandem):
            continue
        notes.append(Note(note.text.format(**fields), note.sources))
    if kind not in ("arterial_nvc", "peripheral_nvc", "venous") and any(c.kind == "artery" for c in c7):
        notes.append(CONTACT_NOTES["artery_also"])
    if c8:
        note = CONTACT_NOTES["cn8"]
        notes.append(Note(note.text.format(ids=", ".join(sorted({c.id for c in c8}))), note.sources))
    return notes


def _mechanism(
    tags: list[str],
    culprit: Contact | None,
    contacts: list[Contact],
    lesion_contacts: list[Contact],
    tandem: list[VesselContact],
) -> Mechanism:
    kind = mechanism_kind(tags, culprit)
    text = MECHANISM_TEXTS[kind]
    fields = mechanism_fields(tags, culprit)
    sources: list[str] = []
    for k in text.sources:
        if k not in sources and (k not in text.sources_if or any(t in tags for t in text.sources_if[k])):
            sources.append(k)
    notes: list[Note] = []
    if culprit is not None and culprit.severity in text.severity_notes:
        notes.append(text.severity_notes[culprit.severity])
    notes += combined_notes(kind, tags, contacts, lesion_contacts, tandem)
    for note in notes:
        sources += [k for k in note.sources if k not in sources]
    if PROJECT_SOURCE not in sources:
        sources.append(PROJECT_SOURCE)
    missing = [k for k in sources if k not in BIBLIOGRAPHY]
    if missing:  # a programming error, caught by the tests
        raise KeyError(f"unknown source keys {missing}")
    return Mechanism(
        kind,
        text.summary.format(**fields),
        tuple(s.format(**fields) for s in text.steps),
        culprit.myelin if culprit is not None else None,
        text.likely_symptomatic,
        text.management,
        tuple(sources),
        tuple(n.text for n in notes),
    )


# --------------------------------------------------------------------------- entry point


def analyze(scenario: Scenario, anatomy: Anatomy | None = None, thresholds: Thresholds | None = None) -> Findings:
    """Contacts, severity, classification, culprit and mechanism for a scenario.

    Without `anatomy`, the model of the scenario's side (a right-sided scenario is
    measured against the mirrored anatomy); an anatomy of the other side is an error.

    With pads or slings (an MVD plan), the findings are those of the vessels as the plan
    routes them (``decompression.route``), and ``decompression`` compares them with the
    scenario without the plan: ``before`` keeps that state's tags, culprit and contacts.
    When the plan frees CN VII the classification says ``decompressed`` (with the tags of
    lesions and history that still apply; ``idiopathic`` is not added)."""
    th = thresholds or DEFAULT_THRESHOLDS
    if anatomy is None:
        anatomy = build_anatomy(scenario.side)
    elif anatomy.side != scenario.side:
        raise ValueError(f"a {scenario.side}-sided scenario cannot be analysed on the {anatomy.side} anatomy")
    if not decompression.has_plan(scenario):
        return _analyze(scenario, anatomy, th)
    before = _analyze(decompression.without_plan(scenario), anatomy, th)
    routed = decompression.route(scenario, anatomy)
    had_compression = any(c.structure == CN7 for c in before.contacts)
    after = _analyze(routed.scenario, anatomy, th, had_compression=had_compression)
    block = decompression.decompression_findings(scenario, routed, before, after, anatomy, th.contact_gap_mm)
    return replace(after, decompression=block)


def _analyze(scenario: Scenario, anatomy: Anatomy, th: Thresholds, had_compression: bool = False) -> Findings:
    """The analysis of the vessels and lesions as they are (pads and slings are not looked at).

    `had_compression`: the scenario is a plan's "after" state whose "before" had a vessel on
    CN VII; without a vessel on CN VII now, it is ``decompressed``."""
    prep = _prepared(anatomy)
    contacts: list[Contact] = []
    # A patient case measures a vessel it segmented on the surfaces themselves
    # (viewer.case_anatomy.CaseAnatomy.vessel_contacts); None: the capsule model (an edited vessel).
    measured = getattr(anatomy, "vessel_contacts", None)
    for v in scenario.vessels:
        own = measured(v, th) if measured is not None else None
        contacts += own if own is not None else _vessel_contacts(prep, v, th)
    lesion_contacts: list[Contact] = []
    for les in scenario.lesions:
        for chain in prep.chains:
            lesion_contacts += _lesion_nerve_contacts(prep, chain, les, th)

    order = lambda c: (c.structure != CN7, c.arc_mm if c.arc_mm is not None else 0.0, c.id)  # noqa: E731
    contacts.sort(key=order)
    lesion_contacts.sort(key=order)

    c7 = [c for c in contacts if c.structure == CN7]
    ids7 = {c.id for c in c7}
    by_id = {v.id: v for v in scenario.vessels}
    tags: set[str] = set()
    if len(ids7) == 1:
        tags.add("single")
    elif len(ids7) >= 2:
        tags.add("multiple")
    segs7 = {c.segment for c in c7}
    if segs7 & set(REZ_SEGMENTS) and "CP" in segs7:
        tags.add("double")
    if any(c.kind == "vein" for c in c7):
        tags.add("venous")

    tandem: list[VesselContact] = []
    arteries7 = [by_id[i] for i in sorted(ids7) if by_id[i].kind == "artery"]
    if arteries7:
        for va in scenario.vessels:
            if va.role != "vertebral" or va.kind != "artery":
                continue
            for art in arteries7:
                if art.id == va.id:
                    continue
                vc = _vessel_vessel_contact(va, art, th)
                if vc is not None:
                    tandem.append(vc)
    if tandem:
        tags.add("tandem")

    central: list[str] = []
    for les in scenario.lesions:
        touches7 = any(c.id == les.id and c.structure == CN7 for c in lesion_contacts)
        if les.kind in MASS_LESION_KINDS and touches7:
            tags.add(les.kind)
        if les.kind in ("avm", "aneurysm") and not touches7:
            if any(_lesion_touches_vessel(les, by_id[i], th) for i in sorted(ids7)):
                tags.add(les.kind)
        if _lesion_near_pathway(prep, les, th):
            tags.add("brainstem_lesion")
            central.append(les.id)
    tags.update(tag for flag, tag in HISTORY_TAGS.items() if getattr(scenario.history, flag))
    if had_compression and not c7:
        tags.add("decompressed")
    if not tags:
        tags.add("idiopathic")
    classification = tuple(t for t in TAGS if t in tags)

    ranked = _rank(contacts + lesion_contacts)
    culprit = ranked[0] if ranked else None
    mech = _mechanism(list(classification), culprit, contacts, lesion_contacts, tandem)
    return Findings(
        tuple(contacts),
        tuple(lesion_contacts),
        classification,
        culprit.id if culprit is not None else None,
        mech,
        tuple(tandem),
        th,
        tuple(central),
        scenario.side,
    )


# --------------------------------------------------------------------------- text report


def format_report(findings: Findings) -> str:
    """Readable multi-line report for the CLI and the lecture hall."""
    f = findings
    m = f.mechanism
    lines = ["Hemifacial spasm compression analysis", ""]
    lines.append("Classification: " + ", ".join(f.classification))
    cc = f.culprit_contact()
    if cc is not None:
        lines.append(f"Culprit: {cc.label} ({cc.id}) at the {segment_site(cc.segment, cc.structure)}, {cc.severity}")
    else:
        lines.append("Culprit: none")
    lines.append(f"Likely symptomatic: {'yes' if m.likely_symptomatic else 'no'}")
    lines.append("")
    if f.contacts or f.lesion_contacts:
        lines.append("Contacts:")
        for c in f.contacts + f.lesion_contacts:
            lines.append(f"  {c.describe()}")
    else:
        lines.append(
            f"Contacts: none (no vessel or lesion within {f.thresholds.contact_gap_mm:g} mm of CN VII or CN VIII)"
        )
    if f.vessel_contacts:
        lines.append("Tandem (vessel-vessel) contacts:")
        for t in f.vessel_contacts:
            lines.append(f"  {t.a} -> {t.b} \u00b7 gap {t.gap_mm:.2f} mm")
    lines += ["", "Mechanism: " + m.summary]
    for i, s in enumerate(m.steps, 1):
        lines.append(f"  {i}. {s}")
    if m.notes:
        lines += ["", "Notes:"] + [f"  - {n}" for n in m.notes]
    lines += ["", "Management options:"] + [f"  - {x}" for x in m.management]
    lines += ["", "Sources:"] + [f"  [{k}] {BIBLIOGRAPHY.get(k, k)}" for k in m.sources]
    if f.decompression is not None:
        lines += [""] + _decompression_lines(f.decompression)
    if f.corridor is not None:
        lines += [
            "",
            f"Corridor: {f.corridor['retraction_mm']:.1f} mm cerebellar retraction, "
            f"{100 * f.corridor['rez_visible_fraction']:.0f} % of the root exit zone (RExP + AS) visible from the keyhole",
        ]
    return "\n".join(lines) + "\n"


def _decompression_lines(d: dict) -> list[str]:
    """The report's "Decompression" part: status, the state before the plan, pad contacts, warnings."""
    status = {
        "decompressed": "decompressed (no vessel touches CN VII any more)",
        "residual_compression": "residual compression (a vessel still touches CN VII, or none did before)",
    }
    b = d["before"]
    lines = ["Decompression (the plan: Teflon pads and slings)", f"  Status: {status.get(d['status'], d['status'])}"]
    lines.append(f"  Before the plan: {', '.join(b['classification'])}; culprit {b['culprit'] or 'none'}")
    for c in b["contacts"]:
        who = c.get("vessel") or c.get("lesion")
        lines.append(
            f"    {c.get('label', who)} -> {segment_site(c['segment'], c['structure'])}, {c['severity']}, "
            f"gap {c['gap_mm']:.2f} mm"
        )
    if d["pad_contacts"]:
        lines.append("  Pad contacts:")
        for c in d["pad_contacts"]:
            where = segment_site(c["segment"], c["structure"])
            myelin = f", {c['myelin']} myelin" if c["myelin"] else ""
            lines.append(f"    {c['pad']} -> {where}{myelin}, gap {c['gap_mm']:.2f} mm")
    if d["warnings"]:
        lines.append("  Warnings:")
        for w in d["warnings"]:
            lines.append(f"    [{w['code']}] {w['text']} ({', '.join(w['sources'])})")
    else:
        lines.append("  Warnings: none")
    return lines


def clear_caches() -> None:
    """Drop the per-vessel and per-anatomy caches (cold-start benchmarks, tests, and a closed
    patient case, whose anatomy and surfaces they would otherwise keep alive)."""
    _PREPARED.clear()
    from . import scenario as _sc

    _vessel_contacts.cache_clear()
    _vessel_geom.cache_clear()
    _course_chain.cache_clear()
    _vessel_vessel_contact.cache_clear()
    _sc._course.cache_clear()
    decompression.clear_cache()
