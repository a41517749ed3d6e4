"""SMS segment counting (GSM-7 and UCS-2) and fitting answers into SMS and WhatsApp messages."""

from __future__ import annotations

import re

import pytest

from agriadvisor.channels.formatting import (
    SmsFormatter,
    WhatsAppFormatter,
    short_source,
    sms_segments,
    split_message,
    to_gsm_friendly,
)
from agriadvisor.models import Answer, Citation, QueryInfo

DEVANAGARI = "गेहूं की बुवाई नवंबर के पहले पखवाड़े में करें और बीज उपचार जरूर करें।"


@pytest.mark.parametrize("text, encoding, units, segments", [
    ("", "GSM-7", 0, 0),
    ("a" * 160, "GSM-7", 160, 1),
    ("a" * 161, "GSM-7", 161, 2),
    ("a" * 306, "GSM-7", 306, 2),               # 2 x 153
    ("a" * 307, "GSM-7", 307, 3),
    ("{" * 80, "GSM-7", 160, 1),                # extension characters take two septets
    ("{" * 81, "GSM-7", 162, 2),
    ("€" + "a" * 158, "GSM-7", 160, 1),
    ("€" + "a" * 159, "GSM-7", 161, 2),
    ("Price: 100 €, mix [1:2] ~ ok |^\\", "GSM-7", 39, 1),
    ("àéèùìòÇØøÅåÄÖÑÜäöñüß£¥§¿¡ΔΦΓΛΩΠΨΣΘΞ", "GSM-7", 35, 1),
    ("a" * 152 + "{" + "a" * 152, "GSM-7", 306, 3),  # the escape pair is not split
    ("क" * 70, "UCS-2", 70, 1),
    ("क" * 71, "UCS-2", 71, 2),
    ("क" * 134, "UCS-2", 134, 2),               # 2 x 67
    ("क" * 135, "UCS-2", 135, 3),
    ("a" * 69 + "क", "UCS-2", 70, 1),           # one Indic letter makes the whole message UCS-2
    ("a" * 70 + "क", "UCS-2", 71, 2),
    ("ç" + "a" * 100, "UCS-2", 101, 2),         # lower-case c-cedilla is not in GSM-7 (only Ç is)
    ("`", "UCS-2", 1, 1),                       # nor is the backtick
    ("🌾" * 35, "UCS-2", 70, 1),                # outside the BMP: a surrogate pair, two units
    ("a" * 66 + "🌾" + "a" * 67, "UCS-2", 135, 3),  # the pair is not split across segments
])
def test_sms_segment_counts(text: str, encoding: str, units: int, segments: int) -> None:
    info = sms_segments(text)
    assert (info.encoding, info.units, info.segments) == (encoding, units, segments)


def test_devanagari_is_ucs2_at_70_a_segment_where_latin_fits_160() -> None:
    assert sms_segments(DEVANAGARI).segments == 1  # 69 characters
    two = DEVANAGARI + " " + DEVANAGARI
    info = sms_segments(two)
    assert (info.encoding, info.units, info.single_limit, info.part_limit) == ("UCS-2", 139, 70, 67)
    assert info.segments == 3  # 67 + 67 + 5
    assert sms_segments("a" * len(two)).segments == 1


def test_typographic_punctuation_is_made_gsm_friendly() -> None:
    text = "Farmers’ “best” practice – sow early…"
    assert sms_segments(text).encoding == "UCS-2"
    assert sms_segments(to_gsm_friendly(text)).encoding == "GSM-7"
    assert to_gsm_friendly(text) == "Farmers' \"best\" practice - sow early..."


def _citation(n: int, source: str, country: str = "Nepal", crop: str = "wheat") -> Citation:
    return Citation(n=n, country=country, crop=crop, stage="sowing", title=f"Wheat in Nepal > Section {n}",
                    source=source, snippet="...", score=0.8)


def _answer(text: str, *, outcome: str = "answered", citations: list[Citation] | None = None) -> Answer:
    return Answer(question="q", outcome=outcome, text=text, citations=citations or [], query=QueryInfo(text="q"))


LONG_ANSWER = _answer(
    "In the Terai, sow wheat from mid-November to early December; late sowing cuts yield. [1] "
    "Use 100-120 kg of seed per hectare in lines 20 cm apart. [1] "
    "Give the first irrigation at crown root initiation, about 21 days after sowing. [2] "
    "Apply half the nitrogen at sowing and the rest after the first irrigation. [3] "
    "Keep the field free of weeds for the first 30-35 days. [2]",
    citations=[_citation(1, "NARC National Wheat Research Program, Bhairahawa; CIMMYT-Nepal"),
               _citation(2, "NARC National Wheat Research Program, Bhairahawa"),
               _citation(3, "Department of Agriculture (DoA), Nepal; Agriculture Knowledge Centres")])


@pytest.mark.parametrize("segments", [1, 2, 3, 5])
def test_sms_reply_fits_in_n_segments(segments: int) -> None:
    text = SmsFormatter(max_segments=segments).format(LONG_ANSWER)
    info = sms_segments(text)
    assert info.segments <= segments
    assert info.encoding == "GSM-7"
    body, _, sources = text.partition("\nSrc: ")
    cited = set(re.findall(r"\[(\d+)\]", body))
    listed = {n for group in re.findall(r"\[([\d,]+)\]", sources) for n in group.split(",")}
    assert cited == listed, "every cited passage, and only those, is in the sources line"


def test_sms_sources_are_short_names_grouped() -> None:
    text = SmsFormatter(max_segments=5).format(LONG_ANSWER)
    assert text.endswith("Src: [1,2] NARC National Wheat Research Program; [3] Department of Agriculture")
    assert "Bhairahawa" not in text and "CIMMYT" not in text
    assert short_source("ICAR-Indian Institute of Rice Research (IIRR), Hyderabad") == "ICAR-Indian Institute of Rice Research"


def test_sms_keeps_whole_sentences_and_drops_from_the_end() -> None:
    text = SmsFormatter(max_segments=1).format(LONG_ANSWER)
    assert text.startswith("In the Terai, sow wheat from mid-November to early December; late sowing cuts yield. [1]")
    assert "Keep the field free" not in text


def test_devanagari_reply_is_counted_as_ucs2() -> None:
    answer = _answer(" ".join(f"{DEVANAGARI} [{i}]" for i in (1, 2, 1)),
                     citations=[_citation(1, "NARC"), _citation(2, "DoA Nepal")])
    for segments in (1, 2, 3):
        text = SmsFormatter(max_segments=segments).format(answer)
        info = sms_segments(text)
        assert info.encoding == "UCS-2" and info.segments <= segments
        assert "कर" in text


def test_footer_is_kept_when_it_fits_and_dropped_when_it_does_not() -> None:
    short = _answer("Sow in November. [1]", citations=[_citation(1, "NARC")])
    assert SmsFormatter(1).format(short, footer="(Noted: wheat, Nepal.)").endswith("(Noted: wheat, Nepal.)")
    one_sentence = _answer("x" * 150 + " [1]", citations=[_citation(1, "NARC")])
    text = SmsFormatter(1).format(one_sentence, footer="(Noted: wheat, Nepal. Send RESET to forget.)")
    assert "Noted" not in text and sms_segments(text).segments == 1


def test_a_single_overlong_sentence_is_cut_at_a_word_with_a_mark() -> None:
    answer = _answer(" ".join(["fertiliser"] * 200) + ". [1]", citations=[_citation(1, "NARC")])
    text = SmsFormatter(2).format(answer)
    assert sms_segments(text).segments <= 2 and text.endswith("...") and "fertilis..." not in text


@pytest.mark.parametrize("fmt", [SmsFormatter(1), WhatsAppFormatter(200)])
def test_crisis_reply_is_never_truncated(fmt) -> None:
    crisis = ("If you or someone near you has swallowed pesticide or is thinking of ending their life, "
              "get help now. Call 112 (emergency) or the poison helpline 1800-116-117; in Nepal call 1166. "
              "Keep the pesticide container and show it to the doctor. Do not make the person vomit. "
              "You are not alone: the Kiran mental health helpline 1800-599-0019 is free, 24 hours a day.")
    answer = _answer(crisis, outcome="crisis")
    text = fmt.format(answer, footer="(Noted: wheat, Nepal.)")
    assert text == crisis
    assert len(crisis) > 200 and sms_segments(text).segments > 1


def test_whatsapp_reply_is_within_its_limit_with_light_formatting() -> None:
    text = WhatsAppFormatter().format(LONG_ANSWER)
    assert len(text) <= 4096
    assert "\n\n*Sources*\n[1] Wheat in Nepal > Section 1 - _NARC National Wheat Research Program_" in text
    huge = _answer(" ".join(f"Sentence number {i} about wheat sowing in the Terai. [1]" for i in range(200)),
                   citations=[_citation(1, "NARC")])
    for limit in (4096, 1600):
        text = WhatsAppFormatter(limit).format(huge)
        assert len(text) <= limit and text.rstrip().endswith("_NARC_")


def test_split_message_breaks_at_words() -> None:
    parts = split_message("word " * 500, 100)
    assert all(len(p) <= 100 for p in parts)
    assert " ".join(parts).split() == ["word"] * 500


def test_formatter_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="max_segments must be greater than 0, got 0"):
        SmsFormatter(0)
    with pytest.raises(ValueError, match="max_chars must be greater than 0, got -1"):
        WhatsAppFormatter(-1)
