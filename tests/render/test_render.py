"""Offscreen rendering of the default scene (no Qt, no X server needed)."""

import numpy as np
import pytest

from viewer.render.scene import render_offscreen
from viewer.render.views import VIEWS

pytestmark = pytest.mark.render

RED = lambda img: (img[..., 0] > 140) & (img[..., 1] < 70) & (img[..., 2] < 70)  # noqa: E731
YELLOW = lambda img: (img[..., 0] > 170) & (img[..., 1] > 140) & (img[..., 2] < 110)  # noqa: E731
TAN = lambda img: (img[..., 0] > 120) & (img[..., 0] - img[..., 2] > 35) & (img[..., 1] > 80) & ~YELLOW(img)  # noqa: E731


@pytest.mark.parametrize("view", list(VIEWS))
def test_each_view_renders_the_anatomy(view):
    img = render_offscreen(view, (480, 320))
    assert img.shape == (320, 480, 3)
    assert RED(img).sum() > 100, "arteries visible"
    assert TAN(img).sum() > 500, "brainstem visible"


def test_anterior_view_shows_nerve_artery_and_brainstem_colours():
    img = render_offscreen("anterior", (800, 500))
    assert YELLOW(img).sum() > 100
    assert RED(img).sum() > 1000
    assert TAN(img).sum() > 10000


def test_views_differ():
    a = render_offscreen("anterior", (320, 200)).astype(int)
    b = render_offscreen("left_lateral", (320, 200)).astype(int)
    assert np.abs(a - b).mean() > 5
