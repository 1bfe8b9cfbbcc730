""".hfscase archives: a zip (deflate) of case.json + meshes/<id>.vtp, written atomically.

Reading trusts nothing: member names must be exactly case.json or meshes/<id>.vtp (no
absolute paths, no `..`), at most MAX_MEMBERS members and MAX_UNPACKED bytes unpacked,
checked on the declared sizes and again while decompressing (a zip bomb can lie in its
directory), and every mesh is parsed from memory and checked (finite points, triangles
only, indices in range) before the case is returned. Nothing is extracted to disk.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pyvista as pv
from vtkmodules.util import numpy_support as ns
from vtkmodules.vtkIOXML import vtkXMLPolyDataReader, vtkXMLPolyDataWriter

from ..atomic import atomic_path
from ..case import Case, CaseError, parse_case
from .readers import quiet_vtk

MAX_MEMBERS = 1000
MAX_UNPACKED = 200 * 1024**2


def mesh_to_vtp_bytes(mesh: pv.PolyData) -> bytes:
    """Points, triangles and point normals only (no stray arrays), binary appended."""
    clean = pv.PolyData(np.asarray(mesh.points, np.float32), faces=mesh.faces)
    if "Normals" in mesh.point_data:
        clean.point_data["Normals"] = np.asarray(mesh.point_data["Normals"], np.float32)
    w = vtkXMLPolyDataWriter()
    w.SetInputData(clean)
    w.WriteToOutputStringOn()
    w.SetDataModeToAppended()
    w.EncodeAppendedDataOff()
    w.SetCompressorTypeToNone()  # the zip deflates it
    w.Write()
    return bytes(w.GetOutputString())


def vtp_bytes_to_mesh(data: bytes, name: str) -> pv.PolyData:
    r = vtkXMLPolyDataReader()
    r.ReadFromInputStringOn()
    r.SetInputString(data)
    with quiet_vtk():  # VTK's parse errors off the console: we report our own line
        r.Update()
    ok = r.GetErrorCode() == 0
    mesh = pv.wrap(r.GetOutput())
    if not ok or mesh is None or mesh.n_points == 0:
        raise CaseError(f"{name}: not a readable VTK PolyData mesh")
    check_mesh(mesh, name)
    return mesh


def check_mesh(mesh: pv.PolyData, name: str) -> None:
    pts = np.asarray(mesh.points)
    if pts.size == 0 or not np.all(np.isfinite(pts)):
        raise CaseError(f"{name}: mesh points missing or not finite")
    if mesh.n_verts or mesh.n_lines or mesh.n_strips:
        raise CaseError(f"{name}: the mesh must hold triangles only")
    polys = mesh.GetPolys()
    if polys.GetNumberOfCells() == 0:
        raise CaseError(f"{name}: the mesh has no triangles")
    offsets = ns.vtk_to_numpy(polys.GetOffsetsArray())
    if np.any(np.diff(offsets) != 3):
        raise CaseError(f"{name}: the mesh must hold triangles only")
    conn = ns.vtk_to_numpy(polys.GetConnectivityArray())
    if conn.min() < 0 or conn.max() >= mesh.n_points:
        raise CaseError(f"{name}: triangle indices out of range")


def write_case(path: Path | str, case: Case, meshes: dict[str, pv.PolyData]) -> Path:
    path = Path(path)
    missing = [s.id for s in case.structures if s.id not in meshes]
    if missing:
        raise CaseError(f"{path.name}: no mesh for {', '.join(missing)}")
    with atomic_path(path) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            zf.writestr("case.json", case.to_json())
            for s in case.structures:
                zf.writestr(s.mesh, mesh_to_vtp_bytes(meshes[s.id]))
    return path


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, name: str) -> bytes:
    """Decompress at most `budget` bytes and no more than the size the member declares."""
    limit = min(budget, info.file_size)
    with zf.open(info) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise CaseError(
            f"{name}: {info.filename} unpacks to more than it declares or than "
            f"{MAX_UNPACKED // 1024**2} MB (a zip bomb?)"
        )
    return data


def read_case(path: Path | str) -> tuple[Case, dict[str, pv.PolyData]]:
    path = Path(path)
    name = path.name
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise CaseError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise CaseError(f"{name}: not a .hfscase archive ({exc})") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise CaseError(f"{name}: {len(infos)} members, more than the {MAX_MEMBERS} a case may hold")
        for info in infos:
            n = info.filename
            if (
                n.startswith(("/", "\\"))
                or "\\" in n
                or ".." in n.split("/")
                or ":" in n
                or not (
                    n == "case.json"
                    or (n.startswith("meshes/") and n.endswith(".vtp") and n.count("/") == 1)
                    or n == "meshes/"
                )
            ):
                raise CaseError(
                    f"{name}: unexpected member '{n}' (only case.json and meshes/<id>.vtp; no absolute or ../ paths)"
                )
        declared = sum(i.file_size for i in infos)
        if declared > MAX_UNPACKED:
            raise CaseError(
                f"{name}: unpacks to {declared / 1024**2:.0f} MB, over the {MAX_UNPACKED // 1024**2} MB limit"
            )
        by_name = {i.filename: i for i in infos}
        if "case.json" not in by_name:
            raise CaseError(f"{name}: no case.json in the archive")
        budget = MAX_UNPACKED
        try:
            raw = _read_member(zf, by_name["case.json"], budget, name)
            budget -= len(raw)
            case = parse_case(raw, f"{name}: case.json")
            meshes = {}
            for s in case.structures:
                info = by_name.get(s.mesh)
                if info is None:
                    raise CaseError(f"{name}: {s.mesh} (structure '{s.id}') is missing from the archive")
                data = _read_member(zf, info, budget, name)
                budget -= len(data)
                meshes[s.id] = vtp_bytes_to_mesh(data, f"{name}: {s.mesh}")
        except (zipfile.BadZipFile, EOFError, OSError) as exc:  # CRC errors, truncated members
            raise CaseError(f"{name}: corrupt archive ({exc})") from None
    return case, meshes
