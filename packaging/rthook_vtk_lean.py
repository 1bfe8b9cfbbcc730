"""PyInstaller runtime hook: VTK modules pyvista names but this app never uses are left out.

pyvista 0.49 defines its chart, volume-mapper and context-style classes at import time by
subclassing VTK classes (`class Axis(_vtkWrapper, _vtk.vtkAxis)`), so `import pyvista.plotting`
loads vtkChartsCore, vtkRenderingVolume, the 2D context modules and, through them,
vtkInteractionWidgets: about 45 MB of the build for features the app does not offer (charts,
volume rendering, VTK widgets; its orientation marker is viewer/render/orientation.py).

The build leaves those modules out and this hook serves each as a stand-in: any class name read
from it is an `Absent` object that can be subclassed, compared and read for enum constants at
class-definition time, and that raises a clear RuntimeError if the app ever instantiates it.
The one class pyvista instantiates for every interactor, vtkContextInteractorStyle (only
switched on for charts), becomes an inert object.

packaging/build.py runs every probe command from the source install with this hook installed
(probe_modules.py), so a use of an absent class fails the build, not the user's session.
"""

import importlib.abc
import importlib.machinery
import sys
import types

ABSENT_VTK = (
    "vtkChartsCore",
    "vtkInfovisCore",
    "vtkInteractionWidgets",
    "vtkPythonContext2D",
    "vtkRenderingContext2D",
    "vtkRenderingContextOpenGL2",
    "vtkRenderingVolume",
    "vtkRenderingVolumeOpenGL2",
    "vtkViewsContext2D",
    "vtkViewsCore",
)
INERT = {"vtkContextInteractorStyle"}  # created by pyvista's RenderWindowInteractor, used by charts only


class _Inert:
    """Accepts every method call and does nothing (vtkContextInteractorStyle without charts)."""

    def __init__(self, name):
        self._name = name

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return lambda *args, **kwargs: None


class _AbsentBase:
    """The base a pyvista class gets in place of an absent VTK class."""

    def __init__(self, *args, **kwargs):
        raise RuntimeError(
            f"{type(self).__name__} needs a VTK module that is not part of this build "
            f"of hfs-viewer (packaging/rthook_vtk_lean.py)"
        )


class Absent:
    """Stand-in for a class of an absent VTK module."""

    def __init__(self, module, name):
        self.__module__ = module
        self.__name__ = self.__qualname__ = name

    def __repr__(self):
        return f"<absent VTK class {self.__module__}.{self.__name__}>"

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return 0  # enum constants read while pyvista defines its classes (vtkPen.NO_PEN)

    def __mro_entries__(self, bases):
        return (_AbsentBase,)

    def __instancecheck__(self, obj):
        return False

    def __subclasscheck__(self, cls):
        return False

    def __call__(self, *args, **kwargs):
        if self.__name__ in INERT:
            return _Inert(self.__name__)
        raise RuntimeError(
            f"{self.__name__} ({self.__module__}) is not part of this build of hfs-viewer "
            f"(packaging/rthook_vtk_lean.py)"
        )


class _AbsentModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        obj = Absent(self.__name__, name)
        setattr(self, name, obj)
        return obj


class _Loader(importlib.abc.Loader):
    def create_module(self, spec):
        return _AbsentModule(spec.name)

    def exec_module(self, module):
        module.__absent__ = True


class AbsentVTKFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        parts = fullname.split(".")
        if len(parts) == 2 and parts[0] == "vtkmodules" and parts[1] in ABSENT_VTK:
            return importlib.machinery.ModuleSpec(fullname, _Loader())
        return None


def install():
    """Serve the absent modules (idempotent). vtkmodules puts its own finder first on import, so
    import it before putting this one in front of it."""
    import vtkmodules  # noqa: F401

    if not any(isinstance(f, AbsentVTKFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, AbsentVTKFinder())


if getattr(sys, "frozen", False):
    install()
