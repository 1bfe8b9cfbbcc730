"""HFS Compression Viewer: the left cerebellopontine angle and facial-nerve compression.

Layers (enforced by import-linter, see pyproject.toml):
  pure core   viewer.geometry, sdf, anatomy, dimensions, sources, tubes, scenario, analysis
  rendering   viewer.render (pyvista/VTK, no Qt)
  GUI         viewer.gui (PySide6 + pyvistaqt)
  CLI         viewer.cli
"""

__version__ = "0.1.0"
