"""Camera presets live in the pure core (viewer.views): the document and the CLI name views
without importing the render layer. Re-exported here for the render modules."""

from ..views import DEFAULT_VIEW, VIEWS, ViewPreset, camera_between, camera_for, view_for, view_title

__all__ = ["DEFAULT_VIEW", "VIEWS", "ViewPreset", "camera_between", "camera_for", "view_for", "view_title"]
