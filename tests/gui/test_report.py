"""PDF case report (viewer.gui.report): pages, text, images, references, atomic writing."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import numpy as np
import pypdf
import pytest

from viewer.analysis import analyze
from viewer.gui.findings_panel import tag_words
from viewer.gui.report import reference_keys, report_images, write_report
from viewer.scenario import Teaching, default_scenario
from viewer.sources import BIBLIOGRAPHY

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from test_analysis import crossing  # noqa: E402

WHEN = dt.datetime(2026, 3, 14, 9, 30, tzinfo=dt.UTC)


def text_of(path) -> str:
    reader = pypdf.PdfReader(str(path))
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))


def image_count(reader) -> int:
    """Distinct images in the document (Qt may list one image in the resources of two pages)."""
    return len({im.indirect_reference.idnum for page in reader.pages for im in page.images})


def fake_images(*names, w=300, h=180):
    out = {}
    for k, name in enumerate(names):
        img = np.zeros((h, w, 3), np.uint8)
        img[..., k % 3] = 200
        out[name] = img
    return out


def aica_case(name="AICA on the attached segment", teaching=None):
    aica, _ = crossing(4.0, -0.4)
    s = default_scenario().with_vessel(aica)
    from dataclasses import replace

    return replace(s, name=name, teaching=teaching)


def test_report_pages_text_images_and_references(qapp, tmp_path):
    s = aica_case()
    f = analyze(s)
    out = tmp_path / "case.pdf"
    write_report(s, out, fake_images("anterior", "rez_closeup"), findings=f, generated=WHEN)
    reader = pypdf.PdfReader(str(out))
    assert len(reader.pages) >= 1
    assert image_count(reader) == 2
    text = text_of(out)
    assert "AICA on the attached segment" in text
    assert "2026-03-14" in text
    assert f.classification == ("single",)
    assert "Classification: single vessel" in text
    assert "moderate" in text and "attached segment (AS)" in text  # contact table
    assert "Anterior view" in text and "Root exit zone close-up view" in text
    # the mechanism text and the numbered references
    assert f.mechanism.steps[0][:40] in text
    refs = reference_keys(s, f)
    assert set(f.mechanism.sources) <= set(refs)
    for k in refs:
        assert BIBLIOGRAPHY[k][:30] in text
    assert "Management" in text and "Botulinum toxin" in text
    assert reader.metadata.title == "HFS report: AICA on the attached segment"
    assert [p.name for p in tmp_path.iterdir()] == ["case.pdf"]


def test_report_with_teaching_title_and_no_contact(qapp, tmp_path):
    teaching = Teaching(
        title="Idiopathic: nothing touches CN VII",
        note="Look elsewhere for the cause.",
        sources=("traylor-2021",),
        expected=("idiopathic",),
        view="anterior",
    )
    from dataclasses import replace

    s = replace(default_scenario(), teaching=teaching)
    out = tmp_path / "idio.pdf"
    write_report(s, out, fake_images("anterior"), generated=WHEN)
    text = text_of(out)
    assert s.name in text
    assert "Teaching case: Idiopathic: nothing touches CN VII" in text
    assert f"Classification: {tag_words('idiopathic')}" in text
    assert "No vessel or lesion touches CN VII or CN VIII" in text
    assert "matches the analysis" in text


def test_report_replaces_atomically_and_fails_cleanly(qapp, tmp_path):
    out = tmp_path / "r.pdf"
    out.write_bytes(b"old")
    write_report(default_scenario(), out, fake_images("anterior"), generated=WHEN)
    assert out.read_bytes().startswith(b"%PDF")
    with pytest.raises(OSError):
        write_report(default_scenario(), tmp_path / "missing-dir" / "r.pdf", fake_images("anterior"))
    with pytest.raises(ValueError):
        write_report(default_scenario(), tmp_path / "bad.pdf", {"anterior": np.zeros((4, 4), np.uint8)})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.pdf"]


@pytest.mark.render
def test_report_images_are_rendered_offscreen(qapp, tmp_path):
    s = aica_case()
    images = report_images(s, size=(240, 150))
    assert set(images) == {"anterior", "rez_closeup"}
    for img in images.values():
        assert img.shape == (150, 240, 3) and img.std() > 10
    assert np.abs(images["anterior"].astype(int) - images["rez_closeup"].astype(int)).mean() > 5
    out = tmp_path / "rendered.pdf"
    write_report(s, out, images)
    assert image_count(pypdf.PdfReader(str(out))) == 2


def test_report_of_a_teaching_preset(qapp, tmp_path):
    from viewer.gui.report import report_views
    from viewer.presets import load_preset

    s = load_preset("vertebral-tandem")
    f = analyze(s)
    assert report_views(s) == ("anterior", s.teaching.view if s.teaching.view != "anterior" else "rez_closeup")
    out = tmp_path / "tandem.pdf"
    write_report(s, out, fake_images(*report_views(s)), findings=f, generated=WHEN)
    text = text_of(out)
    assert s.name in text and "Teaching case" in text
    assert "Classification: " + ", ".join(tag_words(t) for t in f.classification) in text
    assert "tandem" in f.classification and "Tandem: the " in text
    assert "matches the analysis" in text
    for k in s.teaching.sources:
        assert BIBLIOGRAPHY[k][:30] in text


def test_report_states_the_corridor_visibility_when_a_corridor_is_planned(tmp_path):
    from dataclasses import replace

    from viewer.corridor import corridor_visibility
    from viewer.scenario import Corridor

    s = replace(default_scenario(), corridor=Corridor(8.0))
    out = write_report(s, tmp_path / "c.pdf", fake_images("anterior", "rez_closeup"), generated=WHEN)
    ref = corridor_visibility().fraction(8.0, s.vessels)
    text = text_of(out)
    assert f"{round(100 * ref)} % of the root exit zone" in text and "8.0 mm cerebellar retraction" in text
    plain = write_report(default_scenario(), tmp_path / "p.pdf", fake_images("anterior", "rez_closeup"), generated=WHEN)
    assert "Surgical corridor" not in text_of(plain)
