"""Qt layer: the main window and its widgets (the only package that imports PySide6/pyvistaqt).

Shape (napari / 3D Slicer Logic-Widget style):
  document.SceneDocument   all UI state + Qt signals; no widgets, no VTK
  view3d.SceneView         the 3D view: applies document state to the render Scene, picks
  interactor.SceneInteractor  its Qt widget: repaints reuse the last frame until the scene changes
  structure_panel, info_panel, dialogs   widgets that talk only to the document
  main_window.MainWindow   assembles docks, panels and controllers, settings
  actions, menus, exports  the window's QActions, its menu bar and toolbars, its export slots
  app.run_gui              entry point used by viewer.cli
"""
