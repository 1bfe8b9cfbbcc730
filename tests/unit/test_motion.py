"""Arterial pulsation model (viewer.motion): timing, waveform, what moves and what does not."""

from __future__ import annotations

import time

import numpy as np
import pytest
from test_analysis import c7, crossing, scen

from viewer.analysis import analyze
from viewer.anatomy import build_anatomy
from viewer.deformation import NerveDeformer
from viewer.motion import (
    MOTION_SOURCES,
    REAL_DIAMETER_FRACTION,
    Pulsation,
    cardiac_waveform,
    scenario_at,
)
from viewer.scenario import Lesion, default_scenario
from viewer.sources import BIBLIOGRAPHY


def contact_scene():
    aica, _ = crossing(4.0, -0.1)  # AICA on the attached segment, mild at rest
    vein, _ = crossing(12.0, -0.05, vid="vein1", role="vein", kind="vein")
    return scen(
        aica,
        vein,
        lesions=(
            Lesion("an1", "aneurysm", (-30.0, 10.0, -10.0), (2.0, 2.0, 2.0)),
            Lesion("t1", "tumor", (-35.0, 15.0, -15.0), (3.0, 3.0, 3.0)),
        ),
    )


def pen(findings, vid):
    return max(c.penetration_mm for c in c7(findings) if c.id == vid)


@pytest.mark.parametrize("bpm", [40, 70, 120])
def test_period_is_60_over_heart_rate(bpm):
    p = Pulsation(heart_rate_bpm=bpm)
    assert p.period_s == pytest.approx(60.0 / bpm)
    s = contact_scene()
    for t in (0.0, 0.13, 0.37, 0.61, 1.9):
        assert p.scenario_at(s, t) == p.scenario_at(s, t + p.period_s)
        assert p.scenario_at(s, t) == p.scenario_at(s, t + 3 * p.period_s)


def test_bad_parameters_refused():
    for bad in (0, -5, 1000, float("nan")):
        with pytest.raises(ValueError):
            Pulsation(heart_rate_bpm=bad)
    with pytest.raises(ValueError):
        Pulsation(exaggeration=-1)


def test_waveform_normalised_with_systolic_upstroke_and_diastolic_decay():
    ph = np.linspace(0.0, 1.0, 2001)
    w = cardiac_waveform(ph)
    assert w.min() == pytest.approx(0.0, abs=1e-12) and w.max() == pytest.approx(1.0)
    assert cardiac_waveform(0.0) == 0.0 and cardiac_waveform(1.0) == 0.0
    k = int(np.argmax(w))
    assert 0.1 <= ph[k] <= 0.2  # early systolic peak
    assert np.all(np.diff(w[: k + 1]) >= 0)  # rises monotonically to the peak
    # the upstroke is faster than the recovery: time from 10 % to the peak vs peak back to 10 %
    rise = ph[k] - ph[np.argmax(w > 0.1)]
    fall = ph[k + np.argmax(w[k:] < 0.1)] - ph[k]
    assert fall > 3 * rise
    assert np.all(np.abs(np.diff(w)) < 0.01)  # continuous (no jumps at 2001 samples)


def test_veins_lesions_and_rest_unchanged():
    s = contact_scene()
    p = Pulsation()
    at = p.scenario_at(s, p.systole_s)
    vein = s.vessel("vein1")
    assert at.vessel("vein1") is vein  # exactly the same object
    assert at.lesions[1] is s.lesions[1]  # a tumour does not pulsate
    assert at.lesions[0].radii_mm[0] > s.lesions[0].radii_mm[0]  # an aneurysm does
    assert Pulsation(aneurysms=False).scenario_at(s, p.systole_s).lesions[0] is s.lesions[0]
    assert p.scenario_at(s, 0.0) is s  # end-diastole is the rest geometry
    assert at.name == s.name and at.history == s.history


def test_default_scene_only_arteries_pulsate():
    s = default_scenario()
    p = Pulsation()
    for t in np.linspace(0.0, p.period_s, 17):
        at = scenario_at(s, t)
        for v0, v1 in zip(s.vessels, at.vessels):
            assert v1.id == v0.id
            if v0.kind == "vein":
                assert v1 == v0
            else:
                lo = v0.radius_mm
                hi = v0.radius_mm * (1.0 + p.radius_fraction) + 1e-12
                assert lo <= v1.radius_mm <= hi
                assert v1.centerline_mm == v0.centerline_mm  # no nerve contact: no displacement


def test_artery_radius_bounds_and_peak():
    s = contact_scene()
    p = Pulsation()
    r0 = s.vessel("aica").radius_mm
    radii = [p.scenario_at(s, t).vessel("aica").radius_mm for t in np.linspace(0, p.period_s, 200)]
    assert min(radii) == pytest.approx(r0)
    assert max(radii) <= r0 * (1 + p.radius_fraction) + 1e-12
    assert p.scenario_at(s, p.systole_s).vessel("aica").radius_mm == pytest.approx(r0 * (1 + p.radius_fraction))
    real = Pulsation(exaggeration=1.0)
    assert real.scenario_at(s, real.systole_s).vessel("aica").radius_mm == pytest.approx(
        r0 * (1 + REAL_DIAMETER_FRACTION)
    )
    assert REAL_DIAMETER_FRACTION == pytest.approx(0.0128, abs=1e-4)


def test_indentation_follows_systole():
    s = contact_scene()
    p = Pulsation()
    dia = analyze(p.scenario_at(s, 0.0))
    sys_ = analyze(p.scenario_at(s, p.systole_s))
    assert pen(sys_, "aica") > pen(dia, "aica") + 0.1
    # the displacement points towards the nerve: more than the radius growth alone
    no_shift = Pulsation(displacement_mm=0.0)
    assert pen(sys_, "aica") > pen(analyze(no_shift.scenario_at(s, p.systole_s)), "aica") + 0.1
    # the vein's contact is the same all through the cycle
    assert pen(sys_, "vein1") == pen(dia, "vein1")
    # and so is the deformed nerve's dent: deeper at systole
    fn = build_anatomy().facial_nerve
    deformer = NerveDeformer(fn.points_mm, fn.radius_mm, anchor_arcs=(0.0, fn.porus_arc_mm))

    def depth(sc):
        v = sc.vessel("aica")
        return float(deformer.deform(tubes=[(v.course_mm, v.radius_mm)]).depth_mm.max())

    assert depth(p.scenario_at(s, p.systole_s)) > depth(s) + 0.1


def test_exaggeration_one_is_physiological_and_zero_freezes():
    s = contact_scene()
    frozen = Pulsation(exaggeration=0.0)
    assert frozen.scenario_at(s, 0.1).vessel("aica").radius_mm == s.vessel("aica").radius_mm
    assert "To scale" in Pulsation(exaggeration=1.0).caption()
    cap = Pulsation().caption()
    assert "Exaggerated \u00d78 for teaching" in cap and "veins do not pulsate" in cap
    assert "+10 % shown" in cap and "+1.3 % measured" in cap


def test_sources_resolve():
    for key in MOTION_SOURCES:
        assert key in BIBLIOGRAPHY


def test_per_frame_cost():
    """scenario_at + analyze + deformation per animation frame (default scene + one contacting AICA)."""
    aica, _ = crossing(4.0, -0.1)
    s = default_scenario().with_vessel(aica)
    p = Pulsation()
    plan = p.plan(s)
    fn = build_anatomy().facial_nerve
    deformer = NerveDeformer(fn.points_mm, fn.radius_mm, anchor_arcs=(0.0, fn.porus_arc_mm))
    times = plan.frame_times(30, cycles=1.0) + 0.0123  # uncached phases
    cost = []
    for t in times:
        t0 = time.perf_counter()
        at = plan.at(t)
        f = analyze(at)
        on = {c.id for c in f.contacts if c.structure == "CN VII"}
        deformer.deform(tubes=[(v.course_mm, v.radius_mm) for v in at.vessels if v.id in on])
        cost.append(time.perf_counter() - t0)
    assert np.median(cost) < 0.030  # ~5 ms measured on the 2-core dev machine; a frame is 33 ms at 30 fps
