"""The main window's QActions: text, shortcuts, tips and the slot each one triggers.

`create_actions(window)` sets them as attributes of the window (`window.open_action`,
`window.view_actions[name]`, ...): menus, toolbars, presentation mode and tests reach
them there. Menus and toolbars are assembled from them in `menus.py`.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from ..editing import NUDGE_STEP_LARGE_MM, NUDGE_STEP_MM
from ..pad_editing import ROTATE_STEP_DEG, SCALE_STEP
from ..render.views import VIEWS
from ..vocabulary import HISTORY_HINTS, HISTORY_WORDS

NUDGE_KEYS = (
    ("Left", 0, -1, "left"),
    ("Right", 0, 1, "right"),
    ("Up", 1, 1, "up"),
    ("Down", 1, -1, "down"),
    ("Ctrl+Up", 2, 1, "away"),
    ("Ctrl+Down", 2, -1, "closer"),
)
LESION_ACTIONS = (
    ("tumor", "Add &tumour (vestibular schwannoma)", "A CPA mass at the porus pressing CN VII/VIII"),
    ("avm", "Add &AVM nidus", "An arteriovenous malformation beside the cisternal portion"),
    ("aneurysm", "Add a&neurysm sac", "A saccular aneurysm on the root exit point"),
    ("brainstem_lesion", "Add &brainstem lesion (MS plaque)", "An intra-axial plaque at the facial motor nucleus"),
)


def create_actions(window) -> None:
    """Every action of the window, connected to the window, its document and its file controller."""
    _file_actions(window)
    _animation_actions(window)
    _view_actions(window)
    _edit_actions(window)
    _scenario_actions(window)
    _plan_actions(window)
    _help_actions(window)


def _file_actions(w) -> None:
    f = w.files
    w.new_action = QAction("&New (default anatomy)", w)
    w.new_action.setShortcut(QKeySequence.StandardKey.New)
    w.new_action.setStatusTip("Start from the normal anatomy with nothing compressing the nerve")
    w.new_action.triggered.connect(w.new_scenario)
    w.open_action = QAction("&Open scenario\u2026", w)
    w.open_action.setShortcut(QKeySequence.StandardKey.Open)
    w.open_action.triggered.connect(f.open_dialog)
    w.save_action = QAction("&Save", w)
    w.save_action.setShortcut(QKeySequence.StandardKey.Save)
    w.save_action.triggered.connect(f.save)
    w.save_as_action = QAction("Save &as\u2026", w)
    w.save_as_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
    w.save_as_action.triggered.connect(f.save_as_dialog)
    w.export_action = QAction("&Export image\u2026", w)
    w.export_action.setShortcut(QKeySequence("Ctrl+E"))
    w.export_action.setStatusTip("Save the 3D view as a PNG at a chosen size")
    w.export_action.triggered.connect(w.export_image_dialog)
    w.export_video_action = QAction("Export &video\u2026", w)
    w.export_video_action.setShortcut(QKeySequence("Ctrl+Shift+E"))
    w.export_video_action.setStatusTip("Film the pulsation or a turntable as MP4 or GIF")
    w.export_video_action.triggered.connect(w.export_video_dialog)
    w.export_report_action = QAction("Export &report (PDF)\u2026", w)
    w.export_report_action.setShortcut(QKeySequence("Ctrl+Shift+R"))
    w.export_report_action.setStatusTip("A4 PDF: two views, contact table, classification, mechanism, references")
    w.export_report_action.triggered.connect(w.export_report_dialog)
    w.import_action = QAction("&Import patient data\u2026", w)
    w.import_action.setShortcut(QKeySequence("Ctrl+I"))
    w.import_action.setStatusTip(
        "A patient's segmentation (NIfTI, NRRD, Slicer .seg.nrrd) or surfaces (STL, OBJ, PLY, VTP, VTK) as a case"
    )
    w.import_action.triggered.connect(w.cases.import_dialog)
    w.close_case_action = QAction("&Close patient case", w)
    w.close_case_action.setStatusTip("Back to the model (asks about unsaved changes to the case)")
    w.close_case_action.triggered.connect(w.close_case)
    w.close_case_action.setEnabled(False)
    w.export_surfaces_action = QAction("Export &surfaces (STL, OBJ, PLY, glTF)\u2026", w)
    w.export_surfaces_action.setStatusTip(
        "The scene's surfaces for 3D printing or 3D Slicer, in RAS or LPS with Slicer's SPACE tag"
    )
    w.export_surfaces_action.triggered.connect(w.cases.export_dialog)
    w.quit_action = QAction("&Quit", w)
    w.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
    w.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
    w.quit_action.triggered.connect(w.close)
    # File > New on side > Left / Right: a new scenario on either side (Ctrl+N keeps the current one)
    w.new_side_actions = {}
    for side in ("left", "right"):
        act = QAction(f"&{side.capitalize()} side", w)
        act.setObjectName(f"new-{side}")
        act.setStatusTip(f"Start from the normal {side} cerebellopontine angle")
        act.triggered.connect(lambda _=False, s=side: w.new_scenario(s))
        w.new_side_actions[side] = act


def _animation_actions(w) -> None:
    w.pulsation_action = QAction("&Pulsation", w, checkable=True)
    w.pulsation_action.setShortcut(QKeySequence("H"))
    w.pulsation_action.setToolTip("Play/pause the arterial pulsation (H); veins do not pulsate")
    w.pulsation_action.toggled.connect(w._pulsation_toggled)
    w.pulsation.playingChanged.connect(w.pulsation_action.setChecked)
    w.addAction(w.pulsation_action)
    w.mechanism_action = QAction("&Mechanism", w, checkable=True)
    w.mechanism_action.setShortcut(QKeySequence("M"))
    w.mechanism_action.setToolTip(
        "Why the face twitches: myelin, demyelination, ectopic and ephaptic "
        "excitation, antidromic drive to the facial nucleus (M)"
    )
    w.mechanism_action.toggled.connect(w._mechanism_toggled)
    w.mechanism.playingChanged.connect(w.mechanism_action.setChecked)
    w.addAction(w.mechanism_action)


def _view_actions(w) -> None:
    d = w.document
    w.view_group = QActionGroup(w)
    w.view_group.setExclusive(True)
    w.view_actions = {}
    for name, preset in VIEWS.items():
        act = QAction(preset.title, w, checkable=True)
        act.setShortcut(QKeySequence(preset.shortcut))
        act.setToolTip(f"{preset.title} view ({preset.shortcut})")
        act.setStatusTip(f"Camera: {preset.title.lower()} view")
        act.triggered.connect(lambda _=False, n=name: d.set_view(n))
        w.view_group.addAction(act)
        w.view_actions[name] = act
    w.reset_view_action = QAction("&Reset view", w)
    w.reset_view_action.setShortcuts([QKeySequence("R"), QKeySequence("Ctrl+0")])
    w.reset_view_action.setToolTip("Back to the current preset's camera (R)")
    w.reset_view_action.triggered.connect(d.reset_view)
    w.labels_action = QAction("Structure &labels", w, checkable=True)
    w.labels_action.setShortcut(QKeySequence("L"))
    w.labels_action.setToolTip("Show the names of the visible structures (L)")
    w.labels_action.setChecked(d.labels_on)
    w.labels_action.toggled.connect(d.set_labels)
    w.presentation_action = QAction("&Presentation mode", w, checkable=True)
    w.presentation_action.setShortcut(QKeySequence("F5"))
    w.presentation_action.setStatusTip(
        "Full screen, dark, large type; PageUp/PageDown step through the teaching cases; Esc leaves"
    )
    w.presentation_action.triggered.connect(w.presentation.toggle)
    w.presentation.activeChanged.connect(w.presentation_action.setChecked)
    w.addAction(w.presentation_action)  # F5 works while the menu bar is hidden
    w.dim_action = QAction("&Dim uninvolved structures", w, checkable=True)
    w.dim_action.setShortcut(QKeySequence("D"))
    w.dim_action.setToolTip("Fade everything but the nerves, the brainstem and the vessels in contact (D)")
    w.dim_action.toggled.connect(w.set_dimmed)


def _edit_actions(w) -> None:
    d = w.document
    w.undo_action = d.undo_stack.createUndoAction(w, "&Undo")
    w.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
    w.redo_action = d.undo_stack.createRedoAction(w, "&Redo")
    w.redo_action.setShortcuts([QKeySequence.StandardKey.Redo, QKeySequence("Ctrl+Y")])
    w.reset_scenario_action = QAction("Reset to &default anatomy", w)
    w.reset_scenario_action.setStatusTip("Put every vessel back where the normal anatomy has it (undoable)")
    w.reset_scenario_action.triggered.connect(d.reset_to_default)
    # Keyboard nudges of the selected handle, in the view plane (arrows) and in depth
    # (Ctrl+Up/Down); 0.1 mm, with Shift 1 mm. The keys themselves are read by the window's
    # event filter on the 3D view only (the structure tree keeps its arrow-key navigation);
    # these menu entries list the same moves (the shortcut after a tab is display only).
    w.nudge_actions = []
    for keys, axis, sign, label in NUDGE_KEYS:
        for big in (False, True):
            step = NUDGE_STEP_LARGE_MM if big else NUDGE_STEP_MM
            key = ("Shift+" + keys) if big else keys
            act = QAction(f"Nudge handle {label} {step:g} mm\t{key}", w)
            act.triggered.connect(lambda _=False, a=axis, sg=sign, st=step: w.nudge(a, sg * st))
            w.nudge_actions.append(act)


def _scenario_actions(w) -> None:
    """Lesions from a menu, moved and resized like vessels; the history flag."""
    d = w.document
    w.add_lesion_actions = {}
    for kind, text, tip in LESION_ACTIONS:
        act = QAction(text, w)
        act.setStatusTip(tip)
        act.triggered.connect(lambda _=False, k=kind: d.add_lesion(k))
        w.add_lesion_actions[kind] = act
    # Delete, [ and ] act on whatever is selected: a lesion, a Teflon pad (or a sling, for Delete)
    w.remove_lesion_action = QAction("&Remove selected lesion, pad or sling", w)
    w.remove_lesion_action.setShortcut(QKeySequence.StandardKey.Delete)
    w.remove_lesion_action.triggered.connect(w.remove_selected_lesion)
    w.grow_lesion_action = QAction("&Grow selected lesion or pad 10 %", w)
    w.grow_lesion_action.setShortcut(QKeySequence("]"))
    w.grow_lesion_action.triggered.connect(lambda: d.scale_selected(SCALE_STEP))
    w.shrink_lesion_action = QAction("&Shrink selected lesion or pad 10 %", w)
    w.shrink_lesion_action.setShortcut(QKeySequence("["))
    w.shrink_lesion_action.triggered.connect(lambda: d.scale_selected(1 / SCALE_STEP))
    w.bells_action = QAction("Prior &Bell's palsy (history)", w, checkable=True)
    w.bells_action.setStatusTip("Post-paralytic hemifacial spasm: synkinesis after Bell's palsy, no compression")
    w.bells_action.toggled.connect(d.set_prior_bells_palsy)
    w.history_actions = {"prior_bells_palsy": w.bells_action}
    for name in ("facial_trauma", "inflammatory"):
        act = w.history_actions[name] = QAction(HISTORY_WORDS[name] + " (history)", w, checkable=True)
        act.setStatusTip(HISTORY_HINTS[name])
        act.toggled.connect(lambda on, n=name: d.set_history_flag(n, on))
    # menu-only actions: also on the window, so their shortcuts work while the 3D view has focus
    w.addActions([w.grow_lesion_action, w.shrink_lesion_action, w.remove_lesion_action])


# Turning the selected pad: about the line of sight (roll) and the screen's horizontal (tilt)
PAD_TURN_KEYS = (
    (",", 2, 1, "Turn pad anticlockwise"),
    (".", 2, -1, "Turn pad clockwise"),
    ("Ctrl+,", 0, 1, "Tilt pad top away"),
    ("Ctrl+.", 0, -1, "Tilt pad top towards you"),
)


def _plan_actions(w) -> None:
    """The decompression plan: Teflon pads, slings, and the scene before decompression."""
    d = w.document
    w.insert_pad_action = QAction("Insert &Teflon pad", w)
    w.insert_pad_action.setShortcut(QKeySequence("Shift+P"))
    w.insert_pad_action.setStatusTip("A felt pad between the culprit vessel and CN VII at their contact (Shift+P)")
    w.insert_pad_action.triggered.connect(w.insert_pad)
    w.sling_action = QAction("Trans&pose vessel (sling)", w, checkable=True)
    w.sling_action.setShortcut(QKeySequence("Shift+T"))
    w.sling_action.setStatusTip("Click a vessel, then its anchor on the petrous dura or the tentorium (Esc cancels)")
    w.sling_action.triggered.connect(lambda _=False: w.sling_tool.start())
    w.sling_tool.activeChanged.connect(w.sling_action.setChecked)
    w.cancel_sling_action = QAction("&Cancel transposing", w)
    w.cancel_sling_action.setShortcut(QKeySequence("Esc"))
    w.cancel_sling_action.setEnabled(False)  # Esc belongs to presentation mode and measuring otherwise
    w.cancel_sling_action.triggered.connect(w.sling_tool.cancel)
    w.sling_tool.activeChanged.connect(w.cancel_sling_action.setEnabled)
    w.remove_sling_action = QAction("Remove selected s&ling", w)
    w.remove_sling_action.setStatusTip("Take the selected sling away: the vessel goes back to its course")
    w.remove_sling_action.triggered.connect(w.remove_selected_sling)
    w.turn_pad_actions = []
    for key, axis, sign, text in PAD_TURN_KEYS:
        act = QAction(f"{text} {ROTATE_STEP_DEG:g}\u00b0", w)
        act.setShortcut(QKeySequence(key))
        act.triggered.connect(lambda _=False, a=axis, sg=sign: w.turn_pad(a, sg * ROTATE_STEP_DEG))
        w.turn_pad_actions.append(act)
    w.before_action = QAction("Show &before decompression", w, checkable=True)
    w.before_action.setShortcut(QKeySequence("B"))
    w.before_action.setToolTip("Toggle the scene without and with the pads and slings of the plan (B)")
    w.before_action.toggled.connect(d.set_show_before)
    d.planShownChanged.connect(w.before_action.setChecked)
    w.addActions([w.insert_pad_action, w.sling_action, w.cancel_sling_action, *w.turn_pad_actions, w.before_action])


def _help_actions(w) -> None:
    w.about_action = QAction("&About HFS Compression Viewer", w)
    w.about_action.setMenuRole(QAction.MenuRole.AboutRole)
    w.about_action.triggered.connect(lambda: _dialogs().about_dialog(w).exec())
    w.shortcuts_action = QAction("&Keyboard and mouse\u2026", w)
    w.shortcuts_action.setShortcut(QKeySequence("F1"))
    w.shortcuts_action.triggered.connect(lambda: _dialogs().shortcuts_dialog(w).exec())
    w.sources_action = QAction("&Sources\u2026", w)
    w.sources_action.triggered.connect(lambda: _dialogs().sources_dialog(w).exec())


def _dialogs():
    from . import dialogs  # on first use: not needed for the first frame

    return dialogs
