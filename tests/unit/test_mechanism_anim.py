"""Mechanism animation model (viewer.mechanism_anim): what is shown, where impulses go, timing, captions."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from viewer.analysis import analyze
from viewer.anatomy import SEGMENT_NAMES
from viewer.mechanism_anim import (
    DEFAULT_PERIOD_S,
    IMPULSE_KINDS,
    PLAN_MODES,
    MechanismPlan,
    build_mechanism_plan,
)
from viewer.presets import load_preset
from viewer.sources import BIBLIOGRAPHY


@cache
def findings(name: str):
    return analyze(load_preset(name))


@cache
def plan(name: str, period: float = DEFAULT_PERIOD_S) -> MechanismPlan:
    return build_mechanism_plan(findings(name), period_s=period)


ALL = (
    "aica-attached-segment",
    "pica-root-exit-point",
    "aica-root-detachment-point",
    "severe-deviation",
    "distal-cisternal-aica",
    "double-compression",
    "venous-compression",
    "vestibular-schwannoma",
    "pica-aneurysm",
    "brainstem-ms-plaque",
    "post-bells-palsy",
    "idiopathic",
)


def times(p: MechanismPlan, n: int = 241) -> np.ndarray:
    return np.linspace(0.0, p.period_s, n, endpoint=False)


def tracks(p: MechanismPlan, kind: str, dt: float = 0.02):
    """{event id: [(t, point, arc)]} for every impulse of `kind`, sampled every dt over one loop."""
    out: dict[int, list] = {}
    for t in np.arange(0.0, p.period_s, dt):
        st = p.state_at(t)
        for i, pt, k, a in zip(st.ids, st.points, st.kinds, st.arc_mm):
            if k == kind:
                out.setdefault(int(i), []).append((t, pt, a))
    return out


def test_modes_follow_the_analysis():
    expect = {
        "aica-attached-segment": "chain",
        "distal-cisternal-aica": "peripheral",
        "venous-compression": "chain",
        "vestibular-schwannoma": "chain",
        "brainstem-ms-plaque": "central",
        "post-bells-palsy": "synkinesis",
        "idiopathic": "none",
    }
    for name, mode in expect.items():
        p = plan(name)
        assert p.mode == mode and p.mode in PLAN_MODES, name
        assert p.kind == findings(name).mechanism.kind
        assert p.likely_symptomatic == findings(name).mechanism.likely_symptomatic


def test_orthodromic_impulses_run_towards_the_porus():
    p = plan("aica-attached-segment")
    for kind in ("ectopic", "ephaptic"):
        tr = tracks(p, kind)
        assert len(tr) >= 5, kind
        for samples in tr.values():
            arcs = np.array([a for _, _, a in samples])
            assert np.all(np.isfinite(arcs))  # on the nerve all the way
            assert np.all(np.diff(arcs) > 0), kind  # arc increases: towards the porus and the face
            lo, hi = p.patch_arc_mm
            assert lo - 0.05 <= arcs[0] <= hi + 0.6  # they start at the patch
            assert arcs[-1] > p.porus_arc_mm - 1.0  # and reach the porus


def test_antidromic_impulses_reach_the_facial_motor_nucleus():
    p = plan("aica-attached-segment")
    tr = tracks(p, "antidromic")
    assert len(tr) >= 2
    for samples in tr.values():
        arcs = np.array([a for _, _, a in samples])
        on = np.isfinite(arcs)
        k = int(np.argmin(on)) if not on.all() else len(on)
        assert on[:k].all() and not on[k:].any()  # first on the nerve, then inside the brainstem
        assert np.all(np.diff(arcs[:k]) < 0)  # towards the root exit point
        # inside the pons: along the pathway, ever closer to the nucleus's end of it
        path = p.pathway_mm
        idx = [int(np.argmin(np.linalg.norm(path - pt, axis=1))) for _, pt, _ in samples[k:]]
        assert np.all(np.diff(idx) >= 0) and idx[-1] > idx[0]
        d = [np.linalg.norm(pt - p.nucleus_mm) for _, pt, _ in samples]
        assert d[-1] < 0.6 < d[0]


def test_the_nucleus_lights_up_after_the_antidromic_volley_and_fires_back():
    p = plan("aica-attached-segment")
    tr = tracks(p, "antidromic")
    first_arrival = min(s[-1][0] for s in tr.values())
    assert p.state_at(first_arrival - 0.3).nucleus_glow == 0.0
    assert p.state_at(first_arrival + 0.6).nucleus_glow == pytest.approx(1.0)
    eff = tracks(p, "efferent")
    assert eff and min(s[0][0] for s in eff.values()) > first_arrival
    for samples in eff.values():
        d0 = np.linalg.norm(samples[0][1] - p.nucleus_mm)
        assert d0 < 0.6  # they leave the nucleus
        arcs = np.array([a for _, _, a in samples])
        on = arcs[np.isfinite(arcs)]
        assert on.size and np.all(np.diff(on) > 0)  # then run out along the nerve


def test_ephaptic_sparks_jump_between_neighbouring_fibres_at_the_patch():
    p = plan("aica-attached-segment")
    geom = p.spark_geometry
    assert len(geom) >= 5
    arc = p.nerve_arc_mm
    for g in geom:
        ends = [np.linalg.norm(p.fibres - e[None, None, :], axis=2) for e in (g[0], g[-1])]
        (f0, s0), (f1, s1) = (np.unravel_index(np.argmin(d), d.shape) for d in ends)
        assert min(d.min() for d in ends) < 0.2  # both ends on a fibre
        assert min(abs(f0 - f1), p.n_fibres - abs(f0 - f1)) == 1  # adjacent fibres
        lo, hi = p.patch_arc_mm
        assert lo - 0.3 <= arc[s0] <= hi + 0.3
    seen = [p.state_at(t) for t in times(p)]
    assert any(len(s.spark_ids) for s in seen)
    assert all(((s.spark_strength > 0) & (s.spark_strength <= 1)).all() for s in seen)


@pytest.mark.parametrize("name", ALL)
def test_patch_only_on_central_myelin(name):
    p = plan(name)
    tz1 = p.tz_arc_mm[1]
    if p.patch_arc_mm is None:
        assert all(p.state_at(t).patch_intensity == 0.0 for t in times(p, 37))
        assert p.mode != "chain"
        return
    lo, hi = p.patch_arc_mm
    assert 0.0 <= lo < hi <= tz1 + 1e-9  # never beyond the end of the transition zone
    assert hi - lo <= 5.0 + 1e-9  # a few mm
    if p.on_central_myelin:
        assert lo <= p.culprit_arc_mm <= hi
    assert max(p.state_at(t).patch_intensity for t in times(p, 37)) > 0.5 * p.patch_max


def test_peripheral_only_contact_has_no_patch_and_no_impulses():
    p = plan("distal-cisternal-aica")
    assert p.culprit_myelin == "peripheral" and not p.on_central_myelin
    assert p.patch_arc_mm is None and not p.has_impulses and not len(p.spark_geometry)
    for t in times(p):
        st = p.state_at(t)
        assert len(st.points) == 0 and len(st.sparks) == 0 and st.patch_intensity == 0.0 and st.nucleus_glow == 0.0
    assert max(p.state_at(t).tz_glow for t in times(p)) == pytest.approx(1.0)  # the TZ ring is the point
    text = " ".join(c.text for c in p.captions).lower()
    assert "less likely symptomatic" in text and "schwann" in text and "transition zone" in text
    keys = set(p.sources)
    assert {"gupta-2023", "tomii-2003", "lacombe-2009"} <= keys


@pytest.mark.parametrize("name", ALL)
def test_loop_is_exact(name):
    p = plan(name)
    for t in (0.0, 0.37, 3.21, 7.55, 9.99, p.period_s - 0.01):
        a = p.state_at(t)
        for k in (1, 3, -2):
            b = p.state_at(t + k * p.period_s)
            assert a.t == b.t and a.step == b.step and a.caption == b.caption
            assert np.array_equal(a.points, b.points) and np.array_equal(a.ids, b.ids)
            assert np.array_equal(a.kinds, b.kinds) and np.array_equal(a.sparks, b.sparks)
            assert (a.patch_intensity, a.nucleus_glow, a.tz_glow) == (b.patch_intensity, b.nucleus_glow, b.tz_glow)


@pytest.mark.parametrize("name", ALL)
def test_every_event_starts_and_ends_inside_one_loop(name):
    p = plan(name)
    assert np.all(p._ev_t0 >= 0) and np.all(p._ev_t0 + p._ev_dur < p.period_s)
    assert np.all(p._sp_t0 >= 0)
    # the loop is seamless: nothing in flight at its start or end, nucleus and patch dark
    for t in (0.0, p.period_s - 1e-6):
        st = p.state_at(t)
        assert len(st.points) == 0 and st.nucleus_glow < 0.05 and st.patch_intensity < 0.05
    assert set(p.event_kinds()) <= set(IMPULSE_KINDS)


def test_period_scales_the_whole_schedule():
    a = plan("aica-attached-segment")
    b = plan("aica-attached-segment", 6.0)
    assert b.caption_starts == pytest.approx([s / 2 for s in a.caption_starts])
    for t in (1.0, 2.3, 3.9, 4.7):
        sa, sb = a.state_at(2 * t), b.state_at(t)
        assert sa.step == sb.step and np.array_equal(sa.ids, sb.ids)
        np.testing.assert_allclose(sa.points, sb.points, atol=1e-9)
    with pytest.raises(ValueError):
        build_mechanism_plan(findings("idiopathic"), period_s=0)


def test_captions_name_the_culprit_and_its_segment():
    for name in (
        "aica-attached-segment",
        "pica-root-exit-point",
        "aica-root-detachment-point",
        "distal-cisternal-aica",
        "venous-compression",
        "pica-aneurysm",
    ):
        f = findings(name)
        c = f.culprit_contact()
        p = plan(name)
        first = p.captions[0].text
        assert c.label in first and SEGMENT_NAMES[c.segment] in first and c.segment in first, (name, first)
        assert c.severity in first.lower()
        assert 4 <= len(p.captions) <= 6
    assert "central myelin" in plan("aica-attached-segment").captions[0].text


@pytest.mark.parametrize("name", ALL)
def test_captions_are_short_sourced_and_timed(name):
    p = plan(name)
    assert len(p.captions) == len(p.caption_starts) >= 1
    assert p.caption_starts[0] == 0.0 and all(np.diff(p.caption_starts) > 1.0)  # ~2 s or more each
    for c in p.captions:
        # short enough for big type (labels are the user's: not counted; the view shrinks what is too wide)
        assert c.title and c.detail and len(c.title.replace(p.culprit_label or "\0", "")) <= 62, c
        assert len(c.detail.replace(p.culprit_label or "\0", "")) <= 100, c
        assert c.sources and all(k in BIBLIOGRAPHY for k in c.sources), c
    steps = [p.state_at(t).step for t in times(p)]
    assert steps == sorted(steps) and set(steps) == set(range(len(p.captions)))


def test_non_vascular_and_idiopathic_captions():
    central = plan("brainstem-ms-plaque")
    assert central.patch_arc_mm is None and set(central.event_kinds()) == {"efferent"}
    assert "nucleus" in central.captions[0].text.lower()
    assert max(central.state_at(t).nucleus_glow for t in times(central)) == pytest.approx(1.0)
    bells = plan("post-bells-palsy")
    assert bells.patch_arc_mm is None and set(bells.event_kinds()) == {"efferent"}
    assert "regenerat" in " ".join(c.text for c in bells.captions).lower()
    assert "synkinesis" in " ".join(c.text for c in bells.captions).lower()
    tumour = plan("vestibular-schwannoma")
    assert "mass effect" in tumour.captions[0].text.lower() and "Vestibular schwannoma" in tumour.captions[0].text
    lo, hi = tumour.patch_arc_mm  # peripheral contact: the stretched root exit zone demyelinates, at the TZ
    assert lo >= tumour.tz_arc_mm[0] - 1.0 and hi <= tumour.tz_arc_mm[1]
    idio = plan("idiopathic")
    assert not idio.has_impulses and idio.patch_arc_mm is None and idio.culprit_label is None
    assert "no vessel or lesion" in idio.captions[0].text.lower()
    venous = plan("venous-compression")
    assert venous.patch_max < 1.0 and "vein" in venous.captions[0].text
    assert len(venous.event_kinds()) < len(plan("aica-attached-segment").event_kinds())


def test_fibres_lie_on_the_given_centreline(anatomy):
    fn = anatomy.facial_nerve
    p = plan("aica-attached-segment")
    d = np.linalg.norm(p.fibres - fn.points_mm[None], axis=2)
    np.testing.assert_allclose(d, p.fibre_radius_mm, rtol=1e-6)
    assert p.n_fibres == 6 and p.fibre_radius_mm > fn.radius_mm  # just outside the surface: drawn over it
    moved = np.array(fn.points_mm) + [0.0, 0.0, 1.0]
    q = build_mechanism_plan(findings("aica-attached-segment"), centerline_mm=moved)
    np.testing.assert_allclose(q.fibres - p.fibres, np.broadcast_to([0.0, 0.0, 1.0], p.fibres.shape), atol=1e-9)
    assert moved.flags.writeable  # the caller's array is copied, not frozen
    with pytest.raises(ValueError):
        build_mechanism_plan(findings("aica-attached-segment"), centerline_mm=moved[:-1])
    # the pathway runs from the root exit side to the nucleus
    assert np.linalg.norm(p.pathway_mm[-1] - anatomy.landmarks["facial_motor_nucleus"]) < 1e-9
    assert np.linalg.norm(p.pathway_mm[0] - fn.points_mm[0]) < 3.0


def test_deterministic():
    # speed (plan build, state_at) is measured by scripts/benchmarks/bench_mechanism.py, not asserted here
    f = findings("aica-attached-segment")
    a = build_mechanism_plan(f)
    b = build_mechanism_plan(f)
    for t in (2.0, 4.4, 6.1, 8.0, 10.2):
        assert np.array_equal(a.state_at(t).points, b.state_at(t).points)


def test_the_culprit_is_one_contact_read_from_the_findings():
    from viewer.mechanism_anim import CulpritSite

    f = findings("aica-attached-segment")
    cc = f.culprit_contact()
    p = plan("aica-attached-segment")
    c = p.culprit
    assert isinstance(c, CulpritSite)
    assert (c.id, c.source, c.label, c.kind, c.segment, c.myelin, c.severity, c.arc_mm, c.arc_range_mm) == (
        cc.id,
        cc.source,
        cc.label,
        cc.kind,
        cc.segment,
        cc.myelin,
        cc.severity,
        cc.arc_mm,
        cc.arc_range_mm,
    )
    np.testing.assert_array_equal(c.point_mm, cc.nerve_point_mm)
    assert not c.point_mm.flags.writeable
    assert (p.culprit_id, p.culprit_label, p.culprit_arc_mm, p.on_central_myelin) == (cc.id, cc.label, cc.arc_mm, True)
    idio = plan("idiopathic")
    assert idio.culprit is None and idio.culprit_id is None and not idio.on_central_myelin


def test_plan_mode_follows_the_mechanism_kind():
    from viewer.mechanism_anim import CulpritSite, plan_mode

    c = CulpritSite.from_findings(findings("distal-cisternal-aica"))
    assert plan_mode("arterial_nvc", c) == plan_mode("venous", c) == plan_mode("secondary_lesion", None) == "chain"
    assert plan_mode("peripheral_nvc", c) == "peripheral" and plan_mode("peripheral_nvc", None) == "none"
    assert plan_mode("central", None) == "central" and plan_mode("post_bells", None) == "synkinesis"
    assert plan_mode("post_trauma", None) == "synkinesis" and plan_mode("inflammatory", None) == "chain"
    assert plan_mode("idiopathic", None) == "none"


def _history_plan(flag: str, vessel_preset: str | None = None) -> MechanismPlan:
    from dataclasses import replace

    from viewer.scenario import History, default_scenario

    s = load_preset(vessel_preset) if vessel_preset else default_scenario()
    return build_mechanism_plan(analyze(replace(s, history=History(**{flag: True}))))


def test_post_trauma_is_synkinesis_with_ephaptic_sparks_at_the_injured_end():
    p = _history_plan("facial_trauma")
    assert (p.kind, p.mode) == ("post_trauma", "synkinesis") and p.patch_arc_mm is None
    assert set(p.event_kinds()) == {"efferent", "ephaptic"}
    text = " ".join(c.text for c in p.captions).lower()
    assert "injury" in text and "regenerat" in text and "ephaptic" in text
    sparks = [s for t in times(p) for s in p.state_at(t).sparks]
    assert sparks  # cross-talk where the injured fibres lie, beyond the root exit zone
    arcs = [a for tr in tracks(p, "ephaptic").values() for (_, _, a) in tr]
    assert min(arcs) > p.tz_arc_mm[1] and max(p.state_at(t).patch_intensity for t in times(p, 37)) == 0.0
    bells = plan("post-bells-palsy")  # Bell's palsy keeps its own captions and no sparks
    assert "Bell" in bells.captions[0].text and not any(len(bells.state_at(t).sparks) for t in times(bells))


def test_inflammatory_is_a_demyelination_patch_without_a_compressor():
    p = _history_plan("inflammatory")
    assert (p.kind, p.mode) == ("inflammatory", "chain") and p.culprit is None
    lo, hi = p.patch_arc_mm  # at the root exit zone's transition zone, on central myelin
    assert p.tz_arc_mm[0] - 1.0 <= lo < hi <= p.tz_arc_mm[1]
    assert {"ectopic", "ephaptic", "antidromic", "efferent"} == set(p.event_kinds())
    assert p._throb_beats == 0  # no pulsatile vessel: the patch does not beat with the heart
    text = " ".join(c.text for c in p.captions).lower()
    assert "inflammation" in text and "no compression" in text and "demyelination" in text
    assert "mvd is not indicated" in text


@pytest.mark.parametrize("flag", ["facial_trauma", "inflammatory"])
def test_a_compression_keeps_its_own_animation_with_a_history(flag):
    p = _history_plan(flag, "aica-attached-segment")
    assert (p.kind, p.mode) == ("arterial_nvc", "chain") and p.culprit_id == "aica"
    assert p.captions == plan("aica-attached-segment").captions


@pytest.mark.parametrize("flag", ["facial_trauma", "inflammatory"])
def test_history_plans_loop_exactly_with_short_sourced_captions(flag):
    p = _history_plan(flag)
    assert p.state_at(1.234).t == pytest.approx(p.state_at(1.234 + p.period_s).t)
    for c in p.captions:
        assert len(c.title) <= 62 and len(c.detail) <= 100, c
        assert c.sources and all(k in BIBLIOGRAPHY for k in c.sources), c
    steps = [p.state_at(t).step for t in times(p)]
    assert steps == sorted(steps) and set(steps) == set(range(len(p.captions)))
