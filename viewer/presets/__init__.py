"""Teaching presets: shipped scenario files (format v1, or v2 where a case needs it) with a teaching block (pure core).

Each preset is one ordinary scenario file, ``viewer/presets/<name>.json``, that a
user can open, edit and save like any other; its ``teaching`` block holds the
title, a sourced teaching note, the classification the analysis must find and
the camera view that shows it best. The files are generated from the anatomy
model by ``scripts/make_presets.py`` and checked by ``tests/unit/test_presets.py``.

Files are read with importlib.resources, so presets work from a source checkout,
an installed wheel and a frozen (PyInstaller) build alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from ..scenario import Scenario, ScenarioError, parse_scenario

__all__ = [
    "PRESET_NAMES",
    "PresetInfo",
    "UnknownPresetError",
    "list_presets",
    "load_preset",
    "preset_path",
    "preset_text",
]

# Teaching order: from the classic case to the rarer causes and the cases without compression.
PRESET_NAMES: tuple[str, ...] = (
    "aica-attached-segment",
    "pica-root-exit-point",
    "aica-root-detachment-point",
    "mild-contact",
    "severe-deviation",
    "distal-cisternal-aica",
    "multiple-aica-pica",
    "double-compression",
    "vertebral-tandem",
    "venous-compression",
    "va-aica-pica-multivessel",
    "vestibular-schwannoma",
    "cpa-meningioma",
    "avm",
    "pica-aneurysm",
    "brainstem-ms-plaque",
    "post-bells-palsy",
    "post-traumatic",
    "inflammatory",
    "idiopathic",
    # MVD rehearsal: the plan (Teflon pads, slings) and its decompression check
    "mvd-aica-pad",
    "mvd-vertebral-sling",
    "mvd-pica-rexp-pad",
    "mvd-pad-on-rez",
    "mvd-right-aica-pad",
)


class UnknownPresetError(KeyError):
    """No preset of that name; ``str(err)`` lists the valid names."""

    def __init__(self, name: str):
        self.name = name
        super().__init__(name)

    def __str__(self) -> str:
        return f"unknown preset '{self.name}' (valid: {', '.join(PRESET_NAMES)})"


@dataclass(frozen=True)
class PresetInfo:
    name: str
    title: str
    expected: tuple[str, ...]
    view: str
    expected_segment: str | None = None
    expected_severity: str | None = None

    def to_dict(self) -> dict:
        """``{"name", "title", "expected", "view", ...}`` (the CLI's `presets --list --json` entry)."""
        d = {"name": self.name, "title": self.title, "expected": list(self.expected), "view": self.view}
        if self.expected_segment is not None:
            d["expected_segment"] = self.expected_segment
        if self.expected_severity is not None:
            d["expected_severity"] = self.expected_severity
        return d


def _resource(name: str):
    if name not in PRESET_NAMES:
        raise UnknownPresetError(name)
    return resources.files(__package__).joinpath(f"{name}.json")


def preset_text(name: str) -> str:
    """The preset file's JSON text."""
    return _resource(name).read_text(encoding="utf-8")


def preset_path(name: str) -> Path:
    """Filesystem path of the preset file (a source checkout, a wheel or a frozen bundle's data folder)."""
    res = _resource(name)
    path = Path(str(res))
    if not path.is_file():  # e.g. a zip import: there is no plain file to point at
        raise FileNotFoundError(f"preset '{name}' is not a plain file ({res})")
    return path


@cache
def load_preset(name: str) -> Scenario:
    """The preset as a validated Scenario (teaching block included). Unknown name: UnknownPresetError."""
    text = preset_text(name)
    scenario = parse_scenario(text, f"preset {name}.json")
    if scenario.teaching is None:
        raise ScenarioError(f"preset {name}.json", "$.teaching", "a preset needs a teaching block")
    return scenario


def list_presets() -> list[PresetInfo]:
    """Every preset's name, title, expected classification and view, in teaching order."""
    out = []
    for name in PRESET_NAMES:
        t = load_preset(name).teaching
        out.append(PresetInfo(name, t.title, t.expected, t.view, t.expected_segment, t.expected_severity))
    return out
