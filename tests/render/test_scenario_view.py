"""ScenarioView: scenario vessels, lesions, nerve deformation and callouts on a Scene (offscreen)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import pyvista as pv

from viewer.presets import load_preset
from viewer.render.live import world_to_display
from viewer.render.scenario_view import ScenarioView, render_scenario
from viewer.render.scene import Scene, load_meshes
from viewer.render.style import LESION_COLOURS
from viewer.scenario import Lesion, Vessel, default_scenario
from viewer.scene_model import PLAQUE_SEE_THROUGH

pytestmark = pytest.mark.render


@pytest.fixture
def scene():
    ms = load_meshes()
    pl = pv.Plotter(off_screen=True, window_size=[480, 360])
    sc = Scene(pl, ms)
    yield sc
    pl.close()


def _colour_near(img, rgb, tol=40):
    return np.abs(img[..., :3].astype(int) - np.array(rgb)).max(axis=-1) < tol


def _nerve_point(anatomy, arc):
    f = anatomy.facial_nerve
    return f.points_mm[int(np.searchsorted(f.arc_mm, arc))]


def test_lesion_actor_placed_by_matrix_and_removed(scene, anatomy):
    sv = ScenarioView(scene)
    centre = _nerve_point(anatomy, 14.0) + np.array([0.0, -4.0, 0.0])
    s = default_scenario().with_lesion(Lesion("t", "tumor", tuple(centre), (3.0, 2.0, 4.0), "schwannoma"))
    sv.show(s)
    actor = sv.lesion_actors["t"]
    b = np.array(actor.bounds).reshape(3, 2)
    np.testing.assert_allclose(b.mean(axis=1), centre, atol=0.05)
    np.testing.assert_allclose((b[:, 1] - b[:, 0]) / 2, (3.0, 2.0, 4.0), atol=0.05)
    assert sv.object_of_actor(actor) == ("lesion", "t")
    # moving / resizing reuses the actor
    moved = replace(s.lesions[0], center_mm=tuple(centre + 2.0), radii_mm=(1.0, 1.0, 1.0))
    sv.show(s.with_lesion(moved))
    assert sv.lesion_actors["t"] is actor
    np.testing.assert_allclose(np.array(actor.bounds).reshape(3, 2).mean(axis=1), centre + 2.0, atol=0.05)
    sv.show(default_scenario())
    assert sv.lesion_actors == {}
    assert actor not in scene.plotter.renderer.actors.values()


def test_tumour_is_drawn_where_it_is(scene, anatomy):
    sv = ScenarioView(scene)
    centre = _nerve_point(anatomy, 14.0)
    sv.show(default_scenario().with_lesion(Lesion("t", "avm", tuple(centre), (3, 3, 3))), annotations=False)
    for a in scene.actors.values():
        a.visibility = False
    scene.plotter.render()
    img = scene.plotter.screenshot(return_img=True)
    mask = _colour_near(img, LESION_COLOURS["avm"], 50)
    assert mask.sum() > 100
    x, y = world_to_display(scene.plotter.renderer, centre[None])[0]
    rows, cols = np.nonzero(mask)
    h = img.shape[0]
    assert abs(cols.mean() - x) < 15 and abs((h - 1 - rows.mean()) - y) < 15


def test_unknown_vessel_gets_its_own_tube_and_missing_shipped_vessel_is_hidden(scene, anatomy):
    sv = ScenarioView(scene)
    s = default_scenario()
    aica = s.vessel("aica")
    extra = Vessel("aica2", "Duplicated AICA", "artery", "aica", 0.6, np.asarray(aica.handles_mm) + [0, 0, 3])
    s2 = replace(s, vessels=tuple(v for v in s.vessels if v.id != "pica") + (extra,))
    sv.show(s2)
    assert scene.actors["pica"].visibility is False and "pica" in scene.absent
    mesh = sv.extra_meshes["aica2"]
    assert sv.object_of_actor(sv.extra_actors["aica2"]) == ("vessel", "aica2")
    # the tube surrounds its course at its radius
    d = np.min(np.linalg.norm(mesh.points[:, None, :] - extra.course_mm[None, :, :], axis=2), axis=1)
    assert np.median(d) == pytest.approx(0.6, abs=0.1)
    points_obj = mesh.GetPoints()
    sv.update_vessels(s2.with_vessel(extra.moved((1.0, 0, 0))), ids={"aica2"})
    assert sv.extra_meshes["aica2"] is mesh and mesh.GetPoints() is points_obj
    sv.show(s)
    assert scene.actors["pica"].visibility is True and "aica2" not in sv.extra_actors


def test_brainstem_see_through_only_while_a_plaque_exists(scene, anatomy):
    sv = ScenarioView(scene)
    before = scene.actors["brainstem"].prop.opacity
    plaque = Lesion("ms", "brainstem_lesion", tuple(anatomy.landmarks["facial_motor_nucleus"]), (2, 2, 2))
    findings = sv.show(default_scenario().with_lesion(plaque)).findings
    assert "brainstem_lesion" in findings.classification
    assert scene.actors["brainstem"].prop.opacity == pytest.approx(min(before, PLAQUE_SEE_THROUGH))
    sv.show(default_scenario())
    assert scene.actors["brainstem"].prop.opacity == pytest.approx(before)


def test_findings_deform_nerve_and_place_callouts(scene, anatomy):
    sv = ScenarioView(scene)
    centre = _nerve_point(anatomy, 4.0)
    s = default_scenario().with_lesion(Lesion("a", "aneurysm", tuple(centre + [0, -1.5, 0]), (1.5, 1.5, 1.5), "sac"))
    f = sv.show(s).findings
    assert any(c.id == "a" for c in f.lesion_contacts)
    assert sv.deformation is not None and not sv.deformation.is_rest
    assert any(t.startswith("sac \u00bb") for t in sv.callouts.texts())
    sv.show(s, annotations=False)
    assert sv.callouts.texts() == []


def test_render_scenario_differs_from_default_and_has_size(anatomy):
    s = default_scenario()
    centre = _nerve_point(anatomy, 14.0)
    img0 = render_scenario(s, view="rez_closeup", size=(320, 240), annotations=False)
    img1 = render_scenario(
        s.with_lesion(Lesion("t", "avm", tuple(centre), (4, 4, 4))),
        view="rez_closeup",
        size=(320, 240),
        annotations=False,
    )
    assert img0.shape[:2] == (240, 320) and img1.shape == img0.shape
    nidus = LESION_COLOURS["avm"]
    assert _colour_near(img1, nidus, 40).sum() > _colour_near(img0, nidus, 40).sum() + 200


def test_brainstem_plaque_is_labelled_and_its_nucleus_and_pathway_shown(scene):
    sv = ScenarioView(scene)
    state = sv.show(load_preset("brainstem-ms-plaque"))
    assert state.findings.central_lesions and "brainstem_lesion" in state.findings.classification
    texts = sv.callouts.texts()
    assert any(t.endswith("\u00bb facial motor nucleus (pons)") for t in texts), texts
    assert scene.actors["facial_nucleus"].visibility  # hidden by default, shown for the plaque
    assert sv.pathway_actor is not None and sv.pathway_actor.visibility
    sv.show(default_scenario())
    assert not sv.pathway_actor.visibility and not scene.actors["facial_nucleus"].visibility
    assert not any("facial motor nucleus" in t for t in sv.callouts.texts())
