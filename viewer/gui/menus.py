"""The main window's menu bar and toolbars, assembled from the actions of `actions.py`.

The menus are kept on the window (`window.file_menu`, `window.teaching_menu`, ...):
presentation mode hides them and tests open them.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSpinBox, QToolBar

from .animation import HEART_RATE_RANGE


def build_menus(w) -> None:
    mb = w.menuBar()
    file_menu = mb.addMenu("&File")
    file_menu.addAction(w.new_action)
    w.new_side_menu = file_menu.addMenu("New on &side")
    w.new_side_menu.setObjectName("newSideMenu")
    for act in w.new_side_actions.values():
        w.new_side_menu.addAction(act)
    file_menu.addAction(w.open_action)
    w.recent_menu = file_menu.addMenu("Open &recent")
    w.recent_menu.setObjectName("recentMenu")
    file_menu.addAction(w.save_action)
    file_menu.addAction(w.save_as_action)
    file_menu.addSeparator()
    file_menu.addAction(w.import_action)
    file_menu.addAction(w.close_case_action)
    file_menu.addSeparator()
    file_menu.addAction(w.export_action)
    file_menu.addAction(w.export_video_action)
    file_menu.addAction(w.export_report_action)
    file_menu.addAction(w.export_surfaces_action)
    file_menu.addSeparator()
    file_menu.addAction(w.quit_action)
    edit_menu = mb.addMenu("&Edit")
    edit_menu.addAction(w.undo_action)
    edit_menu.addAction(w.redo_action)
    edit_menu.addSeparator()
    edit_menu.addAction(w.reset_scenario_action)
    nudge_menu = edit_menu.addMenu("&Nudge selected handle")
    for act in w.nudge_actions:
        nudge_menu.addAction(act)
    w.edit_menu = edit_menu
    scenario_menu = mb.addMenu("&Scenario")
    for act in w.add_lesion_actions.values():
        scenario_menu.addAction(act)
    scenario_menu.addSeparator()
    scenario_menu.addAction(w.grow_lesion_action)
    scenario_menu.addAction(w.shrink_lesion_action)
    scenario_menu.addAction(w.remove_lesion_action)
    scenario_menu.addSeparator()
    scenario_menu.addAction(w.insert_pad_action)
    w.turn_pad_menu = scenario_menu.addMenu("T&urn selected pad")
    for act in w.turn_pad_actions:
        w.turn_pad_menu.addAction(act)
    scenario_menu.addAction(w.sling_action)
    scenario_menu.addAction(w.cancel_sling_action)
    scenario_menu.addAction(w.remove_sling_action)
    scenario_menu.addSeparator()
    scenario_menu.addAction(w.bells_action)
    scenario_menu.addActions([w.history_actions["facial_trauma"], w.history_actions["inflammatory"]])
    w.scenario_menu = scenario_menu
    w.teaching_menu = mb.addMenu("&Teaching")
    w.preset_actions = {}
    w.teaching_menu.aboutToShow.connect(lambda: fill_teaching_menu(w))  # the cases are read on first use
    view_menu = mb.addMenu("&View")
    for act in w.view_actions.values():
        view_menu.addAction(act)
    view_menu.addAction(w.reset_view_action)
    view_menu.addSeparator()
    view_menu.addAction(w.labels_action)
    view_menu.addAction(w.dim_action)
    view_menu.addAction(w.before_action)
    view_menu.addAction(w.presentation_action)
    view_menu.addAction(w.pulsation_action)
    view_menu.addAction(w.mechanism_action)
    view_menu.addSeparator()
    for dock in (
        w.structures_dock,
        w.info_dock,
        w.findings_dock,
        w.vessel_dock,
        w.lesion_dock,
        w.corridor_dock,
        w.pad_dock,
        w.presets_dock,
    ):
        view_menu.addAction(dock.toggleViewAction())
    help_menu = mb.addMenu("&Help")
    help_menu.addAction(w.shortcuts_action)
    help_menu.addAction(w.sources_action)
    help_menu.addAction(w.about_action)
    w.file_menu, w.view_menu, w.help_menu = file_menu, view_menu, help_menu
    rebuild_recent_menu(w)


def fill_teaching_menu(w) -> None:
    """One entry per teaching case (once)."""
    if w.preset_actions:
        return
    for i, info in enumerate(w.preset_panel.infos):
        act = w.teaching_menu.addAction(f"{i + 1}. {info.title}")
        act.triggered.connect(lambda _=False, n=info.name: w.open_preset(n))
        w.preset_actions[info.name] = act


def rebuild_recent_menu(w) -> None:
    menu = w.recent_menu
    menu.clear()
    recent = w.files.recent_files()
    for i, path in enumerate(recent):
        act = menu.addAction(f"&{i + 1} {Path(path).name}  \u2014  {Path(path).parent}")
        act.setData(path)
        act.triggered.connect(lambda _=False, p=path: w.files.open_recent(p))
    menu.setEnabled(bool(recent))


def build_toolbars(w) -> None:
    tb = QToolBar("Views", w)
    tb.setObjectName("viewsToolbar")
    tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    for act in w.view_actions.values():
        tb.addAction(act)
    tb.addSeparator()
    tb.addAction(w.reset_view_action)
    tb.addAction(w.labels_action)
    w.addToolBar(Qt.ToolBarArea.TopToolBarArea, tb)
    w.views_toolbar = tb
    anim = QToolBar("Animation", w)
    anim.setObjectName("animationToolbar")
    anim.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    anim.addAction(w.pulsation_action)
    anim.addAction(w.mechanism_action)
    w.heart_rate_box = QSpinBox(anim)
    w.heart_rate_box.setObjectName("heartRate")
    w.heart_rate_box.setRange(*HEART_RATE_RANGE)
    w.heart_rate_box.setValue(int(w.pulsation.heart_rate_bpm))
    w.heart_rate_box.setSuffix(" bpm")
    w.heart_rate_box.setToolTip("Heart rate of the pulsation")
    w.heart_rate_box.valueChanged.connect(w.pulsation.set_heart_rate)
    anim.addWidget(w.heart_rate_box)
    w.addToolBar(Qt.ToolBarArea.TopToolBarArea, anim)
    w.animation_toolbar = anim
