"""Case views and scene export (no Qt): cameras framed on the case, scenario surfaces with the deformed nerve."""

import numpy as np
import pyvista as pv

from viewer.case import Case, Structure
from viewer.presets import load_preset
from viewer.render.case_view import case_camera, scenario_export_items
from viewer.render.scene import load_meshes


def test_scenario_export_has_lesions_and_the_deformed_nerve():
    items = {i.id: i for i in scenario_export_items(load_preset("severe-deviation"))}
    rest = np.asarray(load_meshes().meshes["cn7"].points)
    assert {"brainstem", "cn7", "aica"} <= set(items)
    assert np.linalg.norm(items["cn7"].points - rest, axis=1).max() > 0.3  # dented/deviated, not the rest mesh
    lesions = {i.id for i in scenario_export_items(load_preset("vestibular-schwannoma"))}
    assert "schwannoma" in lesions


def test_case_camera_aims_at_the_case_and_mirrors_for_the_right_side():
    bs = pv.Sphere(radius=12, center=(40.0, 50.0, 60.0))
    vii = pv.Cylinder(center=(28.0, 52.0, 62.0), direction=(1, 0, 0), radius=0.8, height=14)
    structures = (
        Structure("bs", "Brainstem", "brainstem", (1, 1, 1)),
        Structure("vii", "VII", "facial_nerve", (1, 1, 1)),
    )
    meshes = {"bs": bs, "vii": vii}
    left = Case("x", structures, side="left")
    bone = pv.Cube(center=(90.0, 50.0, 60.0), x_length=60, y_length=60, z_length=60)  # context: not framed
    meshes["bone"] = bone
    structures += (Structure("bone", "Bone", "bone", (1, 1, 1)),)
    left = Case("x", structures, side="left")
    pos, focal, up = case_camera(left, meshes, "anterior")
    both = np.vstack([bs.points, vii.points])
    assert np.allclose(focal, 0.5 * (both.min(0) + both.max(0)), atol=1e-6)  # brainstem + nerve, not the bone
    assert pos[1] > focal[1] + 50 and abs(pos[0] - focal[0]) < 1e-6  # in front, looking back
    pos, focal, _ = case_camera(left, meshes, "rez_closeup")
    assert np.linalg.norm(focal - [35.0, 52.0, 62.0]) < 2.0  # CN VII's end nearest the brainstem
    right = Case("x", structures, side="right")
    pl, fl, _ = case_camera(left, meshes, "left_lateral")
    pr, fr, _ = case_camera(right, meshes, "left_lateral")
    assert pl[0] < fl[0] and pr[0] > fr[0]
