"""Patient data: label-map and mesh readers, label-to-surface meshing, the .hfscase
archive and surface export (no Qt: the GUI and the CLI sit above this layer).

Everything leaves this package in RAS millimetres; the frame each file was read in
is recorded as provenance (docs: README "Patient data").
"""
