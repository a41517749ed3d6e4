"""Checks on what callers pass in, with errors that name the problem."""

from __future__ import annotations

from agriadvisor.errors import InputError
from agriadvisor.vocab import COUNTRIES, CROPS, STAGES, canonical_country, canonical_crop


def validate_question(question: object, *, max_chars: int) -> str:
    """Return the question stripped, or raise :class:`InputError` saying what is wrong."""
    if isinstance(question, (bytes, bytearray)):
        raise InputError("question must be text (str), got bytes; decode it first, e.g. data.decode('utf-8')")
    if not isinstance(question, str):
        raise InputError(f"question must be text (str), got {type(question).__name__}")
    text = question.strip()
    if not text:
        raise InputError("question is empty")
    if len(text) > max_chars:
        raise InputError(f"question is {len(text)} characters long; the limit is {max_chars}")
    if "\x00" in text or "\ufffd" in text:
        raise InputError("question looks like binary data (NUL or undecodable bytes), not text")
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t")
    if control > max(2, len(text) // 20):
        raise InputError(f"question looks like binary data ({control} control characters)")
    return text


def validate_filters(country: object, crop: object, stage: object) -> tuple[str | None, str | None, str | None]:
    """Canonicalise the optional country/crop/stage arguments; unknown values raise InputError."""
    out_country = out_crop = None
    if country is not None and country != "":
        if not isinstance(country, str) or canonical_country(country) is None:
            raise InputError(f"unknown country {country!r}; use one of {', '.join(COUNTRIES)}")
        out_country = canonical_country(country)
    if crop is not None and crop != "":
        if not isinstance(crop, str):
            raise InputError(f"crop must be text, got {type(crop).__name__}")
        out_crop = canonical_crop(crop) or crop.strip().lower()
        if out_crop not in CROPS:
            out_crop = crop.strip().lower()  # an uncovered crop is answered as out of scope, not an error
    if stage is not None and stage != "":
        if stage not in STAGES:
            raise InputError(f"unknown stage {stage!r}; use one of {', '.join(STAGES)}")
    return out_country, out_crop, (stage or None)
