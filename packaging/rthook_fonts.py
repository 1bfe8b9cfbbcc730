"""PyInstaller runtime hook (Linux): let fontconfig find the bundled DejaVu Sans.

On a minimal Linux install without fontconfig-config or any font, Qt draws every label as a box
(VTK's own text is unaffected). fonts/fonts.conf includes the system configuration when there is
one and adds the bundled font folder, so the build reads the same everywhere. A FONTCONFIG_FILE set
by the user wins.
"""

import os
import sys

if sys.platform.startswith("linux") and "FONTCONFIG_FILE" not in os.environ:
    _conf = os.path.join(getattr(sys, "_MEIPASS", os.path.dirname(sys.executable)), "fonts", "fonts.conf")
    if os.path.isfile(_conf):
        os.environ["FONTCONFIG_FILE"] = _conf
