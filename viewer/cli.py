"""Command line: `hfs-viewer` opens the GUI; subcommands work headless.

  hfs-viewer [--view NAME] [--scenario FILE|--preset NAME|--case CASE.hfscase] [--screenshot OUT.png] [--size WxH]
  hfs-viewer render [--scenario FILE|--preset NAME] [--view NAME] [--size WxH] [--labels] --out FILE.png
  hfs-viewer render ... --out FILE.mp4|FILE.gif [--animation pulsation|turntable|mechanism] [--frames N] [--fps F]
                    [--heart-rate BPM] [--cycles N] [--exaggeration X]
  hfs-viewer report --scenario FILE|--preset NAME --out FILE.pdf [--size WxH]
  hfs-viewer anatomy --json [--side left|right] | anatomy --case CASE.hfscase --json
  hfs-viewer analyze SCENARIO.json|-|--preset NAME|CASE.hfscase [--json]
  hfs-viewer presets --list [--json]
  hfs-viewer meshes [--out DIR]
  hfs-viewer import INPUT... [--label VALUE=ROLE[:VESSEL_ROLE]]... [--space RAS|LPS] [--name NAME] --out CASE.hfscase
  hfs-viewer case --json CASE.hfscase
  hfs-viewer export (--case CASE | --scenario FILE | --preset NAME) --format stl|obj|ply|glb [--space RAS|LPS] --out PATH
  hfs-viewer render --case CASE.hfscase [--view NAME] [--size WxH] --out FILE.png

Exit status: 0 on success, 2 with a one-line message on bad usage, invalid
input or unwritable output. Heavy modules (VTK, Qt) are imported only by the
commands that need them, so `anatomy` and `analyze` start fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import __version__
from .views import VIEWS

VIEW_NAMES = tuple(VIEWS)  # the camera presets (pure core: no VTK is loaded for them)
SIDES = ("left", "right")  # = viewer.vocabulary.SIDES (not imported: the CLI starts lazily)


class UsageError(Exception):
    """Bad usage or unwritable output: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse would print the whole usage)
        raise UsageError(f"{self.prog}: {message}")


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 1600x1000, got '{text}'") from None
    if not (16 <= w <= 7680 and 16 <= h <= 4320):
        raise argparse.ArgumentTypeError(f"size {w}x{h} outside 16x16..7680x4320")
    return w, h


def _writable_png(path: str) -> Path:
    p = Path(path)
    if p.suffix.lower() != ".png":
        raise UsageError(f"{path}: output must be a .png file")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"{path}: directory {parent} does not exist")
    if p.is_dir():
        raise UsageError(f"{path}: is a directory")
    if not os.access(parent, os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
        raise UsageError(f"{path}: not writable")
    return p


VIDEO_SUFFIXES = (".mp4", ".gif")  # = viewer.render.video.VIDEO_SUFFIXES
ANIMATIONS = ("pulsation", "turntable", "mechanism")  # = viewer.render.video.ANIMATIONS


def _ranged(kind, lo, hi, what):
    def parse(text: str):
        try:
            v = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a number, got '{text}'") from None
        if not lo <= v <= hi:
            raise argparse.ArgumentTypeError(f"{what} {text} outside {lo:g}..{hi:g}")
        return v

    return parse


def _writable_file(path: str, suffixes: tuple[str, ...]) -> Path:
    """Like _writable_png for any of `suffixes` (e.g. (".pdf",) or VIDEO_SUFFIXES)."""
    p = Path(path)
    if p.suffix.lower() not in suffixes:
        raise UsageError(f"{path}: output must be a {' or '.join(suffixes)} file")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"{path}: directory {parent} does not exist")
    if p.is_dir():
        raise UsageError(f"{path}: is a directory")
    if not os.access(parent, os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
        raise UsageError(f"{path}: not writable")
    return p


def build_parser() -> argparse.ArgumentParser:
    ap = _Parser(
        prog="hfs-viewer", description="HFS Compression Viewer: left cerebellopontine angle, CN VII compression."
    )
    ap.add_argument("--version", action="version", version=f"hfs-viewer {__version__}")
    ap.add_argument("--view", choices=VIEW_NAMES, help="initial camera preset")
    ap.add_argument(
        "--screenshot", metavar="OUT.png", help="open the window, grab it (panels included) to a PNG and exit"
    )
    ap.add_argument("--size", type=_size, metavar="WxH", help="window size for --screenshot (default 1600x1000)")
    ap.add_argument(
        "--scenario", metavar="FILE", help="open a scenario file (with --screenshot: render it with its findings)"
    )
    ap.add_argument("--preset", metavar="NAME", help="open a shipped teaching case (hfs-viewer presets --list)")
    ap.add_argument("--case", metavar="CASE.hfscase", help="open a patient case (hfs-viewer import ... --out CASE)")
    ap.add_argument(
        "--side",
        choices=SIDES,
        default=None,
        help="show the case on this patient side (a scenario of the other side is mirrored at x = 0)",
    )
    sub = ap.add_subparsers(dest="command", parser_class=_Parser)

    r = sub.add_parser("render", help="render a scenario, a preset or the default scene offscreen to a PNG")
    rsrc = r.add_mutually_exclusive_group()
    rsrc.add_argument(
        "--scenario", metavar="FILE", help="scenario file: its vessels, lesions, deformed CN VII and callouts"
    )
    rsrc.add_argument("--preset", metavar="NAME", help="a shipped teaching case (hfs-viewer presets --list)")
    rsrc.add_argument("--case", metavar="CASE.hfscase", help="a patient case: its surfaces in role colours")
    r.add_argument(
        "--view",
        choices=VIEW_NAMES,
        default=None,
        help="camera preset (default: the preset's teaching view, else anterior)",
    )
    r.add_argument("--size", type=_size, default=(1600, 1000), metavar="WxH")
    r.add_argument(
        "--side",
        choices=SIDES,
        default=None,
        help="show the case on this patient side (a scenario of the other side is mirrored at x = 0)",
    )
    r.add_argument("--labels", action="store_true", help="draw structure names")
    r.add_argument("--out", required=True, metavar="FILE.png|.mp4|.gif")
    # video output (by the --out suffix)
    r.add_argument("--animation", choices=ANIMATIONS, help="with .mp4/.gif: what moves (default pulsation)")
    r.add_argument(
        "--frames",
        type=_ranged(int, 1, 10_000, "--frames"),
        metavar="N",
        help="video frames (default: one cardiac cycle in real time; turntable 120; "
        "mechanism: one 12 s loop in real time)",
    )
    r.add_argument(
        "--fps", type=_ranged(float, 1, 60, "--fps"), default=25.0, metavar="F", help="video frame rate (default 25)"
    )
    r.add_argument(
        "--heart-rate",
        type=_ranged(float, 20, 240, "--heart-rate"),
        default=70.0,
        metavar="BPM",
        help="pulsation heart rate (default 70)",
    )
    r.add_argument(
        "--cycles",
        type=_ranged(float, 0.1, 20, "--cycles"),
        default=1.0,
        metavar="N",
        help="cardiac cycles in a pulsation video, loops of the mechanism animation (default 1)",
    )
    r.add_argument(
        "--exaggeration",
        type=_ranged(float, 0, 50, "--exaggeration"),
        default=None,
        metavar="X",
        help="pulsation amplitude factor (default 8 for teaching; 1 = measured)",
    )

    rp = sub.add_parser(
        "report", help="write a PDF case report (images, contacts, classification, mechanism, references)"
    )
    src = rp.add_mutually_exclusive_group(required=True)
    src.add_argument("--scenario", metavar="FILE", help="scenario file")
    src.add_argument("--preset", metavar="NAME", help="a shipped teaching case (hfs-viewer presets)")
    rp.add_argument("--out", required=True, metavar="FILE.pdf")
    rp.add_argument(
        "--side",
        choices=SIDES,
        default=None,
        help="show the case on this patient side (a scenario of the other side is mirrored at x = 0)",
    )
    rp.add_argument(
        "--size", type=_size, default=(1500, 900), metavar="WxH", help="pixels of each view image (default 1500x900)"
    )

    a = sub.add_parser("anatomy", help="print the anatomy model (or a patient case's own anatomy)")
    a.add_argument("--json", action="store_true", required=True, help="JSON output (the only format)")
    a.add_argument(
        "--side", choices=SIDES, default=None, help="the patient side: right is the left model mirrored at x = 0"
    )
    a.add_argument(
        "--case",
        metavar="CASE.hfscase",
        help="a patient case: its facial nerve (segment map), landmarks and vessel centrelines",
    )

    z = sub.add_parser("analyze", help="classify the facial-nerve compression of a scenario file or a patient case")
    z.add_argument(
        "scenario",
        metavar="SCENARIO.json|CASE.hfscase",
        nargs="?",
        help="scenario file, - for standard input, or a patient case (.hfscase: its own geometry)",
    )
    z.add_argument("--preset", metavar="NAME", help="analyse a shipped teaching case instead of a file")
    z.add_argument("--json", action="store_true", help="findings as JSON instead of a readable report")
    z.add_argument(
        "--side",
        choices=SIDES,
        default=None,
        help="show the case on this patient side (a scenario of the other side is mirrored at x = 0)",
    )

    pr = sub.add_parser("presets", help="the shipped teaching cases (scenario files with a teaching note)")
    pr.add_argument(
        "--list", action="store_true", required=True, help="list name, title, expected classification, view"
    )
    pr.add_argument(
        "--json", action="store_true", help='JSON list of {"name", "title", "expected": [tags], "view", ...}'
    )

    m = sub.add_parser("meshes", help="regenerate the shipped meshes and manifest")
    m.add_argument("--out", default=None, metavar="DIR", help="output folder (default: assets/meshes)")
    _add_patient_commands(sub)
    return ap


def _add_patient_commands(sub) -> None:
    """Patient data: import label maps/meshes as a case, inspect it, export surfaces."""
    im = sub.add_parser(
        "import",
        help="build a patient case (.hfscase) from label maps (NIfTI, NRRD, .seg.nrrd) "
        "and meshes (.stl .obj .ply .vtp .vtk)",
    )
    im.add_argument(
        "inputs", nargs="*", metavar="INPUT", help="label maps, meshes and label tables (.tsv .txt .ctbl .json)"
    )
    im.add_argument(
        "--label",
        action="append",
        default=[],
        metavar="VALUE=ROLE[:VESSEL_ROLE]",
        help="role of a label value, e.g. 1=brainstem, 2=facial_nerve, 5=vessel:aica (repeatable)",
    )
    im.add_argument(
        "--space",
        type=str.upper,
        choices=("RAS", "LPS"),
        default=None,
        help="frame of meshes without a SPACE= tag (default RAS)",
    )
    im.add_argument("--name", metavar="NAME", help="case name (default: the first input's base name)")
    im.add_argument("--demo", action="store_true", help="import the shipped demo case (the model voxelised)")
    im.add_argument("--out", required=True, metavar="CASE.hfscase")

    c = sub.add_parser("case", help="print a patient case")
    c.add_argument("case", metavar="CASE.hfscase")
    c.add_argument(
        "--json",
        action="store_true",
        required=True,
        help="case.json plus bounds_mm, volume_mm3 and triangles per structure",
    )

    ex = sub.add_parser("export", help="write the scene's surfaces as STL, OBJ, PLY or glTF binary")
    src = ex.add_mutually_exclusive_group(required=True)
    src.add_argument("--case", metavar="CASE.hfscase")
    src.add_argument("--scenario", metavar="FILE")
    src.add_argument("--preset", metavar="NAME")
    ex.add_argument("--format", required=True, type=str.lower, choices=("stl", "obj", "ply", "glb"))
    ex.add_argument(
        "--space",
        type=str.upper,
        choices=("RAS", "LPS"),
        default="RAS",
        help="frame of the written points (tagged SPACE= as 3D Slicer does; default RAS)",
    )
    ex.add_argument(
        "--out",
        required=True,
        metavar="PATH",
        help="a file with the format's suffix (all structures) or a folder (one file per structure)",
    )


def _cmd_render(args) -> int:
    if getattr(args, "case", None):
        return _cmd_render_case(args)
    suffix = Path(args.out).suffix.lower()
    if suffix in VIDEO_SUFFIXES:
        return _cmd_render_video(args)
    if suffix != ".png":
        raise UsageError(f"{args.out}: output must be a .png, .mp4 or .gif file")
    if args.animation:
        raise UsageError(f"{args.out}: --animation needs an .mp4 or .gif output")
    out = _writable_png(args.out)
    scenario = _scenario_arg(args) if (args.scenario or args.preset or args.side) else None
    args.view = _default_view(args.view, scenario)
    from .render.images import save_png_atomic

    if scenario is None:
        from .render.scene import render_offscreen

        img = render_offscreen(args.view, args.size, None, labels=args.labels)
    else:  # vessels, lesions, the deformed nerve and the contact callouts
        from .render.scenario_view import render_scenario

        img = render_scenario(scenario, view=args.view, size=args.size, labels=args.labels)
    try:
        save_png_atomic(img, out)
    except OSError as exc:
        raise UsageError(f"{out}: not writable ({exc.strerror or exc})") from None
    print(f"wrote {out} ({args.size[0]}x{args.size[1]}, view {args.view})")
    return 0


def _default_view(view: str | None, scenario) -> str:
    """The view asked for, else the scenario's teaching view (presets), else anterior."""
    if view:
        return view
    teaching = getattr(scenario, "teaching", None)
    return teaching.view if teaching is not None and teaching.view in VIEW_NAMES else "anterior"


def _on_side(scenario, side: str | None):
    """The scenario on `side` (--side): mirrored at x = 0 when it is a case of the other side."""
    from .scenario import mirror_scenario

    return scenario if side is None or scenario.side == side else mirror_scenario(scenario)


def _scenario_arg(args):
    """The scenario named by --scenario (or --preset, where the command has it), on --side if given;
    the default otherwise."""
    return _on_side(_named_scenario(args), getattr(args, "side", None))


def _named_scenario(args):
    from .scenario import ScenarioError, default_scenario, load_scenario

    path = getattr(args, "scenario", None)
    preset = getattr(args, "preset", None)
    if path and preset:
        raise UsageError("give --scenario or --preset, not both")
    try:
        if path:
            return load_scenario(path)
        if preset:
            from .presets import load_preset  # the shipped teaching cases

            return load_preset(preset)
    except ScenarioError as exc:
        raise UsageError(str(exc)) from None
    except KeyError as exc:  # viewer.presets.UnknownPresetError: its text lists the valid names
        raise UsageError(f"--preset: {exc}") from None
    return default_scenario()


class _Progress:
    """Frame progress on stderr: one updating line on a terminal, a line per ~10 % otherwise."""

    def __init__(self, label: str):
        self.label = label
        self.tty = sys.stderr.isatty()
        self.shown = -1

    def __call__(self, done: int, total: int) -> bool:
        pct = 100 * done // max(total, 1)
        if self.tty:
            sys.stderr.write(f"\r{self.label}: frame {done}/{total} ({pct} %)" + ("\n" if done >= total else ""))
            sys.stderr.flush()
        elif pct // 10 != self.shown or done >= total:
            self.shown = pct // 10
            print(f"{self.label}: frame {done}/{total} ({pct} %)", file=sys.stderr, flush=True)
        return True


def _cmd_render_video(args) -> int:
    out = _writable_file(args.out, VIDEO_SUFFIXES)
    scenario = _scenario_arg(args)
    args.view = _default_view(args.view, scenario)
    from .motion import Pulsation
    from .render.video import FfmpegMissing, export_animation

    animation = args.animation or "pulsation"
    kw = {"heart_rate_bpm": args.heart_rate}
    if args.exaggeration is not None:
        kw["exaggeration"] = args.exaggeration
    try:
        info = export_animation(
            scenario,
            out,
            animation,
            frames=args.frames,
            fps=args.fps,
            size=args.size,
            view=args.view,
            pulsation=Pulsation(**kw),
            cycles=args.cycles,
            labels=args.labels,
            progress=_Progress(f"{out.name} ({animation})"),
        )
    except FfmpegMissing as exc:
        raise UsageError(f"{out}: {exc}") from None
    except OSError as exc:
        raise UsageError(f"{out}: not writable ({exc.strerror or exc})") from None
    except KeyboardInterrupt:  # Ctrl+C: the partial video was removed, an existing file kept
        print(f"\n{out}: interrupted, nothing written", file=sys.stderr)
        return 130
    print(
        f"wrote {out} ({info.size[0]}x{info.size[1]}, {info.frames} frames at {info.fps:g} fps, "
        f"{animation}, view {args.view}, {info.seconds:.1f} s)"
    )
    return 0


def _cmd_report(args) -> int:
    out = _writable_file(args.out, (".pdf",))
    scenario = _scenario_arg(args)
    from .gui.report import write_report

    try:
        write_report(scenario, out, image_size=args.size)
    except OSError as exc:
        raise UsageError(f"{out}: not writable ({exc.strerror or exc})") from None
    print(f"wrote {out} (report on '{scenario.name}')")
    return 0


def _cmd_anatomy(args) -> int:
    if args.case:
        if args.side:
            raise UsageError("hfs-viewer anatomy: --side is the case's own with --case")
        return _cmd_anatomy_case(args)
    from .anatomy import build_anatomy
    from .scenario import default_scenario, scenario_to_dict

    side = args.side or "left"
    data = build_anatomy(side).to_dict()
    data["default_scenario"] = scenario_to_dict(default_scenario(side))
    json.dump(data, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


def _is_case(path: str | None) -> bool:
    """A .hfscase argument (by name, or a zip archive under another name)."""
    if not path or path == "-":
        return False
    if path.lower().endswith(".hfscase"):
        return True
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _measure_case(path: str):
    """(case, geometry) of a .hfscase: its surfaces measured; bad input -> UsageError (exit 2)."""
    from .case import CaseError
    from .patient.case_analysis import case_anatomy

    case, meshes = _load_case(path)
    try:
        return case, meshes, case_anatomy(case, meshes, name=Path(path).name)
    except CaseError as exc:
        raise UsageError(str(exc)) from None
    except (ValueError, ArithmeticError) as exc:  # geometry no check foresaw: still one line, exit 2
        raise UsageError(f"{Path(path).name}: the case's geometry cannot be measured ({exc})") from None


def _case_info(case, geometry) -> dict:
    return {
        "name": case.name,
        "anatomy": "patient",
        "frame": "RAS",
        "sources": [
            {k: v for k, v in s.to_dict().items() if k in ("file", "kind", "space", "voxel_mm")} for s in case.sources
        ],
        "contact_threshold_mm": round(geometry.anatomy.tolerance_mm, 3),
        "landmarks": {k: [round(float(x), 3) for x in v] for k, v in geometry.anatomy.landmarks.items()},
        "landmark_sources": dict(geometry.anatomy.facial.landmark_sources),
        "notes": list(geometry.anatomy.facial.notes),
    }


def _cmd_anatomy_case(args) -> int:
    from .patient.case_analysis import case_scenario, vessel_structures
    from .scenario import scenario_to_dict

    case, _, geometry = _measure_case(args.case)
    data = geometry.anatomy.to_dict(_case_info(case, geometry), vessel_structures(case, geometry))
    data["default_scenario"] = scenario_to_dict(case_scenario(case, geometry))
    json.dump(data, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


def _cmd_analyze_case(args) -> int:
    from .analysis import format_report
    from .patient.case_analysis import analyze_case

    if args.side:
        raise UsageError("hfs-viewer analyze: a case is analysed on its own side (no --side)")
    case, meshes, geometry = _measure_case(args.scenario)
    try:
        findings = analyze_case(case, meshes, geometry)
    except (ValueError, ArithmeticError) as exc:  # includes a bad scenario in case.json (CaseError)
        raise UsageError(f"{Path(args.scenario).name}: {exc}") from None
    info = _case_info(case, geometry)
    if args.json:
        data = findings.to_dict()
        data["case"] = info
        json.dump(data, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    files = dict.fromkeys(f"{s['file']} ({s['kind']}, {s['space']})" for s in info["sources"])  # one per file
    names = ", ".join(files) or "none recorded"
    head = [
        f"Patient case '{case.name}': the anatomy is the patient's own (surfaces of the case, RAS mm), "
        f"{case.side} side.",
        f"Source files: {names}.",
        f"Contact: a surface gap of at most {info['contact_threshold_mm']:.2f} mm (one voxel of the source; "
        "0.3 mm for meshes). Severity from the nerve's own shape (docs/case-analysis.md).",
        "Landmarks: "
        + ", ".join(
            f"{k.replace('_', ' ')} ({v})" for k, v in info["landmark_sources"].items() if k != "transition_zone"
        )
        + ".",
        "Warning: the result depends on the segmentation: check the surfaces and the landmarks before relying on it.",
        "",
    ]
    sys.stdout.write("\n".join(head) + "\n" + format_report(findings) + "\n")
    return 0


def _cmd_analyze(args) -> int:
    from .analysis import analyze, format_report
    from .anatomy import build_anatomy
    from .scenario import ScenarioError, load_scenario, parse_scenario

    if not args.preset and _is_case(args.scenario):
        return _cmd_analyze_case(args)
    if args.preset and args.scenario:
        raise UsageError("hfs-viewer analyze: give SCENARIO.json or --preset NAME, not both")
    if not args.preset and not args.scenario:
        raise UsageError("hfs-viewer analyze: give SCENARIO.json (- for standard input) or --preset NAME")
    try:
        if args.preset:
            scenario = _scenario_arg(args)
        elif args.scenario == "-":
            scenario = parse_scenario(sys.stdin.read(), "<stdin>")
        else:
            scenario = load_scenario(args.scenario)
    except ScenarioError as exc:
        raise UsageError(str(exc)) from None
    findings = analyze(_on_side(scenario, args.side))
    if scenario.corridor is not None:  # the planned retraction: how much of the REZ the keyhole shows
        from .corridor import with_corridor
        from .decompression import route

        sided = _on_side(scenario, args.side)
        # the vessels where the MVD plan (pads, slings) puts them block the view, not where they were
        anatomy = build_anatomy(sided.side)
        findings = with_corridor(findings, route(sided, anatomy).scenario, anatomy, pads=sided.pads)
    if args.json:
        json.dump(findings.to_dict(), sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_report(findings) + "\n")
    return 0


def _cmd_presets(args) -> int:
    from .presets import list_presets

    infos = list_presets()
    if args.json:
        json.dump([p.to_dict() for p in infos], sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    rows = [("NAME", "TITLE", "EXPECTED", "VIEW")] + [(p.name, p.title, ", ".join(p.expected), p.view) for p in infos]
    widths = [max(len(r[k]) for r in rows) for k in range(3)]
    for r in rows:
        sys.stdout.write("  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[3] + "\n")
    return 0


def _cmd_meshes(args) -> int:
    from .render.meshgen import ASSET_DIR, write_meshes

    out = Path(args.out) if args.out else ASSET_DIR
    manifest = write_meshes(out)
    print(f"wrote {len(manifest['structures'])} meshes, {manifest['total_triangles']} triangles, to {out}")
    return 0


def _load_case(path: str):
    from .case import CaseError
    from .patient.casefile import read_case

    try:
        return read_case(path)
    except CaseError as exc:
        raise UsageError(str(exc)) from None


def _cmd_import(args) -> int:
    from .case import CaseError, parse_label_spec
    from .patient.casefile import write_case
    from .patient.importer import import_files

    out = _writable_file(args.out, (".hfscase",))
    inputs = list(args.inputs)
    if args.demo:
        from .patient.demo import demo_files

        inputs += [str(p) for p in demo_files("nifti")]
    if not inputs:
        raise UsageError("hfs-viewer import: give INPUT files (or --demo)")
    try:
        labels = {}
        for spec in args.label:
            value, role, vessel_role = parse_label_spec(spec)
            labels[value] = (role, vessel_role)
        result = import_files(inputs, labels=labels, space=args.space, name=args.name)
    except CaseError as exc:
        raise UsageError(str(exc)) from None
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    try:
        write_case(out, result.case, result.meshes)
    except OSError as exc:
        raise UsageError(f"{out}: not writable ({exc.strerror or exc})") from None
    tri = sum(m.n_cells for m in result.meshes.values())
    roles = ", ".join(f"{s.id}={s.role}{':' + s.vessel_role if s.vessel_role else ''}" for s in result.case.structures)
    print(f"wrote {out} ({len(result.case.structures)} structures, {tri} triangles: {roles})")
    return 0


def _cmd_case(args) -> int:
    from .patient.importer import structure_stats

    case, meshes = _load_case(args.case)
    data = case.to_dict()
    for s in data["structures"]:
        s.update(structure_stats(meshes[s["id"]]))
    json.dump(data, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


def _cmd_export(args) -> int:
    from .case import CaseError
    from .patient.export import export_surfaces

    if args.case:
        case, meshes = _load_case(args.case)
        from .render.case_view import case_export_items

        items = case_export_items(case, meshes)
    else:
        scenario = _scenario_arg(args)
        from .render.case_view import scenario_export_items

        items = scenario_export_items(scenario)
    try:
        written = export_surfaces(items, args.format, args.out, args.space)
    except CaseError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"{args.out}: not writable ({exc.strerror or exc})") from None
    tri = sum(len(i.triangles) for i in items)
    where = written[0] if len(written) == 1 else f"{len(written)} files in {args.out}"
    print(f"wrote {where} ({len(items)} structures, {tri} triangles, {args.format.upper()}, SPACE={args.space})")
    return 0


def _cmd_render_case(args) -> int:
    out = _writable_png(args.out)
    case, meshes = _load_case(args.case)
    view = args.view or "anterior"
    from .render.case_view import render_case
    from .render.images import save_png_atomic

    img = render_case(case, meshes, view=view, size=args.size)
    try:
        save_png_atomic(img, out)
    except OSError as exc:
        raise UsageError(f"{out}: not writable ({exc.strerror or exc})") from None
    print(f"wrote {out} ({args.size[0]}x{args.size[1]}, case '{case.name}', view {view})")
    return 0


def _cmd_gui(args) -> int:
    if args.screenshot:
        _writable_png(args.screenshot)
    scenario = None
    if args.scenario or args.preset or args.side:
        scenario = _scenario_arg(args)
    view = args.view or (_default_view(None, scenario) if args.preset else None)
    case = None
    if args.case:
        if scenario is not None:
            raise UsageError("hfs-viewer: --case opens a patient case; leave out --scenario/--preset/--side")
        case = (Path(args.case), *_load_case(args.case))  # checked before any window opens
    from .gui.app import run_gui

    return run_gui(view=view, screenshot=args.screenshot, size=args.size, scenario=scenario, case=case)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        handler = {
            "render": _cmd_render,
            "report": _cmd_report,
            "anatomy": _cmd_anatomy,
            "analyze": _cmd_analyze,
            "presets": _cmd_presets,
            "meshes": _cmd_meshes,
            "import": _cmd_import,
            "case": _cmd_case,
            "export": _cmd_export,
            None: _cmd_gui,
        }[args.command]
        return handler(args)
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `hfs-viewer anatomy --json | head`
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
