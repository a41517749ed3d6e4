"""Resumable batch runs: a CSV or JSONL file of questions in, one JSONL record per row out.

Each output line is ``{"id": "...", "row": n, "answer": {...}}`` or ``{"id": "...", "row": n,
"error": "...", "input": {"question": ..., "country": ...}}``; ids are always strings, and an
error record carries the row's input so it can be fixed from the output alone. Lines are
appended and fsynced a chunk at a time, so a crash or Ctrl-C loses only the rows being
answered; ``resume=True`` skips ids already in the output (and drops a last line that a crash
left half written); ``retry_errors=True`` also answers again the rows whose record is an error.
A bad row gets an error record; a file that cannot be read as CSV or JSONL stops the run
before anything is written. CSV files may be separated by commas, semicolons (what
spreadsheet programs write in many locales), tabs or ``|``: the header says which.

Example:
    >>> summary = run_batch(Advisor(), "questions.csv", "answers.jsonl")  # doctest: +SKIP
    >>> summary.outcomes
    {'answered': 98, 'out_of_scope': 2}
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import sys
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from pydantic import BaseModel, Field

from agriadvisor.errors import AgriAdvisorError, BatchError, InputError
from agriadvisor.inputs import validate_filters, validate_question

if TYPE_CHECKING:
    from agriadvisor.advisor import Advisor
    from agriadvisor.models import Answer

__all__ = ["BatchInterrupted", "BatchRow", "BatchSummary", "done_ids", "drop_error_records", "read_rows",
           "run_batch"]

log = logging.getLogger(__name__)

QUESTION_COLUMNS = ("question", "query", "querytext")
KCC_STATE_COLUMNS = ("statename",)  # the Kisan Call Centre export names the Indian state
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
CSV_DELIMITERS = (",", ";", "\t", "|")
INPUT_FIELDS = ("question", "country", "crop", "stage", "language")
CSV_FIELD_LIMIT = 1 << 24  # so an over-long question becomes a row error, not a csv.Error


@dataclass(frozen=True)
class BatchRow:
    """One input row: ``row`` counts data rows from 1, ``line`` is where it ends in the file."""

    row: int
    line: int
    id: Any
    question: Any = None
    country: Any = None
    crop: Any = None
    stage: Any = None
    problem: str | None = None
    language: Any = None  # the answer language asked for (en, hi, bn ...); default the question's

    @property
    def key(self) -> str:
        """The id as text: what ``--resume`` compares and what records carry."""
        return str(self.id)

    def inputs(self) -> dict[str, Any]:
        """The row's own fields, copied into its error record."""
        return {k: getattr(self, k) for k in INPUT_FIELDS if getattr(self, k) not in (None, "")}


class BatchSummary(BaseModel):
    """What a run did: counts by outcome, errors and throughput (for this run, not earlier ones)."""

    input: str
    output: str
    rows: int = Field(description="Rows in the input file.")
    skipped: int = Field(default=0, description="Rows already in the output (resume).")
    retried: int = Field(default=0, description="Error records removed to answer their rows again (retry_errors).")
    written: int = Field(default=0, description="Records written by this run.")
    outcomes: dict[str, int] = Field(default_factory=dict)
    errors: int = 0
    elapsed_s: float = 0.0
    questions_per_s: float = 0.0
    interrupted: bool = False

    def render(self) -> str:
        """A few human-readable lines."""
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items())) or "none"
        retried = f", {self.retried} earlier errors retried" if self.retried else ""
        lines = [f"rows: {self.rows} in input, {self.skipped} already done{retried}, {self.written} written this run",
                 f"outcomes: {outcomes}; errors: {self.errors}",
                 f"throughput: {self.questions_per_s:.1f} questions/s ({self.elapsed_s:.1f} s)",
                 f"output: {self.output}"]
        if self.interrupted:
            lines.append("interrupted: run again with --resume to finish")
        return "\n".join(lines)


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C during a run; ``summary`` says what was written before it."""

    def __init__(self, summary: BatchSummary) -> None:
        super().__init__("batch interrupted")
        self.summary = summary


# ---- reading the input ------------------------------------------------------------------------
def read_rows(path: str | Path) -> list[BatchRow]:
    """All rows of a CSV or JSONL file, each with the problem that makes it unanswerable, if any.

    Raises:
        BatchError: the file is missing, not UTF-8 text, not CSV/JSONL, has no question
            column, has a line that is not JSON, or repeats an id.
    """
    path = Path(path)
    text = _decode(path)
    jsonl = path.suffix.lower() in JSONL_SUFFIXES or (path.suffix.lower() not in (".csv", ".tsv", ".txt")
                                                     and text.lstrip().startswith("{"))
    rows = list(_jsonl_rows(path, text) if jsonl else _csv_rows(path, text))
    _check_unique(path, rows)
    return rows


def _decode(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BatchError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise BatchError(f"{path}, line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                         "batch input must be a CSV or JSONL file saved as UTF-8") from None
    if "\x00" in text.split("\n", 1)[0]:
        raise BatchError(f"{path}, line 1: binary data (NUL bytes); batch input must be a CSV or JSONL file")
    if not text.strip():
        raise BatchError(f"{path} is empty")
    return text


def _column(names: Iterable[str], wanted: tuple[str, ...]) -> str | None:
    lowered = {n.strip().lower(): n for n in names if isinstance(n, str)}
    return next((lowered[w] for w in wanted if w in lowered), None)


def _country(country: Any, kcc_state: Any) -> Any:
    """A Kisan Call Centre row's ``StateName`` is an Indian state: the row is from India."""
    return country if country or not kcc_state else "India"


def _csv_rows(path: Path, text: str) -> Iterator[BatchRow]:
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    delimiter = _delimiter(path, text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
        qcol = _column(header, QUESTION_COLUMNS)
        if qcol is None:
            raise BatchError(f"{path}, line 1: no question column; expected one of question, query, QueryText "
                             f"(found: {', '.join(h for h in header if h) or 'nothing'}). Is it a CSV file with a header row?")
        pos = {name: header.index(col) for name, col in (
            ("question", qcol), ("id", _column(header, ("id",))), ("country", _column(header, ("country",))),
            ("crop", _column(header, ("crop",))), ("stage", _column(header, ("stage",))),
            ("language", _column(header, ("language",))),
            ("state", _column(header, KCC_STATE_COLUMNS))) if col is not None}
        n = 0
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue  # blank line
            n += 1
            yield _csv_row(n, reader.line_num, cells, pos, len(header))
    except csv.Error as exc:
        raise BatchError(f"{path}, line {reader.line_num}: not valid CSV ({exc})") from None


def _delimiter(path: Path, text: str) -> str:
    """The separator that splits the header into a question column and the most fields (',' on a tie)."""
    if path.suffix.lower() == ".tsv":
        return "\t"
    first = text.split("\n", 1)[0]
    best, width = ",", 0
    for d in CSV_DELIMITERS:
        header = next(csv.reader([first], delimiter=d), [])
        if _column(header, QUESTION_COLUMNS) is not None and len(header) > width:
            best, width = d, len(header)
    return best


def _csv_row(n: int, line: int, cells: list[str], pos: dict[str, int], width: int) -> BatchRow:
    values = {k: (cells[i] if i < len(cells) else None) for k, i in pos.items()}
    ident = values.get("id") or n
    problem = None
    if len(cells) != width:
        problem = f"row has {len(cells)} fields but the header has {width} " + (
            "(a comma inside the question that is not in quotes?)" if len(cells) > width
            else "(cut short, or separated by another character than the header?)")
    return BatchRow(n, line, ident, values.get("question"), _country(values.get("country"), values.get("state")),
                    values.get("crop"), values.get("stage"), problem, language=values.get("language"))


def _jsonl_rows(path: Path, text: str) -> Iterator[BatchRow]:
    n, any_question = 0, False
    for line_no, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BatchError(f"{path}, line {line_no}: invalid JSON ({exc.msg} at column {exc.colno}); "
                             "each line must be one JSON object") from None
        n += 1
        if not isinstance(obj, dict):
            yield BatchRow(n, line_no, n, problem=f"line {line_no} is a JSON {type(obj).__name__}, not an object")
            continue
        keys = {k: _column(obj, (k,) if k != "question" else QUESTION_COLUMNS)
                for k in ("question", "id", "country", "crop", "stage", "language")}
        get = {k: (obj[col] if col is not None else None) for k, col in keys.items()}
        any_question = any_question or keys["question"] is not None
        ident = get["id"] if get["id"] not in (None, "") else n
        problem = None if keys["question"] else "no question field (question, query or QueryText)"
        state = obj.get(_column(obj, KCC_STATE_COLUMNS) or "")
        yield BatchRow(n, line_no, ident, get["question"], _country(get["country"], state), get["crop"], get["stage"],
                       problem, language=get["language"])
    if n and not any_question:
        raise BatchError(f"{path}: no line has a question field; expected one of question, query, QueryText")


def _check_unique(path: Path, rows: list[BatchRow]) -> None:
    first: dict[str, int] = {}
    for r in rows:
        if r.key in first:
            raise BatchError(f"{path}, line {r.line}: id {r.id!r} repeats the id on line {first[r.key]}; "
                             "ids must be unique so that --resume can tell rows apart")
        first[r.key] = r.line


# ---- the output file ------------------------------------------------------------------------------
def done_ids(path: str | Path, *, repair: bool = True) -> set[str]:
    """Ids already in an output file. A half-written last line (a crash) is cut off when ``repair``.

    Raises:
        BatchError: a line other than the last is not a batch record.
    """
    path = Path(path)
    if not path.exists():
        return set()
    data = path.read_bytes()
    lines = data.split(b"\n")
    last = max((i for i, raw in enumerate(lines) if raw.strip()), default=-1)
    ids: set[str] = set()
    offset, cut = 0, None
    for i, raw in enumerate(lines):
        if raw.strip():
            key = _record_key(raw)
            if key is None and i == last:
                cut = offset  # the row in flight when the previous run stopped
                break
            if key is None:
                raise BatchError(f"{path}, line {i + 1}: not a batch output record; refusing to resume into it")
            ids.add(key)
        offset += len(raw) + 1
    if repair and (cut is not None or not data.endswith(b"\n")) and data:
        with open(path, "r+b") as fh:
            if cut is not None:
                log.warning("%s: dropping a half-written last line left by an interrupted run", path)
                fh.truncate(cut)
            else:
                fh.seek(0, os.SEEK_END)
                fh.write(b"\n")
            os.fsync(fh.fileno())
    return ids


def drop_error_records(path: str | Path) -> int:
    """Rewrite ``path`` without its error records (atomically), so their rows are answered again."""
    path = Path(path)
    if not path.exists():
        return 0
    kept, dropped = [], 0
    for raw in path.read_bytes().splitlines(keepends=True):
        try:
            rec = json.loads(raw) if raw.strip() else None
        except (UnicodeDecodeError, json.JSONDecodeError):
            rec = None
        if isinstance(rec, dict) and "error" in rec and "answer" not in rec:
            dropped += 1
        else:
            kept.append(raw)
    if dropped:
        from agriadvisor.index.manifest import atomic_write_bytes

        atomic_write_bytes(path, b"".join(kept))
    return dropped


def _record_key(raw: bytes) -> str | None:
    try:
        rec = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(rec, dict) or "id" not in rec or not ("answer" in rec or "error" in rec):
        return None
    return str(rec["id"])


class _RecordWriter:
    """Appends records as JSON lines; :meth:`commit` flushes and fsyncs them."""

    def __init__(self, path: Path) -> None:
        self.fh = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed by close(), after the last commit

    def write(self, record: dict[str, Any]) -> None:
        """Append one record as a JSON line (buffered until :meth:`commit`)."""
        answer = record.get("answer")
        if answer is None:
            line = json.dumps(record, ensure_ascii=False)
        else:  # pydantic writes the Answer's JSON itself, much faster than dumping a dict of it
            head = json.dumps({k: v for k, v in record.items() if k != "answer"}, ensure_ascii=False)
            line = f'{head[:-1]}, "answer": {answer.model_dump_json()}}}'
        self.fh.write(line + "\n")  # one write per line: a crash can only cut the last one

    def commit(self) -> None:
        """Make everything written so far durable."""
        self.fh.flush()
        os.fsync(self.fh.fileno())

    def close(self) -> None:
        self.commit()
        self.fh.close()


# ---- answering ----------------------------------------------------------------------------------
def row_problem(row: BatchRow, *, max_chars: int) -> str | None:
    """Why the Advisor would refuse this row (empty, binary, too long, unknown country...), or None."""
    if row.problem:
        return row.problem
    try:
        validate_question(row.question, max_chars=max_chars)
        validate_filters(row.country, row.crop, row.stage)
        if row.language:
            from agriadvisor.answering.localise import answer_language

            answer_language(row.language, "en")
    except InputError as exc:
        return str(exc)
    return None


def answer_rows(advisor: "Advisor", rows: list[BatchRow], *, sms: bool = False) -> list[dict[str, Any]]:
    """One record per row (``answer`` an :class:`Answer`, or ``error``), valid rows answered by one ``ask_many``."""
    records: dict[int, dict[str, Any]] = {}
    good: list[BatchRow] = []
    for r in rows:
        problem = row_problem(r, max_chars=advisor.settings.max_question_chars)
        if problem:
            records[r.row] = _error(r, problem)
        else:
            good.append(r)
    items = [{"question": r.question, "country": r.country or None, "crop": r.crop or None,
              "stage": r.stage or None, "language": r.language or None} for r in good]
    try:
        answers: list[Answer | str] = list(advisor.ask_many(items, sms=sms)) if items else []
    except AgriAdvisorError as exc:  # find the row(s) at fault by asking one at a time
        answers = [_ask_one(advisor, item, sms=sms) for item in items]
        if len(items) > 1 and all(isinstance(a, str) and not a.startswith("InputError") for a in answers):
            # every question failed the same way: the backend is down, not the rows bad; stop, so
            # that --resume answers these rows later instead of skipping them as done
            raise BatchError(f"the backend failed on every question of a chunk ({exc}); "
                             "fix it and run again with --resume") from exc
    for r, a in zip(good, answers):
        records[r.row] = _error(r, a) if isinstance(a, str) else {"id": r.key, "row": r.row, "answer": a}
    return [records[r.row] for r in rows]


def _error(row: BatchRow, error: str) -> dict[str, Any]:
    return {"id": row.key, "row": row.row, "error": error, "input": row.inputs()}


def _ask_one(advisor: "Advisor", item: dict[str, Any], *, sms: bool) -> "Answer | str":
    try:
        return advisor.ask_many([item], sms=sms)[0]
    except AgriAdvisorError as exc:
        return f"{type(exc).__name__}: {exc}"


def run_batch(advisor: "Advisor", input_path: str | Path, output_path: str | Path, *, resume: bool = False,
              retry_errors: bool = False, workers: int = 1, batch_size: int = 32, sms: bool = False, progress: bool = True,
              on_record: Callable[[dict[str, Any]], None] | None = None) -> BatchSummary:
    """Answer every row of ``input_path`` into ``output_path``; see the module docstring.

    Args:
        resume: skip rows whose id is already in ``output_path``.
        retry_errors: resume, and answer again the rows whose record is an error (the error
            records are removed first).
        workers: chunks answered at once in threads (worth it when the backend is remote).
        batch_size: questions per :meth:`Advisor.ask_many` call (embedded together).
        on_record: called after each record is safely on disk.

    Raises:
        BatchError: unreadable input, or an existing output without ``resume``.
        BatchInterrupted: Ctrl-C; its ``summary`` counts what was written.
    """
    if workers < 1 or batch_size < 1:
        raise BatchError(f"workers and batch_size must be at least 1, got workers={workers}, batch_size={batch_size}")
    input_path, output_path = Path(input_path), Path(output_path)
    rows = read_rows(input_path)
    resume = resume or retry_errors
    if not resume and output_path.exists() and output_path.stat().st_size > 0:
        raise BatchError(f"{output_path} already exists; pass --resume to continue it, or choose another output file")
    done = done_ids(output_path) if resume else set()
    retried = drop_error_records(output_path) if retry_errors else 0
    if retried:
        done = done_ids(output_path)
    todo = [r for r in rows if r.key not in done]
    summary = BatchSummary(input=str(input_path), output=str(output_path), rows=len(rows),
                           skipped=len(rows) - len(todo), retried=retried)
    chunks = [todo[i:i + batch_size] for i in range(0, len(todo), batch_size)]
    output_path.parent.mkdir(parents=True, exist_ok=True)
    writer, bar = _RecordWriter(output_path), _progress(len(rows), summary.skipped, enabled=progress)
    counts: Counter[str] = Counter()
    t0 = time.perf_counter()

    def commit(records: list[dict[str, Any]]) -> None:
        for rec in records:
            writer.write(rec)
            counts["error" if "error" in rec else rec["answer"].outcome] += 1
        writer.commit()
        bar.update(len(records))
        for rec in records:
            if on_record is not None:
                on_record(rec)

    try:
        if workers == 1:
            for chunk in chunks:
                commit(answer_rows(advisor, chunk, sms=sms))
        else:
            _run_threaded(advisor, chunks, workers, commit, sms=sms)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        writer.close()
        bar.close()
        _finish(summary, counts, time.perf_counter() - t0)
    if summary.interrupted:
        raise BatchInterrupted(summary)
    return summary


def _run_threaded(advisor: "Advisor", chunks: list[list[BatchRow]], workers: int,
                  commit: Callable[[list[dict[str, Any]]], None], *, sms: bool) -> None:
    """Answer chunks in a thread pool, at most two per worker in flight; write each as it completes."""
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="agriadvisor-batch")
    pending: set[Future] = set()
    queue = iter(chunks)
    try:
        while True:
            for chunk in queue:
                pending.add(pool.submit(answer_rows, advisor, chunk, sms=sms))
                if len(pending) >= 2 * workers:
                    break
            if not pending:
                break
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                commit(fut.result())
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _progress(total: int, initial: int, *, enabled: bool):  # noqa: ANN202 - a tqdm bar
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, unit="q", desc="answering", file=sys.stderr,
                disable=not enabled, dynamic_ncols=True, smoothing=0.1)


def _finish(summary: BatchSummary, counts: Counter[str], elapsed: float) -> None:
    summary.errors = counts.pop("error", 0)
    summary.outcomes = dict(sorted(counts.items()))
    summary.written = summary.errors + sum(summary.outcomes.values())
    summary.elapsed_s = round(elapsed, 3)
    summary.questions_per_s = round(summary.written / elapsed, 2) if elapsed > 0 else 0.0
