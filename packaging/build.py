"""Build the one-folder desktop package: dist/hfs-viewer/ (+ dist/hfs-viewer-VERSION-PLATFORM.tar.gz).

    python packaging/build.py [--skip-archive] [--enforce-budget] [--with-ffmpeg]

1. Probe: run the app from the source install (render with labels, the GUI window screenshot,
   analyze, anatomy, and an import of every viewer module) and record which `vtkmodules.*` it
   imports (packaging/probe_modules.py). That list, not a hand-written one, becomes the spec's
   hidden imports: pyvista imports VTK lazily, so PyInstaller cannot see it.
2. PyInstaller with packaging/hfs-viewer.spec (pinned in pyproject's `package` extra).
3. Strip VTK's shared libraries only (strip=True on everything breaks numpy's bundled libraries),
   and, on Linux, replace Qt's 32 MB ICU data library with the data Qt can use (icu_trim.py).
4. Linux desktop files into the folder (share/applications, share/icons, install-desktop-entry.sh).
5. The .tar.gz, sizes against the budget (folder <= 450 MB, archive <= 170 MB), and
   dist/build-report.json with the figures.
Exit status 0 on success, 1 with a message when a step fails (or, with --enforce-budget, when a
size is over budget; without it the excess is printed and recorded in dist/build-report.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

PACKAGING = Path(__file__).resolve().parent
ROOT = PACKAGING.parent
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
APP = DIST / "hfs-viewer"
FOLDER_BUDGET_MB = 450
ARCHIVE_BUDGET_MB = 170
DERIVED = ("vtkmodules.", "PIL.")  # prefixes the spec derives hidden imports / excludes from
# Modules the app imports only optionally (inside try/except): the build leaves them out and the
# probe runs with them unimportable, so a command that needs one fails the build.
OPTIONAL_ABSENT = {
    "PySide6.QtOpenGL": "qtpy.QtGui tries it; pyvistaqt needs only QtOpenGLWidgets (9 MB binding)",
    "_ssl": "ftplib/urllib3 (via pooch, imported by pyvista) try it; the app makes no TLS connections",
    "_hashlib": "hashlib falls back to its built-in digests; with _ssl, drops OpenSSL's libcrypto (5 MB)",
    "scipy": "nibabel's spm99analyze tries it (optional_package) when a NIfTI is read; no format the app reads "
    "needs it (scipy and its OpenBLAS: ~80 MB)",
}
PINNED = {"pyinstaller": "6.22.0", "pyinstaller-hooks-contrib": "2026.9"}


class BuildError(Exception):
    pass


def log(msg: str) -> None:
    print(f"[package] {msg}", flush=True)


def size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


def check_tools() -> None:
    from importlib.metadata import PackageNotFoundError, version

    for dist, want in PINNED.items():
        try:
            have = version(dist)
        except PackageNotFoundError:
            raise BuildError(f"{dist} is not installed: pip install -e '.[package]'") from None
        if have != want:
            raise BuildError(f"{dist} {have} installed, {want} pinned: pip install -e '.[package]'")
    if sys.platform != "win32" and not shutil.which("strip"):
        raise BuildError("`strip` not found (Debian: apt-get install binutils; macOS: xcode-select --install)")
    free_gb = shutil.disk_usage(ROOT).free / 1e9
    if free_gb < 3:
        raise BuildError(f"only {free_gb:.1f} GB free under {ROOT}; the build needs about 3 GB")


def display_prefix() -> list[str]:
    """Commands that open a window need an X server on Linux: xvfb-run when there is no display."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        if not shutil.which("xvfb-run"):
            raise BuildError("no DISPLAY and no xvfb-run: install xvfb (scripts/setup.sh does)")
        return ["xvfb-run", "-a", "-s", "-screen 0 1920x1080x24"]
    return []


def _importable(name: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError, AttributeError):
        return False


def _has_command(name: str) -> bool:
    from viewer.cli import build_parser

    return any(name in (getattr(a, "choices", None) or ()) for a in build_parser()._subparsers._group_actions)


def probe(tmp: Path) -> dict:
    """Run the app from source and record the modules it imports."""
    record = tmp / "modules.txt"
    scenario = tmp / "probe-scenario.json"
    anatomy = subprocess.run(
        [sys.executable, "-m", "viewer", "anatomy", "--json"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if anatomy.returncode != 0:
        raise BuildError(f"probe: `hfs-viewer anatomy --json` failed:\n{anatomy.stderr[-2000:]}")
    scenario.write_text(json.dumps(json.loads(anatomy.stdout)["default_scenario"]), encoding="utf-8")
    presets = sorted((ROOT / "viewer" / "presets").glob("*.json"))
    runs = [
        ["render", "--labels", "--size", "640x400", "--out", str(tmp / "probe-render.png")],
        ["--screenshot", str(tmp / "probe-window.png"), "--size", "1200x800"],
        [
            "render",
            "--out",
            str(tmp / "probe-turntable.gif"),
            "--animation",
            "turntable",
            "--frames",
            "2",
            "--size",
            "160x120",
        ],
        ["analyze", str(scenario), "--json"],
        ["anatomy", "--json"],
        # a patient case end to end: import, its own analysis and anatomy, export, render
        ["import", "--demo", "--out", str(tmp / "probe-case.hfscase")],
        ["analyze", str(tmp / "probe-case.hfscase"), "--json"],
        ["anatomy", "--case", str(tmp / "probe-case.hfscase"), "--json"],
        ["export", "--case", str(tmp / "probe-case.hfscase"), "--format", "glb", "--out", str(tmp / "probe.glb")],
        ["--import-all"],
    ]
    if _has_command("report"):
        runs.insert(
            -2,
            [
                "report",
                "--scenario",
                str(presets[-1] if presets else scenario),
                "--out",
                str(tmp / "probe-report.pdf"),
                "--size",
                "320x200",
            ],
        )
    if presets:  # a scenario with findings drawn in the window (heat map, callouts)
        runs.insert(
            2, ["--screenshot", str(tmp / "probe-preset.png"), "--size", "1200x800", "--scenario", str(presets[-1])]
        )
    prefix = display_prefix()
    env = dict(os.environ, HFS_PROBE_ABSENT=",".join(OPTIONAL_ABSENT))
    for args in runs:
        before = record.read_text(encoding="utf-8") if record.exists() else ""
        cmd = [sys.executable, str(PACKAGING / "probe_modules.py"), str(record), *args]
        out = subprocess.run(prefix + cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
        done = [ln for ln in record.read_text(encoding="utf-8")[len(before) :].splitlines() if ln.startswith("#done")]
        if not done or done[-1] != "#done rc=0":
            raise BuildError(
                f"probe: `hfs-viewer {' '.join(args)}` failed (exit {out.returncode}):\n"
                f"{out.stdout[-1500:]}\n{out.stderr[-2500:]}"
            )
        if out.returncode != 0:
            log(f"warning: `hfs-viewer {' '.join(args)}` did its work but exited {out.returncode} at tear-down")
    lines = record.read_text(encoding="utf-8").splitlines()
    # Stand-ins for the VTK modules left out (rthook_vtk_lean.py) and the optional modules made
    # unimportable: the spec excludes them; they are not imports.
    absent = sorted({ln.split(" ", 1)[1] for ln in lines if ln.startswith("#absent ")} | set(OPTIONAL_ABSENT))
    recorded = {ln for ln in lines if ln and not ln.startswith("#")} - set(absent)
    # The hook also sees failed attempts (optional imports): keep what exists, for the names the spec uses.
    names = sorted(n for n in recorded if not n.startswith(DERIVED) or _importable(n))
    vtk = [n for n in names if n.startswith("vtkmodules.")]
    if "vtkmodules.vtkRenderingOpenGL2" not in vtk:
        raise BuildError("probe: no vtkRenderingOpenGL2 among the imported modules; nothing was rendered")
    return {"modules": names, "absent": absent, "runs": [" ".join(r) for r in runs]}


def run_pyinstaller(modules_file: Path, with_ffmpeg: bool) -> None:
    env = dict(os.environ, HFS_VTK_MODULES=str(modules_file), HFS_BUNDLE_FFMPEG="1" if with_ffmpeg else "0")
    cmd = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--clean",
        "--log-level",
        "WARN",
        "--distpath",
        str(DIST),
        "--workpath",
        str(WORK),
        str(PACKAGING / "hfs-viewer.spec"),
    ]
    log(" ".join(cmd[1:]))
    out = subprocess.run(cmd, cwd=ROOT, env=env, check=False)
    if out.returncode != 0:
        raise BuildError(f"PyInstaller failed (exit {out.returncode}); see its output above")
    exe = APP / ("hfs-viewer.exe" if sys.platform == "win32" else "hfs-viewer")
    if not exe.is_file():
        raise BuildError(f"PyInstaller finished but {exe} is missing")


def strip_vtk() -> tuple[int, float]:
    """Strip the VTK libraries only; returns (files, MB saved)."""
    if sys.platform == "win32":
        return 0, 0.0  # release DLLs carry no symbols to strip
    internal = APP / "_internal"
    files = [
        p
        for p in internal.rglob("*")
        if p.is_file()
        and not p.is_symlink()
        and ("vtkmodules" in p.parts or p.name.startswith(("libvtk", "libviskores")))
        and (".so" in p.name or p.suffix == ".dylib")
    ]
    before = sum(p.stat().st_size for p in files)
    args = ["strip", "-x"] if sys.platform == "darwin" else ["strip", "--strip-unneeded"]
    for i in range(0, len(files), 50):
        subprocess.run(args + [str(p) for p in files[i : i + 50]], check=True)
    after = sum(p.stat().st_size for p in files)
    return len(files), (before - after) / 1e6


def trim_qt_icu() -> dict:
    """Linux: Qt's ICU data down to what Qt reads (packaging/icu_trim.py); nothing elsewhere."""
    sys.path.insert(0, str(PACKAGING))
    from icu_trim import IcuTrimError, find_qt_lib_dir, trim_icu

    internal = APP / "_internal"
    lib_dir = find_qt_lib_dir(internal)
    if lib_dir is None:
        return {"status": "skipped", "reason": "no Qt library folder with ICU"}
    try:
        res = trim_icu(lib_dir, scan_root=internal)
    except IcuTrimError as exc:
        raise BuildError(f"ICU trim: {exc}") from None
    if res["status"] == "trimmed":
        log(
            f"ICU data: {res['before_bytes'] / 1e6:.1f} -> {res['after_bytes'] / 1e6:.1f} MB "
            f"({res['items_kept']} of {res['items_before']} items kept)"
        )
    keys = ("status", "reason", "before_bytes", "after_bytes", "items_before", "items_kept", "seconds")
    return {k: res[k] for k in keys if k in res}


def add_desktop_files() -> None:
    """Linux desktop integration inside the folder (install-desktop-entry.sh puts it in place)."""
    share = APP / "share"
    (share / "applications").mkdir(parents=True, exist_ok=True)
    shutil.copy2(PACKAGING / "linux" / "hfs-viewer.desktop", share / "applications" / "hfs-viewer.desktop")
    for png in sorted((PACKAGING / "icons").glob("hfs-viewer-*.png")):
        n = png.stem.rsplit("-", 1)[1]
        d = share / "icons" / "hicolor" / f"{n}x{n}" / "apps"
        d.mkdir(parents=True, exist_ok=True)
        shutil.copy2(png, d / "hfs-viewer.png")
    d = share / "icons" / "hicolor" / "scalable" / "apps"
    d.mkdir(parents=True, exist_ok=True)
    shutil.copy2(PACKAGING / "icons" / "hfs-viewer.svg", d / "hfs-viewer.svg")
    script = APP / "install-desktop-entry.sh"
    shutil.copy2(PACKAGING / "linux" / "install-desktop-entry.sh", script)
    script.chmod(0o755)
    shutil.copy2(PACKAGING / "README.md", APP / "README-packaging.md")


def write_archive(version: str) -> Path:
    plat = {"linux": "linux", "darwin": "macos", "win32": "windows"}.get(sys.platform, sys.platform)
    archive = DIST / f"hfs-viewer-{version}-{plat}-{platform.machine().lower()}.tar.gz"
    tmp = archive.with_suffix(".tmp")
    with tarfile.open(tmp, "w:gz", compresslevel=6) as tar:
        tar.add(APP, arcname="hfs-viewer")
    tmp.replace(archive)
    return archive


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-archive", action="store_true", help="no .tar.gz (and no archive budget check)")
    ap.add_argument("--enforce-budget", action="store_true", help="exit 1 when a size is over budget (default: warn)")
    ap.add_argument(
        "--with-ffmpeg",
        action="store_true",
        help="bundle imageio-ffmpeg's ffmpeg (+173 MB, over budget); by default MP4 export "
        "uses the target's ffmpeg (PATH or IMAGEIO_FFMPEG_EXE)",
    )
    args = ap.parse_args()
    t_start = time.monotonic()
    try:
        check_tools()
        sys.path.insert(0, str(ROOT))
        from viewer import __version__ as version

        with tempfile.TemporaryDirectory(prefix="hfs-probe-") as tmpdir:
            log("probing the source install for the VTK modules it loads")
            t0 = time.monotonic()
            probed = probe(Path(tmpdir))
            t_probe = time.monotonic() - t0
        vtk = [m for m in probed["modules"] if m.startswith("vtkmodules.")]
        log(f"probe: {len(vtk)} vtkmodules names in {t_probe:.0f} s")
        WORK.mkdir(parents=True, exist_ok=True)
        modules_file = WORK / "vtk-modules.json"
        modules_file.write_text(json.dumps(probed, indent=1) + "\n", encoding="utf-8")

        if APP.exists():
            shutil.rmtree(APP)
        t0 = time.monotonic()
        run_pyinstaller(modules_file, args.with_ffmpeg)
        t_pyi = time.monotonic() - t0
        unstripped = size_mb(APP)
        n_stripped, saved = strip_vtk()
        log(f"stripped {n_stripped} VTK libraries: -{saved:.0f} MB")
        icu = trim_qt_icu()
        # PyInstaller links every Qt library into _internal, the ones the spec dropped too
        dangling = [p for p in (APP / "_internal").iterdir() if p.is_symlink() and not p.exists()]
        for p in dangling:
            p.unlink()
        add_desktop_files()
        folder = size_mb(APP)
        archive_mb = None
        t_archive = 0.0
        if not args.skip_archive:
            t0 = time.monotonic()
            archive = write_archive(version)
            t_archive = time.monotonic() - t0
            archive_mb = size_mb(archive)
            log(f"wrote {archive.relative_to(ROOT)} ({archive_mb:.1f} MB) in {t_archive:.0f} s")
        total = time.monotonic() - t_start
        report = {
            "version": version,
            "platform": f"{sys.platform}-{platform.machine()}",
            "python": platform.python_version(),
            "build_seconds": round(total, 1),
            "probe_seconds": round(t_probe, 1),
            "pyinstaller_seconds": round(t_pyi, 1),
            "archive_seconds": round(t_archive, 1),
            "folder_mb_before_strip": round(unstripped, 1),
            "icu_trim": icu,
            "folder_mb": round(folder, 1),
            "folder_mib": round(folder * 1e6 / 2**20, 1),
            "archive_mb": None if archive_mb is None else round(archive_mb, 1),
            "archive_mib": None if archive_mb is None else round(archive_mb * 1e6 / 2**20, 1),
            "ffmpeg_bundled": args.with_ffmpeg,
            "vtk_modules": vtk,
            "budget_mb": {"folder": FOLDER_BUDGET_MB, "archive": ARCHIVE_BUDGET_MB},
        }
        report["within_budget"] = folder <= FOLDER_BUDGET_MB and (archive_mb or 0) <= ARCHIVE_BUDGET_MB
        (DIST / "build-report.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
        log(
            f"dist/hfs-viewer: {folder:.1f} MB (budget {FOLDER_BUDGET_MB}); build {total:.0f} s "
            f"(probe {t_probe:.0f}, PyInstaller {t_pyi:.0f}, archive {t_archive:.0f})"
        )
        over = []
        if folder > FOLDER_BUDGET_MB:
            over.append(f"folder {folder:.1f} MB > {FOLDER_BUDGET_MB} MB")
        if archive_mb is not None and archive_mb > ARCHIVE_BUDGET_MB:
            over.append(f"archive {archive_mb:.1f} MB > {ARCHIVE_BUDGET_MB} MB")
        if over:
            msg = "size budget exceeded: " + "; ".join(over) + " (largest: `du -ah dist/hfs-viewer | sort -h | tail`)"
            if args.enforce_budget:
                raise BuildError(msg)
            log("WARNING: " + msg)
        return 0
    except BuildError as exc:
        print(f"[package] error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
