import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from viewer.geometry import arc_lengths, catmull_rom, resample_polyline, segment_distances
from viewer.tubes import tube_points, tube_topology


def test_catmull_rom_passes_through_every_control_point():
    ctrl = np.array([[0, 0, 0], [10, 2, 0], [12, 8, 3], [5, 12, 1], [0, 9, -2.0]])
    curve = catmull_rom(ctrl, samples_per_span=20)
    for c in ctrl:
        assert np.min(np.linalg.norm(curve - c, axis=1)) < 1e-9


def test_catmull_rom_two_points_is_the_segment():
    curve = catmull_rom(np.array([[0, 0, 0], [3, 4, 0.0]]))
    assert arc_lengths(curve)[-1] == pytest.approx(5.0)


def test_resample_spacing_is_uniform():
    pts = resample_polyline(np.array([[0, 0, 0], [10, 0, 0], [10, 10, 0.0]]), step=0.25)
    d = np.linalg.norm(np.diff(pts, axis=0), axis=1)
    assert d.max() <= 0.25 + 1e-9 and d.max() - d.min() < 1e-6


def _brute_force(a0, a1, b0, b1, n=400):
    s = np.linspace(0, 1, n)
    pa = a0 + s[:, None] * (a1 - a0)
    pb = b0 + s[:, None] * (b1 - b0)
    return np.min(np.linalg.norm(pa[:, None] - pb[None], axis=-1))


coords = st.floats(-10, 10, allow_nan=False, width=32)
vec = st.tuples(coords, coords, coords).map(np.array)


@settings(max_examples=60, deadline=None)
@given(vec, vec, vec, vec)
def test_segment_distance_matches_brute_force(a0, a1, b0, b1):
    d, s, t = segment_distances(a0, a1, b0, b1)
    assert 0 <= s <= 1 and 0 <= t <= 1
    n = 400
    brute = _brute_force(a0, a1, b0, b1, n)
    # sampling can only overestimate, by at most one sample spacing on each segment
    assert d <= brute + 1e-6
    assert brute - d <= (np.linalg.norm(a1 - a0) + np.linalg.norm(b1 - b0)) / (n - 1) + 1e-6


def test_segment_distance_parallel_and_degenerate():
    d, _, _ = segment_distances(
        np.array([0, 0, 0.0]), np.array([1, 0, 0.0]), np.array([0, 1, 0.0]), np.array([1, 1, 0.0])
    )
    assert d == pytest.approx(1.0)
    d, _, _ = segment_distances(
        np.array([0, 0, 0.0]), np.array([0, 0, 0.0]), np.array([2, -1, 0.0]), np.array([2, 1, 0.0])
    )
    assert d == pytest.approx(2.0)


def test_tube_is_closed_with_outward_faces():
    c = resample_polyline(catmull_rom(np.array([[0, 0, 0], [5, 1, 0], [9, 4, 2.0]])), step=0.5)
    topo = tube_topology(len(c), 16, 3)
    pts = tube_points(c, 1.0, topo)
    f = topo.faces
    # every edge shared by exactly two triangles, in opposite directions -> closed, oriented
    edges = np.concatenate([f[:, [0, 1]], f[:, [1, 2]], f[:, [2, 0]]])
    directed = {tuple(e) for e in edges.tolist()}
    assert len(directed) == len(edges)
    assert all((b, a) in directed for a, b in directed)
    # divergence theorem: signed volume positive (outward normals), close to a capsule's
    v0, v1, v2 = pts[f[:, 0]], pts[f[:, 1]], pts[f[:, 2]]
    vol = np.einsum("ij,ij->i", v0, np.cross(v1, v2)).sum() / 6
    length = arc_lengths(c)[-1]
    expected = np.pi * length + 4 / 3 * np.pi
    assert vol == pytest.approx(expected, rel=0.05)


# ------------------------------------------------------------------ VertexNormals (no scipy.sparse)


def _vertex_normals_reference(points, faces):
    """Written plainly: every face's cross product added to its (distinct) vertices one face after
    the other, from 0, then each row divided by its norm (zero rows stay zero). This is also what
    the scipy.sparse incidence product that VertexNormals replaced computed, to the last bit."""
    points = np.asarray(points, float)
    acc = np.zeros((len(points), 3))
    for face in np.asarray(faces):
        p0, p1, p2 = points[face]
        fn = np.cross(p1 - p0, p2 - p0)
        for v in dict.fromkeys(face.tolist()):  # a degenerate face counts once per vertex
            acc[v] += fn
    n = np.linalg.norm(acc, axis=1, keepdims=True)
    return np.divide(acc, n, out=np.zeros_like(acc), where=n > 0)


def _bit_identical(a, b):
    return a.shape == b.shape and np.array_equal(a, b) and np.array_equal(np.signbit(a), np.signbit(b))


def _mesh_cases():
    rng = np.random.default_rng(4)
    topo = tube_topology(40, 24, cap_rings=5)  # the cn7 layout: 6 faces per vertex, 24 at the poles
    c = np.stack([np.linspace(0, 12, 40), np.sin(np.linspace(0, 3, 40)), np.zeros(40)], axis=1)
    tube = tube_points(c, 0.75, topo)
    yield "tube", tube + rng.normal(0, 0.02, tube.shape), topo.faces
    yield "tube at rest", tube, topo.faces
    fan = np.vstack(
        [
            [0.0, 0, 0],
            np.stack([np.cos(np.arange(40) * 0.157), np.sin(np.arange(40) * 0.157), 0.1 * np.arange(40)], axis=1),
        ]
    )
    yield "fan (one vertex, 39 faces)", fan, np.array([[0, k, k + 1] for k in range(1, 40)])
    grid = np.stack(np.meshgrid(np.arange(6.0), np.arange(5.0), [0.0]), -1).reshape(-1, 3)  # flat: signed zeros
    yield "flat grid + unused vertices", grid, np.array([[0, 1, 6], [1, 7, 6], [2, 3, 8], [3, 9, 8], [8, 9, 14]])
    # one face whose normal is (-0.0, -0.0, 1): a sum from 0 gives +0.0 there, and so must VertexNormals
    # (30 copies, so that there are enough vertices for the layered sums, not only the small-mesh path)
    tri = np.array([[0.0, 0, 0], [1, -1, 0], [-1, 2, 0]])
    yield ("negative zeros", np.concatenate([tri + [3.0 * k, 0, 0] for k in range(30)]), np.arange(90).reshape(30, 3))
    for k in range(30):
        n = int(rng.integers(1, 250))
        pts = rng.normal(size=(n, 3)) * rng.uniform(0.01, 50)
        if k % 3 == 0:
            pts[:, 2] = 0.0
        if k % 4 == 0:
            pts = np.round(pts)  # exact zeros, repeated points
        yield f"random {k}", pts, rng.integers(0, n, size=(int(rng.integers(0, 700)), 3))


@pytest.mark.parametrize("name, points, faces", list(_mesh_cases()), ids=lambda x: x if isinstance(x, str) else "")
def test_vertex_normals_are_the_plain_sequential_sums_to_the_bit(name, points, faces):
    from viewer.tubes import VertexNormals, vertex_normals

    want = _vertex_normals_reference(points, faces)
    vn = VertexNormals(faces, len(points))
    assert _bit_identical(vn(points), want)
    assert _bit_identical(vn(points * 1.5 - 2.0), _vertex_normals_reference(points * 1.5 - 2.0, faces))  # reusable
    assert _bit_identical(vertex_normals(points, faces), want)


def test_vertex_normals_point_outwards_on_a_tube():
    from viewer.tubes import VertexNormals, tube_normals

    topo = tube_topology(30, 24, cap_rings=5)
    c = np.stack([np.linspace(0, 9, 30), np.zeros(30), 0.2 * np.linspace(0, 9, 30) ** 1.5], axis=1)
    pts = tube_points(c, 0.8, topo)
    nrm = VertexNormals(topo.faces, len(pts))(pts)
    np.testing.assert_allclose(np.linalg.norm(nrm, axis=1), 1.0, atol=1e-12)
    assert np.einsum("ij,ij->i", nrm, tube_normals(c, 0.8, topo)).min() > 0.95


def test_vertex_normals_same_as_the_scipy_sparse_product_where_scipy_is_installed():
    sparse = pytest.importorskip("scipy.sparse")
    from viewer.tubes import VertexNormals, _unit_rows

    for name, pts, faces in _mesh_cases():
        if len(faces) == 0:
            continue
        f = np.asarray(faces)
        rows, cols = f.ravel(), np.repeat(np.arange(len(f)), 3)
        incidence = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(pts), len(f)))
        tri = np.take(np.asarray(pts, float), f, axis=0)
        want = _unit_rows(incidence @ np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]))
        assert _bit_identical(VertexNormals(faces, len(pts))(pts), want), name
