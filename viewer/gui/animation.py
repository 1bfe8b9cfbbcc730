"""Animations in the window: arterial pulsation and the mechanism view, paced by a QTimer.

The document's scenario is never edited by an animation: each tick computes a
transient scenario (`motion.PulsePlan.at(t)`), analyses it and shows it through
the SceneView's presenter; stopping shows the document again. Ticks stop when the
3D view is hidden or the window minimised, so a hidden window costs nothing. A
drag during playback re-plans from the edited scenario.
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QObject, QTimer, Signal

from ..motion import Pulsation

FRAME_MS = 33  # ~30 Hz asked; software rendering delivers what it can, the clock keeps the rate true
HEART_RATE_RANGE = (40, 180)


class PulsationPlayer(QObject):
    playingChanged = Signal(bool)
    frameShown = Signal(float)  # seconds since play

    def __init__(self, window, heart_rate_bpm: float = 70.0):
        super().__init__(window)
        self.window = window
        self.heart_rate_bpm = float(heart_rate_bpm)
        self._timer = QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self._tick)
        self._clock = QElapsedTimer()
        self._plan = None
        self.pulsation: Pulsation | None = None
        self.frames = 0
        self.last_findings = None
        window.document.scenarioChanged.connect(self._on_scenario)

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def set_heart_rate(self, bpm: float) -> None:
        self.heart_rate_bpm = float(min(max(bpm, HEART_RATE_RANGE[0]), HEART_RATE_RANGE[1]))
        if self.playing:
            self._replan()

    def play(self) -> None:
        if self.playing:
            return
        self._replan()
        self.frames = 0
        self._clock.start()
        self._timer.start()
        self.playingChanged.emit(True)
        self.window.document.statusMessage.emit(self.pulsation.caption().replace("\n", " \u2014 "))

    def pause(self) -> None:
        if not self.playing:
            return
        self._timer.stop()
        self.window.scene_view.show_document()
        self.window.scene_view.set_overlay_text("")
        self.playingChanged.emit(False)

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def _on_scenario(self, _changed) -> None:
        if self.playing:  # a drag during playback: pulse the edited scenario
            self._replan()

    def _replan(self) -> None:
        d = self.window.document
        self.pulsation = Pulsation(heart_rate_bpm=self.heart_rate_bpm)
        self._plan = self.pulsation.plan(d.scenario, d.findings)

    def _tick(self) -> None:
        view = self.window.scene_view
        if not view.widget.isVisible() or self.window.isMinimized():
            self.pause()  # stopped when hidden
            return
        t = self._clock.elapsed() / 1000.0
        state = self.window.document.model.evaluate(self._plan.at(t))
        self.last_findings = state.findings
        view.show_transient(state)
        p = self.pulsation
        view.set_overlay_text(f"{p.phase_name(t)}  \u00b7  {p.heart_rate_bpm:.0f} bpm\n{p.caption_lines()[1]}")
        self.frames += 1
        self.frameShown.emit(t)


class MechanismPlayer(QObject):
    """The mechanism view (viewer.render.mechanism): CN VII by myelin, demyelination patch, ectopic and
    ephaptic impulses, antidromic drive to the facial nucleus, with captions from the current findings.

    The view is built on first use; findings changes re-plan it; a QTimer paces `update(t)`; ticks stop
    when the window is hidden or minimised. The contact callouts give way to the mechanism's captions."""

    playingChanged = Signal(bool)
    frameShown = Signal(float)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.view = None
        self._timer = QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self._tick)
        self._clock = QElapsedTimer()
        self.frames = 0
        self._views: dict = {}  # "model" -> MechanismView on the scene; "case" -> on the open case
        window.document.findingsChanged.connect(self._on_findings)
        window.document.caseFindingsChanged.connect(self._on_findings)
        window.document.caseChanged.connect(self._on_case)

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    @property
    def available(self) -> bool:
        """The model always; a patient case once its own findings exist."""
        d = self.window.document
        return d.case is None or d.case_findings is not None

    def _plan(self):
        d = self.window.document
        if d.case is not None:  # the case's findings on its own nerve, the nucleus schematic
            from ..mechanism_anim import build_mechanism_plan, schematic_anatomy

            anatomy = schematic_anatomy(d.case_geometry.anatomy, d.case.side)
            return build_mechanism_plan(d.case_findings, anatomy)
        # from the document's current state: findings and nerve course evaluated together
        return d.state.mechanism_plan()

    def _view_for_document(self):
        """The mechanism view of what the window shows (built on first use)."""
        from ..render.mechanism import MechanismView

        sv, d = self.window.scene_view, self.window.document
        if d.case is None:
            if "model" not in self._views:
                self._views["model"] = MechanismView(sv.scene)
            return self._views["model"]
        if "case" not in self._views:
            import numpy as np

            from ..nearest import NearestPoints

            nerve = d.case_geometry.anatomy.facial_nerve
            sid = next(s.id for s in d.case.structures if s.role == "facial_nerve")
            mesh = sv.case_actors.meshes[sid]
            _dist, near = NearestPoints(np.asarray(nerve.points_mm, float)).query(np.asarray(mesh.points, float))
            mesh.point_data["arc_mm"] = np.asarray(nerve.arc_mm, float)[near]  # zones by the patient's own arc
            see = {s.id: 0.4 for s in d.case.structures if s.role == "brainstem"}
            see.update({s.id: 0.1 for s in d.case.structures if s.role in ("bone", "cerebellum")})
            self._views["case"] = MechanismView(sv.case_actors, nerve_id=sid, nucleus_id=None, see_through=see)
        return self._views["case"]

    def _on_case(self, _case) -> None:
        """A case opened or closed: its mechanism view (on its actors) goes with it."""
        self.pause()
        view = self._views.pop("case", None)
        if view is not None:
            view.close()
        self.view = None

    def play(self) -> None:
        if self.playing:
            return
        sv = self.window.scene_view
        if not self.available:
            self.window.document.statusMessage.emit(
                "The mechanism view needs the case's findings: the analysis is running"
            )
            self.playingChanged.emit(False)
            return
        sv.apply_pending_updates()
        self.view = self._view_for_document()
        if self.window.document.case is not None:
            self.window.document.statusMessage.emit(
                "Mechanism on the patient's facial nerve; the facial nucleus and its intra-pontine pathway "
                "are the model's, placed at the patient's root exit point (MRI shows neither)"
            )
        self.view.set_plan(self._plan())
        self.view.set_enabled(True)
        sv.callouts.clear()
        sv.callouts_suppressed = True
        self.frames = 0
        self._clock.start()
        self._timer.start()
        self.playingChanged.emit(True)

    def pause(self) -> None:
        if not self.playing:
            return
        self._timer.stop()
        sv = self.window.scene_view
        if self.view is not None:
            self.view.set_enabled(False)
        sv.callouts_suppressed = False
        sv.refresh_callouts()
        self.playingChanged.emit(False)

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def caption_text(self) -> str:
        return self.view.caption_text() if self.view is not None else ""

    def _on_findings(self, _findings) -> None:
        if self.playing and self.available:
            self.view.set_plan(self._plan())

    def _tick(self) -> None:
        sv = self.window.scene_view
        if not sv.widget.isVisible() or self.window.isMinimized():
            self.pause()
            return
        t = self._clock.elapsed() / 1000.0
        self.view.update(t)
        sv.plotter.render()
        self.frames += 1
        self.frameShown.emit(t)

    def close(self) -> None:
        self._timer.stop()
        for view in self._views.values():
            view.close()
        self._views = {}
        self.view = None
