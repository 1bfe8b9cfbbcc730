"""Label maps and meshes in, surfaces out: checked against references computed here,
independently, from the files' own headers (nibabel / pynrrd + numpy): the voxel centres
of each label taken to world mm."""

import zipfile

import nibabel as nib
import nrrd
import numpy as np
import pytest
import pyvista as pv
import vtk

from viewer.case import CaseError
from viewer.patient.casefile import read_case, write_case
from viewer.patient.export import export_surfaces, read_glb
from viewer.patient.importer import import_files
from viewer.patient.surfaces import signed_volume
from viewer.render.case_view import case_export_items


def blobs(shape=(48, 40, 36)):
    """Label 1: one ellipsoid; label 2: two separate balls; label 3: a tube touching label 1."""
    g = np.indices(shape).transpose(1, 2, 3, 0).astype(float)
    lab = np.zeros(shape, np.int16)
    lab[(((g - [18, 20, 18]) / [9, 7, 6]) ** 2).sum(-1) < 1] = 1
    lab[np.linalg.norm(g - [38, 10, 10], axis=-1) < 4] = 2
    lab[np.linalg.norm(g - [38, 30, 26], axis=-1) < 3.5] = 2
    t = np.clip((g[..., 0] - 26) / 14, 0, 1)
    axis = np.stack([26 + 14 * t, 20 + 0 * t, 18 + 6 * t], -1)
    lab[(np.linalg.norm(g - axis, axis=-1) < 2.2) & (lab == 0)] = 3
    return lab


def rot(ax, ay, az):
    ax, ay, az = np.radians([ax, ay, az])
    rx = np.array([[1, 0, 0], [0, np.cos(ax), -np.sin(ax)], [0, np.sin(ax), np.cos(ax)]])
    ry = np.array([[np.cos(ay), 0, np.sin(ay)], [0, 1, 0], [-np.sin(ay), 0, np.cos(ay)]])
    rz = np.array([[np.cos(az), -np.sin(az), 0], [np.sin(az), np.cos(az), 0], [0, 0, 1]])
    return rz @ ry @ rx


def volume_centroid(mesh):
    """Centroid of the solid a closed, outward surface encloses (divergence theorem)."""
    f, p = mesh.regular_faces, np.asarray(mesh.points, float)
    a, b, c = p[f[:, 0]], p[f[:, 1]], p[f[:, 2]]
    v = np.einsum("ij,ij->i", a, np.cross(b, c)) / 6.0
    return ((a + b + c) / 4.0 * v[:, None]).sum(0) / v.sum()


def boundary_edges(mesh) -> int:
    fe = vtk.vtkFeatureEdges()
    fe.SetInputData(mesh)
    fe.BoundaryEdgesOn()
    fe.FeatureEdgesOff()
    fe.ManifoldEdgesOff()
    fe.NonManifoldEdgesOff()
    fe.Update()
    return fe.GetOutput().GetNumberOfCells()


def check_against_reference(result, lab, world_of_ijk, step):
    """Each label's surface: closed, outward; its bounds within half a voxel of the label's
    boundary (measured in voxels: the surface taken back to index space through the header's
    frame, computed here), its centroid within half a voxel of the voxel centres' centroid.
    `step` is the 3x3 world step per index (columns)."""
    half = 0.5 * np.abs(step).sum(axis=1)  # half a voxel's extent along each world axis
    origin = world_of_ijk(np.zeros((1, 3)))[0]
    to_index = np.linalg.inv(step)
    by_label = {result.case.sources[s.source].label: s for s in result.case.structures}
    assert set(by_label) == {1, 2, 3}
    for value, s in by_label.items():
        mesh = result.meshes[s.id]
        ijk = np.argwhere(lab == value).astype(float)
        w = world_of_ijk(ijk)
        idx = (np.asarray(mesh.points) - origin) @ to_index.T  # the surface in voxel units
        lo, hi = ijk.min(0) - 0.5, ijk.max(0) + 0.5  # the label's boundary (voxel faces)
        assert np.all(np.abs(idx.min(0) - lo) <= 0.5) and np.all(np.abs(idx.max(0) - hi) <= 0.5), (
            value,
            idx.min(0),
            lo,
            idx.max(0),
            hi,
        )
        assert signed_volume(mesh) > 0  # outward faces
        assert boundary_edges(mesh) == 0  # closed
        if value != 2:
            assert np.linalg.norm(volume_centroid(mesh) - w.mean(0)) <= np.linalg.norm(half), value
        assert s.pieces == (2 if value == 2 else 1)
        # volume within a voxel layer of the voxel count (smoothing rounds corners)
        vox = abs(np.linalg.det(step))
        assert 0.75 < signed_volume(mesh) / (len(ijk) * vox) < 1.1


@pytest.mark.parametrize("frame", ["oblique_sform", "qform_only", "mirrored"])
def test_nifti_frames(tmp_path, frame):
    lab = blobs()
    A = np.eye(4)
    A[:3, :3] = rot(5, -4, 8) @ np.diag([0.4, 0.45, 0.7])
    A[:3, 3] = [-20.0, 12.0, -5.0]
    if frame == "mirrored":
        A[:3, 0] *= -1  # det < 0: radiological storage order
    img = nib.Nifti1Image(lab, None)
    if frame == "qform_only":
        img.header.set_qform(A, code=1)
        img.header.set_sform(np.eye(4) * 3, code=0)
    else:
        img.header.set_sform(A, code=2)
        img.header.set_qform(np.eye(4), code=0)
    img.header["descrip"] = b"Doe^John 1970-01-01"
    path = tmp_path / "seg.nii.gz"
    nib.save(img, path)
    ref = nib.load(path)  # reference frame straight from nibabel
    result = import_files([path])
    check_against_reference(result, lab, lambda ijk: nib.affines.apply_affine(ref.affine, ijk), ref.affine[:3, :3])
    assert "Doe" not in result.case.to_json() and str(tmp_path) not in result.case.to_json()


@pytest.mark.parametrize(
    "space, directions",
    [
        ("left-posterior-superior", [[0.5, 0, 0], [0, 0.5, 0], [0, 0, 0.8]]),
        ("left-posterior-superior", [[0, 1, 0], [0, 0, -1], [1, 0, 0]]),  # permuted axes
        ("right-anterior-superior", (rot(3, 6, -5) @ np.diag([0.3, 0.3, 0.6])).T.tolist()),
    ],
)
def test_nrrd_frames(tmp_path, space, directions):
    lab = blobs()
    path = tmp_path / "seg.nrrd"
    origin = np.array([12.0, -30.0, 4.0])
    nrrd.write(
        str(path),
        lab,
        {
            "space": space,
            "space directions": np.array(directions, float),
            "space origin": origin,
            "kinds": ["domain"] * 3,
            "encoding": "gzip",
            "content": "Doe^John",
        },
        index_order="F",
    )
    hdr = nrrd.read_header(str(path))
    D, o = np.asarray(hdr["space directions"], float), np.asarray(hdr["space origin"], float)
    flip = np.array([-1.0, -1.0, 1.0]) if space.startswith("left") else np.ones(3)

    def world(ijk):  # NRRD: world = sum_k ijk_k * direction_k + origin, then LPS -> RAS
        return (ijk @ D + o) * flip

    result = import_files([path])
    check_against_reference(result, lab, world, (D * flip).T)
    assert result.case.sources[0].space == ("LPS" if space.startswith("left") else "RAS")
    assert "Doe" not in result.case.to_json()


def test_seg_nrrd_layers_names_colours(tmp_path):
    lab = blobs()
    layer1 = np.zeros_like(lab)
    layer1[lab == 1] = 1  # an overlapping segment: the same voxels as "Brainstem" in layer 0
    data = np.stack([lab, layer1]).astype(np.uint8)
    hdr = {
        "space": "left-posterior-superior",
        "kinds": ["list", "domain", "domain", "domain"],
        "space directions": np.array([[np.nan] * 3, [0.5, 0, 0], [0, 0.5, 0], [0, 0, 0.5]]),
        "space origin": np.zeros(3),
    }
    for n, (name, value, layer, colour) in enumerate(
        [
            ("Brainstem", 1, 0, "0.8 0.7 0.5"),
            ("AICA", 2, 0, "1 0 0"),
            ("CN VII", 3, 0, "1 1 0"),
            ("Pons copy", 1, 1, "0 0 1"),
        ]
    ):
        hdr.update(
            {
                f"Segment{n}_ID": f"S{n}",
                f"Segment{n}_Name": name,
                f"Segment{n}_LabelValue": str(value),
                f"Segment{n}_Layer": str(layer),
                f"Segment{n}_Color": colour,
            }
        )
    path = tmp_path / "case.seg.nrrd"
    nrrd.write(str(path), data, hdr, index_order="F")
    result = import_files([path], labels={3: ("facial_nerve", None)})
    got = {s.name: (s.role, s.vessel_role, s.colour) for s in result.case.structures}
    assert got["Brainstem"] == ("brainstem", None, (204, 178, 128))
    assert got["AICA"] == ("vessel", "aica", (255, 0, 0))
    assert got["CN VII"][0] == "facial_nerve"
    assert got["Pons copy"][0] == "brainstem"
    a, b = (result.meshes[s.id] for s in result.case.structures if s.name in ("Brainstem", "Pons copy"))
    assert np.allclose(a.bounds, b.bounds, atol=0.25)  # overlapping segments both kept (half a voxel)
    assert {s.kind for s in result.case.sources} == {"seg.nrrd"}


def test_label_table_and_label_option(tmp_path):
    lab = blobs()
    nib.save(nib.Nifti1Image(lab, np.diag([0.5, 0.5, 0.5, 1])), tmp_path / "x.nii.gz")
    (tmp_path / "x.tsv").write_text("value\tname\tr\tg\tb\n1\tpons\t10\t20\t30\n2\tLeft PICA\t1\t2\t3\n")
    r = import_files([tmp_path / "x.nii.gz"], labels={3: ("vessel", "vein")})
    roles = {s.name: (s.role, s.vessel_role, s.kind, s.colour) for s in r.case.structures}
    assert roles["pons"] == ("brainstem", None, None, (10, 20, 30))
    assert roles["Left PICA"][:3] == ("vessel", "pica", "artery")
    assert roles["Label 3"][:3] == ("vessel", "vein", "vein")
    with pytest.raises(CaseError, match="--label 9"):
        import_files([tmp_path / "x.nii.gz"], labels={9: ("brainstem", None)})


def test_integral_float_labels_accepted(tmp_path):
    lab = blobs().astype(np.float32)
    nib.save(nib.Nifti1Image(lab, np.diag([0.5, 0.5, 0.5, 1])), tmp_path / "f.nii.gz")
    assert len(import_files([tmp_path / "f.nii.gz"]).case.structures) == 3


def _sphere_file(path, centre, fmt_tag=None):
    s = pv.Sphere(radius=6.0, center=centre, theta_resolution=30, phi_resolution=30)
    s.save(str(path), binary=False) if path.suffix != ".vtp" else s.save(str(path))
    if fmt_tag:
        text = path.read_text()
        if path.suffix == ".stl":
            text = text.replace("solid", f"solid 3D Slicer output. SPACE={fmt_tag}", 1)
        elif path.suffix == ".ply":
            text = text.replace("format ascii 1.0\n", f"format ascii 1.0\ncomment SPACE={fmt_tag}\n", 1)
        else:
            text = f"# 3D Slicer output. SPACE={fmt_tag}\n" + text
        path.write_text(text)
    return s


@pytest.mark.parametrize("suffix", [".stl", ".obj", ".ply"])
@pytest.mark.parametrize(
    "tag, option, expect_x",
    [("LPS", None, -10.0), ("RAS", None, 10.0), ("RAS", "LPS", 10.0), (None, None, 10.0), (None, "LPS", -10.0)],
)
def test_mesh_frames(tmp_path, suffix, tag, option, expect_x):
    path = tmp_path / f"Left AICA{suffix}"
    if suffix == ".obj":  # pyvista cannot save OBJ of a plain mesh: write it by hand
        s = pv.Sphere(radius=6.0, center=(10.0, 20.0, 5.0), theta_resolution=30, phi_resolution=30)
        lines = ([f"# 3D Slicer output. SPACE={tag}"] if tag else []) + [f"v {x} {y} {z}" for x, y, z in s.points]
        lines += [f"f {a + 1} {b + 1} {c + 1}" for a, b, c in s.regular_faces]
        path.write_text("\n".join(lines) + "\n")
    else:
        _sphere_file(path, (10.0, 20.0, 5.0), tag)
    r = import_files([path], space=option)
    (s,) = r.case.structures
    c = np.asarray(r.meshes[s.id].points).mean(0)
    assert np.allclose(c, [expect_x, 20.0 if expect_x > 0 else -20.0, 5.0], atol=0.05)
    assert s.role == "vessel" and s.vessel_role == "aica"
    assert r.case.sources[0].space == (tag or option or "RAS") and r.case.sources[0].label is None


def test_vtp_space_field_data(tmp_path):
    s = pv.Sphere(radius=6.0, center=(10.0, 20.0, 5.0))
    arr = vtk.vtkStringArray()
    arr.SetName("SPACE")
    arr.InsertNextValue("LPS")
    s.GetFieldData().AddArray(arr)
    s.save(str(tmp_path / "brainstem.vtp"))
    r = import_files([tmp_path / "brainstem.vtp"])
    assert np.allclose(np.asarray(r.meshes["brainstem"].points).mean(0), [-10, -20, 5], atol=0.05)


@pytest.fixture(scope="module")
def demo_result():
    from viewer.patient.demo import demo_files

    return import_files(demo_files("nifti"))


def test_case_file_round_trip(tmp_path, demo_result):
    path = write_case(tmp_path / "c.hfscase", demo_result.case, demo_result.meshes)
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist()[0] == "case.json"
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in zf.infolist())
    case, meshes = read_case(path)
    assert case == demo_result.case
    for sid, m in meshes.items():
        assert np.allclose(m.points, demo_result.meshes[sid].points, atol=1e-4)
        assert np.array_equal(m.regular_faces, demo_result.meshes[sid].regular_faces)
    assert sum(m.n_cells for m in meshes.values()) < 400_000


@pytest.mark.parametrize("fmt", ["stl", "obj", "ply"])
@pytest.mark.parametrize("space", ["RAS", "LPS"])
def test_export_then_import_gives_the_same_surfaces(tmp_path, demo_result, fmt, space):
    items = case_export_items(demo_result.case, demo_result.meshes)
    files = export_surfaces(items, fmt, tmp_path / "out", space)
    assert len(files) == len(items)
    back = import_files(files)  # the tag in each file says the frame: no --space needed
    assert all(src.space == space for src in back.case.sources)
    for s in demo_result.case.structures:
        a = demo_result.meshes[s.id]
        b = back.meshes[s.id]
        assert b.n_cells == a.n_cells
        assert np.allclose(b.bounds, a.bounds, atol=1e-3)
        assert abs(signed_volume(b) - signed_volume(a)) <= 1e-3 * abs(signed_volume(a)) + 1e-3
    assert {s.id: s.role for s in back.case.structures} == {s.id: s.role for s in demo_result.case.structures}


def test_merged_stl_and_glb(tmp_path, demo_result):
    items = case_export_items(demo_result.case, demo_result.meshes)
    (stl,) = export_surfaces(items, "stl", tmp_path / "all.stl", "LPS")
    assert b"SPACE=LPS" in stl.read_bytes()[:80]
    back = import_files([stl])
    assert back.meshes[back.case.structures[0].id].n_cells == sum(len(i.triangles) for i in items)
    (glb,) = export_surfaces(items, "glb", tmp_path / "all.glb", "RAS")
    doc, blob = read_glb(glb)
    assert len(doc["meshes"]) == len(items) and doc["asset"]["extras"]["SPACE"] == "RAS"
    for it, mesh in zip(items, doc["meshes"]):
        acc = doc["accessors"][mesh["primitives"][0]["attributes"]["POSITION"]]
        view = doc["bufferViews"][acc["bufferView"]]
        pts = np.frombuffer(blob, np.float32, acc["count"] * 3, view["byteOffset"]).reshape(-1, 3)
        assert np.allclose(pts, it.points, atol=1e-4)
        iacc = doc["accessors"][mesh["primitives"][0]["indices"]]
        iview = doc["bufferViews"][iacc["bufferView"]]
        idx = np.frombuffer(blob, np.uint32, iacc["count"], iview["byteOffset"]).reshape(-1, 3)
        assert np.array_equal(idx, it.triangles)


def test_decimation_to_the_budget_keeps_surfaces_closed_and_close(tmp_path):
    lab = blobs().repeat(2, 0).repeat(2, 1).repeat(2, 2)  # doubled resolution: many triangles
    A = np.eye(4)
    A[:3, :3] = rot(4, 2, -6) @ np.diag([0.25, 0.25, 0.35])
    img = nib.Nifti1Image(lab, None)
    img.header.set_sform(A, code=1)
    nib.save(img, tmp_path / "big.nii.gz")
    full = import_files([tmp_path / "big.nii.gz"])
    budget = sum(m.n_cells for m in full.meshes.values()) // 3
    small = import_files([tmp_path / "big.nii.gz"], budget=budget)
    assert sum(m.n_cells for m in small.meshes.values()) <= 1.02 * budget
    for s in small.case.structures:
        m, ref = small.meshes[s.id], full.meshes[s.id]
        assert boundary_edges(m) == 0 and signed_volume(m) > 0
        assert np.allclose(m.bounds, ref.bounds, atol=0.2)
        assert abs(signed_volume(m) / signed_volume(ref) - 1) < 0.03
    assert [s.pieces for s in small.case.structures] == [s.pieces for s in full.case.structures]


def test_thin_vessel_keeps_its_radius(tmp_path):
    """A 0.8 mm radius artery on a 0.4 mm grid (2 voxels): smoothing must not shrink it
    (the mean distance of the surface from the centreline stays within half a voxel)."""
    from viewer.voxelise import capsule_chain_mask, grid_for_bounds

    shape, A = grid_for_bounds((-10, 10, -6, 6, -6, 6), (0.4, 0.4, 0.4), rot(0, 0, 7))
    a, b = np.array([-8.0, -2.0, -3.0]), np.array([8.0, 2.0, 3.0])
    lab = capsule_chain_mask(shape, A, np.array([a, b]), 0.8).astype(np.uint8)
    img = nib.Nifti1Image(lab, None)
    img.header.set_sform(A, code=1)
    nib.save(img, tmp_path / "AICA.nii.gz")
    r = import_files([tmp_path / "AICA.nii.gz"])
    p = np.asarray(r.meshes[r.case.structures[0].id].points)
    u = (b - a) / np.linalg.norm(b - a)
    t = (p - a) @ u
    mid = (t > 2) & (t < np.linalg.norm(b - a) - 2)  # away from the rounded ends
    d = np.linalg.norm((p - a) - t[:, None] * u, axis=1)[mid]
    assert abs(d.mean() - 0.8) < 0.2, d.mean()
    assert d.std() < 0.1  # round, not a staircase
