"""Named camera presets (RAS frame). `direction` points from the focal point to the camera.

The presets are written for the left model. A right-sided scene is the mirror image at
x = 0, so each view has a mirrored twin (`view_for(name, "right")`): direction, up and
focal point reflected, the same name (files, CLI and shortcuts keep one vocabulary) and
the title's Left/Right swapped ("left_lateral" is titled "Right lateral" there, and
"retrosigmoid" is the surgeon's right retrosigmoid view).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

import numpy as np

from .vocabulary import swap_side_words


@dataclass(frozen=True)
class ViewPreset:
    name: str
    title: str
    direction: tuple[float, float, float]
    up: tuple[float, float, float]
    focal: tuple[float, float, float]
    distance: float
    shortcut: str

    def mirrored(self) -> ViewPreset:
        """The same view of the mirror-image scene (reflected at x = 0), title with Left/Right swapped."""

        def m(v):
            return (0.0 - v[0], v[1], v[2])

        return replace(
            self, title=swap_side_words(self.title), direction=m(self.direction), up=m(self.up), focal=m(self.focal)
        )


# Focal points: the brainstem centre for whole-anatomy views, the CPA for the surgical one.
_BRAINSTEM = (-11.0, 0.0, 2.0)  # brainstem and the left CPA
_CPA = (-19.0, 2.0, 6.0)
_REZ = (-15.0, 2.0, 6.0)

VIEWS: dict[str, ViewPreset] = {
    v.name: v
    for v in [
        ViewPreset("anterior", "Anterior", (0.0, 1.0, 0.0), (0.0, 0.0, 1.0), _BRAINSTEM, 165.0, "1"),
        ViewPreset("left_lateral", "Left lateral", (-1.0, 0.0, 0.0), (0.0, 0.0, 1.0), _BRAINSTEM, 165.0, "2"),
        ViewPreset("inferior", "Inferior", (0.0, 0.0, -1.0), (0.0, 1.0, 0.0), _BRAINSTEM, 165.0, "3"),
        ViewPreset("superior", "Superior", (0.0, 0.0, 1.0), (0.0, 1.0, 0.0), _BRAINSTEM, 165.0, "4"),
        # Left retrosigmoid: the surgeon looks anteromedially at the CPA from behind the
        # sigmoid sinus (posterolateral, slightly from above), with superior up.
        ViewPreset(
            "retrosigmoid", "Left retrosigmoid (surgeon)", (-0.72, -0.62, 0.30), (0.0, 0.0, 1.0), _CPA, 120.0, "5"
        ),
        # Close-up of CN VII's root exit zone from in front and below, with the petrous bone out
        # of the line of sight: where most culprit contacts sit (AS 64 %, RDP 22 %,
        # Campos-Benitez 2008), big enough to see a dent from the back of a lecture hall.
        ViewPreset("rez_closeup", "Root exit zone close-up", (-0.2, 0.8, -0.55), (0.0, 0.0, 1.0), _REZ, 50.0, "6"),
    ]
}
DEFAULT_VIEW = "anterior"

# The surgeon's view through the left retrosigmoid keyhole: the camera outside the craniotomy
# on the corridor's axis (viewer.anatomy CORRIDOR_DIRECTION, 42 mm from the root exit zone),
# looking along it at the middle of CN VII's RExP + AS. `retrosigmoid` stays the overview
# from the same side (no cerebellum), which presets and shortcut 5 already use.
_KEYHOLE_FOCAL = (-13.7, 1.2, 5.4)
VIEWS["keyhole"] = ViewPreset(
    "keyhole",
    "Left retrosigmoid keyhole (surgeon)",
    (-0.762, -0.63, -0.152),
    (0.0, 0.0, 1.0),
    _KEYHOLE_FOCAL,
    95.0,
    "7",
)

# Structures a view shows whatever the user's visibility says (the render layer installs them
# as a display override while the view is current): the corridor's structures and the lower
# cranial nerves, hidden elsewhere, belong to the surgical view.
VIEW_VISIBILITY: dict[str, tuple[str, ...]] = {
    "keyhole": (
        "cerebellum",
        "flocculus",
        "choroid_plexus",
        "sigmoid_sinus",
        "transverse_sinus",
        "craniotomy",
        "cn9",
        "cn10",
        "cn11",
    ),
}


@cache
def view_for(name: str, side: str = "left") -> ViewPreset:
    """The preset `name` for a scene of `side` (the right: the left preset mirrored); KeyError if unknown."""
    v = VIEWS[name]
    if side == "left":
        return v
    if side == "right":
        return v.mirrored()
    raise ValueError(f"unknown side '{side}'")


def view_title(name: str, side: str = "left") -> str:
    """'Left lateral' / 'Right lateral': the title of a view on a scene of `side`."""
    return view_for(name, side).title


def camera_for(name: str, side: str = "left") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(position, focal point, view up) for a preset name on a scene of `side`; KeyError if unknown."""
    v = view_for(name, side)
    d = np.asarray(v.direction, float)
    d /= np.linalg.norm(d)
    focal = np.asarray(v.focal, float)
    up = np.asarray(v.up, float)
    up = up - np.dot(up, d) * d
    up /= np.linalg.norm(up)
    return focal + d * v.distance, focal, up


def _slerp(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    a = a / np.linalg.norm(a)
    b = b / np.linalg.norm(b)
    dot = float(np.clip(np.dot(a, b), -1.0, 1.0))
    if dot > 0.9995:
        v = a + t * (b - a)
        return v / np.linalg.norm(v)
    if dot < -0.9995:  # opposite: turn through any perpendicular axis
        perp = np.cross(a, [1.0, 0.0, 0.0] if abs(a[0]) < 0.9 else [0.0, 1.0, 0.0])
        perp /= np.linalg.norm(perp)
        ang = np.pi * t
        return np.cos(ang) * a + np.sin(ang) * perp
    omega = np.arccos(dot)
    return (np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)


def camera_between(start, end, t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Camera (position, focal, up) a fraction `t` (0..1, eased) of the way from `start` to `end`.

    The focal point moves in a straight line; the viewing direction turns on a great
    circle and the distance changes linearly, so the camera swings round the anatomy
    instead of cutting through it (presentation-mode transitions)."""
    t = float(np.clip(t, 0.0, 1.0))
    s = t * t * (3.0 - 2.0 * t)  # smoothstep: ease in and out
    p0, f0, u0 = (np.asarray(x, float) for x in start)
    p1, f1, u1 = (np.asarray(x, float) for x in end)
    d0, d1 = p0 - f0, p1 - f1
    dist = (1 - s) * np.linalg.norm(d0) + s * np.linalg.norm(d1)
    direction = _slerp(d0, d1, s)
    focal = (1 - s) * f0 + s * f1
    up = _slerp(u0, u1, s)
    up = up - np.dot(up, direction) * direction
    n = np.linalg.norm(up)
    up = up / n if n > 1e-9 else u1 / np.linalg.norm(u1)
    return focal + direction * dist, focal, up
