"""Build-time probe: run one hfs-viewer command from the source install and record every module
it imports (packaging/build.py uses the `vtkmodules.*`, `scipy.*` and `PIL.*` names).

    python packaging/probe_modules.py RECORD.txt [hfs-viewer arguments...]
    python packaging/probe_modules.py RECORD.txt --import-all

Each imported module name is appended to RECORD.txt as soon as it is imported (line-buffered),
so a crash while the process tears down loses nothing. `--import-all` imports every module of the
`viewer` package instead of running a command (catches module-level VTK imports on code paths a
command does not reach). packaging/build.py runs this for render, GUI screenshot, analyze and
anatomy and hands the union to the spec as hidden imports.
"""
from __future__ import annotations

import importlib
import pkgutil
import sys


def _recorder(out):
    seen: set[str] = set()

    def hook(event, args):  # an audit hook sees every import, whatever finder serves it
        if event == "import" and args[0] not in seen:
            seen.add(args[0])
            out.write(args[0] + "\n")

    return hook


def main() -> int:
    record, args = sys.argv[1], sys.argv[2:]
    out = open(record, "a", buffering=1, encoding="utf-8")
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
    for name in sorted(sys.modules):  # and those imported before the hook was installed
        out.write(name + "\n")
    out.write(f"#done rc={rc}\n")  # build.py checks this: the command itself succeeded
    out.flush()
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
