"""Synthetic patient cases from the model: a scenario's anatomy voxelised like a segmentation.

For the tests and the benchmark of the case analysis (tests/patient/test_case_analysis.py,
scripts/benchmarks/bench_case_analysis.py): the brainstem, CN VII, CN VIII and the scenario's
vessels painted into one label map (later labels win where they overlap, as one label per
voxel in a real segmentation) on an MRI-like grid (0.4 x 0.4 x 0.7 mm, axes turned a few
degrees), written as NIfTI + label table and imported like a patient's files. Optionally CN VII
is the nerve *deformed* by the scenario's contacts (viewer.deformation), as a patient's nerve
already shows what the vessel did to it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pyvista as pv

from ..analysis import analyze
from ..anatomy import build_anatomy
from ..deformation import NerveDeformer
from ..scenario import Scenario
from ..voxelise import capsule_chain_mask, grid_for_bounds, sdf_mask, voxel_centres
from .demo import CROP, SPACING, _rotation
from .importer import ImportResult, import_files

__all__ = ["scenario_label_map", "import_scenario_case"]


def _crop(side: str) -> tuple[float, ...]:
    if side == "left":
        return CROP
    return (0.0 - CROP[1], 0.0 - CROP[0]) + CROP[2:]


def _mesh_mask(shape, affine, points: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Voxels whose centre lies inside a closed triangle mesh (only its bounding box is tested)."""
    mesh = pv.PolyData(points, np.hstack([np.full((len(faces), 1), 3), faces]).ravel())
    inv = np.linalg.inv(affine)
    lo, hi = points.min(axis=0) - 1.0, points.max(axis=0) + 1.0
    corners = np.array([[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])])
    ijk = corners @ inv[:3, :3].T + inv[:3, 3]
    a = np.maximum(np.floor(ijk.min(axis=0)).astype(int), 0)
    b = np.minimum(np.ceil(ijk.max(axis=0)).astype(int) + 1, shape)
    out = np.zeros(shape, bool)
    if np.any(b <= a):
        return out
    box = tuple(zip(a, b))
    p = voxel_centres(shape, affine, box).reshape(-1, 3)
    d = np.asarray(pv.PolyData(p).compute_implicit_distance(mesh)["implicit_distance"])
    out[tuple(slice(lo_, hi_) for lo_, hi_ in box)] = (d < 0).reshape(tuple(b - a))
    return out


def scenario_label_map(
    scenario: Scenario, spacing=SPACING, deformed: bool = False
) -> tuple[np.ndarray, np.ndarray, list[tuple[int, str, str, str | None]]]:
    """(labels, affine, [(value, name, role, vessel_role)]) of the scenario's CPA on an oblique grid."""
    side = scenario.side
    anatomy = build_anatomy(side)
    shape, affine = grid_for_bounds(_crop(side), spacing, _rotation())
    fn = anatomy.facial_nerve
    masks = [("brainstem", "brainstem", None, sdf_mask(shape, affine, anatomy.brainstem_sdf))]
    if deformed:
        findings = analyze(scenario, anatomy)
        on7 = {c.id for c in findings.contacts if c.structure == "CN VII"}
        tubes = [(v.course_mm, v.radius_mm) for v in scenario.vessels if v.id in on7]
        deformer = NerveDeformer(fn.points_mm, fn.radius_mm, anchor_arcs=(0.0, fn.porus_arc_mm))
        d = deformer.deform(tubes)
        faces = np.asarray(deformer.topology.faces).reshape(-1, 3)
        m7 = _mesh_mask(shape, affine, d.points, faces)
    else:
        m7 = capsule_chain_mask(shape, affine, fn.points_mm, fn.radius_mm)
    masks.append(("cn7", "facial_nerve", None, m7))
    t8 = anatomy.tubes["cn8"]
    masks.append(
        ("cn8", "vestibulocochlear_nerve", None, capsule_chain_mask(shape, affine, t8.centerline_mm, t8.radius_mm))
    )
    for v in scenario.vessels:
        m = capsule_chain_mask(shape, affine, v.course_mm, v.radius_mm)
        if m.sum() >= 20:  # vessels outside the crop (the other side's vertebral artery) are not imaged
            masks.append((v.id, "vessel", v.role, m))
    labels = np.zeros(shape, np.uint8)
    table = []
    for value, (name, role, vrole, m) in enumerate(masks, 1):
        labels[m] = value
        table.append((value, name, role, vrole))
    return labels, affine, table


def import_scenario_case(scenario: Scenario, spacing=SPACING, deformed: bool = False, folder=None) -> ImportResult:
    """The scenario's CPA voxelised, written as NIfTI + table, and imported as a patient case."""
    import nibabel as nib

    labels, affine, table = scenario_label_map(scenario, spacing, deformed)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        nii = Path(tmp) / "synthetic.nii.gz"
        img = nib.Nifti1Image(labels, affine)
        img.header.set_sform(affine, code=1)
        img.header.set_qform(affine, code=1)
        nib.save(img, str(nii))
        tsv = Path(tmp) / "synthetic.tsv"
        tsv.write_text("value\tname\n" + "".join(f"{v}\t{n}\n" for v, n, _, _ in table), encoding="utf-8")
        roles = {v: (role, vrole) for v, _, role, vrole in table}
        return import_files([nii, tsv], labels=roles, name=scenario.name)
