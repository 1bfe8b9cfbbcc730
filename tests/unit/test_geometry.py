import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

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
    d, _, _ = segment_distances(np.array([0, 0, 0.0]), np.array([1, 0, 0.0]), np.array([0, 1, 0.0]), np.array([1, 1, 0.0]))
    assert d == pytest.approx(1.0)
    d, _, _ = segment_distances(np.array([0, 0, 0.0]), np.array([0, 0, 0.0]), np.array([2, -1, 0.0]), np.array([2, 1, 0.0]))
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
