"""Teflon pads and slings on a Scene (offscreen): felt that looks like felt, actors updated in place,
removed with their object, both sides."""

from __future__ import annotations

import numpy as np
import pytest
import pyvista as pv

from viewer.decompression import pad_at_contact
from viewer.pad_editing import INSERT_PAD_RADII_MM, rotated_pad
from viewer.presets import load_preset
from viewer.render.pads_view import CLIP_COLOUR, PadsView, felt_mesh, pad_matrix
from viewer.render.scenario_view import ScenarioView, warning_items
from viewer.render.scene import Scene, load_meshes
from viewer.scenario import Pad, Sling, mirror_scenario
from viewer.scene_model import SceneModel

pytestmark = pytest.mark.render


@pytest.fixture
def plotter():
    pl = pv.Plotter(off_screen=True, window_size=[400, 300])
    yield pl
    pl.close()


@pytest.fixture
def scene():
    pl = pv.Plotter(off_screen=True, window_size=[480, 360])
    sc = Scene(pl, load_meshes())
    yield sc
    pl.close()


def _pad_scenario(preset="aica-attached-segment"):
    s = load_preset(preset)
    m = SceneModel(scenario=s)
    pad = pad_at_contact(s, m.anatomy, radii_mm=INSERT_PAD_RADII_MM)
    return s.with_pad(pad), pad


def test_felt_is_a_lumpy_fibrous_white_ball_not_a_smooth_one():
    mesh = felt_mesh()
    r = np.linalg.norm(mesh.points, axis=1)
    assert 0.9 < r.min() and r.max() < 1.12 and r.std() > 0.01  # lumpy, still a ball of radius ~1
    rgb = np.asarray(mesh.point_data["rgb"], int)
    assert rgb.min() > 150 and np.ptp(rgb, axis=1).max() < 20  # white to light grey, no hue
    dark = rgb.mean(axis=1) < 0.9 * rgb.mean()
    assert 0.02 < dark.mean() < 0.5  # fibres: a minority of darker threads
    again = felt_mesh()
    assert again is not mesh and np.array_equal(again.points, mesh.points)  # deterministic, own object


def test_pad_actor_placed_by_its_matrix_matte_and_updated_in_place(plotter):
    view = PadsView(plotter)
    pad = Pad("pad-1", (1.0, 2.0, 3.0), (2.5, 2.0, 1.5))
    view.update_pads([pad])
    actor = view.pad_actors["pad-1"]
    b = np.array(actor.bounds).reshape(3, 2)
    np.testing.assert_allclose(b.mean(axis=1), pad.center_mm, atol=0.15)
    np.testing.assert_allclose((b[:, 1] - b[:, 0]) / 2, pad.radii_mm, rtol=0.1)
    assert actor.prop.specular <= 0.05  # matte felt, no highlight
    n_actors = len(plotter.renderer.actors)
    turned = rotated_pad(Pad("pad-1", (4.0, 2.0, 3.0), (2.5, 2.0, 1.5)), (0, 0, 1), 90)
    view.update_pads([turned])
    assert view.pad_actors["pad-1"] is actor and len(plotter.renderer.actors) == n_actors
    np.testing.assert_allclose(np.array(actor.user_matrix), pad_matrix(turned))
    b = np.array(actor.bounds).reshape(3, 2)
    np.testing.assert_allclose((b[:, 1] - b[:, 0]) / 2, (2.0, 2.5, 1.5), rtol=0.1)  # long axis now along y
    view.update_pads([])
    assert view.pad_actors == {} and len(plotter.renderer.actors) == n_actors - 1


def test_pad_pixels_are_white_felt(plotter):
    view = PadsView(plotter)
    view.update_pads([Pad("p", (0.0, 0.0, 0.0), (2.5, 2.5, 1.5))])
    plotter.set_background("black")
    plotter.camera_position = [(0, -14, 4), (0, 0, 0), (0, 0, 1)]
    img = plotter.screenshot(return_img=True)[..., :3].astype(int)
    on = img.max(axis=-1) > 40
    assert on.sum() > 3000
    px = img[on]
    assert np.median(px.min(axis=1)) > 150 and np.median(np.ptp(px, axis=1)) < 20  # bright, colourless
    # fibrous, not a smooth gradient: neighbouring pixels on the felt differ
    core = img[120:180, 160:240].mean(axis=-1)
    assert np.abs(np.diff(core, axis=1)).mean() > 1.5


def test_sling_band_loop_and_clip_follow_and_go(plotter):
    s = load_preset("vertebral-tandem")
    vessel = s.vessels[0]
    anchor = np.asarray(vessel.course_mm[len(vessel.course_mm) // 2]) + (-6.0, -3.0, 5.0)
    sling = Sling("sling-1", vessel.id, 10.0, tuple(anchor))
    s2 = s.with_sling(sling)
    view = PadsView(plotter)
    view.update(s2)
    parts = view.sling_parts["sling-1"]
    band = parts["band"][0]
    assert np.linalg.norm(np.asarray(band.points) - anchor, axis=1).min() < 0.5  # reaches the anchor
    np.testing.assert_allclose(np.array(parts["clip"].user_matrix)[:3, 3], anchor)
    assert tuple(parts["clip"].prop.color.int_rgb) == CLIP_COLOUR
    assert view.object_of_actor(parts["band"][1]) == ("sling", "sling-1")
    band_obj = band
    moved = Sling("sling-1", vessel.id, 10.0, tuple(anchor + (0.0, 0.0, 3.0)))
    view.update(s.with_sling(moved))
    assert view.sling_parts["sling-1"]["band"][0] is band_obj  # rewritten in place
    view.set_visible(False)
    assert not any(a.GetVisibility() for a in view.sling_actors("sling-1"))
    view.update(s)
    assert view.sling_parts == {}
    view.clear()


def test_scenario_view_draws_the_plan_on_both_sides(scene):
    s, pad = _pad_scenario()
    sv = ScenarioView(scene)
    sv.show(s)
    actor = sv.plan.pad_actors[pad.id]
    np.testing.assert_allclose(np.array(actor.user_matrix)[:3, 3], pad.center_mm)
    assert sv.object_of_actor(actor) == ("pad", pad.id)
    right = mirror_scenario(s)
    sv.show(right)
    assert sv.plan.pad_actors[pad.id] is actor  # the same actor, mirrored place
    c = np.array(actor.user_matrix)[:3, 3]
    assert c[0] > 0 and c[0] == pytest.approx(-pad.center_mm[0])
    b = np.array(actor.bounds).reshape(3, 2).mean(axis=1)
    assert b[0] > 5.0  # on the right of the midline, where the right CN VII is
    sv.show(load_preset("aica-attached-segment"))
    assert sv.plan.pad_actors == {}


def test_warning_callouts_point_at_the_pad():
    s, pad = _pad_scenario()

    class F:  # findings with a decompression block as the contract writes it
        decompression = {
            "status": "decompressed",
            "before": {"classification": ["single"], "culprit": "aica", "contacts": []},
            "pad_contacts": [{"pad": pad.id, "structure": "CN VII", "segment": "RExP", "myelin": "central"}],
            "warnings": [
                {"code": "pad_on_rez", "text": "The pad touches the root exit zone", "sources": ["tomii-2003"]},
                {"code": "pad_oversized", "text": "big", "sources": []},
            ],
        }

    items = warning_items(F(), s)
    assert [t for _, t, _ in items] == ["Warning: Pad on the REZ", "Warning: Oversized pad"]
    np.testing.assert_allclose(items[0][0], pad.center_mm)
    assert warning_items(object(), s) == []


def test_kink_callout_sits_on_the_moved_vessel():
    s, pad = _pad_scenario()
    state = SceneModel(scenario=s).state
    codes = [w["code"] for w in state.findings.decompression["warnings"]]
    items = dict((t, p) for p, t, _ in warning_items(state.findings, s, state.effective_scenario))
    if "vessel_kinked" not in codes:
        pytest.skip("this routing has no kink to point at")
    point = items["Warning: Vessel kinked"]
    routed = state.effective_scenario.vessel("aica").course_mm
    assert np.linalg.norm(routed - point, axis=1).min() < 1e-9  # on the rerouted course
    assert np.linalg.norm(s.vessel("aica").course_mm - point, axis=1).min() > 0.05  # where the plan moved it
