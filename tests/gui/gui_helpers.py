"""Helpers shared by the GUI tests: colour masks for screenshots, display coordinates."""

from __future__ import annotations

import numpy as np


# ---------------------------------------------------------------------- image helpers
def colour_masks(img: np.ndarray) -> dict[str, np.ndarray]:
    """Boolean masks of the scene's conventional colours in an RGB image (shading-tolerant)."""
    rgb = img[..., :3].astype(int)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return {
        # artery red (200, 35, 35): red clearly dominates both other channels
        "red": (r > 90) & (r > 2.5 * g) & (r > 2.5 * b),
        # vein blue (45, 80, 200)
        "blue": (b > 90) & (b > 1.8 * r) & (b > 1.4 * g),
        # nerve yellow (240, 205, 60) and CN VII bands: r and g high, b low
        "yellow": (r > 150) & (g > 110) & (b < 0.55 * g) & (g > 0.6 * r),
        # brainstem tan (222, 184, 135): r > g > b with a moderate spread
        "tan": (r > 120) & (g > 0.7 * r) & (g < 0.92 * r) & (b > 0.5 * r) & (b < 0.72 * r),
    }


def colour_counts(img: np.ndarray) -> dict[str, int]:
    return {k: int(v.sum()) for k, v in colour_masks(img).items()}


def widget_pos_of(plotter, point_mm):
    """Qt widget coordinates (logical px, y down) of a world point, via VTK's world-to-display.

    VTK display coordinates are device pixels with y up; Qt's are logical pixels with y down
    (pyvistaqt maps Qt (x, y) to VTK (x * dpr, (height - y - 1) * dpr)).
    """
    ren = plotter.renderer
    ren.SetWorldPoint(float(point_mm[0]), float(point_mm[1]), float(point_mm[2]), 1.0)
    ren.WorldToDisplay()
    dx, dy, _ = ren.GetDisplayPoint()
    dpr = plotter.devicePixelRatioF()
    return round(dx / dpr), round(plotter.height() - 1 - dy / dpr)


def visible_surface_point(mesh, mask, camera_position):
    """Among the mesh points selected by `mask`, the one nearest the camera (front surface)."""
    pts = np.asarray(mesh.points)[mask]
    d = np.linalg.norm(pts - np.asarray(camera_position), axis=1)
    return pts[int(np.argmin(d))]


def qimage_to_array(img) -> np.ndarray:
    """QImage -> (h, w, 3) uint8 RGB array (copy)."""
    from PySide6.QtGui import QImage

    rgb = img.convertToFormat(QImage.Format.Format_RGB888)
    h, w, bpl = rgb.height(), rgb.width(), rgb.bytesPerLine()
    arr = np.frombuffer(rgb.constBits(), np.uint8, count=h * bpl).reshape(h, bpl)
    return arr[:, : 3 * w].reshape(h, w, 3).copy()


def close_and_delete(qapp, w) -> None:
    """Close (plotter first, via closeEvent) and really delete the C++ window."""
    from PySide6.QtCore import QEvent

    w.close()
    w.deleteLater()
    qapp.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qapp.processEvents()
