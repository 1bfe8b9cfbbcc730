"""Main window: central 3D view, Structures and Info docks, menus, toolbar, settings."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QImage, QKeySequence
from PySide6.QtWidgets import (QApplication, QDialog, QDockWidget, QFileDialog, QLabel, QMainWindow, QMessageBox,
                               QSpinBox, QToolBar, QVBoxLayout, QWidget)

from ..editing import NUDGE_STEP_LARGE_MM, NUDGE_STEP_MM
from ..render.images import save_png_atomic as _save_array_png
from ..render.scene import MeshSet, load_meshes
from ..scenario import Scenario
from ..render.views import VIEWS, view_title
from ..vocabulary import HISTORY_HINTS, HISTORY_WORDS
from .dialogs import ExportDialog, about_dialog, sources_dialog
from .document import PickResult, SceneDocument
from .corridor_panel import CorridorPanel
from .measure import install_measure_tool
from .files import FileController
from .findings_panel import FindingsPanel
from .info_panel import InfoPanel
from .lesion_panel import LesionPanel
from .preset_panel import PresetPanel
from .presentation import Presentation
from .animation import HEART_RATE_RANGE, MechanismPlayer, PulsationPlayer
from .settings import KEY_GEOMETRY, KEY_LABELS, KEY_STATE, KEY_VIEW, make_settings, read_bool
from .structure_panel import StructurePanel
from .vessel_panel import VesselPanel
from .view3d import SceneView

WINDOW_TITLE = "HFS Compression Viewer \u2014 left cerebellopontine angle"


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


def qimage_to_array(img: QImage) -> np.ndarray:
    """QImage -> (h, w, 3) uint8 RGB array (a copy)."""
    rgb = img.convertToFormat(QImage.Format.Format_RGB888)
    h, w, bpl = rgb.height(), rgb.width(), rgb.bytesPerLine()
    arr = np.frombuffer(rgb.constBits(), np.uint8, count=h * bpl).reshape(h, bpl)
    return arr[:, : 3 * w].reshape(h, w, 3).copy()


def save_png_atomic(img: np.ndarray | QImage, path: Path | str) -> Path:
    """Save a render or a window grab atomically (one writer: viewer.render.images)."""
    return _save_array_png(qimage_to_array(img) if isinstance(img, QImage) else img[..., :3], path)


NUDGE_KEYS = (("Left", 0, -1, "left"), ("Right", 0, 1, "right"), ("Up", 1, 1, "up"), ("Down", 1, -1, "down"),
              ("Ctrl+Up", 2, 1, "away"), ("Ctrl+Down", 2, -1, "closer"))
_ARROWS = {Qt.Key.Key_Left: (0, -1), Qt.Key.Key_Right: (0, 1), Qt.Key.Key_Up: (1, 1), Qt.Key.Key_Down: (1, -1)}


class MainWindow(QMainWindow):
    """The viewer window. `persist=False` neither reads nor writes settings (screenshots)."""

    def __init__(self, mesh_set: MeshSet | None = None, view: str | None = None,
                 settings: QSettings | None = None, persist: bool = True, parent: QWidget | None = None,
                 scenario: Scenario | None = None):
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
        self.findings_dock = self._dock("Findings", "findingsDock", self.findings_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.vessel_panel = VesselPanel(self.document, self)
        self.vessel_dock = self._dock("Vessel", "vesselDock", self.vessel_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.splitDockWidget(self.findings_dock, self.vessel_dock, Qt.Orientation.Vertical)
        self.lesion_panel = LesionPanel(self.document, self)
        self.lesion_dock = self._dock("Lesion", "lesionDock", self.lesion_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.vessel_dock, self.lesion_dock)
        self.corridor_panel = CorridorPanel(self.document, self)
        self.corridor_dock = self._dock("Corridor", "corridorDock", self.corridor_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.lesion_dock, self.corridor_dock)
        self.vessel_dock.raise_()
        self.preset_panel = PresetPanel(self)
        self.presets_dock = self._dock("Teaching cases", "presetsDock", self.preset_panel)
        self.tabifyDockWidget(self.structures_dock, self.presets_dock)
        self.structures_dock.raise_()
        self.preset_panel.presetActivated.connect(self.open_preset)
        self.resizeDocks([self.findings_dock], [430], Qt.Orientation.Horizontal)
        self.resizeDocks([self.findings_dock, self.vessel_dock], [660, 280], Qt.Orientation.Vertical)
        self.resizeDocks([self.structures_dock], [400], Qt.Orientation.Horizontal)
        self.resizeDocks([self.structures_dock, self.info_dock], [640, 300], Qt.Orientation.Vertical)

        self.files = FileController(self, self.document, self.settings)
        self.current_preset: str | None = None
        self.confirm_close = persist  # ask about unsaved changes on close (off for screenshots and tests)
        self.setAcceptDrops(True)  # drop a scenario .json onto the window to open it

        self.presentation = Presentation(self)
        self.pulsation = PulsationPlayer(self)
        self.mechanism = MechanismPlayer(self)

        self._build_actions()
        self._build_menus()
        self.measure = install_measure_tool(self)
        self._build_toolbar()

        d = self.document
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
    def _dock(self, title: str, name: str, widget: QWidget,
              area: Qt.DockWidgetArea = Qt.DockWidgetArea.LeftDockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(area, dock)
        return dock

    def _build_actions(self) -> None:
        d = self.document
        f = self.files
        self.new_action = QAction("&New (default anatomy)", self)
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_action.setStatusTip("Start from the normal anatomy with nothing compressing the nerve")
        self.new_action.triggered.connect(self.new_scenario)
        self.open_action = QAction("&Open scenario\u2026", self)
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.triggered.connect(f.open_dialog)
        self.save_action = QAction("&Save", self)
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_action.triggered.connect(f.save)
        self.save_as_action = QAction("Save &as\u2026", self)
        self.save_as_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.save_as_action.triggered.connect(f.save_as_dialog)
        self.export_action = QAction("&Export image\u2026", self)
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        self.export_action.setStatusTip("Save the 3D view as a PNG at a chosen size")
        self.export_action.triggered.connect(self.export_image_dialog)
        self.export_video_action = QAction("Export &video\u2026", self)
        self.export_video_action.setShortcut(QKeySequence("Ctrl+Shift+E"))
        self.export_video_action.setStatusTip("Film the pulsation or a turntable as MP4 or GIF")
        self.export_video_action.triggered.connect(self.export_video_dialog)
        self.export_report_action = QAction("Export &report (PDF)\u2026", self)
        self.export_report_action.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self.export_report_action.setStatusTip("A4 PDF: two views, contact table, classification, mechanism, references")
        self.export_report_action.triggered.connect(self.export_report_dialog)
        self.pulsation_action = QAction("&Pulsation", self, checkable=True)
        self.pulsation_action.setShortcut(QKeySequence("H"))
        self.pulsation_action.setToolTip("Play/pause the arterial pulsation (H); veins do not pulsate")
        self.pulsation_action.toggled.connect(self._pulsation_toggled)
        self.pulsation.playingChanged.connect(self.pulsation_action.setChecked)
        self.addAction(self.pulsation_action)
        self.mechanism_action = QAction("&Mechanism", self, checkable=True)
        self.mechanism_action.setShortcut(QKeySequence("M"))
        self.mechanism_action.setToolTip("Why the face twitches: myelin, demyelination, ectopic and ephaptic "
                                         "excitation, antidromic drive to the facial nucleus (M)")
        self.mechanism_action.toggled.connect(self._mechanism_toggled)
        self.mechanism.playingChanged.connect(self.mechanism_action.setChecked)
        self.addAction(self.mechanism_action)
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)

        self.view_group = QActionGroup(self)
        self.view_group.setExclusive(True)
        self.view_actions: dict[str, QAction] = {}
        for name, preset in VIEWS.items():
            act = QAction(preset.title, self, checkable=True)
            act.setShortcut(QKeySequence(preset.shortcut))
            act.setToolTip(f"{preset.title} view ({preset.shortcut})")
            act.setStatusTip(f"Camera: {preset.title.lower()} view")
            act.triggered.connect(lambda _=False, n=name: d.set_view(n))
            self.view_group.addAction(act)
            self.view_actions[name] = act
        self.reset_view_action = QAction("&Reset view", self)
        self.reset_view_action.setShortcuts([QKeySequence("R"), QKeySequence("Ctrl+0")])
        self.reset_view_action.setToolTip("Back to the current preset's camera (R)")
        self.reset_view_action.triggered.connect(d.reset_view)
        self.labels_action = QAction("Structure &labels", self, checkable=True)
        self.labels_action.setShortcut(QKeySequence("L"))
        self.labels_action.setToolTip("Show the names of the visible structures (L)")
        self.labels_action.setChecked(d.labels_on)
        self.labels_action.toggled.connect(d.set_labels)

        self.undo_action = d.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = d.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence.StandardKey.Redo, QKeySequence("Ctrl+Y")])
        self.reset_scenario_action = QAction("Reset to &default anatomy", self)
        self.reset_scenario_action.setStatusTip("Put every vessel back where the normal anatomy has it (undoable)")
        self.reset_scenario_action.triggered.connect(d.reset_to_default)
        self.presentation_action = QAction("&Presentation mode", self, checkable=True)
        self.presentation_action.setShortcut(QKeySequence("F5"))
        self.presentation_action.setStatusTip("Full screen, dark, large type; PageUp/PageDown step through the "
                                              "teaching cases; Esc leaves")
        self.presentation_action.triggered.connect(self.presentation.toggle)
        self.presentation.activeChanged.connect(self.presentation_action.setChecked)
        self.addAction(self.presentation_action)  # F5 works while the menu bar is hidden
        self.dim_action = QAction("&Dim uninvolved structures", self, checkable=True)
        self.dim_action.setShortcut(QKeySequence("D"))
        self.dim_action.setToolTip("Fade everything but the nerves, the brainstem and the vessels in contact (D)")
        self.dim_action.toggled.connect(self.set_dimmed)
        self._dim_saved: dict[str, float] | None = None
        d.findingsChanged.connect(self._refresh_dim)
        # Keyboard nudges of the selected handle, in the view plane (arrows) and in depth
        # (Ctrl+Up/Down); 0.1 mm, with Shift 1 mm. The keys are read by an event filter on
        # the 3D view only (the structure tree keeps its arrow-key navigation); the Edit
        # menu lists the same moves.
        self.nudge_actions: list[QAction] = []
        for keys, axis, sign, label in NUDGE_KEYS:
            for big in (False, True):
                step = NUDGE_STEP_LARGE_MM if big else NUDGE_STEP_MM
                key = ("Shift+" + keys) if big else keys
                act = QAction(f"Nudge handle {label} {step:g} mm\t{key}", self)
                act.triggered.connect(lambda _=False, a=axis, sg=sign, st=step: self.nudge(a, sg * st))
                self.nudge_actions.append(act)
        self.scene_view.widget.installEventFilter(self)

        # Scenario menu (issue 4): lesions from a menu, moved and resized like vessels.
        self.add_lesion_actions: dict[str, QAction] = {}
        for kind, text, tip in (
                ("tumor", "Add &tumour (vestibular schwannoma)", "A CPA mass at the porus pressing CN VII/VIII"),
                ("avm", "Add &AVM nidus", "An arteriovenous malformation beside the cisternal portion"),
                ("aneurysm", "Add a&neurysm sac", "A saccular aneurysm on the root exit point"),
                ("brainstem_lesion", "Add &brainstem lesion (MS plaque)", "An intra-axial plaque at the facial motor nucleus")):
            act = QAction(text, self)
            act.setStatusTip(tip)
            act.triggered.connect(lambda _=False, k=kind: d.add_lesion(k))
            self.add_lesion_actions[kind] = act
        self.remove_lesion_action = QAction("&Remove selected lesion", self)
        self.remove_lesion_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.remove_lesion_action.triggered.connect(self.remove_selected_lesion)
        self.grow_lesion_action = QAction("&Grow selected lesion 10 %", self)
        self.grow_lesion_action.setShortcut(QKeySequence("]"))
        self.grow_lesion_action.triggered.connect(lambda: d.scale_selected_lesion(1.1))
        self.shrink_lesion_action = QAction("&Shrink selected lesion 10 %", self)
        self.shrink_lesion_action.setShortcut(QKeySequence("["))
        self.shrink_lesion_action.triggered.connect(lambda: d.scale_selected_lesion(1 / 1.1))
        self.bells_action = QAction("Prior &Bell's palsy (history)", self, checkable=True)
        self.bells_action.setStatusTip("Post-paralytic hemifacial spasm: synkinesis after Bell's palsy, no compression")
        self.bells_action.toggled.connect(d.set_prior_bells_palsy)
        self.history_actions = {"prior_bells_palsy": self.bells_action}
        for name in ("facial_trauma", "inflammatory"):
            act = self.history_actions[name] = QAction(HISTORY_WORDS[name] + " (history)", self, checkable=True)
            act.setStatusTip(HISTORY_HINTS[name])
            act.toggled.connect(lambda on, n=name: d.set_history_flag(n, on))
        self._sync_scenario_actions()

        self.about_action = QAction("&About HFS Compression Viewer", self)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(lambda: about_dialog(self).exec())
        self.sources_action = QAction("&Sources\u2026", self)
        self.sources_action.triggered.connect(lambda: sources_dialog(self).exec())

    def _build_menus(self) -> None:
        mb = self.menuBar()
        file_menu = mb.addMenu("&File")
        file_menu.addAction(self.new_action)
        self._build_side_actions()
        self.new_side_menu = file_menu.addMenu("New on &side")
        self.new_side_menu.setObjectName("newSideMenu")
        for act in self.new_side_actions.values():
            self.new_side_menu.addAction(act)
        file_menu.addAction(self.open_action)
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.setObjectName("recentMenu")
        file_menu.addAction(self.save_action)
        file_menu.addAction(self.save_as_action)
        file_menu.addSeparator()
        file_menu.addAction(self.export_action)
        file_menu.addAction(self.export_video_action)
        file_menu.addAction(self.export_report_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = mb.addMenu("&Edit")
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.reset_scenario_action)
        nudge_menu = edit_menu.addMenu("&Nudge selected handle")
        for act in self.nudge_actions:
            nudge_menu.addAction(act)
        self.edit_menu = edit_menu
        scenario_menu = mb.addMenu("&Scenario")
        for act in self.add_lesion_actions.values():
            scenario_menu.addAction(act)
        scenario_menu.addSeparator()
        scenario_menu.addAction(self.grow_lesion_action)
        scenario_menu.addAction(self.shrink_lesion_action)
        scenario_menu.addAction(self.remove_lesion_action)
        scenario_menu.addSeparator()
        scenario_menu.addAction(self.bells_action)
        scenario_menu.addActions([self.history_actions["facial_trauma"], self.history_actions["inflammatory"]])
        self.scenario_menu = scenario_menu
        cases_menu = mb.addMenu("&Teaching")
        self.preset_actions = {}
        for i, info in enumerate(self.preset_panel.infos):
            act = cases_menu.addAction(f"{i + 1}. {info.title}")
            act.triggered.connect(lambda _=False, n=info.name: self.open_preset(n))
            self.preset_actions[info.name] = act
        self.teaching_menu = cases_menu
        # menu-only actions: also on the window, so their shortcuts work while the 3D view has focus
        self.addActions([self.grow_lesion_action, self.shrink_lesion_action, self.remove_lesion_action])
        view_menu = mb.addMenu("&View")
        for act in self.view_actions.values():
            view_menu.addAction(act)
        view_menu.addAction(self.reset_view_action)
        view_menu.addSeparator()
        view_menu.addAction(self.labels_action)
        view_menu.addAction(self.dim_action)
        view_menu.addAction(self.presentation_action)
        view_menu.addAction(self.pulsation_action)
        view_menu.addAction(self.mechanism_action)
        view_menu.addSeparator()
        view_menu.addAction(self.structures_dock.toggleViewAction())
        view_menu.addAction(self.info_dock.toggleViewAction())
        view_menu.addAction(self.findings_dock.toggleViewAction())
        view_menu.addAction(self.vessel_dock.toggleViewAction())
        view_menu.addAction(self.lesion_dock.toggleViewAction())
        view_menu.addAction(self.corridor_dock.toggleViewAction())
        view_menu.addAction(self.presets_dock.toggleViewAction())
        help_menu = mb.addMenu("&Help")
        help_menu.addAction(self.sources_action)
        help_menu.addAction(self.about_action)
        self.file_menu, self.view_menu, self.help_menu = file_menu, view_menu, help_menu
        self._rebuild_recent_menu()

    def _build_toolbar(self) -> None:
        tb = QToolBar("Views", self)
        tb.setObjectName("viewsToolbar")
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for act in self.view_actions.values():
            tb.addAction(act)
        tb.addSeparator()
        tb.addAction(self.reset_view_action)
        tb.addAction(self.labels_action)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, tb)
        self.views_toolbar = tb
        anim = QToolBar("Animation", self)
        anim.setObjectName("animationToolbar")
        anim.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        anim.addAction(self.pulsation_action)
        anim.addAction(self.mechanism_action)
        self.heart_rate_box = QSpinBox(anim)
        self.heart_rate_box.setObjectName("heartRate")
        self.heart_rate_box.setRange(*HEART_RATE_RANGE)
        self.heart_rate_box.setValue(int(self.pulsation.heart_rate_bpm))
        self.heart_rate_box.setSuffix(" bpm")
        self.heart_rate_box.setToolTip("Heart rate of the pulsation")
        self.heart_rate_box.valueChanged.connect(self.pulsation.set_heart_rate)
        anim.addWidget(self.heart_rate_box)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, anim)
        self.animation_toolbar = anim

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
        lesion = self.document.selected_lesion
        if lesion is None:
            self.statusBar().showMessage("Select a lesion to remove (Scenario menu or click it)", 6000)
            return False
        self.document.remove_lesion(lesion.id)
        return True

    def _sync_scenario_actions(self, *_args) -> None:
        for name, act in self.history_actions.items():
            act.blockSignals(True)
            act.setChecked(getattr(self.document.scenario.history, name))
            act.blockSignals(False)

    def _on_selection(self, sid: str) -> None:
        d = self.document
        if sid in d.lesion_ids():
            self.lesion_dock.raise_()
        elif sid in d.vessel_ids():
            self.vessel_dock.raise_()

    def set_dimmed(self, on: bool) -> None:
        """Fade what is not involved in the compression (restores the previous opacities when off)."""
        d = self.document
        if on and self._dim_saved is None:
            self._dim_saved = {sid: d.opacity(sid) for sid in d.ids()}
        if not on and self._dim_saved is not None:
            saved, self._dim_saved = self._dim_saved, None
            for sid, op in saved.items():
                d.set_opacity(sid, op)
            return
        self._refresh_dim()

    def _refresh_dim(self, *_args) -> None:
        if self._dim_saved is None:
            return
        d = self.document
        involved = {"cn7", "cn8", "brainstem"} | {c.id for c in d.findings.all_contacts}
        for sid in d.ids():
            d.set_opacity(sid, self._dim_saved[sid] if sid in involved else min(self._dim_saved[sid], 0.15))

    def _show_status(self, message: str) -> None:
        self.statusBar().showMessage(message, 6000)

    def _update_title(self, *_args) -> None:
        where = f" ({self.files.path.name})" if self.files.path is not None else ""
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
    def _build_side_actions(self) -> None:
        """File > New > Left / Right side: a new scenario on either side (Ctrl+N keeps the current one)."""
        self.new_side_actions = {}
        for side in ("left", "right"):
            act = QAction(f"&{side.capitalize()} side", self)
            act.setObjectName(f"new-{side}")
            act.setStatusTip(f"Start from the normal {side} cerebellopontine angle")
            act.triggered.connect(lambda _=False, s=side: self.new_scenario(s))
            self.new_side_actions[side] = act
        self.document.sideChanged.connect(self._on_side_changed)

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

    def _rebuild_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        recent = self.files.recent_files()
        for i, path in enumerate(recent):
            act = menu.addAction(f"&{i + 1} {Path(path).name}  \u2014  {Path(path).parent}")
            act.setData(path)
            act.triggered.connect(lambda _=False, p=path: self.files.open_recent(p))
        menu.setEnabled(bool(recent))

    @staticmethod
    def _dropped_json(event) -> str | None:
        md = event.mimeData()
        if md.hasUrls():
            for url in md.urls():
                if url.isLocalFile() and url.toLocalFile().lower().endswith(".json"):
                    return url.toLocalFile()
        return None

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt API name
        if self._dropped_json(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802 - Qt API name
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt API name
        path = self._dropped_json(event)
        if path:
            event.acceptProposedAction()
            self.files.open_path(path)

    # ------------------------------------------------------------------ export
    def view_size(self) -> tuple[int, int]:
        w = self.scene_view.widget
        dpr = w.devicePixelRatioF()
        return max(16, round(w.width() * dpr)), max(16, round(w.height() * dpr))

    def export_image(self, path: Path | str, size: tuple[int, int] | None = None, annotations: bool = True) -> Path:
        """Render the 3D view at `size` (w, h; default the view's size) and save it as PNG.

        `annotations=False` leaves out the contact callouts, labels and captions (a clean figure)."""
        img = self.scene_view.screenshot(size, annotations=annotations)
        out = save_png_atomic(img, path)
        self.statusBar().showMessage(f"Exported {out} ({img.shape[1]} \u00d7 {img.shape[0]})")
        return out

    def make_export_dialog(self) -> ExportDialog:
        default_dir = Path.home() if self.settings is None else Path(str(self.settings.value("export/dir", Path.home())))
        if not default_dir.is_dir():
            default_dir = Path.home()
        return ExportDialog(self.view_size(), default_dir / f"cpa-{self.document.current_view}.png", self)

    def export_image_dialog(self) -> Path | None:
        dlg = self.make_export_dialog()
        try:
            if dlg.exec() != ExportDialog.DialogCode.Accepted:
                return None
            path, size, annotations = dlg.path(), dlg.image_size(), dlg.annotations()
        finally:
            dlg.deleteLater()
        try:
            out = self.export_image(path, size, annotations)
        except OSError as exc:
            QMessageBox.critical(self, "Export image", f"Could not write {path}:\n{exc}")
            return None
        if self.settings is not None:
            self.settings.setValue("export/dir", str(out.parent))
        return out

    def _export_dir(self) -> Path:
        d = Path.home() if self.settings is None else Path(str(self.settings.value("export/dir", Path.home())))
        return d if d.is_dir() else Path.home()

    def _stem(self) -> str:
        return self.current_preset or "cpa-scenario"

    def export_video_dialog(self):
        from .exports import VideoExportDialog, export_video

        dlg = VideoExportDialog(self._export_dir() / f"{self._stem()}.mp4", self.pulsation.heart_rate_bpm, self)
        try:
            if dlg.exec() != QDialog.DialogCode.Accepted:
                return None
            path, opts = dlg.path(), dlg.options()
        finally:
            dlg.deleteLater()
        was_playing = self.pulsation.playing
        self.pulsation.pause()
        info = export_video(self, path, **opts)
        if was_playing:
            self.pulsation.play()
        return info

    def export_report_dialog(self) -> Path | None:
        from .exports import export_report

        path, _ = QFileDialog.getSaveFileName(self, "Export report", str(self._export_dir() / f"{self._stem()}.pdf"),
                                              "PDF document (*.pdf)")
        if not path:
            return None
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        return export_report(self, Path(path))

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
        """The whole window (menus, toolbar, panels and the 3D view) as an image."""
        self.scene_view.render_now()
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
        self.files.shutdown()
        self.scene_view.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self._closed and self.confirm_close and not self.files.confirm_discard():
            event.ignore()
            return
        self.shutdown()
        super().closeEvent(event)
