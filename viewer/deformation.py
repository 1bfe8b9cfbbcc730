"""How CN VII deforms under compressing vessels and lesions (pure core: numpy only).

The picture must agree with the severity the analysis reports
(docs/clinical-reference.md sections 6-7; d = penetration of the compressor into the
*undeformed* nerve, D = nerve diameter, both from centreline distances):

* no penetration (including a mere touch, gap in (0, 0.1] mm): nothing moves;
* d <= 0.5 D (mild / moderate): the course stays put and the surface is
  indented: every ring near the contact is flattened, along the push direction,
  down to the compressor's surface, so no vertex stays inside it. A polynomial
  smooth-min across the ring and a raised-cosine dilation of the dent depth
  along the arc (~1 mm) give a dent with a soft rim rather than a cut;
* d > 0.5 D (severe, "deviation"): the centreline is pushed away from the
  compressor by d - 0.5 D at the contact, with a Gaussian falloff along the arc
  (sigma ~2.5 mm), and the remaining 0.5 D is shown as a dent on top.

The root exit point (arc 0) and the porus (and the canal beyond it) are anchors:
a raised-cosine envelope brings the course displacement to exactly 0 there. A
severe contact closer to an anchor than `anchor_ramp_mm` is therefore only partly
deviated; the dent depth is capped at `max_dent_fraction` of the radius, so there
the compressor may visibly overlap the nerve a little (the tethered root cannot
escape: that is what the picture shows).

Why this shape: the mesh topology never changes (the cn7 tube of
viewer.render.meshgen: `tube_topology(n, 24, cap_rings=5)`); every displacement
stays in the plane of its ring (no shear along the nerve) and is a monotone
function of the height along the push direction, so rings cannot fold and
triangles cannot flip. Only rings near a compressor are touched (bounding-box
prefilter), which keeps one call well under 2 ms for a few contacts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .geometry import arc_lengths
from .nearest import NearestPoints
from .sdf import ellipsoid as _ellipsoid_sdf
from .thresholds import DEFAULT_THRESHOLDS, Thresholds
from .tubes import TubeTopology, tube_points, tube_topology

__all__ = [
    "DeformParams",
    "CapsuleChain",
    "Ellipsoid",
    "ContactDeformation",
    "NerveDeformation",
    "NerveDeformer",
    "deform_nerve",
    "smooth_min",
]

NERVE_SIDES = 24
NERVE_CAP_RINGS = 5
_EPS = 1e-12


@dataclass(frozen=True)
class DeformParams:
    """Tunable shape of the deformation. Where a compression becomes severe is not a shape
    parameter: it is the analysis' `Thresholds.moderate_max_fraction`."""

    sigma_mm: float = 2.5  # Gaussian falloff of the course deviation along the arc
    dent_rim_mm: float = 0.6  # raised-cosine dilation of the dent depth along the arc (soft rim)
    dent_softness_mm: float = 0.2  # smooth-min width across the ring (rounds the dent's edge)
    anchor_ramp_mm: float = 1.0  # displacement envelope rises from 0 to 1 over this from each anchor
    max_dent_fraction: float = 0.9  # dents never reach deeper than this x radius (no folding)
    truncate_sigmas: float = 4.0  # Gaussian support


# ----------------------------------------------------------------------------- compressors
def _unit(v: np.ndarray) -> np.ndarray:
    n = np.sqrt(np.einsum("...k,...k->...", v, v))[..., None]
    return np.divide(v, n, out=np.zeros_like(v), where=n > _EPS)


class CapsuleChain:
    """A tube compressor: polyline course (M x 3) and one radius (a vessel)."""

    def __init__(self, course, radius: float):
        c = np.ascontiguousarray(course, dtype=float)
        if c.ndim != 2 or c.shape[1] != 3 or len(c) < 2:
            raise ValueError("course must be an (M>=2, 3) array")
        self.radius = float(radius)
        self.p0 = c[:-1]
        self.p1 = c[1:]
        self.d = self.p1 - self.p0
        self.len2 = np.maximum(np.einsum("ij,ij->i", self.d, self.d), _EPS)
        self.max_len = float(np.sqrt(self.len2.max()))
        self.lo = c.min(axis=0) - self.radius
        self.hi = c.max(axis=0) + self.radius
        self._near = None

    @property
    def reach(self) -> float:
        return self.radius

    def closest(self, p: np.ndarray, margin: float):
        """Signed distance to the surface, unit direction from the compressor to p, and
        the closest segment, for points within `margin` of the surface (others: inf).

        A nearest-vertex search over the course vertices (`NearestPoints`: bounding-box
        prefilter, then brute force; pure numpy rather than scipy's cKDTree, for the frozen
        build's size budget) finds each point's nearest vertex within reach; the exact
        distance comes from the few segments around it (courses are densely sampled
        splines, so the closest segment is next to the closest vertex)."""
        if self._near is None:
            self._near = NearestPoints(np.vstack([self.p0, self.p1[-1:]]))
        m = len(p)
        sd = np.full(m, np.inf)
        dirs = np.zeros_like(p)
        segs = np.zeros(m, int)
        dist, idx = self._near.query(p, distance_upper_bound=margin + self.radius + self.max_len)
        ok = np.flatnonzero(np.isfinite(dist))
        if ok.size == 0:
            return sd, dirs, segs
        n_seg = len(self.p0)
        k = np.clip(idx[ok][:, None] + np.arange(-2, 2)[None, :], 0, n_seg - 1)  # (m, 4)
        p0, d, len2 = self.p0[k], self.d[k], self.len2[k]
        w = p[ok][:, None, :] - p0
        t = np.clip((w * d).sum(-1) / len2, 0.0, 1.0)
        diff = w - t[..., None] * d
        dist2 = (diff * diff).sum(-1)
        j = np.argmin(dist2, axis=1)
        rows = np.arange(len(ok))
        sd[ok] = np.sqrt(dist2[rows, j]) - self.radius
        dirs[ok] = _unit(diff[rows, j])
        segs[ok] = k[rows, j]
        return sd, dirs, segs


class Ellipsoid:
    """An axis-aligned ellipsoid compressor (tumour, AVM nidus, aneurysm sac...)."""

    def __init__(self, centre, radii):
        self.centre = np.asarray(centre, float).reshape(3)
        self.radii = np.broadcast_to(np.asarray(radii, float), (3,)).copy()
        if np.any(self.radii <= 0):
            raise ValueError("ellipsoid radii must be positive")
        self.lo = self.centre - self.radii
        self.hi = self.centre + self.radii

    @property
    def reach(self) -> float:
        return float(self.radii.max())

    def closest(self, p: np.ndarray, margin: float):
        sd = _ellipsoid_sdf(p, self.centre, self.radii)
        return sd, _unit((p - self.centre) / self.radii**2), np.zeros(len(p), int)


def smooth_min(a, b, k: float):
    """Polynomial smooth minimum (Quilez): <= min(a, b), exact when |a - b| >= k,
    monotone non-decreasing in a."""
    if k <= 0:
        return np.minimum(a, b)
    h = np.clip(0.5 + 0.5 * (b - a) / k, 0.0, 1.0)
    return b + (a - b) * h - k * h * (1.0 - h)


def _raised_cos(x, width: float):
    """1 at 0, 0 at |x| >= width, C1-smooth."""
    t = np.clip(np.abs(x) / width, 0.0, 1.0)
    return 0.5 * (1.0 + np.cos(np.pi * t))


# ----------------------------------------------------------------------------- results
@dataclass(frozen=True)
class ContactDeformation:
    """One compression as the deformation saw it (undeformed configuration)."""

    source: int  # index into tubes + lesions (tubes first)
    arc_mm: float
    penetration_mm: float  # d, into the undeformed nerve (centreline distance, as the analysis)
    shift_mm: float  # course displacement applied at the contact (0 unless severe)
    direction: tuple[float, float, float]  # push direction, away from the compressor


@dataclass(frozen=True)
class NerveDeformation:
    centerline: np.ndarray  # (N, 3) displaced centreline
    centerline_displacement: np.ndarray  # (N, 3)
    points: np.ndarray  # (V, 3) deformed tube vertices (cn7 topology)
    displacement: np.ndarray  # (V, 3) per-vertex displacement from the rest mesh
    depth_mm: np.ndarray  # (V,) penetration depth for the colour map (0 away from contacts)
    contacts: tuple[ContactDeformation, ...] = field(default=())

    @property
    def max_displacement_mm(self) -> float:
        return float(np.sqrt(np.einsum("ij,ij->i", self.displacement, self.displacement).max(initial=0.0)))

    @property
    def max_centerline_shift_mm(self) -> float:
        d = self.centerline_displacement
        return float(np.sqrt(np.einsum("ij,ij->i", d, d).max(initial=0.0)))

    @property
    def is_rest(self) -> bool:
        return not self.displacement.any()


# ----------------------------------------------------------------------------- model
class NerveDeformer:
    """Precomputed rest state of one nerve tube; `deform(...)` per mouse move.

    points: (N, 3) centreline samples (the cn7 mesh rings), radius in mm.
    anchor_arcs: (start, end) arc lengths beyond which nothing moves; end defaults
    to the last sample (pass the porus arc to keep the canal segment fixed).
    thresholds: the analysis' operational definitions; a penetration beyond
    ``moderate_max_fraction`` x diameter is severe and deviates the course, exactly
    where the analysis reports ``severe``.
    """

    def __init__(
        self,
        points,
        radius: float,
        *,
        n_sides: int = NERVE_SIDES,
        cap_rings: int = NERVE_CAP_RINGS,
        anchor_arcs: tuple[float, float | None] = (0.0, None),
        params: DeformParams | None = None,
        thresholds: Thresholds = DEFAULT_THRESHOLDS,
    ):
        self.centerline = np.ascontiguousarray(points, dtype=float)
        self.radius = float(radius)
        self.params = params or DeformParams()
        self.thresholds = thresholds
        n = len(self.centerline)
        self.topology: TubeTopology = tube_topology(n, n_sides, cap_rings)
        self.rest_points = tube_points(self.centerline, self.radius, self.topology)
        self.arc = arc_lengths(self.centerline)
        self.tangent = _unit(np.gradient(self.centerline, axis=0))
        S, k = n_sides, cap_rings
        # ring (centreline sample) that owns each vertex; caps and poles belong to the end rings
        owner = np.concatenate([np.zeros(k * S, int), np.repeat(np.arange(n), S), np.full(k * S, n - 1), [0, n - 1]])
        self.vertex_ring = owner
        self.body = (k + np.arange(n))[:, None] * S + np.arange(S)[None, :]  # (N, S) body vertex ids
        self.start_extra = np.concatenate([np.arange(k * S), [(n + 2 * k) * S]])
        self.end_extra = np.concatenate([np.arange((n + k) * S, (n + 2 * k) * S), [(n + 2 * k) * S + 1]])
        self.offsets = self.rest_points - self.centerline[owner]
        a0, a1 = anchor_arcs
        a1 = float(self.arc[-1]) if a1 is None else float(a1)
        ramp = self.params.anchor_ramp_mm
        up = np.clip((self.arc - a0) / ramp, 0.0, 1.0)
        down = np.clip((a1 - self.arc) / ramp, 0.0, 1.0)
        self.anchor = (0.5 - 0.5 * np.cos(np.pi * up)) * (0.5 - 0.5 * np.cos(np.pi * down))
        self.anchor_arcs = (float(a0), a1)
        self._zero_v = np.zeros_like(self.rest_points)

    # -- helpers --------------------------------------------------------------------------
    def _rings_near(self, centres: np.ndarray, comp, margin: float) -> np.ndarray:
        return np.flatnonzero(np.all(centres >= comp.lo - margin, axis=1) & np.all(centres <= comp.hi + margin, axis=1))

    def _vertices_of(self, rings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Vertex ids of the given rings and, for each, the index into `rings`."""
        S = self.topology.n_sides
        parts = [self.body[rings].ravel()]
        owners = [np.repeat(np.arange(len(rings)), S)]
        n = len(self.centerline)
        for ring_id, extra in ((0, self.start_extra), (n - 1, self.end_extra)):
            pos = np.flatnonzero(rings == ring_id)
            if pos.size:
                parts.append(extra)
                owners.append(np.full(len(extra), pos[0]))
        return np.concatenate(parts), np.concatenate(owners)

    # -- the model ------------------------------------------------------------------------
    def deform(self, tubes=(), lesions=(), *, thresholds: Thresholds | None = None) -> NerveDeformation:
        """tubes: iterable of (course (M,3), radius) or CapsuleChain; lesions: (centre, radii) or Ellipsoid.

        thresholds: where a compression becomes ``severe`` and deviates the course (pass the
        findings' own, `Findings.thresholds`); None uses the deformer's."""
        comps = [t if isinstance(t, CapsuleChain) else CapsuleChain(*t) for t in tubes]
        comps += [e if isinstance(e, Ellipsoid) else Ellipsoid(*e) for e in lesions]
        th = self.thresholds if thresholds is None else thresholds
        c0 = self.centerline
        contacts, course_field, depth_jobs = self._find_contacts(comps, 2.0 * self.radius * th.moderate_max_fraction)
        if not contacts:
            return NerveDeformation(
                c0.copy(),
                np.zeros_like(c0),
                self.rest_points.copy(),
                self._zero_v.copy(),
                np.zeros(len(self.rest_points)),
                (),
            )
        X, c1, dc = self._displace_course(course_field)
        self._dent(X, c1, comps)
        depth = self._colour_depth(len(X), depth_jobs)
        return NerveDeformation(c1, dc, X, X - self.rest_points, depth, tuple(contacts))

    def _find_contacts(self, comps, severe_at: float):
        """Stage 1, in the undeformed configuration: one contact per run of penetrating rings, the
        course deviation field of the severe ones (beyond `severe_at` mm) and the colour-depth jobs."""
        P = self.params
        r = self.radius
        c0 = self.centerline
        arc = self.arc
        rim = P.dent_rim_mm
        dc = None
        contacts: list[ContactDeformation] = []
        depth_jobs = []
        for ci, comp in enumerate(comps):
            rings = self._rings_near(c0, comp, r + rim + 0.2)
            if rings.size == 0:
                continue
            sd, dirs, _ = comp.closest(c0[rings], r + rim + 0.2)
            pen = r - sd
            if not np.any(pen > 0):
                continue
            # where the compressor's axis nearly crosses the nerve's, the push direction is
            # ill-defined: colour the whole ring rather than a "facing" side that may flip
            comp_r = getattr(comp, "radius", None)
            axis_close = (sd + comp_r < 0.5 * r) if comp_r is not None else np.zeros(len(rings), bool)
            depth_jobs.append((rings, pen, dirs, axis_close))
            # one contact per run of consecutive penetrating rings (a loop can touch twice)
            hit = np.flatnonzero(pen > 0)
            breaks = np.flatnonzero(np.diff(rings[hit]) > 1) + 1
            for run in np.split(hit, breaks):
                j = run[np.argmax(pen[run])]
                i = rings[j]
                u = dirs[j] - np.dot(dirs[j], self.tangent[i]) * self.tangent[i]
                nu = np.linalg.norm(u)
                u = u / nu if nu > _EPS else dirs[j]
                shift = max(0.0, float(pen[j]) - severe_at)
                if shift > 0.0:
                    g = np.exp(-0.5 * ((arc - arc[i]) / P.sigma_mm) ** 2)
                    g[np.abs(arc - arc[i]) > P.truncate_sigmas * P.sigma_mm] = 0.0
                    field_ = (shift * g * self.anchor)[:, None] * u[None, :]
                    dc = field_ if dc is None else dc + field_
                contacts.append(
                    ContactDeformation(
                        ci, float(arc[i]), float(pen[j]), shift * float(self.anchor[i]), tuple(float(v) for v in u)
                    )
                )
        return contacts, dc, depth_jobs

    def _displace_course(self, dc):
        """Stage 2: the displaced course and the tube vertices moved with it (rest points when nothing deviates).

        Each ring is translated within its own plane (normal to the rest tangent) and
        stretched there along the tilt into the ellipse that a tube of radius r around the
        tilted course cuts from that plane: rings never leave their planes, so neighbours
        cannot cross however sharply the course bends near an anchor."""
        c0 = self.centerline
        X = self.rest_points.copy()
        t0 = self.tangent
        if dc is None:
            return X, c0, np.zeros_like(c0)
        dc -= np.einsum("ij,ij->i", dc, t0)[:, None] * t0
        c1 = c0 + dc
        t1 = _unit(np.gradient(c1, axis=0))
        moved = np.flatnonzero(np.any(np.abs(c1 - c0) > 1e-12, axis=1) | np.any(np.abs(t1 - t0) > 1e-12, axis=1))
        vids, own = self._vertices_of(moved)
        cth = np.einsum("ij,ij->i", t0[moved], t1[moved])
        e = _unit(t1[moved] - cth[:, None] * t0[moved])
        stretch = 1.0 / np.maximum(cth, 0.5) - 1.0
        o = self.offsets[vids]
        eo = e[own]
        X[vids] = c1[moved][own] + o + (stretch[own] * np.einsum("ij,ij->i", o, eo))[:, None] * eo
        return X, c1, dc

    def _dent(self, X: np.ndarray, c1: np.ndarray, comps) -> None:
        """Stage 3: dents in the displaced configuration, one compressor after the other (X in place)."""
        P = self.params
        r = self.radius
        arc = self.arc
        rim = P.dent_rim_mm
        t0 = self.tangent
        k_soft = P.dent_softness_mm
        max_dent = P.max_dent_fraction * r  # the stretch of a tilted ring only adds room
        for comp in comps:
            rings = self._rings_near(c1, comp, r + rim + 0.2)
            if rings.size == 0:
                continue
            sd, dirs, _ = comp.closest(c1[rings], r + rim + 0.2)
            touching = np.flatnonzero(sd < r + k_soft)
            if touching.size == 0:
                continue
            tr = t0[rings]  # push within the ring's own plane
            u = dirs - np.einsum("ij,ij->i", dirs, tr)[:, None] * tr
            u = _unit(u)
            # Dent depth per ring: the ring's top along u minus the compressor's distance from
            # the ring centre. A locally convex compressor lies entirely beyond the plane normal
            # to u at that distance (further still within the ring plane when u had to be
            # projected), so flattening the ring down to it leaves no vertex inside. Exact at
            # the contact ring of a perpendicular crossing, a little wide elsewhere: soft.
            zr = -np.einsum("rsj,rj->rs", X[self.body[rings]] - c1[rings][:, None, :], u)
            top_all = zr.max(axis=1)
            dent = np.maximum(top_all[touching] - sd[touching], 0.0)
            tr_rings = rings[touching]
            hit = dent > 0
            if not np.any(hit):
                continue
            # dilate along the arc: a soft rim of ~dent_rim_mm around the footprint
            da = arc[rings][:, None] - arc[tr_rings[hit]][None, :]
            D = (dent[hit][None, :] * _raised_cos(da, rim)).max(axis=1)
            D = np.minimum(D, max_dent)
            sel = np.flatnonzero(D > 0)
            vids, own = self._vertices_of(rings[sel])
            us = u[sel][own]
            zz = -np.einsum("ij,ij->i", X[vids] - c1[rings[sel]][own], us)
            cut = (top_all[sel] - D[sel])[own]
            push = zz - smooth_min(zz, cut, k_soft)
            X[vids] += push[:, None] * us

    def _colour_depth(self, n_vertices: int, depth_jobs) -> np.ndarray:
        """Stage 4: colour depth, analysis-style penetration per ring, dilated, on the facing side."""
        r = self.radius
        arc = self.arc
        rim = self.params.dent_rim_mm
        depth = np.zeros(n_vertices)
        for rings, pen, dirs, axis_close in depth_jobs:
            hit = pen > 0
            da = arc[rings][:, None] - arc[rings[hit]][None, :]
            Dp = (pen[hit][None, :] * _raised_cos(da, rim)).max(axis=1)
            sel = np.flatnonzero(Dp > 0)
            vids, own = self._vertices_of(rings[sel])
            facing = -np.einsum("ij,ij->i", self.offsets[vids], dirs[sel][own]) / r
            w = np.clip((facing + 0.2) / 0.9, 0.0, 1.0)
            w = w * w * (3.0 - 2.0 * w)
            w = np.where(axis_close[sel][own], 1.0, w)
            depth[vids] = np.maximum(depth[vids], Dp[sel][own] * w)
        return depth


def deform_nerve(points, radius: float, tubes=(), lesions=(), **kw) -> NerveDeformation:
    """One-shot convenience: build a NerveDeformer (slow part) and deform once.
    For live use keep the NerveDeformer and call `.deform` per move."""
    return NerveDeformer(points, radius, **kw).deform(tubes, lesions)
