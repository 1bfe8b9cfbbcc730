"""Surface export for 3D printing and other tools: STL, OBJ, PLY, glTF binary (.glb).

Written with numpy (no extra library): the formats are small and this keeps the frame
tag exactly where 3D Slicer writes it: `SPACE=RAS|LPS` in the STL header, in an OBJ
comment, in a PLY comment. LPS is RAS with x and y negated (a 180 degree turn about z,
so faces keep their outward order). glTF has no frame tag (its own frame is +Y up);
its points are written in the chosen frame as they are, with the tag in asset.extras.

`out` ending in the format's suffix: one file holding every structure (OBJ objects and
glTF nodes keep them apart; STL and PLY merge them). Any other `out`: a folder with
one file per structure (not for .glb, which is always one file).
"""

from __future__ import annotations

import json
import re
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..atomic import atomic_path
from ..case import CaseError

FORMATS = ("stl", "obj", "ply", "glb")
PRODUCER = "HFS Compression Viewer"


@dataclass
class ExportItem:
    id: str
    name: str
    colour: tuple[int, int, int]
    points: np.ndarray  # (n, 3) RAS mm
    triangles: np.ndarray  # (m, 3) int


def item_from_mesh(sid: str, name: str, colour, mesh) -> ExportItem:
    m = mesh.triangulate() if not mesh.is_all_triangles else mesh
    return ExportItem(
        sid, name, tuple(int(c) for c in colour), np.asarray(m.points, float), np.asarray(m.regular_faces, np.int64)
    )


def _framed(points: np.ndarray, space: str) -> np.ndarray:
    return points * np.array([-1.0, -1.0, 1.0]) if space == "LPS" else points


def _vertex_normals(p: np.ndarray, f: np.ndarray) -> np.ndarray:
    fn = np.cross(p[f[:, 1]] - p[f[:, 0]], p[f[:, 2]] - p[f[:, 0]])
    n = np.zeros_like(p)
    for k in range(3):
        np.add.at(n, f[:, k], fn)
    ln = np.linalg.norm(n, axis=1, keepdims=True)
    return n / np.where(ln > 0, ln, 1.0)


def _merged(items: list[ExportItem], space: str):
    pts, tris, cols, off = [], [], [], 0
    for it in items:
        pts.append(_framed(it.points, space))
        tris.append(it.triangles + off)
        cols.append(np.tile(np.array(it.colour, np.uint8), (len(it.points), 1)))
        off += len(it.points)
    return np.vstack(pts), np.vstack(tris), np.vstack(cols)


def _stl_bytes(p: np.ndarray, f: np.ndarray, space: str) -> bytes:
    header = f"{PRODUCER} output. SPACE={space}".encode("ascii").ljust(80, b" ")[:80]
    tri = p[f].astype(np.float32)
    n = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    ln = np.linalg.norm(n, axis=1, keepdims=True)
    n = (n / np.where(ln > 0, ln, 1.0)).astype(np.float32)
    rec = np.zeros(len(f), dtype=[("n", "<f4", 3), ("v", "<f4", (3, 3)), ("a", "<u2")])
    rec["n"], rec["v"] = n, tri
    return header + struct.pack("<I", len(f)) + rec.tobytes()


def _obj_text(items: list[ExportItem], space: str) -> str:
    lines = [f"# {PRODUCER} output. SPACE={space}", "# units: mm"]
    off = 1
    for it in items:
        p = _framed(it.points, space)
        n = _vertex_normals(p, it.triangles)
        lines.append(f"o {it.id}")
        lines.append(f"# name: {it.name}  colour: {' '.join(str(c) for c in it.colour)}")
        lines += [f"v {x:.5f} {y:.5f} {z:.5f}" for x, y, z in p]
        lines += [f"vn {x:.5f} {y:.5f} {z:.5f}" for x, y, z in n]
        lines += [f"f {a}//{a} {b}//{b} {c}//{c}" for a, b, c in it.triangles + off]
        off += len(p)
    return "\n".join(lines) + "\n"


def _ply_bytes(p: np.ndarray, f: np.ndarray, cols: np.ndarray, space: str) -> bytes:
    n = _vertex_normals(p, f)
    header = "\n".join(
        [
            "ply",
            "format binary_little_endian 1.0",
            f"comment {PRODUCER} output",
            f"comment SPACE={space}",
            f"element vertex {len(p)}",
            "property float x",
            "property float y",
            "property float z",
            "property float nx",
            "property float ny",
            "property float nz",
            "property uchar red",
            "property uchar green",
            "property uchar blue",
            f"element face {len(f)}",
            "property list uchar int vertex_indices",
            "end_header",
            "",
        ]
    ).encode("ascii")
    v = np.zeros(len(p), dtype=[("p", "<f4", 3), ("n", "<f4", 3), ("c", "u1", 3)])
    v["p"], v["n"], v["c"] = p, n, cols
    fa = np.zeros(len(f), dtype=[("k", "u1"), ("i", "<i4", 3)])
    fa["k"], fa["i"] = 3, f
    return header + v.tobytes() + fa.tobytes()


def _glb_bytes(items: list[ExportItem], space: str) -> bytes:
    """glTF 2.0 binary: one mesh + node per structure, positions/normals/uint32 indices,
    a PBR material with the structure's colour. Units: glTF says metres, so the node
    scale is 0.001 (viewers show true size); positions stay in mm."""
    blob = bytearray()
    views, accessors, meshes, nodes, materials = [], [], [], [], []

    def add_view(data: bytes, target: int) -> int:
        while len(blob) % 4:
            blob.append(0)
        views.append({"buffer": 0, "byteOffset": len(blob), "byteLength": len(data), "target": target})
        blob.extend(data)
        return len(views) - 1

    for it in items:
        p = _framed(it.points, space).astype(np.float32)
        n = _vertex_normals(p.astype(float), it.triangles).astype(np.float32)
        idx = it.triangles.astype(np.uint32)
        vp = add_view(p.tobytes(), 34962)
        vn = add_view(n.tobytes(), 34962)
        vi = add_view(idx.tobytes(), 34963)
        accessors += [
            {
                "bufferView": vp,
                "componentType": 5126,
                "count": len(p),
                "type": "VEC3",
                "min": p.min(axis=0).tolist(),
                "max": p.max(axis=0).tolist(),
            },
            {"bufferView": vn, "componentType": 5126, "count": len(n), "type": "VEC3"},
            {"bufferView": vi, "componentType": 5125, "count": int(idx.size), "type": "SCALAR"},
        ]
        a0 = len(accessors) - 3
        materials.append(
            {
                "name": it.name,
                "pbrMetallicRoughness": {
                    "baseColorFactor": [c / 255 for c in it.colour] + [1.0],
                    "metallicFactor": 0.0,
                    "roughnessFactor": 0.6,
                },
            }
        )
        meshes.append(
            {
                "name": it.name,
                "primitives": [
                    {
                        "attributes": {"POSITION": a0, "NORMAL": a0 + 1},
                        "indices": a0 + 2,
                        "material": len(materials) - 1,
                    }
                ],
            }
        )
        nodes.append({"name": it.id, "mesh": len(meshes) - 1})
    root = {"name": "scene", "children": list(range(len(nodes))), "scale": [0.001, 0.001, 0.001]}
    doc = {
        "asset": {"version": "2.0", "generator": PRODUCER, "extras": {"SPACE": space, "units": "mm"}},
        "scene": 0,
        "scenes": [{"nodes": [len(nodes)]}],
        "nodes": nodes + [root],
        "meshes": meshes,
        "materials": materials,
        "accessors": accessors,
        "bufferViews": views,
        "buffers": [{"byteLength": len(blob)}],
    }
    js = json.dumps(doc, separators=(",", ":")).encode("utf-8")
    js += b" " * (-len(js) % 4)
    while len(blob) % 4:
        blob.append(0)
    total = 12 + 8 + len(js) + 8 + len(blob)
    return (
        struct.pack("<III", 0x46546C67, 2, total)
        + struct.pack("<II", len(js), 0x4E4F534A)
        + js
        + struct.pack("<II", len(blob), 0x004E4942)
        + bytes(blob)
    )


def _write_bytes(path: Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        Path(tmp).write_bytes(data)


def _file_bytes(fmt: str, items: list[ExportItem], space: str) -> bytes:
    if fmt == "stl":
        p, f, _ = _merged(items, space)
        return _stl_bytes(p, f, space)
    if fmt == "obj":
        return _obj_text(items, space).encode("utf-8")
    if fmt == "ply":
        p, f, c = _merged(items, space)
        return _ply_bytes(p, f, c, space)
    return _glb_bytes(items, space)


def export_surfaces(items: list[ExportItem], fmt: str, out: Path | str, space: str = "RAS") -> list[Path]:
    """Write `items` as `fmt` in `space`; returns the files written (see the module doc)."""
    fmt, space, out = fmt.lower(), space.upper(), Path(out)
    if fmt not in FORMATS:
        raise CaseError(f"--format {fmt}: one of {', '.join(FORMATS)}")
    if space not in ("RAS", "LPS"):
        raise CaseError(f"--space {space}: RAS or LPS")
    if not items:
        raise CaseError(f"{out}: nothing to export")
    if out.suffix.lower() == f".{fmt}":
        parent = out.parent if str(out.parent) else Path(".")
        if not parent.is_dir():
            raise CaseError(f"{out}: directory {parent} does not exist")
        _write_bytes(out, _file_bytes(fmt, items, space))
        return [out]
    if out.suffix and not out.is_dir():
        raise CaseError(f"{out}: a .{fmt} file or a folder (one file per structure)")
    if fmt == "glb":
        raise CaseError(f"{out}: glTF export writes one .glb file (give a path ending in .glb)")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for it in items:
        path = out / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', it.id)}.{fmt}"
        _write_bytes(path, _file_bytes(fmt, [it], space))
        written.append(path)
    return written


def read_glb(path: Path | str) -> tuple[dict, bytes]:
    """(JSON document, binary chunk) of a .glb (for checks and tests)."""
    data = Path(path).read_bytes()
    magic, version, total = struct.unpack_from("<III", data, 0)
    if magic != 0x46546C67 or version != 2 or total != len(data):
        raise CaseError(f"{Path(path).name}: not a glTF 2.0 binary")
    jlen, jtype = struct.unpack_from("<II", data, 12)
    doc = json.loads(data[20 : 20 + jlen])
    blen, _ = struct.unpack_from("<II", data, 20 + jlen)
    return doc, data[28 + jlen : 28 + jlen + blen]
