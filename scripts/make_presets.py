"""Generate the shipped teaching presets, viewer/presets/<name>.json, from the anatomy model.

Every compressing vessel is placed from the model's own CN VII: a contact is
"press the nerve at arc length s, from direction n, to penetration d", and the
vessel's course is the default vessel's with a loop that reaches that spot
(handles in between are pushed clear of the brainstem and the petrous bone, as
the GUI's pia clamp does). The depth is then tuned against `viewer.analysis`
until the measured penetration equals the target, so the files are
reproducible and their severity is the intended one by construction; the
expected classification in each file is written by hand from the literature and
checked by tests/unit/test_presets.py (never copied from the analyser).

    python scripts/make_presets.py            # (re)write viewer/presets/*.json
    python scripts/make_presets.py --check    # exit 1 if a shipped file differs
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from viewer import decompression, sdf  # noqa: E402
from viewer.analysis import analyze  # noqa: E402
from viewer.anatomy import brainstem_sdf, build_anatomy  # noqa: E402
from viewer.scenario import (  # noqa: E402
    History,
    Lesion,
    Pad,
    Scenario,
    ScenarioError,
    Sling,
    Teaching,
    Vessel,
    default_scenario,
    dumps_scenario,
    mirror_scenario,
    parse_scenario,
)

PRESET_DIR = ROOT / "viewer" / "presets"
A = build_anatomy()
FN = A.facial_nerve
R7 = FN.radius_mm
D7 = 2 * R7
DEFAULT = default_scenario()
# A free handle closer to the pia or the bone than MIN_CLEARANCE_MM (beyond the vessel radius)
# is pushed out to CLEARANCE_MM, so that the spline between handles stays clear too.
MIN_CLEARANCE_MM = 0.2
CLEARANCE_MM = 1.0

# Target penetration of the vessel into the undeformed nerve (D = 1.5 mm): the middle of
# each severity band of viewer.analysis.Thresholds (mild <= 0.1 D, moderate <= 0.5 D).
MILD = 0.05
MODERATE = 0.45
SEVERE = 0.9


# --------------------------------------------------------------------------- geometry


def nerve_frame(arc: float):
    """Point, tangent, outward normal (off the pia, perpendicular to the nerve) and the
    in-surface normal pointing anteriorly, at arc length `arc` of CN VII."""
    p = FN.point_at(arc)
    t = FN.point_at(arc + 0.1) - FN.point_at(arc - 0.1)
    t /= np.linalg.norm(t)
    g = sdf.gradient(brainstem_sdf, p[None])[0]
    out = g - (g @ t) * t
    out /= np.linalg.norm(out)
    ant = np.array([0.0, 1.0, 0.0])
    ant = ant - (ant @ t) * t - (ant @ out) * out
    ant /= np.linalg.norm(ant)
    return p, t, out, ant


def solid_sdf(p: np.ndarray) -> np.ndarray:
    """Distance to the nearest solid (brainstem or petrous bone)."""
    return np.minimum(brainstem_sdf(p), A.petrous.sdf(p))


@dataclass(frozen=True)
class Press:
    """A handle triple that presses CN VII at `arc` from direction `tilt` (degrees around the
    nerve from the outward normal towards anterior; 90 = from in front, -90 = from behind)."""

    arc: float
    depth: float
    tilt: float = 0.0
    half_length: float = 2.5
    lift: float = 0.0  # rotate the press direction towards rostral (+) / caudal (-), degrees
    cross: float | None = 60.0  # angle between vessel and nerve, degrees (None: from the neighbours)
    bend: float = 0.0  # the outer handles of the triple stand this much further off the nerve (a loop apex)

    def centre(self, radius: float, depth: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Vessel centre at the contact, the press direction n and the nerve tangent."""
        p, t, out, ant = nerve_frame(self.arc)
        a = np.radians(self.tilt)
        n = np.cos(a) * out + np.sin(a) * ant
        if self.lift:
            up = np.cross(t, n)
            up *= np.sign(up[2]) or 1.0
            b = np.radians(self.lift)
            n = np.cos(b) * n + np.sin(b) * up
        d = self.depth if depth is None else depth
        return p + (R7 + radius - d) * n, n, t

    def direction(self, n: np.ndarray, t: np.ndarray, hint: np.ndarray) -> np.ndarray:
        """Vessel direction at the contact: perpendicular to n, `cross` degrees off the nerve,
        on the side that best follows `hint` (from the previous to the next handle)."""
        hint = hint - (hint @ n) * n
        if self.cross is None:
            return hint / np.linalg.norm(hint)
        w = np.cross(n, t)
        w /= np.linalg.norm(w)
        a = np.radians(self.cross)
        cands = [sa * np.cos(a) * t + sb * np.sin(a) * w for sa in (1, -1) for sb in (1, -1)]
        return max(cands, key=lambda b: float(b @ hint))


def route(radius: float, items, depths: dict[int, float] | None = None, fixed_first: bool = True) -> np.ndarray:
    """Handles from a list of points and Press items (each becomes three handles).

    Plain points are pushed clear of the brainstem and bone; press triples are kept
    (their centre is where the contact is meant to be)."""
    depths = depths or {}
    pts: list[np.ndarray] = []
    free: list[bool] = []
    for i, it in enumerate(items):
        if isinstance(it, Press):
            c, n, t = it.centre(radius, depths.get(i))
            b = it.direction(n, t, np.asarray(items[i + 1], float) - np.asarray(items[i - 1], float))
            L = it.half_length
            pts += [c - L * b + it.bend * n, c, c + L * b + it.bend * n]
            free += [False, False, False]
        else:
            pts.append(np.asarray(it, float))
            free.append(not (fixed_first and i == 0))
    h = np.array(pts)
    m = np.array(free)
    for _ in range(3):
        d = solid_sdf(h[m])
        near = d < radius + MIN_CLEARANCE_MM
        if not near.any():
            break
        idx = np.flatnonzero(m)[near]
        for f in (brainstem_sdf, A.petrous.sdf):
            dd = f(h[idx])
            bad = dd < radius + MIN_CLEARANCE_MM
            if bad.any():
                h[idx[bad]] = sdf.project_to_surface(f, h[idx[bad]], offset=radius + CLEARANCE_MM)
    return np.round(h, 3)


def vessel(base_id: str, handles, radius: float | None = None, label: str | None = None, **kw) -> Vessel:
    v = DEFAULT.vessel(base_id)
    return replace(
        v, centerline_mm=handles, radius_mm=v.radius_mm if radius is None else radius, label=label or v.label, **kw
    )


def tuned(base_id: str, items, radius: float | None = None, **kw) -> Vessel:
    """The vessel through `items`, with every Press depth tuned against the analysis."""
    r = DEFAULT.vessel(base_id).radius_mm if radius is None else radius
    presses = {i: it for i, it in enumerate(items) if isinstance(it, Press)}
    depths = {i: it.depth for i, it in presses.items()}
    for _ in range(6):
        v = vessel(base_id, route(r, items, depths), radius=r, **kw)
        cs = [c for c in analyze(Scenario("t", (v,))).contacts if c.structure == "CN VII"]
        worst = 0.0
        for i, it in presses.items():
            near = [c for c in cs if c.arc_range_mm[0] - 0.5 <= it.arc <= c.arc_range_mm[1] + 0.5]
            if not near:
                raise RuntimeError(f"{base_id}: no contact near arc {it.arc} (contacts {[c.arc_mm for c in cs]})")
            got = max(c.penetration_mm for c in near)
            err = it.depth - got
            depths[i] += err
            worst = max(worst, abs(err))
        if worst < 0.005:
            break
    return vessel(base_id, route(r, items, depths), radius=r, **kw)


def clear_of_lesion(v: Vessel, lesion: Lesion, margin: float = 0.6) -> Vessel:
    """Push the vessel's handles out of a space-occupying lesion (a mass displaces vessels)."""
    c = np.asarray(lesion.center_mm, float)
    r = np.asarray(lesion.radii_mm, float)
    f = lambda p: sdf.ellipsoid(p, c, r)  # noqa: E731
    h = v.handles_mm
    inside = f(h) < v.radius_mm + margin
    inside[0] = False  # the origin stays on its parent
    if inside.any():
        h[inside] = sdf.project_to_surface(f, h[inside], offset=v.radius_mm + margin)
    return replace(v, centerline_mm=np.round(h, 3))


# --------------------------------------------------------------------------- vessels

AICA = DEFAULT.vessel("aica").handles_mm
PICA = DEFAULT.vessel("pica").handles_mm
VA = DEFAULT.vessel("va_left").handles_mm
# PICA after a cranial loop: back down behind the medulla towards the tonsil.
PICA_TAIL = [[-14.5, -5.5, -14.0], [-12.0, -8.0, -19.5], [-9.5, -10.5, -22.0], [-7.0, -12.0, -20.0]]


def aica_attached(depth: float, arc: float = 4.0) -> Vessel:
    """AICA loop rising from in front and below onto the attached segment, then on to its meatal loop."""
    return tuned(
        "aica",
        [
            *AICA[:3],
            [-9.5, 10.0, 1.0],
            [-12.0, 5.5, 0.5],
            Press(arc, depth, tilt=40, cross=None, bend=1.2, half_length=2.0),
            *AICA[6:],
        ],
    )


def aica_loop(depth: float, arc: float, tilt: float, exit_: list) -> Vessel:
    """AICA loop pressing the attached segment or root detachment point from in front and below."""
    return tuned(
        "aica",
        [
            *AICA[:4],
            [-13.5, 6.0, 1.0],
            Press(arc, depth, tilt=tilt, cross=30, bend=1.6, half_length=2.5),
            *exit_,
            *AICA[9:],
        ],
    )


def aica_meatal(depth: float) -> Vessel:
    """The AICA's meatal loop lifted onto the distal cisternal portion, in front of and below the nerve."""
    return tuned(
        "aica",
        [*AICA[:7], Press(16.5, depth, tilt=-30, cross=None, bend=1.6, half_length=2.5), [-28.5, 4.0, 5.0], *AICA[11:]],
    )


def aica_double() -> Vessel:
    """One AICA touching the attached segment and, with its meatal loop, the cisternal portion."""
    return tuned(
        "aica",
        [
            *AICA[:3],
            [-9.03, 9.32, 2.25],
            [-12.6, 4.66, 0.62],
            Press(4.0, MODERATE, tilt=40.45, cross=None, bend=0.82, half_length=1.75),
            [-19.57, 5.98, 3.59],
            [-20.41, 7.24, 4.82],
            Press(16.5, MODERATE, tilt=-30.26, cross=None, bend=1.64, half_length=2.61),
            [-27.75, 5.02, 4.07],
            *AICA[11:],
        ],
    )


def aica_with_tandem(depth: float) -> Vessel:
    """AICA on the attached segment, routed above a tortuous vertebral artery."""
    return tuned(
        "aica",
        [
            *AICA[:2],
            [-6.66, 11.8, 6.18],
            [-12.63, 7.66, 4.81],
            Press(5.0, depth, tilt=34.46, cross=None, bend=0.74, half_length=1.49),
            [-20.55, 5.08, 5.43],
            [-23.02, 6.72, 4.19],
            *AICA[9:],
        ],
    )


def pica_rexp(depth: float) -> Vessel:
    """A cranial loop of PICA rising from the vertebral artery onto the root exit point."""
    return tuned(
        "pica",
        [
            PICA[0],
            [-9.5, 7.5, -11.0],
            [-12.5, 5.5, -6.0],
            [-13.0, 4.0, -2.0],
            Press(0.8, depth, tilt=30, cross=None, bend=1.6, half_length=2.5),
            [-17.0, 4.0, 1.0],
            [-17.5, 2.0, -3.5],
            [-16.0, -2.0, -8.0],
            *PICA_TAIL,
        ],
    )


def tortuous_va_and_pica() -> tuple[Vessel, Vessel]:
    """A tortuous left VA loops up into the CPA and pushes PICA (its branch) onto the root exit point.

    PICA is placed first; the VA then crosses it on the far side from the nerve,
    overlapping it by 0.2 mm (contact), perpendicular to it, bending away from it."""
    press = Press(0.8, MODERATE, tilt=35.69, cross=None, bend=0.68, half_length=2.46)
    r_pica, r_va = DEFAULT.vessel("pica").radius_mm, DEFAULT.vessel("va_left").radius_mm
    guess = np.array([-12.2, 5.0, -19.0])  # PICA origin: ~19 mm below the pontomedullary sulcus
    origin = guess
    for _ in range(2):  # PICA's origin must lie on the VA, whose loop depends on PICA's apex
        pica = tuned(
            "pica",
            [
                origin,
                [-10.26, 7.53, -15.61],
                [-7.23, 4.72, -6.64],
                press,
                [-16.28, -1.11, -4.57],
                [-16.29, -1.44, -7.64],
                [-13.5, -5.5, -12.0],
                *PICA_TAIL[1:],
            ],
        )
        c_pica = pica.handles_mm[4]
        _, n, _ = press.centre(r_pica)
        c_va = c_pica + (r_pica + r_va - 0.2) * n
        e1 = np.cross(n, [0.0, 0.0, 1.0])
        e1 /= np.linalg.norm(e1)
        e2 = np.cross(n, e1)
        a = np.radians(331.86)
        b = np.cos(a) * e1 + np.sin(a) * e2
        away = (0.68 + 0.6) * n
        va = vessel(
            "va_left",
            np.round(
                np.vstack(
                    [
                        VA[0],
                        [-12.0, 5.0, -21.0],
                        [-12.26, 6.4, -8.49],
                        [-15.36, 5.14, -5.03],
                        c_va - 2.28 * b + away,
                        c_va,
                        c_va + 2.28 * b + away,
                        [-6.61, 8.86, -0.09],
                        [-3.5, 8.8, -1.0],
                        VA[-1],
                    ]
                ),
                3,
            ),
        )
        course = va.course_mm
        origin = course[np.argmin(np.linalg.norm(course - guess, axis=1))]
    return va, pica


def transverse_pontine_vein() -> Vessel:
    """A transverse pontine vein crossing the attached segment towards the petrosal vein."""
    v = tuned(
        "vein_pms",
        [
            [-4.52, 13.83, 5.13],
            [-9.04, 9.2, 7.2],
            [-15.17, 6.28, 4.0],
            Press(4.5, 0.3, tilt=31.69, cross=74.78, bend=0.56, half_length=1.22),
            [-19.85, -1.44, 9.29],
            [-23.07, -4.94, 11.7],
            [-23.25, -4.01, 15.4],
        ],
        radius=0.6,
    )
    return replace(v, id="vein_tpv", label="Transverse pontine vein")


# --------------------------------------------------------------------------- lesions


def schwannoma() -> Lesion:
    """A ~13 mm vestibular schwannoma at the porus around CN VIII, displacing CN VII's cisternal portion."""
    t8 = A.tubes["cn8"].centerline_mm
    s8 = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(t8, axis=0), axis=1))])
    on8 = np.array([np.interp(15.0, s8, t8[:, k]) for k in range(3)])  # CN VIII 15 mm from the brainstem
    return Lesion(
        "schwannoma", "tumor", tuple(np.round(on8 + [0.0, -1.5, -1.5], 3)), (6.5, 5.5, 5.5), "Vestibular schwannoma"
    )


def meningioma() -> Lesion:
    """A broad-based meningioma on the dura of the petrous face just behind (posterolateral to) the porus:
    flattened against the bone, its centre on the face, so half of it lies on the dura; it presses CN VII's
    cisternal portion near the porus (the schwannoma instead fills the porus around CN VIII).

    Lesions are axis-aligned ellipsoids: the short axis is x, the one nearest the face normal's
    medial component."""
    pb = A.petrous
    u = np.cross(pb.face_normal, [0.0, 0.0, 1.0])
    u /= np.linalg.norm(u)  # along the face, posterolateral
    w = np.cross(pb.face_normal, u)  # along the face, up
    return Lesion(
        "meningioma",
        "tumor",
        tuple(np.round(pb.porus_mm + 5.0 * u - 2.0 * w, 3)),
        (3.0, 5.0, 6.5),
        "Petrous meningioma",
    )


def avm_nidus() -> Lesion:
    """A 6-7 mm AVM nidus beside the cisternal portion just beyond the detachment point."""
    p, _, out, _ = nerve_frame(11.0)
    radii = (3.5, 3.0, 3.0)
    return Lesion("avm", "avm", tuple(np.round(p + (R7 + 3.0 - 0.4) * out, 3)), radii, "AVM nidus")


def aica_feeding(nidus: Lesion) -> Vessel:
    """The AICA detoured on its way to the meatal loop so that it runs into the nidus from below (a feeder)."""
    c = np.asarray(nidus.center_mm)
    d = np.array([-0.03, 0.43, -0.62])
    touch = c + (min(nidus.radii_mm) + DEFAULT.vessel("aica").radius_mm - 0.4) * d / np.linalg.norm(d)
    return vessel(
        "aica", np.round(np.vstack([AICA[:5], [-14.72, 8.18, 1.36], touch, [-22.3, 7.17, 6.35], AICA[8:]]), 3)
    )


def aica_below_tumour() -> Vessel:
    """The AICA displaced below a CPA tumour: no meatal loop, straight back to the cerebellum."""
    return vessel(
        "aica",
        np.round(
            np.vstack([AICA[:6], [-19.82, 8.22, 0.4], [-22.53, 5.46, -2.23], [-22.31, -1.48, -2.9], AICA[14:]]), 3
        ),
    )


def pica_aneurysm(arc: float = 2.0, tilt: float = 30.0, sac: float = 2.5) -> tuple[Vessel, Lesion]:
    """A saccular aneurysm pressing the attached segment, on a PICA loop that itself stays clear of the nerve.

    The sac overlaps its parent artery by ~0.6 mm (the neck)."""
    r = DEFAULT.vessel("pica").radius_mm
    p, _, out, ant = nerve_frame(arc)
    a = np.radians(tilt)
    n = np.cos(a) * out + np.sin(a) * ant
    centre = p + (R7 + sac - MODERATE) * n
    side = n + 0.27 * ant + 0.02 * np.cross(n, ant)  # parent artery beyond the sac, slightly anterior
    parent = centre + (sac + r - 0.65) * side / np.linalg.norm(side)
    items = [
        PICA[0],
        [-9.87, 7.75, -10.37],
        [-11.73, 5.41, -7.05],
        [-14.57, 5.73, -0.85],
        parent,
        [-18.77, 3.3, 0.77],
        [-19.17, 2.27, -4.2],
        [-17.33, -1.11, -8.68],
        *PICA_TAIL,
    ]
    pica = vessel("pica", route(r, items))
    return pica, Lesion("aneurysm", "aneurysm", tuple(np.round(centre, 3)), (sac, sac, sac), "PICA aneurysm")


def ms_plaque() -> Lesion:
    """A small demyelinating plaque in the pontine tegmentum between the facial nucleus and the genu."""
    nucleus = A.landmarks["facial_motor_nucleus"]
    genu = A.landmarks["facial_internal_genu"]
    return Lesion(
        "ms_plaque", "brainstem_lesion", tuple(np.round(0.6 * nucleus + 0.4 * genu, 3)), (2.0, 2.5, 3.0), "MS plaque"
    )


# --------------------------------------------------------------------------- the presets


@dataclass(frozen=True)
class Spec:
    name: str
    build: object  # () -> Scenario (without the teaching block)
    teaching: Teaching


def _with(*vessels: Vessel, lesions=(), bells: bool = False, **history: bool) -> Scenario:
    s = DEFAULT
    for v in vessels:
        s = s.with_vessel(v)
    return replace(s, lesions=tuple(lesions), history=History(bells, **history), description=None)


def _tandem() -> Scenario:
    return _with(*tortuous_va_and_pica())


def _multivessel() -> Scenario:
    va, pica = tortuous_va_and_pica()
    return _with(va, pica, aica_with_tandem(MODERATE + 0.1))


def _schwannoma() -> Scenario:
    les = schwannoma()
    return _with(aica_below_tumour(), clear_of_lesion(DEFAULT.vessel("vein_pms"), les), lesions=[les])


def _meningioma() -> Scenario:
    les = meningioma()
    return _with(aica_below_tumour(), clear_of_lesion(DEFAULT.vessel("vein_pms"), les), lesions=[les])


def _avm() -> Scenario:
    les = avm_nidus()
    return _with(aica_feeding(les), lesions=[les])


def _aneurysm() -> Scenario:
    pica, sac = pica_aneurysm()
    return _with(pica, lesions=[sac])


# --------------------------------------------------------------------------- MVD rehearsal (pads, slings)
# The pads and slings are placed as Scenario > Insert Teflon pad / Transpose vessel place them
# (viewer.decompression.pad_at_contact, sling_to_dura): a flat felt pad, 1 mm thick, between the vessel
# and the nerve; a sling to the nearest petrous dura.


def pad_at_contact(s: Scenario, vessel_id: str, pad_id: str, gap: float) -> Pad:
    return decompression.pad_at_contact(s, A, vessel_id, gap_mm=gap, pad_id=pad_id)


def sling_to_petrous_dura(s: Scenario, vessel_id: str, at_mm: float, sling_id: str = "sling") -> Sling:
    return decompression.sling_to_dura(s, A, vessel_id, at_mm, sling_id)


def _aica_pad() -> Scenario:
    s = _with(aica_attached(MODERATE))
    return s.with_pad(pad_at_contact(s, "aica", "pad", gap=0.3))


def _pica_pad() -> Scenario:
    s = _with(pica_rexp(MODERATE))
    return s.with_pad(pad_at_contact(s, "pica", "pad", gap=0.3))


def _vertebral_sling() -> Scenario:
    s = _tandem()
    s = s.with_pad(pad_at_contact(s, "pica", "pad", gap=0.3))
    return s.with_sling(sling_to_petrous_dura(s, "va_left", VA_SLING_AT_MM))


VA_SLING_AT_MM = 25.0  # where the vertebral artery's loop turns up towards the PICA it pushes


def _pad_on_rez() -> Scenario:
    # the same pad pressed against the root exit zone instead of resting beside it
    s = _with(aica_attached(MODERATE))
    return s.with_pad(pad_at_contact(s, "aica", "pad", gap=-0.1))


def _right_aica_pad() -> Scenario:
    return mirror_scenario(_aica_pad())


T = Teaching
SPECS: list[Spec] = [
    Spec(
        "aica-attached-segment",
        lambda: _with(aica_attached(MODERATE)),
        T(
            "Classic AICA loop on the attached segment",
            "A loop of the anterior inferior cerebellar artery (AICA) rises from below and indents the facial nerve "
            "on its attached segment, where the nerve still lies on the pons. This is the textbook picture of "
            "hemifacial spasm: the AICA is the commonest culprit (43 % at first microvascular decompression) and the "
            "attached segment the commonest site (64 %). Indentation, graded moderate, is also the commonest finding "
            "(61 %). The root exit zone is centrally myelinated, and that is where culprit vessels sit: in more "
            "than 80 % of nerves the vessel compressed central myelin. Microvascular decompression gives complete "
            "resolution in about 91 % of patients.",
            ("campos-benitez-2008", "tomii-2003", "jannetta-1985", "miller-2012"),
            ("single",),
            "rez_closeup",
            "AS",
            "moderate",
        ),
    ),
    Spec(
        "pica-root-exit-point",
        lambda: _with(pica_rexp(MODERATE)),
        T(
            "PICA at the root exit point",
            "A cranial loop of the posterior inferior cerebellar artery (PICA) climbs from the vertebral artery into "
            "the cerebellopontine angle, in front of the facial and vestibulocochlear nerves, and indents the facial "
            "nerve where it leaves the brainstem at the pontomedullary sulcus. The PICA is the second commonest "
            "culprit (31 %), and the root exit point itself is the compression site in about 10 % of patients. "
            "Here the nerve is centrally myelinated, so the contact counts as a root exit zone compression.",
            ("campos-benitez-2008", "rhoton-cpa", "tomii-2003"),
            ("single",),
            "rez_closeup",
            "RExP",
            "moderate",
        ),
    ),
    Spec(
        "aica-root-detachment-point",
        lambda: _with(aica_loop(MODERATE, 7.9, 20, [[-21.0, 4.0, 7.0], [-24.5, 5.5, 6.0]])),
        T(
            "AICA at the root detachment point",
            "The AICA indents the facial nerve where it detaches from the pons, about 8 mm from the root exit point. "
            "The detachment point marks the start of the transition zone between central and peripheral myelin, a "
            "poorly vascularised 'locus minoris resistentiae' without epineurium. It is the second commonest "
            "compression site (22 %), after the attached segment.",
            ("tomii-2003", "lacombe-2009", "haller-2016", "campos-benitez-2008"),
            ("single",),
            "rez_closeup",
            "RDP",
            "moderate",
        ),
    ),
    Spec(
        "mild-contact",
        lambda: _with(aica_attached(MILD)),
        T(
            "Mild contact only",
            "The same AICA loop as in the classic case, but it only touches the attached segment without indenting "
            "it: a mild compression, found in 27 % of patients at surgery. Vascular contact is common in people "
            "without hemifacial spasm too, on 44-53 % of sides, mostly mild and on the cisternal portion. On MRI an "
            "arterial contact is seen on 97.9 % of symptomatic sides but also on 38.8 % of asymptomatic ones, so a "
            "contact must be read together with its site and the symptoms.",
            ("campos-benitez-2008", "deep-2016", "traylor-2021"),
            ("single",),
            "rez_closeup",
            "AS",
            "mild",
        ),
    ),
    Spec(
        "severe-deviation",
        lambda: _with(aica_loop(SEVERE, 8.2, 0, [[-21.5, 5.0, 6.0]])),
        T(
            "Severe compression: the nerve is deviated",
            "The AICA presses so hard on the root detachment point that the nerve is pushed off its course: a severe "
            "compression, found in 12 % of patients at surgery. The viewer deviates the nerve and colours the dent "
            "by depth. Deviation is the highest grade both in the surgical grading and on MRI, and symptomatic "
            "contacts are most common at the transition zone and central segment, especially with displacement. The "
            "millimetre thresholds are the viewer's own, since published grading is visual.",
            ("campos-benitez-2008", "kakizawa-2008", "haller-2016", "project-defaults"),
            ("single",),
            "rez_closeup",
            "RDP",
            "severe",
        ),
    ),
    Spec(
        "distal-cisternal-aica",
        lambda: _with(aica_meatal(MODERATE)),
        T(
            "Distal cisternal contact only (AICA meatal loop)",
            "The AICA's meatal loop indents only the distal cisternal portion of the nerve, near the internal "
            "acoustic meatus. Beyond the transition zone the nerve has peripheral (Schwann-cell) myelin and is more "
            "resistant, so such a contact is less likely to explain the spasm. Isolated cisternal AICA compression "
            "was found in 2.1 % of patients in one series. After MVD, 60 % were spasm-free with a distal-only contact "
            "against 93 % with a proximal one: look hard for a missed root exit zone contact.",
            ("lee-park-2026", "hughes-2021", "haller-2016", "tomii-2003"),
            ("single",),
            "rez_closeup",
            "CP",
            "moderate",
        ),
    ),
    Spec(
        "multiple-aica-pica",
        lambda: _with(
            aica_loop(MODERATE + 0.05, 5.0, 40, [[-21.0, 4.0, 7.0], [-24.5, 5.5, 6.0]]), pica_rexp(MODERATE - 0.05)
        ),
        T(
            "Multiple vessels: AICA and PICA",
            "Two arteries compress the root exit zone: a PICA loop at the root exit point and an AICA loop on the "
            "attached segment. More than one offending vessel was found in 38 % of first microvascular "
            "decompressions. Every offender must be moved away from the nerve. After failed MVD, a residual contact "
            "on the attached segment was seen in 58 % of patients.",
            ("campos-benitez-2008", "hughes-2015"),
            ("multiple",),
            "rez_closeup",
            "AS",
            "moderate",
        ),
    ),
    Spec(
        "double-compression",
        lambda: _with(aica_double()),
        T(
            "Double compression: root exit zone and cisternal portion",
            "One AICA touches the facial nerve twice: its loop indents the attached segment, and its meatal loop the "
            "distal cisternal portion. In a review of 64 distal compressions, 51.6 % were double (root exit zone "
            "plus distal), and the AICA was the offender in 84 %. Both sites have to be decompressed at surgery.",
            ("distal-review-2019", "campos-benitez-2008"),
            ("single", "double"),
            "rez_closeup",
            "AS",
            "moderate",
        ),
    ),
    Spec(
        "vertebral-tandem",
        _tandem,
        T(
            "Vertebral artery tandem compression",
            "A tortuous left vertebral artery loops up into the cerebellopontine angle and pushes the PICA onto the "
            "root exit point; the vertebral artery itself does not touch the nerve. This tandem pattern made up "
            "22 % of compressions in one series of 236 patients, and 86.5 % of vertebral artery cases were tandem. "
            "A tortuous vertebral artery was involved in 35.8 % of patients but was the sole offender in only 3 % "
            "of those.",
            ("park-2008", "iwasaki-2025"),
            ("single", "tandem"),
            "rez_closeup",
            "RExP",
            "moderate",
        ),
    ),
    Spec(
        "venous-compression",
        lambda: _with(transverse_pontine_vein()),
        T(
            "Venous compression",
            "A transverse pontine vein crosses and indents the attached segment, and no artery touches the nerve. "
            "Compression by a vein alone is very rare: 0.3 % and 0.9 % of patients in two large series. Veins "
            "pulsate little and are usually co-offenders with an artery, so look for an arterial culprit before "
            "blaming a vein.",
            ("hermier-2018", "han-2009", "hughes-2021"),
            ("single", "venous"),
            "rez_closeup",
            "AS",
            "moderate",
        ),
    ),
    Spec(
        "va-aica-pica-multivessel",
        _multivessel,
        T(
            "Vertebral artery, AICA and PICA together",
            "Three arteries are involved: the AICA indents the attached segment, the PICA the root exit point, and a "
            "tortuous vertebral artery pushes the PICA from below (tandem). Multiple offending vessels were found "
            "in 38 % of first microvascular decompressions, and 86.5 % of vertebral artery cases were tandem. "
            "Each of the three is a target at microvascular decompression.",
            ("campos-benitez-2008", "park-2008", "iwasaki-2025"),
            ("multiple", "tandem"),
            "rez_closeup",
            "AS",
            "moderate",
        ),
    ),
    Spec(
        "vestibular-schwannoma",
        _schwannoma,
        T(
            "Cerebellopontine-angle tumour (vestibular schwannoma)",
            "A 13 mm vestibular schwannoma at the porus engulfs the vestibulocochlear nerve and pushes the cisternal "
            "portion of the facial nerve aside. Tumours are a rare cause of hemifacial spasm: 9 of 2050 patients "
            "(0.44 %) had a cerebellopontine-angle tumour, 2 of them vestibular schwannomas, 5 meningiomas and 2 "
            "epidermoids. This is secondary hemifacial spasm, and treating the tumour decompresses the nerve. "
            "Imaging should exclude a space-occupying lesion in every patient.",
            ("lee-2010", "tan-2002"),
            ("tumor",),
            "rez_closeup",
            "CP",
            "severe",
        ),
    ),
    Spec(
        "cpa-meningioma",
        _meningioma,
        T(
            "Cerebellopontine-angle meningioma on the petrous face",
            "A meningioma grows from the dura on the posterior face of the petrous bone, just behind the porus, as a "
            "broad-based, flattened mass. It indents the distal cisternal portion of the facial nerve and touches the "
            "vestibulocochlear nerve, whereas a vestibular schwannoma grows out of the porus along the "
            "vestibulocochlear nerve. Of 2050 patients with hemifacial spasm, 9 had a cerebellopontine-angle "
            "tumour, and 5 of the 9 were meningiomas; an offending vessel was also found in 6 of the 9. In two "
            "reported patients with a cerebellopontine-angle meningioma the spasm disappeared after the tumour was "
            "removed. Treating the tumour decompresses the nerve; look for an offending vessel at the same time.",
            ("lee-2010", "iwai-2001"),
            ("tumor",),
            "retrosigmoid",
            "CP",
            "moderate",
        ),
    ),
    Spec(
        "avm",
        _avm,
        T(
            "Arteriovenous malformation",
            "A small arteriovenous malformation in the cerebellopontine angle, fed here by a branch of the AICA, "
            "presses the cisternal portion of the facial nerve. Such "
            "malformations are a rare cause: only 37 AVM-related neurovascular compression syndromes had been "
            "reported by 2022, and tumours or vascular malformations together account for about 0.5 % of hemifacial "
            "spasm. Treatment is aimed at the malformation, surgically or by endovascular means.",
            ("avm-2022", "han-2009"),
            ("avm",),
            "rez_closeup",
            "CP",
            "moderate",
        ),
    ),
    Spec(
        "pica-aneurysm",
        _aneurysm,
        T(
            "Aneurysm on the PICA",
            "A 5 mm saccular aneurysm on a PICA loop indents the attached segment, while the parent artery itself "
            "stays clear of the nerve. Aneurysms of the vertebral artery and its PICA branch are a rare cause of "
            "hemifacial spasm. In one reported patient a saccular aneurysm at the vertebral artery and PICA junction "
            "compressed the root exit zone, and the spasm stopped after the aneurysm was coiled.",
            ("iida-2020", "han-2009"),
            ("aneurysm",),
            "rez_closeup",
            "AS",
            "moderate",
        ),
    ),
    Spec(
        "brainstem-ms-plaque",
        lambda: _with(lesions=[ms_plaque()]),
        T(
            "Brainstem lesion: MS plaque near the facial nucleus",
            "A demyelinating plaque of multiple sclerosis lies in the pons between the facial motor nucleus and the "
            "facial colliculus, and no vessel or mass touches the nerve. Of 35 patients with multiple sclerosis and "
            "a facial movement disorder, 7 had hemifacial spasm, 3 of them with a pontine lesion on the same side. "
            "Such central causes support the view that the facial motor nucleus itself can become hyperexcitable. "
            "Microvascular decompression is not indicated without a compressing vessel: the disease is treated, and "
            "the spasm with botulinum toxin.",
            ("marin-collazo-2018", "moller-jannetta-1985", "simpson-2008-aan"),
            ("brainstem_lesion",),
            "retrosigmoid",
        ),
    ),
    Spec(
        "post-bells-palsy",
        lambda: _with(bells=True),
        T(
            "After Bell's palsy: synkinesis, no compression",
            "No vessel or lesion touches the facial nerve, but the patient had Bell's palsy on this side. Twitching "
            "after a facial palsy is usually post-paralytic synkinesis: regrowing axons sprout into the wrong "
            "branches, so one command moves several muscle groups and mimics hemifacial spasm. Among 215 patients "
            "referred with hemifacial spasm, 11 % had it after Bell's palsy. Microvascular decompression is not "
            "indicated, and botulinum toxin can be used for the movements.",
            ("yaltho-jankovic-2011", "simpson-2008-aan"),
            ("post_bells",),
            "rez_closeup",
        ),
    ),
    Spec(
        "post-traumatic",
        lambda: _with(facial_trauma=True),
        T(
            "After a facial nerve injury: post-traumatic hemifacial spasm",
            "No vessel or lesion touches the facial nerve, but the nerve was injured on this side, by a blow, a "
            "fracture or surgery. Regenerating axons can grow into the wrong branches, and injured fibres can excite "
            "each other ephaptically, so one command moves several muscle groups. In one clinic's series of patients "
            "referred with hemifacial spasm, 13 (6 %) had it after a facial nerve injury. In one reported patient the "
            "spasm began 7 days after a blow to the angle of the mandible, MRI was normal, and it subsided 4 months "
            "after the injury. Microvascular decompression is not indicated without a compressing vessel, and "
            "botulinum toxin treats the movements.",
            ("yaltho-jankovic-2011", "shimizu-2005", "sadjadpour-1975", "simpson-2008-aan"),
            ("post_trauma",),
            "retrosigmoid",
        ),
    ),
    Spec(
        "inflammatory",
        lambda: _with(inflammatory=True),
        T(
            "Inflammatory condition of the facial nerve: no compression",
            "No vessel or lesion touches the facial nerve, but an inflammatory condition affects it, such as multiple "
            "sclerosis or Lyme disease. Inflammation can demyelinate or irritate the nerve's fibres, which then fire "
            "ectopically and excite each other, as at a compression. Of 35 patients with multiple sclerosis and a "
            "facial movement disorder, 7 had hemifacial spasm, and it resolved within 4 years in 5 of them. In a "
            "patient with Lyme disease, an antibiotic given for a wound infection brought the first, temporary "
            "remission of the spasm, and the work-up that followed found the cause. Treat the disease and the "
            "spasm with botulinum toxin; microvascular decompression is not indicated without a compressing vessel.",
            ("marin-collazo-2018", "lewitt-2016", "nielsen-1985", "simpson-2008-aan"),
            ("inflammatory",),
            "rez_closeup",
        ),
    ),
    Spec(
        "idiopathic",
        lambda: _with(),
        T(
            "Normal anatomy: nothing found",
            "The model's normal anatomy: no vessel or lesion touches the facial nerve. This is unusual in real "
            "hemifacial spasm, where MRI shows an arterial contact on about 98 % of symptomatic sides and no contact "
            "at all in only 1.4 %. Before calling a case idiopathic, look again with thin-slice T2-weighted and "
            "time-of-flight MRI, and exclude a tumour, a vascular malformation, a brainstem lesion and a previous "
            "Bell's palsy.",
            ("traylor-2021", "hughes-2021", "tan-2002"),
            ("idiopathic",),
            "anterior",
        ),
    ),
    Spec(
        "mvd-aica-pad",
        _aica_pad,
        T(
            "MVD rehearsal: a Teflon pad under the AICA loop",
            "The classic AICA loop on the attached segment, with a pad of shredded Teflon felt slid between the "
            "artery and the nerve. The pad lifts the loop off the root exit zone and the vessel rests on its far "
            "side, so the check reports the nerve as decompressed. The felt itself stays just off the root: its "
            "job is to keep the artery away from the nerve, not to wrap the nerve. In one series of 685 patients, "
            "most failed decompressions were traced to the Teflon, from its placement, size or shape.",
            ("dou-2016", "campos-benitez-2008", "miller-2012"),
            ("decompressed",),
            "rez_closeup",
        ),
    ),
    Spec(
        "mvd-vertebral-sling",
        _vertebral_sling,
        T(
            "MVD rehearsal: transposing a vertebral artery with a sling",
            "The tortuous vertebral artery of the tandem case is pulled towards the petrous dura with a sling, and "
            "a felt pad keeps the PICA, which it had pushed onto the root exit point, off the nerve. A large, stiff "
            "vertebral artery is hard to hold off the root with felt alone, so it is transposed and fixed to the "
            "dura instead. In 42 patients treated this way, an artery other than the vertebral one was the "
            "compressing vessel in every case, mostly the PICA. The check watches the price of the move, a vessel "
            "stretched by more than 10 % or kinked by its new course: this model artery has little slack, and it "
            "warns that the artery bends sharply where the sling pulls it.",
            ("lee-2016-sling", "park-2008", "wedge-2019"),
            ("decompressed",),
            "rez_closeup",
        ),
    ),
    Spec(
        "mvd-pica-rexp-pad",
        _pica_pad,
        T(
            "MVD rehearsal: a Teflon pad under the PICA at the root exit point",
            "The PICA loop that indents the root exit point is held off by a felt pad placed on its nerve side, "
            "beside the pontomedullary sulcus. The vessel now rests on the pad and no longer touches the facial "
            "nerve. The pad is kept small and off the root: felt pressed onto the nerve can compress it again or "
            "adhere to it.",
            ("dou-2016", "seaman-2020", "teflon-adhesion-2000"),
            ("decompressed",),
            "rez_closeup",
        ),
    ),
    Spec(
        "mvd-pad-on-rez",
        _pad_on_rez,
        T(
            "MVD rehearsal: a pad misplaced on the root exit zone",
            "The AICA loop is lifted off the nerve, but the felt has been pushed onto the attached segment of the "
            "root exit zone, the centrally myelinated part of the nerve. The check still reports the vessel as "
            "decompressed, and warns that the pad lies on the root exit zone. Improper placement was the commonest "
            "Teflon-related cause of failed decompressions in one series, and felt left on a nerve can adhere to it "
            "and cause a recurrence. Over-impacted felt has itself displaced the facial and vestibulocochlear nerves "
            "and brought the spasm back.",
            ("dou-2016", "teflon-adhesion-2000", "seaman-2020", "tomii-2003"),
            ("decompressed",),
            "rez_closeup",
        ),
    ),
    Spec(
        "mvd-right-aica-pad",
        _right_aica_pad,
        T(
            "MVD rehearsal: a Teflon pad under a right AICA loop",
            "The mirror image of the left case: a right-sided AICA loop on the attached segment, decompressed with "
            "a felt pad between the artery and the nerve. Everything is measured on the mirrored anatomy, so the "
            "same plan gives the same result on either side. A retrosigmoid approach to the right "
            "cerebellopontine angle sees the nerve from the other side of the screen.",
            ("dou-2016", "campos-benitez-2008"),
            ("decompressed",),
            "rez_closeup",
        ),
    ),
]


def build_presets() -> dict[str, Scenario]:
    """Every preset as a Scenario, in teaching order."""
    from viewer.presets import PRESET_NAMES

    names = tuple(spec.name for spec in SPECS)
    if names != PRESET_NAMES:
        raise RuntimeError(f"SPECS order {names} differs from viewer.presets.PRESET_NAMES")
    out = {}
    for spec in SPECS:
        s = spec.build()
        out[spec.name] = replace(s, name=spec.teaching.title, teaching=spec.teaching)
    return out


def _as_version_1(text: str) -> str:
    """The shipped presets are version 1 files; the v2 writer writes the same text but for the version."""
    return text.replace('\n "version": 2,\n', '\n "version": 1,\n', 1)


def preset_file_text(s: Scenario) -> str:
    """The file as shipped: version 1 unless the preset uses a version 2 feature (a v1 reader refuses it)."""
    text = dumps_scenario(s)
    try:
        parse_scenario(_as_version_1(text), "preset")
    except ScenarioError:
        return text
    return _as_version_1(text)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare with the shipped files, write nothing")
    args = ap.parse_args(argv)
    presets = build_presets()
    bad = []
    for name, s in presets.items():
        path = PRESET_DIR / f"{name}.json"
        text = preset_file_text(s)
        if args.check:
            if not path.is_file() or path.read_text("utf-8") != text:
                bad.append(name)
        else:
            path.write_text(text, "utf-8")
    if args.check:
        if bad:
            print("differs from the generator: " + ", ".join(bad))
            return 1
        print(f"{len(presets)} presets match the generator")
        return 0
    print(f"wrote {len(presets)} presets to {PRESET_DIR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
