"""The analysis on a patient's own geometry (pure core: numpy only; docs/case-analysis.md).

A case brings surfaces, not the model's tubes. The patient layer (viewer.patient.case_analysis)
measures them (centrelines, exact surface distances) and hands this module plain arrays and
distance callables; this module builds from them what ``viewer.analysis.analyze`` reads:

* the facial nerve as a ``viewer.anatomy.FacialNerve``: samples every 0.2 mm from the root
  exit point outwards, with the model's segment map (RExP, AS, RDP, CP), transition zone and
  myelin from the same figures (``dimensions.py`` via ``FacialNerve.segment_boundaries``);
  only the landmarks are the patient's (derived, or the case's own);
* ``CaseAnatomy``: an anatomy-like object (facial nerve, CN VIII when segmented, landmarks,
  side) whose ``vessel_contacts`` measures contacts surface to surface and grades them from
  the nerve's own shape, so ``analyze`` returns the findings contract unchanged.

Operational definitions (the reasoning is in docs/case-analysis.md):

* contact: the surface gap between nerve and vessel is at most the contact tolerance (one
  voxel of the source label map, 0.3 mm for meshes): an imaging segmentation rarely overlaps;
* mild: contact without a change of the nerve's shape;
* moderate (indentation): the nerve's local (inscribed) radius under the contact is more than
  10 % below its radius within 2 mm on either side of the contact;
* severe (deviation): the centreline is displaced away from the vessel by more than half the
  nerve's diameter, relative to a smooth course fitted through the nerve outside the contact.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .analysis import CN7, Contact, Thresholds, _Chain
from .anatomy import NERVE_SAMPLE_STEP_MM, FacialNerve, Tube
from .dimensions import dim
from .geometry import arc_lengths, resample_polyline
from .nearest import NearestPoints
from .scenario import Vessel

__all__ = [
    "CaseAnatomyError",
    "CaseContact",
    "NerveShape",
    "ShapeChange",
    "CaseAnatomy",
    "build_facial_nerve",
    "shape_change",
    "shape_severity",
    "MESH_CONTACT_MM",
]

MESH_CONTACT_MM = 0.3  # contact tolerance for structures that came as meshes (no voxel)
NEIGHBOUR_MM = 2.0  # reference radius: the nerve within this of the contact, on either side
INDENT_FRACTION = 0.10  # radius reduction beyond this: indentation (moderate)
DEVIATION_FRACTION = 0.5  # of the nerve's diameter: deviation (severe)
COURSE_GAP_MM = 2.5  # the smooth course leaves out the contact and this much on either side...
COURSE_FIT_MM = 2.0  # ...and joins straight lines fitted to this much of the nerve beyond, on either side
RADIUS_SMOOTH_MM = 1.0  # the radius profile is averaged over this (the voxel staircase; a dent is longer)
SHAPE_SPAN_MM = 5.0  # the shape of a long contact is read within this of its closest point
RUN_HOLE_MM = 1.0  # contact runs closer than this along the arc are one contact
LANDMARK_REACH_MM = 5.0  # a landmark farther than this (+ the radius) from the nerve is refused


class CaseAnatomyError(ValueError):
    """The patient's anatomy cannot be derived: one line naming the structure and what to do."""


@dataclass(frozen=True)
class NerveShape:
    """A nerve's own geometry from its brainstem end: centreline samples and radii along them."""

    points: np.ndarray  # (N, 3)
    arc: np.ndarray  # (N,) from the root exit point (CN VII) or the brainstem end
    inscribed: np.ndarray  # (N,) smallest radial distance of the wall around the sample, smoothed
    ring: np.ndarray  # (N,) mean distance to the surface around the sample (the equivalent radius)
    end_margin: np.ndarray  # (N,) bool: samples within one radius of an end (distances read the end cap)
    wall: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))  # (V, 3) the tube wall's vertices
    wall_owner: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # (V,) nearest sample of each

    def thickness(self, direction, window_mm: float = 0.6) -> np.ndarray:
        """(N,) the nerve's thickness along `direction` (projected into each sample's normal plane):
        the extent of the wall within `window_mm` of the sample; NaN without wall there."""
        n = len(self.points)
        out = np.full(n, np.nan)
        if len(self.wall) == 0:
            return out
        tan = np.gradient(self.points, axis=0)
        tan /= np.maximum(np.linalg.norm(tan, axis=1), 1e-12)[:, None]
        u = np.asarray(direction, float)
        u = u[None, :] - (tan @ u)[:, None] * tan
        u /= np.maximum(np.linalg.norm(u, axis=1), 1e-12)[:, None]
        rel = self.wall - self.points[self.wall_owner]
        t_own = tan[self.wall_owner]
        rel -= np.einsum("ij,ij->i", rel, t_own)[:, None] * t_own
        proj_own = np.einsum("ij,ij->i", rel, u[self.wall_owner])
        # the chord through the centre only: a vessel cut deep into a label leaves horns either
        # side of it that would keep the nerve's full extent along the push
        lateral = np.sqrt(np.maximum(np.einsum("ij,ij->i", rel, rel) - proj_own**2, 0.0))
        chord = lateral <= 0.7 * self.ring[self.wall_owner]
        own, proj = self.wall_owner[chord], proj_own[chord]
        hi = np.full(n, -np.inf)
        lo = np.full(n, np.inf)
        np.maximum.at(hi, own, proj)
        np.minimum.at(lo, own, proj)
        k = max(0, int(round(window_mm / max(float(np.median(np.diff(self.arc))), 1e-6))))
        for i in range(n):  # extents of the neighbouring samples, in each one's own frame (close enough)
            a, b = max(0, i - k), min(n, i + k + 1)
            h, l_ = hi[a:b].max(), lo[a:b].min()
            if np.isfinite(h) and np.isfinite(l_):
                out[i] = h - l_
        return out

    @property
    def radius_mm(self) -> float:
        ok = ~self.end_margin
        return float(np.median(self.ring[ok] if ok.any() else self.ring))


def _running_median(arc: np.ndarray, values: np.ndarray, window: float) -> np.ndarray:
    out = values.copy()
    for i in range(len(arc)):
        out[i] = np.median(values[np.abs(arc - arc[i]) <= window / 2])
    return out


def _smooth_profile(arc: np.ndarray, values: np.ndarray, window: float) -> np.ndarray:
    out = values.copy()
    for i in range(len(arc)):
        m = np.abs(arc - arc[i]) <= window / 2
        out[i] = values[m].mean()
    return out


def wall_radii(points: np.ndarray, vertices: np.ndarray, normals: np.ndarray | None):
    """(inscribed, ring, wall vertices, their samples): radii at each centreline sample from the surface.

    Each surface vertex belongs to its nearest sample; its radial distance is measured in that
    sample's normal plane. Only the tube's wall counts (vertex normal within 45 degrees of the
    normal plane): where the nerve ends on the brainstem its end face would read as a thin nerve.
    inscribed: the smallest radial distance (an indentation lowers it by its depth); ring: the
    mean (the equivalent radius of the cross-section)."""
    tan = np.gradient(points, axis=0)
    tan /= np.maximum(np.linalg.norm(tan, axis=1), 1e-12)[:, None]
    _, own = NearestPoints(points).query(vertices)
    t = tan[own]
    wall = np.ones(len(vertices), bool)
    if normals is not None:
        nn = normals / np.maximum(np.linalg.norm(normals, axis=1), 1e-12)[:, None]
        wall = np.abs(np.einsum("ij,ij->i", nn, t)) < np.sqrt(0.5)
    off = vertices - points[own]
    off -= np.einsum("ij,ij->i", off, t)[:, None] * t
    rr = np.linalg.norm(off, axis=1)
    own, rr = own[wall], rr[wall]
    wall_pts = vertices[wall]
    n = len(points)
    cnt = np.bincount(own, minlength=n)
    ring = np.where(cnt > 0, np.bincount(own, weights=rr, minlength=n) / np.maximum(cnt, 1), np.nan)
    ins = np.full(n, np.inf)
    np.minimum.at(ins, own, rr)
    ins[cnt == 0] = np.nan
    idx = np.arange(n)
    for arr in (ring, ins):  # samples without a wall vertex of their own: their neighbours' value
        ok = ~np.isnan(arr)
        if ok.any():
            arr[:] = np.interp(idx, idx[ok], arr[ok])
        else:
            arr[:] = 0.0
    return ins, ring, wall_pts, own


def ring_radii_along(paths: list[np.ndarray], vertices: np.ndarray, normals: np.ndarray | None) -> list[np.ndarray]:
    """Equivalent radius along each path (main path and branches of one structure): the mean radial
    distance of the wall vertices nearest to each sample, a vertex owned by the nearest sample of
    all the paths. Unlike the distance to the surface (the inscribed radius) it follows the area of
    an oval or staircased cross-section (a voxelised vessel reads ~12 % thin by the inscribed one)."""
    allp = np.vstack(paths)
    tan = np.vstack([np.gradient(p, axis=0) if len(p) > 1 else np.zeros_like(p) for p in paths])
    tan /= np.maximum(np.linalg.norm(tan, axis=1), 1e-12)[:, None]
    _, own = NearestPoints(allp).query(vertices)
    t = tan[own]
    wall = np.ones(len(vertices), bool)
    if normals is not None:
        nn = normals / np.maximum(np.linalg.norm(normals, axis=1), 1e-12)[:, None]
        wall = np.abs(np.einsum("ij,ij->i", nn, t)) < np.sqrt(0.5)
    off = vertices - allp[own]
    off -= np.einsum("ij,ij->i", off, t)[:, None] * t
    rr = np.linalg.norm(off, axis=1)[wall]
    own = own[wall]
    n = len(allp)
    cnt = np.bincount(own, minlength=n)
    ring = np.where(cnt > 0, np.bincount(own, weights=rr, minlength=n) / np.maximum(cnt, 1), np.nan)
    out, k = [], 0
    for p in paths:
        r = ring[k : k + len(p)]
        k += len(p)
        ok = ~np.isnan(r)
        idx = np.arange(len(p))
        out.append(np.interp(idx, idx[ok], r[ok]) if ok.any() else np.zeros(len(p)))
    return out


def make_shape(points, arc, surface_vertices, normals=None) -> NerveShape:
    points = np.asarray(points, float)
    arc = np.asarray(arc, float)
    ins, ring, wall, owner = wall_radii(points, np.asarray(surface_vertices, float), normals)
    ring = _smooth_profile(arc, ring, RADIUS_SMOOTH_MM)
    ins = _smooth_profile(arc, ins, RADIUS_SMOOTH_MM)
    # within a radius of an end the wall is the end's rim (the root's junction with the brainstem)
    r0 = float(np.median(ring))
    end_margin = (arc - arc[0] < r0) | (arc[-1] - arc < r0)
    return NerveShape(points, arc, ins, ring, end_margin, wall, owner)


# --------------------------------------------------------------------------- the facial nerve


def _project(points: np.ndarray, arc: np.ndarray, p) -> tuple[float, float]:
    """(arc length of the sample nearest to p, its distance)."""
    d = np.linalg.norm(points - np.asarray(p, float)[None, :], axis=1)
    j = int(np.argmin(d))
    return float(arc[j]), float(d[j])


def _merge_runs(runs: list[tuple[int, int]], arc: np.ndarray, hole: float) -> list[tuple[int, int]]:
    """Runs separated by less than `hole` mm of arc joined (a label's staircase breaks a contact)."""
    out: list[tuple[int, int]] = []
    for a, b in runs:
        if out and arc[a] - arc[out[-1][1]] < hole:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _runs_of(mask: np.ndarray) -> list[tuple[int, int]]:
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(idx) > 1)
    starts = np.concatenate([[idx[0]], idx[breaks + 1]])
    ends = np.concatenate([idx[breaks], [idx[-1]]])
    return list(zip(starts.tolist(), ends.tolist()))


def height_above_surface(
    samples: np.ndarray, ring: np.ndarray, surface_vertices: np.ndarray, outward, reach: float = 3.5
) -> np.ndarray:
    """Height (mm) of each centreline sample above the brainstem's pia, NaN where no pia is near.

    The pia under the nerve is fitted (a quadric, least squares) to the brainstem's surface
    vertices within `reach` of the sample, leaving out those next to the nerve (within its
    radius + 0.5 mm): a label map cuts the nerve's own groove into the brainstem, and the
    distance to that groove would read "attached" until the nerve has risen a full radius off
    the surface. `outward`: points -> the brainstem's signed distance (orients the normal)."""
    v = np.asarray(surface_vertices, float)
    lo = samples.min(axis=0) - reach - 1.0
    hi = samples.max(axis=0) + reach + 1.0
    v = v[np.all((v >= lo) & (v <= hi), axis=1)]
    h = np.full(len(samples), np.nan)
    if len(v) < 10:
        return h
    d_nerve, own = NearestPoints(samples).query(v)
    v = v[d_nerve > ring[own] + 0.5]
    if len(v) < 10:
        return h
    fits = []
    for i, p in enumerate(samples):
        q = v[np.einsum("ij,ij->i", v - p, v - p) <= reach * reach]
        if len(q) < 10:
            continue
        c = q.mean(axis=0)
        _, _, vt = np.linalg.svd(q - c, full_matrices=False)
        fits.append((i, p, q, c, vt))
    if not fits:
        return h
    # orient every plane's normal outwards, in one call of the distance function
    probe = np.array([[c + 0.5 * vt[2], c - 0.5 * vt[2]] for _, _, _, c, vt in fits]).reshape(-1, 3)
    side = np.asarray(outward(probe), float).reshape(-1, 2)
    for (i, p, q, c, vt), (d_plus, d_minus) in zip(fits, side):
        n, e1, e2 = (vt[2] if d_plus >= d_minus else -vt[2]), vt[0], vt[1]
        x, y, w = (q - c) @ e1, (q - c) @ e2, (q - c) @ n
        A = np.stack([np.ones_like(x), x, y, x * x, x * y, y * y], axis=1)
        coef = np.linalg.lstsq(A, w, rcond=None)[0]
        px, py, pw = (p - c) @ e1, (p - c) @ e2, (p - c) @ n
        h[i] = pw - float(np.array([1.0, px, py, px * px, px * py, py * py]) @ coef)
    return h


def detachment_arc(arc: np.ndarray, height: np.ndarray, radius: float, tolerance: float) -> float | None:
    """Where the nerve starts to rise off the brainstem: the break of its height profile.

    Attached, the height stays at a level (the nerve lies on the pia); detached, it rises, and
    leaving the surface tangentially it rises slowly at first. A flat level then a parabolic
    rise is fitted by least squares to the height from
    the end of the root exit zone up to 1.5 radii above its level (the onset of the rise); its break is the detachment
    point. None when the nerve never lies on the brainstem near its exit."""
    hh = np.where(np.isnan(height), np.inf, height)
    if not (hh[: max(1, int(np.searchsorted(arc, 1.0)))] <= radius + tolerance).any():
        return None
    start = int(np.searchsorted(arc, min(dim("rexp_zone_length"), 0.25 * float(arc[-1]))))
    level0 = float(np.median(hh[start : max(start + 3, int(np.searchsorted(arc, arc[start] + 2.0)))]))
    above = np.flatnonzero(hh[start:] > level0 + 1.5 * radius)
    stop = start + (int(above[0]) if above.size else len(arc) - start)
    s, h = arc[start:stop], hh[start:stop]
    ok = np.isfinite(h)
    s, h = s[ok], h[ok]
    if len(s) < 6:
        return float(arc[min(stop, len(arc) - 1)])
    best, best_err = float(s[-1]), np.inf
    for sb in s[1:-2]:
        A = np.stack([np.ones_like(s), np.maximum(0.0, s - sb) ** 2], axis=1)
        coef, *_ = np.linalg.lstsq(A, h, rcond=None)
        if coef[1] <= 0:
            continue
        err = float(((A @ coef - h) ** 2).sum())
        if err < best_err:
            best, best_err = float(sb), err
    return best


@dataclass(frozen=True)
class FacialNerveResult:
    nerve: FacialNerve
    shape: NerveShape  # samples from the root exit point (the nerve's samples, with radii)
    landmarks: dict[str, np.ndarray]
    landmark_sources: dict[str, str]  # "derived" | "case"
    notes: tuple[str, ...] = ()


def build_facial_nerve(
    centerline: np.ndarray,
    inscribed: np.ndarray,
    surface_vertices: np.ndarray,
    surface_normals: np.ndarray | None = None,
    *,
    brainstem_sdf=None,
    brainstem_vertices: np.ndarray | None = None,
    landmarks: dict | None = None,
    tolerance_mm: float = MESH_CONTACT_MM,
    structure: str = "facial_nerve",
    name: str = "Facial nerve (CN VII)",
) -> FacialNerveResult:
    """The patient's facial nerve with the model's segment map, from its centreline.

    `centerline` (N, 3) in either direction with `inscribed` radii; `brainstem_sdf`: points ->
    signed distance to the brainstem surface (negative inside) or None; `landmarks`: the case's
    own (any of root_exit_point, root_detachment_point, internal_acoustic_meatus), which win
    over derived ones. Raises CaseAnatomyError when the nerve cannot be placed."""
    landmarks = {k: np.asarray(v, float) for k, v in (landmarks or {}).items()}
    pts = np.asarray(centerline, float)
    ins = np.asarray(inscribed, float)
    if len(pts) < 2 or arc_lengths(pts)[-1] < 2.0:
        raise CaseAnatomyError(f"{structure}: the facial nerve is shorter than 2 mm; check its segmentation")
    # resample densely with the radii
    s0 = arc_lengths(pts)
    fine = resample_polyline(pts, step=NERVE_SAMPLE_STEP_MM / 2)
    sf = arc_lengths(fine) * (s0[-1] / arc_lengths(fine)[-1])
    ins = np.interp(sf, s0, ins)
    pts = fine
    hint = "; place the landmarks (root exit point, internal acoustic meatus) by hand"
    # --- orientation: brainstem end first
    flip = False
    if "root_exit_point" in landmarks:
        p = landmarks["root_exit_point"]
        flip = np.linalg.norm(pts[-1] - p) < np.linalg.norm(pts[0] - p)
    elif brainstem_sdf is not None:
        ends = np.asarray(brainstem_sdf(pts[[0, -1]]), float)
        flip = bool(ends[1] < ends[0])
    elif "internal_acoustic_meatus" in landmarks:
        p = landmarks["internal_acoustic_meatus"]
        flip = np.linalg.norm(pts[0] - p) < np.linalg.norm(pts[-1] - p)
    else:
        raise CaseAnatomyError(f"{structure}: no brainstem structure to orient the facial nerve{hint}")
    if flip:
        pts, ins = pts[::-1].copy(), ins[::-1].copy()
    s = arc_lengths(pts)
    sources: dict[str, str] = {}
    notes: list[str] = []
    r_med = float(np.median(ins))
    sd = None if brainstem_sdf is None else np.asarray(brainstem_sdf(pts), float)
    # --- root exit point: where the centreline leaves the brainstem
    if "root_exit_point" in landmarks:
        rexp_s, dist = _project(pts, s, landmarks["root_exit_point"])
        if dist > LANDMARK_REACH_MM + r_med:
            raise CaseAnatomyError(
                f"{structure}: the root exit point landmark is {dist:.1f} mm from the facial nerve; move it onto the nerve"
            )
        sources["root_exit_point"] = "case"
    else:
        if sd is None:
            raise CaseAnatomyError(f"{structure}: no brainstem structure to find the root exit point{hint}")
        gap = sd - ins  # nerve surface to brainstem surface, along the nerve
        if gap.min() > tolerance_mm:
            raise CaseAnatomyError(
                f"{structure}: the facial nerve never meets the brainstem surface (closest {gap.min():.1f} mm){hint}"
            )
        inside = sd < 0
        if inside[0]:  # the label starts inside the brainstem: the first crossing outwards
            out = np.flatnonzero(~inside)
            if out.size == 0:
                raise CaseAnatomyError(f"{structure}: the facial nerve lies inside the brainstem{hint}")
            k = int(out[0])
            t = sd[k - 1] / (sd[k - 1] - sd[k])  # linear zero crossing
            rexp_s = float(s[k - 1] + t * (s[k] - s[k - 1]))
        elif gap[0] <= tolerance_mm:  # it starts on the surface
            rexp_s = 0.0
        else:
            raise CaseAnatomyError(
                f"{structure}: the facial nerve's brainstem end is {gap[0]:.1f} mm off the brainstem surface "
                f"(it meets it only further along){hint}"
            )
        sources["root_exit_point"] = "derived"
    # --- samples from the root exit point
    keep = s >= rexp_s - 1e-9
    tail = np.vstack([np.array([np.interp(rexp_s, s, pts[:, k]) for k in range(3)])[None], pts[keep]])
    samples = resample_polyline(tail, step=NERVE_SAMPLE_STEP_MM)
    arc = arc_lengths(samples)
    if arc[-1] < 2.0:
        raise CaseAnatomyError(f"{structure}: less than 2 mm of the facial nerve beyond the root exit point{hint}")
    shape = make_shape(samples, arc, surface_vertices, surface_normals)
    # --- root detachment point: where the nerve stops lying on the brainstem
    rexp_end = dim("rexp_zone_length")
    half = dim("rdp_zone_half_width")
    if "root_detachment_point" in landmarks:
        rdp, dist = _project(samples, arc, landmarks["root_detachment_point"])
        if dist > LANDMARK_REACH_MM + r_med:
            raise CaseAnatomyError(
                f"{structure}: the root detachment point landmark is {dist:.1f} mm from the facial nerve; "
                "move it onto the nerve"
            )
        sources["root_detachment_point"] = "case"
    elif brainstem_vertices is not None and brainstem_sdf is not None:
        height = height_above_surface(samples, shape.ring, brainstem_vertices, brainstem_sdf)
        found = detachment_arc(arc, height, shape.radius_mm, tolerance_mm)
        rdp = float(arc[-1]) if found is None else found
        sources["root_detachment_point"] = "derived"
    else:
        rdp = dim("attached_segment_length")  # the model's figure: RExP -> RDP
        sources["root_detachment_point"] = "model"
        notes.append("root detachment point at the model's attached-segment length (no brainstem to measure)")
    rdp = min(rdp, float(arc[-1]))
    if rdp < rexp_end + half:  # the segment map needs RExP < AS <= RDP: an AS of zero length at least
        notes.append(
            f"the nerve detaches {rdp:.1f} mm from its exit; the root detachment zone starts at the end of the "
            f"root exit zone ({rexp_end:g} mm)"
        )
        rdp = rexp_end + half  # (past the end of a very short nerve: its map stays ordered)
    # --- porus of the internal acoustic meatus: the distal end unless placed
    if "internal_acoustic_meatus" in landmarks:
        porus, dist = _project(samples, arc, landmarks["internal_acoustic_meatus"])
        if dist > LANDMARK_REACH_MM + r_med:
            raise CaseAnatomyError(
                f"{structure}: the internal acoustic meatus landmark is {dist:.1f} mm from the facial nerve; "
                "move it onto the nerve"
            )
        sources["internal_acoustic_meatus"] = "case"
    else:
        porus = float(arc[-1])
        sources["internal_acoustic_meatus"] = "derived"
    tz = (rdp, rdp + dim("transition_zone_length"))
    control = np.vstack([samples[:: max(1, int(round(2.0 / NERVE_SAMPLE_STEP_MM)))], samples[-1:]])
    tube = Tube(
        "cn7",
        name,
        "nerve",
        "cn7",
        shape.radius_mm,
        control,
        "nerves",
        f"The patient's facial nerve (structure '{structure}'): centreline and radius from its surface.",
    )
    nerve = FacialNerve(tube, samples, arc, rdp, tz, porus)
    marks = {
        "root_exit_point": samples[0],
        "root_detachment_point": nerve.point_at(rdp),
        "transition_zone": nerve.point_at(0.5 * (tz[0] + tz[1])),
        "internal_acoustic_meatus": nerve.point_at(porus),
    }
    sources["transition_zone"] = "derived"
    return FacialNerveResult(nerve, shape, marks, sources, tuple(notes))


# --------------------------------------------------------------------------- shape of a contact


@dataclass(frozen=True)
class ShapeChange:
    reference_radius_mm: float  # half the nerve's thickness along the push, within NEIGHBOUR_MM of the contact
    radius_mm: float  # half its smallest thickness along the push under the contact
    radius_reduction: float  # 1 - radius / reference (>= 0)
    deviation_mm: float  # centreline displacement away from the vessel, from the smooth course
    diameter_mm: float  # the nerve's own diameter beside the contact (2 x its equivalent radius)
    course: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 3)))  # smooth course (arc window)
    course_arc: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    equivalent_radius_mm: float = 0.0
    indentation_mm: float = 0.0  # thickness along the push lost under the contact
    deepest_arc_mm: float = 0.0  # where the nerve is thinnest along the push


def shape_change(shape: NerveShape, arc_lo: float, arc_hi: float, push) -> ShapeChange:
    """How the nerve's shape changes where something touches it over [arc_lo, arc_hi].

    `push`: the direction the contact would push the nerve (from the vessel to the nerve)."""
    arc, pts = shape.arc, shape.points
    ok = ~shape.end_margin
    run = (arc >= arc_lo - 1e-9) & (arc <= arc_hi + 1e-9)
    nb = ((arc >= arc_lo - NEIGHBOUR_MM) & (arc < arc_lo)) | ((arc > arc_hi) & (arc <= arc_hi + NEIGHBOUR_MM))
    # The local radius where a vessel presses: half the nerve's thickness along the push. A cut in
    # a label map or a dent of the nerve takes its depth off that thickness, whatever the centreline does.
    w = shape.thickness(push)
    w = np.where(np.isnan(w), np.nanmedian(w) if np.isfinite(w).any() else 0.0, w)
    w = _running_median(arc, w, RADIUS_SMOOTH_MM)  # a few sparse wall vertices must not make a dent
    pool = nb & ok if (nb & ok).any() else ok if ok.any() else np.ones_like(ok)
    r_eq = float(np.median(shape.ring[pool]))
    # the smaller of the thickness along the push and the equivalent diameter beside the contact: a
    # cross-section oval along the push beside it (a voxel-sized staircase does that) is no indentation
    w_ref = min(float(np.median(w[pool])), 2.0 * r_eq)
    r_ref = 0.5 * w_ref
    under = run & ok
    w_min = float(w[under].min()) if under.any() else w_ref
    r_min = 0.5 * w_min
    reduction = max(0.0, 1.0 - w_min / w_ref) if w_ref > 0 else 0.0
    deepest = float(arc[under][int(np.argmin(w[under]))]) if under.any() else 0.5 * (arc_lo + arc_hi)
    # smooth course through the nerve outside the contact
    e_lo = min(COURSE_GAP_MM, max(0.0, (arc_lo - arc[0]) / 2))  # a contact near the exit: less room
    gap = (arc >= arc_lo - e_lo) & (arc <= arc_hi + COURSE_GAP_MM)
    before = (arc < arc_lo - e_lo) & (arc >= arc_lo - e_lo - COURSE_FIT_MM)
    after = (arc > arc_hi + COURSE_GAP_MM) & (arc <= arc_hi + COURSE_GAP_MM + COURSE_FIT_MM)
    deviation = 0.0
    course = np.zeros((0, 3))
    course_arc = np.zeros(0)
    nb_, na_ = int(before.sum()), int(after.sum())
    if na_ >= 3 or nb_ >= 3:
        course_arc = arc[gap]
        if nb_ >= 3 and na_ >= 3:
            # a cubic Hermite bridge across the contact: position and direction of the nerve on
            # either side (straight lines fitted there), so a natural bend inside is followed
            p0, t0, s0 = _end_line(arc[before], pts[before], at_end=True)
            p1, t1, s1 = _end_line(arc[after], pts[after], at_end=False)
        elif na_ >= 3:
            # at the root exit: the root is tethered where it leaves the brainstem, so the course
            # runs from the exit point (its own position) to the nerve beyond the contact
            p1, t1, s1 = _end_line(arc[after], pts[after], at_end=False)
            p0, s0 = pts[0], float(arc[0])
            t0 = (p1 - p0) / max(float(np.linalg.norm(p1 - p0)), 1e-12)
            gap = (arc >= arc[0]) & (arc <= arc_hi + COURSE_GAP_MM)
            course_arc = arc[gap]
        else:  # at the far end: a straight line on from the nerve before the contact
            p0, t0, s0 = _end_line(arc[before], pts[before], at_end=True)
            p1, t1, s1 = p0 + t0 * (float(arc[gap][-1]) - s0), t0, float(arc[gap][-1])
        L = max(s1 - s0, 1e-9)
        uu = ((course_arc - s0) / L)[:, None]
        h00, h10 = 2 * uu**3 - 3 * uu**2 + 1, uu**3 - 2 * uu**2 + uu
        h01, h11 = -2 * uu**3 + 3 * uu**2, uu**3 - uu**2
        course = h00 * p0 + h10 * L * t0 + h01 * p1 + h11 * L * t1
        disp = pts[gap] - course
        tan = np.gradient(course, axis=0) if len(course) > 1 else np.zeros_like(course)
        tan /= np.maximum(np.linalg.norm(tan, axis=1), 1e-12)[:, None]
        u = np.asarray(push, float)
        u = u[None, :] - np.einsum("ij,j->i", tan, u)[:, None] * tan  # in each normal plane
        u /= np.maximum(np.linalg.norm(u, axis=1), 1e-12)[:, None]
        away = np.einsum("ij,ij->i", disp, u)
        near = (course_arc >= arc_lo) & (course_arc <= arc_hi)
        deviation = float(max(0.0, away[near].max())) if near.any() else 0.0
    return ShapeChange(
        r_ref, r_min, reduction, deviation, 2.0 * r_eq, course, course_arc, r_eq, max(0.0, w_ref - w_min), deepest
    )


def _end_line(s: np.ndarray, p: np.ndarray, at_end: bool) -> tuple[np.ndarray, np.ndarray, float]:
    """(point, unit direction per mm of arc, arc) of a straight line fitted to a stretch of nerve,
    at the stretch's end next to the contact."""
    coef = np.polyfit(s, p, 1)
    s_e = float(s[-1] if at_end else s[0])
    point = coef[0] * s_e + coef[1]
    d = coef[0] / max(float(np.linalg.norm(coef[0])), 1e-12)
    return point, d, s_e


def shape_severity(change: ShapeChange) -> str:
    """'none' (no change of shape), 'moderate' (indentation) or 'severe' (deviation).

    A contact without a change of shape is 'mild'; this says what the shape alone shows."""
    if change.deviation_mm > DEVIATION_FRACTION * change.diameter_mm:
        return "severe"
    if change.radius_reduction > INDENT_FRACTION:
        return "moderate"
    return "none"


# --------------------------------------------------------------------------- contacts


@dataclass(frozen=True)
class CaseContact(Contact):
    """A contact measured on a case's surfaces: the v1 keys plus what it was measured with."""

    threshold_mm: float = 0.0  # contact tolerance used (one voxel of the source; 0.3 mm for meshes)
    radius_reduction: float = 0.0
    deviation_mm: float = 0.0
    reference_radius_mm: float = 0.0
    measured_on: str = "surfaces"

    def to_dict(self) -> dict:
        d = super().to_dict()
        d.update(
            {
                "contact_threshold_mm": round(self.threshold_mm, 3),
                "radius_reduction": round(self.radius_reduction, 3),
                "deviation_mm": round(self.deviation_mm, 3),
                "reference_radius_mm": round(self.reference_radius_mm, 3),
                "measured_on": self.measured_on,
            }
        )
        return d

    def shape_words(self) -> str:
        """The nerve's own shape at the contact: 'radius -12 %, course moved 0.31 mm'."""
        return f"radius -{100 * max(self.radius_reduction, 0.0):.0f} %, course moved {self.deviation_mm:.2f} mm"

    def describe(self) -> str:
        return f"{super().describe()} \u00b7 {self.shape_words()} (contact \u2264 {self.threshold_mm:.2f} mm)"


@dataclass(frozen=True)
class VesselSurface:
    """A segmented vessel for contact measurement: its surface and every centreline piece of it."""

    sdf: object  # points (n, 3) -> signed distance to the surface (negative inside)
    bounds: tuple[np.ndarray, np.ndarray]  # (lo, hi) corners
    lines: np.ndarray  # (M, 3) all centreline points (main path, parts, branches)
    children: tuple[str, ...] = ()  # scenario ids of its other parts and branches (measured as this one)


@dataclass
class NerveSurface:
    """A nerve of the case for contact measurement: its shape and its surface's vertices."""

    name: str  # CN7 | CN8
    shape: NerveShape
    vertices: np.ndarray  # (V, 3) surface vertices
    owner: np.ndarray = field(init=False)  # sample nearest to each vertex

    def __post_init__(self):
        _, self.owner = NearestPoints(self.shape.points).query(self.vertices)
        self.lo = self.vertices.min(axis=0)
        self.hi = self.vertices.max(axis=0)


class CaseAnatomy:
    """What ``analyze`` reads of an anatomy, for a patient case (duck-typed ``viewer.anatomy.Anatomy``)."""

    def __init__(
        self,
        side: str,
        facial: FacialNerveResult,
        nerves: list[NerveSurface],
        vessel_surfaces: dict,
        vessels: dict[str, Vessel],
        tolerance_mm: float,
        *,
        cn8: Tube | None = None,
        brainstem_sdf=None,
        extra_tubes: dict[str, Tube] | None = None,
    ):
        self.side = side
        self.facial_nerve = facial.nerve
        self.facial = facial
        self.nerves = nerves
        self.vessel_surfaces: dict[str, VesselSurface] = vessel_surfaces  # structure id -> its surface
        self._children = {c for v in vessel_surfaces.values() for c in v.children}
        self.derived_vessels = vessels  # id -> the Vessel made from the surface
        self.tolerance_mm = float(tolerance_mm)
        self.tubes: dict[str, Tube] = {"cn7": facial.nerve.tube}
        if cn8 is not None:
            self.tubes["cn8"] = cn8
        self.tubes.update(extra_tubes or {})
        self.landmarks = dict(facial.landmarks)
        self.facial_pathway_mm = np.zeros((0, 3))
        self.petrous = None
        self.surgical = None
        self._brainstem_sdf = brainstem_sdf
        self._cache: dict = {}
        self._chains = {n.name: _Chain(n.name, n.shape.points, n.shape.radius_mm, n.shape.arc) for n in nerves}

    def brainstem_sdf(self, p) -> np.ndarray:
        if self._brainstem_sdf is None:
            raise CaseAnatomyError("the case has no brainstem structure")
        p = np.asarray(p, float)
        return np.asarray(self._brainstem_sdf(p.reshape(-1, 3)), float).reshape(p.shape[:-1])

    def thresholds(self, base: Thresholds | None = None) -> Thresholds:
        """The analysis' thresholds with this case's contact tolerance."""
        return replace(base or Thresholds(), contact_gap_mm=self.tolerance_mm)

    def vessel_contacts(self, vessel: Vessel, th: Thresholds):
        """Contacts of a segmented vessel, measured on the surfaces; None for an edited or foreign
        vessel (the analysis then uses its tube, as on the model)."""
        own = self.derived_vessels.get(vessel.id)
        if own is None or own.centerline_mm != vessel.centerline_mm:
            return None
        if vessel.id not in self.vessel_surfaces:
            # a part or branch as segmented: its structure's surface is measured under the structure's id
            return () if vessel.id in self._children else None
        key = (vessel, th)
        if key not in self._cache:
            self._cache[key] = tuple(self._measure(vessel, th))
        return self._cache[key]

    def _measure(self, vessel: Vessel, th: Thresholds) -> list[CaseContact]:
        surf = self.vessel_surfaces[vessel.id]
        sdf, (vlo, vhi) = surf.sdf, surf.bounds
        tol = th.contact_gap_mm
        course = surf.lines
        out = []
        for nerve in self.nerves:
            if np.any(vlo > nerve.hi + tol + 1.0) or np.any(vhi < nerve.lo - tol - 1.0):
                continue
            near = np.all((nerve.vertices >= vlo - tol - 1.0) & (nerve.vertices <= vhi + tol + 1.0), axis=1)
            if not near.any():
                continue
            d = np.asarray(sdf(nerve.vertices[near]), float)
            n = len(nerve.shape.points)
            gap = np.full(n, np.inf)
            np.minimum.at(gap, nerve.owner[near], d)
            chain = self._chains[nerve.name]
            for a, b in _merge_runs(_runs_of(gap <= tol), nerve.shape.arc, RUN_HOLE_MM):
                out.append(self._contact(vessel, nerve, chain, course, gap, a, b, tol, sdf))
        return out

    def _contact(self, vessel, nerve, chain, course, gap, a, b, tol, sdf) -> CaseContact:
        shape = nerve.shape
        g_min = float(gap[a : b + 1].min())
        # Labels that touch give a gap of ~0 all along the contact; where the vessel's axis comes
        # closest to the nerve's is where it crosses (the model's contact point too).
        d_axis, near = NearestPoints(course).query(shape.points[a : b + 1])
        j = a + int(np.argmin(d_axis))
        lo, hi = float(shape.arc[a]), float(shape.arc[b])
        npt = shape.points[j]
        vpt = course[int(near[j - a])]
        # a vessel running along the nerve: its shape is read where it crosses closest
        arc_j = float(shape.arc[j])
        ch = shape_change(shape, max(lo, arc_j - SHAPE_SPAN_MM), min(hi, arc_j + SHAPE_SPAN_MM), npt - vpt)
        # How deep the vessel sits in the nerve: the thickness it took off the nerve (a label map
        # has one label a voxel, so the surface gap is ~0 along the whole contact and cannot say).
        pen = max(-g_min, ch.indentation_mm, 0.0)
        arc = float(shape.arc[j])
        grade = shape_severity(ch)
        severity = "mild" if grade == "none" else grade
        if nerve.name == CN7:
            seg = str(self.facial_nerve.segment_at(arc))
            my = str(self.facial_nerve.myelin_at(arc))
        else:
            seg = my = None
        k = min(j, chain.n - 2)
        return CaseContact(
            "vessel",
            vessel.id,
            vessel.label,
            vessel.role,
            vessel.kind,
            nerve.name,
            seg,
            my,
            arc,
            g_min,
            pen,
            severity,
            chain.side(k, vpt - npt),
            tuple(float(x) for x in npt),
            tuple(float(x) for x in vpt),
            (lo, hi),
            threshold_mm=tol,
            radius_reduction=ch.radius_reduction,
            deviation_mm=ch.deviation_mm,
            reference_radius_mm=ch.reference_radius_mm,
        )

    # the anatomy contract (`anatomy --case --json`)
    def to_dict(self, case_info: dict | None = None, vessel_structures: list[dict] | None = None) -> dict:
        fn = self.facial_nerve.to_dict()
        fn["name"] = self.facial_nerve.tube.name
        shape = self.facial.shape
        for smp, r in zip(fn["samples"], shape.ring):
            smp["radius_mm"] = round(float(r), 3)
        structures = [{**t.to_dict(), "radius_mm": round(t.radius_mm, 3)} for t in self.tubes.values()]
        structures += vessel_structures or []
        out = {
            "frame": "RAS",
            "units": "mm",
            "side": self.side,
            "anatomy": "patient",
            "structures": structures,
            "facial_nerve": fn,
            "landmarks": {k: np.round(v, 3).tolist() for k, v in self.landmarks.items()},
            "landmark_sources": dict(self.facial.landmark_sources),
            "contact_threshold_mm": round(self.tolerance_mm, 3),
            "notes": list(self.facial.notes),
        }
        if case_info:
            out["case"] = case_info
        return out
