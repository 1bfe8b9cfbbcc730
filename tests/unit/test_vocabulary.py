"""The clinical vocabulary (viewer.vocabulary): every tag, lesion kind and mechanism kind is fully worded."""

from __future__ import annotations

import ast
import string
from dataclasses import fields
from pathlib import Path

import pytest

from viewer import analysis, anatomy, editing
from viewer import vocabulary as V
from viewer.sources import BIBLIOGRAPHY


def test_every_tag_has_words_in_both_tables():
    for tag in V.TAGS + V.FUTURE_TAGS:
        assert V.TAG_WORDS[tag] and V.TAG_SHORT[tag], tag
        assert V.tag_words(tag) == V.TAG_WORDS[tag]
        assert V.tag_words(tag, short=True) == V.TAG_SHORT[tag]
    assert set(V.TAG_WORDS) == set(V.TAG_SHORT) == set(V.TAGS) | set(V.FUTURE_TAGS)
    assert V.tag_words("some_new_tag") == "some new tag"


def test_version_2_tags_are_worded_and_future_tags_not_reported():
    assert V.tag_words("post_trauma") == "post-traumatic"
    assert V.tag_words("inflammatory") == "inflammatory"
    assert V.tag_words("decompressed") == "decompressed"
    assert "decompressed" in analysis.TAGS  # the MVD plan's check reports it (viewer.decompression)
    assert analysis.TAGS.index("decompressed") < analysis.TAGS.index("idiopathic")
    assert not set(V.FUTURE_TAGS) & set(analysis.TAGS)


def test_history_flags_give_their_tags_in_the_scenario_order():
    from viewer.scenario import CLASSIFICATION_TAGS, History

    assert list(V.HISTORY_TAGS) == [f.name for f in fields(History)]
    assert set(V.HISTORY_WORDS) == set(V.HISTORY_HINTS) == set(V.HISTORY_TAGS)
    assert set(V.HISTORY_TAGS.values()) <= set(V.TAGS) and set(V.TAGS) <= set(CLASSIFICATION_TAGS)
    assert [t for t in CLASSIFICATION_TAGS if t in V.TAGS] == list(V.TAGS)  # the same reporting order
    assert V.TAGS[: len(V.TAGS_V1) - 1] == V.TAGS_V1[:-1] and V.TAGS[-1] == "idiopathic"
    for tag in ("post_trauma", "inflammatory"):
        assert tag in V.MECHANISM_KINDS and tag in V.COMBINED_NOTES


def test_old_imports_still_work():
    assert analysis.TAGS is V.TAGS and analysis.SEVERITIES is V.SEVERITIES
    assert anatomy.SEGMENTS is V.SEGMENTS and anatomy.SEGMENT_NAMES is V.SEGMENT_NAMES
    assert anatomy.REZ_SEGMENTS is V.REZ_SEGMENTS
    assert editing.LESION_LABELS is V.LESION_LABELS


def test_segments_and_severities_are_worded():
    assert set(V.SEGMENT_NAMES) == set(V.SEGMENTS) and set(V.REZ_SEGMENTS) < set(V.SEGMENTS)
    assert V.segment_site("AS") == "attached segment (AS)"
    assert V.segment_site(None, "CN VIII") == "CN VIII"
    assert set(V.SEVERITY_WORDS) == set(V.SEVERITIES)
    assert all(V.SEVERITY_WORDS[s].startswith(s) for s in V.SEVERITIES)


@pytest.mark.parametrize("table", ["LESION_WORDS", "LESION_PHRASES", "LESION_LABELS"])
def test_every_lesion_kind_has_every_wording(table):
    words = getattr(V, table)
    assert set(words) == set(V.LESION_KINDS)
    assert all(isinstance(w, str) and w.strip() for w in words.values())
    assert set(V.MASS_LESION_KINDS) < set(V.LESION_KINDS)


def test_lesion_phrase():
    assert V.lesion_phrase(["tumor", "aneurysm"]) == "a tumour and an aneurysm"
    assert V.lesion_phrase([]) == ""


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}


@pytest.mark.parametrize("kind", V.MECHANISM_KINDS)
def test_mechanism_texts_are_complete(kind):
    text = V.MECHANISM_TEXTS[kind]
    assert text.summary and text.steps and text.management and text.sources
    assert isinstance(text.likely_symptomatic, bool)
    keys = list(text.sources) + [k for n in text.severity_notes.values() for k in n.sources]
    assert all(k in BIBLIOGRAPHY for k in keys), [k for k in keys if k not in BIBLIOGRAPHY]
    assert len(set(text.sources)) == len(text.sources)
    assert set(text.sources_if) <= set(text.sources)
    assert all(set(tags) <= set(V.TAGS) for tags in text.sources_if.values())
    assert set(text.severity_notes) <= set(V.SEVERITIES)
    # every template uses only the documented fields, and formats with them
    sample = {f: f"<{f}>" for f in V.MECHANISM_FIELDS}
    for template in (text.summary, *text.steps, *text.management):
        assert _fields(template) <= set(V.MECHANISM_FIELDS), template
        assert "{" not in template.format(**sample)
    assert V.PROJECT_SOURCE in BIBLIOGRAPHY


def test_mechanism_kinds_match_the_table():
    assert tuple(V.MECHANISM_TEXTS) == V.MECHANISM_KINDS


def test_notes_are_complete():
    assert set(V.COMBINED_NOTES) <= set(V.TAGS)
    fields = {"pairs": "VA -> AICA", "n_vessels": 2, "ids": "aica"}
    for note in (*V.COMBINED_NOTES.values(), *V.CONTACT_NOTES.values()):
        assert all(k in BIBLIOGRAPHY for k in note.sources)
        assert _fields(note.text) <= set(fields), note.text
        assert "{" not in note.text.format(**fields)


def test_the_vocabulary_is_stdlib_only():
    tree = ast.parse(Path(V.__file__).read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "the vocabulary imports nothing from the package"
            roots.add(node.module.split(".")[0])
    assert roots <= {"__future__", "collections", "dataclasses", "re", "types", "typing"}, roots
