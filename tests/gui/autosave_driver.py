"""Subprocess for tests/gui/test_files.py: edit continuously, autosave fast, save a user file; get SIGKILLed.

argv: USER_FILE. Prints "edit N T" (N edits done, T = time.time()) and "saved N" lines, flushed.
Edit N moves the AICA's handle 5 to x0 + 0.01 * N mm, so a file tells which edit it holds. The user
file is saved after edits 7 and 14, then no more.
"""

import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from viewer.gui.main_window import MainWindow

app = QApplication(sys.argv[:1])
win = MainWindow(persist=False)
win.resize(640, 420)  # small: each edit renders a frame
win.show()
d = win.document
x0 = d.scenario.vessel("aica").handles_mm[5].copy()
state = {"n": 0}
LAST_SAVE = 14  # then only the autosave keeps the edits: the test waits a few intervals before killing


def step():
    state["n"] += 1
    n = state["n"]
    d.move_handle("aica", 5, x0 + [0.01 * n, 0.0, 0.0])
    print(f"edit {n} {time.time():.3f}", flush=True)
    if n % 7 == 0 and n <= LAST_SAVE:
        win.files.save_to(sys.argv[1])
        d.move_handle("aica", 5, x0 + [0.01 * n, 0.0, 0.0])  # no-op; keeps the stack as is
        print(f"saved {n}", flush=True)


timer = QTimer()
timer.timeout.connect(step)
timer.start(20)
from viewer.gui.files import autosave_dir  # noqa: E402 - after the window exists, as the app does

print("ready", autosave_dir(), flush=True)
app.exec()
