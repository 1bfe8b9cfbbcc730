"""What a left retrosigmoid (infrafloccular) approach meets (pure core: numpy only).

The cerebellar hemisphere with its petrosal surface, the flocculus, the choroid plexus at the
foramen of Luschka, the sigmoid and transverse sinuses, the petrous pyramid with the internal
acoustic porus and the jugular foramen, and the retrosigmoid craniotomy. Solids are signed
distance functions (as the brainstem is), so the render layer contours the same surfaces the
REZ visibility ray-marches through; the sinuses and the choroid plexus are tubes in
`Anatomy.tubes`. Every figure comes from viewer.dimensions (docs/clinical-reference.md
section 11).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from . import sdf
from .dimensions import dim
from .geometry import unit

__all__ = ["SurgicalAnatomy", "petrous_pyramid_sdf", "face_frame", "flocculus_radii", "hemisphere_radii"]


def face_frame(face_normal) -> np.ndarray:
    """Rows n (out of the petrous face into the CPA), u (along the face, horizontal), w (up the face)."""
    n = unit(np.asarray(face_normal, float))
    u = unit(np.cross(n, [0.0, 0.0, 1.0]))
    return np.vstack([n, u, np.cross(u, n)])


# Extents of the petrous pyramid in the face frame, mm from the porus: the posterior face
# runs from the superior petrosal ridge above the porus down to the jugular foramen below
# it, from the petrous apex (medial, -u) to the sigmoid groove (lateral, +u).
PETROUS_RIDGE_ABOVE_PORUS = 9.0
PETROUS_BASE_BELOW_PORUS = 24.0
PETROUS_MEDIAL = 18.0
PETROUS_LATERAL = 22.0
PETROUS_DEPTH = 16.0
CEREBELLUM_PIA_GAP_MM = 3.5  # the cerebellomedullary fissure between hemisphere and medulla (project default)


def petrous_pyramid_sdf(p: np.ndarray, porus, canal_axis, face_normal, jugular) -> np.ndarray:
    """Signed distance to the petrous pyramid: a rounded box behind the posterior face, bored by
    the internal acoustic meatus (a cylinder along the canal axis, the IAM width) and notched at
    its inferior border by the jugular foramen (its width x length, where IX/X/XI and the
    sigmoid sinus leave the posterior fossa)."""
    p = np.asarray(p, float)
    axes = face_frame(face_normal)
    porus = np.asarray(porus, float)
    n, u, w = axes
    half = np.array(
        [
            PETROUS_DEPTH / 2,
            (PETROUS_MEDIAL + PETROUS_LATERAL) / 2,
            (PETROUS_RIDGE_ABOVE_PORUS + PETROUS_BASE_BELOW_PORUS) / 2,
        ]
    )
    centre = (
        porus
        - n * half[0]
        + u * (PETROUS_LATERAL - PETROUS_MEDIAL) / 2
        + w * (PETROUS_RIDGE_ABOVE_PORUS - PETROUS_BASE_BELOW_PORUS) / 2
    )
    block = sdf.rounded_box(p, centre, half, axes, 2.5)
    canal_axis = np.asarray(canal_axis, float)
    canal = sdf.capsule(p, porus - canal_axis * 6.0, porus + canal_axis * 30.0, dim("iam_width") / 2)
    d = sdf.smooth_subtract(block, canal, 0.8)
    # Jugular foramen: its length runs along the inferior border (u), its width up the face (w);
    # the notch opens downwards through the base of the pyramid.
    jug = np.asarray(jugular, float)
    jl, jw = dim("jugular_foramen_length") / 2, dim("jugular_foramen_width") / 2
    top = float((jug - porus) @ w) + jw * 0.5
    bottom = -PETROUS_BASE_BELOW_PORUS - 6.0
    notch_c = (
        porus + n * float((jug - porus) @ n) + u * (float((jug - porus) @ u) + jl * 0.35) + w * 0.5 * (top + bottom)
    )
    notch = sdf.rounded_box(p, notch_c, (PETROUS_DEPTH + 4.0, jl, 0.5 * (top - bottom)), axes, 1.5)
    return sdf.smooth_subtract(d, notch, 1.0)


def hemisphere_radii() -> tuple[float, float, float]:
    """Semi-axes (lateral, anteroposterior, vertical) of the hemisphere ellipsoid before its cuts:
    half the cerebellar volume, in the proportions of the posterior fossa."""
    vol = 0.5 * dim("cerebellar_volume") * 1000.0 / 0.8  # the cuts remove about a fifth
    shape = np.array([1.0, 1.05, 0.8])
    k = (vol / (4.0 / 3.0 * np.pi * np.prod(shape))) ** (1.0 / 3.0)
    return tuple(float(v) for v in k * shape)


def flocculus_radii() -> tuple[float, float, float]:
    """Semi-axes of the flocculus ellipsoid (long axis along the MCP's posterior border), sized
    so its volume is the published flocculus volume."""
    shape = np.array([1.6, 1.0, 1.15])
    k = (dim("flocculus_volume") * 1000.0 / (4.0 / 3.0 * np.pi * np.prod(shape))) ** (1.0 / 3.0)
    return tuple(float(v) for v in k * shape)


@dataclass(frozen=True)
class SurgicalAnatomy:
    """The corridor's solids and the craniotomy; all positions RAS mm, left side."""

    hemisphere_centre: np.ndarray
    hemisphere_radii: tuple[float, float, float]
    petrosal_point: np.ndarray  # a point on the petrosal surface's cut plane
    petrosal_normal: np.ndarray  # out of the cerebellum towards the petrous face
    flocculus_centre: np.ndarray
    flocculus_axes: np.ndarray  # rows: long axis, then the two short ones
    flocculus_radii: tuple[float, float, float]
    craniotomy_centre: np.ndarray
    craniotomy_normal: np.ndarray  # out of the skull, away from the CPA
    craniotomy_radius_mm: float
    retraction_origin: np.ndarray  # where the retractor's spatula lifts the flocculus
    retraction_direction: np.ndarray  # unit: away from the petrous face, posteromedially
    retraction_falloff_mm: float
    brainstem_sdf: object = None  # the cerebellum stops at the pia (attached by the MCP)
    side: str = "left"  # "right": every position reflected at x = 0

    def mirrored(self) -> SurgicalAnatomy:
        """The corridor on the other side: every point and direction reflected at x = 0."""
        flip = np.array([-1.0, 1.0, 1.0])
        bs = self.brainstem_sdf
        return replace(
            self,
            hemisphere_centre=self.hemisphere_centre * flip,
            petrosal_point=self.petrosal_point * flip,
            petrosal_normal=self.petrosal_normal * flip,
            flocculus_centre=self.flocculus_centre * flip,
            flocculus_axes=self.flocculus_axes * flip,
            craniotomy_centre=self.craniotomy_centre * flip,
            craniotomy_normal=self.craniotomy_normal * flip,
            retraction_origin=self.retraction_origin * flip,
            retraction_direction=self.retraction_direction * flip,
            brainstem_sdf=None if bs is None else (lambda p: bs(np.asarray(p, float) * flip)),
            side="right" if self.side == "left" else "left",
        )

    def __post_init__(self):
        for name in (
            "hemisphere_centre",
            "petrosal_point",
            "petrosal_normal",
            "flocculus_centre",
            "flocculus_axes",
            "craniotomy_centre",
            "craniotomy_normal",
            "retraction_origin",
            "retraction_direction",
        ):
            a = np.array(getattr(self, name), dtype=float)
            a.setflags(write=False)
            object.__setattr__(self, name, a)

    # ------------------------------------------------------------------ solids
    def cerebellum_sdf(self, p: np.ndarray) -> np.ndarray:
        """The operated-side cerebellar hemisphere: an ellipsoid flattened into its petrosal surface
        (facing the petrous bone across the CPA cistern), stopping at the brainstem's pia."""
        p = np.asarray(p, float)
        d = sdf.ellipsoid(p, self.hemisphere_centre, self.hemisphere_radii)
        plane = (p - self.petrosal_point) @ self.petrosal_normal
        d = -sdf.smooth_union(-d, -plane, 4.0)  # smooth intersection: rounded petrosal border
        if self.brainstem_sdf is not None:
            # the cerebellomedullary fissure and the cistern keep it off the pia
            d = sdf.smooth_subtract(d, self.brainstem_sdf(p) - CEREBELLUM_PIA_GAP_MM, 1.5)
        lateral = p[..., 0] if self.side == "left" else -p[..., 0]
        return np.maximum(d, lateral + 2.0)  # the vermis side: the hemisphere ends near the midline

    def flocculus_sdf(self, p: np.ndarray) -> np.ndarray:
        q = (np.asarray(p, float) - self.flocculus_centre) @ self.flocculus_axes.T
        return sdf.ellipsoid(q, (0.0, 0.0, 0.0), self.flocculus_radii)

    def bone_plate_sdf(self, p: np.ndarray) -> np.ndarray:
        """The occipital squama around the craniotomy: a 5 mm plate with the keyhole cut out."""
        p = np.asarray(p, float)
        n = self.craniotomy_normal
        h = (p - self.craniotomy_centre) @ n
        radial = np.linalg.norm((p - self.craniotomy_centre) - h[..., None] * n, axis=-1)
        plate = np.maximum(np.abs(h - 2.5) - 2.5, radial - (self.craniotomy_radius_mm + 9.0))
        return np.maximum(plate, self.craniotomy_radius_mm - radial)

    # ------------------------------------------------------------------ craniotomy
    def opening_samples(self, rings: tuple[float, ...] = (0.0, 0.5, 0.9), per_ring: int = 8) -> np.ndarray:
        """Points on the craniotomy disc: the centre and rings at fractions of its radius."""
        n = self.craniotomy_normal
        a = unit(np.cross(n, [0.0, 0.0, 1.0]))
        b = np.cross(n, a)
        pts = []
        for f in rings:
            if f == 0.0:
                pts.append(self.craniotomy_centre)
                continue
            ang = np.linspace(0.0, 2 * np.pi, per_ring, endpoint=False)
            pts += list(
                self.craniotomy_centre
                + f * self.craniotomy_radius_mm * (np.cos(ang)[:, None] * a + np.sin(ang)[:, None] * b)
            )
        return np.array(pts)
