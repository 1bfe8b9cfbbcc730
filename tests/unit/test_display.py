"""DisplayState: user values + named overrides -> the effective look (one owner)."""

from __future__ import annotations

import pytest

from viewer.display import DisplayState, Override, StructureInfo


def _info(sid, kind="brainstem", visible=True):
    return StructureInfo(sid, sid.title(), kind, kind, "g", "", (10, 20, 30), visible, 1)


@pytest.fixture
def display():
    return DisplayState(
        {
            "brainstem": _info("brainstem"),
            "petrous": _info("petrous", "bone"),
            "nucleus": _info("nucleus", "nucleus", visible=False),
        }
    )


def test_defaults_come_from_the_structures(display):
    assert display.opacity("brainstem") == 1.0
    assert display.opacity("petrous") == 0.35  # bone is see-through by default
    assert display.visible("brainstem") and not display.visible("nucleus")


def test_override_caps_opacity_and_gives_the_users_value_back(display):
    events = []
    display.add_listener(lambda sid, what: events.append((sid, what)))
    display.set_opacity("brainstem", 0.8)
    display.set_override("plaque", {"brainstem": Override(max_opacity=0.4)})
    assert display.opacity("brainstem") == 0.4 and display.user_opacity("brainstem") == 0.8
    assert display.overridden_by("brainstem") == ["plaque"]
    display.set_opacity("brainstem", 0.9)  # the user changes it meanwhile: still capped, no event
    assert display.opacity("brainstem") == 0.4
    display.clear_override("plaque")
    assert display.opacity("brainstem") == 0.9  # the user's latest value, not a stale copy
    assert events == [("brainstem", "opacity"), ("brainstem", "opacity"), ("brainstem", "opacity")]


def test_the_lowest_ceiling_wins_and_each_override_leaves_alone(display):
    display.set_override("a", {"brainstem": Override(max_opacity=0.5)})
    display.set_override("b", {"brainstem": Override(max_opacity=0.3)})
    assert display.opacity("brainstem") == 0.3
    display.clear_override("b")
    assert display.opacity("brainstem") == 0.5
    display.clear_override("a")
    assert display.opacity("brainstem") == 1.0 and display.overridden_by("brainstem") == []


def test_visibility_override_shows_a_hidden_structure_until_removed(display):
    events = []
    display.add_listener(lambda sid, what: events.append((sid, what)))
    display.set_override("lesion", {"nucleus": Override(visible=True), "unknown": Override(visible=True)})
    assert display.visible("nucleus") and not display.user_visible("nucleus")
    display.clear_override("lesion")
    assert not display.visible("nucleus")
    assert events == [("nucleus", "visible"), ("nucleus", "visible")]


def test_no_event_when_nothing_effective_changes(display):
    events = []
    display.add_listener(lambda sid, what: events.append((sid, what)))
    display.set_override("x", {"petrous": Override(max_opacity=0.9)})  # above the user's 0.35
    display.set_opacity("brainstem", 1.0)
    display.set_colour("brainstem", (10, 20, 30))
    assert events == []
    display.set_colour("brainstem", (300, -5, 7))  # clipped to 0-255
    assert display.colour("brainstem") == (255, 0, 7) and events == [("brainstem", "colour")]
