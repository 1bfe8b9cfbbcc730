"""MVD rehearsal (viewer.decompression): pad and sling routing, the decompression check and its JSON.

Oracles are independent of the routing code: distances to CN VII are taken to its dense samples,
overlap with a pad by sampling the pad's surface densely, lengths from the routed courses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from viewer import decompression as D
from viewer.analysis import analyze, format_report
from viewer.anatomy import build_anatomy
from viewer.presets import load_preset
from viewer.scenario import Pad, Sling, dumps_scenario, mirror_scenario
from viewer.scene_model import SceneModel
from viewer.sources import BIBLIOGRAPHY

ROOT = Path(__file__).resolve().parents[2]
A = build_anatomy()
FN = A.facial_nerve
R7 = FN.radius_mm


def nerve_distance(points) -> np.ndarray:
    """Distance of each point to CN VII's centreline (its 0.2 mm samples)."""
    p = np.atleast_2d(points)
    return np.sqrt(((p[:, None, :] - FN.points_mm[None]) ** 2).sum(-1)).min(axis=1)


def pad_surface(pad: Pad, n: int = 4000) -> np.ndarray:
    v = np.random.default_rng(1).normal(size=(n, 3))
    v /= np.linalg.norm(v, axis=1)[:, None]
    return np.asarray(pad.center_mm) + (v * np.asarray(pad.radii_mm)) @ pad.axes_matrix


def inside_pad(pad: Pad, points) -> np.ndarray:
    q = (np.atleast_2d(points) - np.asarray(pad.center_mm)) @ pad.axes_matrix.T / np.asarray(pad.radii_mm)
    return np.linalg.norm(q, axis=1) < 1.0


def tube_clearance(pad: Pad, course, radius) -> float:
    """Smallest distance from the vessel's wall to the pad's surface (negative: they overlap)."""
    surf = pad_surface(pad)
    d = np.sqrt(((np.asarray(course)[:, None, :] - surf[None]) ** 2).sum(-1)).min(axis=1)
    d[inside_pad(pad, course)] *= -1.0
    return float((d - radius).min())


def pad_between(s, vessel_id: str, gap: float, half_thickness=0.5, half_width=1.5, pad_id="pad") -> Pad:
    """A flat pad between CN VII and the vessel at its deepest contact, its nerve-side face `gap` mm off the nerve."""
    f = analyze(s)
    c = min((c for c in f.contacts if c.id == vessel_id and c.structure == "CN VII"), key=lambda c: c.gap_mm)
    n, o = np.asarray(c.nerve_point_mm), np.asarray(c.other_point_mm)
    u = (o - n) / np.linalg.norm(o - n)
    t = FN.point_at(c.arc_mm + 0.1) - FN.point_at(c.arc_mm - 0.1)
    t -= (t @ u) * u
    t /= np.linalg.norm(t)
    centre = n + u * (R7 + gap + half_thickness)
    return Pad(pad_id, centre, (half_thickness, half_width, half_width), (u, t, np.cross(u, t)))


def codes(findings) -> list[str]:
    return [w["code"] for w in findings.decompression["warnings"]]


AICA = load_preset("aica-attached-segment")
AICA_PAD = AICA.with_pad(pad_between(AICA, "aica", gap=0.3))


# ------------------------------------------------------------------ pad routing


def test_a_vessel_overlapping_a_pad_ends_on_its_far_side_clear_of_it():
    pad = AICA_PAD.pads[0]
    v = AICA.vessel("aica")
    assert tube_clearance(pad, v.course_mm, v.radius_mm) < -0.5  # the loop runs through the pad before
    routed = D.route(AICA_PAD, A)
    new = routed.scenario.vessel("aica")
    assert tube_clearance(pad, new.course_mm, new.radius_mm) >= -0.02  # rests on it, at most a hair in
    assert tube_clearance(pad, new.course_mm, new.radius_mm) <= 0.3  # ... and rests on it
    # far side: the vessel points next to the pad lie beyond its centre, seen from the nerve
    centre = np.asarray(pad.center_mm)
    away = centre - FN.points_mm[np.argmin(np.linalg.norm(FN.points_mm - centre, axis=1))]
    c = new.course_mm
    near = c[np.linalg.norm(c - centre, axis=1) < max(pad.radii_mm) + new.radius_mm + 0.5]
    assert len(near) and np.all((near - centre) @ away > 0)
    assert nerve_distance(c).min() > nerve_distance(v.course_mm).min() + 1.0
    # only the aica moved, its origin stays, and it keeps its length
    assert set(routed.vessels) == {"aica"}
    np.testing.assert_allclose(c[0], v.course_mm[0], atol=1e-3)
    assert routed.vessels["aica"].length_ratio == pytest.approx(1.0, abs=0.03)


def test_a_vessel_clear_of_the_pads_is_left_alone():
    far = Pad("far", (-30.0, 20.0, 20.0), (1.0, 1.0, 1.0))
    routed = D.route(AICA.with_pad(far), A)
    assert routed.vessels == {}
    assert routed.scenario.vessels == AICA.vessels
    assert routed.scenario.pads == () and routed.scenario.slings == ()


def _random_pads(n: int, seed: int):
    rng = np.random.default_rng(seed)
    v = AICA.vessel("aica")
    course = v.course_mm
    out = []
    for k in range(n):
        base = course[rng.integers(20, len(course) - 20)]
        centre = base + rng.normal(scale=1.5, size=3)
        q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
        radii = rng.uniform(0.5, 3.0, size=3)
        out.append(Pad(f"p{k}", centre, radii, q))
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_pad_never_pushes_a_vessel_towards_the_nerve(seed):
    """Property over random pads on and around the AICA loop: no course point comes closer to CN VII."""
    moved_any = 0
    for pad in _random_pads(25, seed):
        s = AICA.with_pad(pad)
        routed = D.route(s, A)
        for vid, rv in routed.vessels.items():
            before = nerve_distance(s.vessel(vid).course_mm)
            after = nerve_distance(rv.course_mm)
            assert after.shape == before.shape
            worst = float((before - after).max())
            assert worst <= 0.02, f"{pad}: {vid} point {int(np.argmax(before - after))} came {worst:.3f} mm closer"
            moved_any += 1
    assert moved_any >= 10  # the pads did move vessels: the property was exercised


def test_routed_vessels_stay_outside_the_brainstem():
    for pad in _random_pads(15, 7):
        routed = D.route(AICA.with_pad(pad), A)
        for vid, rv in routed.vessels.items():
            r = AICA.vessel(vid).radius_mm
            assert float((A.brainstem_sdf(rv.course_mm) - r).min()) >= -0.01, vid


# ------------------------------------------------------------------ slings


def _course_arcs(c):
    return np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(c, axis=0), axis=1))])


@pytest.mark.parametrize("pull", [2.0, 4.0])
def test_a_sling_pulls_the_point_to_its_anchor_keeping_origin_and_length(pull):
    s = AICA
    v = s.vessel("aica")
    c = v.course_mm
    arcs = _course_arcs(c)
    at = 0.55 * arcs[-1]
    p = c[np.argmin(np.abs(arcs - at))]
    # pull sideways, away from the brainstem
    g = p - np.array([0.0, p[1], p[2]])
    anchor = p + pull * g / np.linalg.norm(g)
    plan = s.with_sling(Sling("sling", "aica", at, anchor))
    routed = D.route(plan, A)
    new = routed.scenario.vessel("aica").course_mm
    assert np.linalg.norm(new - anchor, axis=1).min() < 0.05  # the course passes through the anchor
    np.testing.assert_allclose(new[0], c[0], atol=1e-3)  # the origin stays
    rv = routed.vessels["aica"]
    assert rv.slung
    length = _course_arcs(new)[-1]
    assert length / arcs[-1] == pytest.approx(rv.length_ratio, abs=0.01)
    # a pull of a few mm barely changes the length: far less than moving the point by `pull` would
    assert abs(rv.length_ratio - 1.0) < 0.02


def test_a_sling_keeps_a_branch_origin_in_place():
    s = load_preset("vertebral-tandem")
    va = s.vessel("va_left")
    pica_origin = np.asarray(s.vessel("pica").centerline_mm[0])
    c = va.course_mm
    i = int(np.argmin(np.linalg.norm(c - pica_origin, axis=1)))
    arcs = _course_arcs(c)
    plan = s.with_sling(
        Sling("sling", "va_left", arcs[i] + 12.0, c[np.argmin(np.abs(arcs - arcs[i] - 12))] + [-3, 0, 0])
    )
    new = D.route(plan, A).scenario.vessel("va_left").course_mm
    assert np.linalg.norm(new - c[i], axis=1).min() < 0.05  # the PICA still starts on the vertebral artery


# ------------------------------------------------------------------ status and classification


def test_a_pad_between_vessel_and_nerve_decompresses():
    f = analyze(AICA_PAD)
    d = f.decompression
    assert d["status"] == "decompressed"
    assert f.classification == ("decompressed",)
    assert not [c for c in f.contacts if c.structure == "CN VII"]
    before = analyze(AICA)
    assert d["before"]["classification"] == list(before.classification) == ["single"]
    assert d["before"]["culprit"] == before.culprit == "aica"
    assert d["before"]["contacts"] == [c.to_dict() for c in before.contacts]
    assert f.mechanism.kind == "decompressed"


def test_a_pad_beside_the_contact_leaves_residual_compression():
    small = Pad("pad", (-30.0, 20.0, 20.0), (0.5, 0.5, 0.5))
    f = analyze(AICA.with_pad(small))
    assert f.decompression["status"] == "residual_compression"
    assert f.classification == ("single",) and "decompressed" not in f.classification


def test_a_plan_without_compression_before_is_not_decompressed():
    s = load_preset("idiopathic").with_pad(Pad("pad", (-30.0, 20.0, 20.0), (1.0, 1.0, 1.0)))
    f = analyze(s)
    assert f.decompression["status"] == "residual_compression"
    assert f.classification == ("idiopathic",)


def test_history_tags_survive_decompression():
    from dataclasses import replace

    from viewer.scenario import History

    f = analyze(replace(AICA_PAD, history=History(prior_bells_palsy=True)))
    assert f.classification == ("post_bells", "decompressed")
    assert f.decompression["before"]["classification"] == ["single", "post_bells"]


# ------------------------------------------------------------------ warnings


def test_pad_compresses_nerve_fires_beyond_a_tenth_of_the_diameter():
    deep = analyze(AICA.with_pad(pad_between(AICA, "aica", gap=-0.3)))
    assert "pad_compresses_nerve" in codes(deep)
    c7 = [c for c in deep.decompression["pad_contacts"] if c["structure"] == "CN VII"]
    assert max(c["penetration_mm"] for c in c7) > 0.1 * 2 * R7
    light = analyze(AICA.with_pad(pad_between(AICA, "aica", gap=-0.05)))
    assert "pad_compresses_nerve" not in codes(light)
    assert "pad_compresses_nerve" not in codes(analyze(AICA_PAD))


def test_pad_on_rez_fires_on_central_myelin_only():
    on = analyze(AICA.with_pad(pad_between(AICA, "aica", gap=-0.05)))  # the attached segment: central myelin
    assert "pad_on_rez" in codes(on)
    assert any(c["myelin"] == "central" and c["structure"] == "CN VII" for c in on.decompression["pad_contacts"])
    off = analyze(AICA_PAD)  # the same pad 0.3 mm off the root
    assert "pad_on_rez" not in codes(off)
    assert not [c for c in off.decompression["pad_contacts"] if c["structure"] == "CN VII"]
    # a pad touching the peripheral (distal cisternal) nerve only is no pad on the REZ
    arc = FN.tz_arc_mm[1] + 4.0
    p = FN.point_at(arc)
    t = FN.point_at(arc + 0.1) - FN.point_at(arc - 0.1)
    t /= np.linalg.norm(t)
    u = np.cross(t, [0.0, 0.0, 1.0])
    u /= np.linalg.norm(u)
    distal = Pad("pad", p + u * (R7 + 0.5 - 0.05), (0.5, 1.0, 1.0), (u, t, np.cross(u, t)))
    f = analyze(AICA.with_pad(distal))
    c7 = [c for c in f.decompression["pad_contacts"] if c["structure"] == "CN VII"]
    assert c7 and all(c["myelin"] == "peripheral" for c in c7) and all(c["segment"] == "CP" for c in c7)
    assert "pad_on_rez" not in codes(f)


@pytest.mark.parametrize("semi_axis, fires", [(4.5, True), (4.0, False), (2.0, False)])
def test_pad_oversized_fires_beyond_4_mm(semi_axis, fires):
    pad = Pad("pad", (-30.0, 20.0, 20.0), (1.0, semi_axis, 1.0))
    assert ("pad_oversized" in codes(analyze(AICA.with_pad(pad)))) is fires


def _va_sling(at: float):
    from viewer import sdf

    s = load_preset("vertebral-tandem")
    va = s.vessel("va_left")
    c = va.course_mm
    p = c[np.argmin(np.abs(_course_arcs(c) - at))]
    anchor = sdf.project_to_surface(A.petrous.sdf, p[None], offset=va.radius_mm)[0]  # on the petrous dura
    return s.with_sling(Sling("sling", "va_left", at, anchor))


def test_sling_stretches_vessel_fires_beyond_10_percent():
    far = _va_sling(16.0)
    rv = D.route(far, A).vessels["va_left"]
    assert rv.length_ratio > 1.10 and "sling_stretches_vessel" in codes(analyze(far))
    near = _va_sling(28.0)
    rv = D.route(near, A).vessels["va_left"]
    assert rv.length_ratio <= 1.10 and "sling_stretches_vessel" not in codes(analyze(near))


def test_vessel_kinked_fires_for_a_sharp_new_bend_only():
    sharp = _va_sling(31.0)  # pulled taut around the sling: a V
    rv = D.route(sharp, A).vessels["va_left"]
    assert rv.kinked and rv.min_bend_radius_mm < 2 * sharp.vessel("va_left").radius_mm
    assert "vessel_kinked" in codes(analyze(sharp))
    assert "vessel_kinked" not in codes(analyze(AICA_PAD))
    c = AICA.vessel("aica").course_mm
    arcs = _course_arcs(c)
    p = c[np.argmin(np.abs(arcs - 0.55 * arcs[-1]))]
    gentle = AICA.with_sling(Sling("sling", "aica", 0.55 * arcs[-1], p + [-1.0, 0.0, 0.0]))
    assert not D.route(gentle, A).vessels["aica"].kinked and "vessel_kinked" not in codes(analyze(gentle))


def test_every_warning_says_why_with_known_sources():
    plans = [AICA.with_pad(pad_between(AICA, "aica", gap=-0.3, half_width=4.5)), _va_sling(16.0)]
    seen = set()
    for plan in plans:
        for w in analyze(plan).decompression["warnings"]:
            assert set(w) == {"code", "text", "sources"}
            assert w["code"] in D.WARNING_CODES and len(w["text"]) > 40
            assert w["sources"] and set(w["sources"]) <= set(BIBLIOGRAPHY)
            seen.add(w["code"])
    assert seen == set(D.WARNING_CODES)


# ------------------------------------------------------------------ both sides


def test_the_right_side_gives_the_mirrored_result():
    right = mirror_scenario(AICA_PAD)
    fl, fr = analyze(AICA_PAD), analyze(right)
    assert fr.side == "right" and fr.decompression["status"] == fl.decompression["status"]
    assert fr.classification == fl.classification
    assert codes(fr) == codes(fl)
    assert fr.decompression["before"]["classification"] == fl.decompression["before"]["classification"]
    strip = lambda cs: [{k: v for k, v in c.items() if k != "gap_mm" and k != "penetration_mm"} for c in cs]  # noqa: E731
    assert strip(fr.decompression["pad_contacts"]) == strip(fl.decompression["pad_contacts"])
    left_c = D.route(AICA_PAD, A).scenario.vessel("aica").course_mm
    right_c = D.route(right, build_anatomy("right")).scenario.vessel("aica").course_mm
    np.testing.assert_allclose(right_c * [-1, 1, 1], left_c, atol=0.05)


# ------------------------------------------------------------------ contract and integration


def test_json_contract_of_the_decompression_block():
    d = analyze(AICA.with_pad(pad_between(AICA, "aica", gap=-0.05))).to_dict()
    json.dumps(d)
    block = d["decompression"]
    assert set(block) == {"status", "before", "pad_contacts", "warnings"}
    assert block["status"] in ("decompressed", "residual_compression")
    assert set(block["before"]) == {"classification", "culprit", "contacts"}
    assert block["pad_contacts"]
    for c in block["pad_contacts"]:
        assert set(c) == {"pad", "structure", "segment", "myelin", "gap_mm", "penetration_mm"}
        assert c["structure"] in ("CN VII", "CN VIII", "brainstem")
        assert c["myelin"] in ("central", "peripheral", None)
        assert c["penetration_mm"] == pytest.approx(max(0.0, -c["gap_mm"]), abs=1e-3)
        if c["structure"] != "CN VII":
            assert c["segment"] is None and c["myelin"] is None


def test_a_scenario_without_pads_or_slings_has_a_null_block():
    d = analyze(load_preset("aica-attached-segment")).to_dict()
    assert "decompression" in d and d["decompression"] is None
    assert "decompression" in json.dumps(d)


def test_cli_analyze_prints_the_block_and_the_report_part(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(dumps_scenario(AICA_PAD), "utf-8")
    env = {"PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-m", "viewer", "analyze", str(path), "--json"], capture_output=True, text=True, env=env
    )
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert d["decompression"]["status"] == "decompressed" and d["classification"] == ["decompressed"]
    text = format_report(analyze(AICA_PAD))
    assert "Decompression" in text and "Status: decompressed" in text and "Before the plan: single" in text


def test_scene_state_draws_and_deforms_with_the_routed_vessels():
    model = SceneModel(scenario=AICA_PAD)
    st = model.state
    assert st.effective_scenario.vessel("aica") != AICA_PAD.vessel("aica")
    assert st.effective_scenario.pads == () and st.scenario.pads == AICA_PAD.pads
    assert st.deformation.is_rest  # the routed AICA no longer touches the nerve
    assert set(st.routing.vessels) == {"aica"} and st.routing.scenario.vessels == st.effective_scenario.vessels
    plain = SceneModel(scenario=AICA).state
    assert plain.effective_scenario is plain.scenario
    assert not plain.deformation.is_rest  # the loop indents the nerve without the pad


@pytest.mark.parametrize(
    "name, warnings",
    [
        ("mvd-aica-pad", []),
        ("mvd-vertebral-sling", ["vessel_kinked"]),  # its teaching note says so
        ("mvd-pica-rexp-pad", []),
        ("mvd-pad-on-rez", ["pad_on_rez"]),
        ("mvd-right-aica-pad", []),
    ],
)
def test_rehearsal_presets_decompress_with_the_warnings_their_notes_describe(name, warnings):
    s = load_preset(name)
    f = analyze(s)
    assert f.decompression["status"] == "decompressed"
    assert codes(f) == warnings
    assert f.decompression["before"]["classification"] == list(analyze(D.without_plan(s)).classification)
    assert f.decompression["before"]["culprit"] is not None


@pytest.mark.parametrize("side", ["left", "right"])
def test_insert_pad_at_the_culprit_contact_decompresses(side):
    s = AICA if side == "left" else mirror_scenario(AICA)
    a = build_anatomy(side)
    pad = D.pad_at_contact(s, a)
    assert pad is not None and pad.id == "pad-1" and pad.id not in s.ids
    assert np.allclose(pad.axes_matrix @ pad.axes_matrix.T, np.eye(3), atol=1e-3)
    f = analyze(s.with_pad(pad), a)
    assert f.decompression["status"] == "decompressed" and codes(f) == []
    assert D.pad_at_contact(s.with_pad(pad), a).id == "pad-2"  # ids never collide
    assert D.pad_at_contact(load_preset("idiopathic"), A) is None  # nothing to decompress


def test_a_sling_to_the_dura_is_anchored_on_the_petrous_face():
    s = load_preset("vertebral-tandem")
    sl = D.sling_to_dura(s, A, "va_left", 25.0)
    r = s.vessel("va_left").radius_mm
    assert sl.vessel == "va_left" and sl.at_mm == 25.0 and sl.id == "sling-1"
    assert float(A.petrous.sdf(np.asarray(sl.anchor_mm)[None])[0]) == pytest.approx(r, abs=0.01)


def test_a_pad_in_the_line_of_sight_hides_part_of_the_root_exit_zone():
    from dataclasses import replace

    from viewer.corridor import corridor_visibility
    from viewer.scenario import Corridor

    vis = corridor_visibility(A)
    base = vis.fraction(8.0, AICA.vessels)
    seen = vis.targets[vis.target_visible(8.0, AICA.vessels)]
    assert base > 0.2 and len(seen)
    # a pad on the way from the keyhole to what is seen, 3 mm in front of the nerve
    centre = seen.mean(axis=0)
    towards = A.surgical.craniotomy_centre - centre
    pad = Pad("pad", centre + 3.0 * towards / np.linalg.norm(towards), (2.0, 2.0, 2.0))
    assert vis.fraction(8.0, AICA.vessels, pads=(pad,)) < base - 0.1
    far = Pad("far", (-30.0, 20.0, 20.0), (1.0, 1.0, 1.0))
    assert vis.fraction(8.0, AICA.vessels, pads=(far,)) == base
    # the findings of a plan with a corridor count its pads (and its routed vessels)
    plan = replace(AICA.with_pad(pad), corridor=Corridor(8.0))
    st = SceneModel(scenario=plan).state
    assert st.findings.corridor["rez_visible_fraction"] < base - 0.1


def test_routing_uses_the_anatomy_of_the_plans_side():
    right = mirror_scenario(AICA_PAD)
    assert D.route(right).scenario.vessel("aica") == D.route(right, build_anatomy("right")).scenario.vessel("aica")
    with pytest.raises(ValueError, match="right-sided"):
        D.route(right, A)
