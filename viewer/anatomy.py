"""Parametric anatomy of the cerebellopontine angle (pure core: numpy only).

Frame: RAS millimetres, +x right, +y anterior, +z superior, midsagittal plane at
x = 0; the pontomedullary sulcus lies near z = 0. The modelled side is the left
(x < 0). Every figure comes from viewer.dimensions (value, range, source).
The right side (``build_anatomy("right")``) is the exact mirror image at x = 0
(``Anatomy.mirrored``): every point's x negated, Left/Right swapped in the words,
and the solids evaluated on mirrored points.

Structures are tubes (centreline + radius) except the brainstem and petrous bone,
which are implicit solids (signed distance functions): the surface the render
layer contours is the same surface the nerve roots are placed on.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache

import numpy as np

from . import sdf
from .dimensions import DIMENSIONS, dim
from .geometry import arc_lengths, catmull_rom, resample_polyline, unit
from .surgical_anatomy import SurgicalAnatomy, petrous_pyramid_sdf

# CN VII zones, in order from the brainstem: worded in the vocabulary, re-exported here for old imports.
from .vocabulary import REZ_SEGMENTS, SEGMENT_NAMES, SEGMENTS, SIDES, swap_side_words  # noqa: F401

FRAME = "RAS"
UNITS = "mm"
NERVE_SAMPLE_STEP_MM = 0.2  # <= 0.25 mm asked by the anatomy JSON contract
MIRROR_X = np.array([-1.0, 1.0, 1.0])  # reflection at the midsagittal plane x = 0


def _frozen(a) -> np.ndarray:
    out = np.array(a, dtype=float)
    out.setflags(write=False)
    return out


def mirror_points(p) -> np.ndarray:
    """Points reflected at x = 0 (0.0 - x, so no -0.0 appears)."""
    p = np.array(p, dtype=float)
    p[..., 0] = 0.0 - p[..., 0]
    return p


@dataclass(frozen=True)
class Tube:
    """A nerve or vessel: smooth centreline through control points, one radius."""

    id: str
    name: str
    kind: str  # "nerve" | "artery" | "vein"
    role: str  # vessels: vertebral|basilar|aica|pica|sca|vein; nerves: cn5..cn11
    radius_mm: float
    control_mm: np.ndarray
    group: str  # structure panel group: nerves | arteries | veins | context
    description: str
    visible: bool = True

    def __post_init__(self):
        # The model is cached and shared: its arrays are read-only copies, so no caller
        # (a renderer aliasing them, a test) can move the anatomy by accident.
        object.__setattr__(self, "control_mm", _frozen(self.control_mm))

    @cached_property
    def centerline_mm(self) -> np.ndarray:
        return _frozen(resample_polyline(catmull_rom(self.control_mm), step=0.5))

    def mirrored(self) -> Tube:
        """The same structure on the other side: control points reflected, Left/Right swapped."""
        return replace(
            self,
            name=swap_side_words(self.name),
            control_mm=mirror_points(self.control_mm),
            description=swap_side_words(self.description),
        )

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "role": self.role,
            "radius_mm": self.radius_mm,
            "centerline_mm": np.round(self.centerline_mm, 3).tolist(),
        }


@dataclass(frozen=True)
class FacialNerve:
    """CN VII motor root sampled along arc length from the root exit point."""

    tube: Tube
    points_mm: np.ndarray  # (N, 3), spacing NERVE_SAMPLE_STEP_MM
    arc_mm: np.ndarray  # (N,)
    rdp_arc_mm: float
    tz_arc_mm: tuple[float, float]  # transition zone start, end
    porus_arc_mm: float

    def __post_init__(self):
        object.__setattr__(self, "points_mm", _frozen(self.points_mm))
        object.__setattr__(self, "arc_mm", _frozen(self.arc_mm))

    @property
    def radius_mm(self) -> float:
        return self.tube.radius_mm

    def segment_boundaries(self) -> dict[str, tuple[float, float]]:
        """Contiguous arc-length intervals [start, end) of the four zones."""
        rexp_end = dim("rexp_zone_length")
        half = dim("rdp_zone_half_width")
        return {
            "RExP": (0.0, rexp_end),
            "AS": (rexp_end, self.rdp_arc_mm - half),
            "RDP": (self.rdp_arc_mm - half, self.rdp_arc_mm + half),
            "CP": (self.rdp_arc_mm + half, float(self.arc_mm[-1]) + 1e-9),
        }

    def segment_at(self, arc):
        """Zone label(s) at arc length(s)."""
        arc = np.asarray(arc, float)
        b = self.segment_boundaries()
        edges = np.array([b["AS"][0], b["RDP"][0], b["CP"][0]])
        idx = np.searchsorted(edges, arc, side="right")
        labels = np.array(SEGMENTS)[idx]
        return labels if labels.ndim else str(labels)

    def myelin_at(self, arc):
        """'central' up to the end of the transition zone, 'peripheral' beyond.

        Central (oligodendrocyte) myelin covers the REZ and extends through the
        TZ, where the CNS/PNS junction lies (Tomii 2003; Haller 2016).
        """
        arc = np.asarray(arc, float)
        out = np.where(arc <= self.tz_arc_mm[1], "central", "peripheral")
        return out if out.ndim else str(out)

    @cached_property
    def segments(self) -> np.ndarray:
        return self.segment_at(self.arc_mm)

    @cached_property
    def myelin(self) -> np.ndarray:
        return self.myelin_at(self.arc_mm)

    def point_at(self, arc: float) -> np.ndarray:
        return np.array([np.interp(arc, self.arc_mm, self.points_mm[:, k]) for k in range(3)])

    def mirrored(self) -> FacialNerve:
        """The nerve on the other side: samples reflected, arc lengths and zones unchanged."""
        return replace(self, tube=self.tube.mirrored(), points_mm=mirror_points(self.points_mm))

    def to_dict(self) -> dict:
        return {
            "id": self.tube.id,
            "radius_mm": self.radius_mm,
            "segment_boundaries_mm": {k: [round(a, 3), round(b, 3)] for k, (a, b) in self.segment_boundaries().items()},
            "transition_zone_arc_mm": [round(self.tz_arc_mm[0], 3), round(self.tz_arc_mm[1], 3)],
            "porus_arc_mm": round(self.porus_arc_mm, 3),
            "samples": [
                {"arc_mm": round(float(a), 3), "point_mm": np.round(p, 3).tolist(), "segment": str(s), "myelin": str(m)}
                for a, p, s, m in zip(self.arc_mm, self.points_mm, self.segments, self.myelin)
            ],
        }


# --------------------------------------------------------------------------- solids


def brainstem_sdf(p: np.ndarray) -> np.ndarray:
    """Signed distance to the brainstem surface (mm, negative inside).

    Medulla (tapered column with pyramids, olives, inferior cerebellar peduncles),
    pons (ellipsoid, basilar sulcus), middle cerebellar peduncle stubs and a
    midbrain stub (the peduncle stubs end rounded where the cerebellum would begin), blended so that the pontomedullary sulcus forms as a crease.
    Proportions: pons 31.5 wide x 22.7 deep x 26 high, medulla 17 wide x 13 deep,
    MCP 15.5 thick (dimensions.py).
    """
    p = np.asarray(p, float)
    px = p.copy()
    px[..., 0] = -np.abs(p[..., 0])  # bilateral parts modelled on the left, mirrored
    half_w_pons = dim("pons_width") / 2
    half_d_pons = dim("pons_ap_depth") / 2
    half_h_pons = dim("pons_craniocaudal") / 2
    med_w = dim("medulla_width_at_olive") / 2
    med_d = dim("medulla_ap_depth") / 2
    medulla = sdf.tapered_elliptic_column(
        p, -32.0, 1.0, (med_w - 1.0, med_d - 0.6), (med_w + 2.5, med_d + 0.3), -1.0, -1.5
    )
    pons = sdf.ellipsoid(p, (0.0, 1.5, half_h_pons - 0.5), (half_w_pons, half_d_pons, half_h_pons))
    d = sdf.smooth_union(medulla, pons, 2.0)
    pyramid = sdf.ellipsoid(px, (-2.8, 5.0, -14.0), (2.6, 2.4, 14.0))
    olive = sdf.ellipsoid(px, (-7.2, 3.0, -9.0), (2.4, 3.0, 6.5))
    icp = sdf.capsule(px, (-6.5, -4.5, -14.0), (-10.0, -5.5, 4.0), 4.5)
    d = sdf.smooth_union(d, pyramid, 1.2)
    d = sdf.smooth_union(d, olive, 1.0)
    d = sdf.smooth_union(d, icp, 2.0)
    mcp = sdf.capsule(px, (-8.0, -4.0, 13.0), (-16.5, -7.5, 11.5), dim("mcp_thickness") / 2)
    d = sdf.smooth_union(d, mcp, 3.0)
    midbrain = sdf.ellipsoid(p, (0.0, -1.0, 30.0), (13.0, 8.5, 9.0))
    d = sdf.smooth_union(d, midbrain, 3.0)
    basilar_sulcus = sdf.capsule(p, (0.0, 13.6, 2.0), (0.0, 13.4, 24.0), 1.3)
    d = sdf.smooth_subtract(d, basilar_sulcus, 1.0)
    d = np.maximum(d, BRAINSTEM_CUT_Z[0] - p[..., 2])  # cervicomedullary cut
    d = np.maximum(d, p[..., 2] - BRAINSTEM_CUT_Z[1])  # midbrain stub cut
    return d


BRAINSTEM_CUT_Z = (-30.0, 34.0)
BRAINSTEM_HALF_WIDTH = 25.0  # bounding half-width for contouring (MCP stubs end rounded)
BRAINSTEM_BOUNDS = (-BRAINSTEM_HALF_WIDTH, BRAINSTEM_HALF_WIDTH, -18.0, 16.0, BRAINSTEM_CUT_Z[0], BRAINSTEM_CUT_Z[1])


@dataclass(frozen=True)
class PetrousBone:
    """Posterior face of the petrous bone with the porus of the IAM (orientation only)."""

    porus_mm: np.ndarray
    canal_axis: np.ndarray  # unit vector pointing laterally into the meatus
    face_normal: np.ndarray  # unit vector pointing out of the bone into the CPA
    side: str = "left"
    # Given: the petrous pyramid (posterior face, porus, jugular foramen notch) of
    # viewer.surgical_anatomy; None: the rounded block of the first model.
    jugular_mm: np.ndarray | None = None

    def mirrored(self) -> PetrousBone:
        jug = None if self.jugular_mm is None else mirror_points(self.jugular_mm)
        return PetrousBone(
            mirror_points(self.porus_mm),
            mirror_points(self.canal_axis),
            mirror_points(self.face_normal),
            _OTHER_SIDE[self.side],
            jug,
        )

    def sdf(self, p: np.ndarray) -> np.ndarray:
        if self.side == "right":  # the left solid evaluated on mirrored points: exactly its mirror image
            return self.mirrored().sdf(mirror_points(p))
        if self.jugular_mm is not None:
            return petrous_pyramid_sdf(p, self.porus_mm, self.canal_axis, self.face_normal, self.jugular_mm)
        return self.block_sdf(p)

    def block_sdf(self, p: np.ndarray) -> np.ndarray:
        n = self.face_normal
        u = unit(np.cross(n, [0.0, 0.0, 1.0]))
        w = np.cross(n, u)
        axes = np.vstack([n, u, w])
        thickness = 9.0
        centre = self.porus_mm - n * (thickness / 2) + w * 3.0
        slab = sdf.rounded_box(p, centre, (thickness / 2, 14.0, 13.0), axes, 3.0)
        canal = sdf.capsule(
            p, self.porus_mm - self.canal_axis * 6.0, self.porus_mm + self.canal_axis * 30.0, dim("iam_width") / 2
        )
        return sdf.smooth_subtract(slab, canal, 0.8)

    @property
    def bounds(self) -> tuple[float, ...]:
        c = self.porus_mm
        if self.jugular_mm is not None:  # the pyramid reaches down to the jugular foramen
            return (c[0] - 30, c[0] + 30, c[1] - 30, c[1] + 30, c[2] - 40, c[2] + 16)
        return (c[0] - 24, c[0] + 24, c[1] - 24, c[1] + 24, c[2] - 24, c[2] + 24)


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Anatomy:
    tubes: dict[str, Tube]
    facial_nerve: FacialNerve
    petrous: PetrousBone
    landmarks: dict[str, np.ndarray]
    facial_pathway_mm: np.ndarray  # intra-pontine course: nucleus -> genu -> RExP
    dimensions: dict = field(default_factory=lambda: DIMENSIONS)
    side: str = "left"  # the patient side modelled: "right" is the mirror image at x = 0
    surgical: SurgicalAnatomy | None = None  # the retrosigmoid corridor's solids and craniotomy

    def brainstem_sdf(self, p: np.ndarray) -> np.ndarray:
        """The brainstem solid of this side (evaluated on mirrored points for the right)."""
        return brainstem_sdf(mirror_points(p) if self.side == "right" else p)

    def mirrored(self) -> Anatomy:
        """The same model on the other side: every point reflected at x = 0, Left/Right swapped."""
        return Anatomy(
            {k: t.mirrored() for k, t in self.tubes.items()},
            self.facial_nerve.mirrored(),
            self.petrous.mirrored(),
            {k: _frozen(mirror_points(v)) for k, v in self.landmarks.items()},
            _frozen(mirror_points(self.facial_pathway_mm)),
            self.dimensions,
            _OTHER_SIDE[self.side],
            None if self.surgical is None else self.surgical.mirrored(),
        )

    @property
    def vessels(self) -> list[Tube]:
        return [t for t in self.tubes.values() if t.kind in ("artery", "vein")]

    @property
    def nerves(self) -> list[Tube]:
        return [t for t in self.tubes.values() if t.kind == "nerve"]

    def to_dict(self) -> dict:
        bb = brainstem_bounds()
        if self.side == "right":
            bb = (0.0 - bb[1], 0.0 - bb[0]) + bb[2:]
        structures = [
            {
                "id": "brainstem",
                "name": "Brainstem",
                "kind": "brainstem",
                "role": "brainstem",
                "radius_mm": None,
                "bounds_mm": list(bb),
            },
            {
                "id": "petrous",
                "name": "Petrous bone (posterior face, porus of IAM)",
                "kind": "bone",
                "role": "petrous",
                "radius_mm": None,
                "bounds_mm": [round(v, 3) for v in self.petrous.bounds],
            },
        ]
        structures += [t.to_dict() for t in self.tubes.values()]
        return {
            "frame": FRAME,
            "units": UNITS,
            "side": self.side,
            "structures": structures,
            "facial_nerve": self.facial_nerve.to_dict(),
            "landmarks": {k: np.round(v, 3).tolist() for k, v in self.landmarks.items()},
            "facial_pathway_mm": np.round(self.facial_pathway_mm, 3).tolist(),
            "dimensions": [d.as_dict() for d in self.dimensions.values()],
        }


@lru_cache(maxsize=1)
def brainstem_bounds() -> tuple[float, ...]:
    """Tight axis-aligned bounds of the brainstem solid, measured on a 0.5 mm grid."""
    xs = np.arange(BRAINSTEM_BOUNDS[0] - 1, BRAINSTEM_BOUNDS[1] + 1.01, 0.5)
    ys = np.arange(BRAINSTEM_BOUNDS[2] - 4, BRAINSTEM_BOUNDS[3] + 4.01, 0.5)
    zs = np.arange(BRAINSTEM_BOUNDS[4] - 1, BRAINSTEM_BOUNDS[5] + 1.01, 0.5)
    g = np.stack(np.meshgrid(xs, ys, zs, indexing="ij"), axis=-1)
    inside = brainstem_sdf(g) < 0
    idx = [np.where(inside.any(axis=tuple(a for a in range(3) if a != k)))[0] for k in range(3)]
    return tuple(float(v) for k, arr in enumerate((xs, ys, zs)) for v in (arr[idx[k][0]], arr[idx[k][-1]]))


def _on_surface(p, offset: float) -> np.ndarray:
    """Project a rough point onto the brainstem surface offset by `offset` mm."""
    return sdf.project_to_surface(brainstem_sdf, np.asarray(p, float), offset=offset)[0]


def _stand_off(control: np.ndarray, clearance: float, solids) -> np.ndarray:
    """Push control points that lie closer than `clearance` to any solid out to it."""
    pts = np.asarray(control, float).copy()
    for f in solids:
        d = f(pts)
        near = d < clearance
        if near.any():
            pts[near] = sdf.project_to_surface(f, pts[near], offset=clearance)
    return pts


def _stand_off_path(
    control: np.ndarray, clearance: float, solids, step: float = 3.0, keep_first: bool = True
) -> np.ndarray:
    """Resample a rough route every `step` mm and push each point clear of the solids.

    Dense handles keep the spline itself (not only its handles) off the pia and
    bone; the first point (a vessel's origin on its parent) is kept as given.
    """
    ctrl = np.asarray(control, float)
    dense = resample_polyline(ctrl, step=step)
    if keep_first:
        dense[1:] = _stand_off(dense[1:], clearance, solids)
        dense[0] = ctrl[0]
        return dense
    return _stand_off(dense, clearance, solids)


def _surface_path(a: np.ndarray, b: np.ndarray, offset: float, n: int) -> np.ndarray:
    """Points from a to b that follow the brainstem surface at a fixed offset."""
    t = np.linspace(0.0, 1.0, n)[:, None]
    return sdf.project_to_surface(brainstem_sdf, a + t * (b - a), offset=offset)


JUGULAR_FORAMEN_MM = (-30.0, 5.5, -7.5)  # where IX/X/XI leave the posterior fossa (pars nervosa)
AS_END_GUESS = (-17.5, 2.5, 5.5)  # rostrolateral on the pons
AS_BLEND = 1.0  # how much of the attached segment's direction the nerve keeps as it detaches


_OTHER_SIDE = {"left": "right", "right": "left"}


def build_anatomy(side: str = "left") -> Anatomy:
    """The default (normal) CPA of `side`; the right is the left mirrored at x = 0.

    Cached per side: the model is immutable, and every caller of one side shares one
    object (the analysis and the renderer key their caches on it)."""
    if side not in SIDES:
        raise ValueError(f"unknown side '{side}' (choose from {', '.join(SIDES)})")
    return _build_anatomy(side)


@lru_cache(maxsize=2)
def _build_anatomy(side: str) -> Anatomy:
    if side == "right":
        return _build_anatomy("left").mirrored()
    return _build_left()


build_anatomy.cache_clear = _build_anatomy.cache_clear  # type: ignore[attr-defined]


def _build_left() -> Anatomy:
    """Build the default (normal) left CPA."""
    r7 = dim("facial_nerve_diameter") / 2
    r8 = dim("vestibulocochlear_diameter") / 2

    # --- CN VII: exit point, attached segment on the pons, detachment, cisternal course.
    rexp = _on_surface([-dim("rexp_from_midline"), 1.5, 3.3], offset=0.0)
    rexp[0] = -dim("rexp_from_midline")
    rexp = _on_surface(rexp, offset=0.0)
    # The attached segment runs rostrolaterally on the pons, the nerve's centre half
    # a radius off the pia (it lies on the surface, adherent to it).
    as_end_guess = np.array(AS_END_GUESS)  # rostrolateral, so the turn at the RDP stays gentle
    attached = _surface_path(rexp, as_end_guess, offset=0.5 * r7, n=6)
    attached[0] = _on_surface(rexp, offset=0.25 * r7)
    # Scale the attached path so that its length equals the published RExP->RDP 8 mm.
    as_len = dim("attached_segment_length")
    for _ in range(6):
        L = arc_lengths(resample_polyline(catmull_rom(attached), step=0.1))[-1]
        end = attached[0] + (attached[-1] - attached[0]) * (as_len / L)
        attached = _surface_path(attached[0], end, offset=0.5 * r7, n=6)
    rdp = attached[-1]
    # Cisternal course: 69.7 deg to the midsagittal plane in the axial plane, slight rostral rise.
    ang = np.radians(dim("facial_nerve_angle_to_midline"))
    course = unit(np.array([-np.sin(ang), np.cos(ang), 0.22]))
    porus_guess = rdp + course * dim("cisternal_length")
    cis_ctrl = np.array([rdp + course * f * dim("cisternal_length") for f in (0.3, 0.65)])
    # Leave the pons tangentially: blend the first cisternal point with the AS direction.
    as_dir = unit(attached[-1] - attached[-2])
    cis_ctrl[0] = rdp + unit(AS_BLEND * as_dir + course) * 0.3 * dim("cisternal_length")
    ctrl7 = np.vstack([attached, cis_ctrl, porus_guess])
    fine = resample_polyline(catmull_rom(ctrl7, samples_per_span=40), step=0.05)
    s = arc_lengths(fine)
    rdp_arc = float(s[np.argmin(np.linalg.norm(fine - rdp, axis=1))])
    # Rescale the cisternal part so RDP->porus equals the cisternal length exactly.
    porus_arc = rdp_arc + dim("cisternal_length")
    porus = np.array([np.interp(porus_arc, s, fine[:, k]) for k in range(3)]) if porus_arc <= s[-1] else fine[-1]
    canal = unit(fine[-1] - fine[-8])
    stub = porus + canal * dim("iam_canal_stub")
    ctrl7 = np.vstack([ctrl7[:-1], porus, stub])
    tube7 = Tube(
        "cn7",
        "Facial nerve (CN VII)",
        "nerve",
        "cn7",
        r7,
        ctrl7,
        "nerves",
        "Motor root of the facial nerve: root exit point, attached segment, detachment point, cisternal portion.",
    )
    line7 = resample_polyline(catmull_rom(ctrl7, samples_per_span=40), step=0.02)
    s7 = arc_lengths(line7)
    rdp_arc = float(s7[np.argmin(np.linalg.norm(line7 - rdp, axis=1))])
    porus_arc = float(s7[np.argmin(np.linalg.norm(line7 - porus, axis=1))])
    pts7 = resample_polyline(line7, step=NERVE_SAMPLE_STEP_MM)
    arc7 = arc_lengths(pts7)
    tz = (rdp_arc, rdp_arc + dim("transition_zone_length"))
    facial = FacialNerve(tube7, pts7, arc7, rdp_arc, tz, porus_arc)

    # --- Petrous face: normal points back along the nerve into the CPA, tilted posteriorly.
    face_normal = unit(-canal * 0.7 + np.array([0.0, -0.5, 0.0]))

    # --- CN VIII: enters just lateral and dorsal to VII, runs dorsal/caudal to it into the IAM.
    # In the meatus VII lies anterosuperior, VIII posteroinferior (docs/clinical-reference.md section 1).
    up_ant = np.array([0.0, 0.6, 1.0])
    up_ant = unit(up_ant - np.dot(up_ant, canal) * canal)
    meatus = porus - up_ant * (dim("iam_width") / 2 - r7 - 0.25)
    petrous = PetrousBone(meatus, canal, face_normal, jugular_mm=np.array(JUGULAR_FORAMEN_MM))
    viii_entry = _on_surface([rexp[0] - dim("viii_lateral_to_rexp"), rexp[1] - 3.0, rexp[2] - 0.2], offset=0.3 * r8)
    viii_porus = porus - up_ant * (r7 + r8 + 0.4)
    viii_mid = 0.5 * (viii_entry + viii_porus) + np.array([0.0, -0.8, -0.6])
    ctrl8 = np.vstack(
        [
            viii_entry,
            _stand_off(np.vstack([viii_entry + (viii_mid - viii_entry) * 0.35, viii_mid]), r8 + 0.2, [brainstem_sdf]),
            viii_porus,
            viii_porus + canal * dim("iam_canal_stub"),
        ]
    )
    tube8 = Tube(
        "cn8",
        "Vestibulocochlear nerve (CN VIII)",
        "nerve",
        "cn8",
        r8,
        ctrl8,
        "nerves",
        "Dorsal to CN VII at the brainstem; contact here matters for hearing risk in surgery.",
    )

    # --- Arteries. Clearance from the pia keeps the default scene free of contacts.
    solids = [brainstem_sdf, petrous.block_sdf]
    r_va = dim("vertebral_diameter") / 2
    r_ba = dim("basilar_diameter") / 2
    vbj = _stand_off(np.array([[0.0, 8.5, -1.5]]), r_ba + 0.3, solids)[0]
    va_l = _stand_off(
        np.array(
            [[-11.0, 3.0, -30.0], [-8.5, 6.2, -21.0], [-5.0, 7.4, -11.0], [-2.2, 8.2, -4.5], vbj + [-0.6, 0, -0.3]]
        ),
        r_va + 0.4,
        solids,
    )
    va_l[-1] = vbj
    va_r = va_l * np.array([-1.0, 1.0, 1.0])
    ba_guess = np.array(
        [vbj, [0.0, 12.0, 3.0], [0.0, 15.0, 9.0], [0.0, 15.8, 15.0], [0.0, 15.0, 21.0], [0.0, 12.5, 27.5]]
    )
    ba = _stand_off(ba_guess, r_ba + 0.2, solids)
    ba[0] = vbj
    ba_tube = Tube(
        "basilar",
        "Basilar artery",
        "artery",
        "basilar",
        r_ba,
        ba,
        "arteries",
        "Formed by the two vertebral arteries at the vertebrobasilar junction near the pontomedullary sulcus.",
    )
    ba_line = ba_tube.centerline_mm
    ba_s = arc_lengths(ba_line)
    aica_origin = np.array([np.interp(dim("aica_origin_above_vbj"), ba_s, ba_line[:, k]) for k in range(3)])
    r_aica = dim("aica_diameter") / 2
    aica_ctrl = np.vstack(
        [
            aica_origin,
            [-5.0, 13.6, 5.8],
            [-10.5, 10.2, 1.2],
            [-17.0, 8.4, 1.8],
            [-23.0, 8.4, 4.3],
            [-27.0, 8.6, 6.3],  # meatal loop: ventral and caudal to VII/VIII, near the porus
            [-29.5, 6.2, 5.0],
            [-28.0, 3.0, 3.6],
            [-23.5, -0.5, 1.6],
            [-19.0, -5.5, -1.0],
            [-16.5, -10.0, -3.5],
        ]
    )
    aica_ctrl = _stand_off_path(aica_ctrl, r_aica + 0.3, solids, step=4.0)
    va_line = Tube("tmp", "", "artery", "", r_va, va_l, "", "").centerline_mm
    va_s = arc_lengths(va_line)
    pica_origin = np.array([np.interp(va_s[-1] - dim("pica_origin_below_vbj"), va_s, va_line[:, k]) for k in range(3)])
    r_pica = dim("pica_diameter") / 2
    pica_ctrl = np.vstack(
        [
            pica_origin,
            [-9.5, 6.5, -15.5],
            [-12.5, 2.0, -21.5],
            [-12.0, -2.5, -27.5],  # caudal loop
            [-11.0, -7.0, -24.0],
            [-9.5, -9.5, -17.0],
            [-7.5, -11.0, -11.0],
        ]
    )
    pica_ctrl = _stand_off_path(pica_ctrl, r_pica + 0.3, solids, step=4.0)
    r_sca = dim("sca_diameter") / 2
    sca_ctrl = np.vstack([ba[-1], [-6.0, 12.0, 28.5], [-12.0, 7.0, 28.0], [-17.0, 0.5, 27.0], [-19.0, -6.0, 25.5]])
    sca_ctrl = _stand_off_path(sca_ctrl, r_sca + 0.3, solids, step=4.0)
    r_vein = dim("vein_diameter") / 2
    vein_ctrl = np.vstack(
        [
            [-5.0, 7.0, -0.5],
            [-9.5, 3.0, -0.8],
            [-13.0, -3.8, -2.2],
            [-17.0, -7.0, -5.5],
            [-21.0, -7.5, -4.8],
            [-24.5, -5.5, -0.5],
            [-26.5, -3.0, 5.0],
            [-27.0, -1.5, 12.0],
        ]
    )
    vein_ctrl = _stand_off_path(vein_ctrl, r_vein + 0.3, solids, step=3.0, keep_first=False)

    tubes = {}

    def add(t: Tube):
        tubes[t.id] = t

    add(tube7)
    add(tube8)
    add(
        Tube(
            "va_left",
            "Left vertebral artery",
            "artery",
            "vertebral",
            r_va,
            va_l,
            "arteries",
            "V4 segment; joins its partner at the vertebrobasilar junction. A tortuous VA can push AICA/PICA onto CN VII (tandem).",
        )
    )
    add(
        Tube(
            "va_right",
            "Right vertebral artery",
            "artery",
            "vertebral",
            r_va,
            va_r,
            "arteries",
            "Contralateral V4 segment, shown for the vertebrobasilar junction.",
        )
    )
    add(ba_tube)
    add(
        Tube(
            "aica",
            "Left AICA",
            "artery",
            "aica",
            r_aica,
            aica_ctrl,
            "arteries",
            "Anterior inferior cerebellar artery with its meatal loop: the commonest offender in HFS (43 %, Campos-Benitez 2008).",
        )
    )
    add(
        Tube(
            "pica",
            "Left PICA",
            "artery",
            "pica",
            r_pica,
            pica_ctrl,
            "arteries",
            "Posterior inferior cerebellar artery from the VA with its caudal loop; offender in 31 % (Campos-Benitez 2008).",
        )
    )
    add(
        Tube(
            "sca",
            "Left SCA",
            "artery",
            "sca",
            r_sca,
            sca_ctrl,
            "context",
            "Superior cerebellar artery (context: trigeminal, not facial, neighbour).",
            visible=True,
        )
    )
    add(
        Tube(
            "vein_pms",
            "Vein of the pontomedullary sulcus",
            "vein",
            "vein",
            r_vein,
            vein_ctrl,
            "veins",
            "Runs along the pontomedullary sulcus below VII/VIII towards the petrosal veins (Rhoton). Venous HFS is rare (0.3-0.9 %).",
        )
    )

    # --- Context nerves (hidden by default): V, VI, IX, X, XI.
    r5 = dim("trigeminal_root_diameter") / 2
    v_root = _on_surface([-15.5, 1.0, 17.0], offset=0.4 * r5)
    add(
        Tube(
            "cn5",
            "Trigeminal nerve (CN V)",
            "nerve",
            "cn5",
            r5,
            np.vstack(
                [
                    v_root,
                    _stand_off(
                        np.array([[-20.0, 6.0, 19.0], [-24.0, 11.0, 20.5], [-26.0, 15.0, 21.0]]), r5 + 0.2, solids
                    ),
                ]
            ),
            "context",
            "Sensory root from the midlateral pons to Meckel's cave.",
            visible=False,
        )
    )
    r6 = dim("abducens_diameter") / 2
    vi_root = _on_surface([-3.2, 6.0, 0.8], offset=0.3 * r6)
    add(
        Tube(
            "cn6",
            "Abducens nerve (CN VI)",
            "nerve",
            "cn6",
            r6,
            np.vstack(
                [
                    vi_root,
                    _stand_off(
                        np.array([[-3.8, 12.0, 6.0], [-4.2, 14.6, 14.0], [-5.0, 15.5, 24.0], [-6.0, 15.0, 30.0]]),
                        r6 + 0.3,
                        solids,
                    ),
                ]
            ),
            "context",
            "Exits at the pontomedullary sulcus above the pyramid and climbs the clivus.",
            visible=False,
        )
    )
    rl = dim("lower_cranial_nerve_diameter") / 2
    jugular = np.array(JUGULAR_FORAMEN_MM)
    ix_root = _on_surface([rexp[0] + 0.8, -1.0, rexp[2] - 2.5], offset=0.3 * rl)
    x_root = _on_surface([rexp[0] + 1.3, -1.5, rexp[2] - 6.5], offset=0.3 * rl)
    xi_root = _on_surface([-9.0, -5.0, -20.0], offset=0.3 * rl)
    add(
        Tube(
            "cn9",
            "Glossopharyngeal nerve (CN IX)",
            "nerve",
            "cn9",
            rl * 0.8,
            np.vstack([ix_root, [-18.0, 0.0, -2.0], jugular + [0.0, 0.5, 1.0]]),
            "context",
            "Highest rootlets 2-3 mm caudal to VII in the postolivary sulcus; to the jugular foramen.",
            visible=False,
        )
    )
    add(
        Tube(
            "cn10",
            "Vagus nerve (CN X)",
            "nerve",
            "cn10",
            rl,
            np.vstack([x_root, [-18.0, -1.5, -5.5], jugular]),
            "context",
            "Rootlets below IX in the postolivary sulcus; to the jugular foramen.",
            visible=False,
        )
    )
    add(
        Tube(
            "cn11",
            "Accessory nerve (CN XI)",
            "nerve",
            "cn11",
            rl * 0.8,
            np.vstack(
                [
                    xi_root,
                    _stand_off(np.array([[-15.5, -4.0, -15.0], [-22.0, -1.5, -10.5]]), rl + 0.3, solids),
                    jugular + [0.0, -0.8, -1.0],
                ]
            ),
            "context",
            "Ascends from the cervical cord to join IX/X at the jugular foramen.",
            visible=False,
        )
    )

    # --- Landmarks and the intra-pontine facial pathway (around the abducens nucleus: internal genu).
    nucleus = np.array([-5.0, -3.5, 5.0])
    genu = np.array([-2.5, -7.5, 9.0])
    pathway_ctrl = np.vstack(
        [nucleus, [-3.5, -7.0, 6.5], genu, [-4.5, -6.0, 10.0], [-8.0, -2.5, 7.5], [-10.0, 0.0, 5.0], rexp]
    )
    pathway = resample_polyline(catmull_rom(pathway_ctrl), step=0.5)
    # Intra-pontine part only: stop 1 mm inside the pia, so a lesion in the cistern at
    # the root exit zone is not mistaken for an intra-axial (brainstem) lesion.
    pathway = pathway[brainstem_sdf(pathway) < -1.0]
    landmarks = {
        "root_exit_point": facial.points_mm[0],
        "root_detachment_point": facial.point_at(rdp_arc),
        "transition_zone": facial.point_at(0.5 * (tz[0] + tz[1])),
        "internal_acoustic_meatus": meatus,
        "facial_motor_nucleus": nucleus,
        "facial_internal_genu": genu,
        "vertebrobasilar_junction": vbj,
        "aica_origin": aica_origin,
        "pica_origin": pica_origin,
        "viii_root_entry": viii_entry,
    }
    surgical = _build_corridor(tubes, facial, petrous, landmarks)
    return Anatomy(tubes, facial, petrous, landmarks, pathway, surgical=surgical)


# --------------------------------------------------------------------------- the retrosigmoid corridor

CRANIOTOMY_DEPTH_MM = 42.0  # keyhole centre to the root exit zone along the corridor (project default)


def _build_corridor(tubes: dict, facial: FacialNerve, petrous: PetrousBone, landmarks: dict) -> SurgicalAnatomy:
    """Cerebellar hemisphere, flocculus, choroid plexus, sinuses and craniotomy (left side).

    Appends the sinuses and the choroid plexus to `tubes` and their landmarks to `landmarks`.
    Placement follows the infrafloccular route (docs/clinical-reference.md section 11): the
    flocculus sits on the MCP's posterior border behind VII/VIII, the choroid plexus bulges from
    the foramen of Luschka below it and behind IX, the hemisphere's petrosal surface faces the
    petrous face across the cistern, and the keyhole lies behind the sigmoid sinus and below
    the transverse sinus.
    """
    from .surgical_anatomy import flocculus_radii, hemisphere_radii

    n_face = petrous.face_normal
    rexp = landmarks["root_exit_point"]
    as_end = facial.point_at(facial.segment_boundaries()["AS"][1])
    rez_mid = 0.5 * (rexp + as_end)
    t8 = tubes["cn8"].centerline_mm
    # Flocculus: behind CN VIII's root, long axis along the nerve, just touching the MCP.
    v8 = unit(t8[len(t8) // 3] - t8[0])
    fr = flocculus_radii()
    back = unit(np.cross(v8, [0.0, 0.0, 1.0]))
    if back[1] > 0:
        back = -back
    f_axes = np.vstack([v8, back, np.cross(v8, back)])
    f_centre = t8[len(t8) // 4] + back * (tubes["cn8"].radius_mm + fr[1] + 0.6) + np.array(FLOCCULUS_SHIFT_MM)
    # Hemisphere: centred behind the CPA; its petrosal surface a plane parallel to the petrous
    # face through the back of the flocculus.
    h_centre = np.array(HEMISPHERE_CENTRE_MM)
    petrosal_normal = unit(-n_face)
    petrosal_point = f_centre - petrosal_normal * (PETROSAL_BEHIND_FLOCCULUS_MM)
    # Keyhole: out from the REZ along the corridor direction.
    out = unit(np.array(CORRIDOR_DIRECTION))
    k_centre = rez_mid + out * CRANIOTOMY_DEPTH_MM
    k_radius = float(np.sqrt(dim("craniotomy_area") * 100.0 / np.pi))
    surgical = SurgicalAnatomy(
        hemisphere_centre=h_centre,
        hemisphere_radii=hemisphere_radii(),
        petrosal_point=petrosal_point,
        petrosal_normal=petrosal_normal,
        flocculus_centre=f_centre,
        flocculus_axes=f_axes,
        flocculus_radii=fr,
        craniotomy_centre=k_centre,
        craniotomy_normal=out,
        craniotomy_radius_mm=k_radius,
        retraction_origin=f_centre,
        retraction_direction=unit(n_face * 0.0 + np.array(RETRACTION_DIRECTION)),
        retraction_falloff_mm=dim("retraction_falloff"),
        brainstem_sdf=brainstem_sdf,
    )
    cere = [surgical.cerebellum_sdf, surgical.flocculus_sdf]
    # Choroid plexus: from the foramen of Luschka (lateral recess, behind IX's root) into the cistern.
    r_cp = dim("choroid_plexus_width") / 2
    luschka = _on_surface(np.array(LUSCHKA_GUESS_MM), offset=-0.5)
    cp_ctrl = np.vstack([luschka, luschka + np.array(CHOROID_COURSE_MM)[0], luschka + np.array(CHOROID_COURSE_MM)[1]])
    near = [_tube_sdf(tubes[k]) for k in ("aica", "pica", "vein_pms", "cn8", "cn9", "cn10")]
    for _ in range(3):  # pushing off one neighbour can push onto another
        cp_ctrl[1:] = _stand_off(cp_ctrl[1:], r_cp + 0.2, cere + [brainstem_sdf, petrous.sdf] + near)
    tubes["choroid_plexus"] = Tube(
        "choroid_plexus",
        "Choroid plexus (foramen of Luschka)",
        "choroid",
        "choroid",
        r_cp,
        cp_ctrl,
        "context",
        "Bochdalek's flower basket: bulges from the foramen of Luschka between the flocculus and the root of CN IX.",
        visible=False,
    )
    # Sinuses: the transverse sinus runs above the keyhole to the transverse-sigmoid junction,
    # the sigmoid sinus in front of it down to the jugular foramen (pars vascularis).
    r_ts = dim("transverse_sinus_diameter") / 2
    r_ss = dim("sigmoid_sinus_diameter") / 2
    a_up = unit(np.cross(np.cross(out, [0.0, 0.0, 1.0]), out))  # up in the craniotomy plane
    a_fwd = unit(np.cross(a_up, out))  # anterior in the craniotomy plane
    if a_fwd[1] < 0:
        a_fwd = -a_fwd
    gap = k_radius + 2.0
    junction = k_centre + a_up * (gap + r_ts) + a_fwd * (gap + r_ss)
    ts_ctrl = np.vstack(
        [
            junction + a_fwd * 2.0,
            junction - a_fwd * (gap + 10.0),
            junction - a_fwd * (gap + 28.0) + out * -4.0,
            junction - a_fwd * (gap + 44.0) + out * -12.0,
        ]
    )
    jv = petrous.jugular_mm + face_frame_u(n_face) * 4.0 - n_face * 1.0
    ss_ctrl = np.vstack(
        [junction, junction - a_up * (gap + 6.0), 0.5 * (junction - a_up * (gap + 6.0) + jv) + out * 2.0, jv]
    )
    # dense stand-offs keep the splines themselves (not only their handles) on the surfaces
    ss_ctrl = _stand_off_path(ss_ctrl[:-1], r_ss + 0.2, cere + [petrous.sdf], step=6.0)
    ss_ctrl = np.vstack([ss_ctrl, jv])
    ts_ctrl = _stand_off_path(ts_ctrl[::-1], r_ts + 0.2, cere, step=6.0, keep_first=False)[::-1]
    ts_ctrl[0] = junction
    tubes["transverse_sinus"] = Tube(
        "transverse_sinus",
        "Left transverse sinus",
        "sinus",
        "sinus",
        r_ts,
        ts_ctrl,
        "context",
        "Dural venous sinus along the tentorium's attachment; the craniotomy's upper limit.",
        visible=False,
    )
    tubes["sigmoid_sinus"] = Tube(
        "sigmoid_sinus",
        "Left sigmoid sinus",
        "sinus",
        "sinus",
        r_ss,
        ss_ctrl,
        "context",
        "Continues the transverse sinus down to the jugular foramen; the retrosigmoid craniotomy lies behind it.",
        visible=False,
    )
    landmarks["flocculus"] = f_centre
    landmarks["foramen_of_luschka"] = luschka
    landmarks["craniotomy_centre"] = k_centre
    landmarks["transverse_sigmoid_junction"] = junction
    landmarks["jugular_foramen"] = np.asarray(petrous.jugular_mm, float)
    return surgical


def _tube_sdf(t: Tube):
    """Signed distance to a tube's surface (capsules along its centreline)."""
    c = t.centerline_mm
    a, b = c[:-1], c[1:]

    def f(p):
        p = np.atleast_2d(np.asarray(p, float))
        ba = b - a
        pa = p[:, None, :] - a[None]
        h = np.clip(np.einsum("nsk,sk->ns", pa, ba) / np.maximum(np.einsum("sk,sk->s", ba, ba), 1e-12), 0.0, 1.0)
        return np.linalg.norm(pa - h[..., None] * ba[None], axis=-1).min(axis=1) - t.radius_mm

    return f


def face_frame_u(face_normal) -> np.ndarray:
    """The horizontal direction along the petrous face, pointing laterally and back (to the sigmoid groove)."""
    return unit(np.cross(unit(face_normal), [0.0, 0.0, 1.0]))


FLOCCULUS_SHIFT_MM = (-0.5, -0.8, 0.0)
HEMISPHERE_CENTRE_MM = (-27.0, -30.0, -6.0)
PETROSAL_BEHIND_FLOCCULUS_MM = 4.0
CORRIDOR_DIRECTION = (-0.75, -0.62, -0.15)  # from the REZ out to the keyhole: posterolateral, a little caudal
RETRACTION_DIRECTION = (0.45, -0.85, 0.25)  # posteromedial and a little up: away from the petrous face
LUSCHKA_GUESS_MM = (-13.0, -5.5, 0.5)
CHOROID_COURSE_MM = ((-2.5, 1.0, 0.0), (-5.0, 2.0, 0.0))
