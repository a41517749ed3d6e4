"""Read and check the question/answer pairs a model is fine-tuned on.

DATA is CSV or JSONL with a question and an answer per row, and optionally country, crop,
language and context. Column names are found automatically (``question``/``QueryText``,
``answer``/``KccAns`` ...) or given with :class:`ColumnMap`, so a Kisan Call Centre export works
as it is. Every row is either used or dropped with a reason (empty, empty_answer, duplicate,
over_long, wrong_encoding, malformed; restricted_pesticide from :mod:`.screening`); :class:`DataReport` counts both, nothing is skipped
silently.

Example:
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "qa.csv"
    >>> _ = path.write_text("question,answer\\nWhen to sow wheat?,In November.\\nWhen to sow wheat?,In November.\\n")
    >>> rows, report = read_pairs(path)
    >>> len(rows), report.dropped_counts()
    (1, {'duplicate': 1})
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agriadvisor.errors import TrainingDataError
from agriadvisor.evaluation.dataset import kcc_crop
from agriadvisor.vocab import canonical_country, canonical_crop

# Candidate column names, first match wins (compared case-insensitively).
QUESTION_COLUMNS = ("question", "querytext", "query", "prompt", "instruction")
ANSWER_COLUMNS = ("answer", "kccans", "response", "reference", "output")
REASONS = ("empty", "empty_answer", "wrong_encoding", "duplicate", "restricted_pesticide", "over_long", "malformed")
_SPACES = re.compile(r"[ \t\u00a0]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EXAMPLES_KEPT = 20  # row numbers listed per reason in the report
NAMES_PESTICIDE = "dropped answers naming "  # note key prefix, one note per restricted active


@dataclass(frozen=True)
class ColumnMap:
    """Which file column holds what; ``None`` = find it by its usual names."""

    question: str | None = None
    answer: str | None = None
    country: str | None = None
    crop: str | None = None
    language: str | None = None
    context: str | None = None


@dataclass(frozen=True)
class QAPair:
    """One usable training row; ``row`` is its number in the file (data rows and lines from 1)."""

    row: int
    question: str
    answer: str
    country: str | None = None
    crop: str | None = None
    language: str | None = None
    context: str | None = None


@dataclass
class DataReport:
    """How many rows were read, used and dropped, and why."""

    path: str
    total: int = 0
    dropped: dict[str, list[int]] = field(default_factory=dict)
    notes: dict[str, int] = field(default_factory=dict)
    train: int = 0
    held_out: int = 0

    def drop(self, row: int, reason: str) -> None:
        """Record that ``row`` is not used, and why (one of :data:`REASONS`)."""
        self.dropped.setdefault(reason, []).append(row)

    def note(self, what: str) -> None:
        """Count something done to a row that is still used (e.g. an unknown crop label)."""
        self.notes[what] = self.notes.get(what, 0) + 1

    def dropped_counts(self) -> dict[str, int]:
        return {r: len(self.dropped[r]) for r in REASONS if self.dropped.get(r)}

    @property
    def used(self) -> int:
        return self.total - sum(len(v) for v in self.dropped.values())

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "rows": self.total, "used": self.used, "train": self.train,
                "held_out": self.held_out, "dropped": self.dropped_counts(),
                "dropped_rows": {r: rows[:_EXAMPLES_KEPT] for r, rows in self.dropped.items()}, "notes": self.notes}

    def render(self) -> str:
        """A few lines for the terminal."""
        lines = [f"{self.path}: {self.total} rows, {self.used} used ({self.train} train, {self.held_out} held out)"]
        for reason, n in self.dropped_counts().items():
            first = ", ".join(str(r) for r in self.dropped[reason][:5])
            lines.append(f"  dropped {n} {reason.replace('_', ' ')} (rows {first}{' ...' if n > 5 else ''})")
            if reason == "restricted_pesticide":
                lines += [f"    {k} naming {what.removeprefix(NAMES_PESTICIDE)}" for what, k in sorted(self.notes.items())
                          if what.startswith(NAMES_PESTICIDE)]
        lines += [f"  kept {n} with {what}" for what, n in sorted(self.notes.items()) if not what.startswith(NAMES_PESTICIDE)]
        return "\n".join(lines)


def read_pairs(path: Path | str, columns: ColumnMap | None = None, *, country: str | None = None,
               language: str | None = None) -> tuple[list[QAPair], DataReport]:
    """Read DATA and check every row; ``country``/``language`` fill rows that give none.

    Raises:
        TrainingDataError: the file is missing, not CSV/JSONL, or lacks a question or answer column.
    """
    path = Path(path)
    if not path.is_file():
        raise TrainingDataError(f"no such training data file: {path}")
    if path.suffix.lower() not in (".csv", ".jsonl"):
        raise TrainingDataError(f"{path.name}: training data must be .csv or .jsonl, got {path.suffix or 'no suffix'}")
    if country is not None and canonical_country(country) is None:
        raise TrainingDataError(f"unknown country {country!r}; use one of India, Bangladesh, Sri Lanka, Pakistan, Nepal")
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    report = DataReport(path=str(path))
    records = _csv_records(text, path) if path.suffix.lower() == ".csv" else _jsonl_records(text, report)
    mapping = _resolve_columns(columns or ColumnMap(), records, path)
    pairs: list[QAPair] = []
    seen: set[tuple[str, str]] = set()
    for row, record in records:
        report.total += 1
        if record is None:
            continue  # a malformed JSONL line, already recorded
        pair = _check(row, record, mapping, report, seen, country=canonical_country(country), language=language)
        if pair is not None:
            pairs.append(pair)
    if not pairs:
        raise TrainingDataError(f"{path.name}: no usable rows. {report.render()}")
    return pairs, report


def _csv_records(text: str, path: Path) -> list[tuple[int, dict[str, Any] | None]]:
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        return [(i, dict(rec)) for i, rec in enumerate(reader, 1)]
    except csv.Error as exc:
        raise TrainingDataError(f"{path.name}: not a readable CSV file ({exc})") from exc


def _jsonl_records(text: str, report: DataReport) -> list[tuple[int, dict[str, Any] | None]]:
    records: list[tuple[int, dict[str, Any] | None]] = []
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            rec = None
        if not isinstance(rec, dict):
            report.drop(i, "malformed")
            rec = None
        records.append((i, rec))
    return records


def _resolve_columns(columns: ColumnMap, records: list[tuple[int, dict[str, Any] | None]], path: Path) -> ColumnMap:
    """Actual key names in the file for each role; the error lists the columns there are."""
    present: dict[str, str] = {}
    for _, rec in records:
        for key in rec or {}:
            if key is not None:
                present.setdefault(str(key).strip().lower(), key)
    def pick(role: str, given: str | None, candidates: tuple[str, ...], required: bool) -> str | None:
        if given is not None:
            if given.strip().lower() not in present:
                raise TrainingDataError(f"{path.name}: no {role} column {given!r}; columns: {', '.join(present.values())}")
            return present[given.strip().lower()]
        found = next((present[c] for c in candidates if c in present), None)
        if found is None and required:
            raise TrainingDataError(f"{path.name}: no {role} column (looked for {', '.join(candidates)}); columns: "
                                    f"{', '.join(present.values()) or 'none'}; name it with --{role}-column")
        return found
    return ColumnMap(question=pick("question", columns.question, QUESTION_COLUMNS, True),
                     answer=pick("answer", columns.answer, ANSWER_COLUMNS, True),
                     country=pick("country", columns.country, ("country",), False),
                     crop=pick("crop", columns.crop, ("crop",), False),
                     language=pick("language", columns.language, ("language", "lang"), False),
                     context=pick("context", columns.context, ("context", "evidence", "passage"), False))


def _check(row: int, record: dict[str, Any], cols: ColumnMap, report: DataReport, seen: set[tuple[str, str]],
           *, country: str | None, language: str | None) -> QAPair | None:
    raw_q, raw_a = _field(record, cols.question), _field(record, cols.answer)
    if any(_badly_encoded(v) for v in (raw_q, raw_a, _field(record, cols.context))):
        report.drop(row, "wrong_encoding")
        return None
    question, answer = normalise(raw_q), normalise(raw_a)
    if not question:
        report.drop(row, "empty")
        return None
    if not answer:
        report.drop(row, "empty_answer")
        return None
    key = (question.casefold(), answer.casefold())
    if key in seen:
        report.drop(row, "duplicate")
        return None
    seen.add(key)
    return QAPair(row=row, question=question, answer=answer,
                  country=_country(_field(record, cols.country), report) or country,
                  crop=_crop(_field(record, cols.crop), report),
                  language=normalise(_field(record, cols.language)) or language,
                  context=normalise(_field(record, cols.context)) or None)


def _field(record: dict[str, Any], key: str | None) -> str:
    value = record.get(key) if key is not None else None
    return "" if value is None else str(value)


def normalise(text: str) -> str:
    """NFC, trimmed lines, runs of spaces folded; line breaks inside an answer are kept."""
    lines = (_SPACES.sub(" ", line).strip() for line in unicodedata.normalize("NFC", text).splitlines())
    return "\n".join(line for line in lines if line)


def _badly_encoded(text: str) -> bool:
    """Bytes that were not UTF-8, control characters, or UTF-8 read as Latin-1/cp1252 (mojibake)."""
    if "\ufffd" in text or _CONTROL.search(text):
        return True
    if text.isascii():
        return False
    for codec in ("cp1252", "latin-1"):
        try:
            if text.encode(codec).decode("utf-8") != text:
                return True
        except UnicodeError:
            continue
    return False


def _country(value: str, report: DataReport) -> str | None:
    if not value.strip():
        return None
    found = canonical_country(value)
    if found is None:
        report.note("a country outside the five (no country filter)")
    return found


def _crop(value: str, report: DataReport) -> str | None:
    if not value.strip():
        return None
    found = canonical_crop(value) or kcc_crop(value)
    if found is None:
        report.note("a crop outside the nine (no crop filter)")
    return found


def split_held_out(pairs: list[QAPair], fraction: float, *, seed: int = 42) -> tuple[list[QAPair], list[QAPair]]:
    """A reproducible shuffle, then ``fraction`` of the rows (at least one when > 0) held out."""
    import random

    if fraction <= 0 or len(pairs) < 2:
        return list(pairs), []
    order = list(pairs)
    random.Random(seed).shuffle(order)
    n = min(len(order) - 1, max(1, round(len(order) * fraction)))
    return order[n:], order[:n]


__all__ = ["ColumnMap", "DataReport", "QAPair", "REASONS", "normalise", "read_pairs", "split_held_out"]
