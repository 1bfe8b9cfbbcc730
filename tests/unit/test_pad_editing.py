"""Editing a decompression plan (pure core): pad placement, moves, sizes, turns, sling arcs."""

import numpy as np
import pytest

from viewer.pad_editing import (
    PAD_NERVE_CLEARANCE_MM,
    arc_at_point,
    axes_from_angles,
    new_id,
    orientation_angles,
    pad_at_contact,
    resized_pad,
    rotated_pad,
    sling_point,
    without_plan,
)
from viewer.presets import load_preset
from viewer.scenario import AXES_TOLERANCE, Pad, Sling, dumps_scenario, parse_scenario
from viewer.scene_model import SceneModel


def test_pad_at_the_culprit_contact_lies_between_nerve_and_vessel_clear_of_the_root():
    s = load_preset("aica-attached-segment")
    m = SceneModel(scenario=s)
    c = m.findings.culprit_contact()
    nerve = m.anatomy.facial_nerve
    pad = pad_at_contact(c, nerve.points_mm, nerve.radius_mm, s)
    assert pad.id == "pad-1" and pad.radii_mm == (2.5, 2.5, 1.5)
    rows = pad.axes_matrix
    np.testing.assert_allclose(rows @ rows.T, np.eye(3), atol=1e-12)
    towards = np.subtract(c.other_point_mm, c.nerve_point_mm)
    towards /= np.linalg.norm(towards)
    np.testing.assert_allclose(rows[2], towards, atol=1e-12)
    # the long axis runs along the nerve
    i = int(np.argmin(np.linalg.norm(nerve.points_mm - c.nerve_point_mm, axis=1)))
    t = nerve.points_mm[i + 1] - nerve.points_mm[i - 1]
    assert abs(np.dot(rows[0], t / np.linalg.norm(t))) > 0.9
    # the nerve-side surface (centre - thin radius along the thin axis) is the clearance off the root
    near = np.asarray(pad.center_mm) - rows[2] * pad.radii_mm[2]
    d = np.linalg.norm(nerve.points_mm - near, axis=1).min() - nerve.radius_mm
    assert d == pytest.approx(PAD_NERVE_CLEARANCE_MM, abs=0.05)
    # and it saves and loads (the file format's checks)
    s2 = s.with_pad(pad)
    assert parse_scenario(dumps_scenario(s2)).pad("pad-1") == s2.pad("pad-1")
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
