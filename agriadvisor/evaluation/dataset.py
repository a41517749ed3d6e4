"""Read evaluation questions from JSONL or CSV (including the Kisan Call Centre export).

One question a line (JSONL) or a row (CSV with a header):

| field | meaning |
| --- | --- |
| ``question`` (or ``query``, ``QueryText``) | the question, required |
| ``id`` | any text; the row number when missing |
| ``country``, ``crop``, ``stage`` | what the question is about (scores crop/country accuracy) |
| ``facts`` | phrases a good answer contains: a JSON list, or in CSV one cell separated by ``|`` |
| ``outcome`` | the expected outcome: answered (default), refused, out_of_scope or crisis |
| ``language``, ``category`` | for the per-language table and your own grouping |

An unknown country, stage or outcome label is an error naming the row, never a silent 0.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from agriadvisor.errors import InputError
from agriadvisor.vocab import COUNTRIES, CROPS, OUTCOMES, STAGES, canonical_country

# KCC "Crop" values look like "Paddy (Dhan)", "Maize (Makka)", "Cotton (Kapas)".
_KCC_CROPS = {
    "paddy": "rice", "rice": "rice", "wheat": "wheat", "maize": "maize", "barley": "barley",
    "sorghum": "sorghum", "jowar": "sorghum", "cotton": "cotton", "sugarcane": "sugarcane",
    "bajra": "millets", "pearl millet": "millets", "ragi": "millets", "finger millet": "millets",
    "millet": "millets", "millets": "millets", "foxtail millet": "millets", "soybean": "soybean",
    "soyabean": "soybean", "soya bean": "soybean",
}


class EvalItem(BaseModel):
    """One labelled question. ``country``/``crop``/``stage`` are what the question implies."""

    id: str
    question: str
    language: str | None = None
    country: str | None = None
    crop: str | None = None
    stage: str | None = None
    facts: list[str] = Field(default_factory=list)
    outcome: str | None = None
    category: str | None = None


def kcc_crop(value: str) -> str | None:
    """Canonical crop id for a KCC crop label, ``None`` when it is not one of the nine."""
    base = re.sub(r"\(.*?\)", "", value or "").strip().lower()
    return _KCC_CROPS.get(base)


def _from_row(row: dict, n: int) -> EvalItem:
    low = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
    question = low.get("question") or low.get("querytext") or low.get("query") or ""
    if "querytext" in low and "question" not in low:  # a Kisan Call Centre export
        crop = kcc_crop(low.get("crop", ""))
        return EvalItem(id=str(n), question=question, crop=crop, country=None,
                        outcome="answered" if crop else "out_of_scope", category=low.get("querytype"))
    facts = low.get("facts") or []
    if isinstance(facts, str):
        facts = [f.strip() for f in facts.split("|") if f.strip()]
    return EvalItem(id=str(low.get("id") or n), question=question, language=low.get("language") or None,
                    country=_label(low, "country"), crop=(low.get("crop") or None),
                    stage=_label(low, "stage"), facts=facts, outcome=_label(low, "outcome"),
                    category=low.get("category") or None)


def _label(low: dict, name: str) -> str | None:
    """A country, stage or outcome label, canonical; an unknown one raises ``ValueError`` saying so."""
    value = low.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if name == "country":
        country = canonical_country(value) if isinstance(value, str) else None
        if country is None:
            raise ValueError(f"unknown country {value!r}; use one of {', '.join(COUNTRIES)}")
        return country
    allowed = STAGES if name == "stage" else OUTCOMES
    if value not in allowed:
        raise ValueError(f"unknown {name} {value!r}; use one of {', '.join(allowed)}")
    return value


def load_dataset(path: Path | str, *, limit: int | None = None) -> list[EvalItem]:
    """Load a JSONL or CSV question set; bad lines raise :class:`InputError` naming the line."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"no such dataset file: {path}")
    rows: list[dict] = []
    if path.suffix.lower() not in (".jsonl", ".csv"):
        raise InputError(f"{path.name}: dataset must be .jsonl or .csv")
    try:
        if path.suffix.lower() == ".jsonl":
            for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if line.strip():
                    try:
                        row = json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise InputError(f"{path.name} line {i}: invalid JSON ({exc.msg})") from exc
                    if not isinstance(row, dict):
                        raise InputError(f"{path.name} line {i}: expected a JSON object with a \"question\", "
                                         f"got {type(row).__name__}")
                    rows.append(row)
        else:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                rows = list(csv.DictReader(fh))
    except UnicodeDecodeError as exc:
        raise InputError(f"{path.name}: not UTF-8 text (byte {exc.start}); is it a binary file?") from exc
    except csv.Error as exc:
        raise InputError(f"{path.name}: malformed CSV ({exc})") from exc
    items = []
    for i, row in enumerate(rows, 1):
        try:
            item = _from_row(row, i)
        except ValidationError as exc:
            raise InputError(f"{path.name} row {i}: {exc.errors()[0]['msg']}") from exc
        except ValueError as exc:
            raise InputError(f"{path.name} row {i}: {exc}") from exc
        if item.question.strip():
            if item.crop is not None and item.crop not in CROPS:
                item.outcome = item.outcome or "out_of_scope"
            items.append(item)
        if limit and len(items) >= limit:
            break
    if not items:
        raise InputError(f"{path.name}: no questions found (each row needs a 'question' field)")
    return items
