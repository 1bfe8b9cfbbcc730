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
from .anatomy import brainstem_sdf
from .scenario import Scenario, Vessel

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
    """Project points whose tube would enter the brainstem back to its surface."""
    pts = np.atleast_2d(np.asarray(points, float)).copy()
    limit = radius + PIA_CLEARANCE_MM
    inside = brainstem_sdf(pts) < limit - 1e-6
    if inside.any():
        pts[inside] = sdf.project_to_surface(brainstem_sdf, pts[inside], offset=limit)
    return pts, bool(inside.any())


def move_handle(vessel: Vessel, index: int, target, *, whole_loop: bool = False,
                scenario: Scenario | None = None, clamp: bool = True) -> EditResult:
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
