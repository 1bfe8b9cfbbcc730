"""Teaching presets (viewer/presets/): shipped scenario files with a teaching block.

Every expectation here is declared by hand in the preset file (from the literature
in the teaching note) and checked against viewer.analysis; nothing is copied from
the analyser. Geometry checks (brainstem, smoothness, crossings) are independent
dense-sampling measurements."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from viewer import presets
from viewer.analysis import TAGS, analyze
from viewer.anatomy import brainstem_sdf, build_anatomy
from viewer.editing import PIA_CLEARANCE_MM, clamp_lesion
from viewer.geometry import resample_polyline
from viewer.presets import PRESET_NAMES, UnknownPresetError, list_presets, load_preset, preset_path, preset_text
from viewer.render.views import VIEWS
from viewer.scenario import History, ScenarioError, default_scenario, load_scenario, parse_scenario, scenario_to_dict
from viewer.sources import BIBLIOGRAPHY

ROOT = Path(__file__).resolve().parents[2]
PRESET_DIR = ROOT / "viewer" / "presets"
SCHEMA = json.loads((ROOT / "viewer" / "schemas" / "scenario-v1.schema.json").read_text("utf-8"))
SCHEMA_V2 = json.loads((ROOT / "viewer" / "schemas" / "scenario-v2.schema.json").read_text("utf-8"))
DEFAULT = {v.id: v for v in default_scenario().vessels}

# The teaching order: one preset per cause the guideline lists, the rarer causes and the cases
# without compression last.
EXPECTED_ORDER = (
    "aica-attached-segment",
    "pica-root-exit-point",
    "aica-root-detachment-point",
    "mild-contact",
    "severe-deviation",
    "distal-cisternal-aica",
    "multiple-aica-pica",
    "double-compression",
    "vertebral-tandem",
    "venous-compression",
    "va-aica-pica-multivessel",
    "vestibular-schwannoma",
    "cpa-meningioma",
    "avm",
    "pica-aneurysm",
    "brainstem-ms-plaque",
    "post-bells-palsy",
    "post-traumatic",
    "inflammatory",
    "idiopathic",
    "mvd-aica-pad",
    "mvd-vertebral-sling",
    "mvd-pica-rexp-pad",
    "mvd-pad-on-rez",
    "mvd-right-aica-pad",
)
# MVD rehearsal cases (pads, slings, a right side): version 2 features
MVD_PRESETS = {"mvd-aica-pad", "mvd-vertebral-sling", "mvd-pica-rexp-pad", "mvd-pad-on-rez", "mvd-right-aica-pad"}
# Presets that need scenario format version 2 (its history flags and tags); the others stay version 1.
V2_PRESETS = {"post-traumatic", "inflammatory"} | MVD_PRESETS


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'])", text.strip()) if s]


def max_turn_deg(course: np.ndarray) -> float:
    """Largest change of direction between consecutive 0.5 mm course steps."""
    d = np.diff(course, axis=0)
    d /= np.linalg.norm(d, axis=1)[:, None]
    return float(np.degrees(np.arccos(np.clip(np.einsum("ij,ij->i", d[1:], d[:-1]), -1.0, 1.0))).max())


# ------------------------------------------------------------------ the library


def test_at_least_16_presets_in_a_stable_teaching_order():
    infos = list_presets()
    names = [p.name for p in infos]
    assert len(names) >= 16 and len(set(names)) == len(names)
    assert tuple(names) == PRESET_NAMES == EXPECTED_ORDER
    assert [p.name for p in list_presets()] == names  # same order every call
    titles = [p.title for p in infos]
    assert len(set(titles)) == len(titles)


def test_preset_files_are_exactly_the_listed_names():
    files = sorted(p.stem for p in PRESET_DIR.glob("*.json"))
    assert files == sorted(PRESET_NAMES)
    for name in PRESET_NAMES:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name)
        assert preset_path(name) == PRESET_DIR / f"{name}.json"


def test_unknown_preset_names_the_valid_ones():
    with pytest.raises(UnknownPresetError) as ei:
        load_preset("aica-at-the-moon")
    msg = str(ei.value)
    assert "aica-at-the-moon" in msg and all(n in msg for n in PRESET_NAMES)
    with pytest.raises(UnknownPresetError):
        preset_path("../schemas/scenario-v1.schema")


def test_list_entries_serialise_to_the_cli_contract():
    for info in list_presets():
        d = info.to_dict()
        assert list(d)[:3] == ["name", "title", "expected"]
        assert d["expected"] == list(load_preset(info.name).teaching.expected)
        assert d["view"] == info.view
        json.dumps(d)


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_preset_file_validates(name):
    jsonschema = pytest.importorskip("jsonschema")
    path = preset_path(name)
    s = load_scenario(path)  # the program's own validator: raises ScenarioError on any problem
    assert s == load_preset(name) == parse_scenario(preset_text(name), name)
    doc = json.loads(path.read_text("utf-8"))
    if name in V2_PRESETS:
        # a version 2 file only where a version 2 feature is used: as version 1 it would be refused
        jsonschema.Draft202012Validator(SCHEMA_V2).validate(doc)
        assert doc["version"] == 2 and doc == scenario_to_dict(s)
        with pytest.raises(ScenarioError, match="version 2"):
            parse_scenario(preset_text(name).replace('"version": 2', '"version": 1', 1), name)
    else:
        jsonschema.Draft202012Validator(SCHEMA).validate(doc)
        # written by the program's own serialiser (format v1, which the v2 writer repeats but for the version)
        assert doc["version"] == 1 and {**doc, "version": 2} == scenario_to_dict(s)
    t = s.teaching
    assert t is not None and s.name == t.title
    assert t.view in VIEWS
    assert set(t.expected) <= set(TAGS) and list(t.expected) == sorted(t.expected, key=TAGS.index)


# ------------------------------------------------------------------ the analysis agrees with the teaching


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_analysis_equals_the_declared_classification(name):
    s = load_preset(name)
    t = s.teaching
    f = analyze(s)
    assert f.classification == t.expected, f"{name}: analysis {f.classification}, declared {t.expected}"
    c = f.culprit_contact()
    if t.expected_segment is not None:
        assert c is not None and c.segment == t.expected_segment, name
    if t.expected_severity is not None:
        assert c is not None and c.severity == t.expected_severity, name
    if (
        "idiopathic" in t.expected
        or len(t.expected) == 1
        and t.expected[0] in ("post_bells", "post_trauma", "inflammatory", "brainstem_lesion")
    ):
        assert [x for x in f.all_contacts if x.structure == "CN VII"] == []


def test_the_comparison_can_fail():
    """Moving the culprit of the classic case 5 mm off the nerve changes the analysis: the test above is not vacuous."""
    s = load_preset("aica-attached-segment")
    c = analyze(s).culprit_contact()
    away = np.asarray(c.other_point_mm) - np.asarray(c.nerve_point_mm)
    away /= np.linalg.norm(away)
    aica = s.vessel("aica")
    moved = s.with_vessel(aica.moved(5.0 * away))
    assert analyze(moved).classification != s.teaching.expected


def test_presets_cover_every_classification_tag():
    seen = {tag for info in list_presets() for tag in info.expected}
    assert seen == set(TAGS)


def test_history_is_only_changed_for_the_history_cases():
    histories = {
        "post-bells-palsy": History(prior_bells_palsy=True),
        "post-traumatic": History(facial_trauma=True),
        "inflammatory": History(inflammatory=True),
    }
    for name in PRESET_NAMES:
        assert load_preset(name).history == histories.get(name, History()), name
    assert load_preset("brainstem-ms-plaque").history == History(False)


# ------------------------------------------------------------------ teaching notes


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_teaching_note_is_3_to_6_sentences_with_known_sources(name):
    t = load_preset(name).teaching
    n = len(sentences(t.note))
    assert 3 <= n <= 6, f"{name}: {n} sentences"
    assert t.sources and set(t.sources) <= set(BIBLIOGRAPHY)
    assert len(t.title) <= 80


def test_sentence_counter_counts():
    assert len(sentences("One. Two 0.44 % here. Three (x).")) == 3
    assert len(sentences("A 13 mm mass. It is 2.1 % of cases.")) == 2


# ------------------------------------------------------------------ plausible geometry

A = build_anatomy()


def _dense(v):
    return resample_polyline(v.course_mm, step=0.1)


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_vessels_stay_outside_the_brainstem(name):
    for v in load_preset(name).vessels:
        clearance = float((brainstem_sdf(_dense(v)) - v.radius_mm).min())
        assert clearance >= PIA_CLEARANCE_MM - 1e-3, f"{name}: {v.id} enters the brainstem ({clearance:.3f} mm)"


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_vessels_run_smoothly(name):
    for v in load_preset(name).vessels:
        turn = max_turn_deg(v.course_mm)
        assert turn <= 35.0, f"{name}: {v.id} kinks ({turn:.0f} deg in 0.5 mm)"


def _crossing_depth(a, b) -> float:
    """Deepest overlap of two vessels' tubes, ignoring where one starts or ends on the other (branch origins)."""
    pa, pb = _dense(a), _dense(b)
    rr = a.radius_mm + b.radius_mm

    def nearest(points, to):  # distance from each point to the nearest of `to` (plain numpy: a test oracle)
        return np.sqrt(((np.atleast_2d(points)[:, None, :] - to[None, :, :]) ** 2).sum(-1)).min(axis=1)

    junctions = [e for e in (pa[0], pa[-1]) if nearest(e, pb)[0] <= rr] + [
        e for e in (pb[0], pb[-1]) if nearest(e, pa)[0] <= rr
    ]
    gap = nearest(pa, pb) - rr
    keep = np.ones(len(pa), bool)
    for e in junctions:
        keep &= np.linalg.norm(pa - e, axis=1) > rr + 2.5
    return float(-gap[keep].min()) if keep.any() else 0.0


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_vessels_do_not_pass_through_each_other(name):
    vs = load_preset(name).vessels
    for i, a in enumerate(vs):
        for b in vs[i + 1 :]:
            if a == DEFAULT.get(a.id) and b == DEFAULT.get(b.id):
                continue  # both untouched default vessels
            # a tandem contact presses one artery onto another: a slight overlap is the contact itself
            assert _crossing_depth(a, b) <= 0.35, f"{name}: {a.id} and {b.id} pass through each other"


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_lesions_obey_the_editing_rules(name):
    """Extra-axial masses sit in the cistern, a brainstem plaque inside the pons (viewer.editing.clamp_lesion)."""
    for les in load_preset(name).lesions:
        assert not clamp_lesion(les).clamped, f"{name}: {les.id} would be moved by the editor"


def test_specific_anatomy_of_the_non_vascular_presets():
    vs = load_preset("vestibular-schwannoma").lesions[0]
    assert vs.kind == "tumor" and 10.0 <= 2 * max(vs.radii_mm) <= 15.0
    plaque = load_preset("brainstem-ms-plaque").lesions[0]
    nucleus = A.landmarks["facial_motor_nucleus"]
    assert plaque.kind == "brainstem_lesion" and np.linalg.norm(np.asarray(plaque.center_mm) - nucleus) < 3.0
    men = load_preset("cpa-meningioma").lesions[0]
    assert men.kind == "tumor" and min(men.radii_mm) / max(men.radii_mm) <= 0.5  # flattened, broad-based
    pb = A.petrous
    for les, on_bone in ((men, True), (vs, False)):
        c = np.asarray(les.center_mm)
        assert (abs(float(pb.sdf(c[None])[0])) <= 0.5) is on_bone  # the meningioma's base lies on the petrous dura
    # the schwannoma fills the porus; the meningioma sits beside it on the face, clear of the brainstem
    assert min(vs.radii_mm) / max(vs.radii_mm) > 0.7  # the schwannoma is round, the meningioma flat
    assert np.linalg.norm(np.asarray(vs.center_mm) - np.asarray(men.center_mm)) > 5.0
    rng = np.random.default_rng(0)
    v = rng.normal(size=(2000, 3))
    surface = np.asarray(men.center_mm) + v / np.linalg.norm(v, axis=1)[:, None] * np.asarray(men.radii_mm)
    assert float(brainstem_sdf(surface).min()) > 1.0
    from viewer import sdf as _sdf

    for v in load_preset("cpa-meningioma").vessels:  # vessels are displaced around the mass, not through it
        assert (
            float(
                (_sdf.ellipsoid(v.course_mm, np.asarray(men.center_mm), np.asarray(men.radii_mm)) - v.radius_mm).min()
            )
            > 0.0
        ), v.id
    sac = load_preset("pica-aneurysm").lesions[0]
    assert sac.kind == "aneurysm"
    pica = load_preset("pica-aneurysm").vessel("pica")
    from viewer import sdf

    neck = float(
        (sdf.ellipsoid(pica.course_mm, np.asarray(sac.center_mm), np.asarray(sac.radii_mm)) - pica.radius_mm).min()
    )
    assert neck < 0.0  # the sac sits on its parent artery
    f = analyze(load_preset("pica-aneurysm"))
    assert [c.id for c in f.all_contacts if c.structure == "CN VII"] == ["aneurysm"]  # the parent stays clear
    tandem = analyze(load_preset("vertebral-tandem"))
    assert {c.id for c in tandem.contacts if c.structure == "CN VII"} == {"pica"}  # the VA does not touch VII
    assert [(t.a, t.b) for t in tandem.vessel_contacts] == [("va_left", "pica")]
    assert load_preset("idiopathic").vessels == default_scenario().vessels


# ------------------------------------------------------------------ reproducible from the generator


def test_generator_reproduces_the_shipped_files(monkeypatch):
    spec = importlib.util.spec_from_file_location("make_presets", ROOT / "scripts" / "make_presets.py")
    mod = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "make_presets", mod)  # dataclasses look their module up
    spec.loader.exec_module(mod)
    built = mod.build_presets()
    assert tuple(built) == PRESET_NAMES
    for name, s in built.items():
        shipped = load_preset(name)
        assert s.teaching == shipped.teaching and s.name == shipped.name and s.history == shipped.history
        assert [v.id for v in s.vessels] == [v.id for v in shipped.vessels]
        for a, b in zip(s.vessels, shipped.vessels):
            assert (a.label, a.kind, a.role) == (b.label, b.kind, b.role)
            assert a.radius_mm == pytest.approx(b.radius_mm, abs=1e-9)
            np.testing.assert_allclose(a.handles_mm, b.handles_mm, atol=2e-3, err_msg=f"{name}: {a.id}")
        assert [x.id for x in s.lesions] == [x.id for x in shipped.lesions]
        for a, b in zip(s.lesions, shipped.lesions):
            np.testing.assert_allclose(a.center_mm, b.center_mm, atol=2e-3)
            assert a.radii_mm == b.radii_mm and a.kind == b.kind


def test_presets_package_is_pure_core():
    src = (Path(presets.__file__)).read_text("utf-8")
    for mod in ("PySide6", "pyvista", "vtk", "viewer.render", "viewer.gui"):
        assert f"import {mod}" not in src and f"from {mod}" not in src
