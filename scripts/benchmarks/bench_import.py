"""Benchmark: importing a label map to smoothed surfaces versus a VTK baseline (not a test).

Run: .venv/bin/python scripts/benchmarks/bench_import.py [--runs 5] [--dtype int16|uint8]

A synthetic 512 x 512 x 200 label map (0.4 x 0.4 x 0.7 mm, oblique affine) with 8 labels
(ellipsoid blobs and tubes, one label in two pieces) is written once as .nii.gz. Each run
is a fresh process, so peak RSS is that of one import:
  - baseline: read the file with nibabel + one vtkDiscreteFlyingEdges3D pass over all labels
    (raw iso-surfaces: no smoothing, no per-label split, no decimation);
  - import:   viewer.patient.importer.import_files (size checks, label scan, surface nets with
    constrained smoothing, per-label split, affine, decimation to the 400 k case budget, normals).
Prints median seconds, the ratio (target <= 3x) and peak RSS over the process's RSS before the
read, against the volume's size in memory (target <= 4x).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

SHAPE = (512, 512, 200)
SPACING = (0.4, 0.4, 0.7)


def make_volume(path: Path, dtype: str) -> None:
    import nibabel as nib

    from viewer.voxelise import capsule_chain_mask

    th = np.radians(5.0)
    rot = np.array([[np.cos(th), -np.sin(th), 0], [np.sin(th), np.cos(th), 0], [0, 0, 1]])
    affine = np.eye(4)
    affine[:3, :3] = rot @ np.diag(SPACING)
    affine[:3, 3] = [-100.0, -110.0, -70.0]
    lab = np.zeros(SHAPE, dtype)
    idx_scale = np.array(SPACING)

    def ellipsoid(value, centre_ijk, radii_mm):
        c = np.array(centre_ijk, float)
        r = np.array(radii_mm) / idx_scale
        lo = np.maximum((c - r - 1).astype(int), 0)
        hi = np.minimum((c + r + 2).astype(int), SHAPE)
        g = np.indices(hi - lo).transpose(1, 2, 3, 0) + lo
        inside = (((g - c) / r) ** 2).sum(-1) < 1
        sub = lab[lo[0] : hi[0], lo[1] : hi[1], lo[2] : hi[2]]
        sub[inside] = value

    ellipsoid(1, (256, 256, 100), (40, 35, 50))  # "brainstem"
    ellipsoid(2, (120, 300, 120), (18, 18, 20))  # "cerebellum" piece 1
    ellipsoid(2, (400, 300, 120), (18, 18, 20))  # piece 2
    ellipsoid(3, (256, 80, 60), (12, 10, 14))  # "lesion"
    t = np.linspace(0, 1, 80)[:, None]
    tubes = {
        4: ([-60, -40, -40], [60, 60, 50], 1.5),
        5: ([-80, 20, -50], [40, -70, 40], 1.0),
        6: ([-90, -90, 0], [90, 90, 10], 0.8),
        7: ([0, -95, -60], [0, 95, 60], 2.0),
        8: ([-95, 0, 40], [95, 10, -40], 0.7),
    }
    for value, (a, b, r) in tubes.items():
        a, b = np.array(a, float), np.array(b, float)
        wave = np.hstack([np.zeros_like(t), 8 * np.sin(6 * t), 6 * np.cos(5 * t)])
        line = a + t * (b - a) + wave
        mask = capsule_chain_mask(SHAPE, affine, line, r)
        lab[mask & (lab == 0)] = value
    img = nib.Nifti1Image(lab, affine)
    img.header.set_sform(affine, code=1)
    nib.save(img, path)


def child(mode: str, path: str) -> None:
    """One timed run in this process; prints JSON with seconds, RSS before and peak."""
    import nibabel as nib
    import vtk
    from vtk.util import numpy_support as ns

    from viewer.patient.importer import import_files

    def status_kb(key):  # VmRSS now, VmHWM the peak since the reset below
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
        return 0

    before = status_kb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak: module imports do not count
    t = time.perf_counter()
    if mode == "baseline":
        img = nib.load(path)
        arr = np.asanyarray(img.dataobj)
        im = vtk.vtkImageData()
        im.SetDimensions(*arr.shape)
        flat = arr.ravel(order="F")
        im.GetPointData().SetScalars(ns.numpy_to_vtk(flat, deep=False))
        fe = vtk.vtkDiscreteFlyingEdges3D()
        fe.SetInputData(im)
        fe.GenerateValues(8, 1, 8)
        fe.Update()
        tri = fe.GetOutput().GetNumberOfCells()
    else:
        r = import_files([path])
        tri = sum(m.n_cells for m in r.meshes.values())
    dt = time.perf_counter() - t
    print(
        json.dumps(
            {
                "seconds": dt,
                "rss_before_kb": before,
                "rss_peak_kb": max(status_kb("VmHWM"), before),
                "triangles": int(tri),
            }
        )
    )


def run_child(mode: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path)],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--dtype", default="int16", choices=("uint8", "int16"))
    ap.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "labels.nii.gz"
        t = time.perf_counter()
        make_volume(path, args.dtype)
        vol_bytes = int(np.prod(SHAPE)) * np.dtype(args.dtype).itemsize
        print(
            f"label map {SHAPE[0]}x{SHAPE[1]}x{SHAPE[2]} {args.dtype}, 8 labels, {vol_bytes / 2**20:.0f} MiB in memory, "
            f"{path.stat().st_size / 2**20:.1f} MiB .nii.gz (made in {time.perf_counter() - t:.1f} s)"
        )
        res = {"baseline": [], "import": []}
        for _ in range(args.runs):  # interleaved, so both see the same load on a shared machine
            for m in res:
                res[m].append(run_child(m, path))
    med = {m: statistics.median(r["seconds"] for r in rs) for m, rs in res.items()}
    for m, rs in res.items():
        peak = max(r["rss_peak_kb"] for r in rs) * 1024
        extra = max(r["rss_peak_kb"] - r["rss_before_kb"] for r in rs) * 1024
        runs = ", ".join(f"{r['seconds']:.2f}" for r in rs)
        print(
            f"{m:8s}: median {med[m]:.2f} s over {len(rs)} runs ({runs}), "
            f"{rs[0]['triangles']} triangles, peak RSS {peak / 2**20:.0f} MiB "
            f"(+{extra / 2**20:.0f} MiB over start = {extra / vol_bytes:.2f}x the volume)"
        )
    ratio = med["import"] / med["baseline"]
    print(f"import / baseline: {ratio:.2f}x (target <= 3x)")


if __name__ == "__main__":
    main()
