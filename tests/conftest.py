"""Shared fixtures. Unit tests need no GL; render tests use an offscreen plotter;
GUI tests (tests/gui) drive the real window under Xvfb (pytest-xvfb starts it)."""
from __future__ import annotations

from pathlib import Path

import pytest

from viewer.anatomy import build_anatomy

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def anatomy():
    return build_anatomy()


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO
