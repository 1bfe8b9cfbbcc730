"""Editing rules for dragged vessels (pure core: numpy only).

- The origin stays attached: handle 0 (where the vessel leaves its parent or
  enters the scene) never moves, and a last handle that sits on another vessel
  (the vertebral arteries ending at the vertebrobasilar junction) is fixed too.
- A plain drag moves one handle; a "loop" drag (Shift) moves the neighbours with
  a Gaussian falloff over `LOOP_SIGMA_HANDLES`, and less near the origin.
- Vessels may press the nerve but not enter the brainstem: a handle whose tube
  would cross the pia is projected back onto the surface offset by the radius.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from . import sdf
from .anatomy import brainstem_sdf, build_anatomy
from .scenario import LESION_RADIUS_RANGE_MM, Lesion, Scenario, Vessel
from .vocabulary import LESION_LABELS

LOOP_SIGMA_HANDLES = 2.0
PIA_CLEARANCE_MM = 0.05  # how close a vessel wall may come to the pia
NUDGE_STEP_MM = 0.1
NUDGE_STEP_LARGE_MM = 1.0


@dataclass(frozen=True)
class EditResult:
    vessel: Vessel
    clamped: bool  # a handle was stopped at the brainstem surface


def fixed_handles(vessel: Vessel, scenario: Scenario | None = None) -> set[int]:
    """Handles that never move: the origin, and an end that lies on another vessel."""
    fixed = {0}
    if scenario is not None and len(vessel.centerline_mm) > 1:
        end = vessel.handles_mm[-1]
        for other in scenario.vessels:
            if other.id == vessel.id:
                continue
            d = np.min(np.linalg.norm(other.course_mm - end, axis=1))
            if d <= other.radius_mm + vessel.radius_mm * 0.5:
                fixed.add(len(vessel.centerline_mm) - 1)
                break
    return fixed


def handle_weights(n: int, index: int, whole_loop: bool, fixed: set[int]) -> np.ndarray:
    """How much each handle follows a drag of handle `index` (1 for the grabbed one)."""
    w = np.zeros(n)
    if whole_loop:
        j = np.arange(n)
        w = np.exp(-0.5 * ((j - index) / LOOP_SIGMA_HANDLES) ** 2)
        w *= np.clip(j / 2.0, 0.0, 1.0)  # handles next to the origin move less
        w[index] = 1.0
    else:
        w[index] = 1.0
    for f in fixed:
        w[f] = 0.0
    return w


def clamp_outside_brainstem(points: np.ndarray, radius: float) -> tuple[np.ndarray, bool]:
    """Project points whose tube would enter the brainstem back to its surface.

    The brainstem solid is bilateral (its paired parts are modelled on the left and
    mirrored), so one clamp serves a scene of either side."""
    pts = np.atleast_2d(np.asarray(points, float)).copy()
    limit = radius + PIA_CLEARANCE_MM
    inside = brainstem_sdf(pts) < limit - 1e-6
    if inside.any():
        pts[inside] = sdf.project_to_surface(brainstem_sdf, pts[inside], offset=limit)
    return pts, bool(inside.any())


def move_handle(
    vessel: Vessel,
    index: int,
    target,
    *,
    whole_loop: bool = False,
    scenario: Scenario | None = None,
    clamp: bool = True,
) -> EditResult:
    """Move handle `index` to `target` (RAS mm); neighbours follow when `whole_loop`."""
    handles = vessel.handles_mm
    if not 0 <= index < len(handles):
        raise IndexError(f"{vessel.id}: no handle {index}")
    fixed = fixed_handles(vessel, scenario)
    if index in fixed:
        return EditResult(vessel, False)
    delta = np.asarray(target, float).reshape(3) - handles[index]
    w = handle_weights(len(handles), index, whole_loop, fixed)
    new = handles + w[:, None] * delta
    clamped = False
    if clamp:
        moved = w > 0
        new[moved], clamped = clamp_outside_brainstem(new[moved], vessel.radius_mm)
    return EditResult(replace(vessel, centerline_mm=np.round(new, 4)), clamped)


def set_radius(vessel: Vessel, radius_mm: float) -> Vessel:
    return replace(vessel, radius_mm=float(np.clip(radius_mm, 0.2, 6.0)))


# --------------------------------------------------------------------------- lesions
# Lesions are ellipsoids (scenario.Lesion). Extra-axial masses (tumour, AVM nidus,
# aneurysm sac) stay in the cistern: their centre may not enter the brainstem by
# less than their smallest semi-axis, so a mass can press the pia but not sit in
# the pons. A brainstem lesion is intra-axial (exempt from the vessel
# clamp) and is kept inside instead: its centre stays under the pia.
# A new lesion's default label: vocabulary.LESION_LABELS.


@dataclass(frozen=True)
class LesionEdit:
    lesion: Lesion
    clamped: bool  # the centre was stopped at the brainstem surface


def _nerve_point(arc: float, side: str = "left") -> np.ndarray:
    return build_anatomy(side).facial_nerve.point_at(arc)


def default_lesion_placement(kind: str, side: str = "left") -> tuple[np.ndarray, tuple[float, float, float]]:
    """Where a newly added lesion appears: a textbook site touching CN VII (or its nucleus).

    Schwannoma at the porus (Lee 2010: CPA tumours presenting with HFS); AVM nidus
    beside the cisternal portion; aneurysm sac on the root exit point; MS plaque at
    the facial motor nucleus (Marin Collazo 2018). Figures are teaching defaults [S].
    On the right side, the mirror image of the left site."""
    a = build_anatomy(side)
    f = a.facial_nerve
    sites = {
        "tumor": (f.porus_arc_mm - 3.0, (7.0, 6.0, 5.5)),
        "avm": (12.0, (4.0, 3.0, 3.0)),
        "aneurysm": (1.0, (2.5, 2.5, 2.5)),
    }
    if kind == "brainstem_lesion":
        return np.asarray(a.landmarks["facial_motor_nucleus"], float), (2.0, 2.0, 2.0)
    if kind not in sites:
        raise ValueError(f"unknown lesion kind '{kind}'")
    arc, radii = sites[kind]
    # beside the nerve at `arc`, pressing it by 0.3 mm, on the side farthest from the brainstem
    i = int(np.searchsorted(f.arc_mm, arc))
    p = f.points_mm[i]
    t = f.points_mm[min(i + 1, len(f.points_mm) - 1)] - f.points_mm[max(i - 1, 0)]
    t /= np.linalg.norm(t)
    u = np.cross(t, [0.0, 0.0, 1.0])
    u /= np.linalg.norm(u)
    v = np.cross(t, u)
    ang = np.linspace(0.0, 2 * np.pi, 36, endpoint=False)
    dirs = np.cos(ang)[:, None] * u + np.sin(ang)[:, None] * v
    reach = min(radii) + f.radius_mm - 0.3
    cands = p + reach * dirs
    return cands[int(np.argmax(brainstem_sdf(cands)))], radii


def new_lesion(kind: str, scenario: Scenario) -> Lesion:
    """A lesion of `kind` at its default site, with an id unused by the scenario."""
    taken = {les.id for les in scenario.lesions} | {v.id for v in scenario.vessels}
    n = 1
    while f"{kind}-{n}" in taken:
        n += 1
    centre, radii = default_lesion_placement(kind, scenario.side)
    return Lesion(f"{kind}-{n}", kind, tuple(np.round(centre, 4)), radii, LESION_LABELS[kind])


def clamp_lesion(lesion: Lesion) -> LesionEdit:
    """Keep an extra-axial lesion's centre out of the brainstem, a brainstem lesion's in it."""
    c = np.asarray(lesion.center_mm, float)[None]
    d = float(brainstem_sdf(c)[0])
    if lesion.kind == "brainstem_lesion":
        limit = -PIA_CLEARANCE_MM
        if d <= limit:
            return LesionEdit(lesion, False)
    else:
        limit = min(lesion.radii_mm)
        if d >= limit - 1e-6:
            return LesionEdit(lesion, False)
    c = sdf.project_to_surface(brainstem_sdf, c, offset=limit)[0]
    return LesionEdit(replace(lesion, center_mm=tuple(np.round(c, 4))), True)


def move_lesion(lesion: Lesion, target) -> LesionEdit:
    centre = np.asarray(target, float).reshape(3)
    return clamp_lesion(replace(lesion, center_mm=tuple(np.round(centre, 4))))


def resize_lesion(lesion: Lesion, radii_mm) -> LesionEdit:
    lo, hi = LESION_RADIUS_RANGE_MM
    radii = tuple(float(np.clip(r, lo, hi)) for r in np.asarray(radii_mm, float).reshape(3))
    return clamp_lesion(replace(lesion, radii_mm=radii))
