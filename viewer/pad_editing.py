"""Editing a decompression plan: moving, resizing, turning Teflon pads and slinging vessels
(pure core: numpy only). The GUI turns each of these into an undoable command; where a new pad
goes (viewer.decompression.pad_at_contact) and how vessels are routed round pads and along slings
are viewer.decompression's.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .decompression import has_plan, new_id, without_plan  # the core's, re-exported for the editing code
from .geometry import unit
from .scenario import PAD_RADIUS_RANGE_MM, Pad, Vessel

__all__ = [
    "INSERT_PAD_RADII_MM",
    "ROTATE_STEP_DEG",
    "SCALE_STEP",
    "new_id",
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

# Scenario > Insert Teflon pad: a flattened wad 3 mm thick and 5 x 5 mm across, placed by
# viewer.decompression.pad_at_contact (rows: thickness nerve -> vessel, along the nerve, across it)
INSERT_PAD_RADII_MM = (1.5, 2.5, 2.5)
ROTATE_STEP_DEG = 15.0
SCALE_STEP = 1.1


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


def _reference(n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A fixed frame (e1, e2) across the thin axis n, from which the spin angle is measured."""
    e1 = np.cross([0.0, 0.0, 1.0], n)
    if np.linalg.norm(e1) < 1e-6:  # n vertical: measure from +x
        e1 = np.array([1.0, 0.0, 0.0])
    e1 = unit(e1)
    return e1, np.cross(n, e1)


def orientation_angles(axes) -> tuple[float, float, float]:
    """(azimuth, elevation, spin) in degrees of a pad's axes: the first axis (an inserted pad's
    thickness, nerve -> vessel) as azimuth in the axial plane from +x (right) towards +y (anterior)
    and elevation towards +z, then the second axis's turn about it. `axes_from_angles` inverts it."""
    rows = np.asarray(axes, float).reshape(3, 3)
    n = unit(rows[0])
    az = np.degrees(np.arctan2(n[1], n[0]))
    el = np.degrees(np.arcsin(np.clip(n[2], -1.0, 1.0)))
    e1, e2 = _reference(n)
    spin = np.degrees(np.arctan2(rows[1] @ e2, rows[1] @ e1))
    return float(az), float(el), float(spin)


def axes_from_angles(azimuth: float, elevation: float, spin: float) -> np.ndarray:
    az, el, sp = np.radians([azimuth, elevation, spin])
    n = np.array([np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), np.sin(el)])
    e1, e2 = _reference(n)
    a = np.cos(sp) * e1 + np.sin(sp) * e2
    return np.vstack([n, a, np.cross(n, a)])
