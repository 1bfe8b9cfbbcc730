"""The RAS orientation marker: drawn in the lower-left corner, turns with the camera, never picked."""

import numpy as np
import pytest
import pyvista as pv

from viewer.render.orientation import OrientationMarker
from viewer.render.scene import Scene

pytestmark = pytest.mark.render


@pytest.fixture
def scene():
    p = pv.Plotter(off_screen=True, window_size=(400, 300))
    s = Scene(p)
    yield s
    p.close()


def _shot(scene):
    scene.plotter.render_window.Render()  # pyvista's screenshot() re-uses the last frame after the first
    return scene.plotter.screenshot(return_img=True)


def _corner(img):
    h, w = img.shape[:2]
    return img[int(h * 0.8) :, : int(w * 0.2)].astype(int)


def _axis_colours(img):
    """Pixels of the marker's red (R), green (A) and blue (S) shafts, not the scene's."""
    r, g, b = img[..., 0], img[..., 1], img[..., 2]
    return (
        ((r > 180) & (g < 150) & (b < 150)).sum(),
        ((g > 150) & (r < 120) & (b < 120)).sum(),
        ((b > 180) & (r < 100) & (g < 120)).sum(),
    )


def test_marker_is_a_non_interactive_overlay(scene):
    m = scene.orientation
    assert isinstance(m, OrientationMarker)
    assert m.renderer.GetLayer() == 1 and not m.renderer.GetInteractive()
    assert scene.plotter.render_window.GetNumberOfLayers() >= 2
    assert m.renderer in list(scene.plotter.render_window.GetRenderers())
    assert m.renderer.GetViewport() == pytest.approx((0.0, 0.0, 0.2, 0.2))
    assert [m.actor.GetXAxisLabelText(), m.actor.GetYAxisLabelText(), m.actor.GetZAxisLabelText()] == ["R", "A", "S"]


def test_marker_is_drawn_in_the_corner_and_can_be_hidden(scene):
    scene.set_view("anterior")
    shown = _shot(scene)
    assert sum(_axis_colours(_corner(shown))) > 30, "coloured axes in the lower-left corner"
    scene.orientation.visible = False
    scene.plotter.render_window.Render()
    hidden = _shot(scene)
    assert sum(_axis_colours(_corner(hidden))) < sum(_axis_colours(_corner(shown))) / 5
    # the rest of the picture is the same scene
    h, w = shown.shape[:2]
    assert np.abs(shown[: int(h * 0.7)].astype(int) - hidden[: int(h * 0.7)].astype(int)).mean() < 1


def test_marker_follows_the_camera(scene):
    scene.set_view("anterior")
    scene.plotter.render_window.Render()
    main = scene.plotter.camera
    own = scene.orientation.renderer.GetActiveCamera()
    view_dir = np.subtract(main.position, main.focal_point)
    own_dir = np.subtract(own.GetPosition(), own.GetFocalPoint())
    assert np.dot(view_dir / np.linalg.norm(view_dir), own_dir / np.linalg.norm(own_dir)) == pytest.approx(1, abs=1e-6)
    a = _corner(_shot(scene))
    scene.set_view("left_lateral")
    scene.plotter.render_window.Render()
    main = scene.plotter.camera
    view_dir = np.subtract(main.position, main.focal_point)
    own_dir = np.subtract(own.GetPosition(), own.GetFocalPoint())
    assert np.dot(view_dir / np.linalg.norm(view_dir), own_dir / np.linalg.norm(own_dir)) == pytest.approx(1, abs=1e-6)
    assert np.allclose(own.GetViewUp(), main.up, atol=1e-6)
    b = _corner(_shot(scene))
    assert np.abs(a - b).mean() > 1, "the marker turned"


def test_picking_ignores_the_marker(scene):
    """A click on the corner goes to the scene's renderer, not the marker."""
    scene.set_view("anterior")
    scene.plotter.render_window.Render()
    iren = scene.plotter.iren
    if iren is None:
        pytest.skip("offscreen plotter without an interactor")
    poked = iren.interactor.FindPokedRenderer(10, 10)
    assert poked is scene.plotter.renderer or poked.GetLayer() == 0
