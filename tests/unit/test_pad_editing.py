"""Editing a decompression plan (pure core): pad placement, moves, sizes, turns, sling arcs."""

import numpy as np
import pytest

from viewer.decompression import pad_at_contact
from viewer.pad_editing import (
    INSERT_PAD_RADII_MM,
    arc_at_point,
    axes_from_angles,
    new_id,
    orientation_angles,
    resized_pad,
    rotated_pad,
    sling_point,
    without_plan,
)
from viewer.presets import load_preset
from viewer.scenario import AXES_TOLERANCE, Pad, Sling, dumps_scenario, parse_scenario
from viewer.scene_model import SceneModel


def test_the_inserted_pad_saves_and_loads_and_the_next_id_is_free():
    s = load_preset("aica-attached-segment")
    m = SceneModel(scenario=s)
    pad = pad_at_contact(s, m.anatomy, radii_mm=INSERT_PAD_RADII_MM)
    assert pad.radii_mm == INSERT_PAD_RADII_MM
    s2 = s.with_pad(pad)
    assert parse_scenario(dumps_scenario(s2)).pad(pad.id) == s2.pad(pad.id)
    assert new_id(s2, "pad") == "pad-2"


def test_turns_stay_orthonormal_and_resizes_stay_in_range():
    pad = Pad("p", (0, 0, 0), (2.5, 2.5, 1.5))
    for k in range(200):
        pad = rotated_pad(pad, (np.sin(k), np.cos(k), 0.3), 15.0)
    rows = pad.axes_matrix
    assert np.abs(rows @ rows.T - np.eye(3)).max() < AXES_TOLERANCE / 100
    assert resized_pad(pad, (0.1, 3.0, 9.0)).radii_mm == (0.5, 3.0, 6.0)
    turned = rotated_pad(Pad("p", (0, 0, 0), (1, 1, 1)), (0, 0, 1), 90)
    np.testing.assert_allclose(turned.axes_matrix[0], (0, 1, 0), atol=1e-12)


@pytest.mark.parametrize("angles", [(0.0, 0.0, 0.0), (123.0, -23.0, 52.0), (-170.0, 60.0, -90.0), (45.0, 89.0, 10.0)])
def test_orientation_angles_round_trip(angles):
    rows = axes_from_angles(*angles)
    np.testing.assert_allclose(rows @ rows.T, np.eye(3), atol=1e-12)
    np.testing.assert_allclose(orientation_angles(rows), angles, atol=1e-9)


def test_sling_arc_and_point_and_the_scenario_before():
    s = load_preset("vertebral-tandem")
    v = s.vessels[0]
    course = v.course_mm
    at = arc_at_point(v, course[20] + (0.01, 0.0, 0.0))
    np.testing.assert_allclose(sling_point(course, at), course[20], atol=1e-9)
    assert sling_point(course, 1e6).tolist() == course[-1].tolist()  # past the end: the end
    s2 = s.with_sling(Sling("sling-1", v.id, at, (0.0, 0.0, 30.0))).with_pad(Pad("pad-1", (0, 0, 0), (1, 1, 1)))
    assert without_plan(s2) == s and without_plan(s) is s
