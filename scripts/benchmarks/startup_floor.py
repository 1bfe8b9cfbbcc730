"""Floor for the start-up benchmark: the least a pyvistaqt app can do for a window grab.

A QMainWindow with a QtInteractor showing one sphere: it renders, grabs the whole
window to the PNG named on the command line and exits, as `hfs-viewer --screenshot OUT.png`
does with the full scene. Run as a whole process by bench_startup.py.
"""

import sys

import pyvista as pv
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
from pyvistaqt import QtInteractor

out = sys.argv[1]
app = QApplication(sys.argv[:1])
win = QMainWindow()
plotter = QtInteractor(win, auto_update=False)
win.setCentralWidget(plotter)
plotter.add_mesh(pv.Sphere())
win.resize(1600, 1000)


def grab_and_quit(*_):
    if not win.grab().toImage().save(out):
        sys.exit(f"could not write {out}")
    app.quit()


# after the first finished frame, as the application grabs once its scene is drawn
tag = plotter.render_window.AddObserver("EndEvent", lambda *_: QTimer.singleShot(0, grab_and_quit))
win.show()
app.exec()
plotter.render_window.RemoveObserver(tag)
plotter.close()
