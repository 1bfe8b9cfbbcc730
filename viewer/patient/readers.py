"""Readers: NIfTI and NRRD label maps (incl. Slicer .seg.nrrd) and surface meshes.

Geometry comes from the headers, read with nibabel and pynrrd, never from VTK's or
pyvista's image readers (they ignore the NIfTI sform/qform). Every volume leaves here
as integer labels in index order (i, j, k) plus a 4x4 voxel -> RAS mm affine.
Sizes are checked from the header before any voxel is read.

Nothing that can identify a patient is kept: no NIfTI descrip/db_name/aux_file/
intent_name, no NRRD free text or key/value pairs, no paths (base names only).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..case import CaseError

# Largest volume read: 512 Mi voxels and 1 GiB of voxel data in memory (a 0.3 mm TOF-MRA
# slab of 512 x 512 x 300 is 79 M voxels; whole-head 1024^3 at 1 byte still fits).
MAX_VOXELS = 512 * 1024**2
MAX_BYTES = 1024**3
MAX_LABELS = 1000  # more distinct values than this is an intensity image, not a label map
MESH_SUFFIXES = (".stl", ".obj", ".ply", ".vtp", ".vtk")
TABLE_SUFFIXES = (".tsv", ".txt", ".ctbl", ".json")


@dataclass
class LabelInfo:
    name: str
    colour: tuple[int, int, int] | None = None


@dataclass
class LabelVolume:
    """Integer labels (layers, i, j, k) and the voxel -> RAS affine; `layers` > 1 only
    for .seg.nrrd files whose segments overlap."""

    path: Path
    kind: str  # nifti | nrrd | seg.nrrd
    space: str  # the file's own frame: RAS | LPS
    data: np.ndarray  # (layers, i, j, k) integer
    affine: np.ndarray  # 4x4 voxel index -> RAS mm
    labels: dict[tuple[int, int], LabelInfo] = field(default_factory=dict)  # (layer, value) -> info
    warnings: list[str] = field(default_factory=list)

    @property
    def voxel_size(self) -> np.ndarray:
        return np.linalg.norm(self.affine[:3, :3], axis=0)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_kind(path: Path) -> str:
    name = path.name.lower()
    if name.endswith((".nii", ".nii.gz")):
        return "nifti"
    if name.endswith(".seg.nrrd"):
        return "seg.nrrd"
    if name.endswith((".nrrd", ".nhdr")):
        return "nrrd"
    if name.endswith(MESH_SUFFIXES):
        return "mesh"
    if name.endswith(TABLE_SUFFIXES):
        return "table"
    raise CaseError(
        f"{path.name}: unsupported file type (NIfTI .nii/.nii.gz, NRRD .nrrd/.seg.nrrd, "
        f"meshes {' '.join(MESH_SUFFIXES)})"
    )


def _check_size(path: Path, shape, itemsize: int) -> None:
    n = int(np.prod([int(s) for s in shape], dtype=np.float64))
    if n <= 0:
        raise CaseError(f"{path.name}: empty volume (shape {tuple(int(s) for s in shape)})")
    if n > MAX_VOXELS or n * itemsize > MAX_BYTES:
        raise CaseError(
            f"{path.name}: volume too large ({'x'.join(str(int(s)) for s in shape)}, "
            f"{n * itemsize / 1024**3:.1f} GiB); the limit is {MAX_VOXELS // 1024**2} M voxels "
            f"and {MAX_BYTES // 1024**3} GiB: crop the label map to the posterior fossa"
        )


def _check_affine(path: Path, affine: np.ndarray, what: str) -> np.ndarray:
    a = np.asarray(affine, float)
    if a.shape != (4, 4) or not np.all(np.isfinite(a)):
        raise CaseError(f"{path.name}: the {what} contains NaN or infinite values")
    det = np.linalg.det(a[:3, :3])
    if not np.isfinite(det) or abs(det) < 1e-9:
        raise CaseError(f"{path.name}: the {what} is singular (zero voxel size)")
    return a


def as_labels(path: Path, arr: np.ndarray) -> np.ndarray:
    """Integer labels from a read array: integral floats are accepted (some tools save label
    maps as float32), non-integer values are refused (an intensity image)."""
    if arr.dtype.kind in "iu":
        out = arr
    elif arr.dtype.kind == "b":
        out = arr.view(np.uint8)
    elif arr.dtype.kind == "f":
        finite = np.isfinite(arr)
        if not finite.all():
            raise CaseError(f"{path.name}: label map contains NaN or infinite values")
        frac = arr != np.round(arr)
        if frac.any():
            bad = float(arr[frac].flat[0])
            raise CaseError(
                f"{path.name}: a label map of non-integer values (e.g. {bad:g}): "
                "this looks like an intensity image, not a segmentation"
            )
        lo, hi = float(arr.min()), float(arr.max())
        dtype = np.uint8 if lo >= 0 and hi <= 255 else np.int32
        if not (-(2**31) <= lo and hi < 2**31):
            raise CaseError(f"{path.name}: label values outside the integer range")
        out = arr.astype(dtype)
    else:
        raise CaseError(f"{path.name}: voxel type {arr.dtype} is not a label map")
    return out


def label_values(data: np.ndarray) -> np.ndarray:
    """Distinct non-zero values, by counting slab by slab (a sort of 100 M voxels takes
    seconds, and one int64 copy of the whole volume would be 8 bytes a voxel)."""
    lo, hi = int(data.min()), int(data.max())
    if hi - lo > 1 << 20:
        vals = np.unique(data)
    else:
        counts = np.zeros(hi - lo + 1, np.int64)
        step = max(1, (1 << 22) // max(1, data[..., 0].size))
        for k in range(0, data.shape[-1], step):
            chunk = data[..., k : k + step].astype(np.int64).ravel() - lo
            counts += np.bincount(chunk, minlength=len(counts))
        vals = np.nonzero(counts)[0] + lo
    return vals[vals != 0]


# --------------------------------------------------------------------------- NIfTI


def read_nifti(path: Path) -> LabelVolume:
    import nibabel as nib

    try:
        img = nib.load(str(path))
    except Exception as exc:  # nibabel raises many types for a bad header
        raise CaseError(f"{path.name}: not a readable NIfTI file ({_short(exc)})") from None
    hdr = img.header
    shape = tuple(int(s) for s in img.shape)
    while len(shape) > 3 and shape[-1] == 1:
        shape = shape[:-1]
    if len(shape) > 3:
        raise CaseError(
            f"{path.name}: a {len(shape)}-D image ({'x'.join(map(str, shape))}) is not a label map "
            "(expected one 3-D volume of integer labels)"
        )
    if len(shape) < 3:
        shape = shape + (1,) * (3 - len(shape))
    _check_size(path, shape, max(np.dtype(hdr.get_data_dtype()).itemsize, 1))
    warn = []
    sform_code, qform_code = int(hdr["sform_code"]), int(hdr["qform_code"])
    if sform_code > 0:
        affine = hdr.get_sform()
    elif qform_code > 0:
        affine = hdr.get_qform()
    else:
        affine = img.affine  # nibabel's fallback: voxel sizes only
        warn.append(
            f"{path.name}: neither sform nor qform is set; the position is only the voxel size "
            "(the surfaces will not line up with other files)"
        )
    affine = _check_affine(path, affine, "sform" if sform_code > 0 else "qform")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            arr = np.asanyarray(img.dataobj)
    except Exception as exc:  # truncated gzip: EOFError, zlib.error, OSError, ValueError
        raise CaseError(f"{path.name}: truncated or corrupt image data ({_short(exc)})") from None
    arr = arr.reshape(shape, order="A") if arr.shape != shape else arr
    data = as_labels(path, arr)
    return LabelVolume(path, "nifti", "RAS", data[None], affine, {}, warn)


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:160]


# --------------------------------------------------------------------------- NRRD

_SPACE_NAMES = {
    "right-anterior-superior": "RAS",
    "ras": "RAS",
    "left-posterior-superior": "LPS",
    "lps": "LPS",
    "left-anterior-superior": "LAS",
    "las": "LAS",
    "scanner-xyz": "RAS",
    "3d-right-handed": "RAS",
}


def _to_ras_matrix(space: str) -> np.ndarray:
    # A letter per axis: R/L, A/P, S/I. RAS is the identity, LPS negates x and y.
    return np.diag(
        [1.0 if space[0] == "R" else -1.0, 1.0 if space[1] == "A" else -1.0, 1.0 if space[2] == "S" else -1.0, 1.0]
    )


def _nrrd_header(path: Path) -> dict:
    import nrrd

    try:
        with open(path, "rb") as fh:
            return nrrd.read_header(fh)
    except Exception as exc:
        raise CaseError(f"{path.name}: not a readable NRRD file ({_short(exc)})") from None


def read_nrrd(path: Path) -> LabelVolume:
    import nrrd

    seg = path.name.lower().endswith(".seg.nrrd")
    hdr = _nrrd_header(path)
    sizes = [int(s) for s in hdr.get("sizes", [])]
    dim = int(hdr.get("dimension", len(sizes)))
    if dim not in (3, 4) or len(sizes) != dim:
        raise CaseError(f"{path.name}: a {dim}-D NRRD is not a 3-D label map")
    try:
        itemsize = nrrd.reader._determine_datatype(hdr).itemsize
    except Exception as exc:
        raise CaseError(f"{path.name}: unsupported NRRD type ({_short(exc)})") from None
    _check_size(path, sizes, itemsize)
    dirs = hdr.get("space directions")
    space_name = str(hdr.get("space", "")).strip().lower()
    warn = []
    if dirs is None:
        spacings = hdr.get("spacings")
        sp = np.array([float(s) for s in spacings], float) if spacings is not None else np.ones(dim)
        dirs = np.diag(np.where(np.isfinite(sp), sp, 1.0))[-3:, -3:] if dim == 3 else None
        if dirs is None:
            raise CaseError(f"{path.name}: a 4-D NRRD without 'space directions'")
        warn.append(f"{path.name}: no 'space'/'space directions' in the header; axis-aligned, origin 0, taken as RAS")
        space_name = space_name or "ras"
    dirs = np.asarray(dirs, float)
    spatial = (
        [i for i in range(dim) if np.all(np.isfinite(dirs[i]))] if dirs.shape[0] == dim else list(range(dim - 3, dim))
    )
    if dirs.shape[0] == dim:
        dirs = dirs[spatial]
    if len(spatial) != 3 or dirs.shape != (3, 3):
        raise CaseError(f"{path.name}: expected three spatial axes in 'space directions'")
    if dim == 4 and spatial != [1, 2, 3]:
        raise CaseError(f"{path.name}: a 4-D NRRD must have its list (layer) axis first")
    if not space_name:  # 'space dimension' without a named space: the frame is not stated
        warn.append(f"{path.name}: the NRRD header names no 'space'; taken as right-anterior-superior")
        space_name = "ras"
    space = _SPACE_NAMES.get(space_name)
    if space is None:
        raise CaseError(
            f"{path.name}: unsupported NRRD space '{space_name}' (expected left-posterior-superior "
            "or right-anterior-superior)"
        )
    origin = np.asarray(hdr.get("space origin", np.zeros(3)), float)
    m = np.eye(4)
    m[:3, :3] = dirs.T  # column k: world step of index axis k
    m[:3, 3] = origin
    affine = _check_affine(path, _to_ras_matrix(space) @ m, "'space directions'/'space origin'")
    try:
        arr, _ = nrrd.read(str(path), index_order="F")
    except Exception as exc:
        raise CaseError(f"{path.name}: truncated or corrupt NRRD data ({_short(exc)})") from None
    data = as_labels(path, np.asarray(arr))
    if dim == 3:
        data = data[None]
    labels = _segments(path, hdr, data.shape[0]) if seg else {}
    kind = "seg.nrrd" if seg else "nrrd"
    return LabelVolume(path, kind, "RAS" if space == "RAS" else "LPS", data, affine, labels, warn)


def _segments(path: Path, hdr: dict, layers: int) -> dict[tuple[int, int], LabelInfo]:
    """Slicer's Segment<N>_Name/Color/LabelValue/Layer fields -> {(layer, value): info}."""
    out = {}
    n = 0
    while f"Segment{n}_ID" in hdr or f"Segment{n}_Name" in hdr:
        p = f"Segment{n}_"
        name = str(hdr.get(p + "Name", f"Segment {n + 1}"))[:80]
        try:
            value = int(float(hdr.get(p + "LabelValue", 1)))
            layer = int(float(hdr.get(p + "Layer", n if layers > 1 and p + "LabelValue" not in hdr else 0)))
        except ValueError:
            raise CaseError(f"{path.name}: {p}LabelValue/{p}Layer is not an integer") from None
        if not 0 <= layer < layers:
            raise CaseError(f"{path.name}: {p}Layer {layer} but the volume has {layers} layer(s)")
        colour = None
        try:
            rgb = [float(v) for v in str(hdr.get(p + "Color", "")).split()]
            if len(rgb) >= 3 and all(0 <= v <= 1 for v in rgb[:3]):
                colour = tuple(int(round(v * 255)) for v in rgb[:3])
        except ValueError:
            pass
        out[(layer, value)] = LabelInfo(name, colour)
        n += 1
    return out


# --------------------------------------------------------------------------- label tables


def read_label_table(path: Path) -> dict[int, LabelInfo]:
    """A label table beside a label map: JSON ({"1": "Brainstem"} or [{"value", "name", "colour"}])
    or text lines `VALUE NAME [R G B [A]]` (tab or space separated, # comments; the FreeSurfer
    LUT / Slicer .ctbl / ITK-SNAP-like layout)."""
    try:
        text = path.read_text(encoding="utf-8", errors="strict")
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseError(f"{path.name}: unreadable label table ({_short(exc)})") from None
    out: dict[int, LabelInfo] = {}
    if path.suffix.lower() == ".json":
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CaseError(f"{path.name}: not JSON ({exc})") from None
        items = doc.get("labels", doc) if isinstance(doc, dict) else doc
        if isinstance(items, dict):
            items = [{"value": k, "name": v} for k, v in items.items()]
        if not isinstance(items, list):
            raise CaseError(f"{path.name}: expected a list of {{value, name}} or a {{value: name}} object")
        for i, it in enumerate(items):
            try:
                value, name = int(it["value"]), str(it["name"])
                c = it.get("colour", it.get("color"))
                colour = tuple(int(v) for v in c[:3]) if c else None
            except (KeyError, TypeError, ValueError):
                raise CaseError(f"{path.name}: $[{i}]: expected value (integer), name and optional colour") from None
            out[value] = LabelInfo(name[:80], colour)
        return out
    for ln, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split("\t") if "\t" in line else line.split()
        parts = [p.strip() for p in parts if p.strip()]
        if not re.fullmatch(r"-?\d+", parts[0]):
            if not out:  # a header row
                continue
            raise CaseError(f"{path.name}: line {ln}: expected VALUE NAME [R G B]")
        if len(parts) < 2:
            raise CaseError(f"{path.name}: line {ln}: a value without a name")
        colour = None
        nums = parts[2:5]
        if len(nums) == 3 and all(re.fullmatch(r"\d+(\.\d+)?", v) for v in nums):
            rgb = [float(v) for v in nums]
            colour = tuple(
                int(round(v * 255)) if max(rgb) <= 1 and any("." in n for n in nums) else int(v) for v in rgb
            )
        out[int(parts[0])] = LabelInfo(parts[1][:80], colour)
    return out


def sidecar_table(path: Path) -> Path | None:
    """`name.tsv`/`.txt`/`.ctbl`/`.json` beside `name.nii.gz` (or `.nrrd`), if there is one."""
    stem = path.name
    for suf in (".nii.gz", ".seg.nrrd", ".nii", ".nrrd"):
        if stem.lower().endswith(suf):
            stem = stem[: -len(suf)]
            break
    for suf in TABLE_SUFFIXES:
        p = path.with_name(stem + suf)
        if p.is_file():
            return p
    return None


def read_volume(path: Path) -> LabelVolume:
    kind = file_kind(path)
    if kind == "nifti":
        return read_nifti(path)
    if kind in ("nrrd", "seg.nrrd"):
        return read_nrrd(path)
    raise CaseError(f"{path.name}: not a label map")


# --------------------------------------------------------------------------- meshes

_SPACE_TAG = re.compile(rb"SPACE\s*=\s*(RAS|LPS)", re.IGNORECASE)


def mesh_space_tag(path: Path) -> str | None:
    """The SPACE=RAS|LPS tag 3D Slicer writes in an STL header, an OBJ/PLY comment or a VTK header."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    suffix = path.suffix.lower()
    if suffix == ".stl":
        head = head[:80] if not head.lstrip().lower().startswith(b"solid") else head.split(b"\n", 1)[0]
    elif suffix == ".ply":
        head = head.split(b"end_header", 1)[0]
    elif suffix == ".vtk":
        head = b"\n".join(head.split(b"\n")[:2])
    elif suffix == ".obj":
        head = b"\n".join(ln for ln in head.split(b"\n") if ln.lstrip().startswith(b"#"))
    else:
        return None
    m = _SPACE_TAG.search(head)
    return m.group(1).decode().upper() if m else None


def likely_unit(extent: float) -> str:
    """A guess at the unit of a mesh whose extent is not plausible in millimetres."""
    if extent < 1.0:
        for unit, f in (("metres", 1000.0), ("decimetres", 100.0), ("centimetres", 10.0)):
            if 5.0 <= extent * f <= 400.0:
                return unit
        return "metres"
    for unit, f in (("micrometres", 1e-3), ("tenths of a millimetre", 0.1), ("nanometres", 1e-6)):
        if 5.0 <= extent * f <= 400.0:
            return unit
    return "micrometres"


def check_mm_extent(name: str, bounds) -> None:
    b = np.asarray(bounds, float)
    extent = float(np.max(b[1::2] - b[0::2]))
    if extent > 400.0 or extent < 1.0:
        raise CaseError(
            f"{name}: extent {extent:.4g} is not plausible in millimetres (1-400 mm); "
            f"the file looks like it is in {likely_unit(extent)}: rescale it to mm"
        )


def _binary_stl(path: Path):
    """A binary STL read with numpy (VTK's reader gives up on NaN coordinates without
    saying so), or None for an ASCII STL."""
    import pyvista as pv

    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(84)
        if len(head) < 84:
            return None
        n = int(np.frombuffer(head[80:84], "<u4")[0])
        if size != 84 + 50 * n:
            return None
        rec = np.fromfile(fh, dtype=[("n", "<f4", 3), ("v", "<f4", (3, 3)), ("a", "<u2")], count=n)
    pts = rec["v"].reshape(-1, 3).astype(float)
    if not np.all(np.isfinite(pts)):
        raise CaseError(f"{path.name}: the mesh has NaN or infinite point coordinates")
    return pv.PolyData.from_regular_faces(pts, np.arange(len(pts)).reshape(-1, 3))


@contextmanager
def quiet_vtk():
    """VTK's own error messages off the console while reading (the caller reports one line)."""
    from vtkmodules.vtkCommonCore import vtkFileOutputWindow, vtkLogger, vtkOutputWindow

    sink = vtkFileOutputWindow()
    sink.SetFileName(os.devnull)
    previous = vtkOutputWindow.GetInstance()
    vtkOutputWindow.SetInstance(sink)
    cutoff = vtkLogger.GetCurrentVerbosityCutoff()  # the logger prints pipeline errors itself
    vtkLogger.SetStderrVerbosity(vtkLogger.VERBOSITY_OFF)
    try:
        yield
    finally:
        vtkOutputWindow.SetInstance(previous)
        vtkLogger.SetStderrVerbosity(vtkLogger.ConvertToVerbosity(cutoff))


def _vtk_read(path: Path):
    """The file through VTK's own reader for its suffix (named here rather than through
    pyvista's lazy tables, so that the desktop build's import analysis sees them)."""
    import pyvista as pv
    from vtkmodules.vtkIOGeometry import vtkOBJReader, vtkSTLReader
    from vtkmodules.vtkIOLegacy import vtkGenericDataObjectReader
    from vtkmodules.vtkIOPLY import vtkPLYReader
    from vtkmodules.vtkIOXML import vtkXMLPolyDataReader

    cls = {
        ".stl": vtkSTLReader,
        ".obj": vtkOBJReader,
        ".ply": vtkPLYReader,
        ".vtp": vtkXMLPolyDataReader,
        ".vtk": vtkGenericDataObjectReader,
    }[path.suffix.lower()]
    r = cls()
    r.SetFileName(str(path))
    with quiet_vtk():
        r.Update()
    if hasattr(r, "GetErrorCode") and r.GetErrorCode() != 0:
        raise ValueError(f"VTK error code {r.GetErrorCode()}")
    out = r.GetOutput()
    if out is None:
        raise ValueError("no data")
    return pv.wrap(out)


def read_mesh(path: Path, space: str | None = None):
    """A surface mesh in RAS mm: (pyvista.PolyData of triangles, the file's frame)."""
    import pyvista as pv

    tag = mesh_space_tag(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mesh = _binary_stl(path) if path.suffix.lower() == ".stl" else None
            if mesh is None:
                mesh = _vtk_read(path)
    except CaseError:
        raise
    except Exception as exc:
        raise CaseError(f"{path.name}: not a readable mesh ({_short(exc)})") from None
    if not isinstance(mesh, pv.PolyData):
        mesh = mesh.extract_surface(algorithm="dataset_surface") if hasattr(mesh, "extract_surface") else None
        if mesh is None:
            raise CaseError(f"{path.name}: not a surface mesh")
    if tag is None and "SPACE" in mesh.field_data:
        v = str(np.asarray(mesh.field_data["SPACE"]).ravel()[0]).upper()
        tag = v if v in ("RAS", "LPS") else None
    frame = tag or (space or "RAS")
    if mesh.n_points == 0 or mesh.n_cells == 0:
        raise CaseError(f"{path.name}: the mesh is empty")
    pts = np.asarray(mesh.points)
    if not np.all(np.isfinite(pts)):
        raise CaseError(f"{path.name}: the mesh has NaN or infinite point coordinates")
    if mesh.GetNumberOfPolys() + mesh.GetNumberOfStrips() == 0:
        raise CaseError(f"{path.name}: the mesh has no surface (only points or lines)")
    mesh = mesh.triangulate()  # quads, polygons and strips -> triangles; lines and vertices dropped
    mesh = pv.PolyData(mesh.points, faces=mesh.faces).clean(tolerance=0.0)  # STL repeats shared points
    if frame == "LPS":
        mesh.points = np.asarray(mesh.points) * np.array([-1.0, -1.0, 1.0])
    check_mm_extent(path.name, mesh.bounds)
    return mesh, frame
