"""Cerebellar retraction on a scene: the hemisphere, flocculus and choroid plexus meshes move in
place (no re-added actors) by viewer.corridor.retraction_field."""

from __future__ import annotations

import numpy as np

from ..anatomy import Anatomy, build_anatomy
from ..corridor import RETRACTION_MOVES, retraction_field
from ..tubes import VertexNormals

__all__ = ["Retraction"]


class Retraction:
    """Applies a retraction (mm at the flocculus) to a Scene's shipped meshes, from their rest points."""

    def __init__(self, scene, anatomy: Anatomy | None = None):
        self.scene = scene
        self.anatomy = anatomy if anatomy is not None else build_anatomy()
        self.retraction_mm = 0.0
        self._rest: dict[str, np.ndarray] = {}
        self._normals: dict[str, VertexNormals] = {}
        for sid in RETRACTION_MOVES:
            mesh = scene.mesh_set.meshes.get(sid)
            if mesh is None:
                continue
            self._rest[sid] = np.array(mesh.points, dtype=float)
            faces = mesh.faces.reshape(-1, 4)[:, 1:] if mesh.n_cells else np.zeros((0, 3), int)
            self._normals[sid] = VertexNormals(faces, mesh.n_points)

    def set(self, retraction_mm: float) -> None:
        """Move the meshes to `rest + u(rest)` for this retraction (0 mm: back to rest exactly)."""
        r = float(retraction_mm)
        u = retraction_field(self.anatomy, r)
        for sid, rest in self._rest.items():
            moved = rest + u(rest)
            normals = None
            # the shipped mesh and the dataset its actor draws (pyvista may hold a shallow copy)
            for mesh in {id(m): m for m in self._datasets(sid)}.values():
                mesh.points[:] = moved
                if "Normals" in mesh.point_data:
                    normals = self._normals[sid](moved) if normals is None else normals
                    mesh.point_data["Normals"][:] = normals
                mesh.Modified()
        self.retraction_mm = r

    def _datasets(self, sid: str):
        yield self.scene.mesh_set.meshes[sid]
        actor = self.scene.actors.get(sid)
        if actor is not None and actor.mapper.dataset is not None:
            yield actor.mapper.dataset
