"""A case's surfaces as the analysis needs them: voxel masks, exact surface distances, centrelines.

The pure core (viewer.centerline, viewer.case_anatomy) works on numpy arrays and callables;
this module turns the case's closed meshes into those with VTK:

* ``rasterise``: a closed surface -> a boolean mask on an axis-aligned grid (the voxel size
  chosen per structure: fine enough for its radius, coarse enough to stay fast);
* ``SurfaceDistance``: signed distance from points to a surface (VTK's implicit poly-data
  distance, exact to the triangles; negative inside), so the radius along a centreline and the
  gap between two structures are measured on the surfaces themselves, not on voxels;
* ``structure_centerline``: both together, for one structure; the radius along its paths is the
  equivalent radius of the surface around them (``viewer.case_anatomy.ring_radii_along``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pyvista as pv
from vtkmodules.util import numpy_support as ns
from vtkmodules.vtkCommonCore import vtkDoubleArray
from vtkmodules.vtkCommonDataModel import vtkImageData
from vtkmodules.vtkFiltersCore import vtkImplicitPolyDataDistance
from vtkmodules.vtkImagingStencil import vtkImageStencilToImage, vtkPolyDataToImageStencil

from ..case_anatomy import ring_radii_along
from ..centerline import Centerline, extract_centerline

__all__ = ["rasterise", "SurfaceDistance", "structure_centerline", "grid_spacing"]

MAX_VOXELS = 60_000  # per structure: keeps a centreline under ~1 s (bench_case_analysis.py)


def grid_spacing(mesh: pv.PolyData, finest: float = 0.2, per_radius: float = 4.0) -> float:
    """Voxel edge for a structure: ~`per_radius` voxels across its typical radius (volume / area
    x 2 for a tube), not finer than `finest`, and coarse enough for MAX_VOXELS inside it."""
    vol = abs(float(mesh.volume)) if mesh.n_cells else 0.0
    area = float(mesh.area) if mesh.n_cells else 0.0
    r = 2.0 * vol / area if area > 0 else 1.0
    h = max(finest, r / per_radius)
    if vol > 0:
        h = max(h, (vol / MAX_VOXELS) ** (1.0 / 3.0))
    return float(h)


def rasterise(mesh: pv.PolyData, spacing: float, margin: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """(mask, affine): voxels of an axis-aligned grid whose centres lie inside the closed surface."""
    b = np.array(mesh.bounds, float)
    lo = b[0::2] - margin * spacing
    hi = b[1::2] + margin * spacing
    dims = np.maximum(np.ceil((hi - lo) / spacing).astype(int) + 1, 1)
    img = vtkImageData()
    img.SetDimensions(*(int(v) for v in dims))
    img.SetSpacing(spacing, spacing, spacing)
    img.SetOrigin(*lo)
    st = vtkPolyDataToImageStencil()
    st.SetInputData(mesh)
    st.SetOutputSpacing(spacing, spacing, spacing)
    st.SetOutputOrigin(*lo)
    st.SetOutputWholeExtent(0, int(dims[0]) - 1, 0, int(dims[1]) - 1, 0, int(dims[2]) - 1)
    st.Update()
    to_img = vtkImageStencilToImage()
    to_img.SetInputConnection(st.GetOutputPort())
    to_img.SetInsideValue(1)
    to_img.SetOutsideValue(0)
    to_img.SetOutputScalarTypeToUnsignedChar()
    to_img.Update()
    out = to_img.GetOutput()
    arr = ns.vtk_to_numpy(out.GetPointData().GetScalars())
    mask = arr.reshape(tuple(int(v) for v in dims[::-1])).transpose(2, 1, 0).astype(bool)  # VTK: x fastest
    affine = np.eye(4)
    affine[:3, :3] *= spacing
    affine[:3, 3] = lo
    return mask, affine


class SurfaceDistance:
    """Signed distance (mm) from points to a closed surface: negative inside, positive outside.

    One vtkImplicitPolyDataDistance per surface (its cell locator is built once: ~25 ms for a
    brainstem), evaluated on whole arrays."""

    def __init__(self, mesh: pv.PolyData):
        self.mesh = mesh
        self._f = vtkImplicitPolyDataDistance()
        self._f.SetInput(mesh)

    def __call__(self, points) -> np.ndarray:
        p = np.ascontiguousarray(np.asarray(points, float).reshape(-1, 3))
        if len(p) == 0:
            return np.zeros(0)
        out = vtkDoubleArray()
        out.SetNumberOfTuples(len(p))
        self._f.FunctionValue(ns.numpy_to_vtk(p, deep=True), out)
        return ns.vtk_to_numpy(out).astype(float)

    def depth(self, points) -> np.ndarray:
        """Distance to the surface of points inside (positive): the local radius on a centreline."""
        return -self(points)


def structure_centerline(mesh: pv.PolyData, step: float = 0.5, spacing: float | None = None) -> Centerline:
    """Centreline (main path + branches) and radius along it of one closed structure surface."""
    h = grid_spacing(mesh) if spacing is None else float(spacing)
    mask, affine = rasterise(mesh, h)
    dist = SurfaceDistance(mesh)
    ijk = np.argwhere(mask)
    depth = dist.depth(ijk @ affine[:3, :3].T + affine[:3, 3])
    # voxels whose centre the stencil counted in but lies a hair outside the triangles
    depth = np.maximum(depth, 0.25 * h)
    c = extract_centerline(mask, affine, depth, lambda p: np.maximum(dist.depth(p), 0.0), step=step)
    # the radius along the paths: the equivalent radius of the surface around them
    paths = [c.points_mm] + [p for p, _ in c.branches]
    rings = ring_radii_along(paths, np.asarray(mesh.points, float), _normals(mesh))
    return replace(c, radius_mm=rings[0], branches=tuple((p, r) for p, r in zip(paths[1:], rings[1:])))


def _normals(mesh: pv.PolyData) -> np.ndarray:
    if "Normals" in mesh.point_data:
        return np.asarray(mesh.point_data["Normals"], float)
    return np.asarray(mesh.compute_normals(cell_normals=False, auto_orient_normals=False).point_data["Normals"], float)
