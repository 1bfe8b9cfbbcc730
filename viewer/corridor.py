"""The surgeon's corridor: cerebellar retraction and REZ visibility through the keyhole (pure core).

Retraction: `retraction_field(anatomy, retraction_mm)` is a smooth displacement u(p) of the
cerebellum, the flocculus and the choroid plexus: `retraction_mm` at the flocculus (where the
spatula lifts it in the infrafloccular approach), pointing away from the petrous face
(posteromedially), fading as a Gaussian of the distance (sigma `retraction_falloff`). 0 mm is
the identity. Meshes move in place with `rest + u(rest)`; the solids are evaluated at the
retracted geometry as f(p - u(p)) (a fixed-point inverse, exact enough for |grad u| < 1).

Visibility: the targets are CN VII's root exit point and attached segment (arc 0 to the end
of the AS zone, the share formats-v2 calls "RExP + AS"), one point per 0.5 mm on the nerve's
surface facing the keyhole. Rays go from sample points on the craniotomy opening (its centre
and two rings) to every target. A ray is blocked by the cerebellum, flocculus, choroid plexus,
the scenario's vessels, the nerves other than VII, the brainstem and the petrous bone. A target
is **visible if at least one ray reaches it** (the surgeon tilts the microscope within the
opening); `rez_visible_fraction` is the share of visible targets.

Speed (scripts/benchmarks/bench_corridor.py): what cannot move (brainstem, bone, nerves) is
traced once per anatomy; a retraction step re-traces only the cerebellum and flocculus (cached
per value), a vessel move only re-tests the vessels' capsules (exact segment-segment distance
after a prefilter against the corridor's bounding cylinder).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .anatomy import Anatomy, brainstem_sdf, build_anatomy
from .dimensions import dim
from .geometry import resample_polyline, segment_distances, unit

__all__ = [
    "with_corridor",
    "retraction_field",
    "retracted_sdf",
    "CorridorVisibility",
    "corridor_visibility",
    "corridor_findings",
    "rez_targets",
    "RETRACTION_MOVES",
]

# Structures the retraction moves (mesh ids): the hemisphere, the flocculus and the choroid plexus
# that bulges beside it.
RETRACTION_MOVES = ("cerebellum", "flocculus", "choroid_plexus")
TARGET_STEP_MM = 0.5
END_TOLERANCE_MM = 0.3  # rays stop this short of the nerve surface (it lies on the pia)
HIT_EPS_MM = 0.02
GRID_SPACING_MM = 1.0
MAX_STEPS = 64
MIN_STEP_MM = 0.1  # a ray that grazes a surface advances at least this much per step
RAY_SAMPLE_MM = 0.4  # spacing of the samples tested against the moving solid (misses only chords < 0.4 mm)


def retraction_field(anatomy: Anatomy, retraction_mm: float):
    """u(p): the displacement (N, 3) of tissue at points p (N, 3) for this retraction."""
    s = anatomy.surgical
    amount = float(retraction_mm)
    origin = s.retraction_origin
    direction = s.retraction_direction
    k = -0.5 / s.retraction_falloff_mm**2

    def u(p: np.ndarray) -> np.ndarray:
        p = np.asarray(p, float)
        if amount == 0.0:
            return np.zeros_like(p)
        q = p - origin
        w = np.exp(k * np.einsum("...i,...i->...", q, q))
        return (amount * w)[..., None] * direction

    return u


def retracted_sdf(f, u, iterations: int = 2):
    """f evaluated at the retracted geometry: f(x) where x + u(x) = p (fixed-point inverse)."""

    def g(p: np.ndarray) -> np.ndarray:
        p = np.asarray(p, float)
        x = p - u(p)
        for _ in range(iterations - 1):
            x = p - u(x)
        return f(x)

    return g


def rez_targets(anatomy: Anatomy, towards: np.ndarray, step: float = TARGET_STEP_MM) -> tuple[np.ndarray, np.ndarray]:
    """(arcs, points): CN VII's RExP and AS every `step` mm, on the surface facing `towards`."""
    f = anatomy.facial_nerve
    end = f.segment_boundaries()["AS"][1]
    arcs = np.arange(0.0, end + 1e-9, step)
    centre = np.array([f.point_at(a) for a in arcs])
    facing = towards - centre
    facing /= np.linalg.norm(facing, axis=1, keepdims=True)
    return arcs, centre + facing * (f.radius_mm + 0.05)


@dataclass(frozen=True)
class _Capsules:
    a: np.ndarray  # (S, 3) segment starts
    b: np.ndarray  # (S, 3) segment ends
    r: np.ndarray  # (S,) radii


def _chain(points: np.ndarray, radius: float, step: float = 1.0) -> _Capsules:
    # 1 mm segments: the sagitta of a CPA vessel's bends over 1 mm is far below 0.01 mm
    pts = resample_polyline(np.asarray(points, float), step=step) if len(points) > 2 else np.asarray(points, float)
    return _Capsules(pts[:-1], pts[1:], np.full(len(pts) - 1, float(radius)))


def _join(chains: Iterable[_Capsules]) -> _Capsules:
    chains = list(chains)
    if not chains:
        z = np.zeros((0, 3))
        return _Capsules(z, z, np.zeros(0))
    return _Capsules(
        np.vstack([c.a for c in chains]), np.vstack([c.b for c in chains]), np.concatenate([c.r for c in chains])
    )


class CorridorVisibility:
    """REZ visibility from the keyhole of one anatomy; reuse it across retraction steps and vessel moves."""

    def __init__(
        self,
        anatomy: Anatomy | None = None,
        rings: tuple[float, ...] = (0.0, 0.5, 0.9),
        per_ring: int = 8,
        target_step: float = TARGET_STEP_MM,
    ):
        self.anatomy = a = anatomy if anatomy is not None else build_anatomy()
        s = a.surgical
        self.sources = s.opening_samples(rings, per_ring)
        self.target_arcs, self.targets = rez_targets(a, s.craniotomy_centre, target_step)
        K, T = len(self.sources), len(self.targets)
        o = np.repeat(self.sources, T, axis=0)
        e = np.tile(self.targets, (K, 1))
        v = e - o
        length = np.linalg.norm(v, axis=1)
        self.origins = o
        self.dirs = v / length[:, None]
        self.lengths = length - END_TOLERANCE_MM  # trace up to just short of the nerve
        self.ends = o + self.dirs * self.lengths[:, None]
        self.shape = (K, T)
        # Bounding cylinder of the ray bundle: the prefilter for capsules.
        self.axis_a = s.craniotomy_centre
        self.axis_b = self.targets.mean(axis=0)
        ax = unit(self.axis_b - self.axis_a)
        rel = np.vstack([self.sources, self.targets]) - self.axis_a
        radial = np.linalg.norm(rel - (rel @ ax)[:, None] * ax, axis=1)
        self._ax, self._axis_len = ax, float(np.linalg.norm(self.axis_b - self.axis_a))
        self._r_open = float(radial[:K].max()) + 0.5
        self._r_target = float(radial[K:].max()) + 0.5 + END_TOLERANCE_MM
        # What never moves: brainstem, bone, the nerves other than VII.
        static = self._trace(lambda p: np.minimum(brainstem_sdf(p), a.petrous.sdf(p)))
        nerves = _join(_chain(t.centerline_mm, t.radius_mm) for t in a.nerves if t.id != "cn7")
        self.static_blocked = static | self._capsule_blocked(nerves)
        self._moving: dict[float, np.ndarray] = {}
        self._vessels: dict[tuple, np.ndarray] = {}
        self._pads: dict = {}  # scenario.Pad -> rays it blocks
        # The hemisphere + flocculus at rest, sampled around the bundle; the retraction pulls
        # material from up to its maximum away, so the box is padded by that much.
        pts = np.vstack([self.sources, self.targets])
        pts = np.vstack([pts, pts - s.retraction_direction * dim("cerebellar_retraction_max")])
        self._solid = GridSDF(
            lambda p: np.minimum(s.cerebellum_sdf(p), s.flocculus_sdf(p)),
            pts.min(axis=0) - 2.0,
            pts.max(axis=0) + 2.0,
            GRID_SPACING_MM,
        )
        self._open = np.flatnonzero(~self.static_blocked)  # only these rays can still see the nerve
        # Samples along those rays for the moving solid: one vectorised grid read per retraction
        # step instead of a sequential march (a sphere trace needs dozens of small numpy calls).
        m = int(np.ceil(self.lengths.max() / RAY_SAMPLE_MM)) + 1
        ts = np.linspace(0.0, 1.0, m)[None, :] * self.lengths[self._open, None]
        self._samples = (self.origins[self._open, None, :] + self.dirs[self._open, None, :] * ts[..., None]).reshape(
            -1, 3
        )
        self._samples_per_ray = m

    # ------------------------------------------------------------------ tracing
    def _trace(self, f, step_scale: float = 1.0, rays: np.ndarray | None = None) -> np.ndarray:
        """Sphere tracing of the rays (all, or the indices `rays`) against the solid f; True where
        a ray hits it."""
        n = len(self.origins)
        t = np.zeros(n)
        hit = np.zeros(n, bool)
        active = np.arange(n) if rays is None else np.asarray(rays)
        for _ in range(MAX_STEPS):
            if active.size == 0:
                break
            p = self.origins[active] + self.dirs[active] * t[active, None]
            d = f(p)
            h = d < HIT_EPS_MM
            hit[active[h]] = True
            t[active] += np.maximum(d * step_scale, MIN_STEP_MM)
            keep = ~h & (t[active] < self.lengths[active])
            active = active[keep]
        return hit

    def _capsule_blocked(self, caps: _Capsules, rays: np.ndarray | None = None) -> np.ndarray:
        """Rays (all, or the indices `rays`) passing within a capsule's radius of its segment
        (exact, after the prefilter)."""
        blocked = np.zeros(len(self.origins), bool)
        if len(caps.r) == 0:
            return blocked
        mid = 0.5 * (caps.a + caps.b)
        half = 0.5 * np.linalg.norm(caps.b - caps.a, axis=1)
        # the bundle narrows from the opening to the nerve: a cone (frustum) around its axis
        rel = mid - self.axis_a
        along = rel @ self._ax
        radial = np.linalg.norm(rel - along[:, None] * self._ax, axis=1)
        t = np.clip(along / self._axis_len, 0.0, 1.0)
        reach = self._r_open * (1 - t) + self._r_target * t + half + caps.r
        near = (radial < reach) & (along > -half - caps.r) & (along < self._axis_len + half + caps.r + 2.0)
        if not near.any():
            return blocked
        a, b, r = caps.a[near], caps.b[near], caps.r[near]
        idx = np.arange(len(self.origins)) if rays is None else np.asarray(rays)
        d = segment_distances(self.origins[idx, None, :], self.ends[idx, None, :], a[None], b[None])[
            0
        ]  # (rays, segments)
        blocked[idx] = (d < r[None]).any(axis=1)
        return blocked

    # ------------------------------------------------------------------ parts
    def moving_blocked(self, retraction_mm: float) -> np.ndarray:
        """Rays blocked by the (retracted) cerebellum, flocculus and choroid plexus; cached per value."""
        key = round(float(retraction_mm), 4)
        if key not in self._moving:
            a = self.anatomy
            u = retraction_field(a, key)
            d = retracted_sdf(self._solid, u)(self._samples).reshape(len(self._open), self._samples_per_ray)
            hit = np.zeros(len(self.origins), bool)
            hit[self._open] = (d < HIT_EPS_MM).any(axis=1)
            cp = a.tubes.get("choroid_plexus")
            if cp is not None:
                c = cp.centerline_mm
                hit |= self._capsule_blocked(_chain(c + u(c), cp.radius_mm), rays=self._open)
            if len(self._moving) > 64:
                self._moving.clear()
            self._moving[key] = hit
        return self._moving[key]

    def vessels_blocked(self, vessels) -> np.ndarray:
        """Rays blocked by vessels: objects with `course_mm` and `radius_mm` (scenario vessels)."""
        blocked = np.zeros(len(self.origins), bool)
        for v in vessels:
            course = np.ascontiguousarray(v.course_mm, dtype=float)
            key = (float(v.radius_mm), course.shape, course.tobytes())  # one drag changes one vessel
            hit = self._vessels.get(key)
            if hit is None:
                hit = self._capsule_blocked(_chain(course, v.radius_mm), rays=self._open)
                if len(self._vessels) > 256:
                    self._vessels.clear()
                self._vessels[key] = hit
            blocked |= hit
        return blocked

    def pads_blocked(self, pads) -> np.ndarray:
        """Rays blocked by Teflon pads (scenario.Pad ellipsoids; exact ray-ellipsoid test, cached per pad)."""
        blocked = np.zeros(len(self.origins), bool)
        rays = self._open
        for pad in pads:
            hit = self._pads.get(pad)
            if hit is None:
                A = pad.axes_matrix
                r = np.asarray(pad.radii_mm, float)
                o = (self.origins[rays] - np.asarray(pad.center_mm)) @ A.T / r
                d = (self.dirs[rays] @ A.T) / r
                a = np.einsum("ij,ij->i", d, d)
                b = 2.0 * np.einsum("ij,ij->i", o, d)
                c = np.einsum("ij,ij->i", o, o) - 1.0
                disc = b * b - 4 * a * c
                root = np.sqrt(np.maximum(disc, 0.0))
                t0, t1 = (-b - root) / (2 * a), (-b + root) / (2 * a)
                hit = np.zeros(len(self.origins), bool)
                hit[rays] = (disc >= 0.0) & (t1 >= 0.0) & (t0 <= self.lengths[rays])
                if len(self._pads) > 64:
                    self._pads.clear()
                self._pads[pad] = hit
            blocked |= hit
        return blocked

    def target_visible(
        self, retraction_mm: float = 0.0, vessels=(), extra_blocked: np.ndarray | None = None, pads=()
    ) -> np.ndarray:
        blocked = self.static_blocked | self.moving_blocked(retraction_mm) | self.vessels_blocked(vessels)
        if pads:
            blocked = blocked | self.pads_blocked(pads)
        if extra_blocked is not None:
            blocked = blocked | extra_blocked
        return (~blocked).reshape(self.shape).any(axis=0)

    def fraction(self, retraction_mm: float = 0.0, vessels=(), pads=()) -> float:
        return float(self.target_visible(retraction_mm, vessels, pads=pads).mean())


class GridSDF:
    """A signed distance function sampled once on a regular grid and read back trilinearly.

    The hemisphere's SDF blends in the brainstem's, which is too slow to evaluate on every step
    of a drag; the corridor only ever asks about a box around the ray bundle. Outside the box
    the value is the clamped one plus the distance to the box (never closer than the truth
    at the box's faces).
    """

    def __init__(self, f, lo, hi, spacing: float):
        self.lo = np.asarray(lo, float)
        self.h = float(spacing)
        self.n = np.ceil((np.asarray(hi, float) - self.lo) / self.h).astype(int) + 1
        axes = [self.lo[k] + self.h * np.arange(self.n[k]) for k in range(3)]
        g = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1)
        self.values = np.ascontiguousarray(f(g.reshape(-1, 3)).reshape(tuple(self.n)))
        self.hi = self.lo + self.h * (self.n - 1)

    def __call__(self, p: np.ndarray) -> np.ndarray:
        p = np.asarray(p, float)
        q = np.clip(p, self.lo, self.hi)
        outside = np.linalg.norm(p - q, axis=-1)
        x = (q - self.lo) / self.h
        i = np.minimum(x.astype(int), self.n - 2)
        f = x - i
        v = self.values
        i0, i1, i2 = i[..., 0], i[..., 1], i[..., 2]
        f0, f1, f2 = f[..., 0], f[..., 1], f[..., 2]
        c00 = v[i0, i1, i2] * (1 - f0) + v[i0 + 1, i1, i2] * f0
        c10 = v[i0, i1 + 1, i2] * (1 - f0) + v[i0 + 1, i1 + 1, i2] * f0
        c01 = v[i0, i1, i2 + 1] * (1 - f0) + v[i0 + 1, i1, i2 + 1] * f0
        c11 = v[i0, i1 + 1, i2 + 1] * (1 - f0) + v[i0 + 1, i1 + 1, i2 + 1] * f0
        c0 = c00 * (1 - f1) + c10 * f1
        c1 = c01 * (1 - f1) + c11 * f1
        return c0 * (1 - f2) + c1 * f2 + outside


_SHARED: dict[int, CorridorVisibility] = {}


def corridor_visibility(anatomy: Anatomy | None = None) -> CorridorVisibility:
    """The shared visibility model of an anatomy (built once per anatomy object: the set-up
    traces the static solids)."""
    a = anatomy if anatomy is not None else build_anatomy()
    v = _SHARED.get(id(a))
    if v is None or v.anatomy is not a:
        if len(_SHARED) > 4:
            _SHARED.clear()
        v = _SHARED[id(a)] = CorridorVisibility(a)
    return v


def corridor_findings(scenario, anatomy: Anatomy | None = None, pads=None) -> dict | None:
    """`{"retraction_mm", "rez_visible_fraction"}` for a scenario with a corridor, else None.

    Teflon pads block the view too: `pads` (default: the scenario's own; pass the planned ones when
    `scenario` is a plan's effective scenario, which carries the routed vessels but no pads)."""
    if getattr(scenario, "corridor", None) is None:
        return None
    vis = corridor_visibility(anatomy if anatomy is not None else build_anatomy())
    r = float(scenario.corridor.retraction_mm)
    pads = tuple(getattr(scenario, "pads", ()) if pads is None else pads)
    return {"retraction_mm": r, "rez_visible_fraction": round(vis.fraction(r, scenario.vessels, pads), 4)}


def with_corridor(findings, scenario, anatomy: Anatomy | None = None, pads=None):
    """The findings with their `corridor` entry filled in (unchanged when the scenario has none)."""
    from dataclasses import replace

    c = corridor_findings(scenario, anatomy, pads)
    return findings if c is None else replace(findings, corridor=c)
