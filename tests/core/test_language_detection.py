"""Romanized questions are told apart by their function words and verb forms, not by one listed spelling."""

from __future__ import annotations

import pytest

from agriadvisor.understanding.language import detect_language


def _lang(text: str) -> str:
    return detect_language(text, text.lower().split())[0]


@pytest.mark.parametrize("text, expected", [
    ("amar dhane poka lagche ki korbo", "bn_latn"),
    ("aman dhan er jonno sar koto lagbe", "bn_latn"),
    ("gomer bij kobe bunbo", "bn_latn"),
    ("boro dhaner gache pata holud hoye jacche ekhon ki korle bhalo hobe", "bn_latn"),
    ("makai ma kira lagyo ke garne", "ne_latn"),
    ("gahun kahile chharne ho malai bhannus", "ne_latn"),
    ("dhan me kitni khad dalein", "hi_latn"),
    ("gehun ki konsi kism achhi hai", "hi_latn"),
    ("When should I sow wheat?", "en"),
    ("How do I control stem borer in rice?", "en"),
])
def test_romanized_language(text: str, expected: str) -> None:
    assert _lang(text) == expected
