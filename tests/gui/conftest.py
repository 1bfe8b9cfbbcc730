"""GUI test fixtures: the real main window under Xvfb (pytest-xvfb starts one when DISPLAY is unset).

- Settings never touch the user's config: QSettings is redirected to a temp folder.
- One window per test module (building the scene costs seconds on 2 cores); `win`
  resets the document state before each test.
- Leak guards: a test must close every plotter it opens, and after each module
  no pyvista plotter and no new VTK object may be left alive (pyvistaqt's own
  suite does the same VTK object count check).
"""

from __future__ import annotations

import gc
import os
import tempfile

import pytest

# Before Qt reads anything: a private config home for this test process.
_CONFIG_HOME = tempfile.mkdtemp(prefix="hfs-viewer-test-config-")
os.environ["XDG_CONFIG_HOME"] = _CONFIG_HOME
# ... and a private data home: autosaves (viewer.gui.files) go there, never to the user's
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="hfs-viewer-test-data-")

from PySide6.QtCore import QSettings  # noqa: E402

for _fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
    QSettings.setPath(_fmt, QSettings.Scope.UserScope, _CONFIG_HOME)
    QSettings.setPath(_fmt, QSettings.Scope.SystemScope, _CONFIG_HOME)
QSettings.setDefaultFormat(QSettings.Format.IniFormat)

import pyvista  # noqa: E402
from gui_helpers import close_and_delete  # noqa: E402
from pyvista.plotting.plotter import _ALL_PLOTTERS  # noqa: E402

from viewer.render.scene import load_meshes  # noqa: E402

WINDOW_SIZE = (1400, 900)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/gui/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.gui)


@pytest.fixture(scope="session")
def config_home() -> str:
    return _CONFIG_HOME


@pytest.fixture(scope="session")
def mesh_set():
    return load_meshes()


def _is_vtk(obj) -> bool:
    try:
        return type(obj).__module__.startswith(("vtkmodules", "pyvista")) and hasattr(obj, "GetReferenceCount")
    except Exception:  # noqa: BLE001 - odd objects during gc walks
        return False


def _vtk_objects() -> dict[int, str]:
    gc.collect()
    return {id(o): type(o).__name__ for o in gc.get_objects() if _is_vtk(o)}


@pytest.fixture(scope="module", autouse=True)
def no_leaks_per_module(mesh_set):
    """Fail the module's last test if plotters or VTK objects outlive the module's windows."""
    before = _vtk_objects()
    yield
    gc.collect()
    leaked_plotters = list(_ALL_PLOTTERS)
    pyvista.close_all()
    assert not leaked_plotters, f"plotters left open: {leaked_plotters}"
    after = _vtk_objects()
    new = sorted(name for oid, name in after.items() if oid not in before)
    assert not new, f"{len(new)} VTK objects left alive: {new[:20]}"


@pytest.fixture(autouse=True)
def no_plotter_left_by_test():
    """Every plotter a test opens itself must be closed by the end of the test."""
    before = set(_ALL_PLOTTERS)
    yield
    extra = set(_ALL_PLOTTERS) - before
    assert not extra, f"test left plotters open: {sorted(extra)}"


@pytest.fixture(scope="module")
def window(qapp, mesh_set):
    """One real main window per module (no settings read or written)."""
    from PySide6.QtTest import QTest

    from viewer.gui.main_window import MainWindow

    w = MainWindow(mesh_set=mesh_set, view="anterior", persist=False)
    w.resize(*WINDOW_SIZE)
    w.show()
    assert QTest.qWaitForWindowExposed(w, 5000)
    qapp.processEvents()
    yield w
    # The session's windows share one mesh set, which a window edits in place (the deformed nerve,
    # the retracted cerebellum, the mirrored side): leave it at rest for the next module's window.
    from viewer.scenario import default_scenario

    w.pulsation.pause()
    w.mechanism.pause()
    w.document.load_scenario(default_scenario())
    w.scene_view.render_now()
    close_and_delete(qapp, w)


@pytest.fixture
def win(window, qtbot):
    """The module window with its state back to defaults: no animation running, the default
    scenario with a fresh undo stack, default display, view and selection (tests must not
    depend on their order)."""
    from viewer.scenario import default_scenario

    window.pulsation.pause()
    window.mechanism.pause()
    d = window.document
    d.load_scenario(default_scenario())
    assert d.undo_stack.count() == 0 and d.undo_stack.isClean()
    for sid, info in d.structures.items():
        d.set_colour(sid, info.colour)
        d.set_opacity(sid, 1.0 if info.kind != "bone" else 0.35)
    d.show_defaults()
    d.set_labels(False)
    d.set_view("anterior")
    d.pick(None)
    d.select("")
    qtbot.wait(10)
    return window
