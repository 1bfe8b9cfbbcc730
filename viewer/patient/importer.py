"""Files -> a Case and its surfaces: read, mesh, smooth, decimate to the case budget, name
and give roles. Headless (the CLI `import` command; the GUI's import dialog shows the
result and lets the user change roles before saving)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyvista as pv

from ..case import Case, CaseError, Source, Structure, check_role, default_colour, guess_role, slug
from . import readers, surfaces
from .readers import MAX_LABELS, LabelInfo

MAX_STRUCTURES = 256  # per label map: more is an intensity image (a segmentation has tens)


class ImportCancelled(Exception):
    """The progress callback asked to stop; nothing was written."""


@dataclass
class ImportResult:
    case: Case
    meshes: dict[str, pv.PolyData]
    warnings: list[str] = field(default_factory=list)


Progress = Callable[[str, float], bool]


def _no_progress(stage: str, fraction: float) -> bool:
    return True


@dataclass
class _Part:
    name: str
    mesh: pv.PolyData
    source: Source
    role: tuple[str, str | None, str | None]
    colour: tuple[int, int, int] | None


def import_files(
    inputs,
    labels: dict[int, tuple[str, str | None]] | None = None,
    space: str | None = None,
    name: str | None = None,
    progress: Progress = _no_progress,
    budget: int = surfaces.CASE_TRIANGLE_BUDGET,
) -> ImportResult:
    """Build a case from label maps (NIfTI, NRRD, .seg.nrrd), meshes and label tables.

    `labels` maps a label value to (role, vessel_role) and overrides guessed roles;
    `space` is the frame of untagged meshes (default RAS). Raises CaseError with one
    line naming the file on bad input, ImportCancelled if `progress` returns False."""
    labels = labels or {}
    paths = [Path(p) for p in inputs]
    if not paths:
        raise CaseError("import: no input files")
    for p in paths:
        if not p.is_file():
            raise CaseError(f"{p}: no such file")
    kinds = {p: readers.file_kind(p) for p in paths}
    tables: dict[int, LabelInfo] = {}
    for p in paths:
        if kinds[p] == "table":
            tables.update(readers.read_label_table(p))
    data_paths = [p for p in paths if kinds[p] != "table"]
    if not data_paths:
        raise CaseError(f"{paths[0].name}: a label table alone; give the label map too")
    warnings: list[str] = []
    parts: list[_Part] = []
    n = len(data_paths)
    for i, p in enumerate(data_paths):
        base = i / n
        if not progress(f"reading {p.name}", base):
            raise ImportCancelled()
        sha = readers.sha256_file(p)
        if kinds[p] == "mesh":
            mesh, frame = readers.read_mesh(p, space)
            guessed = guess_role(_stem(p))
            parts.append(_Part(_stem(p), mesh, Source(p.name, sha, "mesh", frame, None), guessed, None))
            continue
        vol = readers.read_volume(p)
        warnings += vol.warnings
        table = dict(tables)
        side = readers.sidecar_table(p)
        if side is not None and side not in paths:
            table = {**readers.read_label_table(side), **tables}
        parts += _volume_parts(vol, sha, table, progress, base, 1.0 / n)
    if not parts:
        raise CaseError(f"{data_paths[0].name}: no labelled voxels (every value is 0)")
    unused = sorted(set(labels) - {pt.source.label for pt in parts if pt.source.label is not None})
    if unused:
        raise CaseError(
            f"--label {unused[0]}: no such label value in the input "
            f"(values: {', '.join(str(pt.source.label) for pt in parts if pt.source.label is not None)})"
        )
    if not progress("decimating", 0.95):
        raise ImportCancelled()
    targets = surfaces.budget_targets({k: pt.mesh.n_cells for k, pt in enumerate(parts)}, budget)
    for k, pt in enumerate(parts):
        pt.mesh = surfaces.finish(surfaces.decimate(pt.mesh, targets[k]))
    return _assemble(parts, labels, name or _stem(data_paths[0]), warnings)


def _stem(p: Path) -> str:
    name = p.name
    for suf in (".nii.gz", ".seg.nrrd", ".nii", ".nrrd", *readers.MESH_SUFFIXES):
        if name.lower().endswith(suf):
            return name[: -len(suf)] or name
    return p.stem


def _volume_parts(vol, sha, table, progress, base, span) -> list[_Part]:
    out = []
    layers = vol.data.shape[0]
    for layer in range(layers):
        if not progress(f"meshing {vol.path.name}", base + span * layer / layers):
            raise ImportCancelled()
        data = vol.data[layer]
        lo, hi = int(data.min()), int(data.max())
        if hi - lo <= MAX_LABELS:  # every value in the range: absent ones simply give no faces
            values = [
                v for v in range(lo, hi + 1) if v != 0
            ]  # (a full scan for the distinct ones costs more than meshing)
        else:
            values = readers.label_values(data)
            if len(values) > MAX_LABELS:
                raise CaseError(
                    f"{vol.path.name}: {len(values)} distinct values: this looks like an intensity "
                    f"image, not a label map (at most {MAX_LABELS} labels)"
                )
        if vol.labels:  # .seg.nrrd: only the declared segments of this layer
            values = [v for v in values if (layer, int(v)) in vol.labels]
        if not len(values):
            continue
        pts, tris, bl = surfaces.surface_nets(data, values)
        present = np.unique(bl)
        present = present[present != 0]
        if len(present) > MAX_STRUCTURES:
            raise CaseError(
                f"{vol.path.name}: {len(present)} distinct values: this looks like an intensity "
                f"image, not a label map (at most {MAX_STRUCTURES} structures)"
            )
        meshes = surfaces.split_labels(pts, tris, bl, [v for v in values if v in set(present.tolist())], vol.affine)
        if meshes:
            b = np.array([m.bounds for m in meshes.values()])
            readers.check_mm_extent(
                vol.path.name,
                [b[:, 0].min(), b[:, 1].max(), b[:, 2].min(), b[:, 3].max(), b[:, 4].min(), b[:, 5].max()],
            )
        for v, mesh in meshes.items():
            info = vol.labels.get((layer, v)) or table.get(v)
            nm = info.name if info else f"Label {v}"
            out.append(
                _Part(
                    nm,
                    mesh,
                    Source(
                        vol.path.name,
                        sha,
                        vol.kind,
                        vol.space,
                        int(v),
                        tuple(round(float(x), 6) for x in vol.voxel_size),
                    ),
                    guess_role(nm),
                    info.colour if info else None,
                )
            )
    return out


def _assemble(parts: list[_Part], labels: dict, name: str, warnings: list[str]) -> ImportResult:
    sources: list[Source] = []
    structures, meshes, taken = [], {}, set()
    for pt in parts:
        if pt.source not in sources:
            sources.append(pt.source)
        role, vr, kind = pt.role
        if pt.source.label is not None and pt.source.label in labels:
            role, vr, kind = check_role(*labels[pt.source.label], what=f"--label {pt.source.label}")
        sid = slug(pt.name, taken)
        colour = pt.colour or default_colour(role, kind)
        structures.append(
            Structure(
                sid,
                pt.name,
                role,
                tuple(int(c) for c in colour),
                vr,
                kind,
                surfaces.count_pieces(pt.mesh),
                sources.index(pt.source),
            )
        )
        meshes[sid] = pt.mesh
    side = "left"
    facial = [s for s in structures if s.role == "facial_nerve"]
    if facial:
        side = "right" if float(np.mean(meshes[facial[0].id].points[:, 0])) > 0 else "left"
    case = Case(name=name, structures=tuple(structures), sources=tuple(sources), side=side)
    return ImportResult(case, meshes, warnings)


def structure_stats(mesh: pv.PolyData) -> dict:
    """bounds_mm, volume_mm3 (enclosed, from the outward faces) and triangles, for `case --json`."""
    b = [round(float(v), 3) for v in mesh.bounds]
    return {"bounds_mm": b, "volume_mm3": round(surfaces.signed_volume(mesh), 3), "triangles": int(mesh.n_cells)}
