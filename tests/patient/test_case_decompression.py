"""An MVD plan on a patient case: pads route the vessels derived from the case's own surfaces, and the
decompression check runs on the case's anatomy (its brainstem, its contact tolerance)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from viewer import decompression as D
from viewer.patient.case_analysis import analyze_case, case_anatomy, case_scenario
from viewer.patient.synthetic import import_scenario_case
from viewer.presets import load_preset
from viewer.scenario import Scenario, scenario_to_dict

pytest.importorskip("nibabel")


def test_a_pad_in_a_patient_case_decompresses_on_the_cases_own_anatomy():
    res = import_scenario_case(load_preset("aica-attached-segment"))
    geo = case_anatomy(res.case, res.meshes)
    plain = analyze_case(res.case, res.meshes, geo)
    assert plain.decompression is None and "single" in plain.classification
    pad = D.pad_at_contact(case_scenario(res.case, geo), geo.anatomy)
    assert pad is not None
    case = replace(res.case, scenario=scenario_to_dict(Scenario(res.case.name, side=res.case.side, pads=(pad,))))
    f = analyze_case(case, res.meshes, geo)
    d = f.decompression
    assert d["status"] == "decompressed" and "decompressed" in f.classification
    assert d["before"]["classification"] == list(plain.classification)
    # touching is judged with the case's own tolerance (one voxel), so a pad 0.3 mm off the root touches it
    tol = geo.anatomy.tolerance_mm
    assert tol > 0.3
    c7 = [c for c in d["pad_contacts"] if c["structure"] == "CN VII"]
    assert c7 and all(c["gap_mm"] <= tol for c in c7)
    assert "pad_on_rez" in [w["code"] for w in d["warnings"]]
    with pytest.raises(ValueError, match="petrous"):
        D.sling_to_dura(case_scenario(case, geo), geo.anatomy, "aica", 10.0)
