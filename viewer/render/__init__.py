"""Rendering layer: turns the pure core into pyvista meshes and actors. No Qt here."""
