"""Arterial pulsation over the cardiac cycle (pure core: numpy only, no Qt, no VTK).

Arteries pulsate (radius and a small displacement towards the
nerve they touch) at a configurable heart rate; veins never do; the nerve's
indentation follows because every frame is re-analysed and re-deformed from the
pulsed scenario. `Pulsation.plan(scenario).at(t)` (or `scenario_at(scenario, t)`)
gives the scenario at time t; the GUI drives t from a QTimer, the video export
from the frame index.

The model
---------
* Waveform ``w(phase)``, 0 at end-diastole and 1 at peak systole: a raised-cosine
  systolic upstroke to the peak at ``systolic_peak`` of the cycle, then a slower
  exponential diastolic decay with a small dicrotic wave, back to exactly 0 at
  the end of the cycle. The shape is qualitative: "a rapid displacement in
  systole, with a slow diastolic recovery" is how brain tissue moves with the
  pulse (cine phase-contrast MRI, Radiology 1992;185:645, key ``poncelet-1992``);
  cerebral arterial flow waveforms have the same rapid upstroke, early peak and
  dicrotic notch (``gwilliam-2009``). The timing is a project default [S].
* The rest geometry (the scenario as drawn, and what the static analysis
  reports) is **end-diastole**: pulsation only ever adds to it, so systole can
  turn a touch into an indentation, never the reverse.
* Radius: real cerebral arteries distend very little. 7 T MRI of the middle
  cerebral artery measured a mean lumen *area* change of 2.58 % from diastole to
  systole (range 0.08-6.48 %, n = 10; ``warnert-2016``): a diameter change of
  sqrt(1.0258) - 1 = 1.28 %, about 0.01 mm on a 0.75 mm AICA, far below what a
  projector shows. ``exaggeration`` (default x8, a *teaching exaggeration*)
  scales it to a 10 % diameter swing that reads from the back of a lecture hall;
  ``exaggeration=1`` gives the measured figure. `Pulsation.caption()` says so on
  screen.
* Displacement: where an artery touches a nerve at rest (a contact of
  `analyze`), its handles near the contact move along the local normal towards
  the nerve by up to ``displacement_mm x exaggeration x w`` (Gaussian falloff
  with distance from the contact, at least ``falloff_mm``). Brain parenchyma's
  net pulsatile excursion is at most 0.5 mm (poncelet-1992); the relative
  motion of an artery against the nerve is not measured in the literature we
  have, so 0.03 mm real (0.24 mm shown) is a project default [S].
* Lesions: an aneurysm sac pulsates with the same radius fraction
  (``aneurysms=True``); tumours, AVM nidi and brainstem lesions never move.

Cost: `PulsePlan.at` builds new Vessel objects for the arteries only (veins and
lesions are passed through as the same objects); about 0.1 ms for the default
scene. The analysis and deformation that follow dominate (measured in
tests/unit/test_motion.py and the README).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from .scenario import LESION_RADIUS_RANGE_MM, VESSEL_RADIUS_RANGE_MM, Scenario, Vessel

__all__ = [
    "MCA_AREA_DISTENSION",
    "REAL_DIAMETER_FRACTION",
    "REAL_DISPLACEMENT_MM",
    "TEACHING_EXAGGERATION",
    "DEFAULT_HEART_RATE_BPM",
    "MOTION_SOURCES",
    "Pulsation",
    "PulsePlan",
    "cardiac_waveform",
    "scenario_at",
]

# Warnert et al. 2016 (7 T MRI, M1 segment of the MCA, 10 healthy volunteers): mean area
# distension diastole -> systole 2.58 % (range 0.08-6.48 %). Diameter ~ sqrt(area).
MCA_AREA_DISTENSION = 0.0258
REAL_DIAMETER_FRACTION = math.sqrt(1.0 + MCA_AREA_DISTENSION) - 1.0  # 0.0128
# Project default [S]: artery-against-nerve pulsatile displacement (brain parenchyma moves
# at most 0.5 mm per beat, Poncelet 1992; no direct measurement of the artery-nerve motion).
REAL_DISPLACEMENT_MM = 0.03
# Teaching exaggeration: x8 turns the 1.3 % diameter swing into ~10 %, visible on a projector.
TEACHING_EXAGGERATION = 8.0
DEFAULT_HEART_RATE_BPM = 70.0
HEART_RATE_RANGE_BPM = (20.0, 240.0)
MOTION_SOURCES = ("warnert-2016", "poncelet-1992", "gwilliam-2009", "jannetta-1985", "project-defaults")

_PHASE_DIGITS = 9  # phases are rounded to 1e-9 cycle so that t and t + period give identical scenarios


# ----------------------------------------------------------------------------- waveform
def _raw_decay(x, tau: float, notch_at: float, notch_amp: float, notch_width: float):
    return np.exp(-x / tau) + notch_amp * np.exp(-0.5 * ((x - notch_at) / notch_width) ** 2)


@lru_cache(maxsize=32)
def _decay_norm(peak: float, tau: float, notch_at: float, notch_amp: float, notch_width: float):
    """(value at the end of the cycle, max over the diastolic part) of the raw decay."""
    x = np.linspace(0.0, 1.0 - peak, 2001)
    raw = _raw_decay(x, tau, notch_at, notch_amp, notch_width)
    return float(raw[-1]), float(raw.max())


def cardiac_waveform(
    phase,
    *,
    peak: float = 0.15,
    tau: float = 0.22,
    notch_at: float = 0.22,
    notch_amp: float = 0.12,
    notch_width: float = 0.05,
):
    """Normalised arterial pulse over one cycle: 0 at end-diastole (phase 0 and 1), 1 at the systolic peak.

    phase: cycle fraction(s) in [0, 1) (scalars or arrays; wrapped modulo 1).
    peak: time of the systolic peak as a fraction of the cycle (raised-cosine upstroke before it).
    tau: diastolic exponential decay constant (cycle fractions); notch_*: the dicrotic wave,
    `notch_at` cycle fractions after the peak. The decay is shifted and scaled so that it starts
    at exactly 1 and ends at exactly 0, so the waveform is continuous over cycles.
    """
    ph = np.mod(np.asarray(phase, dtype=float), 1.0)
    end, top = _decay_norm(peak, tau, notch_at, notch_amp, notch_width)
    up = 0.5 - 0.5 * np.cos(np.pi * np.clip(ph / peak, 0.0, 1.0))
    x = np.clip(ph - peak, 0.0, None)
    down = (_raw_decay(x, tau, notch_at, notch_amp, notch_width) - end) / (top - end)
    out = np.clip(np.where(ph < peak, up, down), 0.0, 1.0)
    return float(out) if np.ndim(out) == 0 else out


# ----------------------------------------------------------------------------- model
@dataclass(frozen=True)
class Pulsation:
    """Arterial pulsation parameters (all configurable; defaults documented in the module)."""

    heart_rate_bpm: float = DEFAULT_HEART_RATE_BPM
    exaggeration: float = TEACHING_EXAGGERATION  # 1 = measured physiology
    diameter_fraction: float = REAL_DIAMETER_FRACTION  # real peak-systolic diameter increase
    displacement_mm: float = REAL_DISPLACEMENT_MM  # real displacement towards the nerve at peak systole
    systolic_peak: float = 0.15  # cycle fraction of the systolic peak
    systole_end: float = 0.35  # ventricular systole: about the first third of the cycle at rest [S]
    falloff_mm: float = 2.5  # minimum Gaussian sigma of the displacement along the vessel
    aneurysms: bool = True  # aneurysm sacs pulsate with the arteries

    def __post_init__(self):
        lo, hi = HEART_RATE_RANGE_BPM
        if not (isinstance(self.heart_rate_bpm, (int, float)) and lo <= float(self.heart_rate_bpm) <= hi):
            raise ValueError(f"heart rate {self.heart_rate_bpm!r} bpm is outside {lo:g}-{hi:g}")
        if not (0.0 <= self.exaggeration <= 50.0):
            raise ValueError(f"exaggeration {self.exaggeration!r} is outside 0-50")
        if not (0.0 < self.systolic_peak < 0.5):
            raise ValueError("systolic_peak must be in (0, 0.5)")

    # -- time
    @property
    def period_s(self) -> float:
        """One cardiac cycle: 60 / heart rate."""
        return 60.0 / float(self.heart_rate_bpm)

    def phase(self, t_seconds: float) -> float:
        """Cycle fraction in [0, 1) at time t (rounded to 1e-9 cycle: t and t + period agree exactly)."""
        ph = round(float(t_seconds) / self.period_s % 1.0, _PHASE_DIGITS)
        return 0.0 if ph >= 1.0 else ph + 0.0

    def waveform(self, t_seconds: float) -> float:
        """0 at end-diastole, 1 at peak systole."""
        return cardiac_waveform(self.phase(t_seconds), peak=self.systolic_peak)

    def phase_name(self, t_seconds: float) -> str:
        """'systole' or 'diastole' (for captions)."""
        return "systole" if self.phase(t_seconds) < self.systole_end else "diastole"

    @property
    def systole_s(self) -> float:
        """Time of the systolic peak within a cycle (w = 1)."""
        return self.systolic_peak * self.period_s

    # -- amplitudes (shown, i.e. exaggerated)
    @property
    def radius_fraction(self) -> float:
        """Peak-systolic radius increase as a fraction of the rest radius (as drawn)."""
        return self.diameter_fraction * self.exaggeration

    @property
    def shift_mm(self) -> float:
        """Peak-systolic displacement towards the nerve (as drawn)."""
        return self.displacement_mm * self.exaggeration

    def radius_scale(self, t_seconds: float) -> float:
        return 1.0 + self.radius_fraction * self.waveform(t_seconds)

    def caption_lines(self) -> tuple[str, str]:
        """Two short lines for the viewport / video: what moves, and how much it is exaggerated."""
        real = 100.0 * self.diameter_fraction
        head = f"Arterial pulsation \u00b7 {self.heart_rate_bpm:g} bpm \u00b7 veins do not pulsate"
        if abs(self.exaggeration - 1.0) < 1e-9:
            scale = f"To scale: diameter +{real:.1f} % in systole (MCA, 7 T MRI)"
        else:
            scale = (
                f"Exaggerated \u00d7{self.exaggeration:g} for teaching: diameter +{real * self.exaggeration:.0f} % "
                f"shown, +{real:.1f} % measured (MCA, 7 T MRI)"
            )
        return head, scale

    def caption(self) -> str:
        """The caption on one line (status bar, tooltips)."""
        return " \u00b7 ".join(self.caption_lines())

    # -- scenarios
    def plan(self, scenario: Scenario, findings=None) -> PulsePlan:
        """Precompute what moves in `scenario` (call once per scenario, then `.at(t)` per frame).

        findings: the scenario's `analyze` result if the caller already has it (saves one analysis).
        """
        return PulsePlan(self, scenario, findings)

    def scenario_at(self, scenario: Scenario, t_seconds: float) -> Scenario:
        return _cached_plan(self, scenario).at(t_seconds, scenario)


def _unit(v: np.ndarray) -> np.ndarray | None:
    n = float(np.linalg.norm(v))
    return v / n if n > 1e-9 else None


class PulsePlan:
    """Per-scenario precomputation: each artery's handle displacement field at peak systole.

    `at(t)` then costs one waveform evaluation and a new Vessel per artery.
    """

    def __init__(self, pulsation: Pulsation, scenario: Scenario, findings=None):
        self.pulsation = pulsation
        self.scenario = scenario
        if findings is None:
            from .analysis import analyze  # local: keeps `import viewer.motion` light

            findings = analyze(scenario)
        self.findings = findings
        self.shift: dict[str, np.ndarray] = {}  # vessel id -> (H, 3) handle displacement at w = 1
        deepest: dict[str, object] = {}
        for c in findings.contacts:  # vessel-nerve contacts; CN VII first, then depth
            if c.source != "vessel" or c.kind != "artery":
                continue
            best = deepest.get(c.id)
            key = (c.structure == "CN VII", c.penetration_mm)
            if best is None or key > (best.structure == "CN VII", best.penetration_mm):
                deepest[c.id] = c
        for vid, c in deepest.items():
            field = self._shift_field(scenario.vessel(vid), c)
            if field is not None:
                self.shift[vid] = field

    def _shift_field(self, vessel: Vessel, contact) -> np.ndarray | None:
        p = self.pulsation
        if p.shift_mm <= 0.0:
            return None
        course = vessel.course_mm
        q = np.asarray(contact.other_point_mm, float)
        k = int(np.argmin(np.einsum("ij,ij->i", course - q, course - q)))
        tangent = _unit(course[min(k + 1, len(course) - 1)] - course[max(k - 1, 0)])
        direction = np.asarray(contact.nerve_point_mm, float) - q
        if tangent is not None:
            direction = direction - (direction @ tangent) * tangent  # the local normal
        direction = _unit(direction)
        if direction is None:
            return None
        h = vessel.handles_mm
        d = np.linalg.norm(h - q, axis=1)
        sigma = max(p.falloff_mm, 1.2 * float(d.min()))
        w = np.exp(-0.5 * (d / sigma) ** 2)
        w /= w.max()  # the handle nearest the contact moves the full amount
        return w[:, None] * (p.shift_mm * direction)[None, :]

    def at(self, t_seconds: float, scenario: Scenario | None = None) -> Scenario:
        """The scenario at time t: arteries distended and shifted by the waveform; veins untouched.

        scenario: an object equal to the planned one (default: that one); unchanged parts of
        the result are that object's own vessels and lesions."""
        p = self.pulsation
        s = self.scenario if scenario is None else scenario
        w = p.waveform(t_seconds)
        if w == 0.0:
            return s  # end-diastole is the rest geometry
        scale = 1.0 + p.radius_fraction * w
        r_lo, r_hi = VESSEL_RADIUS_RANGE_MM
        vessels = []
        for v in s.vessels:
            if v.kind != "artery":
                vessels.append(v)  # veins do not pulsate: the very same object
                continue
            field = self.shift.get(v.id)
            handles = v.centerline_mm if field is None else v.handles_mm + w * field
            vessels.append(replace(v, radius_mm=min(max(v.radius_mm * scale, r_lo), r_hi), centerline_mm=handles))
        lesions = s.lesions
        if p.aneurysms and any(les.kind == "aneurysm" for les in lesions):
            l_lo, l_hi = LESION_RADIUS_RANGE_MM
            lesions = tuple(
                replace(les, radii_mm=tuple(min(max(r * scale, l_lo), l_hi) for r in les.radii_mm))
                if les.kind == "aneurysm"
                else les
                for les in lesions
            )
        return replace(s, vessels=tuple(vessels), lesions=lesions)

    def frame_times(self, n_frames: int, cycles: float = 1.0) -> np.ndarray:
        """n evenly spaced times over `cycles` cardiac cycles (the last frame is not the first again)."""
        return np.arange(int(n_frames)) * (cycles * self.pulsation.period_s / max(int(n_frames), 1))


@lru_cache(maxsize=16)
def _cached_plan(pulsation: Pulsation, scenario: Scenario) -> PulsePlan:
    return PulsePlan(pulsation, scenario)


def scenario_at(scenario: Scenario, t_seconds: float, pulsation: Pulsation | None = None) -> Scenario:
    """The scenario at time t under `pulsation` (default model: 70 bpm, teaching exaggeration x8).

    The per-scenario plan is cached; for an animation loop prefer `pulsation.plan(s).at(t)`.
    """
    return (pulsation or Pulsation()).scenario_at(scenario, t_seconds)
