"""Replace PySide6's ICU data library with one that carries only the data Qt can use.

    python packaging/icu_trim.py dist/hfs-viewer[/_internal]   # finds PySide6/Qt/lib/libicudata.so.NN
    python packaging/icu_trim.py .../Qt/lib/libicudata.so.73 [--json] [--dry-run] [--keep GLOB]

Linux PySide6 wheels ship ICU (libicuuc, libicui18n, libicudata.so.73). libicudata is nothing but
the ICU "common data" package (one exported object, `icudt73_dat`, in .rodata): 32 MB, every locale
and converter ICU has. Qt 6 has its own CLDR locale tables and text boundary code; the only ICU
entry points libQt6Core imports (and nothing else in the bundle links ICU) are

    ucol_*               QCollator, QString::localeAwareCompare (QFileSystemModel's sort in QFileDialog)
    ucnv_*, UCNV_*       QStringConverter/QStringDecoder for encodings other than UTF-8/16/32, Latin-1
    u_strToUpper/Lower   QLocale::toUpper/toLower (Turkish, Lithuanian, ... casing: code, not data)
    ucal_*               QTimeZone display names (the rules come from the system tzdata: Qt's TZ backend)

(IDNA in QUrl is Qt's own UTS #46 code; break iteration is Qt's own UAX #14/#29 code.)
trim_icu() checks that this is still so -- it reads the ICU imports of every ELF file that links
the library and refuses (IcuTrimError, nothing changed) when one imports anything else -- then
extracts the package, removes what none of those functions read, and links a new libicudata.so.NN
around the smaller package (same SONAME, symbol, alignment, RUNPATH and flags as the original).

Kept (ICU 73, PySide6 6.11: 320 of 3921 items, 4.1 MB of the 32.0 MB package):
  * coll/root.res + coll/ucadata.icu (root collation = DUCET/CLDR root order), coll/res_index.res,
    and the alphabetic tailorings (sv, de, tr, da, cs, pl, ... 1.2 MB): QCollator, so QFileDialog's
    file list sorts as the user's locale expects.
  * the single-byte converter tables (139 *.cnv, 0.43 MB: windows-125x, ISO-8859-x, KOI8, IBM/DOS,
    Mac, EBCDIC) and cnvalias.icu (the alias table: names -> converters).
  * all top-level non-locale items: normalisation (*.nrm), ulayout/uemoji.icu, pool.res, root.res,
    res_index.res, likelySubtags, supplementalData, metadata, keyTypeData, plurals, numberingSystems,
    ..., and the time-zone tables zoneinfo64, metaZones, timezoneTypes, windowsZones.
  * zone/root.res, zone/pool.res, zone/res_index.res: the GMT-offset format used as display name.
Dropped (27.8 MB):
  * the 51 multi-byte converter tables (4.7 MB: Shift_JIS, EUC-JP, GBK, GB18030, Big5, EUC-KR,
    ISO-2022-*, EBCDIC DBCS): QStringDecoder("Shift_JIS") etc. become invalid -- Qt reports
    isValid() == false, as for any unknown encoding, and they vanish from availableCodecs().
  * coll/ CJK tailorings zh*, yue*, ja, ko (1.15 MB): Chinese/Japanese/Korean collation falls back
    to the root order (Han characters by code point within the root order, no pinyin/stroke).
  * brkitr/ (3.4 MB; rules and the CJK/Thai/Khmer/Lao/Burmese dictionaries): Qt never calls ubrk_*.
  * zone/ names other than root (3.0 MB): QTimeZone::displayName() gives "GMT+01:00" instead of
    "Central European Standard Time"/"Mitteleuropäische Normalzeit", and the "t" date-time format
    gives "GMT+1" instead of a localised short name (de "MEZ", fr "UTC+1"; en "CET" is tzdata's and
    stays). Abbreviations, offsets, transitions and ids are unaffected: they come from tzdata.
    (The app formats no time zones; keep=("zone/*",) brings the names back.)
  * curr/, lang/, region/, unit/, rbnf/, translit/ (11.8 MB): currency/language/region/unit names,
    spell-out rules, transliterators -- ICU formatting APIs Qt does not use.
  * top-level locale bundles (af.res ... zu.res, 3.05 MB: ICU's own date/number formats) and the
    items for APIs Qt does not import: unames.icu (u_charName), *.spp (StringPrep),
    confusables.cfu (uspoof), langInfo.res (LocaleMatcher): 0.7 MB.
Result: libicudata.so.73 32.0 MB -> 4.1 MB (-27.9 MB; dist/hfs-viewer, as build.py
measures it, 595.0 -> 567.1 MB) in 1 s (4.5 s on the frozen build, most of it running readelf on
its ~340 shared libraries to find the ones that link ICU).

trim_icu() returns a dict (see its docstring); it raises IcuTrimError with a message naming the
missing tool (icupkg: Debian icu-devtools; readelf: binutils; cc: gcc) or what went wrong, and
leaves the original library in place on any error. Idempotent: a second run finds nothing to
remove and reports status "unchanged".
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["IcuTrimError", "trim_icu", "find_qt_lib_dir", "classify", "ALLOWED_IMPORTS"]

LIB_RE = re.compile(r"^libicudata\.so\.(\d+)$")

TOOLS = {
    "icupkg": "apt-get install icu-devtools (Debian/Ubuntu; ICU 72+ tools read the v73 package)",
    "readelf": "apt-get install binutils",
    "cc": "apt-get install gcc (or build-essential; it needs binutils' as and ld)",
}

# ICU C functions (version suffix removed) that the kept data serves. An ELF file linking ICU that
# imports anything else makes trim_icu refuse: that code might read data this module drops.
ALLOWED_IMPORTS = ("ucol_", "ucnv_", "UCNV_", "ucal_", "u_strToUpper", "u_strToLower")

# Item rules, first match wins: (glob on the item name, keep?, reason). Multi-byte *.cnv files are
# recognised from their header (see classify), not by name.
RULES: tuple[tuple[str, bool, str], ...] = (
    # collation: root order + alphabetic tailorings; the big CJK tailorings go
    ("coll/root.res", True, "collation root"),
    ("coll/ucadata.icu", True, "collation root"),
    ("coll/res_index.res", True, "collation index"),
    ("coll/zh*", False, "CJK collation tailoring"),
    ("coll/yue*", False, "CJK collation tailoring"),
    ("coll/ja.res", False, "CJK collation tailoring"),
    ("coll/ko.res", False, "CJK collation tailoring"),
    ("coll/*", True, "alphabetic collation tailoring"),
    # time-zone display names: only the root (GMT format) bundle
    ("zone/root.res", True, "zone name root (GMT format)"),
    ("zone/pool.res", True, "zone name key pool"),
    ("zone/res_index.res", True, "zone name index"),
    ("zone/*", False, "localised time-zone names"),
    ("brkitr/*", False, "break iteration (Qt does its own)"),
    ("curr/*", False, "currency names"),
    ("lang/*", False, "language names"),
    ("region/*", False, "region names"),
    ("unit/*", False, "unit names"),
    ("rbnf/*", False, "spell-out rules"),
    ("translit/*", False, "transliterators"),
    # top level
    ("*.cnv", True, "single-byte converter"),
    ("root.res", True, "root locale"),
    ("pool.res", True, "locale key pool"),
    ("res_index.res", True, "locale index"),
    ("unames.icu", False, "character names (u_charName)"),
    ("*.spp", False, "StringPrep profiles"),
    ("confusables.cfu", False, "spoof checker"),
    ("langInfo.res", False, "LocaleMatcher data"),
)
LOCALE_RES = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]+)*\.res$")  # af.res, sr_Latn_BA.res, ...


class IcuTrimError(RuntimeError):
    """Trimming could not be done; the original library is untouched."""


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise IcuTrimError(f"`{name}` not found: {TOOLS[name]}")
    return path


def _run(cmd: list[str], cwd: Path | None = None) -> str:
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)
    if out.returncode != 0:
        raise IcuTrimError(f"{' '.join(cmd)} exited {out.returncode}: {(out.stderr or out.stdout).strip()[-2000:]}")
    return out.stdout


def find_qt_lib_dir(path: Path) -> Path | None:
    """The directory holding libicudata.so.NN, given it, the library, or a folder above it
    (dist/hfs-viewer, its _internal, a site-packages, ...). None when there is none."""
    path = Path(path)
    if path.is_file():
        return path.parent if LIB_RE.match(path.name) else None
    for cand in ("PySide6/Qt/lib", "_internal/PySide6/Qt/lib"):
        if any(LIB_RE.match(p.name) for p in (path / cand).glob("libicudata.so.*")):
            return path / cand
    if any(LIB_RE.match(p.name) for p in path.glob("libicudata.so.*")):
        return path
    hits = sorted(p.parent for p in path.rglob("libicudata.so.*") if LIB_RE.match(p.name))
    return hits[0] if hits else None


# ------------------------------------------------------------------ ELF facts (readelf)


def _elf_facts(lib: Path, major: str) -> dict:
    readelf = _tool("readelf")
    header = _run([readelf, "-hW", str(lib)])
    little = "little endian" in header
    if not little and "big endian" not in header:
        raise IcuTrimError(f"{lib}: cannot tell the byte order from readelf -h")
    machine = re.search(r"^\s*Machine:\s*(.+?)\s*$", header, re.M)
    dyn = _run([readelf, "-dW", str(lib)])
    soname = re.search(r"\(SONAME\).*\[(.+?)\]", dyn)
    runpath = re.search(r"\((RUNPATH|RPATH)\).*\[(.+?)\]", dyn)
    symname = f"icudt{major}_dat"
    syms = _run([readelf, "--dyn-syms", "-W", str(lib)])
    # Num: Value Size Type Bind Vis Ndx Name[@version]
    sym = None
    for line in syms.splitlines():
        parts = line.split()
        if len(parts) >= 8 and parts[7].split("@")[0] == symname:
            sym = parts
    if sym is None:
        raise IcuTrimError(f"{lib}: no dynamic symbol {symname} (readelf --dyn-syms)")
    version = sym[7].partition("@")[2].lstrip("@") or None
    value, size = int(sym[1], 16), int(sym[2], 0)
    sections = _run([readelf, "-SW", str(lib)])
    sec = None
    for m in re.finditer(
        r"\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+\S+\s+\S*\s+\d+\s+\d+\s+(\d+)\s*$",
        sections,
        re.M,
    ):
        name, addr, off, ssize, align = m.group(1), *(int(g, 16) for g in m.groups()[1:4]), int(m.group(5))
        if addr <= value < addr + ssize and name != "":
            sec = {"name": name, "addr": addr, "offset": off, "size": ssize, "align": align}
    if sec is None:
        raise IcuTrimError(f"{lib}: no section holds {symname} at {value:#x}")
    return {
        "little_endian": little,
        "machine": machine.group(1) if machine else None,
        "soname": soname.group(1) if soname else None,
        "runpath": (runpath.group(1), runpath.group(2)) if runpath else None,
        "symbolic": "(SYMBOLIC)" in dyn,
        "z_origin": bool(re.search(r"\(FLAGS_1\).*\bORIGIN\b", dyn)),
        "symbol": symname,
        "sym_value": value,
        "sym_size": size,
        "sym_version": version,
        "section": sec,
    }


def icu_imports(elf: Path, major: str) -> set[str]:
    """ICU functions (version suffix stripped) an ELF file imports."""
    out = _run([_tool("readelf"), "--dyn-syms", "-W", str(elf)])
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 8 and parts[6] == "UND":
            name = parts[7].split("@")[0]
            if name.endswith(f"_{major}"):
                names.add(name[: -len(major) - 1])
    return names


def _consumers(scan_root: Path, major: str) -> dict[str, set[str]]:
    """ELF files under scan_root (not the ICU libraries themselves) that link libicu*.so.MAJOR."""
    readelf = _tool("readelf")
    found = {}
    for p in sorted(scan_root.rglob("*.so*")):
        if not p.is_file() or p.is_symlink() or p.name.startswith("libicu"):
            continue
        with open(p, "rb") as fh:
            if fh.read(4) != b"\x7fELF":
                continue
        dyn = subprocess.run([readelf, "-dW", str(p)], capture_output=True, text=True).stdout
        if re.search(rf"\(NEEDED\).*\[libicu\w+\.so\.{major}\]", dyn):
            found[str(p.relative_to(scan_root))] = icu_imports(p, major)
    return found


# ------------------------------------------------------------------ the data package


def _multibyte_cnv(data: bytes) -> bool:
    """A converter table whose characters can take more than one byte (UConverterStaticData after
    the data header: structSize, name[60], codepage, platform, conversionType, min, maxBytesPerChar)."""
    header_size = struct.unpack_from("<H" if data[8] == 0 else ">H", data, 0)[0]
    return data[header_size + 71] > 1


def classify(name: str, data: bytes | None = None, keep: tuple[str, ...] = ()) -> tuple[bool, str]:
    """(keep?, reason) for one package item, e.g. 'coll/sv.res' or 'ibm-943_P15A-2003.cnv'.
    keep: extra globs that override the rules (e.g. "zone/*", "*.cnv", "coll/*")."""
    if any(fnmatch.fnmatchcase(name, pattern) for pattern in keep):
        return True, "kept on request"
    if name.endswith(".cnv") and "/" not in name and data is not None and _multibyte_cnv(data):
        return False, "multi-byte converter"
    for pattern, keep, reason in RULES:
        if fnmatch.fnmatchcase(name, pattern):
            return keep, reason
    if "/" not in name and LOCALE_RES.match(name):
        return False, "locale bundle (ICU formatting data)"
    return True, "top-level data"


def _asm(symbol: str, dat: Path, align: int) -> str:
    return (
        f"\t.section .rodata\n\t.globl {symbol}\n\t.type {symbol}, @object\n\t.balign {align}\n"
        f'{symbol}:\n\t.incbin "{dat}"\n\t.size {symbol}, . - {symbol}\n'
        f'\t.section .note.GNU-stack,"",@progbits\n'
    )


def trim_icu(
    qt_lib_dir: Path, *, scan_root: Path | None = None, keep: tuple[str, ...] = (), dry_run: bool = False
) -> dict:
    """Trim libicudata.so.NN in qt_lib_dir in place (see the module docstring for what is kept).

    scan_root: where to look for the ELF files that link ICU (default qt_lib_dir; pass the
    frozen build's _internal to cover everything in it). keep: extra item globs to keep, overriding
    the rules ("zone/*": localised zone names, "*.cnv": every codec, "coll/*": CJK collation).
    dry_run: report, change nothing.
    Returns {"status": "skipped"|"trimmed"|"unchanged"|"dry-run", "library", "before_bytes",
    "after_bytes", "saved_bytes", "items_before", "items_kept", "items_removed",
    "removed_by_reason": {reason: [count, bytes]}, "consumers": {file: [ICU functions]},
    "seconds"}; "skipped" (with "reason") when the directory holds no libicudata.so.NN
    (Windows/macOS wheels). Raises IcuTrimError, leaving the library as it was."""
    t0 = time.monotonic()
    qt_lib_dir = Path(qt_lib_dir)
    libs = sorted(p for p in qt_lib_dir.glob("libicudata.so.*") if LIB_RE.match(p.name) and p.is_file())
    if not libs:
        return {"status": "skipped", "reason": f"no libicudata.so.NN in {qt_lib_dir}", "library": None}
    if len(libs) > 1:
        raise IcuTrimError(f"several ICU data libraries in {qt_lib_dir}: {[p.name for p in libs]}")
    lib = libs[0].resolve()  # PyInstaller's _internal/libicudata.so.NN is a symlink into PySide6/Qt/lib
    major = LIB_RE.match(lib.name).group(1)
    icupkg, cc = _tool("icupkg"), _tool("cc")

    consumers = _consumers(Path(scan_root or qt_lib_dir), major)
    unexpected = {f: sorted(n for n in names if not n.startswith(ALLOWED_IMPORTS)) for f, names in consumers.items()}
    unexpected = {f: n for f, n in unexpected.items() if n}
    if unexpected:
        raise IcuTrimError(
            "ICU is used beyond what the trimmed data serves (update RULES/ALLOWED_IMPORTS in "
            f"packaging/icu_trim.py after checking what these read): {unexpected}"
        )

    facts = _elf_facts(lib, major)
    raw = lib.read_bytes()
    sec = facts["section"]
    start = sec["offset"] + facts["sym_value"] - sec["addr"]
    blob = raw[start : start + facts["sym_size"]]
    if len(blob) < 32 or blob[2:4] != b"\xda\x27" or blob[12:16] != b"CmnD":
        raise IcuTrimError(f"{lib}: {facts['symbol']} is not an ICU common data package")
    pkg = f"icudt{major}{'l' if facts['little_endian'] else 'b'}"

    with tempfile.TemporaryDirectory(prefix="icu_trim_") as tmp:
        tmp = Path(tmp)
        src = tmp / "in" / f"{pkg}.dat"
        src.parent.mkdir()
        src.write_bytes(blob)
        items = _run([icupkg, "-l", str(src)]).split()
        extracted = tmp / "items"
        extracted.mkdir()
        _run([icupkg, "-x", "*", "-d", str(extracted), str(src)])
        removed_by_reason: dict[str, list[int]] = {}
        remove = []
        for name in items:
            item = extracted / name
            kept, reason = classify(name, item.read_bytes() if name.endswith(".cnv") else None, tuple(keep))
            if not kept:
                remove.append(name)
                counts = removed_by_reason.setdefault(reason, [0, 0])
                counts[0] += 1
                counts[1] += item.stat().st_size
        removed_by_reason = dict(sorted(removed_by_reason.items(), key=lambda kv: -kv[1][1]))
        result = {
            "library": str(lib),
            "before_bytes": lib.stat().st_size,
            "items_before": len(items),
            "items_removed": len(remove),
            "items_kept": len(items) - len(remove),
            "consumers": {f: sorted(n) for f, n in consumers.items()},
        }
        if not remove or dry_run:
            result.update(
                status="unchanged" if not remove else "dry-run",
                after_bytes=result["before_bytes"],
                saved_bytes=0,
                removed_by_reason=removed_by_reason,
                seconds=round(time.monotonic() - t0, 2),
            )
            return result
        listfile = tmp / "remove.txt"
        listfile.write_text("\n".join(remove) + "\n")
        dst = tmp / "out" / f"{pkg}.dat"
        dst.parent.mkdir()
        # no --ignore-deps: icupkg fails if a kept bundle depends on a removed one
        _run([icupkg, "--toc_prefix", pkg, "-r", str(listfile), str(src), str(dst)])
        asm = tmp / "icudata.S"
        asm.write_text(_asm(facts["symbol"], dst, max(16, sec["align"])))
        new = tmp / lib.name
        cmd = [
            cc,
            "-shared",
            "-nostdlib",
            "-o",
            str(new),
            str(asm),
            f"-Wl,-soname,{facts['soname'] or lib.name}",
            "-Wl,--build-id",
            "-Wl,-z,noexecstack",
        ]
        if facts["runpath"]:
            kind, value = facts["runpath"]
            cmd += [f"-Wl,-rpath,{value}", "-Wl,--enable-new-dtags" if kind == "RUNPATH" else "-Wl,--disable-new-dtags"]
        if facts["symbolic"]:
            cmd.append("-Wl,-Bsymbolic")
        if facts["z_origin"]:
            cmd.append("-Wl,-z,origin")
        if facts["sym_version"]:
            ver = tmp / "version.map"
            ver.write_text(f"{facts['sym_version']} {{ global: {facts['symbol']}; local: *; }};\n")
            cmd.append(f"-Wl,--version-script,{ver}")
        _run(cmd)
        # the new library must export the same symbol and carry the package byte for byte
        check = _elf_facts(new, major)
        nraw = new.read_bytes()
        nsec = check["section"]
        nstart = nsec["offset"] + check["sym_value"] - nsec["addr"]
        if (
            nraw[nstart : nstart + check["sym_size"]] != dst.read_bytes()
            or check["sym_value"] % 16
            or any(check[k] != facts[k] for k in ("soname", "sym_version", "machine", "little_endian"))
        ):
            raise IcuTrimError(f"the rebuilt {lib.name} does not match the original's layout: {check}")
        mode = lib.stat().st_mode
        staged = lib.with_name(lib.name + ".icu_trim.tmp")
        try:
            shutil.copyfile(new, staged)
            os.chmod(staged, mode & 0o7777)
            os.replace(staged, lib)  # atomic: the library is the old one or the new one
        finally:
            staged.unlink(missing_ok=True)
    result.update(status="trimmed", after_bytes=lib.stat().st_size, removed_by_reason=removed_by_reason)
    result["saved_bytes"] = result["before_bytes"] - result["after_bytes"]
    result["seconds"] = round(time.monotonic() - t0, 2)
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path", type=Path, help="the frozen build (or its _internal), a Qt lib dir, or libicudata.so.NN")
    ap.add_argument(
        "--keep",
        action="append",
        default=[],
        metavar="GLOB",
        help='also keep these package items (repeatable), e.g. "zone/*" or "*.cnv"',
    )
    ap.add_argument("--dry-run", action="store_true", help="report what would be removed, change nothing")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    args = ap.parse_args(argv)
    if not args.path.exists():
        print(f"icu_trim: {args.path} does not exist", file=sys.stderr)
        return 1
    lib_dir = find_qt_lib_dir(args.path) or (args.path if args.path.is_dir() else args.path.parent)
    scan_root = args.path if args.path.is_dir() else lib_dir
    try:
        res = trim_icu(lib_dir, scan_root=scan_root, keep=tuple(args.keep), dry_run=args.dry_run)
    except IcuTrimError as exc:
        print(f"icu_trim: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(res, indent=1))
    elif res["status"] == "skipped":
        print(f"icu_trim: skipped ({res['reason']})")
    elif res["status"] == "dry-run":
        drop = sum(size for _, size in res["removed_by_reason"].values())
        print(
            f"icu_trim: dry run, {res['library']}: would remove {res['items_removed']} of {res['items_before']} "
            f"items ({drop / 1e6:.1f} MB of package data)"
        )
    else:
        print(
            f"icu_trim: {res['status']} {res['library']}: {res['before_bytes'] / 1e6:.1f} MB -> "
            f"{res['after_bytes'] / 1e6:.1f} MB ({res['items_kept']} of {res['items_before']} items kept, "
            f"{res['seconds']} s)"
        )
        for reason, (n, size) in res.get("removed_by_reason", {}).items():
            print(f"  removed {n:4d} {reason}: {size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
