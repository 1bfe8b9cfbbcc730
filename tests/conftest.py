"""Shared fixtures. Unit tests need no GL; render tests use an offscreen plotter;
GUI tests (tests/gui) drive the real window under Xvfb (pytest-xvfb starts it)."""
from __future__ import annotations

import pytest

from viewer.anatomy import build_anatomy


@pytest.fixture(scope="session")
def anatomy():
    return build_anatomy()
