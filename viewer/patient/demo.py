"""The shipped demo case: the parametric model voxelised like a patient's segmentation.

0.4 x 0.4 x 0.7 mm voxels (a TOF-MRA-like grid) on axes turned a few degrees (an
oblique acquisition), cropped to the left cerebellopontine angle, written two ways:
- `hfs_demo.nii.gz` (one label map, RAS sform) + `hfs_demo.tsv` (value, name, colour);
- `hfs_demo.seg.nrrd` (3D Slicer segmentation, LPS, two layers: tissue, vessels, so
  the vessels overlap the tissue as Slicer stores overlapping segments).
Regenerate with `python -m viewer.patient.demo` (`make demo-case`); a test checks the
shipped files decode to what this code makes.
"""

from __future__ import annotations

import gzip
import io
import re
from pathlib import Path

import numpy as np

from ..anatomy import brainstem_sdf, build_anatomy
from ..atomic import atomic_path
from ..case import default_colour, guess_role
from ..voxelise import capsule_chain_mask, grid_for_bounds, sdf_mask

DEMO_DIR = Path(__file__).resolve().parent / "demo"
SPACING = (0.4, 0.4, 0.7)
CROP = (-33.0, 1.0, -12.0, 17.0, -12.0, 20.0)  # RAS mm: the left CPA
TILT_DEG = (4.0, -3.0, 6.0)  # rotations about x, y, z

# (value, name, model structure, layer in the .seg.nrrd); painted in this order
LABELS = (
    (1, "Brainstem", "brainstem", 0),
    (2, "Petrous bone", "petrous", 0),
    (3, "Facial nerve (CN VII)", "cn7", 0),
    (4, "Vestibulocochlear nerve (CN VIII)", "cn8", 0),
    (5, "Left AICA", "aica", 1),
    (6, "Left PICA", "pica", 1),
    (7, "Left vertebral artery", "va_left", 1),
    (8, "Basilar artery", "basilar", 1),
    (9, "Vein of the pontomedullary sulcus", "vein_pms", 1),
)


def _rotation() -> np.ndarray:
    ax, ay, az = np.radians(TILT_DEG)
    rx = np.array([[1, 0, 0], [0, np.cos(ax), -np.sin(ax)], [0, np.sin(ax), np.cos(ax)]])
    ry = np.array([[np.cos(ay), 0, np.sin(ay)], [0, 1, 0], [-np.sin(ay), 0, np.cos(ay)]])
    rz = np.array([[np.cos(az), -np.sin(az), 0], [np.sin(az), np.cos(az), 0], [0, 0, 1]])
    return rz @ ry @ rx


def demo_grid() -> tuple[tuple[int, int, int], np.ndarray]:
    shape, affine = grid_for_bounds(CROP, SPACING, _rotation())
    return shape, np.round(affine, 6)


def structure_masks() -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """(affine, {label value: boolean mask}) of the model on the demo grid."""
    shape, affine = demo_grid()
    a = build_anatomy()
    masks = {}
    for value, _, sid, _ in LABELS:
        if sid == "brainstem":
            masks[value] = sdf_mask(shape, affine, brainstem_sdf)
        elif sid == "petrous":
            masks[value] = sdf_mask(shape, affine, a.petrous.sdf)
        else:
            t = a.tubes[sid]
            masks[value] = capsule_chain_mask(shape, affine, t.centerline_mm, t.radius_mm)
    return affine, masks


def label_map(masks: dict[int, np.ndarray], layer: int | None = None) -> np.ndarray:
    """Paint the masks in LABELS order (later wins), all of them or one .seg.nrrd layer."""
    shape = next(iter(masks.values())).shape
    out = np.zeros(shape, np.uint8)
    for value, _, _, lay in LABELS:
        if layer is None or lay == layer:
            out[masks[value]] = value
    return out


def colour_of(value: int) -> tuple[int, int, int]:
    name = dict((v, n) for v, n, _, _ in LABELS)[value]
    role, _, kind = guess_role(name)
    return default_colour(role, kind)


def write_demo(out_dir: Path | str = DEMO_DIR) -> list[Path]:
    import nibabel as nib
    import nrrd

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    affine, masks = structure_masks()
    labels = label_map(masks)
    img = nib.Nifti1Image(labels, affine)
    img.header.set_sform(affine, code=1)
    img.header.set_qform(affine, code=1)
    img.header.set_xyzt_units("mm")
    nii = out_dir / "hfs_demo.nii.gz"
    raw = nib.Nifti1Image.to_bytes(img) if hasattr(nib.Nifti1Image, "to_bytes") else img.to_bytes()
    with atomic_path(nii) as tmp:  # mtime 0: the same labels give the same bytes
        with open(tmp, "wb") as fh, gzip.GzipFile(filename="", fileobj=fh, mode="wb", mtime=0, compresslevel=9) as gz:
            gz.write(raw)
    tsv = out_dir / "hfs_demo.tsv"
    rows = ["value\tname\tr\tg\tb"] + [f"{v}\t{n}\t" + "\t".join(str(c) for c in colour_of(v)) for v, n, _, _ in LABELS]
    with atomic_path(tsv) as tmp:
        Path(tmp).write_text("\n".join(rows) + "\n", encoding="utf-8")
    layered = np.stack([label_map(masks, 0), label_map(masks, 1)])
    lps = np.diag([-1.0, -1.0, 1.0]) @ affine[:3, :]
    header = {
        "type": "unsigned char",
        "dimension": 4,
        "space": "left-posterior-superior",
        "kinds": ["list", "domain", "domain", "domain"],
        "encoding": "gzip",
        "space directions": np.vstack([np.full(3, np.nan), lps[:, :3].T]),
        "space origin": lps[:, 3],
    }
    for n, (value, name, _, layer) in enumerate(LABELS):
        c = colour_of(value)
        p = f"Segment{n}_"
        header.update(
            {
                p + "ID": f"Segment_{value}",
                p + "Name": name,
                p + "NameAutoGenerated": "0",
                p + "Color": " ".join(f"{x / 255:.6g}" for x in c),
                p + "ColorAutoGenerated": "0",
                p + "LabelValue": str(value),
                p + "Layer": str(layer),
                p + "Tags": "|",
            }
        )
    seg = out_dir / "hfs_demo.seg.nrrd"
    buf = io.BytesIO()
    nrrd.write(buf, layered, header, index_order="F", compression_level=9)
    # pynrrd stamps the time in a comment: drop it so the same labels give the same bytes
    data = re.sub(rb"# on [^\n]*\(GMT\)\.\n", b"", buf.getvalue(), count=1)
    with atomic_path(seg) as tmp:
        Path(tmp).write_bytes(data)
    return [nii, tsv, seg]


def demo_files(kind: str = "nifti") -> list[Path]:
    """The shipped demo inputs: ["nifti"] the label map + its table, ["seg.nrrd"] the segmentation."""
    if kind == "nifti":
        return [DEMO_DIR / "hfs_demo.nii.gz", DEMO_DIR / "hfs_demo.tsv"]
    return [DEMO_DIR / "hfs_demo.seg.nrrd"]


if __name__ == "__main__":
    for p in write_demo():
        print(f"wrote {p} ({p.stat().st_size} bytes)")
