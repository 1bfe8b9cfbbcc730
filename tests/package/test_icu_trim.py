"""packaging/icu_trim.py: the trimmed ICU data library still serves everything Qt asks ICU for.

Works from the source venv (PySide6's Qt/lib: copies of libicu*.so.NN are trimmed in a tmp dir);
when the frozen build exists, a copy of its ICU is trimmed and checked too (dist/ is not modified).
Each check runs in a subprocess: once against the trimmed libraries and once against the originals,
and the results are compared; the only differences allowed are the documented ones (KNOWN_LOSSES).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import APP, ROOT

sys.path.insert(0, str(ROOT / "packaging"))
import icu_trim  # noqa: E402

pytestmark = pytest.mark.package

MIN_SAVED = 15 * 2**20


def _venv_qt_lib() -> Path:
    import PySide6

    return Path(PySide6.__file__).resolve().parent / "Qt" / "lib"


def _icu_libs(lib_dir: Path) -> dict[str, Path]:
    """{'data': libicudata.so.NN, 'uc': ..., 'i18n': ...} in lib_dir (empty when it has no ICU)."""
    data = sorted(p for p in lib_dir.glob("libicudata.so.*") if icu_trim.LIB_RE.match(p.name))
    if not data:
        return {}
    major = icu_trim.LIB_RE.match(data[0].name).group(1)
    return {k: lib_dir / f"libicu{k}.so.{major}" for k in ("data", "uc", "i18n")}


def _need_tools():
    missing = [t for t in icu_trim.TOOLS if not shutil.which(t)]
    if missing:
        pytest.skip("; ".join(f"`{t}` not found: {icu_trim.TOOLS[t]}" for t in missing))


def _trimmed_copy(src_dir: Path, dest: Path, scan_root: Path | None = None) -> tuple[dict, dict[str, Path]]:
    libs = _icu_libs(src_dir)
    if not libs:
        pytest.skip(f"no libicudata.so.NN in {src_dir} (PySide6 ships ICU only on Linux)")
    _need_tools()
    dest.mkdir(parents=True, exist_ok=True)
    for p in libs.values():
        shutil.copy2(p, dest / p.name)
    result = icu_trim.trim_icu(dest, scan_root=scan_root)
    return result, _icu_libs(dest)


@pytest.fixture(scope="module")
def venv_icu() -> dict[str, Path]:
    libs = _icu_libs(_venv_qt_lib())
    if not libs:
        pytest.skip("the source venv's PySide6 ships no ICU (not Linux)")
    return libs


@pytest.fixture(scope="module")
def trimmed(tmp_path_factory, venv_icu) -> tuple[dict, dict[str, Path]]:
    # scan the venv's Qt libraries for ICU imports: trim_icu refuses if Qt uses more than it serves
    return _trimmed_copy(
        venv_icu["data"].parent, tmp_path_factory.mktemp("icu_venv"), scan_root=venv_icu["data"].parent
    )


# ------------------------------------------------------------------ the library itself


def test_trimmed_library_is_smaller_and_keeps_the_elf_interface(trimmed, venv_icu):
    result, libs = trimmed
    print(json.dumps({k: v for k, v in result.items() if k != "consumers"}, indent=1))
    assert result["status"] == "trimmed"
    assert result["before_bytes"] == venv_icu["data"].stat().st_size
    assert result["after_bytes"] == libs["data"].stat().st_size
    assert result["saved_bytes"] >= MIN_SAVED, f"only {result['saved_bytes'] / 1e6:.1f} MB saved"
    assert result["items_kept"] + result["items_removed"] == result["items_before"]
    # Qt (libQt6Core) is the one consumer, and uses only what the trimmed data serves
    assert any(f.startswith("libQt6Core") for f in result["consumers"]), result["consumers"]
    major = icu_trim.LIB_RE.match(libs["data"].name).group(1)
    old, new = icu_trim._elf_facts(venv_icu["data"], major), icu_trim._elf_facts(libs["data"], major)
    for key in ("soname", "runpath", "symbol", "sym_version", "little_endian", "machine", "symbolic", "z_origin"):
        assert new[key] == old[key], key
    assert new["sym_value"] % 16 == 0 and new["section"]["name"] == ".rodata"


def test_second_run_changes_nothing(tmp_path, trimmed):
    _, libs = trimmed
    for p in libs.values():
        shutil.copy2(p, tmp_path / p.name)
    before = (tmp_path / libs["data"].name).read_bytes()
    assert icu_trim.trim_icu(tmp_path)["status"] == "unchanged"
    assert (tmp_path / libs["data"].name).read_bytes() == before


def test_symlinked_library_is_trimmed_where_it_lives(tmp_path, venv_icu):
    """PyInstaller's _internal/libicudata.so.NN is a symlink to PySide6/Qt/lib/...: the real file is
    replaced, the link stays a link (given _internal, the CLI finds PySide6/Qt/lib itself)."""
    _need_tools()
    real_dir = tmp_path / "PySide6" / "Qt" / "lib"
    real_dir.mkdir(parents=True)
    name = venv_icu["data"].name
    shutil.copy2(venv_icu["data"], real_dir / name)
    (tmp_path / name).symlink_to(f"PySide6/Qt/lib/{name}")
    assert icu_trim.find_qt_lib_dir(tmp_path) == real_dir
    result = icu_trim.trim_icu(tmp_path)
    assert result["status"] == "trimmed" and result["library"] == str(real_dir / name)
    assert (tmp_path / name).is_symlink() and (real_dir / name).stat().st_size == result["after_bytes"]


def test_no_icu_is_skipped_and_unexpected_icu_use_is_refused(tmp_path, trimmed, venv_icu):
    assert icu_trim.trim_icu(tmp_path)["status"] == "skipped"
    # a consumer importing an ICU API the trimmed data does not serve (ubrk_: break iteration)
    _, libs = trimmed
    for p in venv_icu.values():
        shutil.copy2(p, tmp_path / p.name)
    before = (tmp_path / venv_icu["data"].name).read_bytes()
    major = icu_trim.LIB_RE.match(venv_icu["data"].name).group(1)
    src = tmp_path / "consumer.c"
    src.write_text(
        f"void *ubrk_open_{major}(int, const char *, const void *, int, int *);\n"
        f'void *f(void) {{ int s = 0; return ubrk_open_{major}(0, "", 0, 0, &s); }}\n'
    )
    subprocess.run(
        [
            "cc",
            "-shared",
            "-fPIC",
            "-o",
            str(tmp_path / "libconsumer.so"),
            str(src),
            f"-L{tmp_path}",
            f"-l:libicuuc.so.{major}",
        ],
        check=True,
    )
    with pytest.raises(icu_trim.IcuTrimError, match="ubrk_open"):
        icu_trim.trim_icu(tmp_path)
    assert (tmp_path / venv_icu["data"].name).read_bytes() == before


def test_missing_tool_is_named(tmp_path, venv_icu, monkeypatch):
    shutil.copy2(venv_icu["data"], tmp_path / venv_icu["data"].name)
    monkeypatch.setattr(icu_trim.shutil, "which", lambda name: None if name == "icupkg" else shutil.which(name))
    with pytest.raises(icu_trim.IcuTrimError, match="icu-devtools"):
        icu_trim.trim_icu(tmp_path)


# ------------------------------------------------------------------ ICU's C API through ctypes

ICU_C_PROBE = r"""
import ctypes, json, sys
data, uc, i18n, major = sys.argv[1:5]
for p in (data, uc, i18n):
    ctypes.CDLL(p, mode=ctypes.RTLD_GLOBAL)
maps = open("/proc/self/maps").read()
mapped = sorted({ln.split()[-1] for ln in maps.splitlines() if "libicudata" in ln})
L = ctypes.CDLL(uc, mode=ctypes.RTLD_GLOBAL)
I = ctypes.CDLL(i18n, mode=ctypes.RTLD_GLOBAL)
fn = lambda lib, name: getattr(lib, f"{name}_{major}")
U16 = ctypes.c_uint16
def u(s):
    b = s.encode("utf-16-le"); return (U16 * (len(b) // 2 + 1))(*[int.from_bytes(b[i:i + 2], "little") for i in range(0, len(b), 2)])
def text(buf, n):
    return bytes(bytearray(ctypes.string_at(buf, 2 * n))).decode("utf-16-le")
out = {"mapped": mapped}
st = ctypes.c_int(0)

# collation: root, an alphabetic tailoring (sv: z < ö), a CJK one (zh: falls back when trimmed)
fn(I, "ucol_open").restype = ctypes.c_void_p
fn(I, "ucol_strcoll").argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
for loc, a, b in (("", "a", "b"), ("", "ä", "b"), ("de", "ä", "b"), ("sv", "z", "ö"), ("sv", "ö", "z"), ("tr", "ç", "d"),
                  ("zh", "中", "文")):
    st.value = 0
    c = fn(I, "ucol_open")(loc.encode(), ctypes.byref(st))
    r = fn(I, "ucol_strcoll")(c, u(a), -1, u(b), -1) if c else None
    out[f"ucol {loc or 'root'} {a}<>{b}"] = [r, st.value if st.value <= 0 else "ERR %d" % st.value]
    if c: fn(I, "ucol_close")(ctypes.c_void_p(c))

# converters: algorithmic Latin-1, a single-byte table, a multi-byte one
fn(L, "ucnv_open").restype = ctypes.c_void_p
fn(L, "ucnv_toUChars").argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_void_p]
for name, raw in (("ISO-8859-1", b"\xe9"), ("windows-1252", b"\x80\xe9"), ("KOI8-R", b"\xc1"), ("ibm-437", b"\x82"),
                  ("Shift_JIS", b"\x82\xa0"), ("GBK", b"\xc4\xe3"), ("Big5", b"\xa4\xa4"), ("EUC-KR", b"\xb0\xa1")):
    st.value = 0
    c = fn(L, "ucnv_open")(name.encode(), ctypes.byref(st))
    res = None
    if c and st.value <= 0:
        buf = (U16 * 16)()
        n = fn(L, "ucnv_toUChars")(c, buf, 16, raw, len(raw), ctypes.byref(st))
        res = text(buf, n)
        fn(L, "ucnv_close")(ctypes.c_void_p(c))
    out[f"ucnv {name}"] = [res, st.value]
out["ucnv_countAvailable"] = fn(L, "ucnv_countAvailable")()

# IDNA (UTS #46)
class Info(ctypes.Structure):
    _fields_ = [("size", ctypes.c_int16), ("isTransitionalDifferent", ctypes.c_int8), ("reservedB3", ctypes.c_int8),
                ("errors", ctypes.c_uint32), ("reservedI2", ctypes.c_int32), ("reservedI3", ctypes.c_int32)]
st.value = 0
fn(L, "uidna_openUTS46").restype = ctypes.c_void_p
idna = fn(L, "uidna_openUTS46")(0, ctypes.byref(st))
info = Info(size=ctypes.sizeof(Info))
dest = ctypes.create_string_buffer(256)
fn(L, "uidna_nameToASCII_UTF8").argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p]
n = fn(L, "uidna_nameToASCII_UTF8")(idna, "bücher.example".encode(), -1, dest, 256, ctypes.byref(info), ctypes.byref(st)) if idna else 0
out["uidna bücher.example"] = [dest.raw[:n].decode(), st.value, info.errors]

# case mapping with a language
for loc, s in (("tr", "i"), ("", "i"), ("lt", "i\u0307"), ("el", "άδικος")):
    st.value = 0
    buf = (U16 * 32)()
    n = fn(L, "u_strToUpper")(buf, 32, u(s), -1, loc.encode(), ctypes.byref(st))
    out[f"upper {loc or 'root'} {s}"] = [text(buf, n), st.value]

# time zones
buf = (U16 * 64)()
for tz in ("Europe/Berlin", "Asia/Calcutta", "US/Pacific"):
    st.value = 0
    system = ctypes.c_int8(0)
    n = fn(I, "ucal_getCanonicalTimeZoneID")(u(tz), -1, buf, 64, ctypes.byref(system), ctypes.byref(st))
    out[f"ucal canonical {tz}"] = [text(buf, n), system.value, st.value]
fn(I, "ucal_open").restype = ctypes.c_void_p
st.value = 0
cal = fn(I, "ucal_open")(u("Europe/Berlin"), -1, b"de_DE", 0, ctypes.byref(st))
out["ucal_open Europe/Berlin"] = st.value
st.value = 0
fn(I, "ucal_setMillis")(ctypes.c_void_p(cal), ctypes.c_double(1.7e12), ctypes.byref(st))  # Nov 2023 (CET)
out["ucal zone offset"] = [fn(I, "ucal_get")(ctypes.c_void_p(cal), 15, ctypes.byref(st)), st.value]
for loc in ("en_US", "de_DE"):
    st.value = 0
    n = fn(I, "ucal_getTimeZoneDisplayName")(ctypes.c_void_p(cal), 0, loc.encode(), buf, 64, ctypes.byref(st))
    out[f"ucal display name {loc}"] = [text(buf, n), st.value]
print(json.dumps(out, ensure_ascii=False))
"""

# What the trimmed data does differently from the full package, on purpose (packaging/icu_trim.py).
KNOWN_LOSSES_C = {
    "ucol zh 中<>文",  # CJK tailoring dropped: root order (warning status, no error)
    "ucnv Shift_JIS",
    "ucnv GBK",
    "ucnv Big5",
    "ucnv EUC-KR",  # multi-byte tables dropped
    "ucnv_countAvailable",
    "ucal display name en_US",
    "ucal display name de_DE",  # zone names dropped: GMT format
}


def _icu_c_probe(libs: dict[str, Path]) -> dict:
    major = icu_trim.LIB_RE.match(libs["data"].name).group(1)
    out = subprocess.run(
        [sys.executable, "-c", ICU_C_PROBE, str(libs["data"]), str(libs["uc"]), str(libs["i18n"]), major],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    res = json.loads(out.stdout)
    assert res.pop("mapped") == [str(libs["data"])], "a different libicudata was mapped"
    return res


def _check_c_results(trim: dict, full: dict) -> None:
    print(json.dumps({"trimmed": trim, "full": full}, ensure_ascii=False, indent=1))
    for key in full:
        if key not in KNOWN_LOSSES_C:
            assert trim[key] == full[key], f"{key}: trimmed {trim[key]} != full {full[key]}"
    # the untrimmed library works as assumed ...
    assert full["ucol sv z<>ö"][0] == -1 and full["ucol root ä<>b"][0] == -1
    assert full["uidna bücher.example"] == ["xn--bcher-kva.example", 0, 0]
    assert full["upper tr i"] == ["İ", 0] and full["upper root i"] == ["I", 0]
    assert full["ucal canonical US/Pacific"] == ["America/Los_Angeles", 1, 0]
    assert full["ucal zone offset"] == [3600000, 0]
    # (windows-1252: U_AMBIGUOUS_ALIAS_WARNING, -122)
    assert full["ucnv windows-1252"][0] == "€é" and full["ucnv windows-1252"][1] <= 0
    assert full["ucnv Shift_JIS"][0] == "あ" and full["ucnv Shift_JIS"][1] <= 0
    # ... and the trimmed one: successes stay successes; the documented losses fail cleanly
    for key in ("ucnv ISO-8859-1", "ucnv windows-1252", "ucnv KOI8-R", "ucnv ibm-437"):
        assert trim[key][1] <= 0 and trim[key][0], key
    assert trim["ucol zh 中<>文"][1] in (-127, -128, 0)  # U_USING_DEFAULT/FALLBACK_WARNING
    for name in ("Shift_JIS", "GBK", "Big5", "EUC-KR"):
        assert trim[f"ucnv {name}"] == [None, 4], name  # U_FILE_ACCESS_ERROR
    assert 100 < trim["ucnv_countAvailable"] < full["ucnv_countAvailable"]
    assert trim["ucal display name en_US"] == ["GMT+01:00", 0], trim["ucal display name en_US"]


def test_icu_c_api_trimmed_matches_full(trimmed, venv_icu):
    _check_c_results(_icu_c_probe(trimmed[1]), _icu_c_probe(venv_icu))


def test_keep_globs_bring_items_back(tmp_path, venv_icu, trimmed):
    """keep=("zone/*", "coll/zh*"): localised zone names and Chinese collation as in the full data."""
    _need_tools()
    for p in venv_icu.values():
        shutil.copy2(p, tmp_path / p.name)
    more = icu_trim.trim_icu(tmp_path, keep=("zone/*", "coll/zh*"))
    assert more["status"] == "trimmed" and more["after_bytes"] > trimmed[0]["after_bytes"] + 3e6
    libs = _icu_libs(tmp_path)
    res, full = _icu_c_probe(libs), _icu_c_probe(venv_icu)
    for key in ("ucal display name en_US", "ucal display name de_DE", "ucol zh 中<>文"):
        assert res[key] == full[key], key


def test_frozen_build_carries_the_trimmed_icu(tmp_path, venv_icu):
    """build.py trimmed the frozen build's ICU: small, nothing left to remove (checked on a copy;
    dist is never written), and the C API answers as the full data does, bar the intended losses."""
    lib_dir = APP / "_internal" / "PySide6" / "Qt" / "lib"
    frozen = _icu_libs(lib_dir)
    if not frozen:
        pytest.skip(f"no ICU in {lib_dir}")
    assert venv_icu["data"].stat().st_size - frozen["data"].stat().st_size >= MIN_SAVED
    result, libs = _trimmed_copy(lib_dir, tmp_path, scan_root=APP / "_internal")
    print({k: v for k, v in result.items() if k != "consumers"}, sorted(result["consumers"]))
    assert result["status"] == "unchanged" and result["items_removed"] == 0
    assert sorted(result["consumers"]) == ["PySide6/Qt/lib/libQt6Core.so.6"], result["consumers"]
    report = json.loads((APP.parent / "build-report.json").read_text())
    assert report["icu_trim"]["status"] == "trimmed"
    assert report["icu_trim"]["after_bytes"] == frozen["data"].stat().st_size
    _check_c_results(_icu_c_probe(frozen), _icu_c_probe(venv_icu))


# ------------------------------------------------------------------ Qt on top of the trimmed ICU

QT_PROBE = r"""
import functools, json, sys
from PySide6.QtCore import (QCollator, QCoreApplication, QLocale, QStringConverter, QStringDecoder, QTimeZone,
                            QUrl, QDateTime, QDate, QTime, QBuffer, QByteArray, QIODevice, QXmlStreamReader)
app = QCoreApplication([])
maps = open("/proc/self/maps").read()
out = {"mapped": sorted({ln.split()[-1] for ln in maps.splitlines() if "libicu" in ln})}
def xml_text(encoding, raw):
    # PySide6 binds no usable QStringDecoder decode call; QXmlStreamReader decodes a declared
    # encoding through QStringDecoder (ICU for anything but UTF-x/Latin-1): text, or the error
    buf = QBuffer()
    buf.setData(QByteArray(b'<?xml version="1.0" encoding="%s"?><a>%s</a>' % (encoding.encode(), raw)))
    buf.open(QIODevice.ReadOnly)
    r, txt = QXmlStreamReader(buf), ""
    while not r.atEnd():
        r.readNext()
        if r.isCharacters():
            txt += r.text()
    return r.errorString() if r.hasError() else txt
def coll(loc, words, numeric=False):
    c = QCollator(QLocale(loc)); c.setNumericMode(numeric)
    return sorted(words, key=functools.cmp_to_key(c.compare))
out["QCollator de_DE"] = coll("de_DE", ["b", "ä", "a", "z", "ö"])
out["QCollator sv_SE"] = coll("sv_SE", ["b", "ä", "a", "z", "ö"])
out["QCollator tr_TR"] = coll("tr_TR", ["ı", "i", "h", "j", "ç", "d"])
out["QCollator en numeric"] = coll("en_US", ["file10", "file2", "File1"], numeric=True)
out["QCollator zh_CN"] = coll("zh_CN", ["中", "文", "阿"])
out["QLocale tr toUpper i"] = QLocale("tr_TR").toUpper("i")
out["QLocale en toUpper i"] = QLocale("en_US").toUpper("i")
out["QLocale tr toLower I"] = QLocale("tr_TR").toLower("I")
out["QLocale de toUpper ß"] = QLocale("de_DE").toUpper("straße")
out["QUrl IDNA"] = bytes(QUrl.fromUserInput("http://bücher.example").toEncoded()).decode()
out["QUrl ACE->unicode"] = QUrl("http://xn--bcher-kva.example").host()
for name, raw in (("windows-1252", b"\x80\xe9"), ("KOI8-R", b"\xc1"), ("ISO-8859-15", b"\xa4"), ("IBM437", b"\x82"),
                  ("Shift_JIS", b"\x82\xa0"), ("GBK", b"\xc4\xe3"), ("Big5", b"\xa4\xa4"), ("EUC-KR", b"\xb0\xa1"),
                  ("no-such-codec", b"x")):
    out[f"QStringDecoder {name}"] = [QStringDecoder(name).isValid(), xml_text(name, raw)]
codecs = QStringConverter.availableCodecs()
out["availableCodecs"] = len(codecs)
out["availableCodecs has windows-1252"] = any(c.lower() in ("windows-1252", "ibm-5348_p100-1997") for c in codecs)
tz = QTimeZone(b"Europe/Berlin")
out["QTimeZone Europe/Berlin valid"] = tz.isValid()
when = QDateTime(QDate(2024, 1, 15), QTime(12, 0), tz)
out["QTimeZone offset"] = tz.offsetFromUtc(when)
out["QTimeZone abbreviation"] = tz.abbreviation(when)
out["QTimeZone alias Asia/Calcutta valid"] = QTimeZone(b"Asia/Calcutta").isValid()
out["QTimeZone ids"] = len(QTimeZone.availableTimeZoneIds())
for loc in ("en_US", "de_DE"):
    out[f"QTimeZone displayName {loc}"] = tz.displayName(QTimeZone.StandardTime, QTimeZone.LongName, QLocale(loc))
for loc in ("en_US", "de_DE", "fr_FR"):
    out[f"QDateTime toString t {loc}"] = QLocale(loc).toString(when, "dddd d MMMM yyyy HH:mm t")
out["QDateTime toString no zone name"] = QLocale("de_DE").toString(when, "dddd, d. MMMM yyyy HH:mm")
print(json.dumps(out, ensure_ascii=False))
"""

KNOWN_LOSSES_QT = {
    "QCollator zh_CN",  # root order for Han instead of pinyin
    "QStringDecoder Shift_JIS",
    "QStringDecoder GBK",
    "QStringDecoder Big5",
    "QStringDecoder EUC-KR",
    "availableCodecs",
    "QTimeZone displayName en_US",
    "QTimeZone displayName de_DE",  # GMT+01:00
    # the "t" format's localised short zone name (de "MEZ", fr "UTC+1") becomes ICU's GMT format
    # (en_US "CET" is the tzdata abbreviation: unchanged)
    "QDateTime toString t de_DE",
    "QDateTime toString t fr_FR",
}


def _qt_probe(libs: dict[str, Path]) -> dict:
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        LC_ALL="C.UTF-8",
        LANG="C.UTF-8",
        # libQt6Core's RUNPATH ($ORIGIN) would find PySide6's own ICU; libraries already
        # loaded (preloaded) satisfy the NEEDED entries by SONAME first
        LD_PRELOAD=" ".join(str(libs[k]) for k in ("data", "uc", "i18n")),
    )
    out = subprocess.run([sys.executable, "-c", QT_PROBE], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    res = json.loads(out.stdout)
    mapped = res.pop("mapped")
    assert set(mapped) == {str(p) for p in libs.values()}, f"Qt mapped {mapped}, wanted {libs}"
    return res


def test_qt_on_trimmed_icu_matches_full(trimmed, venv_icu):
    trim, full = _qt_probe(trimmed[1]), _qt_probe(venv_icu)
    print(json.dumps({"trimmed": trim, "full": full}, ensure_ascii=False, indent=1))
    for key in full:
        if key not in KNOWN_LOSSES_QT:
            assert trim[key] == full[key], f"{key}: trimmed {trim[key]!r} != full {full[key]!r}"
    # Qt's results with the full ICU are the expected ones
    assert full["QCollator de_DE"] == ["a", "ä", "b", "ö", "z"]
    assert full["QCollator sv_SE"] == ["a", "b", "z", "ä", "ö"]
    assert full["QLocale tr toUpper i"] == "İ" and full["QLocale en toUpper i"] == "I"
    assert full["QUrl IDNA"] == "http://xn--bcher-kva.example"
    assert full["QStringDecoder windows-1252"] == [True, "€é"] and full["QStringDecoder Shift_JIS"] == [True, "あ"]
    assert full["QStringDecoder KOI8-R"] == [True, "а"] and full["QStringDecoder ISO-8859-15"] == [True, "€"]
    assert full["QTimeZone Europe/Berlin valid"] and full["QTimeZone offset"] == 3600
    # the documented losses degrade gracefully: invalid decoder, not a crash; GMT-format names
    for name in ("Shift_JIS", "GBK", "Big5", "EUC-KR"):
        assert trim[f"QStringDecoder {name}"] == [False, f"Encoding {name} is unsupported"], name
    assert trim["QStringDecoder no-such-codec"] == [False, "Encoding no-such-codec is unsupported"]
    assert 100 < trim["availableCodecs"] < full["availableCodecs"]
    assert trim["QTimeZone displayName en_US"] == "GMT+01:00"
    assert full["QCollator zh_CN"] == ["阿", "文", "中"]  # pinyin a, wen, zhong
    assert trim["QCollator zh_CN"] == ["中", "文", "阿"]  # root: code point order for Han
    assert trim["QDateTime toString t de_DE"].endswith("GMT+1") and full["QDateTime toString t de_DE"].endswith("MEZ")
