"""Guards for long runs of the real window (tests/gui/test_soak.py): they record problems instead
of raising, so a run can report them with its seed and its last operations.

- `Guards`: any Python exception that reaches sys.excepthook (exceptions in Qt slots and event
  handlers end there), Qt's qCritical/qFatal messages and VTK's error output; a modal dialog
  that would block the run is closed and counted too. Everything is restored on exit.
- `rss_mb()`: resident memory of this process after a full collection.
- `headline_mismatch(window)`: the Findings panel's visible headline against the headline of a
  fresh `analyze()` of the document's scenario.
"""

from __future__ import annotations

import ctypes
import gc
import sys
import traceback

from PySide6.QtCore import QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from viewer.analysis import analyze
from viewer.gui.findings_panel import headline


def rss_mb() -> float:
    """VmRSS of this process in MB (Linux /proc; psutil is not a dependency), after a full
    collection and glibc's malloc_trim: freed heap the allocator kept would otherwise count."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    raise RuntimeError("no VmRSS in /proc/self/status")


def settle(app: QApplication | None = None, rounds: int = 2) -> None:
    """Let zero-delay timers (the document's analysis, the view's render) run."""
    app = app or QApplication.instance()
    for _ in range(rounds):
        app.processEvents()


def expected_headline(window) -> str:
    """The headline the panel should show, from an analysis the GUI did not run."""
    d = window.document
    # the model's anatomy: the one the document analyses against (the parametric model today)
    return headline(analyze(d.scenario, d.model.anatomy))


def headline_mismatch(window) -> str | None:
    """None when the Findings panel shows the headline of the document's scenario, else why not.

    Pending updates are flushed and the event loop settled first: a headline one event-loop
    pass behind is the coalescing working, a headline that stays behind is a bug."""
    window.document.flush()
    settle()
    shown = window.findings_panel.headline_label.text()
    want = expected_headline(window)
    if shown != want:
        return f"Findings panel shows {shown!r}, analyze() of the document's scenario says {want!r}"
    return None


class Guards:
    """Context manager: collects exceptions, Qt critical/fatal messages, VTK errors, modal dialogs."""

    MODAL_POLL_MS = 250

    def __init__(self):
        self.problems: list[str] = []
        self.qt_warnings = 0

    # ------------------------------------------------------------------ context
    def __enter__(self) -> Guards:
        import pyvista

        self._old_hook = sys.excepthook
        sys.excepthook = self._excepthook
        self._old_handler = qInstallMessageHandler(self._qt_message)
        self._vtk = pyvista.VtkErrorCatcher(send_to_logging=False)
        self._vtk.__enter__()
        # a blocking dialog (exec) would hang the run: close it and report it
        self._modal_timer = QTimer()
        self._modal_timer.setInterval(self.MODAL_POLL_MS)
        self._modal_timer.timeout.connect(self._close_modal)
        self._modal_timer.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._modal_timer.stop()
        self._modal_timer.deleteLater()
        self.collect_vtk_errors()
        self._vtk._stop_observing()
        self._vtk = None
        qInstallMessageHandler(self._old_handler)
        sys.excepthook = self._old_hook

    # ------------------------------------------------------------------ sources
    def _excepthook(self, etype, value, tb) -> None:
        self.problems.append("exception: " + "".join(traceback.format_exception(etype, value, tb)).strip())

    def _qt_message(self, mode, context, message) -> None:
        if mode in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
            self.problems.append(f"Qt {mode.name}: {message}")
            if mode == QtMsgType.QtFatalMsg:  # Qt aborts after this returns: say it now
                print(f"\nsoak: Qt fatal message: {message}", file=sys.__stderr__, flush=True)
            return
        self.qt_warnings += mode == QtMsgType.QtWarningMsg
        if self._old_handler is not None:  # debug/info/warnings keep their usual route
            self._old_handler(mode, context, message)

    def _close_modal(self) -> None:
        w = QApplication.activeModalWidget()
        if w is not None:
            self.problems.append(f"modal dialog {type(w).__name__} {w.windowTitle()!r} blocked the run")
            w.close()

    def collect_vtk_errors(self) -> None:
        if self._vtk is None:
            return
        for event in self._vtk.error_events[getattr(self, "_vtk_seen", 0) :]:
            self.problems.append(f"VTK error: {event}")
        self._vtk_seen = len(self._vtk.error_events)

    def check(self) -> list[str]:
        """Problems recorded so far (VTK errors included)."""
        self.collect_vtk_errors()
        return self.problems
