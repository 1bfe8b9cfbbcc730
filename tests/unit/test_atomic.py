"""viewer.atomic: the file appears complete or not at all."""

import os
import stat

import pytest

from viewer.atomic import atomic_path, write_text_atomic


def test_success_replaces_with_normal_permissions(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    write_text_atomic(target, "new")
    assert target.read_text() == "new"
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_failure_leaves_the_old_file_and_no_temp(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target, suffix=".gif") as tmp:
            assert tmp.endswith(".gif") and os.path.dirname(tmp) == str(tmp_path)
            open(tmp, "w").write("half")
            raise RuntimeError("cancelled")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
