"""The keyhole view shows the corridor's structures; retraction moves the cerebellum in place."""

import numpy as np
import pytest
import pyvista as pv

from viewer.corridor import retraction_field
from viewer.render.corridor_view import Retraction
from viewer.render.scene import Scene


@pytest.fixture
def scene():
    p = pv.Plotter(off_screen=True, window_size=[320, 240])
    s = Scene(p)
    yield s
    s.close()
    p.close()


def test_keyhole_view_shows_corridor_structures_and_other_views_hide_them(scene):
    assert not scene.is_visible("cerebellum") and not scene.is_visible("cn9")
    scene.set_view("keyhole")
    for sid in (
        "cerebellum",
        "flocculus",
        "choroid_plexus",
        "sigmoid_sinus",
        "transverse_sinus",
        "craniotomy",
        "cn9",
        "cn10",
        "cn11",
    ):
        assert scene.is_visible(sid), sid
    scene.set_view("retrosigmoid")
    assert not scene.is_visible("cerebellum") and not scene.is_visible("cn10")


def test_retraction_moves_meshes_in_place_and_zero_restores(scene):
    actor = scene.actors["flocculus"]
    n_actors = len(scene.plotter.renderer.actors)
    ds = actor.mapper.dataset
    rest = np.array(ds.points)
    r = Retraction(scene)
    r.set(8.0)
    assert scene.actors["flocculus"] is actor and len(scene.plotter.renderer.actors) == n_actors
    moved = np.array(actor.mapper.dataset.points)
    u = retraction_field(r.anatomy, 8.0)
    assert np.allclose(moved, rest + u(rest))
    assert np.linalg.norm(moved - rest, axis=1).max() > 6.0
    r.set(0.0)
    assert np.array_equal(np.array(actor.mapper.dataset.points), rest)
