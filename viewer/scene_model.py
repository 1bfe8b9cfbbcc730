"""The scene model: anatomy + scenario + findings + nerve deformation, with no toolkit (pure core).

One object owns the state every consumer reads: the Qt document wraps it with
signals, the render layer draws it, video export and the mechanism view evaluate
frames with it, the CLI analyses with it. The analysis and the deformation of
CN VII are always computed together, from one scenario, into one immutable
`SceneState`; a mechanism plan is built from a state, so it can never follow an
older nerve course than the findings it explains.

The anatomy is the one of the scenario's side: a right-sided scenario (the mirror
image at x = 0) brings the mirrored anatomy, and setting a scenario of the other
side switches it (`side_changed` tells the renderer to mirror its meshes).

`SceneModel.state` is lazy: edits only mark it stale (a drag may move a handle
many times between two frames), the first reader after an edit pays for one
evaluation. `evaluate(scenario)` gives the state of any other scenario (an
animation frame) without touching the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .analysis import Findings, Thresholds, analyze
from .anatomy import Anatomy, build_anatomy
from .decompression import route
from .deformation import NerveDeformation, NerveDeformer
from .display import DisplayState, Override, StructureInfo
from .scenario import Scenario, default_scenario

__all__ = ["SceneModel", "SceneState", "scenario_overrides", "NUCLEUS_ID", "BRAINSTEM_ID"]

BRAINSTEM_ID = "brainstem"
NUCLEUS_ID = "facial_nucleus"
# An intra-axial plaque is invisible inside an opaque pons: cap the brainstem at this
# opacity while one exists (the user's own value comes back when it is removed).
PLAQUE_SEE_THROUGH = 0.4
SCENARIO_OVERRIDE = "brainstem lesion see-through"  # the display override the scenario itself installs


@dataclass(frozen=True, eq=False)
class SceneState:
    """One consistent evaluation of a scenario on an anatomy."""

    anatomy: Anatomy = field(repr=False)
    scenario: Scenario
    findings: Findings
    deformation: NerveDeformation = field(repr=False)
    # The vessels as the MVD plan routes them (viewer.decompression.route): draw vessels from this one.
    # It carries no pads or slings (its vessels already show them): draw those from `scenario`.
    # The scenario itself when it has no pads and no slings.
    effective_scenario: Scenario | None = None

    def __post_init__(self):
        if self.effective_scenario is None:
            object.__setattr__(self, "effective_scenario", self.scenario)

    @property
    def routing(self):
        """The plan's routing (``decompression.RoutedScenario``: per moved vessel its routed course,
        length ratio, tightest new bend and kink flag); cached, so reading it costs nothing."""
        return route(self.scenario, self.anatomy)

    @property
    def nerve_centerline_mm(self):
        """CN VII's centreline as drawn: deviated by a severe contact, else the anatomy's."""
        if self.deformation.is_rest:
            return self.anatomy.facial_nerve.points_mm
        return self.deformation.centerline

    _plans: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def mechanism_plan(self, period_s: float | None = None):
        """The mechanism animation of these findings on this nerve course (built once per period)."""
        from .mechanism_anim import DEFAULT_PERIOD_S, build_mechanism_plan  # only the mechanism view needs it

        period = DEFAULT_PERIOD_S if period_s is None else float(period_s)
        if period not in self._plans:
            centre = None if self.deformation.is_rest else self.deformation.centerline
            self._plans[period] = build_mechanism_plan(
                self.findings, self.anatomy, centerline_mm=centre, period_s=period
            )
        return self._plans[period]


def _nerve_deformer(anatomy: Anatomy) -> NerveDeformer:
    nerve = anatomy.facial_nerve
    return NerveDeformer(nerve.points_mm, nerve.radius_mm, anchor_arcs=(0.0, nerve.porus_arc_mm))


def deform_for(deformer: NerveDeformer, scenario: Scenario, findings: Findings) -> NerveDeformation:
    """CN VII deformed by exactly the vessels and lesions the findings say touch it."""
    on_vii = {c.id for c in findings.contacts if c.structure == "CN VII"}
    tubes = [(v.course_mm, v.radius_mm) for v in scenario.vessels if v.id in on_vii]
    lesion_ids = {c.id for c in findings.lesion_contacts if c.structure == "CN VII"}
    lesions = [(les.center_mm, les.radii_mm) for les in scenario.lesions if les.id in lesion_ids]
    return deformer.deform(tubes=tubes, lesions=lesions, thresholds=findings.thresholds)


def scenario_overrides(scenario: Scenario) -> dict[str, Override]:
    """How the scenario itself changes the display: a brainstem plaque needs a see-through
    pons, and the facial motor nucleus it acts on is shown."""
    if any(les.kind == "brainstem_lesion" for les in scenario.lesions):
        return {BRAINSTEM_ID: Override(max_opacity=PLAQUE_SEE_THROUGH), NUCLEUS_ID: Override(visible=True)}
    return {}


class SceneModel:
    """Anatomy, scenario and display of one scene; findings and deformation derived on demand."""

    def __init__(
        self,
        anatomy: Anatomy | None = None,
        scenario: Scenario | None = None,
        structures: Mapping[str, StructureInfo] | None = None,
        thresholds: Thresholds | None = None,
        display: DisplayState | None = None,
    ):
        self._scenario = scenario if scenario is not None else default_scenario()
        if anatomy is None:
            anatomy = build_anatomy(self._scenario.side)
        elif anatomy.side != self._scenario.side:
            raise ValueError(f"a {self._scenario.side}-sided scenario on the {anatomy.side} anatomy")
        self.anatomy = anatomy
        self.thresholds = thresholds
        self.deformer = _nerve_deformer(self.anatomy)
        self.display = display if display is not None else DisplayState(structures or {})
        self._state: SceneState | None = None
        self.display.set_override(SCENARIO_OVERRIDE, scenario_overrides(self._scenario))

    # ------------------------------------------------------------------ scenario
    @property
    def scenario(self) -> Scenario:
        return self._scenario

    @property
    def side(self) -> str:
        """The patient side shown: "left" or "right" (the mirror image at x = 0)."""
        return self.anatomy.side

    def set_scenario(self, scenario: Scenario) -> bool:
        """Replace the scenario; the state is re-evaluated on the next read. False if unchanged.

        A scenario of the other side brings that side's anatomy (and nerve deformer)."""
        if scenario is self._scenario or scenario == self._scenario:
            return False
        if scenario.side != self.anatomy.side:
            self.anatomy = build_anatomy(scenario.side)
            self.deformer = _nerve_deformer(self.anatomy)
        self._scenario = scenario
        self._state = None
        self.display.set_override(SCENARIO_OVERRIDE, scenario_overrides(scenario))
        return True

    # ------------------------------------------------------------------ derived state
    @property
    def stale(self) -> bool:
        """True while an edit has not been evaluated yet."""
        return self._state is None

    @property
    def state(self) -> SceneState:
        if self._state is None:
            self._state = self.evaluate(self._scenario)
        return self._state

    @property
    def findings(self) -> Findings:
        return self.state.findings

    def evaluate(self, scenario: Scenario) -> SceneState:
        """Analysis and nerve deformation of `scenario` on the anatomy of its side (the model is not changed)."""
        anatomy, deformer = self.anatomy, self.deformer
        if scenario.side != anatomy.side:
            anatomy = build_anatomy(scenario.side)
            deformer = _nerve_deformer(anatomy)
        findings = analyze(scenario, anatomy, self.thresholds)
        # the routing is cached: analyze() routed this very plan a moment ago
        effective = route(scenario, anatomy).scenario
        if scenario.corridor is not None:  # ray casting only for a planned corridor
            from .corridor import with_corridor

            findings = with_corridor(findings, effective, anatomy, pads=scenario.pads)  # pads block the view
        # the nerve is deformed by the vessels where the plan put them (the findings measured those)
        return SceneState(anatomy, scenario, findings, deform_for(deformer, effective, findings), effective)
