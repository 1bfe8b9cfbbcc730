"""`analyze` reports the surgeon's corridor when the scenario plans one (and null otherwise)."""

import json
import subprocess
import sys
from dataclasses import replace

from viewer.scenario import Corridor, default_scenario, save_scenario
from viewer.scene_model import SceneModel


def run(*args):
    return subprocess.run([sys.executable, "-m", "viewer", *args], capture_output=True, text=True, timeout=180)


def test_analyze_json_reports_the_corridor(tmp_path):
    path = tmp_path / "plan.json"
    save_scenario(replace(default_scenario(), corridor=Corridor(8.0)), path)
    out = run("analyze", str(path), "--json")
    assert out.returncode == 0, out.stderr
    c = json.loads(out.stdout)["corridor"]
    assert c["retraction_mm"] == 8.0 and 0.0 < c["rez_visible_fraction"] <= 1.0
    plain = run("analyze", str(path))
    assert "Corridor: 8.0 mm" in plain.stdout


def test_analyze_without_a_corridor_says_null():
    out = run("analyze", "--preset", "idiopathic", "--json")
    d = json.loads(out.stdout)
    assert d["corridor"] is None and "contacts" in d and "mechanism" in d


def test_scene_model_state_carries_the_corridor_and_more_retraction_shows_more():
    m = SceneModel(scenario=replace(default_scenario(), corridor=Corridor(0.0)))
    low = m.findings.corridor["rez_visible_fraction"]
    m.set_scenario(replace(m.scenario, corridor=Corridor(8.0)))
    assert m.findings.corridor["rez_visible_fraction"] > low
    assert SceneModel().findings.corridor is None
