"""MVD rehearsal: Teflon pads, slings (transposition) and the decompression check (pure core: numpy only).

Contract: ``shared/design/formats-v2.md`` sections 1 and 2; clinical background, sources and which
thresholds are the project's own: docs/clinical-reference.md section 12.

Routing (``route``) turns a scenario with pads and slings into the *effective* scenario: the same
vessels with the courses the plan gives them (dense handles), and no pads or slings. The analysis
measures that one (the "after" state) and the scenario without the plan (the "before" state).

Both pads and slings move a course *piecewise rigidly* (``_piecewise``): some course points are
controls with a target (fixed points stay: the origin, where another vessel branches off, an end
lying on another vessel, a sling point), and each section between two controls is rotated so its
chord joins the new ends, scaled along the chord to its new length and across it by the factor that
keeps its arc length (a pulled tortuous stretch straightens, a pushed one bulges; ``_SectionMap``).
Loops and bends inside a section keep their shape; the corners at the controls are blended over
``BLEND_MM``. Shearing a course point by point instead (a smooth displacement bump) tightened loops
near the lift into kinks and shortened the vessel.

* Sling: the course point at ``at_mm`` is a control whose target is ``anchor_mm``; a free distal end
  follows the last sling rigidly. The length changes only where a section cannot straighten (or
  bulge) enough: that is what ``sling_stretches_vessel`` reports.
* Pad: a solid ellipsoid. The stretch whose tube (radius + ``PAD_CLEARANCE_MM``) overlaps it, plus
  ``PLATEAU_MM`` each side, moves as one piece along one push direction (the mean of its points'
  directions away from the nearest CN VII point; far from the nerve, the pia's normal with any part
  towards the nerve removed) by the smallest lift that clears the pad: it ends on the pad's far
  side, resting on it. Each tail of ``FALLOFF_MIN_MM + FALLOFF_PER_MM`` x lift swings about its far
  end (or the nearest fixed point). A pad never brings a course point closer to CN VII: a tail point
  that would come a hair closer stays where it was, and when more is at stake (or a fixed point lies
  in the overlap) the point-by-point lift ``_lift_bump`` is used, which checks every point.
  ``PAD_PASSES`` rounds settle several pads; vessels then stop at the pia
  (as ``editing.clamp_outside_brainstem`` stops a dragged one, on the anatomy's own brainstem).

Routing is cached per vessel in two stages (slings; then the pads within reach of the slung course),
so dragging one pad re-routes only the vessels it can touch.

The decompression findings (``decompression_findings``) compare the two analyses and add the pad
contacts and the warnings of the contract, each with its reason and sources (``WARNING_SOURCES``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np

from . import sdf
from .anatomy import Anatomy
from .editing import PIA_CLEARANCE_MM
from .scenario import Pad, Scenario, Sling, Vessel, vessel_course
from .sources import BIBLIOGRAPHY

__all__ = [
    "PAD_CLEARANCE_MM",
    "PAD_MAX_SEMI_AXIS_MM",
    "PAD_COMPRESSION_FRACTION",
    "SLING_STRETCH_MAX",
    "KINK_RADIUS_FACTOR",
    "WARNING_CODES",
    "STATUSES",
    "RoutedVessel",
    "RoutedScenario",
    "route",
    "pad_sdf",
    "pad_contacts",
    "bend_radii",
    "has_plan",
    "without_plan",
    "decompression_findings",
    "clear_cache",
    "pad_at_contact",
    "sling_to_dura",
    "new_id",
    "DEFAULT_PAD_RADII_MM",
    "DEFAULT_PAD_GAP_MM",
]

PAD_CLEARANCE_MM = 0.05  # a vessel wall resting on a pad: as close as the pia allows (editing.PIA_CLEARANCE_MM)
PLATEAU_MM = 3.0  # the stretch within this arc of an overlapping point is lifted as one piece
FALLOFF_MIN_MM = 4.0  # length of a pad lift's swinging tail for a tiny lift ...
FALLOFF_PER_MM = 5.0  # ... growing with the lift: a 2 mm lift swings 14 mm of vessel each side (about 8 degrees)
# "Away" from the nerve: straight away from the nearest CN VII point up to 4 mm from its centreline,
# turning into the pia's outward normal by 8 mm (a pad on the brainstem far from the nerve).
NEAR_NERVE_MM = (4.0, 8.0)
DIRECTION_SMOOTHING_MM = 2.0  # point-by-point lift: Gaussian sigma along the course for the push directions
FIXED_RAMP_MM = 2.0  # point-by-point lift: fades to zero over this arc next to a fixed point
NERVE_STRIDE = 5  # CN VII samples are 0.2 mm apart: every fifth, 1 mm (sagitta of its bends << 0.01 mm)
PAD_PASSES = 3  # rounds over all pads (a vessel lifted off one pad may land on another)
BEND_STENCIL = 2  # course steps on each side for a bend radius (2 x 0.5 mm)
# The model's own vessels have bends under 2 x radius (tortuous loops), and a re-routed section's bends
# shift by some 10 % (resampling, a swinging tail taking up a millimetre of slack): a bend counts as the
# routing's kink where it is under the limit and at least 25 % tighter than before.
KINK_TIGHTENING = 0.75
STRAIGHTEN_RANGE = (0.0, 3.0)  # how far a section may straighten (0: its chord) or bulge (3x its excursions)
GUARD_REVERT_MM = 0.05  # a tail point that would come this little closer to CN VII just stays (else: point by point)
BLEND_MM = 1.5  # arc over which two sections' motions are blended at a control point
MOVED_MM = 0.05  # a course point moved by more than this counts as re-routed (kink check)

# Warning thresholds of the contract (formats-v2.md section 2)
PAD_COMPRESSION_FRACTION = 0.1  # pad_compresses_nerve: penetration > 0.1 x CN VII diameter
PAD_MAX_SEMI_AXIS_MM = 4.0  # pad_oversized
SLING_STRETCH_MAX = 1.10  # sling_stretches_vessel: > 10 % longer
KINK_RADIUS_FACTOR = 2.0  # vessel_kinked: bend radius < 2 x vessel radius
CONTACT_GAP_MM = 0.1  # a pad "touches" within this gap: viewer.thresholds' contact_gap_mm, its default

STATUSES = ("decompressed", "residual_compression")
WARNING_CODES = ("pad_compresses_nerve", "pad_on_rez", "pad_oversized", "sling_stretches_vessel", "vessel_kinked")


# --------------------------------------------------------------------------- geometry helpers


def pad_sdf(pad: Pad, p: np.ndarray) -> np.ndarray:
    """Signed distance to the pad's surface (negative inside; exact on the surface, bounded elsewhere)."""
    q = (np.asarray(p, float) - np.asarray(pad.center_mm)) @ pad.axes_matrix.T
    return sdf.ellipsoid(q, np.zeros(3), np.asarray(pad.radii_mm))


def _nearest_on_polyline(points: np.ndarray, line: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Closest point of a polyline to each point, and the distance."""
    a, b = line[:-1], line[1:]
    ab = b - a
    ab2 = np.maximum(np.einsum("ij,ij->i", ab, ab), 1e-12)
    ap = points[:, None, :] - a[None, :, :]
    t = np.clip(np.einsum("mkj,kj->mk", ap, ab) / ab2, 0.0, 1.0)
    foot = a[None] + t[..., None] * ab[None]
    d2 = np.einsum("mkj,mkj->mk", points[:, None, :] - foot, points[:, None, :] - foot)
    k = np.argmin(d2, axis=1)
    rows = np.arange(len(points))
    return foot[rows, k], np.sqrt(d2[rows, k])


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return np.divide(v, n, out=np.zeros_like(v), where=n > 1e-12)


class _Site(NamedTuple):
    """What routing needs of an anatomy: CN VII's centreline (every ~1 mm), the pia (the anatomy's
    brainstem SDF; None for a patient case without a brainstem), and a cache key."""

    points: np.ndarray
    brainstem: Callable | None
    key: tuple


def _brainstem_of(anatomy) -> Callable | None:
    """The anatomy's brainstem SDF (the model's, or a patient case's segmented one), None without one."""
    f = getattr(anatomy, "brainstem_sdf", None)
    if f is None:
        return None
    try:
        f(np.zeros((1, 3)))
    except ValueError:  # a patient case with no brainstem structure (CaseAnatomyError)
        return None
    return f


def _clamp_to_pia(pts: np.ndarray, radius: float, site: _Site) -> np.ndarray:
    """Vessels stop at the pia, as a dragged vessel does (editing.clamp_outside_brainstem), on this anatomy."""
    if site.brainstem is None or len(pts) == 0:
        return pts
    limit = radius + PIA_CLEARANCE_MM
    inside = site.brainstem(pts) < limit - 1e-6
    if not inside.any():
        return pts
    out = pts.copy()
    out[inside] = sdf.project_to_surface(site.brainstem, pts[inside], offset=limit)
    return out


def _away_directions(points: np.ndarray, site: _Site) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per point: the direction a pad pushes it, the unit vector straight away from the nearest CN VII
    point, and the distance to the nerve's centreline.

    Near the nerve the push is straight away from it; farther than NEAR_NERVE_MM it turns into the
    pia's outward normal, stripped of any component towards the nerve."""
    foot, dist = _nearest_on_polyline(points, site.points)
    a = _unit(points - foot)
    lo, hi = NEAR_NERVE_MM
    w = np.clip((hi - dist) / (hi - lo), 0.0, 1.0)
    u = a.copy()
    far = np.flatnonzero(w < 1.0)
    if far.size and site.brainstem is not None:  # the brainstem's gradient only where it counts (6 SDF calls)
        g = _unit(sdf.gradient(site.brainstem, points[far]))  # the pia's outward normal
        af = a[far]
        g = _unit(g - np.minimum(0.0, np.einsum("ij,ij->i", g, af))[:, None] * af)
        uf = _unit(w[far, None] * af + (1.0 - w[far, None]) * g)
        ok = np.linalg.norm(uf, axis=1) > 0.5
        u[far[ok]] = uf[ok]
    return u, a, dist


def _smooth_away(pts: np.ndarray, arcs: np.ndarray, site: _Site) -> tuple[np.ndarray, np.ndarray]:
    """Push directions smoothed along the course (a vessel crossing the nerve would otherwise see them
    swing within a millimetre and kink), then stripped of any component towards the nerve; and the
    distance of each point to the nerve."""
    u, a, dist = _away_directions(pts, site)
    k = np.exp(-0.5 * ((arcs[:, None] - arcs[None, :]) / DIRECTION_SMOOTHING_MM) ** 2)
    us = _unit(k @ u)
    us = _unit(us - np.minimum(0.0, np.einsum("ij,ij->i", us, a))[:, None] * a)
    bad = np.linalg.norm(us, axis=1) < 0.5
    us[bad] = u[bad]
    return us, dist


def _ray_exit(pad: Pad, p: np.ndarray, u: np.ndarray, grow: np.ndarray) -> np.ndarray:
    """How far along u each point must go to leave the pad grown by `grow` (0 when already outside)."""
    A = pad.axes_matrix
    q = (p - np.asarray(pad.center_mm)) @ A.T
    v = u @ A.T
    R = np.asarray(pad.radii_mm)[None, :] + grow[:, None]
    qa, va = q / R, v / R
    a = np.einsum("ij,ij->i", va, va)
    b = 2.0 * np.einsum("ij,ij->i", qa, va)
    c = np.einsum("ij,ij->i", qa, qa) - 1.0
    disc = np.maximum(b * b - 4 * a * c, 0.0)
    t = (-b + np.sqrt(disc)) / (2 * np.maximum(a, 1e-12))
    return np.where(c < 0.0, np.maximum(t, 0.0), 0.0)


def _arcs(points: np.ndarray) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(points, axis=0), axis=1))])


def bend_radii(points: np.ndarray, stencil: int = BEND_STENCIL) -> np.ndarray:
    """Radius of the circle through each point and the points `stencil` steps before and after it
    (inf where straight and at the ends). On a circle it is the circle's radius whatever the stencil;
    a stencil of 1 mm (two 0.5 mm course steps) ignores the resampling's ripple between spline samples."""
    p = np.asarray(points, float)
    k = int(stencil)
    out = np.full(len(p), np.inf)
    if len(p) < 2 * k + 1:
        return out
    a = p[k:-k] - p[: -2 * k]
    b = p[2 * k :] - p[k:-k]
    c = p[2 * k :] - p[: -2 * k]
    cross = np.linalg.norm(np.cross(a, b), axis=1)
    la, lb, lc = (np.linalg.norm(x, axis=1) for x in (a, b, c))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(cross > 1e-12, la * lb * lc / (2 * cross), np.inf)
    out[k:-k] = r
    return out


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def _rotation(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The smallest rotation taking direction a to direction b (Rodrigues)."""
    a, b = _unit(a), _unit(b)
    v = np.cross(a, b)
    c = float(a @ b)
    s = float(np.linalg.norm(v))
    if s < 1e-12:
        if c > 0:
            return np.eye(3)
        # opposite: half turn about any axis perpendicular to a
        k = _unit(np.cross(a, [1.0, 0.0, 0.0] if abs(a[0]) < 0.9 else [0.0, 1.0, 0.0]))
        return 2 * np.outer(k, k) - np.eye(3)
    K = np.array([[0, -v[2], v[1]], [v[2], 0, -v[0]], [-v[1], v[0], 0]])
    return np.eye(3) + K + K @ K * ((1 - c) / (s * s))


# --------------------------------------------------------------------------- slings


class _SectionMap:
    """Maps the course section between two control points onto new end positions, keeping its shape.

    The section is rotated (smallest rotation) so that its chord points from the new start to the new
    end; along the chord it is scaled to the new chord length, and across it by the factor that keeps
    the section's length (a tortuous stretch that is pulled straightens, one that is pushed together
    bulges), within STRAIGHTEN_RANGE. A section whose chord does not change is moved rigidly."""

    def __init__(self, start: np.ndarray, end: np.ndarray, new_start: np.ndarray, new_end: np.ndarray, pts: np.ndarray):
        self.P = start
        self.A = np.asarray(new_start, float)
        v_old, v_new = end - start, np.asarray(new_end, float) - self.A
        lo, ln = float(np.linalg.norm(v_old)), float(np.linalg.norm(v_new))
        if lo < 1e-9 or ln < 1e-9:
            self.R, self.e, self.ka, self.kp = np.eye(3), np.array([1.0, 0.0, 0.0]), 1.0, 1.0
            self.shift = v_new - v_old if lo < 1e-9 else np.zeros(3)
            return
        self.shift = np.zeros(3)
        self.R = _rotation(v_old, v_new)
        self.e = v_new / ln
        self.ka = ln / lo
        self.kp = 1.0
        if abs(self.ka - 1.0) > 1e-6 and len(pts) > 2:
            target = float(np.linalg.norm(np.diff(pts, axis=0), axis=1).sum())
            k = np.linspace(*STRAIGHTEN_RANGE, 41)
            rel = (pts - self.P) @ self.R.T
            along = rel @ self.e
            perp = rel - along[:, None] * self.e
            steps_a = np.diff(along)[None, :, None] * self.ka * self.e
            steps_p = k[:, None, None] * np.diff(perp, axis=0)[None]
            lengths = np.linalg.norm(steps_a + steps_p, axis=2).sum(axis=1)  # grows with k
            self.kp = float(np.interp(target, lengths, k))  # clamped to the range at its ends

    def __call__(self, p: np.ndarray) -> np.ndarray:
        rel = (p - self.P) @ self.R.T
        along = rel @ self.e
        perp = rel - along[:, None] * self.e
        return self.A + self.shift + self.ka * along[:, None] * self.e + self.kp * perp


def _rigid(start: np.ndarray, new_start: np.ndarray, R: np.ndarray):
    """The rigid motion taking `start` to `new_start` with rotation R (a free end carried along)."""
    return lambda p: new_start + (p - start) @ R.T


def _piecewise(pts: np.ndarray, arcs: np.ndarray, controls: dict[int, np.ndarray], free_end: bool) -> np.ndarray:
    """Move each control point (index -> new position) exactly and every section between two controls
    with its _SectionMap; before the first control nothing moves, and beyond the last one a free end
    follows it rigidly when it moved (else nothing moves). The corners between two
    sections' maps are rounded over BLEND_MM of arc on each side (both maps agree at the control)."""
    idx = sorted(controls)
    out = pts.copy()
    n = len(pts)
    maps = []
    if idx[0] > 0:  # unchanged before the first control (a map only for rounding the corner there)
        maps.append((0, idx[0], lambda p: p))
    for i, j in zip(idx[:-1], idx[1:]):
        maps.append((i, j, _SectionMap(pts[i], pts[j], controls[i], controls[j], pts[i : j + 1])))
    last = idx[-1]
    if last < n - 1:
        moved_last = np.linalg.norm(np.asarray(controls[last]) - pts[last]) > 1e-9
        if free_end and moved_last:  # a free end follows the last moved control rigidly
            R = maps[-1][2].R if maps and isinstance(maps[-1][2], _SectionMap) else np.eye(3)
            maps.append((last, n - 1, _rigid(pts[last], np.asarray(controls[last], float), R)))
        else:
            maps.append((last, n - 1, lambda p: p))
    for i, j, f in maps:
        out[i : j + 1] = f(pts[i : j + 1])
    # round the corners at interior controls
    for (i0, j0, f0), (_, j1, f1) in zip(maps[:-1], maps[1:]):
        m = j0
        w = min(BLEND_MM, 0.45 * (arcs[m] - arcs[i0]), 0.45 * (arcs[j1] - arcs[m]))
        if w <= 1e-6:
            continue
        win = np.flatnonzero(np.abs(arcs - arcs[m]) < w)
        beta = _smoothstep((arcs[win] - arcs[m] + w) / (2 * w))[:, None]
        out[win] = (1 - beta) * f0(pts[win]) + beta * f1(pts[win])
    for i in idx:
        out[i] = controls[i]
    return out


# --------------------------------------------------------------------------- pads


def _fixed_weight(arcs: np.ndarray, fixed: list[int]) -> np.ndarray:
    """1 away from fixed points, fading to 0 at them over FIXED_RAMP_MM of arc."""
    w = np.ones(len(arcs))
    for i in fixed:
        w = np.minimum(w, np.clip(np.abs(arcs - arcs[i]) / FIXED_RAMP_MM, 0.0, 1.0))
    return w


def _overlap(pts: np.ndarray, radius: float, pad: Pad) -> np.ndarray:
    """Indices of course points whose tube (plus PAD_CLEARANCE_MM) overlaps the pad."""
    grow0 = radius + PAD_CLEARANCE_MM
    reach = max(pad.radii_mm) + grow0 + 1e-6
    near = np.flatnonzero(np.linalg.norm(pts - np.asarray(pad.center_mm), axis=1) < reach)
    return near[pad_sdf(pad, pts[near]) < grow0 - 1e-6] if near.size else near


def _exit_lift(pad: Pad, p: np.ndarray, u: np.ndarray, grow0: float) -> np.ndarray:
    """How far along u (per point) each point must go to clear the pad by grow0 (sdf-checked)."""
    extra = np.zeros(len(p))
    lift = np.zeros(len(p))
    for _ in range(4):  # the grown ellipsoid lies inside the true offset body: grow more where short
        lift = _ray_exit(pad, p, u, grow0 + extra)
        short = grow0 - pad_sdf(pad, p + lift[:, None] * u)
        if np.all(short <= 1e-4):
            break
        extra += np.maximum(short, 0.0) + 1e-3
    return lift + 1e-3  # a hair beyond, for the contact threshold's rounding


def _lift_off_pad(
    pts: np.ndarray, arcs: np.ndarray, radius: float, pad: Pad, site: _Site, fixed: list[int]
) -> np.ndarray | None:
    """The course lifted off one pad (None when the tube does not overlap it).

    The overlapping stretch and PLATEAU_MM on either side move as one piece along one push
    direction (the mean of the overlapping points' away directions) by the largest lift that clears
    the pad; each tail of FALLOFF_MIN_MM + FALLOFF_PER_MM x lift swings about its far end
    (_SectionMap), so the loops and bends of the vessel keep their shape. The tails stop at fixed
    points (origin, branch origins, sling points, a fixed end). When that would bring a point closer
    to CN VII, or a fixed point lies in the overlap, the point-by-point bump (_lift_bump) is used."""
    over = _overlap(pts, radius, pad)
    if over.size == 0:
        return None
    n = len(pts)
    fixed_sorted = sorted(set(fixed))
    fw = _fixed_weight(arcs, fixed_sorted)
    u_o, a_o, _ = _away_directions(pts[over], site)
    U = _unit(u_o.mean(axis=0))
    f_left = max([f for f in fixed_sorted if f <= over.min()], default=-1)
    f_right = min([f for f in fixed_sorted if f >= over.max()], default=n)
    if np.linalg.norm(U) < 0.5 or np.any(a_o @ U < 0.0) or f_left >= over.min() or f_right <= over.max():
        return _lift_bump(pts, arcs, radius, pad, site, fw)
    lift = float(_exit_lift(pad, pts[over], np.broadcast_to(U, (over.size, 3)), radius + PAD_CLEARANCE_MM).max())
    tail = FALLOFF_MIN_MM + FALLOFF_PER_MM * lift

    def at(arc: float) -> int:
        return int(np.clip(np.searchsorted(arcs, arc), 0, n - 1))

    il = max(at(arcs[over.min()] - PLATEAU_MM - tail), max(f_left, 0))
    ir = min(at(arcs[over.max()] + PLATEAU_MM + tail), min(f_right, n - 1))
    ia = min(max(at(arcs[over.min()] - PLATEAU_MM), il + 1), int(over.min()))
    ib = max(min(at(arcs[over.max()] + PLATEAU_MM), ir - 1), int(over.max()))
    if not il < ia <= ib < ir:
        return _lift_bump(pts, arcs, radius, pad, site, fw)
    controls = {il: pts[il], ia: pts[ia] + lift * U, ib: pts[ib] + lift * U, ir: pts[ir]}
    out = _piecewise(pts, arcs, controls, free_end=False)
    moved = np.flatnonzero(np.linalg.norm(out - pts, axis=1) > 1e-9)
    if moved.size:  # a pad never brings a point closer to CN VII
        _, d0 = _nearest_on_polyline(pts[moved], site.points)
        _, d1 = _nearest_on_polyline(out[moved], site.points)
        closer = d1 < d0 - 1e-9
        if np.any(closer):
            if float((d0 - d1)[closer].max()) > GUARD_REVERT_MM:
                return _lift_bump(pts, arcs, radius, pad, site, fw)
            out[moved[closer]] = pts[moved[closer]]  # a swinging tail's hair towards it: stays where it was
    return out


def _lift_bump(
    pts: np.ndarray, arcs: np.ndarray, radius: float, pad: Pad, site: _Site, fixed_w: np.ndarray
) -> np.ndarray | None:
    """The course lifted off one pad point by point (the fallback of _lift_off_pad; None without overlap):
    each point along its own away direction, by the largest raised-cosine bump that reaches it."""
    over = _overlap(pts, radius, pad)
    if over.size == 0:
        return None
    # one push direction where the overlap agrees on one (stripped, per point, of any part towards the
    # nerve), else each point's own, smoothed along the course
    u_o, _, _ = _away_directions(pts[over], site)
    foot, dist0 = _nearest_on_polyline(pts, site.points)
    a_all = _unit(pts - foot)
    U = _unit(u_o.mean(axis=0))
    if np.linalg.norm(U) < 0.5:  # the overlap faces every way (a vessel wrapped round the pad)
        u_all, dist0 = _smooth_away(pts, arcs, site)
    else:
        u_all = _unit(U[None, :] - np.minimum(0.0, a_all @ U)[:, None] * a_all)
        flat = np.linalg.norm(u_all, axis=1) < 0.5
        u_all[flat] = a_all[flat]
    lift = _exit_lift(pad, pts[over], u_all[over], radius + PAD_CLEARANCE_MM)
    half = FALLOFF_MIN_MM + FALLOFF_PER_MM * lift  # (J,)
    ds = np.abs(arcs[:, None] - arcs[over][None, :])  # (N, J)
    x = np.clip((ds - PLATEAU_MM) / half[None, :], 0.0, 1.0)  # a plateau, then a raised cosine
    bump = 0.5 * (1 + np.cos(np.pi * x))
    m = (bump * lift[None, :]).max(axis=1) * fixed_w
    moving = np.flatnonzero(m > 1e-6)
    if moving.size == 0:
        return None
    out = pts.copy()
    out[moving] = pts[moving] + m[moving, None] * u_all[moving]
    # guard: a pad never brings a point closer to CN VII
    _, dist1 = _nearest_on_polyline(out[moving], site.points)
    back = dist1 < dist0[moving] - 1e-9
    out[moving[back]] = pts[moving[back]]
    return out


def _kinks(r_new: np.ndarray, r_old: np.ndarray, moved: np.ndarray, limit: float) -> np.ndarray:
    """Where the routing kinked the course: moved points bending under `limit` and KINK_TIGHTENING
    tighter than before."""
    return moved & (r_new < limit) & (r_new < KINK_TIGHTENING * r_old)


# --------------------------------------------------------------------------- routing


@dataclass(frozen=True, eq=False)
class RoutedVessel:
    """One vessel after the plan: its routed course and what the warnings need."""

    id: str
    course_mm: np.ndarray  # the routed course (the effective vessel's handles)
    length_ratio: float  # routed length / original length
    min_bend_radius_mm: float  # tightest bend where the routing moved the course (inf when unmoved)
    kinked: bool  # the routing made a bend tighter than KINK_RADIUS_FACTOR x radius
    slung: bool
    padded: bool  # moved by a pad


@dataclass(frozen=True, eq=False)
class RoutedScenario:
    """The effective scenario (routed vessels, no pads or slings) and the per-vessel routing."""

    scenario: Scenario
    vessels: dict[str, RoutedVessel]  # only the vessels the plan moved


def has_plan(scenario: Scenario) -> bool:
    return bool(scenario.pads or scenario.slings)


def without_plan(scenario: Scenario) -> Scenario:
    """The same scenario with no pads and no slings (the "before" state)."""
    return replace(scenario, pads=(), slings=()) if has_plan(scenario) else scenario


def _end_fixed(vessel: Vessel, scenario: Scenario) -> bool:
    end = vessel.handles_mm[-1]
    for other in scenario.vessels:
        if other.id != vessel.id:
            if np.min(np.linalg.norm(other.course_mm - end, axis=1)) <= other.radius_mm + vessel.radius_mm * 0.5:
                return True
    return False


def _branch_origins(vessel: Vessel, course: np.ndarray, scenario: Scenario) -> set[int]:
    """Course points where another vessel starts (a PICA on the vertebral artery): they stay put."""
    out = set()
    for other in scenario.vessels:
        if other.id == vessel.id:
            continue
        d = np.linalg.norm(course - np.asarray(other.centerline_mm[0]), axis=1)
        i = int(np.argmin(d))
        if d[i] <= vessel.radius_mm + other.radius_mm and 0 < i:
            out.add(i)
    return out


_CONTEXT: dict[tuple, tuple[bool, frozenset[int]]] = {}


def _context(vessel: Vessel, scenario: Scenario) -> tuple[bool, frozenset[int]]:
    """Whether the vessel's end lies on another vessel, and where other vessels branch off it (cached)."""
    key = (vessel, scenario.vessels)
    hit = _CONTEXT.get(key)
    if hit is None:
        course = vessel_course(vessel.centerline_mm)
        hit = (_end_fixed(vessel, scenario), frozenset(_branch_origins(vessel, course, scenario)))
        if len(_CONTEXT) > 256:
            _CONTEXT.clear()
        _CONTEXT[key] = hit
    return hit


@dataclass(frozen=True, eq=False)
class _Slung:
    """A vessel's course after its slings (and the pia), with the points that may not move after it."""

    course0: np.ndarray
    arcs: np.ndarray
    pts: np.ndarray
    fixed: tuple[int, ...]


_SLUNG: dict[tuple, _Slung] = {}
_VESSELS: dict[tuple, tuple[RoutedVessel | None, Vessel]] = {}


def _slung(vessel: Vessel, slings: tuple[Sling, ...], end_fixed: bool, branches: frozenset[int], site: _Site) -> _Slung:
    """Stage 1 of a vessel's routing: the slings (cached, so dragging a pad does not redo them)."""
    key = (site.key, vessel, slings, end_fixed, branches)
    hit = _SLUNG.get(key)
    if hit is not None:
        return hit
    course0 = np.array(vessel_course(vessel.centerline_mm))
    arcs = _arcs(course0)
    n = len(course0)
    fixed = {0} | set(branches)
    if end_fixed:
        fixed.add(n - 1)
    pts = course0.copy()
    if slings:
        controls = {i: course0[i] for i in fixed}
        for s in slings:
            at = max(int(np.argmin(np.abs(arcs - s.arc_on(vessel)))), 1)  # the origin itself never moves
            while at in controls and at < n - 1 and at not in fixed:
                at += 1  # two slings on one course point: the later one takes the next point
            if at in fixed:  # a sling on a branch origin (or a fixed end): the sling wins that point
                fixed.discard(at)
            controls[at] = np.asarray(s.anchor_mm, float)
        pts = _piecewise(course0, arcs, controls, free_end=not end_fixed)
        fixed |= set(controls)
        free = np.ones(n, bool)
        free[sorted(fixed)] = False
        pts[free] = _clamp_to_pia(pts[free], vessel.radius_mm, site)
    out = _Slung(course0, arcs, pts, tuple(sorted(fixed)))
    if len(_SLUNG) > 128:
        _SLUNG.clear()
    _SLUNG[key] = out
    return out


def _pads_near(pts: np.ndarray, radius: float, pads: tuple[Pad, ...]) -> tuple[Pad, ...]:
    """The pads a course can touch (the others cannot move it, so they stay out of the cache key)."""
    reach = radius + PAD_CLEARANCE_MM + 1.0
    return tuple(
        p for p in pads if float(np.linalg.norm(pts - np.asarray(p.center_mm), axis=1).min()) <= max(p.radii_mm) + reach
    )


def _routed_vessel(vessel: Vessel, scenario: Scenario, site: _Site) -> tuple[RoutedVessel | None, Vessel]:
    """The vessel after its part of the plan, and its effective Vessel (cached per vessel: dragging one
    pad re-routes only the vessels that pad can reach)."""
    slings = tuple(sorted((s for s in scenario.slings if s.vessel == vessel.id), key=lambda s: s.at_mm))
    if not slings and not scenario.pads:
        return None, vessel
    end_fixed, branches = _context(vessel, scenario)
    stage = _slung(vessel, slings, end_fixed, branches, site)
    pads = _pads_near(stage.pts, vessel.radius_mm, scenario.pads)
    if not slings and not pads:
        return None, vessel
    key = (site.key, vessel, slings, pads, end_fixed, branches)
    hit = _VESSELS.get(key)
    if hit is None:
        rv = _route_vessel(vessel, stage, bool(slings), pads, site)
        eff = vessel if rv is None else replace(vessel, centerline_mm=np.round(rv.course_mm, 4))
        hit = (rv, eff)
        if len(_VESSELS) > 256:
            _VESSELS.clear()
        _VESSELS[key] = hit
    return hit


def _route_vessel(
    vessel: Vessel, stage: _Slung, slung: bool, pads: tuple[Pad, ...], site: _Site
) -> RoutedVessel | None:
    """Stage 2: the pads lift the (slung) course; then the length and bend figures for the warnings."""
    course0, arcs, pts = stage.course0, stage.arcs, stage.pts.copy()
    free = np.ones(len(pts), bool)
    free[list(stage.fixed)] = False
    padded = False
    for _ in range(PAD_PASSES if pads else 0):
        changed = False
        for pad in pads:
            lifted = _lift_off_pad(pts, arcs, vessel.radius_mm, pad, site, list(stage.fixed))
            if lifted is not None:
                pts, changed = lifted, True
        if not changed:
            break
        padded = True
        pts[free] = _clamp_to_pia(pts[free], vessel.radius_mm, site)
    if not slung and not padded:
        return None
    moved = np.linalg.norm(pts - course0, axis=1) > MOVED_MM
    r_new, r_old = bend_radii(pts), bend_radii(course0)
    min_r = float(r_new[moved].min()) if moved.any() else float("inf")
    kinked = bool(np.any(_kinks(r_new, r_old, moved, KINK_RADIUS_FACTOR * vessel.radius_mm)))
    ratio = float(_arcs(pts)[-1] / max(arcs[-1], 1e-9))
    return RoutedVessel(vessel.id, pts, ratio, min_r, kinked, slung, padded)


_CACHE: dict[tuple, RoutedScenario] = {}


def route(scenario: Scenario, anatomy: Anatomy | None = None) -> RoutedScenario:
    """The effective scenario of a plan: vessels re-routed around the pads and by the slings.

    Without pads and slings it is the scenario itself. The effective scenario carries no pads
    and no slings (its vessels already show the plan): draw those from the scenario. Cached
    on the vessels, pads, slings and side, so the analysis and the scene model share one routing.
    `anatomy`: the model of the scenario's side (the default); another side's is an error.
    """
    if not has_plan(scenario):
        return RoutedScenario(scenario, {})
    if anatomy is None:
        from .anatomy import build_anatomy

        anatomy = build_anatomy(scenario.side)
    elif anatomy.side != scenario.side:
        raise ValueError(f"a {scenario.side}-sided plan cannot be routed on the {anatomy.side} anatomy")
    key = (id(anatomy), scenario.side, scenario.vessels, scenario.pads, scenario.slings)
    hit = _CACHE.get(key)
    if hit is not None:
        return RoutedScenario(replace(scenario, vessels=hit.scenario.vessels, pads=(), slings=()), hit.vessels)
    # CN VII's centreline every ~1 mm: the push directions need its nearest point, not its fine samples
    fine = np.asarray(anatomy.facial_nerve.points_mm, float)
    nerve = np.vstack([fine[::NERVE_STRIDE], fine[-1:]]) if (len(fine) - 1) % NERVE_STRIDE else fine[::NERVE_STRIDE]
    site = _Site(nerve, _brainstem_of(anatomy), (id(anatomy), anatomy.side))
    vessels = []
    routed: dict[str, RoutedVessel] = {}
    for v in scenario.vessels:
        rv, eff = _routed_vessel(v, scenario, site)
        vessels.append(eff)
        if rv is not None:
            routed[v.id] = rv
    out = RoutedScenario(replace(scenario, vessels=tuple(vessels), pads=(), slings=()), routed)
    if len(_CACHE) > 64:
        _CACHE.clear()
    _CACHE[key] = out
    return out


def clear_cache() -> None:
    """Drop the cached routings (cold-start benchmarks, tests)."""
    _CACHE.clear()
    _VESSELS.clear()
    _SLUNG.clear()
    _CONTEXT.clear()
    _PAD_CONTACTS.clear()


# --------------------------------------------------------------------------- placing pads and slings

DEFAULT_PAD_RADII_MM = (0.5, 1.5, 1.5)  # a flat piece of shredded felt, 1 x 3 x 3 mm: a teaching choice [S]
DEFAULT_PAD_GAP_MM = 0.3  # its nerve-side face this far off the root: between, not on it


def new_id(scenario: Scenario, stem: str) -> str:
    """`stem-1`, `stem-2`, ... : the first id the scenario does not use yet."""
    taken = set(scenario.ids)
    k = 1
    while f"{stem}-{k}" in taken:
        k += 1
    return f"{stem}-{k}"


def pad_at_contact(
    scenario: Scenario,
    anatomy: Anatomy,
    vessel_id: str | None = None,
    gap_mm: float = DEFAULT_PAD_GAP_MM,
    radii_mm=DEFAULT_PAD_RADII_MM,
    pad_id: str | None = None,
) -> Pad | None:
    """A felt pad slid between CN VII and a vessel at its deepest contact (default: the culprit's):
    thin along the line from the nerve to the vessel, long along the nerve, its nerve-side face
    `gap_mm` off the nerve's surface (negative: pressed into the root). None when that vessel does
    not touch CN VII. (Scenario > Insert Teflon pad; the presets.)"""
    from .analysis import analyze  # the analysis imports this module

    f = analyze(without_plan(scenario), anatomy)
    c7 = [c for c in f.contacts if c.structure == "CN VII" and (vessel_id is None or c.id == vessel_id)]
    if not c7:
        return None
    if vessel_id is None:
        culprit = f.culprit_contact()
        c = culprit if culprit is not None and culprit in c7 else min(c7, key=lambda c: c.gap_mm)
    else:
        c = min(c7, key=lambda c: c.gap_mm)
    fn = anatomy.facial_nerve
    n, o = np.asarray(c.nerve_point_mm), np.asarray(c.other_point_mm)
    u = (o - n) / np.linalg.norm(o - n)
    t = fn.point_at(c.arc_mm + 0.1) - fn.point_at(c.arc_mm - 0.1)
    t -= (t @ u) * u
    t /= np.linalg.norm(t)
    b = np.cross(u, t)
    thickness = float(radii_mm[0])
    centre = fn.point_at(c.arc_mm) + u * (fn.radius_mm + gap_mm + thickness)
    # rows rounded for the file; they stay orthonormal well within the format's 1e-3
    axes = tuple(tuple(float(x) for x in np.round(row, 6)) for row in (u, t, np.round(b, 6)))
    return Pad(
        pad_id or new_id(scenario, "pad"),
        tuple(float(x) for x in np.round(centre, 3)),
        tuple(float(r) for r in radii_mm),
        axes,
        "Teflon felt",
    )


def sling_to_dura(
    scenario: Scenario, anatomy: Anatomy, vessel_id: str, at_mm: float, sling_id: str | None = None
) -> Sling:
    """A sling round the vessel at `at_mm`, fixed to the nearest petrous dura: the anchor is where the
    vessel's wall lies on the dura (the model has no tentorium). (Scenario > Transpose vessel.)"""
    if getattr(anatomy, "petrous", None) is None:
        raise ValueError("this anatomy has no petrous bone to fix a sling to (place the anchor by hand)")
    v = scenario.vessel(vessel_id)
    c = vessel_course(v.centerline_mm)
    p = c[int(np.argmin(np.abs(_arcs(c) - at_mm)))]
    anchor = sdf.project_to_surface(anatomy.petrous.sdf, p[None], offset=v.radius_mm)[0]
    return Sling(sling_id or new_id(scenario, "sling"), vessel_id, float(at_mm), tuple(np.round(anchor, 3)))


# --------------------------------------------------------------------------- pad contacts

# Unit directions spread over the sphere (Fibonacci): a pad's surface, for its gap to the pia.
_N_DIRS = 400
_k = np.arange(_N_DIRS) + 0.5
_phi = np.arccos(1 - 2 * _k / _N_DIRS)
_theta = np.pi * (1 + 5**0.5) * _k
_DIRS = np.column_stack([np.cos(_theta) * np.sin(_phi), np.sin(_theta) * np.sin(_phi), np.cos(_phi)])


def _pad_surface(pad: Pad) -> np.ndarray:
    return np.asarray(pad.center_mm) + (_DIRS * np.asarray(pad.radii_mm)) @ pad.axes_matrix


def pad_contacts(pad: Pad, anatomy: Anatomy, contact_gap_mm: float = CONTACT_GAP_MM) -> list[dict]:
    """The pad against CN VII, CN VIII and the brainstem: one entry per touching stretch.

    On CN VII a stretch is split where the myelin changes (central to peripheral), so an
    entry's ``myelin`` says whether the pad lies on the centrally myelinated root. Each
    entry gives its deepest point: gap (surface to surface, negative = overlap) and
    penetration = max(0, -gap)."""
    out: list[dict] = []
    fn = anatomy.facial_nerve
    tubes = [("CN VII", fn.points_mm, fn.radius_mm, fn)]
    t8 = anatomy.tubes.get("cn8")  # a patient case may have no CN VIII segmented
    if t8 is not None:
        tubes.append(("CN VIII", t8.centerline_mm, t8.radius_mm, None))
    reach = max(pad.radii_mm) + contact_gap_mm
    for name, pts, r, nerve in tubes:
        pts = np.asarray(pts, float)
        d = np.linalg.norm(pts - np.asarray(pad.center_mm), axis=1)
        if d.min() > reach + r:
            continue
        gap = pad_sdf(pad, pts) - r
        hit = np.flatnonzero(gap <= contact_gap_mm)
        if hit.size == 0:
            continue
        breaks = np.diff(hit) > 1
        if nerve is not None:
            my = np.asarray(nerve.myelin)[hit]
            breaks |= my[1:] != my[:-1]
        for run in np.split(hit, np.flatnonzero(breaks) + 1):
            j = int(run[np.argmin(gap[run])])
            g = float(gap[j])
            seg = my_ = None
            if nerve is not None:
                seg, my_ = str(nerve.segments[j]), str(nerve.myelin[j])
            out.append(_pad_contact(pad.id, name, seg, my_, g))
    bs = _brainstem_of(anatomy)
    if bs is not None:
        g = float(bs(_pad_surface(pad)).min())
        if g <= contact_gap_mm:
            out.append(_pad_contact(pad.id, "brainstem", None, None, g))
    return out


_PAD_CONTACTS: dict[tuple, tuple[dict, ...]] = {}


def _pad_contacts_cached(pad: Pad, anatomy: Anatomy, contact_gap_mm: float) -> tuple[dict, ...]:
    """pad_contacts, cached per pad (only the dragged pad is measured again on a move)."""
    key = (pad, id(anatomy), anatomy.side, contact_gap_mm)
    hit = _PAD_CONTACTS.get(key)
    if hit is None:
        hit = tuple(pad_contacts(pad, anatomy, contact_gap_mm))
        if len(_PAD_CONTACTS) > 256:
            _PAD_CONTACTS.clear()
        _PAD_CONTACTS[key] = hit
    return hit


def _r(v: float) -> float:
    return float(round(float(v), 3)) + 0.0


def _pad_contact(pad_id, structure, segment, myelin, gap) -> dict:
    return {
        "pad": pad_id,
        "structure": structure,
        "segment": segment,
        "myelin": myelin,
        "gap_mm": _r(gap),
        "penetration_mm": _r(max(0.0, -gap)),
    }


# --------------------------------------------------------------------------- warnings

# Why each warning matters, and where that is written (keys of viewer.sources; docs section 12).
WARNING_SOURCES = {
    # the pad itself presses the root: over-impacted pledgets (Seaman 2020); wrong size or place (Dou 2016)
    "pad_compresses_nerve": ("seaman-2020", "dou-2016", "project-defaults"),
    # felt on the root: misplacement and adhesion cause failure and recurrence; the REZ is central myelin
    "pad_on_rez": ("dou-2016", "wedge-2019", "teflon-adhesion-2000", "tomii-2003", "project-defaults"),
    # too much Teflon: failure from size (Dou 2016), over-impaction (Seaman 2020), granulomas
    "pad_oversized": (
        "dou-2016",
        "seaman-2020",
        "teflon-granuloma-2017",
        "megerian-1995",
        "deep-teflon-granuloma",
        "project-defaults",
    ),
    # transposition of the vertebral artery (Lee 2016); the 10 % and 2 x radius limits are the contract's own
    "sling_stretches_vessel": ("lee-2016-sling", "project-defaults"),
    "vessel_kinked": ("lee-2016-sling", "project-defaults"),
}


def _warning(code: str, text: str) -> dict:
    sources = [k for k in WARNING_SOURCES[code] if k in BIBLIOGRAPHY]
    return {"code": code, "text": text, "sources": sources}


def _vessel_name(scenario: Scenario, vessel_id: str) -> str:
    """'left vertebral artery (va_left)', inside a sentence of the warnings' text."""
    label = scenario.vessel(vessel_id).label
    if not label or label == vessel_id:
        return vessel_id
    return f"{label[0].lower()}{label[1:]} ({vessel_id})"


def plan_warnings(scenario: Scenario, routed: RoutedScenario, contacts: list[dict], anatomy: Anatomy) -> list[dict]:
    """The contract's warnings for a plan, each with the reason in words and its sources."""
    out: list[dict] = []
    diameter = 2 * anatomy.facial_nerve.radius_mm
    limit = PAD_COMPRESSION_FRACTION * diameter
    for pad in scenario.pads:
        mine = [c for c in contacts if c["pad"] == pad.id and c["structure"] == "CN VII"]
        if mine:
            deepest = max(mine, key=lambda c: c["penetration_mm"])
            if deepest["penetration_mm"] > limit:
                out.append(
                    _warning(
                        "pad_compresses_nerve",
                        f"Pad {pad.id} indents CN VII by {deepest['penetration_mm']:.2f} mm, more than "
                        f"{PAD_COMPRESSION_FRACTION:.0%} of its {diameter:.1f} mm diameter: the pad itself "
                        "compresses the nerve it should free.",
                    )
                )
            central = [c for c in mine if c["myelin"] == "central"]
            if central:
                segs = sorted({c["segment"] for c in central})
                out.append(
                    _warning(
                        "pad_on_rez",
                        f"Pad {pad.id} touches the centrally myelinated root exit zone of CN VII "
                        f"({', '.join(segs)}): the segment most vulnerable to compression now bears the pad; "
                        "place it on the vessel side, off the root.",
                    )
                )
        big = max(pad.radii_mm)
        if big > PAD_MAX_SEMI_AXIS_MM:
            out.append(
                _warning(
                    "pad_oversized",
                    f"Pad {pad.id} has a {big:.1f} mm semi-axis (over {PAD_MAX_SEMI_AXIS_MM:.0f} mm): "
                    "a large mass of Teflon can itself press the nerve, adhere to it or form a granuloma.",
                )
            )
    for vid, rv in routed.vessels.items():
        if rv.slung and rv.length_ratio > SLING_STRETCH_MAX:
            out.append(
                _warning(
                    "sling_stretches_vessel",
                    f"The sling lengthens the {_vessel_name(scenario, vid)} by {100 * (rv.length_ratio - 1):.0f} % (over "
                    f"{100 * (SLING_STRETCH_MAX - 1):.0f} %): the artery and its perforators to the "
                    "brainstem would be under tension; choose an anchor closer to its course.",
                )
            )
        if rv.kinked:
            r = scenario.vessel(vid).radius_mm
            out.append(
                _warning(
                    "vessel_kinked",
                    f"The new course of the {_vessel_name(scenario, vid)} bends with a {rv.min_bend_radius_mm:.1f} mm radius, tighter "
                    f"than {KINK_RADIUS_FACTOR:.0f} x its {r:.1f} mm radius: a kink can narrow the lumen.",
                )
            )
    return out


# --------------------------------------------------------------------------- findings block


def decompression_findings(
    scenario: Scenario, routed: RoutedScenario, before, after, anatomy: Anatomy, contact_gap_mm: float = CONTACT_GAP_MM
) -> dict:
    """The contract's ``decompression`` block from the before and after analyses (viewer.analysis.Findings)."""
    before_vii = [c for c in before.contacts if c.structure == "CN VII"]
    after_vii = [c for c in after.contacts if c.structure == "CN VII"]
    status = "decompressed" if before_vii and not after_vii else "residual_compression"
    contacts = [dict(c) for pad in scenario.pads for c in _pad_contacts_cached(pad, anatomy, contact_gap_mm)]
    return {
        "status": status,
        "before": {
            "classification": list(before.classification),
            "culprit": before.culprit,
            "contacts": [c.to_dict() for c in before.contacts],
        },
        "pad_contacts": contacts,
        "warnings": plan_warnings(scenario, routed, contacts, anatomy),
    }
