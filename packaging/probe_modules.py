"""Build-time probe: run one hfs-viewer command from the source install and record every module
it imports (packaging/build.py uses the `vtkmodules.*` and `PIL.*` names).

    python packaging/probe_modules.py RECORD.txt [hfs-viewer arguments...]
    python packaging/probe_modules.py RECORD.txt --import-all

Each imported module name is appended to RECORD.txt as soon as it is imported (line-buffered),
so a crash while the process tears down loses nothing. `--import-all` imports every module of the
`viewer` package instead of running a command (catches module-level VTK imports on code paths a
command does not reach). packaging/build.py runs this for render, GUI screenshot, analyze and
anatomy and hands the union to the spec as hidden imports.

The probe runs the app as the frozen build will: with the absent VTK modules served by
rthook_vtk_lean.py, and with the optional modules named in HFS_PROBE_ABSENT (comma-separated)
made unimportable. Stand-in modules are recorded as `#absent NAME`, not as imports.
"""

from __future__ import annotations

import importlib
import importlib.abc
import os
import pkgutil
import runpy
import sys
from pathlib import Path


def _recorder(out):
    seen: set[str] = set()

    def hook(event, args):  # an audit hook sees every import, whatever finder serves it
        if event == "import" and args[0] not in seen:
            seen.add(args[0])
            out.write(args[0] + "\n")

    return hook


class _Unavailable(importlib.abc.MetaPathFinder):
    """Optional modules the build leaves out: importing them fails as it will in the frozen app."""

    def __init__(self, names):
        self.names = set(names)

    def find_spec(self, fullname, path=None, target=None):
        if fullname in self.names:
            raise ModuleNotFoundError(f"No module named {fullname!r} (left out of the build)", name=fullname)
        return None


def main() -> int:
    record, args = sys.argv[1], sys.argv[2:]
    out = open(record, "a", buffering=1, encoding="utf-8")
    absent = [n for n in os.environ.get("HFS_PROBE_ABSENT", "").split(",") if n]
    sys.meta_path.insert(0, _Unavailable(absent))
    runpy.run_path(str(Path(__file__).with_name("rthook_vtk_lean.py")))["install"]()
    sys.addaudithook(_recorder(out))
    if args == ["--import-all"]:
        import viewer

        for info in pkgutil.walk_packages(viewer.__path__, "viewer."):
            if info.name != "viewer.__main__":  # that one runs the CLI
                importlib.import_module(info.name)
        rc = 0
    else:
        from viewer.cli import main as cli_main

        rc = cli_main(args)
    for name, mod in sorted(sys.modules.items()):  # and those imported before the hook was installed
        out.write(("#absent " if getattr(mod, "__absent__", False) else "") + name + "\n")
    out.write(f"#done rc={rc}\n")  # build.py checks this: the command itself succeeded
    out.flush()
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
