"""The shipped demo case decodes to what the generator makes (the model voxelised)."""

import nibabel as nib
import nrrd
import numpy as np

from viewer.patient.demo import DEMO_DIR, LABELS, SPACING, label_map, structure_masks


def test_shipped_demo_files_match_the_generator():
    affine, masks = structure_masks()
    img = nib.load(DEMO_DIR / "hfs_demo.nii.gz")
    assert int(img.header["sform_code"]) > 0
    assert np.allclose(img.affine, affine, atol=1e-5)
    assert np.allclose(np.linalg.norm(img.affine[:3, :3], axis=0), SPACING, atol=1e-5)
    assert not np.allclose(img.affine[:3, :3], np.diag(SPACING))  # oblique
    assert np.array_equal(np.asarray(img.dataobj), label_map(masks))
    data, hdr = nrrd.read(str(DEMO_DIR / "hfs_demo.seg.nrrd"), index_order="F")
    assert hdr["space"] == "left-posterior-superior" and data.shape[0] == 2
    assert np.array_equal(data[0], label_map(masks, 0)) and np.array_equal(data[1], label_map(masks, 1))
    lps = np.asarray(hdr["space directions"], float)[1:]
    assert np.allclose(lps.T * np.array([[-1], [-1], [1]]), affine[:3, :3], atol=1e-5)
    names = {hdr[f"Segment{n}_Name"] for n in range(len(LABELS))}
    assert names == {name for _, name, _, _ in LABELS}
    table = (DEMO_DIR / "hfs_demo.tsv").read_text().splitlines()
    assert len(table) == len(LABELS) + 1
    assert sum(p.stat().st_size for p in DEMO_DIR.iterdir()) < 1_000_000
    for value, *_ in LABELS:
        assert masks[value].any(), value


def test_generator_reproduces_the_shipped_bytes(tmp_path):
    from viewer.patient.demo import write_demo

    for p in write_demo(tmp_path):
        assert p.read_bytes() == (DEMO_DIR / p.name).read_bytes(), f"{p.name}: run `make demo-case` and commit"
