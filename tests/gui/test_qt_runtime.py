"""Guards against Qt-binding bugs that only show after long use (a lecture, a drag).

PySide6 6.12.0 under Python 3.11 loses a reference to True on every signal emit and
aborts the process after about a thousand emits; dragging a vessel emits dozens per
mouse move. Run in a subprocess so a bad binding fails this test, not the session.
"""

import json
import subprocess
import sys

PROBE = r"""
import json, sys
from PySide6.QtCore import QCoreApplication, QObject, Signal
app = QCoreApplication([])
class A(QObject):
    s = Signal(object); t = Signal(str); u = Signal(); b = Signal(bool)
a = A()
def slot(*_): return None
for sig in (a.s, a.t, a.u, a.b):
    sig.connect(slot)
before = [sys.getrefcount(x) for x in (None, True, False)]
for i in range(5000):
    a.s.emit(None); a.t.emit("x"); a.u.emit(); a.b.emit(i % 2 == 0)
after = [sys.getrefcount(x) for x in (None, True, False)]
print(json.dumps([y - x for x, y in zip(before, after)]))
"""


def test_signal_emits_keep_refcounts_of_singletons():
    r = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"the Qt binding crashed after repeated signal emits:\n{r.stderr[-800:]}"
    deltas = json.loads(r.stdout.strip().splitlines()[-1])
    assert all(abs(d) < 100 for d in deltas), f"refcount drift of None/True/False: {deltas}"
