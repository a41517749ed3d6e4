"""Checks on what callers pass in, with errors that name the problem."""

from __future__ import annotations

import difflib
from typing import Any, Iterable, Mapping

from agriadvisor.errors import InputError
from agriadvisor.vocab import COUNTRIES, CROPS, STAGES, canonical_country, canonical_crop

# The keys a question mapping may have (Advisor.ask_many) and those of its ``context``: what is
# already known about the farm, e.g. remembered by a chat bot. ``channel_country`` is a country
# known from the channel (the sender's phone code): weaker than one named in the question.
ITEM_KEYS = ("question", "country", "crop", "stage", "context", "language")
CONTEXT_KEYS = ("country", "crop", "stage", "channel_country")


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


def validate_questions(questions: object) -> list[Any]:
    """The questions of :meth:`Advisor.ask_many` as a list; a bare string or mapping is an error, not
    a list of characters or keys."""
    if isinstance(questions, (str, bytes, bytearray)):
        raise InputError(f"ask_many takes a list of questions, got a single {type(questions).__name__}; "
                         "use ask(question) or ask_many([question])")
    if isinstance(questions, Mapping):
        raise InputError("ask_many takes a list of questions, got one mapping; wrap it in a list: ask_many([{...}])")
    if not isinstance(questions, Iterable):
        raise InputError(f"ask_many takes a list of questions, got {type(questions).__name__}")
    return list(questions)


def check_keys(given: Iterable[object], allowed: tuple[str, ...], what: str) -> None:
    """Raise :class:`InputError` naming a key that is not in ``allowed`` (with the nearest one)."""
    for key in given:
        if key not in allowed:
            near = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise InputError(f"unknown key {key!r} in {what}{hint}; the keys are {', '.join(allowed)}")


def validate_item(item: Mapping[Any, Any]) -> None:
    """A question mapping has a ``question`` and only the keys of :data:`ITEM_KEYS`."""
    check_keys(item, ITEM_KEYS, "the question")
    if "question" not in item:
        raise InputError(f"no 'question' key (the mapping has {', '.join(map(repr, item)) or 'no keys'})")


def validate_context(context: object) -> dict[str, str | None] | None:
    """What is already known about the farm, as a mapping with the keys of :data:`CONTEXT_KEYS`,
    e.g. ``{"country": "Nepal", "crop": "wheat", "stage": "sowing"}``; values canonicalised.

    Raises:
        InputError: not a mapping (a sentence such as "I grow wheat in Nepal" belongs in the
            question), an unknown key, or an unknown country or stage.
    """
    if context is None:
        return None
    if not isinstance(context, Mapping):
        hint = ("; a sentence such as 'I grow wheat in Nepal' belongs in the question itself"
                if isinstance(context, str) else "")
        raise InputError("context must be a mapping such as {'country': 'Nepal', 'crop': 'wheat', 'stage': 'sowing'}, "
                         f"got {type(context).__name__}{hint}")
    check_keys(context, CONTEXT_KEYS, "context")
    country, crop, stage = validate_filters(context.get("country"), context.get("crop"), context.get("stage"))
    out: dict[str, str | None] = {"country": country, "crop": crop, "stage": stage}
    if context.get("channel_country"):
        out["channel_country"] = validate_filters(context["channel_country"], None, None)[0]
    return out
