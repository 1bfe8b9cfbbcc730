"""Editing a decompression plan: placing, moving, resizing, rotating Teflon pads and slinging
vessels (pure core: numpy only). The GUI turns each of these into an undoable command; the
routing of vessels around pads and along slings is viewer.decompression's.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .analysis import Contact
from .geometry import unit
from .scenario import PAD_RADIUS_RANGE_MM, Pad, Scenario, Vessel

__all__ = [
    "DEFAULT_PAD_RADII_MM",
    "PAD_NERVE_CLEARANCE_MM",
    "ROTATE_STEP_DEG",
    "SCALE_STEP",
    "new_id",
    "pad_at_contact",
    "moved_pad",
    "resized_pad",
    "rotated_pad",
    "arc_at_point",
    "sling_point",
    "without_plan",
    "has_plan",
    "orientation_angles",
    "axes_from_angles",
]

# A felt pad as inserted in MVD: a small flattened ball, its thin axis between vessel and nerve.
DEFAULT_PAD_RADII_MM = (2.5, 2.5, 1.5)
# The pad's nerve-side surface this far off CN VII: it holds the vessel away without pressing
# on the root itself (a pad touching the central myelin is a warning of its own).
PAD_NERVE_CLEARANCE_MM = 0.3
ROTATE_STEP_DEG = 15.0
SCALE_STEP = 1.1


def new_id(scenario: Scenario, prefix: str) -> str:
    """'pad-1', 'pad-2', ...: the first id of that prefix the scenario does not use yet."""
    taken = set(scenario.ids)
    n = 1
    while f"{prefix}-{n}" in taken:
        n += 1
    return f"{prefix}-{n}"


def _frame(normal, along) -> np.ndarray:
    """Orthonormal rows (a, b, n): n the pad's thin axis, a as close to `along` as n allows."""
    n = unit(np.asarray(normal, float))
    a = np.asarray(along, float) - np.dot(along, n) * n
    if np.linalg.norm(a) < 1e-6:  # along parallel to n: any perpendicular will do
        a = np.cross(n, [1.0, 0.0, 0.0] if abs(n[0]) < 0.9 else [0.0, 1.0, 0.0])
    a = unit(a)
    return np.vstack([a, np.cross(n, a), n])


def pad_at_contact(
    contact: Contact, nerve_points: np.ndarray, nerve_radius_mm: float, scenario: Scenario, radii_mm=None
) -> Pad:
    """A pad between the contact's vessel and CN VII: its thin axis along nerve -> vessel, its
    long axis along the nerve, its nerve-side surface PAD_NERVE_CLEARANCE_MM off the root."""
    radii = tuple(float(r) for r in (radii_mm or DEFAULT_PAD_RADII_MM))
    on_nerve = np.asarray(contact.nerve_point_mm, float)
    towards = np.asarray(contact.other_point_mm, float) - on_nerve
    pts = np.asarray(nerve_points, float)
    i = int(np.argmin(np.linalg.norm(pts - on_nerve, axis=1)))
    tangent = pts[min(i + 1, len(pts) - 1)] - pts[max(i - 1, 0)]
    if np.linalg.norm(towards) < 1e-6:  # the centrelines cross: any side off the nerve
        towards = np.cross(tangent, [0.0, 0.0, 1.0])
    axes = _frame(towards, tangent)
    centre = on_nerve + axes[2] * (nerve_radius_mm + PAD_NERVE_CLEARANCE_MM + radii[2])
    return Pad(new_id(scenario, "pad"), tuple(centre), radii, tuple(map(tuple, axes)), "Teflon pad")


def moved_pad(pad: Pad, target) -> Pad:
    return replace(pad, center_mm=tuple(float(v) for v in np.asarray(target, float).reshape(3)))


def resized_pad(pad: Pad, radii_mm) -> Pad:
    """Radii clamped to the file format's 0.5-6 mm."""
    lo, hi = PAD_RADIUS_RANGE_MM
    r = np.clip(np.asarray(radii_mm, float).reshape(3), lo, hi)
    return replace(pad, radii_mm=tuple(round(float(v), 3) for v in r))


def rotated_pad(pad: Pad, axis, degrees: float) -> Pad:
    """The pad turned about its centre by `degrees` round the world direction `axis` (right-handed)."""
    k = unit(np.asarray(axis, float))
    t = np.radians(float(degrees))
    kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    rot = np.eye(3) + np.sin(t) * kx + (1 - np.cos(t)) * kx @ kx  # Rodrigues
    rows = pad.axes_matrix @ rot.T
    # re-orthonormalise: a long rotation session must not drift out of AXES_TOLERANCE
    u, _, vt = np.linalg.svd(rows)
    rows = u @ vt
    return replace(pad, axes=tuple(tuple(float(v) for v in row) for row in rows))


def arc_at_point(vessel: Vessel, point) -> float:
    """Arc length (mm from the first handle) of the course sample nearest `point`: a sling's at_mm."""
    course = vessel.course_mm
    i = int(np.argmin(np.linalg.norm(course - np.asarray(point, float), axis=1)))
    return float(np.linalg.norm(np.diff(course[: i + 1], axis=0), axis=1).sum())


def sling_point(course: np.ndarray, at_mm: float) -> np.ndarray:
    """The point `at_mm` along a course polyline (clamped to its ends)."""
    c = np.asarray(course, float)
    seg = np.linalg.norm(np.diff(c, axis=0), axis=1)
    arc = np.concatenate([[0.0], np.cumsum(seg)])
    return np.array([np.interp(float(at_mm), arc, c[:, k]) for k in range(3)])


def has_plan(scenario: Scenario) -> bool:
    return bool(scenario.pads or scenario.slings)


def without_plan(scenario: Scenario) -> Scenario:
    """The scenario before decompression: the same vessels, no pads, no slings."""
    return replace(scenario, pads=(), slings=()) if has_plan(scenario) else scenario


def _reference(n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A fixed frame (e1, e2) across the thin axis n, from which the spin angle is measured."""
    e1 = np.cross([0.0, 0.0, 1.0], n)
    if np.linalg.norm(e1) < 1e-6:  # n vertical: measure from +x
        e1 = np.array([1.0, 0.0, 0.0])
    e1 = unit(e1)
    return e1, np.cross(n, e1)


def orientation_angles(axes) -> tuple[float, float, float]:
    """(azimuth, elevation, spin) in degrees of a pad's axes: the thin axis (third row) as azimuth in
    the axial plane from +x (right) towards +y (anterior) and elevation towards +z, then the long
    axis's turn about it. `axes_from_angles` inverts it."""
    rows = np.asarray(axes, float).reshape(3, 3)
    n = unit(rows[2])
    az = np.degrees(np.arctan2(n[1], n[0]))
    el = np.degrees(np.arcsin(np.clip(n[2], -1.0, 1.0)))
    e1, e2 = _reference(n)
    spin = np.degrees(np.arctan2(rows[0] @ e2, rows[0] @ e1))
    return float(az), float(el), float(spin)


def axes_from_angles(azimuth: float, elevation: float, spin: float) -> np.ndarray:
    az, el, sp = np.radians([azimuth, elevation, spin])
    n = np.array([np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), np.sin(el)])
    e1, e2 = _reference(n)
    a = np.cos(sp) * e1 + np.sin(sp) * e2
    return np.vstack([a, np.cross(n, a), n])
