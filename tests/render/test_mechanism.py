"""Mechanism view (viewer.render.mechanism) on an offscreen scene: colours, patch, impulses, nucleus, caption."""

from __future__ import annotations

import time

import numpy as np
import pytest
import pyvista as pv

from viewer.mechanism_anim import build_mechanism_plan
from viewer.presets import load_preset
from viewer.render.mechanism import IMPULSE_COLOURS, MYELIN_COLOURS, PATCH_COLOUR, MechanismView
from viewer.render.scenario_view import ScenarioView
from viewer.render.scene import Scene, load_meshes

pytestmark = pytest.mark.render

SIZE = (640, 400)


@pytest.fixture(scope="module")
def mesh_set():
    return load_meshes()


def make(mesh_set, preset: str, view: str = "rez_closeup"):
    pl = pv.Plotter(off_screen=True, window_size=list(SIZE))
    sc = Scene(pl, mesh_set)
    sc.set_view(view)
    sv = ScenarioView(sc)
    state = sv.show(load_preset(preset))
    f = state.findings
    plan = build_mechanism_plan(f, centerline_mm=sv.deformation.centerline)
    mv = MechanismView(sc)
    mv.set_plan(plan)
    return pl, sc, sv, mv, f


@pytest.fixture
def aica(mesh_set):
    pl, sc, sv, mv, f = make(mesh_set, "aica-attached-segment")
    yield pl, sc, sv, mv, f
    mv.close()
    pl.close()


def shot(pl) -> np.ndarray:
    pl.render()
    return np.asarray(pl.screenshot(None, return_img=True))[..., :3].astype(int)


def near(img, rgb, tol=45):
    return np.abs(img - np.array(rgb)).max(axis=-1) < tol


def all_actors(pl, mv):
    return list(pl.renderer.actors.values()), [
        mv.overlay.GetActors().GetItemAsObject(i) for i in range(mv.overlay.GetActors().GetNumberOfItems())
    ]


def test_enabling_colours_cn7_by_myelin_and_disabling_restores_exactly(aica):
    pl, sc, sv, mv, f = aica
    mesh = sc.mesh_set.meshes["cn7"]
    mapper = sc.actors["cn7"].GetMapper()
    rgb_before = np.array(mesh.point_data["rgb"], copy=True)
    mapper_before = (mapper.GetScalarMode(), mapper.GetArrayName(), mapper.GetColorMode(), mapper.GetScalarVisibility())
    img_before = shot(pl)
    assert near(img_before, MYELIN_COLOURS["peripheral"], 30).sum() < 50  # (the axes marker has a little green)

    mv.set_enabled(True)
    mv.update(1.0)  # step 1: patch ramping up
    assert mapper.GetArrayName() == "myelin_rgb"
    arc = mesh.point_data["arc_mm"]
    colours = mv._myelin
    tz0, tz1 = mv.plan.tz_arc_mm
    lo, hi = mv.plan.patch_arc_mm
    central = (arc < tz0 - 0.1) & ((arc < lo - 0.5) | (arc > hi + 0.5))
    peripheral = arc > tz1 + 0.5
    junction = np.abs(arc - tz1) < 0.2
    assert central.sum() > 100 and peripheral.sum() > 1000
    assert (colours[central] == MYELIN_COLOURS["central"]).all()
    assert (colours[peripheral] == MYELIN_COLOURS["peripheral"]).all()
    assert (colours[junction] == MYELIN_COLOURS["junction"]).all()
    img = shot(pl)
    assert near(img, MYELIN_COLOURS["peripheral"], 50).sum() > 300  # green distal CN VII on screen
    assert near(img, MYELIN_COLOURS["central"], 50).sum() > 30  # blue proximal (mostly behind the AICA here)
    np.testing.assert_array_equal(mesh.point_data["rgb"], rgb_before)  # the zone/heat colours untouched

    mv.set_enabled(False)
    assert (
        mapper.GetScalarMode(),
        mapper.GetArrayName(),
        mapper.GetColorMode(),
        mapper.GetScalarVisibility(),
    ) == mapper_before
    np.testing.assert_array_equal(mesh.point_data["rgb"], rgb_before)
    np.testing.assert_array_equal(shot(pl), img_before)  # the picture is exactly the one before


def test_myelin_colours_survive_a_drag_and_heat_colours_return(aica):
    pl, sc, sv, mv, f = aica
    mv.set_enabled(True)
    mv.update(2.0)
    # a drag re-deforms the nerve (LiveTubes writes points, normals and 'rgb' and marks them modified)
    sv.update_findings(sv.model.evaluate(load_preset("aica-attached-segment")))
    img = shot(pl)
    assert near(img, MYELIN_COLOURS["peripheral"], 50).sum() > 300
    assert sc.actors["cn7"].GetMapper().GetArrayName() == "myelin_rgb"
    mv.set_enabled(False)
    assert sc.actors["cn7"].GetMapper().GetArrayName() == "rgb"
    heat = sc.mesh_set.meshes["cn7"].point_data["rgb"]
    assert (np.abs(heat.astype(int) - [235, 40, 235]).max(axis=1) < 60).any()  # the dent's heat colours are back


def test_patch_is_drawn_and_the_culprit_turns_see_through(aica):
    pl, sc, sv, mv, f = aica
    aica_opacity = sc.actors["aica"].prop.opacity
    mv.set_enabled(True)
    st = mv.update(4.0)
    assert st.patch_intensity > 0.7
    assert mv.patch.actor.visibility
    lo, hi = mv.plan.patch_arc_mm
    arc = sc.mesh_set.meshes["cn7"].point_data["arc_mm"]
    mid = np.abs(arc - 0.5 * (lo + hi)) < 0.3
    assert (np.abs(mv._myelin[mid].astype(int) - PATCH_COLOUR).max(axis=1) < 60).all()
    assert sc.actors["aica"].prop.opacity < aica_opacity
    assert near(shot(pl), PATCH_COLOUR, 70).sum() > 200
    mv.set_enabled(False)
    assert sc.actors["aica"].prop.opacity == aica_opacity
    assert not mv.patch.actor.visibility


def test_impulses_move_in_place_without_new_actors(aica):
    pl, sc, sv, mv, f = aica
    mv.set_enabled(True)
    mv.update(4.4)
    actors0, overlay0 = all_actors(pl, mv)
    imp_actor = mv.impulses.actor
    s1 = mv.update(4.5)
    p1 = np.array(mv.impulses.poly.points[s1.ids])
    img1 = shot(pl)
    s2 = mv.update(4.7)
    p2 = np.array(mv.impulses.poly.points[s2.ids])
    img2 = shot(pl)
    assert len(s1.ids) >= 2 and mv.impulses.actor.GetVisibility()
    common = np.intersect1d(s1.ids, s2.ids)
    assert len(common)
    assert not np.allclose(p1[np.isin(s1.ids, common)], p2[np.isin(s2.ids, common)])
    np.testing.assert_allclose(p2, s2.points)
    assert mv.impulses.actor is imp_actor
    actors1, overlay1 = all_actors(pl, mv)
    assert len(actors1) == len(actors0) and len(overlay1) == len(overlay0)
    assert all(a is b for a, b in zip(overlay0, overlay1))
    yellow = IMPULSE_COLOURS["ectopic"]
    assert near(img1, yellow, 40).sum() > 20 and near(img2, yellow, 40).sum() > 20
    assert np.abs(img1 - img2).sum() > 0


def test_nucleus_visible_only_while_enabled_and_glows(aica):
    pl, sc, sv, mv, f = aica
    nuc = sc.actors["facial_nucleus"]
    colour0 = nuc.prop.color.float_rgb
    bs0 = sc.actors["brainstem"].prop.opacity
    assert not nuc.visibility
    mv.set_enabled(True)
    assert nuc.visibility and sc.actors["brainstem"].prop.opacity < bs0
    mv.update(1.0)
    dim = np.array(nuc.prop.color.float_rgb)
    st = mv.update(10.0)
    assert st.nucleus_glow == pytest.approx(1.0)
    assert np.array(nuc.prop.color.float_rgb)[0] > dim[0] and nuc.prop.ambient > 0.5
    mv.set_enabled(False)
    assert not nuc.visibility and nuc.prop.color.float_rgb == colour0
    assert sc.actors["brainstem"].prop.opacity == bs0


def test_caption_follows_the_steps_and_names_the_culprit(aica):
    pl, sc, sv, mv, f = aica
    mv.set_enabled(True)
    mv.update(0.5)
    text = mv.caption_text()
    assert "Left AICA" in text and "attached segment" in text and "1/6" in text
    assert mv.title.GetTextProperty().GetFontSize() >= SIZE[1] / 30  # big type
    mv.update(8.0)
    assert "Antidromic" in mv.caption_text() and "5/6" in mv.caption_text()
    img = shot(pl)
    bottom = img[int(SIZE[1] * 0.8) :]
    assert near(bottom, (255, 230, 64), 50).sum() > 200  # the yellow title is drawn at the bottom
    mv.set_enabled(False)
    assert mv.caption_text() == ""


def test_peripheral_only_contact_shows_no_patch_and_no_impulses(mesh_set):
    pl, sc, sv, mv, f = make(mesh_set, "distal-cisternal-aica")
    try:
        mv.set_enabled(True)
        for t in np.linspace(0.0, mv.plan.period_s, 25, endpoint=False):
            st = mv.update(t)
            assert not mv.patch.actor.visibility
            assert not mv.impulses.actor.GetVisibility() and not mv.sparks.actor.GetVisibility()
            assert len(st.points) == 0
        st = mv.update(mv.plan.caption_starts[-1] + 0.5)
        assert "Less likely symptomatic" in mv.caption_text()
        assert st.tz_glow > 0.2 and mv.tz_ring.actor.visibility
        sv.callouts.clear()  # (yellow boxes)
        img = shot(pl)[: int(SIZE[1] * 0.75)]  # above the (yellow) caption
        assert near(img, PATCH_COLOUR, 40).sum() == 0
        assert near(img, IMPULSE_COLOURS["ectopic"], 30).sum() == 0
        assert sc.actors["aica"].prop.opacity == 1.0  # no patch to show under it: the culprit stays opaque
    finally:
        mv.close()
        pl.close()


def test_set_plan_none_hides_and_close_removes_everything(mesh_set):
    pl, sc, sv, mv, f = make(mesh_set, "aica-attached-segment", "anterior")
    n_actors = len(pl.renderer.actors)
    n_layers = pl.render_window.GetRenderers().GetNumberOfItems()
    mv.set_enabled(True)
    mv.update(6.0)
    mv.set_plan(None)
    assert mv.update(6.5) is None
    assert not any(a.GetVisibility() for a in mv.actors)
    mv.set_plan(build_mechanism_plan(f))  # while enabled: shown again at once
    assert mv.fibres.actor.GetVisibility() and mv.caption_text()
    mv.close()
    assert len(pl.renderer.actors) < n_actors
    assert pl.render_window.GetRenderers().GetNumberOfItems() == n_layers - 1
    assert sc.actors["cn7"].GetMapper().GetArrayName() == "rgb"
    pd = sc.actors["cn7"].GetMapper().GetInput().GetPointData()
    assert pd.GetArray("myelin_rgb") is None
    assert not sc.actors["facial_nucleus"].visibility
    mv.close()  # twice is harmless
    shot(pl)
    pl.close()


def test_per_frame_update_cost(aica):
    pl, sc, sv, mv, f = aica
    mv.set_enabled(True)
    mv.update(0.0)
    ts = []
    for t in np.linspace(0.0, 12.0, 240, endpoint=False):
        t0 = time.perf_counter()
        mv.update(t)
        ts.append(time.perf_counter() - t0)
    med = float(np.median(ts))
    print(f"MechanismView.update: median {1e3 * med:.2f} ms, max {1e3 * max(ts):.2f} ms")
    assert med < 5e-3  # ~1 ms on the shared 2-core machine; far below a 40 ms frame
