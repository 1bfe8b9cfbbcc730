"""Presentation mode: full screen, dark, big type, a playlist of teaching cases stepped by a clicker.

Presentation clickers send PageDown/PageUp (some send the arrow keys or B for
blank); all step the playlist here. Each step opens the next case and swings the
camera from where it was to the case's view (`views.camera_between`, ~0.7 s at
60 Hz from a QTimer, so the UI never blocks). A caption bar under the 3D view
shows "n/N title" and the current finding in words. Esc (or F5, the window's toggle) leaves and puts
the window back exactly as it was (docks, toolbar, menus, full screen or not,
background, callout type size).
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import QElapsedTimer, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut

from ..presets import PRESET_NAMES, load_preset
from ..render.views import camera_between
from .findings_panel import headline

TRANSITION_MS = 700
FRAME_MS = 16
BACKGROUND = ("#000000", "#141a24")  # near-black: projectors wash out mid-greys
CALLOUT_PX = (30, 36)  # normal, highlighted (the window's are 20, 24)
NEXT_KEYS = ("PgDown", "Right", "Down", "Space", "N")
PREVIOUS_KEYS = ("PgUp", "Left", "Up", "Backspace", "P")


class Presentation(QObject):
    stepped = Signal(int)  # playlist index now shown
    activeChanged = Signal(bool)

    def __init__(self, window, playlist=None):
        super().__init__(window)
        self.window = window
        self.playlist: list[str] = list(playlist or PRESET_NAMES)
        self.index = -1
        self.active = False
        self._saved: dict | None = None
        self._shortcuts: list[QShortcut] = []
        self._anim = QTimer(self)
        self._anim.setInterval(FRAME_MS)
        self._anim.timeout.connect(self._tick)
        self._clock = QElapsedTimer()
        self._path: tuple | None = None

    # ------------------------------------------------------------------ enter / leave
    def enter(self, start: int | str | None = None) -> bool:
        w = self.window
        if self.active:
            return True
        if not w.files.confirm_discard():
            return False
        sv = w.scene_view
        self._saved = {
            "state": w.saveState(),
            "geometry": w.saveGeometry(),
            "full_screen": w.isFullScreen(),
            "menu": w.menuBar().isVisible(),
            "status": w.statusBar().isVisible(),
            "background": (tuple(sv.plotter.background_color.float_rgb), tuple(sv.plotter.renderer.GetBackground2())),
            "callout_px": (sv.callouts.FONT_PX, sv.callouts.HIGHLIGHT_FONT_PX),
        }
        for dock in w.docks():
            dock.hide()
        for tb in w.toolbars():
            tb.hide()
        w.menuBar().hide()
        w.statusBar().hide()
        sv.plotter.set_background(BACKGROUND[0], top=BACKGROUND[1])
        sv.callouts.FONT_PX, sv.callouts.HIGHLIGHT_FONT_PX = CALLOUT_PX
        w.caption_bar.show()
        self._install_keys()
        self.active = True
        w.document.findingsChanged.connect(self._update_caption)
        screen = w.screen()
        if screen is not None:  # without a window manager (Xvfb) full screen does not resize: fill it ourselves
            w.setGeometry(screen.geometry())
        w.showFullScreen()
        if isinstance(start, str):
            start = self.playlist.index(start)
        elif start is None:
            start = self.playlist.index(w.current_preset) if w.current_preset in self.playlist else 0
        self.go(start, animate=False)
        self.activeChanged.emit(True)
        return True

    def leave(self) -> None:
        if not self.active:
            return
        w = self.window
        sv = w.scene_view
        self._anim.stop()
        self._finish_path()
        self.active = False
        w.document.findingsChanged.disconnect(self._update_caption)
        for sc in self._shortcuts:
            sc.setEnabled(False)
            sc.deleteLater()
        self._shortcuts = []
        s = self._saved or {}
        w.caption_bar.hide()
        (bottom, top) = s.get("background", (None, None))
        if bottom is not None:
            sv.plotter.set_background(bottom, top=top)
        sv.callouts.FONT_PX, sv.callouts.HIGHLIGHT_FONT_PX = s.get("callout_px", (20, 24))
        w.menuBar().setVisible(s.get("menu", True))
        w.statusBar().setVisible(s.get("status", True))
        if not s.get("full_screen", False):
            w.showNormal()
            if "geometry" in s:
                w.restoreGeometry(s["geometry"])
        if "state" in s:
            w.restoreState(s["state"])
        for tb in w.toolbars():
            tb.show()
        self._saved = None
        sv.refresh_callouts()
        self.activeChanged.emit(False)

    def toggle(self) -> None:
        self.leave() if self.active else self.enter()

    # ------------------------------------------------------------------ stepping
    def next(self) -> None:
        if self.index < len(self.playlist) - 1:
            self.go(self.index + 1)

    def previous(self) -> None:
        if self.index > 0:
            self.go(self.index - 1)

    def go(self, index: int, animate: bool = True) -> None:
        index = int(np.clip(index, 0, len(self.playlist) - 1))
        w = self.window
        cam = w.scene_view.plotter.camera
        self._finish_path()
        before = (np.array(cam.position), np.array(cam.focal_point), np.array(cam.up))
        w.open_preset(self.playlist[index], confirm=False)  # sets the case's view (camera jumps)
        after = (np.array(cam.position), np.array(cam.focal_point), np.array(cam.up))
        self.index = index
        self._update_caption()
        if animate and not np.allclose(np.hstack(before), np.hstack(after)):
            self._path = (before, after)
            self._set_camera(before)
            self._clock.start()
            self._anim.start()
        w.scene_view.refresh_callouts()
        self.stepped.emit(index)

    @property
    def transitioning(self) -> bool:
        return self._anim.isActive()

    def _tick(self) -> None:
        if self._path is None:
            self._anim.stop()
            return
        t = self._clock.elapsed() / TRANSITION_MS
        if t >= 1.0:
            self._finish_path()
            return
        self._set_camera(camera_between(*self._path, t))

    def _finish_path(self) -> None:
        self._anim.stop()
        if self._path is not None:
            self._set_camera(self._path[1])
            self._path = None
            self.window.scene_view.refresh_callouts()

    def _set_camera(self, cam_tuple) -> None:
        pos, focal, up = cam_tuple
        sv = self.window.scene_view
        cam = sv.plotter.camera
        cam.focal_point = tuple(focal)
        cam.position = tuple(pos)
        cam.up = tuple(up)
        sv.plotter.reset_camera_clipping_range()
        sv.render_now()

    # ------------------------------------------------------------------ caption and keys
    def caption_text(self) -> str:
        """Plain text of the caption: 'n/N  title' and the finding in words."""
        name = self.playlist[self.index]
        title = load_preset(name).teaching.title
        return f"{self.index + 1}/{len(self.playlist)}   {title}\n{headline(self.window.document.findings)}"

    def _update_caption(self, *_args) -> None:
        if self.active and self.index >= 0:
            first, second = (html.escape(x) for x in self.caption_text().split("\n", 1))
            self.window.caption_bar.setText(
                f"<div style='font-size:28pt; font-weight:700'>{first}</div>"
                f"<div style='font-size:21pt; color:#ffd84a'>{second}</div>"
            )

    def _install_keys(self) -> None:
        w = self.window
        for keys, slot in (
            (NEXT_KEYS, self.next),
            (PREVIOUS_KEYS, self.previous),
            (("Esc",), self.leave),
            (("Home",), lambda: self.go(0)),
            (("End",), lambda: self.go(len(self.playlist) - 1)),
        ):
            for key in keys:
                sc = QShortcut(QKeySequence(key), w)
                sc.setContext(Qt.ShortcutContext.ApplicationShortcut)
                sc.activated.connect(slot)
                self._shortcuts.append(sc)
