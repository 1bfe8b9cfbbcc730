"""The 3D view: a pyvistaqt QtInteractor showing the render Scene, driven by the SceneDocument.

SceneView listens to the document (one handler per signal) and applies each
change to the Scene in place, then asks for one coalesced render. A left click
without drag picks the structure under the cursor and reports it to the
document; a drag still rotates the camera (PickingStyle below).
"""

from __future__ import annotations

import numpy as np
import pyvista as pv
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget
from vtkmodules.vtkInteractionStyle import vtkInteractorStyleTrackballCamera
from vtkmodules.vtkRenderingCore import vtkCellPicker

from ..pad_editing import has_plan
from ..render.live import Handles
from ..render.scenario_view import ScenarioView, shown_scenario
from ..render.scene import MeshSet, Scene
from .document import PickResult, SceneDocument
from .interactor import SceneInteractor

PICK_MARKER_COLOUR = (0, 230, 255)  # cyan: not used by any structure
PAD_TURN_DEG_PER_PX = 0.5  # Shift+drag on a pad: 180 px turn it 90 degrees
PAD_SIZE_PER_PX = 0.005  # Ctrl+drag on a pad: 140 px up doubles it (the radii stay within 0.5-6 mm)


class PickingStyle(vtkInteractorStyleTrackballCamera):
    """Trackball camera where a left click that does not move (<= tolerance px) is a pick.

    Observers on the style replace VTK's default handlers, so each handler
    forwards to the base class: the camera keeps rotating on drags. VTK's
    single-key commands (w/s wireframe, e/q exit, 3 stereo, ...) are switched
    off: the Qt menus own the keyboard.
    """

    CLICK_TOLERANCE_PX = 4

    def __init__(self, on_click, on_grab=None, on_drag=None, on_drop=None):
        super().__init__()
        self._on_click = on_click
        # Handle dragging: on_grab(x, y, shift) -> True when a handle was hit (the
        # camera then stays still), on_drag(x, y) per move, on_drop() at release.
        self._on_grab, self._on_drag, self._on_drop = on_grab, on_drag, on_drop
        self._dragging = False
        self._press_pos: tuple[int, int] | None = None
        self._tags = [
            self.AddObserver("LeftButtonPressEvent", self._press),
            self.AddObserver("LeftButtonReleaseEvent", self._release),
            self.AddObserver("MouseMoveEvent", self._move),
            self.AddObserver("CharEvent", self._ignore),
        ]

    def _press(self, _obj, _evt):
        iren = self.GetInteractor()
        x, y = iren.GetEventPosition()
        if self._on_grab is not None and self._on_grab(x, y, bool(iren.GetShiftKey())):
            self._dragging = True
            self._press_pos = None
            return
        self._press_pos = (x, y)
        self.OnLeftButtonDown()

    def _move(self, _obj, _evt):
        if self._dragging:
            self._on_drag(*self.GetInteractor().GetEventPosition())
        else:
            self.OnMouseMove()

    def _release(self, _obj, _evt):
        if self._dragging:
            self._dragging = False
            self._on_drop()
            return
        pos = tuple(self.GetInteractor().GetEventPosition())
        self.OnLeftButtonUp()
        press, self._press_pos = self._press_pos, None
        if press is None or self._on_click is None:
            return
        if max(abs(pos[0] - press[0]), abs(pos[1] - press[1])) <= self.CLICK_TOLERANCE_PX:
            self._on_click(*pos)

    def _ignore(self, _obj, _evt):
        pass

    def detach(self) -> None:
        """Drop the observers (they hold Python references that would pin this object)."""
        for tag in self._tags:
            self.RemoveObserver(tag)
        self._tags = []
        self._on_click = self._on_grab = self._on_drag = self._on_drop = None


class SceneView(QObject):
    """Owns the QtInteractor (`.plotter`, the central widget) and the Scene on it."""

    TRANSLUCENT = 0.5  # picks pass through structures more transparent than this

    def __init__(self, document: SceneDocument, mesh_set: MeshSet, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        # auto_update=False: no 5 Hz render timer; we render when the state changes
        self.plotter = SceneInteractor(parent, auto_update=False)
        self.plotter.setMinimumSize(320, 240)
        self.scene = Scene(self.plotter, mesh_set, display=document.display)
        self.plotter.iren.clear_key_event_callbacks()  # pyvista's 'q' would close the plotter
        self.style = PickingStyle(self._on_click, self._on_grab, self._on_drag, self._on_drop)
        self.plotter.iren.style = self.style
        self._marker = self.plotter.add_mesh(
            pv.Sphere(radius=0.6, theta_resolution=24, phi_resolution=24),
            color=PICK_MARKER_COLOUR,
            name="pick-marker",
            pickable=False,
            reset_camera=False,
            render=False,
        )
        self._marker.visibility = False
        self._picker = vtkCellPicker()
        self._picker.SetTolerance(0.0005)

        # Live manipulation: in-place meshes, callouts, handles, nerve deformation.
        # The scenario (vessels, lesions, deformed nerve, callouts) is drawn by the render layer.
        self.presenter = ScenarioView(self.scene, document.model)
        self.live = self.presenter.live
        self.callouts = self.presenter.callouts
        self.handles = Handles(self.plotter)
        self._dirty_vessels: set[str] = set()  # vessels moved since the last frame
        self._dirty_all = True  # vessels or lesions added/removed: full sync
        self._dirty_lesions = True
        self._dirty_plan = True  # pads or slings added, moved or removed
        self._findings_dirty = True
        self._updating = False
        self._drag: tuple[str, int, float, object, bool] | None = None  # vessel, handle, depth, merge key, loop

        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(0)
        self._render_timer.timeout.connect(self._next_frame)
        self._frame_pending = False
        # Panels changed by an edit repaint when the window handles its next UpdateRequest:
        # the 3D frame is prepared just before that, so both go out in one window composition.
        self._window = self.plotter.window()
        self._window.installEventFilter(self)
        self.plotter.installEventFilter(self)  # a resize lays the callouts out again (they are placed in pixels)
        self._closed = False
        self._transient = False
        self._overlay = None
        self.callouts_suppressed = False
        # a tool that takes clicks before picking: click_tool(sid, point) -> True when it used it
        self.click_tool = None
        self.last_click: tuple[int, int] | None = None
        self.grab_tools: list = []  # objects with grab(x, y) -> bool, drag(x, y), drop(): tried before handles

        d = document
        d.visibilityChanged.connect(self._on_visibility)
        d.opacityChanged.connect(self._on_opacity)
        d.colourChanged.connect(self._on_colour)
        d.viewChanged.connect(self._on_view)
        d.labelsToggled.connect(self._on_labels)
        d.structurePicked.connect(self._on_picked)
        d.scenarioChanged.connect(self._on_scenario)
        d.sideChanged.connect(self._on_side)  # before the window's slot: it reads the mirrored names
        d.findingsChanged.connect(self._on_findings)
        d.selectionChanged.connect(self._on_selection)
        d.handleSelected.connect(self._on_handle_selected)
        d.planShownChanged.connect(self._on_plan_shown)
        d.caseChanged.connect(self._on_case)
        d.caseFindingsChanged.connect(self._on_case_findings)
        self.case_actors = None  # CaseActors while a patient case is shown
        self._hidden_for_case: list = []  # the model's props hidden while a case is shown
        self._dirty_all = True
        self._dirty_lesions = True
        self._on_side(document.side)  # opened on a right-sided scenario: the panels read the mirrored names
        self.sync_from_document()

    @property
    def widget(self) -> SceneInteractor:
        return self.plotter

    # ------------------------------------------------------------------ document -> scene
    def sync_from_document(self) -> None:
        d, s = self.document, self.scene
        for sid in s.structures:
            s.apply(sid)
        s.set_labels(d.labels_on)
        s.set_view(d.current_view)
        # the whole scene now, so that the first frame (the window's first paint) is complete
        self.apply_pending_updates()
        self.request_render()

    # The Scene applies visibility, opacity and colour itself (it listens to the display
    # state): the view only schedules a frame and keeps the pick marker honest.
    def _on_visibility(self, sid: str, visible: bool) -> None:
        if not visible and self.document.last_pick is not None and self.document.last_pick.sid == sid:
            self._marker.visibility = False
        self.request_render()

    def _on_opacity(self, _sid: str, _opacity: float) -> None:
        self.request_render()

    def _on_colour(self, _sid: str, _rgb) -> None:
        self.request_render()

    def _on_view(self, name: str) -> None:
        if self.case_actors is not None:
            pos, focal, up = self.case_actors.camera(name)
            self.plotter.camera_position = [tuple(pos), tuple(focal), tuple(up)]
            self.plotter.reset_camera_clipping_range()
        else:
            self.scene.set_view(name)
        self.request_render()

    def _on_labels(self, on: bool) -> None:
        if self.case_actors is not None:
            self.case_actors.set_labels(on)
        else:
            self.scene.set_labels(on)
        self.request_render()

    # ------------------------------------------------------------------ patient case
    def _on_case_findings(self, findings) -> None:
        """Callouts for the case's contacts and markers at its landmarks."""
        if self.case_actors is None:
            return
        self._case_callouts()
        geometry = self.document.case_geometry
        self.case_actors.set_landmarks(geometry.anatomy.landmarks if geometry is not None else {})
        self.request_render()

    def _case_callouts(self) -> None:
        """The open case's contact callouts, laid out for the view as it is now (none while the
        mechanism view's captions replace them)."""
        from ..render.scenario_view import callout_items

        findings = self.document.case_findings
        items = callout_items(findings) if findings is not None and not self.callouts_suppressed else []
        self.callouts.set(items)

    def _on_case(self, case) -> None:
        """Show a patient case instead of the model (the model's props are hidden, not destroyed:
        closing the case brings them back exactly as they were), or go back to the model."""
        if self.case_actors is not None:
            self.case_actors.remove()
            self.case_actors = None
            for prop in self._hidden_for_case:
                prop.SetVisibility(True)
            self._hidden_for_case = []
        self.handles.hide()
        self._marker.visibility = False
        if case is not None:
            from ..render.case_view import CaseActors  # only a case needs it

            props = self.plotter.renderer.GetViewProps()
            props.InitTraversal()
            for _ in range(props.GetNumberOfItems()):
                prop = props.GetNextProp()
                if prop is not self._marker and prop.GetVisibility():
                    prop.SetVisibility(False)
                    self._hidden_for_case.append(prop)
            self.callouts.set([])  # the model's callouts are not the case's (its own come with its findings)
            self.case_actors = CaseActors(self.plotter, case, self.document.case_meshes, self.document.display)
            self.case_actors.set_labels(self.document.labels_on)
            self._on_view(self.document.current_view)
        else:
            self._dirty_all = self._findings_dirty = True
            self.scene.set_view(self.document.current_view)
        self.request_render()

    def _on_picked(self, result: PickResult | None) -> None:
        if result is None:
            self._marker.visibility = False
        else:
            self._marker.position = result.point_mm
            self._marker.visibility = True
        self.request_render()

    # ------------------------------------------------------------------ picking
    def pick_display(self, x: int, y: int) -> tuple[str | None, tuple[float, float, float] | None]:
        """Structure id and surface point under VTK display coordinates (device px, y up).

        A see-through structure (opacity < TRANSLUCENT, e.g. the petrous bone) yields
        to whatever opaque structure the user sees through it.
        """
        skipped = []
        first = (None, None)
        try:
            while self._picker.Pick(x, y, 0, self.plotter.renderer):
                actor = self._picker.GetActor()
                if self.case_actors is not None:
                    sid = self.case_actors.structure_of_actor(actor) or self.case_actors.object_of_actor(actor)
                    if sid is None:
                        break
                    hit = (sid, tuple(self._picker.GetPickPosition()))
                    if float(actor.GetProperty().GetOpacity()) >= self.TRANSLUCENT:
                        return hit
                    first = hit if first[0] is None else first
                    actor.SetPickable(False)
                    skipped.append(actor)
                    continue
                sid = self.scene.structure_of_actor(actor)
                if sid is None:
                    obj = self.presenter.object_of_actor(actor)  # a lesion or a vessel the meshes lack
                    if obj is None:
                        break
                    sid = obj[1]
                hit = (sid, tuple(self._picker.GetPickPosition()))
                if float(actor.GetProperty().GetOpacity()) >= self.TRANSLUCENT:
                    return hit
                if first[0] is None:
                    first = hit
                actor.SetPickable(False)
                skipped.append(actor)
        finally:
            for actor in skipped:
                actor.SetPickable(True)
        return first

    def pick_first(self, x: int, y: int, accept) -> tuple[str | None, tuple[float, float, float] | None]:
        """The first object along the ray through (x, y) whose id `accept(id)` takes, see-through or not
        (a sling's anchor on the translucent petrous bone, a vessel behind the pons)."""
        skipped = []
        try:
            while self._picker.Pick(x, y, 0, self.plotter.renderer):
                actor = self._picker.GetActor()
                sid = self.scene.structure_of_actor(actor)
                if sid is None:
                    obj = self.presenter.object_of_actor(actor)
                    sid = None if obj is None else obj[1]
                if sid is not None and accept(sid):
                    return sid, tuple(self._picker.GetPickPosition())
                actor.SetPickable(False)
                skipped.append(actor)
        finally:
            for actor in skipped:
                actor.SetPickable(True)
        return None, None

    def _on_click(self, x: int, y: int) -> None:
        self.last_click = (x, y)  # for click tools that pick through see-through structures
        sid, point = self.pick_display(x, y)
        if self.click_tool is not None and self.click_tool(sid, point):
            return  # a tool (ruler, angle) took the click
        self.document.pick(sid, point)

    # ------------------------------------------------------------------ rendering
    def request_render(self) -> None:
        if not self._closed:
            self._frame_pending = True
            self.plotter.invalidate_frame()
            self._render_timer.start()

    def render_now(self) -> None:
        """Apply the pending updates and render synchronously (screenshots, tests)."""
        if self._closed:
            return
        self._frame_pending = False
        self._render_timer.stop()
        self.apply_pending_updates()
        self.plotter.render()

    def _next_frame(self) -> None:
        # The widget's paint renders the scene itself; a synchronous render here would be a
        # second GL render of the same frame (its end schedules that paint anyway).
        if self._closed or not self._frame_pending:
            return
        self._frame_pending = False
        self._render_timer.stop()
        self.apply_pending_updates()
        self.plotter.update()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API name
        if event.type() == QEvent.Type.UpdateRequest and obj is self._window:
            self._next_frame()
        elif event.type() == QEvent.Type.Resize and obj is self.plotter and self.callouts is not None:
            if self.callouts.items:
                self.refresh_callouts()
        return False

    def render_if_needed(self) -> None:
        """Render now unless the last frame already shows the document (a repaint drew it since)."""
        if self._closed:
            return
        self._frame_pending = False
        self._render_timer.stop()
        if self.apply_pending_updates() or not self.plotter.frame_current:
            self.plotter.render()

    # ------------------------------------------------------------------ live scenario updates
    def _on_scenario(self, changed) -> None:
        if changed is None:
            self._dirty_all = True
        else:
            d = self.document
            vessels = set(d.vessel_ids())
            plan = set(d.pad_ids()) | set(d.sling_ids())
            self._dirty_vessels.update(c for c in changed if c in vessels)
            if any(c in plan for c in changed):
                # a pad or sling reroutes the vessels: all of them follow it
                self._dirty_plan = True
                self._dirty_vessels.update(vessels)
            elif any(s.vessel in changed for s in d.scenario.slings):
                self._dirty_plan = True  # a slung vessel was moved: its sling's band follows it
            self._dirty_lesions = self._dirty_lesions or any(c not in vessels and c not in plan for c in changed)
        self._findings_dirty = True
        self.request_render()

    def _on_side(self, side: str) -> None:
        """A scenario of the other side: mirror the actors' meshes in place, then redraw it all."""
        if self.presenter.sync_side(side):
            self._dirty_all = self._findings_dirty = True
            self.request_render()

    def _on_findings(self, _findings) -> None:
        if self._updating:
            return  # announced by the update in progress, which draws this very state
        self._findings_dirty = True
        self.request_render()

    def _on_plan_shown(self, _before: bool) -> None:
        """Before/after decompression: everything drawn from the other state."""
        self._dirty_all = self._findings_dirty = True
        self.request_render()

    def _on_selection(self, sid: str) -> None:
        self._show_handles()
        self.request_render()

    def _on_handle_selected(self, index: int) -> None:
        self.handles.set_active(index if index >= 0 else None)
        self.request_render()

    def _show_handles(self) -> None:
        d = self.document
        pad = d.selected_pad
        if pad is not None and not d.showing_before:  # one handle: the centre (drag the felt itself too)
            self.handles.show(np.asarray(pad.center_mm, float)[None], active=0)
            return
        sling = d.selected_sling
        if sling is not None and not d.showing_before:  # where it is fixed
            self.handles.show(np.asarray(sling.anchor_mm, float)[None], active=0)
            return
        lesion = self.document.selected_lesion
        if lesion is not None:  # one handle: the centre
            self.handles.show(np.asarray(lesion.center_mm, float)[None], active=0)
            return
        vessel = self.document.selected_vessel
        if vessel is None:
            self.handles.hide()
        else:
            h = self.document.selected_handle
            self.handles.show(vessel.handles_mm, active=h if h >= 0 else None)

    def apply_pending_updates(self) -> bool:
        """Bring meshes, nerve deformation, callouts and handles up to the document (in place).

        True when something changed (the last frame is then out of date)."""
        d = self.document
        if self.case_actors is not None:
            # the model's scenario is hidden under a case (brought up to date when it closes);
            # only the case's callouts may need laying out again (a camera change, a resize)
            if self._findings_dirty and not self._transient:
                self._findings_dirty = False
                self._case_callouts()
                self.plotter.invalidate_frame()  # the finished frame shows the old layout
                return True
            return False
        pending = bool(
            self._dirty_vessels or self._dirty_all or self._dirty_lesions or self._dirty_plan or self._findings_dirty
        )
        self._updating = True
        try:
            self._on_side(d.model.side)  # e.g. back from an animation frame of the other side
            if self._dirty_vessels or self._dirty_all or self._dirty_lesions or self._dirty_plan:
                scenario = d.scenario
                structure_change = self._dirty_all
                self._dirty_all = False
                # with a plan the vessels are drawn as routed round the pads and along the slings
                # (edited through the handles of the scenario itself); before decompression, as they are
                drawn = shown_scenario(d.shown_state) if has_plan(scenario) else scenario
                self.presenter.update_vessels(drawn, None if structure_change else self._dirty_vessels)
                if structure_change or self._dirty_plan:
                    after = shown_scenario(d.state) if has_plan(scenario) else scenario
                    self.presenter.plan.update(scenario, after)
                    self.presenter.plan.set_visible(not d.showing_before)
                    if d.selected_pad is not None or d.selected_sling is not None:
                        self._show_handles()
                    self._dirty_plan = False
                if structure_change:
                    self.presenter.update_lesions(scenario)
                    self.presenter.measurements.update(scenario.measurements)
                    self.presenter.update_retraction(d.state)
                elif self._dirty_lesions:
                    self.presenter.update_lesions(scenario)
                    if d.selected_lesion is not None:
                        self._show_handles()
                self._dirty_lesions = False
                if structure_change or d.selected in self._dirty_vessels:
                    self._show_handles()
                self._dirty_vessels = set()
            if self._findings_dirty:
                self._findings_dirty = False
                self._update_nerve_and_callouts(d.shown_state)  # runs the pending analysis now if needed
        finally:
            self._updating = False
        if pending:
            self.plotter.invalidate_frame()
        return pending

    # ------------------------------------------------------------------ animations
    def show_transient(self, state) -> None:
        """Show a SceneState that is not the document's (an animation frame) and render it now."""
        if self._closed:
            return
        self.presenter.show(state)
        self._transient = True
        self.plotter.render()

    def show_document(self) -> None:
        """Back to the document's scenario after an animation."""
        if self._closed:
            return
        self._transient = False
        self._dirty_all = True
        self._findings_dirty = True
        self.request_render()

    def set_overlay_text(self, text: str) -> None:
        """A caption in the top-left corner of the 3D view (animation state); '' hides it."""
        if self._closed:
            return
        if self._overlay is None:
            if not text:
                return
            self._overlay = self.plotter.add_text(
                text,
                position="upper_left",
                font_size=16,
                color="white",
                shadow=True,
                name="overlay-caption",
                render=False,
            )
        self._overlay.SetText(2, text or " ")  # corner 2: upper left (a vtkCornerAnnotation)
        self._overlay.SetVisibility(bool(text))
        self.request_render()

    def refresh_callouts(self) -> None:
        """Lay the callouts out again (after a camera move or a change of type size)."""
        if self._closed:
            return
        self._findings_dirty = True
        self.request_render()

    def _update_nerve_and_callouts(self, state) -> None:
        self.presenter.update_findings(state)
        if self.callouts_suppressed:  # the mechanism view's captions replace the callouts
            self.callouts.clear()

    @property
    def deformation(self):
        return None if self.presenter is None else self.presenter.deformation

    # ------------------------------------------------------------------ dragging handles
    def camera_axes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(right, up, forward) unit vectors of the current camera in RAS."""
        cam = self.plotter.camera
        forward = np.asarray(cam.focal_point, float) - np.asarray(cam.position, float)
        forward /= np.linalg.norm(forward)
        up = np.asarray(cam.up, float)
        up -= np.dot(up, forward) * forward
        up /= np.linalg.norm(up)
        return np.cross(forward, up), up, forward

    def display_to_world(self, x: float, y: float, depth: float) -> np.ndarray:
        ren = self.plotter.renderer
        ren.SetDisplayPoint(float(x), float(y), float(depth))
        ren.DisplayToWorld()
        w = np.asarray(ren.GetWorldPoint(), float)
        return w[:3] / w[3]

    def _display_depth(self, point) -> float:
        ren = self.plotter.renderer
        ren.SetWorldPoint(*np.asarray(point, float), 1.0)
        ren.WorldToDisplay()
        return float(ren.GetDisplayPoint()[2])  # z-buffer depth: the drag stays in this plane

    def _on_grab(self, x: int, y: int, shift: bool) -> bool:
        for tool in self.grab_tools:  # e.g. the clipping plane: grab(x, y) -> True, then drag/drop
            if tool.grab(x, y):
                self._drag = ("tool", tool, 0.0, None, False)
                return True
        if self._grab_pad(x, y, shift):
            return True
        lesion = self.document.selected_lesion
        if lesion is not None:
            if self.handles.pick_handle(x, y) is None:
                return False
            self._drag = ("lesion", lesion.id, self._display_depth(lesion.center_mm), self.document.begin_drag(), False)
            return True
        vessel = self.document.selected_vessel
        if vessel is None:
            return False
        index = self.handles.pick_handle(x, y)
        if index is None:
            return False
        self.document.select_handle(index)
        depth = self._display_depth(vessel.handles_mm[index])
        self._drag = (vessel.id, index, depth, self.document.begin_drag(), shift)
        return True

    def _grab_pad(self, x: int, y: int, shift: bool = False) -> bool:
        """A press on a pad (or the selected pad's centre handle) selects it and starts dragging it in
        the view plane through its centre; the point under the cursor stays under the cursor.
        Shift+drag turns it instead (sideways about the screen's vertical, up/down about its
        horizontal) and Ctrl+drag resizes it (up grows, down shrinks)."""
        d = self.document
        if d.showing_before or not d.scenario.pads:
            return False
        if (d.selected_vessel is not None or d.selected_lesion is not None) and self.handles.pick_handle(
            x, y
        ) is not None:
            return False  # the selected vessel's or lesion's handle is drawn on top: it wins
        pad = d.selected_pad
        if pad is None or self.handles.pick_handle(x, y) is None:
            sid, _point = self.pick_display(x, y)
            if sid not in d.pad_ids():
                return False
            pad = d.scenario.pad(sid)
            d.select(sid)
            d.statusMessage.emit(d.describe_point(sid, _point).status_text() + ": drag to move it")
        if shift or self.plotter.iren.interactor.GetControlKey():
            self._drag = ("pad-turn" if shift else "pad-size", pad.id, (x, y), d.begin_drag(), pad)
            return True
        centre = np.asarray(pad.center_mm, float)
        depth = self._display_depth(centre)
        offset = centre - self.display_to_world(x, y, depth)
        self._drag = ("pad", pad.id, depth, d.begin_drag(), offset)
        return True

    def _drag_pad_shape(self, mode: str, pad, start, x: int, y: int, key) -> None:
        """Turn or resize from the pad as it was at the press (no drift over a long drag)."""
        dx, dy = x - start[0], y - start[1]  # VTK display pixels, y up
        if mode == "pad-size":
            self.document.resize_pad(pad.id, np.asarray(pad.radii_mm) * np.exp(PAD_SIZE_PER_PX * dy), merge_key=key)
            return
        from ..pad_editing import rotated_pad

        right, up, _ = self.camera_axes()
        turned = rotated_pad(rotated_pad(pad, up, PAD_TURN_DEG_PER_PX * dx), right, -PAD_TURN_DEG_PER_PX * dy)
        self.document.set_pad_axes(pad.id, turned.axes_matrix, merge_key=key)

    def _on_drag(self, x: int, y: int) -> None:
        if self._drag is None:
            return
        vid, index, depth, key, loop = self._drag
        if vid == "tool":
            index.drag(x, y)
            return
        if vid in ("pad-turn", "pad-size"):  # `depth` holds the press position, `loop` the pad then
            self._drag_pad_shape(vid, loop, depth, x, y, key)
            return
        if vid == "pad":  # `loop` holds the grab offset
            self.document.move_pad(index, self.display_to_world(x, y, depth) + loop, merge_key=key)
            return
        if vid == "lesion":
            self.document.move_lesion(index, self.display_to_world(x, y, depth), merge_key=key)
            return
        self.document.move_handle(vid, index, self.display_to_world(x, y, depth), whole_loop=loop, merge_key=key)

    def _on_drop(self) -> None:
        if self._drag is not None and self._drag[0] == "tool":
            self._drag[1].drop()
        self._drag = None

    def screenshot(self, size: tuple[int, int] | None = None, annotations: bool = True) -> np.ndarray:
        """The 3D view as an RGB array, at the widget size or rendered at `size` (w, h).

        `annotations=False` hides callouts, structure labels, handles and the caption for this image."""
        self._render_timer.stop()
        self.render_now()  # pyvista's screenshot reads the last frame without rendering
        hidden = []
        if not annotations:
            props = list(self.callouts.actors) + [self._overlay, self.handles.actor, self.scene._label_actor]
            if self.case_actors is not None:
                props.append(self.case_actors._label_actor)
            for a in props:
                if a is not None and a.GetVisibility():
                    a.SetVisibility(False)
                    hidden.append(a)
        rw = self.plotter.render_window
        old_size = tuple(rw.GetSize())
        resized = bool(size) and tuple(size) != old_size
        c = self.callouts
        old_px = (c.FONT_PX, c.HIGHLIGHT_FONT_PX)
        try:
            if resized:
                # callouts are laid out in pixels: at the export size, with type scaled to match
                rw.SetSize(int(size[0]), int(size[1]))
                scale = size[1] / max(old_size[1], 1)
                c.FONT_PX, c.HIGHLIGHT_FONT_PX = (max(8, round(px * scale)) for px in old_px)
                if annotations:
                    c.set(c.items)
            self.plotter.render()
            return self.plotter.screenshot(return_img=True)
        finally:
            for a in hidden:
                a.SetVisibility(True)
            if resized:
                rw.SetSize(*old_size)
                c.FONT_PX, c.HIGHLIGHT_FONT_PX = old_px
                c.set(c.items)
            if hidden or resized:
                self.plotter.render()

    def close(self) -> None:
        """Stop timers, detach the picking style, close the plotter (before the window dies)."""
        if self._closed:
            return
        self._closed = True
        self._render_timer.stop()
        self._window.removeEventFilter(self)
        self.plotter.removeEventFilter(self)
        self._window = None
        for sig, slot in (
            (self.document.visibilityChanged, self._on_visibility),
            (self.document.opacityChanged, self._on_opacity),
            (self.document.colourChanged, self._on_colour),
            (self.document.viewChanged, self._on_view),
            (self.document.labelsToggled, self._on_labels),
            (self.document.structurePicked, self._on_picked),
            (self.document.scenarioChanged, self._on_scenario),
            (self.document.findingsChanged, self._on_findings),
            (self.document.selectionChanged, self._on_selection),
            (self.document.handleSelected, self._on_handle_selected),
            (self.document.planShownChanged, self._on_plan_shown),
            (self.document.caseChanged, self._on_case),
            (self.document.caseFindingsChanged, self._on_case_findings),
        ):
            sig.disconnect(slot)
        self.style.detach()
        if self.case_actors is not None:
            self.case_actors.remove()
        self.case_actors = None
        self._hidden_for_case = []
        self.scene.close()
        self.callouts.clear()
        self.handles.close()
        self.plotter.close()
        # Drop every VTK reference: a closed window's Python wrapper may outlive it
        # (a traceback, a test's fixture), and must not pin the scene's actors.
        self.scene = self._marker = self._picker = self.style = self._overlay = None
        self.live = self.callouts = self.handles = self.presenter = None
        self.plotter = None
