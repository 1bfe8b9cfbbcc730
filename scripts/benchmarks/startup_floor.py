"""Floor for the start-up benchmark: the least a pyvistaqt app can do.

A QMainWindow with a QtInteractor showing one sphere; prints the wall-clock time
of its first rendered frame and its peak RSS, then exits. Run by bench_startup.py.
"""
import resource
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
import pyvista as pv
from pyvistaqt import QtInteractor

app = QApplication(sys.argv)
win = QMainWindow()
plotter = QtInteractor(win)
win.setCentralWidget(plotter)
plotter.add_mesh(pv.Sphere())
win.resize(1600, 1000)
done = []


def first_frame(*_):
    if not done:
        done.append(time.time())
        QTimer.singleShot(0, app.quit)


plotter.render_window.AddObserver("EndEvent", first_frame)
win.show()
app.exec()
plotter.close()
print(f"FIRST_FRAME {done[0]:.6f}")
print(f"PEAK_RSS_KB {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}")
