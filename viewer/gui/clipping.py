"""View ▸ Clipping plane (C): cut the cerebellum and brainstem to look into the posterior fossa.

Off by default. When switched on the plane faces the camera through the focal point, so it
cuts away the near half of the clipped structures whatever the view; dragging its rim or face
moves it deeper (drag up) or nearer (drag down). On/off and the depth are user preferences,
kept in the settings (QSettings), never in the scenario file.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from vtkmodules.vtkRenderingCore import vtkCellPicker

from ..render.clipping import ClipPlane

__all__ = ["ClipTool", "install_clip_tool", "KEY_CLIP_ON", "KEY_CLIP_DEPTH"]

KEY_CLIP_ON = "view/clip_plane"
KEY_CLIP_DEPTH = "view/clip_depth_mm"
MM_PER_PX = 0.15  # a 200 px drag moves the plane 30 mm


class ClipTool:
    def __init__(self, scene_view, settings=None):
        self.view = scene_view
        self.settings = settings
        self.clip = ClipPlane(scene_view.scene)
        self._picker = vtkCellPicker()
        self._picker.SetTolerance(0.002)
        self._picker.PickFromListOn()
        self._picker.AddPickList(self.clip.actor)
        self._grab_y = None
        scene_view.grab_tools.append(self)

    @property
    def enabled(self) -> bool:
        return self.clip.enabled

    def set_enabled(self, on: bool, depth_mm: float | None = None) -> None:
        if on:
            depth = self._saved_depth() if depth_mm is None else float(depth_mm)
            self.clip.facing_camera(depth)
        self.clip.set_enabled(on)
        self._save()
        self.view.request_render()

    def _saved_depth(self) -> float:
        if self.settings is None:
            return 0.0
        try:
            return float(self.settings.value(KEY_CLIP_DEPTH, 0.0))
        except (TypeError, ValueError):  # a hand-edited settings file
            return 0.0

    def _save(self) -> None:
        if self.settings is not None:
            self.settings.setValue(KEY_CLIP_ON, self.clip.enabled)
            if self.clip.enabled:
                self.settings.setValue(KEY_CLIP_DEPTH, round(self.clip.depth_mm(), 2))

    # grab tool protocol (SceneView.grab_tools)
    def grab(self, x: int, y: int) -> bool:
        if not self.clip.enabled or not self._picker.Pick(x, y, 0, self.view.plotter.renderer):
            return False
        self._grab_y = y
        return True

    def drag(self, x: int, y: int) -> None:
        if self._grab_y is None:
            return
        self.clip.move((y - self._grab_y) * MM_PER_PX)  # VTK display y grows upwards: up = deeper
        self._grab_y = y
        self.view.request_render()

    def drop(self) -> None:
        self._grab_y = None
        self._save()

    def close(self) -> None:
        """Before the 3D view closes: drop every VTK object this tool holds."""
        if self.clip is not None:
            if self in self.view.grab_tools:
                self.view.grab_tools.remove(self)
            self.clip.close()
            self.clip = self._picker = None


def install_clip_tool(window) -> ClipTool:
    """The View menu's checkable 'Clipping plane' (C), restored from the settings."""
    tool = ClipTool(window.scene_view, window.settings)
    act = QAction("&Clipping plane", window, checkable=True)
    act.setShortcut(QKeySequence("C"))
    act.setStatusTip("Cut the brainstem and cerebellum facing the camera; drag the plane up/down to move it")
    act.toggled.connect(tool.set_enabled)
    window.view_menu.insertAction(window.presentation_action, act)
    window.addAction(act)
    window.clip_action = act
    if window.settings is not None and str(window.settings.value(KEY_CLIP_ON, "false")).lower() == "true":
        act.setChecked(True)
    return tool
