"""Display state of the scene's structures: one owner for visibility, opacity and colour (pure core).

The user sets a visibility, opacity and colour per structure. Features that need to
change how a structure looks for a while (a brainstem plaque needs a see-through pons,
the mechanism view makes brainstem and bone translucent, a brainstem lesion shows the
facial motor nucleus) do not write over the user's values: they register a named
*override*. The value the view draws and the panel shows is the *effective* one: the
user's opacity capped by every override's ceiling, the user's visibility unless an
override forces the structure on. Removing an override gives the user's values back
exactly, whatever the user changed meanwhile.

Listeners (`add_listener`) hear `(structure id, what)` for every change of an
effective value, what being "visible", "opacity" or "colour": the Qt document turns
them into signals, an offscreen renderer applies them to actors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["StructureInfo", "Override", "DisplayState", "DEFAULT_OPACITY"]

# Bone is drawn see-through by default: it would hide the CPA from most views.
DEFAULT_OPACITY = {"bone": 0.35}


@dataclass
class StructureInfo:
    """What the app knows about a displayed structure (from the mesh manifest or a case)."""

    id: str
    name: str
    kind: str
    role: str
    group: str
    description: str
    colour: tuple[int, int, int]
    visible: bool
    triangles: int
    file: Path | None = None
    radius_mm: float | None = None


@dataclass(frozen=True)
class Override:
    """A temporary change of one structure's look: an opacity ceiling and/or forced visibility."""

    max_opacity: float | None = None
    visible: bool | None = None  # True: shown even if the user hid it


class DisplayState:
    """User values + named overrides -> the effective visibility, opacity and colour."""

    def __init__(self, structures: Mapping[str, StructureInfo]):
        self.structures = dict(structures)
        self._visible = {sid: bool(s.visible) for sid, s in self.structures.items()}
        self._opacity = {sid: float(DEFAULT_OPACITY.get(s.kind, 1.0)) for sid, s in self.structures.items()}
        self._colour = {sid: tuple(int(c) for c in s.colour) for sid, s in self.structures.items()}
        self._overrides: dict[str, dict[str, Override]] = {}
        self._listeners: list[Callable[[str, str], None]] = []

    # ------------------------------------------------------------------ listeners
    def add_listener(self, fn: Callable[[str, str], None]) -> None:
        self._listeners.append(fn)

    def remove_listener(self, fn: Callable[[str, str], None]) -> None:
        if fn in self._listeners:
            self._listeners.remove(fn)

    def _notify(self, sid: str, what: str) -> None:
        for fn in list(self._listeners):
            fn(sid, what)

    # ------------------------------------------------------------------ queries
    def ids(self) -> list[str]:
        return list(self.structures)

    def user_visible(self, sid: str) -> bool:
        return self._visible[sid]

    def user_opacity(self, sid: str) -> float:
        return self._opacity[sid]

    def colour(self, sid: str) -> tuple[int, int, int]:
        return self._colour[sid]

    def visible(self, sid: str) -> bool:
        """Effective visibility: the user's, unless an override forces the structure on."""
        forced = [o.visible for o in self._active(sid) if o.visible is not None]
        return any(forced) if forced else self._visible[sid]

    def opacity(self, sid: str) -> float:
        """Effective opacity: the user's value capped by every active override."""
        caps = [o.max_opacity for o in self._active(sid) if o.max_opacity is not None]
        return min([self._opacity[sid], *caps])

    def overridden_by(self, sid: str) -> list[str]:
        """Names of the overrides acting on `sid` now (for a tooltip: why 40 % and not 100 %)."""
        return [name for name, per in self._overrides.items() if sid in per]

    def _active(self, sid: str) -> Iterable[Override]:
        return (per[sid] for per in self._overrides.values() if sid in per)

    # ------------------------------------------------------------------ user values
    def _changing(self, sids: Iterable[str], apply: Callable[[], None]) -> None:
        """Run `apply` and notify every effective value of `sids` that changed."""
        sids = [s for s in sids if s in self.structures]
        before = {s: (self.visible(s), self.opacity(s), self._colour[s]) for s in sids}
        apply()
        for s in sids:
            vis, op, col = before[s]
            if self.visible(s) != vis:
                self._notify(s, "visible")
            if abs(self.opacity(s) - op) > 1e-9:
                self._notify(s, "opacity")
            if self._colour[s] != col:
                self._notify(s, "colour")

    def set_visible(self, sid: str, visible: bool) -> None:
        self._changing([sid], lambda: self._visible.__setitem__(sid, bool(visible)))

    def set_opacity(self, sid: str, opacity: float) -> None:
        value = min(max(float(opacity), 0.0), 1.0)
        self._changing([sid], lambda: self._opacity.__setitem__(sid, value))

    def set_colour(self, sid: str, rgb) -> None:
        rgb = tuple(int(min(max(c, 0), 255)) for c in rgb)
        if len(rgb) != 3:
            raise ValueError(f"colour must be (r, g, b), got {rgb}")
        self._changing([sid], lambda: self._colour.__setitem__(sid, rgb))

    # ------------------------------------------------------------------ overrides
    def set_override(self, name: str, per_structure: Mapping[str, Override]) -> None:
        """Install (or replace) the override `name`; unknown structure ids are ignored."""
        new = {sid: o for sid, o in per_structure.items() if sid in self.structures}
        old = self._overrides.get(name, {})
        if new == old:
            return

        def apply():
            if new:
                self._overrides[name] = new
            else:
                self._overrides.pop(name, None)

        self._changing(set(old) | set(new), apply)

    def clear_override(self, name: str) -> None:
        self.set_override(name, {})

    def has_override(self, name: str) -> bool:
        return name in self._overrides
