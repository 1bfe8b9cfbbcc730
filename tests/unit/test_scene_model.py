"""SceneModel: findings and nerve deformation from one state; lazy, consistent, toolkit-free."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from viewer.analysis import analyze
from viewer.display import StructureInfo
from viewer.presets import load_preset
from viewer.scenario import Lesion, default_scenario
from viewer.scene_model import BRAINSTEM_ID, NUCLEUS_ID, PLAQUE_SEE_THROUGH, SceneModel


def _structures():
    return {
        sid: StructureInfo(sid, sid, kind, kind, "g", "", (1, 2, 3), vis, 1)
        for sid, kind, vis in ((BRAINSTEM_ID, "brainstem", True), (NUCLEUS_ID, "nucleus", False))
    }


def test_state_is_lazy_and_evaluated_once_per_edit(anatomy):
    m = SceneModel(anatomy)
    assert m.stale
    s1 = m.state
    assert m.state is s1 and not m.stale
    assert m.set_scenario(default_scenario()) is False  # equal scenario: nothing to do
    assert m.state is s1
    severe = load_preset("severe-deviation")
    assert m.set_scenario(severe) and m.stale
    s2 = m.state
    assert s2 is not s1 and s2.scenario is severe


def test_findings_and_deformation_come_from_the_same_scenario(anatomy):
    m = SceneModel(anatomy, load_preset("severe-deviation"))
    st = m.state
    assert st.findings.to_dict() == analyze(st.scenario, anatomy).to_dict()
    assert not st.deformation.is_rest and st.deformation.max_centerline_shift_mm > 0.1
    # the nerve course as drawn is the deviated one, and the mechanism plan follows it
    np.testing.assert_array_equal(st.nerve_centerline_mm, st.deformation.centerline)
    np.testing.assert_allclose(st.mechanism_plan().centerline_mm, st.deformation.centerline)
    assert st.mechanism_plan() is st.mechanism_plan()  # built once per state


def test_an_edit_gives_a_plan_on_the_new_course(anatomy):
    m = SceneModel(anatomy, load_preset("severe-deviation"))
    old_plan = m.state.mechanism_plan()
    culprit = m.state.findings.culprit
    v = m.scenario.vessel(culprit)
    m.set_scenario(m.scenario.with_vessel(v.moved((0.0, 0.0, 15.0))))  # lifted off the nerve
    st = m.state
    assert st.deformation.is_rest
    np.testing.assert_allclose(st.mechanism_plan().centerline_mm, anatomy.facial_nerve.points_mm)
    assert not np.allclose(old_plan.centerline_mm, st.mechanism_plan().centerline_mm)


def test_evaluate_leaves_the_model_alone(anatomy):
    m = SceneModel(anatomy)
    base = m.state
    other = m.evaluate(load_preset("severe-deviation"))
    assert m.state is base and other.findings.culprit is not None


def test_a_brainstem_plaque_overrides_the_display_while_it_exists(anatomy):
    m = SceneModel(anatomy, structures=_structures())
    plaque = Lesion("ms", "brainstem_lesion", tuple(anatomy.landmarks["facial_motor_nucleus"]), (2, 2, 2))
    m.set_scenario(replace(m.scenario, lesions=(plaque,)))
    assert m.display.opacity(BRAINSTEM_ID) == PLAQUE_SEE_THROUGH
    assert m.display.visible(NUCLEUS_ID)  # the nucleus the plaque acts on is shown
    assert m.display.user_opacity(BRAINSTEM_ID) == 1.0
    m.set_scenario(default_scenario())
    assert m.display.opacity(BRAINSTEM_ID) == 1.0 and not m.display.visible(NUCLEUS_ID)
