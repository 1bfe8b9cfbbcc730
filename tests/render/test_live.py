"""In-place live updates: vessel tubes, deformed CN VII, callouts, handles (offscreen)."""

from __future__ import annotations

import numpy as np
import pytest
import pyvista as pv

from viewer.deformation import NerveDeformer
from viewer.render.live import Callouts, Handles, LiveTubes, heat_colours, world_to_display
from viewer.render.scene import Scene, load_meshes

pytestmark = pytest.mark.render


@pytest.fixture(scope="module")
def mesh_set():
    return load_meshes()


@pytest.fixture
def scene(mesh_set):
    # fresh meshes per test: live updates write into them
    ms = type(mesh_set)(mesh_set.structures, {k: m.copy() for k, m in mesh_set.meshes.items()})
    pl = pv.Plotter(off_screen=True, window_size=[480, 360])
    sc = Scene(pl, ms)
    yield sc
    pl.close()


def frame(sc):
    sc.plotter.render()
    return sc.plotter.screenshot(return_img=True).astype(int)


def test_vessel_updates_in_place_and_moves_on_screen(scene, anatomy):
    sc = scene
    live = LiveTubes(sc)
    for sid in sc.actors:
        if sid != "aica":
            sc.actors[sid].visibility = False
    actor, mesh = sc.actors["aica"], sc.mesh_set.meshes["aica"]
    n, vtk_points = mesh.n_points, mesh.GetPoints()
    before = frame(sc)
    red0 = (before[..., 0] > 120) & (before[..., 1] < 80)
    course = anatomy.tubes["aica"].centerline_mm
    shift = np.array([0.0, 0.0, 6.0])  # superior: up on screen in the default anterior view
    live.update_vessel("aica", course + shift)
    after = frame(sc)
    red1 = (after[..., 0] > 120) & (after[..., 1] < 80)
    assert sc.actors["aica"] is actor and sc.mesh_set.meshes["aica"] is mesh
    assert mesh.n_points == n and mesh.GetPoints() is vtk_points
    assert np.abs(after - before).mean() > 0.5
    # the red silhouette moved up (row index decreases)
    assert np.nonzero(red1)[0].mean() < np.nonzero(red0)[0].mean() - 5
    np.testing.assert_allclose(np.linalg.norm(mesh.point_data["Normals"], axis=1), 1.0, atol=1e-6)
    # the tube follows the new centreline
    assert np.allclose(mesh.points.mean(axis=0), (course + shift).mean(axis=0), atol=1.0)


def test_nerve_update_writes_points_normals_colours_and_restores(scene, anatomy):
    sc = scene
    f = anatomy.facial_nerve
    live = LiveTubes(sc)
    dm = NerveDeformer(f.points_mm, f.radius_mm, anchor_arcs=(0.0, f.porus_arc_mm))
    mesh = sc.mesh_set.meshes["cn7"]
    rest = np.array(mesh.points)
    rgb0 = np.array(mesh.point_data["rgb"])
    i = 60
    t = dm.tangent[i]
    u = np.cross(t, [0, 0, 1.0])
    u /= np.linalg.norm(u)
    course = (
        dm.centerline[i]
        + u * (2 * f.radius_mm - 0.8 * 2 * f.radius_mm)
        + np.linspace(-6, 6, 40)[:, None] * np.cross(t, u)
    )
    d = dm.deform([(course, 0.75)])
    live.update_nerve(d)
    assert np.allclose(mesh.points, d.points)
    hot = d.depth_mm > 0.5
    assert hot.any()
    rgb = mesh.point_data["rgb"]
    assert np.all(rgb[hot, 0] > 200) and np.all(rgb[hot, 1] < 90)  # magenta..red
    assert np.array_equal(rgb[d.depth_mm == 0], rgb0[d.depth_mm == 0])
    live.update_nerve(None)
    assert np.array_equal(mesh.points, rest) and np.array_equal(mesh.point_data["rgb"], rgb0)


def test_heat_colours_ramp():
    base = np.tile([255, 240, 140], (3, 1)).astype(np.uint8)
    out = heat_colours(base, np.array([0.0, 0.3, 1.2]), 1.5)
    assert tuple(out[0]) == (255, 240, 140)
    assert out[1, 2] > 150 and out[2, 2] < 60  # magenta shallow, red deep


def test_callouts_pool_text_and_visibility(scene, anatomy):
    sc = scene
    c = Callouts(sc.plotter, size=4)
    pool = list(c.actors)
    n_props = sc.plotter.renderer.GetViewProps().GetNumberOfItems()
    p = anatomy.facial_nerve.points_mm
    c.set([(p[10], "AICA · AS · moderate", True), (p[80], "vein · cisternal · mild", False)])
    assert c.texts() == ["AICA · AS · moderate", "vein · cisternal · mild"]
    assert pool[0].GetCaption() == "AICA · AS · moderate"
    assert pool[0].GetCaptionTextProperty().GetFontSize() >= 18 and pool[1].GetCaptionTextProperty().GetFontSize() >= 18
    assert pool[0].GetCaptionTextProperty().GetFontSize() > pool[1].GetCaptionTextProperty().GetFontSize()
    assert pool[0].GetVisibility() and pool[1].GetVisibility() and not pool[2].GetVisibility()
    np.testing.assert_allclose(pool[0].GetAttachmentPoint(), p[10])
    img = frame(sc)
    yellow_box = (img[..., 0] > 230) & (img[..., 1] > 200) & (img[..., 2] < 80)
    assert yellow_box.sum() > 200, "highlighted callout box drawn"
    c.set([(p[40], "PICA · RDP · severe", True)])
    assert c.texts() == ["PICA · RDP · severe"] and not pool[1].GetVisibility()
    c.clear()
    assert c.texts() == []
    assert c.actors == pool and sc.plotter.renderer.GetViewProps().GetNumberOfItems() == n_props


def test_handles_pick_projected_points(scene, anatomy):
    sc = scene
    h = Handles(sc.plotter)
    pts = anatomy.tubes["aica"].control_mm
    h.show(pts, active=1)
    actor = h.actor
    frame(sc)
    xy = h.display_positions()
    # agrees with VTK's own world -> display transform
    import vtk

    coord = vtk.vtkCoordinate()
    coord.SetCoordinateSystemToWorld()
    coord.SetValue(*pts[4])
    np.testing.assert_allclose(xy[4], coord.GetComputedDoubleDisplayValue(sc.plotter.renderer), atol=0.5)
    on_screen = [k for k in range(len(pts)) if 0 <= xy[k, 0] < 480 and 0 <= xy[k, 1] < 360]
    assert on_screen
    for k in on_screen:
        got = h.pick_handle(xy[k, 0] + 3, xy[k, 1] - 2)
        assert got is not None and np.hypot(*(xy[got] - xy[k])) < 6  # k or a coincident neighbour
    assert h.pick_handle(-500, -500) is None
    moved = pts + np.array([1.0, 0.0, 0.0])
    h.show(moved, active=2)  # same count: in place
    assert h.actor is actor and np.allclose(h.mesh.points, moved)
    assert tuple(h.mesh.point_data["rgb"][2]) == tuple(h.active_colour)
    h.hide()
    assert h.pick_handle(*xy[on_screen[0]]) is None
    h.close()


def test_world_to_display_matches_centre(scene):
    ren = scene.plotter.renderer
    fp = np.array(ren.GetActiveCamera().GetFocalPoint())
    xy = world_to_display(ren, fp[None])[0]
    w, h = ren.GetSize()
    np.testing.assert_allclose(xy, [w / 2, h / 2], atol=0.5)


def test_callout_wider_than_the_view_gets_smaller_type(scene, anatomy):
    c = Callouts(scene.plotter, size=2)
    p = anatomy.facial_nerve.points_mm
    long = "Vestibular schwannoma \u00bb distal cisternal portion \u00b7 moderate"
    c.set([(p[10], long, True), (p[60], "AICA \u00bb AS \u00b7 mild", False)])
    width = scene.plotter.renderer.GetSize()[0]
    px = c.actors[0].GetCaptionTextProperty().GetFontSize()
    assert px < Callouts.HIGHLIGHT_FONT_PX and len(long) * px * 0.64 + 24 <= width
    # the two boxes do not overlap (positions are offsets from the anchors)
    boxes = []
    for cap in c.actors:
        ax, ay = world_to_display(scene.plotter.renderer, np.array([cap.GetAttachmentPoint()]))[0]
        x, y = cap.GetPosition()
        w, h = cap.GetPosition2()
        boxes.append((ax + x, ay + y, w, h))
    (x0, y0, w0, h0), (x1, y1, w1, h1) = boxes
    assert not (x0 < x1 + w1 and x1 < x0 + w0 and y0 < y1 + h1 and y1 < y0 + h0)
    c.clear()
