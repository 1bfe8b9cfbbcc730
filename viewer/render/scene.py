"""The 3D scene: shipped meshes -> one actor per structure on any pyvista plotter.

Works the same on a Qt `QtInteractor` and on an offscreen `pyvista.Plotter`, so the
GUI, the headless `render` command and the render tests share one code path.
Actors are created once; visibility, opacity and colour change in place.

Both sides: only the left meshes ship. A right-sided scene mirrors them at x = 0 in
place (`mirror_mesh_set`, `Scene.set_side`): points and normals reflected, and every
surface kept outward-facing. A reflection turns a surface inside out, so a general
mesh gets each triangle's winding reversed; a tube (a vessel or nerve, whose points
the live updates rewrite with the shipped tube topology) instead has its vertices
renumbered within each ring (angle theta <-> pi - theta), which is exactly the layout
`viewer.tubes` builds around the mirrored centreline, so the shipped topology stays
outward and in-place live updates keep working (the same vertices; each quad of the
tube is split along its other diagonal). Names swap Left/Right.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyvista as pv

from ..display import DisplayState, Override, StructureInfo
from ..views import VIEW_VISIBILITY
from ..vocabulary import SIDES, swap_side_words
from .meshgen import ASSET_DIR, TUBE_SIDES
from .orientation import OrientationMarker
from .style import BACKGROUND
from .views import DEFAULT_VIEW, VIEWS, camera_for

VIEW_OVERRIDE = "view structures"  # the display override a view with its own structures installs


def view_overrides(name: str) -> dict[str, Override]:
    """The structures a view shows whatever the user hid (the keyhole view's corridor and IX/X/XI)."""
    return {sid: Override(visible=True) for sid in VIEW_VISIBILITY.get(name, ())}


TUBE_CAP_RINGS = 5  # meshgen's tubes: 24 sides, 5 cap rings, two poles

__all__ = [
    "MeshError",
    "StructureInfo",
    "MeshSet",
    "load_meshes",
    "mirror_mesh",
    "mirror_mesh_set",
    "Scene",
    "render_offscreen",
]


class MeshError(Exception):
    """A shipped or imported mesh is missing, unreadable or inconsistent (message names the file)."""


@dataclass
class MeshSet:
    structures: dict[str, StructureInfo]
    meshes: dict[str, pv.PolyData] = field(repr=False)
    side: str = "left"  # the shipped meshes are the left; "right": mirrored in place


def _tube_ring_permutation(mesh: pv.PolyData) -> np.ndarray | None:
    """Vertex renumbering theta_k -> theta_(12-k) within every ring of a shipped tube (None: not a tube)."""
    sides = TUBE_SIDES
    rings = (mesh.n_points - 2) / sides
    if rings != int(rings) or rings < 2 * TUBE_CAP_RINGS + 2:
        return None
    rings = int(rings)
    k = np.arange(sides)
    within = (sides // 2 - k) % sides
    perm = (np.arange(rings)[:, None] * sides + within[None, :]).ravel()
    return np.concatenate([perm, [rings * sides, rings * sides + 1]])


def mirror_mesh(mesh: pv.PolyData, tube: bool = False) -> None:
    """Reflect a mesh at x = 0 in place, keeping its surface outward (see the module docstring).

    `tube`: the mesh is a shipped tube (renumber within rings); else reverse the winding."""
    perm = _tube_ring_permutation(mesh) if tube else None
    if tube and perm is None:
        raise ValueError(f"mesh with {mesh.n_points} points is not a shipped tube")
    pts = np.array(mesh.points, dtype=float)
    if perm is not None:
        pts = pts[perm]
    pts[:, 0] = 0.0 - pts[:, 0]
    mesh.points[:] = pts
    for data, permute in ((mesh.point_data, perm), (mesh.cell_data, None)):
        for name in list(data.keys()):
            arr = np.array(data[name])
            if permute is not None:
                arr = arr[permute]
            if name == "Normals":
                arr[:, 0] = 0.0 - arr[:, 0]
            data[name][:] = arr
            vtk_arr = data.GetAbstractArray(name) if hasattr(data, "GetAbstractArray") else None
            if vtk_arr is not None:
                vtk_arr.Modified()
    if perm is None:
        faces = mesh.regular_faces
        mesh.faces = np.column_stack([np.full(len(faces), 3), faces[:, 0], faces[:, 2], faces[:, 1]]).ravel()
    mesh.GetPoints().Modified()
    mesh.Modified()


def _is_tube(info: StructureInfo) -> bool:
    return info.kind in ("artery", "vein", "nerve")


def mirror_mesh_set(mesh_set: MeshSet, side: str) -> bool:
    """Bring a mesh set to `side` in place (meshes reflected, names' Left/Right swapped). False if already there."""
    if side not in SIDES:
        raise ValueError(f"unknown side '{side}'")
    if mesh_set.side == side:
        return False
    for sid, mesh in mesh_set.meshes.items():
        info = mesh_set.structures[sid]
        mirror_mesh(mesh, tube=_is_tube(info) and _tube_ring_permutation(mesh) is not None)
        info.name = swap_side_words(info.name)
        info.description = swap_side_words(info.description)
    mesh_set.side = side
    return True


def load_meshes(asset_dir: Path | str = ASSET_DIR, side: str = "left") -> MeshSet:
    """Read manifest.json and every mesh it lists (mirrored for `side` "right"); raise MeshError naming the bad file."""
    asset_dir = Path(asset_dir)
    manifest_path = asset_dir / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        entries = manifest["structures"]
    except FileNotFoundError:
        raise MeshError(f"{manifest_path}: missing (run `make meshes` to generate the assets)") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise MeshError(f"{manifest_path}: not a valid mesh manifest ({exc})") from None
    structures: dict[str, StructureInfo] = {}
    meshes: dict[str, pv.PolyData] = {}
    for e in entries:
        path = asset_dir / e["file"]
        if not path.is_file():
            raise MeshError(f"{path}: missing mesh file for structure '{e['id']}'")
        try:
            mesh = pv.read(path)
        except Exception as exc:  # VTK raises assorted errors on corrupt XML
            raise MeshError(f"{path}: unreadable mesh ({exc})") from None
        if mesh.n_points == 0 or mesh.n_cells == 0:
            raise MeshError(f"{path}: empty or corrupt mesh (no points or cells)")
        if not np.isfinite(mesh.points).all():
            raise MeshError(f"{path}: mesh has NaN or infinite coordinates")
        structures[e["id"]] = StructureInfo(
            e["id"],
            e["name"],
            e["kind"],
            e["role"],
            e["group"],
            e["description"],
            tuple(e["colour"]),
            bool(e["visible"]),
            int(e["triangles"]),
            path,
            e.get("radius_mm"),
        )
        meshes[e["id"]] = mesh
    mesh_set = MeshSet(structures, meshes)
    mirror_mesh_set(mesh_set, side)
    return mesh_set


class Scene:
    """All structure actors on one plotter, plus labels, orientation marker and views."""

    def __init__(self, plotter: pv.Plotter, mesh_set: MeshSet | None = None, display: DisplayState | None = None):
        self.plotter = plotter
        self.mesh_set = mesh_set or load_meshes()
        self.structures = self.mesh_set.structures
        # The effective look of every structure comes from one DisplayState (user values +
        # overrides); the scene only applies it. `absent`: shipped vessels the scenario omits.
        self.display = display if display is not None else DisplayState(self.structures)
        self.absent: set[str] = set()
        self.actors: dict[str, pv.Actor] = {}
        self._label_actor = None
        self._labels_on = False
        self.current_view = DEFAULT_VIEW
        self._build()
        self.display.add_listener(self._on_display)

    # ------------------------------------------------------------------ build
    def _build(self) -> None:
        p = self.plotter
        p.set_background(BACKGROUND[0], top=BACKGROUND[1])
        for sid, info in self.structures.items():
            mesh = self.mesh_set.meshes[sid]
            kw = dict(
                smooth_shading=True,
                specular=0.35,
                specular_power=20,
                diffuse=0.85,
                ambient=0.12,
                name=sid,
                pickable=True,
                reset_camera=False,
            )
            if "rgb" in mesh.point_data:
                actor = p.add_mesh(mesh, scalars="rgb", rgb=True, **kw)
            else:
                actor = p.add_mesh(mesh, color=info.colour, **kw)
            self.actors[sid] = actor
            self.apply(sid)
        self.orientation = OrientationMarker(p, labels=("R", "A", "S"), line_width=3)
        self.set_view(DEFAULT_VIEW)

    # ------------------------------------------------------------------ state
    def apply(self, sid: str, what: str | None = None) -> None:
        """Bring one actor up to the display state's effective values (`what` None: all of them)."""
        if sid not in self.actors or sid not in self.display.structures:
            return
        actor, d = self.actors[sid], self.display
        if what in (None, "visible"):
            actor.visibility = d.visible(sid) and sid not in self.absent
        if what in (None, "opacity"):
            actor.prop.opacity = d.opacity(sid)
        if what in (None, "colour"):
            rgb = d.colour(sid)
            if tuple(rgb) == tuple(self.structures[sid].colour) and "rgb" in self.mesh_set.meshes[sid].point_data:
                actor.mapper.scalar_visibility = True  # the shipped per-vertex bands (CN VII zones)
            else:
                actor.mapper.scalar_visibility = False
                actor.prop.color = tuple(int(c) for c in rgb)

    def _on_display(self, sid: str, what: str) -> None:
        self.apply(sid, what)
        if what == "visible":
            self._refresh_labels()

    def set_absent(self, absent: set[str]) -> None:
        """Hide the shipped structures a scenario leaves out; show the others as the display says."""
        changed = self.absent ^ set(absent)
        self.absent = set(absent)
        for sid in changed:
            self.apply(sid, "visible")
        if changed:
            self._refresh_labels()

    def set_visible(self, sid: str, visible: bool) -> None:
        self.display.set_visible(sid, visible)

    def is_visible(self, sid: str) -> bool:
        return bool(self.actors[sid].visibility)

    def set_opacity(self, sid: str, opacity: float) -> None:
        self.display.set_opacity(sid, opacity)

    def opacity(self, sid: str) -> float:
        return float(self.actors[sid].prop.opacity)

    def set_colour(self, sid: str, rgb) -> None:
        self.display.set_colour(sid, rgb)

    def close(self) -> None:
        """Stop listening to the display state (it may outlive this plotter)."""
        self.display.remove_listener(self._on_display)

    # ------------------------------------------------------------------ side
    @property
    def side(self) -> str:
        """The patient side the meshes show ("right": the shipped left meshes mirrored)."""
        return self.mesh_set.side

    def set_side(self, side: str) -> bool:
        """Mirror every actor's mesh in place to `side` and take the current view's camera from
        that side. The actors stay the same objects. False if already on that side."""
        if not mirror_mesh_set(self.mesh_set, side):
            return False
        if self._labels_on:
            self._refresh_labels()
        self.set_view(self.current_view)
        return True

    # ------------------------------------------------------------------ camera
    def set_view(self, name: str) -> None:
        if name not in VIEWS:
            raise KeyError(f"unknown view '{name}' (choose from {', '.join(VIEWS)})")
        pos, focal, up = camera_for(name, self.side)
        cam = self.plotter.camera
        cam.focal_point = tuple(focal)
        cam.position = tuple(pos)
        cam.up = tuple(up)
        cam.view_angle = 30.0
        self.plotter.reset_camera_clipping_range()
        self.current_view = name
        self.display.set_override(VIEW_OVERRIDE, view_overrides(name))

    # ------------------------------------------------------------------ labels
    def label_anchors(self) -> dict[str, np.ndarray]:
        """A point per visible structure to hang its text label on."""
        out = {}
        for sid, mesh in self.mesh_set.meshes.items():
            if not self.actors[sid].visibility:
                continue
            pts = mesh.points
            if sid == "brainstem":
                out[sid] = np.array([-9.0 if self.side == "left" else 9.0, 10.0, 18.0])
            elif self.structures[sid].kind in ("artery", "vein", "nerve"):
                out[sid] = pts[int(len(pts) * 0.62)]
            else:
                out[sid] = np.asarray(mesh.center)
        return out

    def set_labels(self, on: bool) -> None:
        self._labels_on = bool(on)
        self._refresh_labels()

    @property
    def labels_on(self) -> bool:
        return self._labels_on

    def _refresh_labels(self) -> None:
        if self._label_actor is not None:
            self.plotter.remove_actor(self._label_actor, render=False)
            self.plotter.remove_actor("structure-labels-points", render=False)  # add_point_labels' 2nd actor
            self._label_actor = None
        if not self._labels_on:
            return
        anchors = self.label_anchors()
        if not anchors:
            return
        names = [self.structures[s].name for s in anchors]
        self._label_actor = self.plotter.add_point_labels(
            np.array(list(anchors.values())),
            names,
            font_size=16,
            point_size=1,
            shape_opacity=0.55,
            always_visible=True,
            name="structure-labels",
            reset_camera=False,
            render=False,
            pickable=False,
        )

    # ------------------------------------------------------------------ picking
    def structure_of_actor(self, actor) -> str | None:
        for sid, a in self.actors.items():
            if a is actor:
                return sid
        return None


def render_offscreen(
    view: str = DEFAULT_VIEW, size=(1600, 1000), out: Path | str | None = None, labels: bool = False
) -> np.ndarray:
    """Render the default scene without any window (VTK falls back to EGL/OSMesa)."""
    plotter = pv.Plotter(off_screen=True, window_size=list(size))
    try:
        scene = Scene(plotter)
        scene.set_view(view)
        scene.set_labels(labels)
        img = plotter.screenshot(str(out) if out else None, return_img=True)
    finally:
        plotter.close()
    return img
