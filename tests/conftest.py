"""Shared fixtures. Unit tests need no GL; render tests use an offscreen plotter;
GUI tests (tests/gui) drive the real window under Xvfb (pytest-xvfb starts it)."""

from __future__ import annotations

import pytest

from viewer.anatomy import build_anatomy


@pytest.fixture(scope="session")
def anatomy():
    return build_anatomy()


def pytest_collection_modifyitems(config, items):
    """Soak tests run for minutes: only when the `-m` expression names them (`pytest -m soak`,
    `make soak`), so `pytest`, `make test` and `pytest -m gui` leave them out."""
    if "soak" in (config.getoption("markexpr") or ""):
        return
    soak = [item for item in items if item.get_closest_marker("soak")]
    if soak:
        config.hook.pytest_deselected(items=soak)
        items[:] = [item for item in items if not item.get_closest_marker("soak")]
