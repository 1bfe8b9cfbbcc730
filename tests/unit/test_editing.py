"""Editing rules for dragged vessels (pure core, no Qt)."""

import numpy as np
import pytest

from viewer import editing as _ed
from viewer.analysis import analyze as _analyze
from viewer.anatomy import brainstem_sdf
from viewer.editing import PIA_CLEARANCE_MM, fixed_handles, handle_weights, move_handle, set_radius
from viewer.scenario import LESION_KINDS as _KINDS
from viewer.scenario import default_scenario


@pytest.fixture(scope="module")
def scenario():
    return default_scenario()


def test_origin_is_fixed_and_a_vertebral_end_on_the_basilar_too(scenario):
    assert fixed_handles(scenario.vessel("aica"), scenario) == {0}
    va = scenario.vessel("va_left")
    assert fixed_handles(va, scenario) == {0, len(va.centerline_mm) - 1}  # joins the basilar at the VBJ


def test_plain_drag_moves_one_handle_loop_drag_follows_with_falloff():
    w = handle_weights(12, 6, False, {0})
    assert w[6] == 1 and w.sum() == 1
    w = handle_weights(12, 6, True, {0})
    assert w[6] == 1 and w[0] == 0
    assert np.all(np.diff(w[6:]) < 0) and np.all(np.diff(w[1:7]) > 0)  # falls off both ways


def test_move_handle_exact_and_fixed_origin_unchanged(scenario):
    aica = scenario.vessel("aica")
    target = aica.handles_mm[5] + [0.0, 2.0, 1.0]
    r = move_handle(aica, 5, target, scenario=scenario)
    assert np.allclose(r.vessel.handles_mm[5], target, atol=1e-4) and not r.clamped
    assert np.array_equal(np.delete(r.vessel.handles_mm, 5, 0), np.delete(aica.handles_mm, 5, 0))
    assert move_handle(aica, 0, target, scenario=scenario).vessel == aica


def test_clamped_at_the_pia(scenario):
    pica = scenario.vessel("pica")
    k = 4
    inside = np.array([0.0, 0.0, pica.handles_mm[k][2]])
    r = move_handle(pica, k, inside, scenario=scenario)
    assert r.clamped
    d = brainstem_sdf(r.vessel.handles_mm[k][None])[0]
    assert d == pytest.approx(pica.radius_mm + PIA_CLEARANCE_MM, abs=0.01)


def test_radius_is_kept_in_the_valid_range(scenario):
    v = scenario.vessel("aica")
    assert set_radius(v, 9.0).radius_mm == 6.0 and set_radius(v, 0.01).radius_mm == 0.2


# ----------------------------------------------------------------------------- lesions


@pytest.mark.parametrize("kind", _KINDS)
def test_new_lesion_at_its_textbook_site_gives_its_classification(kind):
    s = default_scenario()
    les = _ed.new_lesion(kind, s)
    assert _ed.clamp_lesion(les).clamped is False  # the default site obeys the clamp rule
    f = _analyze(s.with_lesion(les))
    assert kind in f.classification
    if kind != "brainstem_lesion":
        assert any(c.id == les.id and c.structure == "CN VII" for c in f.lesion_contacts)


def test_new_lesion_ids_are_unique():
    s = default_scenario()
    a = _ed.new_lesion("tumor", s)
    b = _ed.new_lesion("tumor", s.with_lesion(a))
    assert a.id == "tumor-1" and b.id == "tumor-2"


def test_extra_axial_lesion_is_clamped_outside_and_plaque_inside():
    s = default_scenario()
    sac = _ed.new_lesion("aneurysm", s)
    r = _ed.move_lesion(sac, (-3.0, -3.0, 5.0))
    assert r.clamped and brainstem_sdf(np.array(r.lesion.center_mm)[None])[0] == pytest.approx(
        min(sac.radii_mm), abs=0.05
    )
    free = _ed.move_lesion(sac, (-40.0, 0.0, 5.0))
    assert not free.clamped and free.lesion.center_mm == (-40.0, 0.0, 5.0)
    plaque = _ed.new_lesion("brainstem_lesion", s)
    out = _ed.move_lesion(plaque, (-40.0, 0.0, 5.0))
    assert out.clamped and brainstem_sdf(np.array(out.lesion.center_mm)[None])[0] < 0


def test_resize_clips_to_the_format_range_and_reclamps():
    s = default_scenario()
    sac = _ed.move_lesion(_ed.new_lesion("aneurysm", s), (-40.0, 0.0, 5.0)).lesion
    r = _ed.resize_lesion(sac, (0.01, 80.0, 3.0))
    assert r.lesion.radii_mm == (0.2, 50.0, 3.0)
