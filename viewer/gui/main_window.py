"""Main window: the assembly of the central 3D view, the docked panels and their controllers.

Its actions are made in `actions.py`, the menus and toolbars in `menus.py`, and the
image, video and report exports live in `exports.py`; the window keeps them as attributes
and thin slots, so menus, shortcuts and tests reach them on the window.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtGui import QCloseEvent, QImage
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QScrollArea,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ..display import Override
from ..editing import NUDGE_STEP_LARGE_MM, NUDGE_STEP_MM
from ..render.scene import MeshSet, load_meshes
from ..render.views import VIEWS, view_title
from ..scenario import Scenario
from . import menus
from .actions import create_actions
from .animation import MechanismPlayer, PulsationPlayer
from .case_editing import install_case_vessel_editor
from .cases import CaseController, is_case_file, is_importable
from .clipping import install_clip_tool
from .corridor_panel import CorridorPanel
from .document import PickResult, SceneDocument
from .files import FileController
from .findings_panel import FindingsPanel
from .info_panel import InfoPanel
from .landmarks import install_landmark_tool
from .lesion_panel import LesionPanel
from .measure import install_measure_tool
from .pad_panel import PadPanel
from .presentation import Presentation
from .preset_panel import PresetPanel
from .settings import KEY_GEOMETRY, KEY_LABELS, KEY_STATE, KEY_VIEW, make_settings, read_bool
from .sling_tool import SlingTool
from .structure_panel import StructurePanel
from .vessel_panel import VesselPanel
from .view3d import SceneView

WINDOW_TITLE = "HFS Compression Viewer \u2014 left cerebellopontine angle"


DIM_OVERRIDE = "dimming"
DIM_OPACITY = 0.15  # what dimming leaves of a structure not involved in the compression


def window_title(side: str) -> str:
    """The application's title for a scene of `side`."""
    return WINDOW_TITLE.replace("left", side)


DEFAULT_SIZE = (1600, 1000)
MIN_FONT_PT = 11.0  # readable on a projector; panels must not go below 10 pt


def ensure_readable_font(app: QApplication | None = None) -> None:
    """Raise the application font to at least MIN_FONT_PT (lecture-hall screenshots)."""
    app = app or QApplication.instance()
    if app is None:
        return
    font = app.font()
    if font.pointSizeF() < MIN_FONT_PT:
        font.setPointSizeF(MIN_FONT_PT)
        app.setFont(font)


_ARROWS = {Qt.Key.Key_Left: (0, -1), Qt.Key.Key_Right: (0, 1), Qt.Key.Key_Up: (1, 1), Qt.Key.Key_Down: (1, -1)}


class MainWindow(QMainWindow):
    """The viewer window. `persist=False` neither reads nor writes settings (screenshots)."""

    def __init__(
        self,
        mesh_set: MeshSet | None = None,
        view: str | None = None,
        settings: QSettings | None = None,
        persist: bool = True,
        parent: QWidget | None = None,
        scenario: Scenario | None = None,
    ):
        super().__init__(parent)
        ensure_readable_font()
        self.setWindowTitle(WINDOW_TITLE)
        self.setObjectName("MainWindow")
        self.persist = persist
        self.settings = settings if settings is not None else (make_settings() if persist else None)
        mesh_set = mesh_set or load_meshes()

        self.document = SceneDocument(mesh_set.structures, parent=self, scenario=scenario)
        start_view = view
        if start_view is None and self.settings is not None:
            saved = str(self.settings.value(KEY_VIEW, "") or "")
            start_view = saved if saved in VIEWS else None
        if start_view is not None:
            self.document.set_view(start_view)
        if self.settings is not None:
            self.document.set_labels(read_bool(self.settings, KEY_LABELS, False))

        self.scene_view = SceneView(self.document, mesh_set, self)
        # central area: the 3D view plus the presentation caption bar (hidden outside presentations)
        central = QWidget(self)
        central.setObjectName("centralArea")
        box = QVBoxLayout(central)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.scene_view.widget, 1)
        self.caption_bar = QLabel(central)
        self.caption_bar.setObjectName("captionBar")
        self.caption_bar.setWordWrap(True)
        self.caption_bar.setStyleSheet("QLabel#captionBar { background: #000000; color: #f5f5f5; padding: 10px 24px; }")
        self.caption_bar.hide()
        box.addWidget(self.caption_bar)
        self.setCentralWidget(central)

        self.structure_panel = StructurePanel(self.document, self)
        self.structures_dock = self._dock("Structures", "structuresDock", self.structure_panel)
        self.info_panel = InfoPanel(self.document, self)
        self.info_dock = self._dock("Info", "infoDock", self.info_panel)
        self.splitDockWidget(self.structures_dock, self.info_dock, Qt.Orientation.Vertical)
        self.findings_panel = FindingsPanel(self.document, self)
        self.findings_dock = self._dock(
            "Findings", "findingsDock", self.findings_panel, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.vessel_panel = VesselPanel(self.document, self)
        self.vessel_dock = self._dock("Vessel", "vesselDock", self.vessel_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.splitDockWidget(self.findings_dock, self.vessel_dock, Qt.Orientation.Vertical)
        self.lesion_panel = LesionPanel(self.document, self)
        self.lesion_dock = self._dock("Lesion", "lesionDock", self.lesion_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.vessel_dock, self.lesion_dock)
        self.corridor_panel = CorridorPanel(self.document, self)
        self.corridor_dock = self._dock(
            "Corridor", "corridorDock", self.corridor_panel, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.tabifyDockWidget(self.lesion_dock, self.corridor_dock)
        self.pad_panel = PadPanel(self.document, self)
        # in a scroll area: the pad editor is tall, and must not make the window taller than the screen
        pad_scroll = QScrollArea(self)
        pad_scroll.setObjectName("padScroll")
        pad_scroll.setWidgetResizable(True)
        pad_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        pad_scroll.setWidget(self.pad_panel)
        self.pad_dock = self._dock("Pad", "padDock", pad_scroll, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.corridor_dock, self.pad_dock)
        self.vessel_dock.raise_()
        self.preset_panel = PresetPanel(self)
        self.presets_dock = self._dock("Teaching cases", "presetsDock", self.preset_panel)
        self.tabifyDockWidget(self.structures_dock, self.presets_dock)
        self.structures_dock.raise_()
        self.preset_panel.presetActivated.connect(self.open_preset)
        self.presets_dock.visibilityChanged.connect(self.preset_panel.fill_if_shown)
        self.resizeDocks([self.findings_dock], [430], Qt.Orientation.Horizontal)
        self.resizeDocks([self.findings_dock, self.vessel_dock], [660, 280], Qt.Orientation.Vertical)
        self.resizeDocks([self.structures_dock], [400], Qt.Orientation.Horizontal)
        self.resizeDocks([self.structures_dock, self.info_dock], [640, 300], Qt.Orientation.Vertical)

        self.files = FileController(self, self.document, self.settings)
        self._model_action_states: dict | None = None  # enabled states of the model's actions under a case
        self.cases = CaseController(self, self.document, self.files)
        self.files.cases = self.cases
        self.current_preset: str | None = None
        self.confirm_close = persist  # ask about unsaved changes on close (off for screenshots and tests)
        self.setAcceptDrops(True)  # drop a scenario, a case or a patient's files onto the window

        self.presentation = Presentation(self)
        self.pulsation = PulsationPlayer(self)
        self.mechanism = MechanismPlayer(self)

        self.sling_tool = SlingTool(self.scene_view, self.document, self)
        create_actions(self)
        self._dimmed = False
        self._sync_scenario_actions()
        self._sync_plan_actions()
        menus.build_menus(self)
        self.measure = install_measure_tool(self)
        # one click tool at a time: measuring and transposing both take the next clicks
        self.measure.modeChanged.connect(lambda mode: self.sling_tool.cancel() if mode else None)
        self.sling_tool.activeChanged.connect(lambda on: self.measure.cancel() if on else None)
        self.clip = install_clip_tool(self)
        self.landmarks = install_landmark_tool(self)
        self.case_vessels = install_case_vessel_editor(self)
        menus.build_toolbars(self)
        # arrow-key nudges are read on the 3D view only (the structure tree keeps its arrow keys)
        self.scene_view.widget.installEventFilter(self)

        d = self.document
        d.findingsChanged.connect(self._refresh_dim)
        d.findingsChanged.connect(self._sync_plan_actions)
        d.viewChanged.connect(self._on_view_changed)
        d.labelsToggled.connect(self.labels_action.setChecked)
        d.structurePicked.connect(self._on_picked)
        # bound methods, not lambdas: Qt drops them when the window is deleted
        d.statusMessage.connect(self._show_status)
        d.scenarioChanged.connect(self._update_title)
        d.scenarioChanged.connect(self._sync_scenario_actions)
        d.selectionChanged.connect(self._on_selection)
        d.undo_stack.cleanChanged.connect(self._update_title)
        self.files.fileChanged.connect(self._update_title)
        self.files.recentChanged.connect(self._rebuild_recent_menu)
        d.sideChanged.connect(self._on_side_changed)
        d.caseChanged.connect(self._on_case_changed)
        d.caseEdited.connect(self._update_title)
        d.caseFindingsChanged.connect(self._sync_mechanism_action)
        self._on_view_changed(d.current_view)
        self._update_title()
        if d.side != "left":  # opened on a right-sided scenario: its words from the start
            self._on_side_changed(d.side)

        self.resize(*DEFAULT_SIZE)
        if self.settings is not None:
            geometry = self.settings.value(KEY_GEOMETRY)
            if geometry is not None:
                self.restoreGeometry(geometry)
            state = self.settings.value(KEY_STATE)
            if state is not None:
                self.restoreState(state)
        self._closed = False

    # ------------------------------------------------------------------ construction
    def _dock(
        self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea = Qt.DockWidgetArea.LeftDockWidgetArea
    ) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(area, dock)
        return dock

    # ------------------------------------------------------------------ editing
    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API name
        if event.type() == QEvent.Type.KeyPress and event.key() in _ARROWS:
            axis, sign = _ARROWS[event.key()]
            mods = event.modifiers()
            if mods & Qt.KeyboardModifier.ControlModifier:
                if axis == 0:
                    return False
                axis = 2  # Ctrl+Up/Down: depth
            step = NUDGE_STEP_LARGE_MM if mods & Qt.KeyboardModifier.ShiftModifier else NUDGE_STEP_MM
            self.nudge(axis, sign * step)
            return True
        return super().eventFilter(obj, event)

    def nudge(self, axis: int, amount_mm: float) -> bool:
        """Move the selected handle along the camera's right (0), up (1) or forward (2) axis."""
        direction = self.scene_view.camera_axes()[axis]
        return self.document.nudge_selected_handle(direction * amount_mm)

    def remove_selected_lesion(self) -> bool:
        """Delete: the selected lesion, pad or sling."""
        return self.document.remove_selected()

    # ------------------------------------------------------------------ decompression plan
    def insert_pad(self) -> str | None:
        self.measure.cancel()
        self.sling_tool.cancel()
        return self.document.insert_pad()

    def remove_selected_sling(self) -> bool:
        sling = self.document.selected_sling
        if sling is None:
            self.statusBar().showMessage("Select a sling to remove (click it in the 3D view)", 6000)
            return False
        self.document.remove_sling(sling.id)
        return True

    def turn_pad(self, axis: int, degrees: float) -> bool:
        """Turn the selected pad about the camera's right (0), up (1) or forward (2) axis."""
        return self.document.rotate_selected_pad(self.scene_view.camera_axes()[axis], degrees)

    def _sync_plan_actions(self, *_args) -> None:
        """Insert Teflon pad only where there is a contact to pad; the tip says why not."""
        can = self.document.pad_contact() is not None
        if can != self.insert_pad_action.isEnabled():
            self.insert_pad_action.setEnabled(can)
            self.insert_pad_action.setStatusTip(
                "A felt pad between the culprit vessel and CN VII at their contact (Shift+P)"
                if can
                else "No vessel touches CN VII: there is no contact to put a Teflon pad into"
            )

    def _sync_scenario_actions(self, *_args) -> None:
        for name, act in self.history_actions.items():
            act.blockSignals(True)
            act.setChecked(getattr(self.document.scenario.history, name))
            act.blockSignals(False)

    def _on_selection(self, sid: str) -> None:
        d = self.document
        if sid in d.pad_ids() or sid in d.sling_ids():
            self.pad_dock.raise_()
        elif sid in d.lesion_ids():
            self.lesion_dock.raise_()
        elif sid in d.vessel_ids():
            self.vessel_dock.raise_()

    def set_dimmed(self, on: bool) -> None:
        """Fade what is not involved in the compression: a display override, so the user's own
        opacities are never written over and come back exactly when it is off."""
        self._dimmed = bool(on)
        if not on:
            self.document.display.clear_override(DIM_OVERRIDE)
            return
        self._refresh_dim()

    def _refresh_dim(self, *_args) -> None:
        if not self._dimmed:
            return
        d = self.document
        involved = {"cn7", "cn8", "brainstem"} | {c.id for c in d.findings.all_contacts}
        d.display.set_override(
            DIM_OVERRIDE, {sid: Override(max_opacity=DIM_OPACITY) for sid in d.ids() if sid not in involved}
        )

    def _show_status(self, message: str) -> None:
        self.statusBar().showMessage(message, 6000)

    def _update_title(self, *_args) -> None:
        where = f" ({self.files.path.name})" if self.files.path is not None else ""
        case = self.document.case
        if case is not None:
            title = f"{case.name}{where}[*] \u2014 patient case, {case.side} side \u2014 HFS Compression Viewer"
        else:
            title = f"{self.document.scenario.name}{where}[*] \u2014 {window_title(self.document.side)}"
        if title != self.windowTitle():  # every move of a drag lands here
            self.setWindowTitle(title)
        modified = not self.document.undo_stack.isClean()
        if modified != self.isWindowModified():  # setting it re-sends the title to the window system
            self.setWindowModified(modified)

    # ------------------------------------------------------------------ document reactions
    def _on_view_changed(self, name: str) -> None:
        self.view_actions[name].setChecked(True)
        self.statusBar().showMessage(f"View: {view_title(name, self.document.side)}")

    def _on_picked(self, result: PickResult | None) -> None:
        if result is None:
            self.statusBar().showMessage("Nothing under the cursor")
        else:
            self.statusBar().showMessage(result.status_text())

    def docks(self) -> list[QDockWidget]:
        return self.findChildren(QDockWidget)

    def toolbars(self) -> list[QToolBar]:
        return self.findChildren(QToolBar)

    # ------------------------------------------------------------------ files
    def open_preset(self, name: str, confirm: bool = True) -> bool:
        """Open a teaching case: its scenario (after the unsaved-changes question) and its view."""
        from ..presets import load_preset

        scenario = load_preset(name)
        if confirm:
            if not self.files.open_scenario(scenario, text="Teaching case"):
                return False
        else:
            self.document.load_scenario(scenario)
            self.files._set_path(None)
        self.current_preset = name
        self.document.select("")
        self.document.set_view(scenario.teaching.view)
        self.preset_panel.mark_current(name)
        return True

    def new_scenario(self, side: str | None = None) -> bool:
        """The normal anatomy of `side` (None: the side shown now)."""
        from ..scenario import default_scenario

        return self.files.open_scenario(default_scenario(side or self.document.side), text="New scenario")

    # ------------------------------------------------------------------ both sides
    def _on_side_changed(self, side: str) -> None:
        """Words follow the side: view titles, structure names, window title."""
        for name, act in self.view_actions.items():
            title = view_title(name, side)
            act.setText(title)
            act.setToolTip(f"{title} view ({VIEWS[name].shortcut})")
            act.setStatusTip(f"Camera: {title.lower()} view")
        self.structure_panel.refresh_names()
        self._update_title()
        self.statusBar().showMessage(f"{side.capitalize()} side: the model mirrored at the midline", 6000)

    # ------------------------------------------------------------------ patient cases
    def close_case(self) -> bool:
        """Back to the model (after the unsaved-changes question)."""
        if self.document.case is None:
            return True
        if not self.files.confirm_discard():
            return False
        self.document.close_case()
        self.files._set_path(None)
        return True

    def _sync_mechanism_action(self, *_args) -> None:
        """M works on a case too (its own findings, the nucleus schematic) once they exist."""
        self.mechanism_action.setEnabled(self.mechanism.available)

    def model_only_actions(self) -> list:
        """Actions that act on the model's scenario: off while a patient case is shown."""
        acts = [
            self.reset_scenario_action,
            self.pulsation_action,
            self.dim_action,
            self.export_video_action,
            self.before_action,
            *self.nudge_actions,
            *self.scenario_menu.actions(),
        ]
        acts += [
            getattr(self, name)
            for name in ("ruler_action", "angle_action", "remove_measurements_action", "clip_action")
            if hasattr(self, name)
        ]
        return acts

    def _on_case_changed(self, case) -> None:
        on_model = case is None
        if not on_model:
            self.pulsation.pause()
            self.mechanism.pause()
            if self._dimmed:
                self.dim_action.setChecked(False)
        if not on_model:
            if self.before_action.isChecked():
                self.before_action.setChecked(False)
            self.sling_tool.cancel()
            if self._model_action_states is None:  # what the model had enabled comes back on close
                self._model_action_states = {act: act.isEnabled() for act in self.model_only_actions()}
            for act in self._model_action_states:
                act.setEnabled(False)
        elif self._model_action_states is not None:
            for act, enabled in self._model_action_states.items():
                act.setEnabled(enabled)
            self._model_action_states = None
            self._sync_plan_actions()
        for dock in (self.vessel_dock, self.lesion_dock, self.corridor_dock, self.pad_dock):
            dock.widget().setEnabled(on_model)
        self.close_case_action.setEnabled(not on_model)
        self._sync_mechanism_action()
        self._update_title()
        if not on_model:
            self.structures_dock.raise_()
            self.statusBar().showMessage(
                f"Patient case '{case.name}': {len(case.structures)} structures (right-click one to change its role)",
                8000,
            )

    def _rebuild_recent_menu(self) -> None:
        menus.rebuild_recent_menu(self)

    @staticmethod
    def _dropped(event) -> tuple[str | None, list[str]]:
        """(a scenario or case file to open, or patient files to import) from a drop."""
        md = event.mimeData()
        files = [u.toLocalFile() for u in md.urls() if u.isLocalFile()] if md.hasUrls() else []
        for f in files:
            if f.lower().endswith(".json") or is_case_file(f):
                return f, []
        return None, [f for f in files if is_importable(f)]

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt API name
        path, imports = self._dropped(event)
        if path or imports:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802 - Qt API name
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt API name
        path, imports = self._dropped(event)
        if path:
            event.acceptProposedAction()
            self.files.open_path(path)
        elif imports:
            event.acceptProposedAction()
            self.cases.import_paths(imports)

    # ------------------------------------------------------------------ export (exports.py: imported on first use)
    def view_size(self) -> tuple[int, int]:
        from . import exports

        return exports.view_size(self)

    def export_image(self, path: Path | str, size: tuple[int, int] | None = None, annotations: bool = True) -> Path:
        """Render the 3D view at `size` (w, h; default the view's size) and save it as PNG.

        `annotations=False` leaves out the contact callouts, labels and captions (a clean figure)."""
        from . import exports

        return exports.export_image(self, path, size, annotations)

    def export_image_dialog(self) -> Path | None:
        from . import exports

        return exports.export_image_dialog(self)

    def export_video_dialog(self):
        from . import exports

        return exports.export_video_dialog(self)

    def export_report_dialog(self) -> Path | None:
        from . import exports

        return exports.export_report_dialog(self)

    # ------------------------------------------------------------------ animations
    def _mechanism_toggled(self, on: bool) -> None:
        if on != self.mechanism.playing:
            if on:
                self.pulsation.pause()  # one animation at a time
                self.mechanism.play()
            else:
                self.mechanism.pause()

    def _pulsation_toggled(self, on: bool) -> None:
        if on and self.mechanism.playing:
            self.mechanism.pause()
        if on != self.pulsation.playing:
            self.pulsation.play() if on else self.pulsation.pause()

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt API name
        if event.type() == QEvent.Type.WindowStateChange and self.isMinimized():
            self.pulsation.pause()  # animations stop when the window is hidden
            self.mechanism.pause()
        super().changeEvent(event)

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt API name
        self.pulsation.pause()
        self.mechanism.pause()
        super().hideEvent(event)

    # ------------------------------------------------------------------ window grab, shutdown
    def grab_window(self) -> QImage:
        """The whole window (menus, toolbar, panels and the 3D view) as an image.

        The 3D view renders only if its last frame is out of date; the grab itself reuses that frame."""
        self.scene_view.render_if_needed()
        QApplication.processEvents()
        return self.grab().toImage()

    def save_settings(self) -> None:
        if self.settings is None:
            return
        self.settings.setValue(KEY_GEOMETRY, self.saveGeometry())
        self.settings.setValue(KEY_STATE, self.saveState())
        self.settings.setValue(KEY_VIEW, self.document.current_view)
        self.settings.setValue(KEY_LABELS, self.document.labels_on)
        self.settings.sync()

    def shutdown(self) -> None:
        """Save settings, drop the autosave, close the plotter; idempotent (closeEvent calls it)."""
        if self._closed:
            return
        self.presentation.leave()  # settings must record the normal layout, not the full-screen one
        self.pulsation.pause()
        self.mechanism.close()
        self._closed = True
        if self.persist:
            self.save_settings()
        self.cases.shutdown()
        self.files.shutdown()
        self.clip.close()
        self.scene_view.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self._closed and self.confirm_close and not self.files.confirm_discard():
            event.ignore()
            return
        self.shutdown()
        super().closeEvent(event)
