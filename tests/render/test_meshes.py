"""Shipped meshes: closed, outward, within budget, matching the manifest and the generator."""

import hashlib
import json

import numpy as np
import pytest
import pyvista as pv

from viewer.render.meshgen import ASSET_DIR, TRIANGLE_BUDGET, build_meshes
from viewer.render.scene import MeshError, load_meshes

pytestmark = pytest.mark.render


@pytest.fixture(scope="module")
def manifest():
    return json.loads((ASSET_DIR / "manifest.json").read_text())


@pytest.fixture(scope="module")
def shipped():
    return load_meshes()


def signed_volume(mesh: pv.PolyData) -> float:
    f = mesh.regular_faces
    p = mesh.points
    return float(np.einsum("ij,ij->i", p[f[:, 0]], np.cross(p[f[:, 1]], p[f[:, 2]])).sum() / 6)


def test_manifest_matches_files(manifest, shipped):
    ids = [s["id"] for s in manifest["structures"]]
    assert len(ids) == len(set(ids))
    on_disk = {p.name for p in ASSET_DIR.glob("*.vtp")}
    assert on_disk == {s["file"] for s in manifest["structures"]}
    for s in manifest["structures"]:
        path = ASSET_DIR / s["file"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == s["sha256"], s["id"]
        assert shipped.meshes[s["id"]].n_cells == s["triangles"]
    assert manifest["total_triangles"] == sum(s["triangles"] for s in manifest["structures"])
    assert manifest["total_triangles"] < TRIANGLE_BUDGET
    assert {d["key"] for d in manifest["dimensions"]} and all(d["source"] for d in manifest["dimensions"])


@pytest.mark.parametrize(
    "sid", [s for s in json.loads((ASSET_DIR / "manifest.json").read_text())["structures"]], ids=lambda s: s["id"]
)
def test_mesh_closed_and_outward(sid, shipped):
    mesh = shipped.meshes[sid["id"]]
    assert mesh.is_all_triangles
    edges = mesh.extract_feature_edges(
        boundary_edges=True, non_manifold_edges=True, feature_edges=False, manifold_edges=False
    )
    assert edges.n_cells == 0, "open or non-manifold edges"
    assert signed_volume(mesh) > 0, "faces point inwards"
    assert "Normals" in mesh.point_data


def test_conventional_colours(manifest):
    by_kind = {}
    for s in manifest["structures"]:
        by_kind.setdefault(s["kind"], set()).add(tuple(s["colour"]))
    (artery,) = by_kind["artery"]
    (vein,) = by_kind["vein"]
    (nerve,) = by_kind["nerve"]
    (tan,) = by_kind["brainstem"]
    assert artery[0] > 150 and artery[1] < 80 and artery[2] < 80  # red
    assert vein[2] > 150 and vein[0] < 100  # blue
    assert nerve[0] > 200 and nerve[1] > 180 and nerve[2] < 120  # yellow
    assert tan[0] > tan[1] > tan[2] > 100  # warm tan


def test_facial_nerve_bands_show_segments_and_transition_zone(shipped, anatomy):
    cn7 = shipped.meshes["cn7"]
    seg = np.asarray(cn7.point_data["segment_id"])
    assert set(seg.tolist()) == {0, 1, 2, 3}
    rgb = np.asarray(cn7.point_data["rgb"])
    tz = np.asarray(cn7.point_data["transition_zone"]).astype(bool)
    assert tz.any()
    colours_by_segment = {i: {tuple(c) for c in rgb[(seg == i) & ~tz]} for i in range(4)}
    assert all(len(c) == 1 for c in colours_by_segment.values())
    assert len({next(iter(c)) for c in colours_by_segment.values()}) == 4  # four distinct bands
    arc = np.asarray(cn7.point_data["arc_mm"])
    lo, hi = anatomy.facial_nerve.tz_arc_mm
    assert arc[tz].min() >= lo - 1e-6 and arc[tz].max() <= hi + 1e-6


def test_generator_reproduces_shipped_assets(shipped):
    fresh = build_meshes()
    assert set(fresh) == set(shipped.meshes)
    for sid, (mesh, meta) in fresh.items():
        old = shipped.meshes[sid]
        assert mesh.n_cells == old.n_cells and mesh.n_points == old.n_points, sid
        assert np.allclose(mesh.points, old.points, atol=1e-3), f"{sid} drifted: run `make meshes`"
        assert meta["triangles"] == shipped.structures[sid].triangles


def test_corrupt_or_missing_mesh_is_reported_with_its_file(tmp_path):
    (tmp_path / "manifest.json").write_text(
        json.dumps(
            {
                "structures": [
                    {
                        "id": "x",
                        "file": "x.vtp",
                        "name": "X",
                        "kind": "artery",
                        "role": "other",
                        "group": "arteries",
                        "description": "",
                        "colour": [1, 2, 3],
                        "visible": True,
                        "triangles": 1,
                    }
                ]
            }
        )
    )
    with pytest.raises(MeshError, match=r"x\.vtp: missing"):
        load_meshes(tmp_path)
    (tmp_path / "x.vtp").write_bytes(b"<VTKFile garbage")
    with pytest.raises(MeshError, match=r"x\.vtp"):
        load_meshes(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(MeshError, match=r"manifest\.json: not a valid"):
        load_meshes(tmp_path)
