"""Persistent settings (QSettings, INI format in the user's config folder).

Tests redirect the INI location with QSettings.setPath (tests/gui/conftest.py).
"""

from __future__ import annotations

from PySide6.QtCore import QSettings

ORGANISATION = "HFS Viewer"
APPLICATION = "hfs-viewer"

KEY_GEOMETRY = "window/geometry"
KEY_STATE = "window/state"
KEY_VIEW = "view/last"
KEY_LABELS = "view/labels"


def make_settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION)


def read_bool(settings: QSettings, key: str, default: bool = False) -> bool:
    value = settings.value(key, default)
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return bool(value)
