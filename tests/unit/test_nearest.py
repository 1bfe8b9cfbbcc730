"""viewer.nearest.NearestPoints against a plain brute-force reference, and the pure core without scipy."""

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from viewer import nearest
from viewer.nearest import NearestPoints


def reference(points, queries, bound=np.inf):
    """Written plainly: one query at a time, squared distances, first minimum, and (as cKDTree)
    the squared distance strictly below the squared bound."""
    points = np.asarray(points, float)
    dist = np.full(len(queries), np.inf)
    idx = np.full(len(queries), len(points))
    for i, q in enumerate(np.asarray(queries, float)):
        d2 = ((points - q) ** 2).sum(axis=1)
        j = int(np.argmin(d2))
        if d2[j] < bound * bound:
            dist[i], idx[i] = np.sqrt(d2[j]), j
    return dist, idx


def test_reference_distances_are_those_of_np_linalg_norm():
    rng = np.random.default_rng(2)
    pts, q = rng.normal(size=(300, 3)) * 7, rng.normal(size=(200, 3)) * 7
    d, i = reference(pts, q)
    np.testing.assert_array_equal(d, np.linalg.norm(pts[i] - q, axis=1))


def assert_same(got, want):
    (d, i), (dr, ir) = got, want
    np.testing.assert_array_equal(i, ir)
    np.testing.assert_array_equal(d, dr)  # exact: the same rounding as np.linalg.norm / cKDTree


def query_both_ways(pts, q, bound):
    """The query as is, and with the bounding-box prefilters forced on (small problems skip them)."""
    plain = NearestPoints(pts).query(q, distance_upper_bound=bound)
    saved = nearest.SMALL_BLOCK
    nearest.SMALL_BLOCK = 0
    try:
        filtered = NearestPoints(pts).query(q, distance_upper_bound=bound)
    finally:
        nearest.SMALL_BLOCK = saved
    assert_same(filtered, plain)
    return plain


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("bound", [np.inf, 0.5, 3.0])
def test_random_sets_match_brute_force(seed, bound):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    pts = rng.normal(size=(n, 3)) * rng.uniform(0.5, 10) + rng.normal(size=3) * 20
    q = pts.mean(axis=0) + rng.normal(size=(int(rng.integers(1, 700)), 3)) * rng.uniform(0.5, 15)
    assert_same(query_both_ways(pts, q, bound), reference(pts, q, bound))


finite = st.floats(-50, 50, allow_nan=False, allow_infinity=False)


@settings(max_examples=150, deadline=None)
@given(
    pts=arrays(float, st.tuples(st.integers(1, 40), st.just(3)), elements=finite),
    q=arrays(float, st.tuples(st.integers(0, 40), st.just(3)), elements=finite),
    bound=st.one_of(st.just(np.inf), st.floats(0, 60)),
)
def test_hypothesis_matches_brute_force(pts, q, bound):
    assert_same(query_both_ways(pts, q, bound), reference(pts, q, bound))


@settings(max_examples=60, deadline=None)
@given(
    pts=arrays(float, st.tuples(st.integers(1, 30), st.just(3)), elements=st.integers(-3, 3).map(float)),
    q=arrays(float, st.tuples(st.integers(1, 30), st.just(3)), elements=st.integers(-4, 4).map(float)),
    bound=st.one_of(st.just(np.inf), st.integers(0, 5).map(float)),
)
def test_integer_grids_many_ties_and_distances_on_the_bound(pts, q, bound):
    assert_same(query_both_ways(pts, q, bound), reference(pts, q, bound))


def test_bound_is_strict_like_ckdtree():
    t = NearestPoints([[0.0, 0, 0], [2.0, 0, 0]])
    # compared as squares, like cKDTree: a bound whose square underflows finds nothing
    assert t.query([0.0, 0, 0], distance_upper_bound=1e-170) == (np.inf, 2)
    assert t.query([0.0, 0, 0], distance_upper_bound=1e-150) == (0.0, 0)
    d, i = t.query([[1.0, 0, 0], [3.0, 0, 0], [0.5, 0, 0], [10.0, 0, 0]], distance_upper_bound=1.0)
    np.testing.assert_array_equal(d, [np.inf, np.inf, 0.5, np.inf])
    np.testing.assert_array_equal(i, [2, 2, 0, 2])  # n for "none within the bound"
    d, i = t.query([[1.0, 0, 0]], distance_upper_bound=np.nextafter(1.0, 2.0))
    assert (d[0], i[0]) == (1.0, 0)


def test_ties_go_to_the_lowest_index():
    pts = np.array([[1.0, 0, 0], [0, 1, 0], [0, 0, 1], [-1, 0, 0], [1, 0, 0]] * 20)
    d, i = NearestPoints(pts).query(np.zeros((1, 3)))
    assert (d[0], i[0]) == (1.0, 0)
    d, i = NearestPoints(pts).query([[0.0, 0, 0.5], [0, -2, 0], [3, 0, 0]])
    np.testing.assert_array_equal(i, [2, 0, 0])


def test_empty_query_and_single_point():
    t = NearestPoints([[1.0, 2.0, 3.0]])
    d, i = t.query(np.zeros((0, 3)), distance_upper_bound=1.0)
    assert d.shape == (0,) and i.shape == (0,) and d.dtype == float and i.dtype.kind == "i"
    d, i = t.query([[1.0, 2.0, 7.0], [1.0, 2.0, 3.0]])
    np.testing.assert_array_equal(d, [4.0, 0.0])
    np.testing.assert_array_equal(i, [0, 0])


def test_one_query_point_gives_scalars_and_shapes_are_kept():
    rng = np.random.default_rng(3)
    pts = rng.normal(size=(50, 3))
    t = NearestPoints(pts)
    d, i = t.query(pts[7] + 1e-3)
    assert isinstance(d, float) and isinstance(i, int) and i == 7
    assert t.query(pts[7] + 100.0, distance_upper_bound=1.0) == (np.inf, 50)
    q = rng.normal(size=(2, 5, 3))
    d, i = t.query(q, distance_upper_bound=0.4)
    assert d.shape == i.shape == (2, 5)
    assert_same((d.ravel(), i.ravel()), reference(pts, q.reshape(-1, 3), 0.4))


def test_chunks_and_the_bounding_box_prefilter_change_nothing(monkeypatch):
    rng = np.random.default_rng(5)
    pts = rng.normal(size=(120, 3)) * 3
    q = rng.normal(size=(900, 3)) * 8  # most of them far outside the box grown by the bound
    want = reference(pts, q, 1.5)
    monkeypatch.setattr(nearest, "CHUNK_ELEMENTS", 7 * 120 + 5)  # several chunks, uneven last one
    assert_same(NearestPoints(pts).query(q, distance_upper_bound=1.5), want)
    monkeypatch.setattr(nearest, "CHUNK_ELEMENTS", 1)  # one query per chunk
    assert_same(NearestPoints(pts).query(q, distance_upper_bound=1.5), want)
    monkeypatch.setattr(nearest, "SMALL_BLOCK", 10**9)  # no prefilter at all
    assert_same(NearestPoints(pts).query(q, distance_upper_bound=1.5), want)


def test_points_are_copied_and_validated():
    pts = np.array([[0.0, 0, 0], [5.0, 0, 0]])
    t = NearestPoints(pts)
    pts[0] = 100.0
    assert t.query([0.0, 0, 0]) == (0.0, 0)
    with pytest.raises(ValueError):
        NearestPoints(np.zeros(3))
    with pytest.raises(ValueError):
        t.query(np.zeros((4, 2)))


def test_other_dimensions():
    rng = np.random.default_rng(8)
    for dim in (1, 2, 4):
        pts, q = rng.normal(size=(60, dim)), rng.normal(size=(80, dim))
        assert_same(NearestPoints(pts).query(q, distance_upper_bound=0.3), reference(pts, q, 0.3))


def test_same_as_scipy_ckdtree_where_scipy_is_installed():
    """The drop-in claim: bit-identical distances and indices (ties aside, see module docstring)."""
    ckdtree = pytest.importorskip("scipy.spatial").cKDTree
    rng = np.random.default_rng(11)
    for _ in range(20):
        pts = rng.normal(size=(int(rng.integers(1, 300)), 3)) * rng.uniform(0.1, 20)
        q = rng.normal(size=(500, 3)) * rng.uniform(0.1, 20)
        for bound in (np.inf, float(rng.uniform(0, 5))):
            assert_same(
                NearestPoints(pts).query(q, distance_upper_bound=bound),
                ckdtree(pts).query(q, distance_upper_bound=bound),
            )


def test_the_viewer_package_never_imports_scipy():
    """scipy is out of the frozen build (its size budget): the pure core and the command line must not load it."""
    modules = [
        "viewer.nearest",
        "viewer.geometry",
        "viewer.sdf",
        "viewer.anatomy",
        "viewer.dimensions",
        "viewer.sources",
        "viewer.tubes",
        "viewer.scenario",
        "viewer.analysis",
        "viewer.editing",
        "viewer.deformation",
        "viewer.presets",
        "viewer.motion",
        "viewer.mechanism_anim",
        "viewer.cli",
    ]
    code = (
        f"import sys\nimport {', '.join(modules)}\n"
        "from viewer.analysis import analyze\n"
        "from viewer.anatomy import build_anatomy\n"
        "from viewer.deformation import NerveDeformer\n"
        "from viewer.presets import list_presets, load_preset\n"
        "from viewer.tubes import vertex_normals\n"
        "n = build_anatomy().facial_nerve\n"
        "deformer = NerveDeformer(n.points_mm, n.radius_mm)\n"
        "for p in list_presets():\n"
        "    s = load_preset(p.name)\n"
        "    analyze(s)\n"
        "    d = deformer.deform([(v.course_mm, v.radius_mm) for v in s.vessels])\n"
        "    vertex_normals(d.points, deformer.topology.faces)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'scipy')\n"
        "assert not bad, bad\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
