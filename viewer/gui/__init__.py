"""Qt layer: the main window and its widgets (the only package that imports PySide6/pyvistaqt).

Shape (napari / 3D Slicer Logic-Widget style):
  document.SceneDocument   all UI state + Qt signals; no widgets, no VTK
  view3d.SceneView         the 3D view: applies document state to the render Scene, picks
  structure_panel, info_panel, dialogs   widgets that talk only to the document
  main_window.MainWindow   wires them together, menus, settings, export
  app.run_gui              entry point used by viewer.cli
"""
