"""The pure case model: role vocabulary and guessing, --label parsing, case.json validation, voxeliser."""

import json

import numpy as np
import pytest

from viewer.case import (
    Case,
    CaseError,
    Source,
    Structure,
    case_from_dict,
    check_role,
    guess_role,
    parse_case,
    parse_label_spec,
    slug,
)
from viewer.voxelise import capsule_chain_mask, grid_for_bounds, sdf_mask, voxel_centres


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Brainstem", ("brainstem", None)),
        ("pons", ("brainstem", None)),
        ("Medulla oblongata", ("brainstem", None)),
        ("Facial nerve", ("facial_nerve", None)),
        ("CN VII", ("facial_nerve", None)),
        ("cn7", ("facial_nerve", None)),
        ("VII", ("facial_nerve", None)),
        ("VIII", ("vestibulocochlear_nerve", None)),
        ("Vestibulocochlear nerve (CN VIII)", ("vestibulocochlear_nerve", None)),
        ("Left AICA", ("vessel", "aica")),
        ("PICA_loop", ("vessel", "pica")),
        ("LeftVertebralArtery", ("vessel", "vertebral")),
        ("Basilar artery", ("vessel", "basilar")),
        ("SCA", ("vessel", "sca")),
        ("petrosal vein", ("vessel", "vein")),
        ("artery 3", ("vessel", "other")),
        ("Vestibular schwannoma", ("lesion", None)),
        ("Cerebellum", ("cerebellum", None)),
        ("Petrous bone", ("bone", None)),
        ("Segment_1", ("other", None)),
        ("response", ("other", None)),
        ("Label 7", ("other", None)),
    ],
)
def test_guess_role_from_names(name, expected):
    role, vr, kind = guess_role(name)
    assert (role, vr) == expected
    assert kind == (None if role != "vessel" else ("vein" if vr == "vein" else "artery"))


def test_label_spec():
    assert parse_label_spec("4=vessel:aica") == (4, "vessel", "aica")
    assert parse_label_spec("1=brainstem") == (1, "brainstem", None)
    assert parse_label_spec("7=aica") == (7, "vessel", "aica")  # a vessel role alone means a vessel
    assert parse_label_spec("9=vein") == (9, "vessel", "vein")
    for bad in ("x=brainstem", "4", "4=nerve", "4=vessel:carotid", "4=brainstem:aica"):
        with pytest.raises(CaseError, match="--label"):
            parse_label_spec(bad)
    assert check_role("vessel") == ("vessel", "other", "artery")


def _case():
    return Case(
        "demo",
        (
            Structure("brainstem", "Brainstem", "brainstem", (1, 2, 3), pieces=1, source=0),
            Structure("aica", "AICA", "vessel", (200, 35, 35), "aica", "artery", pieces=2, source=1),
        ),
        (Source("a.nii.gz", "0" * 64, "nifti", "RAS", 1), Source("a.nii.gz", "0" * 64, "nifti", "RAS", 4)),
    )


def test_case_json_round_trip_and_contract_names():
    c = _case()
    d = json.loads(c.to_json())
    assert d["format"] == "hfs-case" and d["version"] == 1 and d["side"] == "left"
    s = d["structures"][1]
    assert s["mesh"] == "meshes/aica.vtp" and s["vessel_role"] == "aica" and s["kind"] == "artery" and s["pieces"] == 2
    assert "vessel_role" not in d["structures"][0]
    assert set(d["sources"][0]) == {"file", "sha256", "kind", "space", "label"}
    assert parse_case(c.to_json()) == c
    c2 = c.with_role("brainstem", "other")
    assert c2.structure("brainstem").role == "other"


@pytest.mark.parametrize(
    "mutate, where",
    [
        (lambda d: d.update(format="x"), "$.format"),
        (lambda d: d.update(extra=1), "$.extra: unknown key"),
        (lambda d: d["structures"][0].update(role="nerve"), "$.structures[0].role"),
        (lambda d: d["structures"][1].update(vessel_role="carotid"), "$.structures[1].vessel_role"),
        (lambda d: d["structures"][0].update(mesh="../x.vtp"), "$.structures[0].mesh"),
        (lambda d: d["structures"][0].update(colour=[1, 2, 300]), "$.structures[0].colour"),
        (lambda d: d["structures"][1].update(id="brainstem"), "$.structures[1].id: duplicate"),
        (lambda d: d["sources"][0].update(file="/home/patient/a.nii.gz"), "$.sources[0].file: a base name"),
        (lambda d: d.update(landmarks={"root_exit_point": [1, 2, float("nan")]}), "$.landmarks.root_exit_point"),
        (lambda d: d["structures"].clear(), "$.structures"),
    ],
)
def test_case_json_errors_name_the_file_and_path(mutate, where):
    d = _case().to_dict()
    mutate(d)
    with pytest.raises(CaseError) as e:
        case_from_dict(d, "x.hfscase: case.json")
    assert str(e.value).startswith("x.hfscase: case.json: ") and where in str(e.value)
    assert "\n" not in str(e.value)


def test_slug_unique():
    taken = set()
    assert [slug(n, taken) for n in ("Left AICA", "Left AICA", "7", "")] == [
        "left_aica",
        "left_aica_2",
        "s_7",
        "structure",
    ]


def test_capsule_mask_matches_brute_force_on_an_oblique_grid():
    th = np.radians(11)
    rot = np.array([[np.cos(th), -np.sin(th), 0], [np.sin(th), np.cos(th), 0], [0, 0, 1]])
    shape, affine = grid_for_bounds((-6, 6, -6, 6, -6, 6), (0.4, 0.5, 0.7), rot)
    line = np.array([[-4.0, -3.0, -2.0], [0.0, 1.0, 0.5], [3.0, 2.0, 3.5]])
    mask = capsule_chain_mask(shape, affine, line, 1.2)
    p = voxel_centres(shape, affine).reshape(-1, 3)
    d = np.full(len(p), np.inf)
    for a, b in zip(line[:-1], line[1:]):
        t = np.clip((p - a) @ (b - a) / ((b - a) @ (b - a)), 0, 1)
        d = np.minimum(d, np.linalg.norm(p - (a + t[:, None] * (b - a)), axis=1))
    assert np.array_equal(mask.reshape(-1), d <= 1.2)
    # the grid covers the box: its corner voxel centres reach past every face
    assert np.all(p.min(axis=0) <= -6 + 1e-9) and np.all(p.max(axis=0) >= 6 - 0.8)
    sphere = sdf_mask(shape, affine, lambda q: np.linalg.norm(q, axis=-1) - 3.0)
    assert abs(sphere.sum() * abs(np.linalg.det(affine[:3, :3])) - 4 / 3 * np.pi * 27) < 4.0


def test_source_voxel_size_is_optional_and_checked():
    from viewer.case import CaseError, parse_case

    doc = {
        "format": "hfs-case",
        "version": 1,
        "name": "x",
        "sources": [{"file": "a.nii.gz", "sha256": "0" * 64, "kind": "nifti", "space": "RAS", "label": 1}],
        "structures": [{"id": "a", "name": "A", "role": "other", "mesh": "meshes/a.vtp", "colour": [1, 2, 3]}],
    }
    assert parse_case(json.dumps(doc)).sources[0].voxel_mm is None
    doc["sources"][0]["voxel_mm"] = [0.4, 0.4, 0.7]
    case = parse_case(json.dumps(doc))
    assert case.sources[0].voxel_mm == (0.4, 0.4, 0.7)
    assert parse_case(case.to_json()) == case
    doc["sources"][0]["voxel_mm"] = [0.4, -1, 0.7]
    with pytest.raises(CaseError, match=r"\$\.sources\[0\]\.voxel_mm"):
        parse_case(json.dumps(doc))
