"""Knowledge documents: parsing, validation errors that name file and field, coverage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agriadvisor.knowledge import load_corpus, parse_document
from agriadvisor.knowledge.coverage import check_report

GOOD = """---
id: test-wheat
title: "Wheat test guide"
country: Nepal
crop: wheat
sources: ["NARC National Wheat Research Program"]
---
Intro text is ignored.

## Sowing time
<!--
stage: sowing
topics: [seed]
practice: [CSA]
-->
In Nepal's Terai, wheat is sown from mid-November. Late sowing lowers yield.

## Storage
<!--
stage: post_harvest
topics: [storage]
sources: ["FAO storage manual"]
-->
Dry wheat grain to 12 percent moisture before storing it in clean, airtight bins.
"""


def test_sections_become_chunks_that_inherit_metadata() -> None:
    meta, chunks, issues = parse_document(GOOD, "t.md")
    assert issues == []
    assert meta is not None and meta.id == "test-wheat"
    assert [c.stage for c in chunks] == ["sowing", "post_harvest"]
    assert chunks[0].country == "Nepal" and chunks[0].crop == "wheat"
    assert chunks[0].practice == ("CSA",)
    assert chunks[0].sources == ("NARC National Wheat Research Program",)  # inherited
    assert chunks[1].sources == ("FAO storage manual",)  # its own
    assert "Intro text" not in chunks[0].text


@pytest.mark.parametrize("bad, field", [
    (GOOD.replace("country: Nepal", "country: Bhutan"), "country"),
    (GOOD.replace("crop: wheat", "crop: tomato"), "crop"),
    (GOOD.replace('sources: ["NARC National Wheat Research Program"]', "sources: []"), "sources"),
    (GOOD.replace("stage: sowing", "stage: flowering"), "section 'Sowing time'.stage"),
    (GOOD.replace("topics: [seed]", "topics: [seeds]"), "section 'Sowing time'.topics"),
])
def test_invalid_values_name_the_field(bad: str, field: str) -> None:
    _, _, issues = parse_document(bad, "bad.md")
    assert issues, "an invalid document must report a problem"
    assert any(i.field.startswith(field) for i in issues), [str(i) for i in issues]
    assert all(i.path == "bad.md" for i in issues)


def test_missing_front_matter_and_comment_are_reported() -> None:
    _, _, issues = parse_document("## Just a heading\ntext", "x.md")
    assert issues[0].field == "front matter"
    no_comment = GOOD.replace("<!--\nstage: sowing\ntopics: [seed]\npractice: [CSA]\n-->", "")
    _, chunks, issues = parse_document(no_comment, "y.md")
    assert len(chunks) == 1
    assert "metadata comment" in issues[0].message


def test_malformed_yaml_is_an_error_not_a_crash() -> None:
    _, _, issues = parse_document(GOOD.replace("topics: [seed]", "topics: [seed"), "z.md")
    assert "invalid YAML" in issues[0].message


def test_corpus_reports_binary_and_duplicate_files(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "c.md").write_bytes(b"\x00\x01binary")
    corpus = load_corpus(tmp_path)
    messages = " | ".join(str(e) for e in corpus.errors)
    assert "duplicate id" in messages
    assert "c.md" in messages and "binary" in messages
    assert len(corpus.chunks) == 2


def test_shipped_knowledge_is_valid_and_report_has_contract_shape() -> None:
    root = Path(__file__).resolve().parents[2] / "knowledge"
    report = check_report(load_corpus(root))
    assert report["errors"] == []
    assert set(report) == {"documents", "chunks", "errors", "coverage"}
    json.dumps(report)
    for country, crops in report["coverage"].items():
        for crop, cell in crops.items():
            assert set(cell) == {"stages", "topics"}
