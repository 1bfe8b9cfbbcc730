"""What the lean desktop build leaves out must not be used by the app."""

from __future__ import annotations


def test_no_module_uses_pyvistas_axes_widget():
    """pyvista's add_axes needs vtkInteractionWidgets, which the desktop build leaves out (its size
    budget): the render layer draws its own R/A/S marker (viewer.render.orientation)."""
    import pathlib

    import viewer

    root = pathlib.Path(viewer.__file__).parent
    users = [str(p.relative_to(root)) for p in root.rglob("*.py") if ".add_axes(" in p.read_text(encoding="utf-8")]
    assert users == []
