"""Both sides in the render layer: the shipped left meshes mirrored at load time and in place."""

import numpy as np
import pytest

from viewer.anatomy import build_anatomy
from viewer.presets import load_preset
from viewer.render.scenario_view import render_scenario
from viewer.render.scene import load_meshes, mirror_mesh_set
from viewer.scenario import mirror_scenario
from viewer.tubes import tube_points, tube_topology

pytestmark = pytest.mark.render

YELLOW = lambda img: (img[..., 0] > 170) & (img[..., 1] > 140) & (img[..., 2] < 110)  # noqa: E731 - the nerves


def _signed_volume(mesh) -> float:
    """Positive for a closed surface whose triangles wind outward (divergence theorem)."""
    f = mesh.regular_faces
    p = np.asarray(mesh.points, float)
    return float(np.einsum("ij,ij->i", p[f[:, 0]], np.cross(p[f[:, 1]], p[f[:, 2]])).sum() / 6.0)


@pytest.fixture(scope="module")
def both():
    return load_meshes(), load_meshes(side="right")


def test_right_meshes_are_the_left_mirrored_and_stay_outward(both):
    left, right = both
    assert (left.side, right.side) == ("left", "right")
    for sid, ml in left.meshes.items():
        mr = right.meshes[sid]
        pl, pr = np.asarray(ml.points, float), np.asarray(mr.points, float)
        # the same surface: every mirrored left vertex is a right vertex (tubes are renumbered)
        assert sorted(map(tuple, np.round(pr, 6))) == sorted(map(tuple, np.round(pl * [-1, 1, 1], 6))), sid
        vl, vr = _signed_volume(ml), _signed_volume(mr)
        # tubes: the same vertices, each quad split along its other diagonal (the tube that
        # viewer.tubes builds around the mirrored centreline), so the volume differs by rounding
        tube = left.structures[sid].kind in ("artery", "vein", "nerve")
        assert vl > 0 and vr == pytest.approx(vl, rel=1e-3 if tube else 1e-9), sid
        # vertex normals point outward too: away from the mesh centre on average
        n = np.asarray(mr.point_data["Normals"])
        assert np.mean(np.einsum("ij,ij->i", pr - pr.mean(axis=0), n)) > 0, sid
    assert right.structures["aica"].name == "Right AICA"
    assert right.structures["va_right"].name == "Left vertebral artery"
    assert left.structures["aica"].name == "Left AICA"


def test_mirrored_tubes_have_the_layout_the_live_updates_write(both):
    """A tube rebuilt around the right centreline (what a drag or the nerve deformation writes)
    lands on the mirrored mesh vertex for vertex, so the shipped topology stays valid."""
    _, right = both
    f = build_anatomy("right").facial_nerve
    topo = tube_topology(len(f.points_mm), 24, cap_rings=5)
    assert np.allclose(tube_points(f.points_mm, f.radius_mm, topo), right.meshes["cn7"].points, atol=1e-9)


def test_mirroring_twice_restores_the_shipped_meshes():
    ms = load_meshes()
    before = {
        sid: (np.array(m.points), m.regular_faces.copy(), np.array(m.point_data["Normals"]))
        for sid, m in ms.meshes.items()
    }
    names = {sid: s.name for sid, s in ms.structures.items()}
    assert mirror_mesh_set(ms, "right") and not mirror_mesh_set(ms, "right")
    assert mirror_mesh_set(ms, "left")
    for sid, (p, f, n) in before.items():
        m = ms.meshes[sid]
        assert np.array_equal(m.points, p) and np.array_equal(m.regular_faces, f)
        assert np.array_equal(m.point_data["Normals"], n)
    assert {sid: s.name for sid, s in ms.structures.items()} == names


def GREY(img):  # noqa: N802 - a colour mask, named like the others
    """The see-through petrous bone."""
    return (np.abs(img[..., 0] - img[..., 1]) < 14) & (np.abs(img[..., 1] - img[..., 2]) < 14) & (img[..., 0] > 115)


def _mass_centre_x(mask: np.ndarray) -> float:
    return float(np.nonzero(mask)[1].mean()) / mask.shape[1]


def test_a_right_sided_preset_renders_on_the_other_half():
    """Anterior view (image right = patient left): the right-sided case is the mirror image."""
    s = load_preset("aica-attached-segment")
    img_l = render_scenario(s, view="anterior", size=(480, 300), annotations=False).astype(int)
    img_r = render_scenario(mirror_scenario(s), view="anterior", size=(480, 300), annotations=False).astype(int)
    gl, gr = GREY(img_l), GREY(img_r)
    assert gl.sum() > 1000 and gr.sum() > 1000
    assert _mass_centre_x(gl) > 0.55  # the left petrous bone and CPA: image right
    assert _mass_centre_x(gr) < 0.45  # the right side's: image left (x > 0)
    # the whole picture is the left one flipped (the R/A/S marker in the lower corners aside)
    keep = np.ones(img_l.shape[:2], bool)
    keep[200:, :120] = keep[200:, 360:] = False
    flipped = np.abs(img_l[:, ::-1] - img_r)[keep].mean()
    assert flipped < 5 and np.abs(img_l - img_r)[keep].mean() > 3 * flipped
