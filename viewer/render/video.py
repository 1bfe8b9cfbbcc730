"""Animations to MP4 or GIF, rendered offscreen (no Qt).

Frame sources are generators of RGB arrays, so the GUI can show a progress
dialog and the CLI a progress line while the same code renders:

* `turntable_frames`: the camera goes once around the scene (azimuth 360 deg over
  N frames, the last frame one step short of the first, so the loop is seamless);
* `pulsation_frames`: `viewer.motion` over one or more cardiac cycles; every
  frame is re-analysed and CN VII re-deformed, so the dent follows systole;
* `mechanism_frames`: the mechanism view (`viewer.render.mechanism`) over one or
  more loops of `viewer.mechanism_anim`: myelin colours, demyelination patch,
  ectopic/ephaptic/antidromic impulses, the facial motor nucleus, captions.

`write_video(frames, out, fps, total, progress)` writes them: MP4 (H.264,
yuv420p) through the ffmpeg binary in the imageio-ffmpeg wheel, GIF through
Pillow. `progress(done, total)` is called after every frame; returning False
cancels: the partial output is deleted and a file already at `out` is left
untouched (frames go to a temp file in the same folder, renamed at the end),
and `ExportCancelled` is raised. `export_animation` does it all in one call.

GUI use: drive it from the main thread with the progress callback updating a
QProgressDialog (which processes events) and returning `not dialog.wasCanceled()`;
VTK's offscreen window is separate from the QtInteractor's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyvista as pv

from ..analysis import Findings
from ..atomic import atomic_path
from ..motion import Pulsation
from ..scenario import Scenario

__all__ = [
    "ANIMATIONS",
    "VIDEO_SUFFIXES",
    "DEFAULT_VIDEO_SIZE",
    "DEFAULT_FPS",
    "DEFAULT_TURNTABLE_FRAMES",
    "ExportCancelled",
    "FfmpegMissing",
    "VideoInfo",
    "OffscreenScenario",
    "turntable_frames",
    "pulsation_frames",
    "pulsation_frame_count",
    "mechanism_frames",
    "mechanism_frame_count",
    "write_video",
    "export_animation",
]

ANIMATIONS = ("pulsation", "turntable", "mechanism")
VIDEO_SUFFIXES = (".mp4", ".gif")
DEFAULT_VIDEO_SIZE = (1280, 720)
DEFAULT_FPS = 25  # GIF frame delays are whole centiseconds: 25 fps is exactly 4 cs
DEFAULT_TURNTABLE_FRAMES = 120
MAX_FRAMES = 10_000
MP4_CRF = 20  # x264 constant quality (lower = better; 18-23 is visually good)

Progress = Callable[[int, int], bool | None]


class ExportCancelled(Exception):
    """The progress callback returned False: nothing was written (an existing file is untouched)."""


class FfmpegMissing(OSError):
    """MP4 needs an ffmpeg binary (the imageio-ffmpeg wheel's, or one on PATH / IMAGEIO_FFMPEG_EXE)."""

    def __init__(self):
        super().__init__(
            "MP4 export needs ffmpeg, which was not found: install ffmpeg (or set IMAGEIO_FFMPEG_EXE), or export a .gif"
        )


@dataclass(frozen=True)
class VideoInfo:
    path: Path
    frames: int
    fps: float
    size: tuple[int, int]  # (width, height) as written
    seconds: float  # wall time spent


# ----------------------------------------------------------------------------- rendering
class OffscreenScenario:
    """One offscreen plotter showing a scenario (ScenarioView: vessels, lesions, deformed nerve,
    callouts) that can be re-posed and re-shown frame after frame. Use as a context manager."""

    def __init__(
        self,
        scenario: Scenario | None = None,
        view: str | None = None,
        size=DEFAULT_VIDEO_SIZE,
        labels: bool = False,
        annotations: bool = True,
    ):
        from .scenario_view import ScenarioView
        from .scene import Scene
        from .views import DEFAULT_VIEW

        self.size = (int(size[0]), int(size[1]))
        self.annotations = annotations
        self.plotter = pv.Plotter(off_screen=True, window_size=list(self.size))
        try:
            self.scene = Scene(self.plotter)
            if view is None:
                view = getattr(getattr(scenario, "teaching", None), "view", None) or DEFAULT_VIEW
            self.scene.set_view(view)
            self.scene.set_labels(labels)
            self.presenter = ScenarioView(self.scene)
            self._caption = None
            if scenario is not None:
                self.show(scenario)
        except BaseException:
            self.plotter.close()
            raise

    @property
    def state(self):
        """The SceneState shown now."""
        return self.presenter.state

    @property
    def findings(self) -> Findings | None:
        return None if self.presenter.state is None else self.presenter.state.findings

    def show(self, scenario: Scenario):
        """Show `scenario` (analysed and its nerve deformed together); returns its SceneState."""
        return self.presenter.show(scenario, annotations=self.annotations)

    def set_view(self, name: str) -> None:
        self.scene.set_view(name)
        self._replace_callouts()

    def azimuth(self, degrees: float) -> None:
        """Turn the camera about the view-up axis through the focal point."""
        self.plotter.camera.Azimuth(float(degrees))
        self.plotter.renderer.ResetCameraClippingRange()
        self._replace_callouts()

    def _replace_callouts(self) -> None:
        c = self.presenter.callouts
        if self.annotations and c.items:
            c.set(c.items)  # boxes are placed in pixels relative to their anchors: re-place

    def set_caption(self, text: str | None) -> None:
        """A caption in the lower-left corner (None removes it)."""
        if text is None:
            if self._caption is not None:
                self._caption.SetVisibility(False)
            return
        if self._caption is None:
            # pixel position -> a plain vtkTextActor (a named corner gives a vtkCornerAnnotation);
            # top left: the orientation axes sit bottom left
            margin = max(6, self.size[1] // 80)
            self._caption = self.plotter.add_text(
                text,
                position=(margin, self.size[1] - margin),
                color="white",
                shadow=True,
                font_size=10,
                name="video-caption",
            )
            tp = self._caption.GetTextProperty()
            tp.SetFontSize(max(11, round(self.size[1] / 45)))
            tp.SetVerticalJustificationToTop()
        self._caption.SetInput(text)
        self._caption.SetVisibility(True)

    def grab(self) -> np.ndarray:
        """The current frame as an (H, W, 3) uint8 array."""
        self.plotter.render()
        img = self.plotter.screenshot(None, return_img=True)
        return np.ascontiguousarray(img[..., :3])

    def close(self) -> None:
        if self.plotter is not None:
            self.plotter.close()
            self.plotter = None

    def __enter__(self) -> OffscreenScenario:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def turntable_frames(
    scenario: Scenario,
    n_frames: int = DEFAULT_TURNTABLE_FRAMES,
    *,
    view: str | None = None,
    size=DEFAULT_VIDEO_SIZE,
    labels: bool = False,
    annotations: bool = True,
) -> Iterator[np.ndarray]:
    """The camera once around the scene: frame k at azimuth 360 k / n (degrees)."""
    n = _check_frames(n_frames)
    with OffscreenScenario(scenario, view=view, size=size, labels=labels, annotations=annotations) as r:
        step = 360.0 / n
        for k in range(n):
            if k:
                r.azimuth(step)
            yield r.grab()


def pulsation_frame_count(pulsation: Pulsation, cycles: float, fps: float) -> int:
    """Frames for `cycles` cardiac cycles played in real time at `fps` (at least 2)."""
    return max(2, int(round(cycles * pulsation.period_s * fps)))


def pulsation_frames(
    scenario: Scenario,
    n_frames: int | None = None,
    *,
    pulsation: Pulsation | None = None,
    cycles: float = 1.0,
    fps: float = DEFAULT_FPS,
    view: str | None = None,
    size=DEFAULT_VIDEO_SIZE,
    labels: bool = False,
    annotations: bool = True,
    caption: bool = True,
) -> Iterator[np.ndarray]:
    """Arterial pulsation over `cycles` cardiac cycles: n frames evenly spaced in time (default:
    real time at `fps`); each frame re-runs the analysis and the nerve deformation."""
    pulsation = pulsation or Pulsation()
    n = _check_frames(pulsation_frame_count(pulsation, cycles, fps) if n_frames is None else n_frames)
    with OffscreenScenario(None, view=view, size=size, labels=labels, annotations=annotations) as r:
        plan = pulsation.plan(scenario)
        head = "\n".join(pulsation.caption_lines()) if caption else None
        for t in plan.frame_times(n, cycles):
            r.show(plan.at(t))
            if head is not None:
                r.set_caption(f"{head}\nt = {t:.2f} s \u00b7 {pulsation.phase_name(t)}")
            yield r.grab()


def mechanism_frame_count(period_s: float, loops: float, fps: float) -> int:
    """Frames for `loops` loops of the mechanism animation in real time at `fps` (at least 2)."""
    return max(2, int(round(loops * period_s * fps)))


def mechanism_frames(
    scenario: Scenario,
    n_frames: int | None = None,
    *,
    period_s: float | None = None,
    loops: float = 1.0,
    fps: float = DEFAULT_FPS,
    view: str | None = None,
    size=DEFAULT_VIDEO_SIZE,
    labels: bool = False,
    annotations: bool = False,
) -> Iterator[np.ndarray]:
    """The mechanism animation of `scenario` over `loops` loops: n frames evenly spaced in time
    (default: real time at `fps`; the last frame one step short of the loop's end, so it loops).

    The caption at the bottom replaces the contact callouts (`annotations=True` keeps them)."""
    from ..mechanism_anim import DEFAULT_PERIOD_S
    from .mechanism import MechanismView

    period = DEFAULT_PERIOD_S if period_s is None else float(period_s)
    n = _check_frames(mechanism_frame_count(period, loops, fps) if n_frames is None else n_frames)
    with OffscreenScenario(scenario, view=view, size=size, labels=labels, annotations=annotations) as r:
        plan = r.state.mechanism_plan(period_s=period)
        view_ = MechanismView(r.scene)
        try:
            view_.set_plan(plan)
            view_.set_enabled(True)
            for t in plan.frame_times(n, loops):
                view_.update(t)
                yield r.grab()
        finally:
            view_.close()


def _check_frames(n) -> int:
    n = int(n)
    if not 1 <= n <= MAX_FRAMES:
        raise ValueError(f"frame count {n} is outside 1-{MAX_FRAMES}")
    return n


# ----------------------------------------------------------------------------- writing
def _even(img: np.ndarray) -> np.ndarray:
    """Pad to even width and height (H.264 in yuv420p needs them) by repeating the last row/column."""
    h, w = img.shape[:2]
    if h % 2 == 0 and w % 2 == 0:
        return img
    return np.pad(img, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")


def _rgb(frame) -> np.ndarray:
    a = np.asarray(frame)
    if a.ndim != 3 or a.shape[2] not in (3, 4):
        raise ValueError(f"frames must be (H, W, 3|4) arrays, got shape {a.shape}")
    return np.ascontiguousarray(a[..., :3], dtype=np.uint8)


def write_video(
    frames: Iterable[np.ndarray],
    out_path,
    fps: float = DEFAULT_FPS,
    *,
    total: int | None = None,
    progress: Progress | None = None,
) -> VideoInfo:
    """Write RGB frames to `out_path` (.mp4 or .gif, by suffix), atomically.

    progress(done, total) after each frame; returning False cancels (raises ExportCancelled,
    leaves nothing behind and any existing file at `out_path` untouched). All frames must
    have the size of the first. Raises ValueError for an unknown suffix or bad frames and
    OSError when the folder cannot be written.
    """
    out = Path(out_path)
    suffix = out.suffix.lower()
    if suffix not in VIDEO_SUFFIXES:
        raise ValueError(f"{out}: video output must end in {' or '.join(VIDEO_SUFFIXES)}")
    if not fps > 0:
        raise ValueError(f"fps must be positive, got {fps}")
    if total is None and hasattr(frames, "__len__"):
        total = len(frames)  # type: ignore[arg-type]
    total = int(total or 0)
    t0 = time.perf_counter()
    it = iter(frames)
    sink = None
    done = 0
    size = None
    try:
        with atomic_path(out, suffix=suffix) as tmp:  # the encoder sees the real suffix
            try:
                sink = _Mp4Sink(tmp, fps) if suffix == ".mp4" else _GifSink(tmp, fps)
                for frame in it:
                    img = _rgb(frame)
                    if size is None:
                        size = (img.shape[1], img.shape[0])
                    elif (img.shape[1], img.shape[0]) != size:
                        raise ValueError(
                            f"frame {done} is {img.shape[1]}x{img.shape[0]}, the first was {size[0]}x{size[1]}"
                        )
                    sink.add(img)
                    done += 1
                    if progress is not None and progress(done, max(total, done)) is False:
                        raise ExportCancelled(f"{out}: cancelled after {done} frames")
                if done == 0:
                    raise ValueError(f"{out}: no frames to write")
                written = sink.finish()
                sink = None
            except BaseException:
                if sink is not None:
                    sink.abort()
                raise
    finally:
        close = getattr(it, "close", None)
        if close is not None:
            close()  # a generator releases its offscreen plotter now
    return VideoInfo(out, done, float(fps), written, time.perf_counter() - t0)


class _Mp4Sink:
    def __init__(self, path: str, fps: float):
        self.path, self.fps = path, fps
        self.gen = None
        self.size = None

    def add(self, img: np.ndarray) -> None:
        img = _even(img)
        if self.gen is None:
            import imageio_ffmpeg

            try:
                imageio_ffmpeg.get_ffmpeg_exe()
            except RuntimeError:  # frozen builds ship without ffmpeg unless built --with-ffmpeg
                raise FfmpegMissing() from None
            self.size = (img.shape[1], img.shape[0])
            self.gen = imageio_ffmpeg.write_frames(
                self.path,
                self.size,
                fps=self.fps,
                codec="libx264",
                pix_fmt_in="rgb24",
                pix_fmt_out="yuv420p",
                quality=None,
                macro_block_size=1,
                ffmpeg_log_level="error",
                output_params=["-crf", str(MP4_CRF), "-preset", "medium", "-movflags", "+faststart", "-f", "mp4"],
            )
            self.gen.send(None)
        self.gen.send(img.tobytes())

    def finish(self) -> tuple[int, int]:
        self.gen.close()  # waits for ffmpeg to write the trailer
        return self.size

    def abort(self) -> None:
        if self.gen is not None:
            try:
                self.gen.close()
            except Exception:  # noqa: BLE001 - the file is deleted anyway
                pass


class _GifSink:
    def __init__(self, path: str, fps: float):
        self.path = path
        self.duration_ms = max(20, int(round(100.0 / fps)) * 10)  # whole centiseconds, >= 2 cs (browsers)
        self.frames = []

    def add(self, img: np.ndarray) -> None:
        from PIL import Image

        # an adaptive 256-colour palette per frame (the heat map changes over a pulsation)
        self.frames.append(
            Image.fromarray(img).quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        )

    def finish(self) -> tuple[int, int]:
        first, rest = self.frames[0], self.frames[1:]
        with open(self.path, "wb") as fh:
            first.save(
                fh,
                format="GIF",
                save_all=True,
                append_images=rest,
                duration=self.duration_ms,
                loop=0,
                optimize=False,
                disposal=1,
            )
        return first.size

    def abort(self) -> None:
        self.frames.clear()


# ----------------------------------------------------------------------------- one call
def export_animation(
    scenario: Scenario,
    out_path,
    animation: str = "pulsation",
    *,
    frames: int | None = None,
    fps: float = DEFAULT_FPS,
    size=DEFAULT_VIDEO_SIZE,
    view: str | None = None,
    pulsation: Pulsation | None = None,
    cycles: float = 1.0,
    labels: bool = False,
    annotations: bool | None = None,
    progress: Progress | None = None,
) -> VideoInfo:
    """Render `animation` ("pulsation" | "turntable" | "mechanism") of `scenario` to an MP4 or GIF.

    frames: None = one cardiac cycle in real time (pulsation), DEFAULT_TURNTABLE_FRAMES, or one
    loop of the mechanism animation in real time (`cycles` loops for "mechanism").
    annotations: contact callouts; None = on, except for "mechanism" (its caption replaces them).
    """
    suffix = Path(out_path).suffix.lower()
    if suffix not in VIDEO_SUFFIXES:
        raise ValueError(f"{out_path}: video output must end in {' or '.join(VIDEO_SUFFIXES)}")
    if annotations is None:
        annotations = animation != "mechanism"
    if animation == "pulsation":
        pulsation = pulsation or Pulsation()
        n = _check_frames(frames if frames is not None else pulsation_frame_count(pulsation, cycles, fps))
        source = pulsation_frames(
            scenario,
            n,
            pulsation=pulsation,
            cycles=cycles,
            fps=fps,
            view=view,
            size=size,
            labels=labels,
            annotations=annotations,
        )
    elif animation == "turntable":
        n = _check_frames(frames if frames is not None else DEFAULT_TURNTABLE_FRAMES)
        source = turntable_frames(scenario, n, view=view, size=size, labels=labels, annotations=annotations)
    elif animation == "mechanism":
        from ..mechanism_anim import DEFAULT_PERIOD_S

        n = _check_frames(frames if frames is not None else mechanism_frame_count(DEFAULT_PERIOD_S, cycles, fps))
        source = mechanism_frames(
            scenario, n, loops=cycles, fps=fps, view=view, size=size, labels=labels, annotations=annotations
        )
    else:
        raise ValueError(f"unknown animation {animation!r} (one of {', '.join(ANIMATIONS)})")
    return write_video(source, out_path, fps, total=n, progress=progress)
