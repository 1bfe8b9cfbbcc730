"""Scenario file format (v1 features, written as v2): validation messages, atomic save, round trip,
fuzzing, schema. The version 2 additions are in test_scenario_v2.py."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from viewer import scenario as sc
from viewer.geometry import catmull_rom, resample_polyline
from viewer.scenario import (
    History,
    Lesion,
    Scenario,
    ScenarioError,
    Vessel,
    default_scenario,
    load_scenario,
    parse_scenario,
    save_scenario,
    scenario_to_dict,
    vessel_course,
)

SCHEMA_PATH = Path(sc.__file__).parent / "schemas" / "scenario-v2.schema.json"
SCHEMA_V1_PATH = Path(sc.__file__).parent / "schemas" / "scenario-v1.schema.json"


def _doc() -> dict:
    d = scenario_to_dict(default_scenario())
    d["lesions"] = [
        {
            "id": "t1",
            "kind": "tumor",
            "label": "Meningioma",
            "center_mm": [-20.0, 0.0, 5.0],
            "radii_mm": [3.0, 4.0, 5.0],
        }
    ]
    return d


def _err(doc_or_text, name="case.json") -> ScenarioError:
    text = doc_or_text if isinstance(doc_or_text, str) else json.dumps(doc_or_text)
    with pytest.raises(ScenarioError) as ei:
        parse_scenario(text, name)
    return ei.value


# ------------------------------------------------------------------ default scenario


def test_default_scenario_comes_from_the_anatomy(anatomy):
    s = default_scenario()
    vessels = anatomy.vessels
    assert [v.id for v in s.vessels] == [t.id for t in vessels]
    for v, t in zip(s.vessels, vessels):
        assert v.label == t.name and v.kind == t.kind and v.role == t.role and v.radius_mm == t.radius_mm
        np.testing.assert_array_equal(v.handles_mm, np.round(t.control_mm, 3))
        # the course is the spline through the handles, 0.5 mm apart, read-only and cached
        expected = resample_polyline(catmull_rom(v.handles_mm), step=0.5)
        np.testing.assert_allclose(v.course_mm, expected, atol=1e-12)
        assert not v.course_mm.flags.writeable
        course = v.course_mm
        assert vessel_course(v.centerline_mm) is course  # cached (other suites may have filled the cache)
    assert s.lesions == () and s.history == History(False)
    assert parse_scenario(json.dumps(scenario_to_dict(s)), "x") == s


def test_example_error_message_exactly():
    d = _doc()
    d["vessels"][2]["radius_mm"] = 7.0
    assert str(_err(d)) == "case.json: $.vessels[2].radius_mm: 7.0 is outside 0.2-6 mm"


def _set(path, value):
    def mut(d):
        obj = d
        for k in path[:-1]:
            obj = obj[k]
        obj[path[-1]] = value

    return mut


def _del(path):
    def mut(d):
        obj = d
        for k in path[:-1]:
            obj = obj[k]
        del obj[path[-1]]

    return mut


BAD = [
    (_set(["format"], "hfs-scene"), "$.format", 'is not "hfs-scenario"'),
    (_del(["format"]), "$.format", "missing"),
    (_set(["version"], 3), "$.version", "unsupported version 3 (written by a newer program)"),
    (_set(["version"], 0), "$.version", "unsupported version 0"),
    (_set(["version"], True), "$.version", "unsupported version"),
    (_set(["version"], "2"), "$.version", "unsupported version"),
    (_set(["colour"], "red"), "$.colour", 'unknown key "colour"'),
    (_set(["vessels", 0, "radius"], 1.0), "$.vessels[0].radius", "unknown key"),
    (_set(["lesions", 0, "size"], 1.0), "$.lesions[0].size", "unknown key"),
    (_set(["history"], {"prior_bells_palsy": True, "bells": 1}), "$.history.bells", "unknown key"),
    (_del(["name"]), "$.name", "missing required field"),
    (_del(["vessels", 1, "role"]), "$.vessels[1].role", "missing required field"),
    (_del(["lesions", 0, "radii_mm"]), "$.lesions[0].radii_mm", "missing required field"),
    (_set(["name"], 3), "$.name", "expected a string"),
    (_set(["vessels"], {}), "$.vessels", "expected an array"),
    (_set(["vessels", 0], []), "$.vessels[0]", "expected an object"),
    (_set(["vessels", 0, "kind"], "capillary"), "$.vessels[0].kind", "not one of artery, vein"),
    (_set(["vessels", 0, "role"], "mca"), "$.vessels[0].role", "not one of"),
    (_set(["vessels", 0, "radius_mm"], "1.0"), "$.vessels[0].radius_mm", "expected a number"),
    (_set(["vessels", 0, "radius_mm"], True), "$.vessels[0].radius_mm", "expected a number"),
    (_set(["vessels", 0, "radius_mm"], 0.1), "$.vessels[0].radius_mm", "0.1 is outside 0.2-6 mm"),
    (_set(["vessels", 0, "id"], ""), "$.vessels[0].id", "must not be empty"),
    (
        _set(["vessels", 0, "centerline_mm"], [[0, 0, 0]]),
        "$.vessels[0].centerline_mm",
        "1 points; a centreline needs 2-10000",
    ),
    (
        _set(["vessels", 0, "centerline_mm"], [[0, 0, i * 1e-2] for i in range(10001)]),
        "$.vessels[0].centerline_mm",
        "10001 points",
    ),
    (_set(["vessels", 0, "centerline_mm", 1], [0, 0]), "$.vessels[0].centerline_mm[1]", "3 numbers"),
    (_set(["vessels", 0, "centerline_mm", 1, 2], 200.5), "$.vessels[0].centerline_mm[1][2]", "outside -200..200 mm"),
    (
        _set(["vessels", 0, "centerline_mm", 1, 0], None),
        "$.vessels[0].centerline_mm[1][0]",
        "expected a number, got null",
    ),
    (_set(["lesions", 0, "center_mm", 0], -250), "$.lesions[0].center_mm[0]", "outside -200..200 mm"),
    (_set(["lesions", 0, "radii_mm", 1], 0), "$.lesions[0].radii_mm[1]", "outside"),
    (_set(["lesions", 0, "kind"], "cyst"), "$.lesions[0].kind", "not one of"),
    (_set(["history", "prior_bells_palsy"], 1), "$.history.prior_bells_palsy", "expected true or false"),
    (_set(["vessels", 3, "id"], "va_left"), "$.vessels[3].id", 'duplicate id "va_left" (also at $.vessels[0].id)'),
    (_set(["lesions", 0, "id"], "aica"), "$.lesions[0].id", 'duplicate id "aica"'),
]


@pytest.mark.parametrize("mutate,path,reason", BAD)
def test_validation_errors_name_file_path_and_reason(mutate, path, reason):
    d = _doc()
    mutate(d)
    e = _err(d)
    assert e.source == "case.json" and e.path == path, str(e)
    assert reason in e.reason, str(e)
    assert str(e).startswith(f"case.json: {path}: ")


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_tokens_are_rejected_with_their_path(token):
    text = json.dumps(_doc()).replace('"radius_mm": 1.6', f'"radius_mm": {token}', 1)
    assert token in text
    e = _err(text)
    assert e.path == "$.vessels[0].radius_mm" and "finite" in e.reason


def test_huge_numbers_overflowing_to_inf_are_rejected():
    text = json.dumps(_doc()).replace('"radius_mm": 1.6', '"radius_mm": 1e999', 1)
    assert _err(text).path == "$.vessels[0].radius_mm"


@pytest.mark.parametrize(
    "text,reason",
    [
        ("", "not valid JSON"),
        ("{", "not valid JSON"),
        ("[]", "expected a JSON object"),
        ("null", "expected a JSON object"),
        ("[" * 100000, "not valid JSON"),
        ('{"format": 1e5}', "is not"),
        ('{"format": "hfs-scenario", "version": 1, "name": "a", "name": "b", "vessels": []}', "more than once"),
        (
            '{"format": "hfs-scenario", "version": 1, "name": "x", "vessels": [], "lesions": [' + "9" * 5000 + "]}",
            "not valid JSON",
        ),
    ],
)
def test_malformed_documents(text, reason):
    e = _err(text)
    assert reason in e.reason


def test_invalid_utf8_and_bom(tmp_path):
    p = tmp_path / "bad.json"
    p.write_bytes(b'{"name": "\xff"}')
    with pytest.raises(ScenarioError, match=r"bad.json: \$: not valid UTF-8"):
        load_scenario(p)
    p.write_bytes(b"\xef\xbb\xbf" + json.dumps(_doc()).encode())
    assert load_scenario(p).name == "Normal anatomy"


def test_minimal_document_and_optional_fields():
    s = parse_scenario('{"format": "hfs-scenario", "version": 1, "name": "empty", "vessels": []}', "m")
    assert s == Scenario("empty")
    s = parse_scenario(
        json.dumps(
            {
                "format": "hfs-scenario",
                "version": 1,
                "name": "n",
                "vessels": [
                    {
                        "id": "a",
                        "label": "A",
                        "kind": "artery",
                        "role": "other",
                        "radius_mm": 1,
                        "centerline_mm": [[0, 0, 0], [1, 2, 3]],
                    }
                ],
            }
        ),
        "m",
    )
    assert s.vessels[0].radius_mm == 1.0 and s.vessels[0].centerline_mm[1] == (1.0, 2.0, 3.0)


def test_missing_file_and_oversized_file_checked_before_reading(tmp_path, monkeypatch):
    with pytest.raises(ScenarioError, match="cannot read file"):
        load_scenario(tmp_path / "nope.json")
    big = tmp_path / "big.json"
    with open(big, "wb") as f:
        f.truncate(sc.MAX_FILE_BYTES + 1)  # sparse: costs no disk

    def no_open(*a, **k):  # the size check must come first
        raise AssertionError("file was opened")

    monkeypatch.setattr("builtins.open", no_open)
    with pytest.raises(ScenarioError) as ei:
        load_scenario(big)
    assert ei.value.path == "$" and "5 MB" in ei.value.reason
    with pytest.raises(ScenarioError, match="5 MB"):
        parse_scenario(" " * (sc.MAX_FILE_BYTES + 1), "<stdin>")


# ------------------------------------------------------------------ save


def test_save_is_atomic_and_round_trips(tmp_path):
    s = parse_scenario(json.dumps(_doc()), "x")
    p = tmp_path / "case.json"
    save_scenario(s, p)
    assert load_scenario(p) == s
    assert [f.name for f in tmp_path.iterdir()] == ["case.json"]
    json.loads(p.read_text("utf-8"))  # strict JSON, no NaN tokens


def test_failed_save_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch):
    p = tmp_path / "case.json"
    save_scenario(default_scenario(), p)
    before = p.read_bytes()
    bad = Scenario("bad", (Vessel("v", "V", "artery", "other", 9.0, [[0, 0, 0], [1, 0, 0]]),))
    with pytest.raises(ScenarioError, match=r"\$.vessels\[0\].radius_mm"):
        save_scenario(bad, p)
    assert p.read_bytes() == before

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        save_scenario(Scenario("other"), p)
    assert p.read_bytes() == before
    assert [f.name for f in tmp_path.iterdir()] == ["case.json"]


def test_save_fsyncs_before_rename(tmp_path, monkeypatch):
    calls = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (calls.append("replace"), real_replace(a, b))[1])
    save_scenario(default_scenario(), tmp_path / "a.json")
    assert calls.index("fsync") < calls.index("replace")


# ------------------------------------------------------------------ property tests

coord = st.floats(-200, 200, allow_nan=False, allow_infinity=False)
point = st.tuples(coord, coord, coord)
ident = st.text(min_size=1, max_size=12).filter(lambda s: s.strip() != "")


@st.composite
def scenarios(draw):
    n_v = draw(st.integers(0, 4))
    n_l = draw(st.integers(0, 3))
    ids = draw(st.lists(ident, min_size=n_v + n_l, max_size=n_v + n_l, unique=True))
    vessels = tuple(
        Vessel(
            ids[i],
            draw(st.text(max_size=10)),
            draw(st.sampled_from(sc.VESSEL_KINDS)),
            draw(st.sampled_from(sc.VESSEL_ROLES)),
            draw(st.floats(0.2, 6.0)),
            draw(st.lists(point, min_size=2, max_size=6)),
        )
        for i in range(n_v)
    )
    lesions = tuple(
        Lesion(
            ids[n_v + i],
            draw(st.sampled_from(sc.LESION_KINDS)),
            draw(point),
            draw(st.tuples(*[st.floats(0.2, 50.0)] * 3)),
            draw(st.none() | st.text(max_size=8)),
        )
        for i in range(n_l)
    )
    return Scenario(
        draw(st.text(max_size=20)),
        vessels,
        lesions,
        History(draw(st.booleans())),
        draw(st.none() | st.text(max_size=20)),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(s=scenarios())
def test_round_trip_save_load(tmp_path, s):
    p = tmp_path / "rt.json"
    save_scenario(s, p)
    assert load_scenario(p) == s
    assert parse_scenario(json.dumps(scenario_to_dict(s)), "rt") == s


json_leaf = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.floats(allow_nan=False) | st.text(max_size=6)
json_value = st.recursive(
    json_leaf, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=6), c, max_size=3), max_leaves=6
)


def _paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, prefix + (i,))


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_fuzzed_documents_load_or_raise_scenario_error(data):
    d = _doc()
    d["vessels"] = d["vessels"][:2]
    for v in d["vessels"]:
        v["centerline_mm"] = v["centerline_mm"][:3]
    for _ in range(data.draw(st.integers(1, 3))):
        paths = [p for p in _paths(d) if p]
        path = data.draw(st.sampled_from(paths))
        parent = d
        for k in path[:-1]:
            parent = parent[k]
        action = data.draw(st.sampled_from(["replace", "delete", "add_key", "nan"]))
        if action == "replace":
            parent[path[-1]] = data.draw(json_value)
        elif action == "delete":
            del parent[path[-1]]
        elif action == "add_key" and isinstance(parent, dict):
            parent[data.draw(st.text(max_size=6))] = data.draw(json_value)
        elif action == "nan":
            parent[path[-1]] = float("nan")
    text = json.dumps(d)  # allow_nan: writes the NaN token Python's json would read back
    cut = data.draw(st.none() | st.integers(0, len(text)))
    if cut is not None:
        text = text[:cut]
    try:
        s = parse_scenario(text, "fuzz.json")
    except ScenarioError as e:
        assert str(e).startswith("fuzz.json: $")
    else:
        assert isinstance(s, Scenario)
        assert parse_scenario(json.dumps(scenario_to_dict(s)), "again") == s


# ------------------------------------------------------------------ JSON Schema


def test_json_schema_documents_the_format():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA_PATH.read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    v = jsonschema.Draft202012Validator(schema)
    good = _doc()
    assert list(v.iter_errors(good)) == []
    assert list(v.iter_errors(scenario_to_dict(default_scenario()))) == []
    for mutate, path, _reason in BAD:
        if "duplicate" in _reason:
            continue  # uniqueness across two arrays is beyond JSON Schema; the loader checks it
        d = copy.deepcopy(good)
        mutate(d)
        assert list(v.iter_errors(d)), f"schema accepted a document the loader rejects at {path}"


# ------------------------------------------------------------------ teaching block (presets)


def _teaching() -> dict:
    return {
        "title": "Classic AICA",
        "note": "The AICA presses the attached segment. It is the commonest culprit.",
        "sources": ["campos-benitez-2008"],
        "expected": ["single"],
        "view": "rez_closeup",
        "expected_segment": "AS",
        "expected_severity": "moderate",
    }


def _doc_t() -> dict:
    d = _doc()
    d["teaching"] = _teaching()
    return d


def test_vocabularies_repeated_in_the_scenario_module_agree_with_their_owners():
    from viewer.analysis import SEVERITIES, TAGS
    from viewer.anatomy import SEGMENTS
    from viewer.render.views import VIEWS

    # the scenario may name tags the analysis gains with version 2 (post_trauma, inflammatory, decompressed)
    assert set(sc.CLASSIFICATION_TAGS) >= set(TAGS)
    assert {"post_trauma", "inflammatory", "decompressed"} <= set(sc.CLASSIFICATION_TAGS)
    assert [t for t in sc.CLASSIFICATION_TAGS if t in TAGS] == list(TAGS)  # the analysis' order
    assert sc.SEGMENT_CODES == SEGMENTS
    assert sc.SEVERITY_NAMES == SEVERITIES
    assert set(sc.VIEW_NAMES) == set(VIEWS)
    schema = json.loads(SCHEMA_PATH.read_text("utf-8"))["$defs"]["teaching"]["properties"]
    assert tuple(schema["expected"]["items"]["enum"]) == sc.CLASSIFICATION_TAGS
    assert set(schema["view"]["enum"]) == set(VIEWS)
    assert tuple(schema["expected_segment"]["enum"]) == SEGMENTS
    assert tuple(schema["expected_severity"]["enum"]) == SEVERITIES
    v1 = json.loads(SCHEMA_V1_PATH.read_text("utf-8"))["$defs"]["teaching"]["properties"]
    assert tuple(v1["expected"]["items"]["enum"]) == sc._V1_TAGS


def test_teaching_block_loads_and_round_trips(tmp_path):
    s = parse_scenario(json.dumps(_doc_t()), "t.json")
    t = s.teaching
    assert t == sc.Teaching(
        "Classic AICA", _teaching()["note"], ("campos-benitez-2008",), ("single",), "rez_closeup", "AS", "moderate"
    )
    p = tmp_path / "t.json"
    save_scenario(s, p)
    assert load_scenario(p) == s
    assert json.loads(p.read_text("utf-8"))["teaching"] == _teaching()
    d = _doc_t()
    del d["teaching"]["expected_segment"], d["teaching"]["expected_severity"]
    s2 = parse_scenario(json.dumps(d), "t.json")
    assert s2.teaching.expected_segment is None and s2.teaching.expected_severity is None
    assert "expected_segment" not in scenario_to_dict(s2)["teaching"]


def test_files_without_teaching_round_trip_byte_identically(tmp_path):
    s = default_scenario()
    assert s.teaching is None and "teaching" not in scenario_to_dict(s)
    p = tmp_path / "a.json"
    save_scenario(s, p)
    first = p.read_bytes()
    save_scenario(load_scenario(p), p)
    assert p.read_bytes() == first


BAD_TEACHING = [
    (_set(["teaching"], []), "$.teaching", "expected an object"),
    (_set(["teaching", "colour"], 1), "$.teaching.colour", 'unknown key "colour"'),
    (_del(["teaching", "title"]), "$.teaching.title", "missing required field"),
    (_del(["teaching", "view"]), "$.teaching.view", "missing required field"),
    (_set(["teaching", "title"], " "), "$.teaching.title", "must not be empty"),
    (_set(["teaching", "note"], 5), "$.teaching.note", "expected a string"),
    (_set(["teaching", "sources"], "tomii-2003"), "$.teaching.sources", "expected an array"),
    (_set(["teaching", "sources", 0], "smith-1999"), "$.teaching.sources[0]", '"smith-1999" is not a known source key'),
    (_set(["teaching", "sources"], ["tomii-2003", "tomii-2003"]), "$.teaching.sources[1]", "given more than once"),
    (_set(["teaching", "expected"], []), "$.teaching.expected", "at least one classification tag"),
    (_set(["teaching", "expected", 0], "classic"), "$.teaching.expected[0]", "not a known classification tag"),
    (_set(["teaching", "expected"], ["single", "single"]), "$.teaching.expected[1]", "given more than once"),
    (_set(["teaching", "view"], "top"), "$.teaching.view", '"top" is not one of anterior'),
    (_set(["teaching", "expected_segment"], "REZ"), "$.teaching.expected_segment", "not one of RExP, AS, RDP, CP"),
    (_set(["teaching", "expected_severity"], "grave"), "$.teaching.expected_severity", "not one of mild"),
]


@pytest.mark.parametrize("mutate,path,reason", BAD_TEACHING)
def test_teaching_validation_errors_name_file_path_and_reason(mutate, path, reason):
    d = _doc_t()
    mutate(d)
    e = _err(d)
    assert e.source == "case.json" and e.path == path, str(e)
    assert reason in e.reason, str(e)


def test_json_schema_documents_the_teaching_block():
    jsonschema = pytest.importorskip("jsonschema")
    v = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text("utf-8")))
    assert list(v.iter_errors(_doc_t())) == []
    for mutate, path, reason in BAD_TEACHING:
        if "source key" in reason:
            continue  # bibliography keys are checked by the program, not by the schema
        d = _doc_t()
        mutate(d)
        assert list(v.iter_errors(d)), f"schema accepted a document the loader rejects at {path}"


teaching_st = st.builds(
    sc.Teaching,
    st.text(min_size=1, max_size=20).filter(str.strip),
    st.text(min_size=1, max_size=60).filter(str.strip),
    st.lists(st.sampled_from(sorted(sc.BIBLIOGRAPHY)), unique=True, max_size=4),
    st.lists(st.sampled_from(sc.CLASSIFICATION_TAGS), min_size=1, unique=True, max_size=3),
    st.sampled_from(sc.VIEW_NAMES),
    st.none() | st.sampled_from(sc.SEGMENT_CODES),
    st.none() | st.sampled_from(sc.SEVERITY_NAMES),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(s=scenarios(), t=teaching_st)
def test_round_trip_with_teaching(tmp_path, s, t):
    from dataclasses import replace

    s = replace(s, teaching=t)
    p = tmp_path / "rt.json"
    save_scenario(s, p)
    assert load_scenario(p) == s
