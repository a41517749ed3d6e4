"""Batch runs on real files with the real Advisor: CSV and JSONL, bad rows, bad files, crash and resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from agriadvisor.channels.batch import BatchInterrupted, done_ids, read_rows, run_batch
from agriadvisor.errors import BatchError
from agriadvisor.models import Answer

QUESTIONS = [
    ("When should I sow wheat?", "Nepal", "wheat"),
    ("How much urea for rice?", "India", "rice"),
    ("How do I control pink bollworm?", "Pakistan", "cotton"),
    ("When should I irrigate wheat in the Terai?", "", ""),
    ("What is the best smartphone for games?", "", ""),
    ("Best time to transplant boro rice?", "Bangladesh", ""),
]


def records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def many_rows(n: int) -> list[dict[str, Any]]:
    return [{"id": f"q{i:03d}", "question": QUESTIONS[i % len(QUESTIONS)][0] + f" (case {i})",
             "country": QUESTIONS[i % len(QUESTIONS)][1]} for i in range(n)]


def test_csv_with_any_question_header_spelling(small_advisor: Any, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    lines = ["ID,QueryText,Country,crop"] + [f'{i},"{q}",{c},{cr}' for i, (q, c, cr) in enumerate(QUESTIONS, 100)]
    src.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")  # with the BOM Excel writes
    out = tmp_path / "out.jsonl"
    summary = run_batch(small_advisor, src, out, progress=False)
    recs = records(out)
    assert [r["id"] for r in recs] == [str(i) for i in range(100, 106)]
    assert [r["row"] for r in recs] == list(range(1, 7))
    answers = [Answer.model_validate(r["answer"]) for r in recs]
    assert answers[0].outcome == "answered" and answers[0].citations[0].country == "Nepal"
    assert answers[2].citations[0].crop == "cotton"
    assert answers[4].outcome == "out_of_scope"
    assert summary.rows == summary.written == 6 and summary.errors == 0
    assert summary.outcomes == {"answered": 5, "out_of_scope": 1}
    assert summary.questions_per_s > 0
    assert "throughput" in summary.render()


def test_jsonl_malformed_rows_get_error_records(small_advisor: Any, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "ok1", "question": "When should I sow wheat?", "country": "Nepal"},
        {"id": "empty", "question": "   "},
        {"id": "binary", "question": "wheat\u0000\u0001\u0002 sow"},
        {"id": "long", "query": "wheat " * 1000},
        {"id": "country", "question": "When to sow rice?", "country": "Mars"},
        {"id": "number", "question": 42},
        {"id": "noquestion", "text": "When to sow rice?"},
        ["not", "an", "object"],
        {"id": "stage", "question": "When to sow rice?", "stage": "flowering-ish"},
        {"id": "ok2", "Question": "How much urea for rice?", "Country": "India"},
    ])
    out = tmp_path / "out.jsonl"
    summary = run_batch(small_advisor, src, out, progress=False, batch_size=4)
    by_id = {r["id"]: r for r in records(out)}
    assert len(by_id) == 10
    assert "answer" in by_id["ok1"] and "answer" in by_id["ok2"]  # good rows in a chunk with bad ones
    expected = {"empty": "empty", "binary": "binary", "long": "limit is 2000", "country": "unknown country 'Mars'",
                "number": "got int", "noquestion": "no question field", "8": "not an object", "stage": "unknown stage"}
    for key, message in expected.items():
        assert message in by_id[key]["error"], by_id[key]
    assert summary.errors == 8 and summary.outcomes == {"answered": 2}


@pytest.mark.parametrize("name, content, message", [
    ("in.csv", b"question\nWhen to sow?\n\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xd8", "line 3: not UTF-8 text"),
    ("in.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xd8", "line 1: not UTF-8 text"),
    ("in.csv", b"id,text,country\n1,When to sow?,Nepal\n", "line 1: no question column; expected one of question, "
                                                           "query, QueryText (found: id, text, country)"),
    ("in.jsonl", b'{"question": "a"}\n{"question": "b"}\n{"question": "c",\n', "line 3: invalid JSON"),
    ("in.jsonl", b'{"text": "a"}\n{"text": "b"}\n', "no line has a question field"),
    ("in.csv", b"id,question\n1,a\n2,b\n1,c\n", "line 4: id '1' repeats the id on line 2"),
    ("in.csv", b"", "is empty"),
    ("in.bin", b"\x00\x00\x00\x00question\x00", "binary data"),
])
def test_malformed_files_are_clear_errors(small_advisor: Any, tmp_path: Path, name: str, content: bytes,
                                          message: str) -> None:
    src = tmp_path / name
    src.write_bytes(content)
    out = tmp_path / "out.jsonl"
    with pytest.raises(BatchError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run_batch(small_advisor, src, out, progress=False)
    assert not out.exists(), "nothing is written for a file that cannot be read"


def test_existing_output_needs_resume(small_advisor: Any, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", many_rows(2))
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": "x", "row": 1, "error": "e"}\n')
    with pytest.raises(BatchError, match="already exists; pass --resume"):
        run_batch(small_advisor, src, out, progress=False)


def test_resume_after_a_crash_writes_every_row_exactly_once(small_advisor: Any, tmp_path: Path) -> None:
    rows = many_rows(40)
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    seen: list[str] = []

    def crash_after_12(rec: dict[str, Any]) -> None:
        seen.append(rec["id"])
        if len(seen) == 12:
            raise RuntimeError("simulated crash")

    with pytest.raises(RuntimeError, match="simulated crash"):
        run_batch(small_advisor, src, out, progress=False, batch_size=4, on_record=crash_after_12)
    assert len(records(out)) == 12
    with open(out, "a", encoding="utf-8") as fh:  # and the process died while writing the next line
        fh.write('{"id": "q012", "row": 13, "answer": {"quest')
    summary = run_batch(small_advisor, src, out, progress=False, batch_size=4, resume=True)
    ids = [r["id"] for r in records(out)]
    assert sorted(ids) == sorted(r["id"] for r in rows) and len(ids) == len(set(ids)) == 40
    assert summary.skipped == 12 and summary.written == 28
    again = run_batch(small_advisor, src, out, progress=False, resume=True)  # nothing left to do
    assert again.written == 0 and len(records(out)) == 40


def test_ctrl_c_keeps_what_was_written(small_advisor: Any, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", many_rows(12))
    out = tmp_path / "out.jsonl"

    def interrupt(rec: dict[str, Any]) -> None:
        if rec["row"] == 5:
            raise KeyboardInterrupt

    with pytest.raises(BatchInterrupted) as info:
        run_batch(small_advisor, src, out, progress=False, batch_size=5, on_record=interrupt)
    assert info.value.summary.interrupted and info.value.summary.written == 5
    assert len(records(out)) == 5
    run_batch(small_advisor, src, out, progress=False, resume=True)
    assert sorted(r["row"] for r in records(out)) == list(range(1, 13))


def test_threads_give_the_same_records(small_advisor: Any, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", many_rows(24))
    one, four = tmp_path / "one.jsonl", tmp_path / "four.jsonl"
    run_batch(small_advisor, src, one, progress=False, batch_size=4)
    run_batch(small_advisor, src, four, progress=False, batch_size=4, workers=3)

    def key(path: Path) -> dict[str, tuple]:
        return {r["id"]: (r["answer"]["outcome"], r["answer"]["text"]) for r in records(path)}

    assert key(one) == key(four)


@pytest.fixture(scope="module")
def flaky_advisor(small_settings: Any, small_advisor: Any) -> Any:
    """The small corpus (index built by small_advisor) answered by a backend that fails on "boom" and "down"."""
    from agriadvisor import Advisor
    from agriadvisor.backends.base import Backend
    from agriadvisor.backends.extractive import ExtractiveBackend
    from agriadvisor.errors import BackendError

    class FlakyBackend(Backend):
        name = "flaky"

        def generate(self, request):  # type: ignore[no-untyped-def]
            if "boom" in request.question or "down" in request.question:
                raise BackendError("model server answered HTTP 500")
            yield from ExtractiveBackend().generate(request)

    return Advisor(small_settings, backend=FlakyBackend())


def test_a_row_the_backend_fails_on_gets_an_error_record(flaky_advisor: Any, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": 1, "question": "When should I sow wheat in Nepal?"},
                                              {"id": 2, "question": "boom: when should I sow rice in India?"},
                                              {"id": 3, "question": "How much urea for rice in India?"}])
    out = tmp_path / "out.jsonl"
    summary = run_batch(flaky_advisor, src, out, progress=False)
    by_id = {r["id"]: r for r in records(out)}
    assert "answer" in by_id["1"] and "answer" in by_id["3"]
    assert by_id["2"]["error"] == "BackendError: model server answered HTTP 500"
    assert by_id["2"]["input"] == {"question": "boom: when should I sow rice in India?"}
    assert summary.errors == 1


def test_a_backend_down_for_a_whole_chunk_stops_the_run_for_resume(flaky_advisor: Any, small_advisor: Any,
                                                                   tmp_path: Path) -> None:
    rows = [{"id": i, "question": f"When should I sow wheat in Nepal? ({i})"} for i in range(4)] + \
           [{"id": i, "question": f"down: when should I sow rice in India? ({i})"} for i in range(4, 8)]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    with pytest.raises(BatchError, match="backend failed on every question of a chunk"):
        run_batch(flaky_advisor, src, out, progress=False, batch_size=4)
    assert sorted(r["id"] for r in records(out)) == ["0", "1", "2", "3"]  # the failed chunk is not marked done
    run_batch(small_advisor, src, out, progress=False, batch_size=4, resume=True)  # the backend is back
    assert sorted(r["id"] for r in records(out)) == [str(i) for i in range(8)]
    assert all("answer" in r for r in records(out))


def test_done_ids_refuses_a_foreign_file(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": 1, "row": 1, "error": "e"}\nnot json\n{"id": 2, "row": 2, "error": "e"}\n')
    with pytest.raises(BatchError, match="line 2: not a batch output record"):
        done_ids(out)
    out.write_text('{"id": 1, "row": 1, "error": "e"}\n{"id": 2, "row": 2, "error": "e"}')  # no final newline
    assert done_ids(out) == {"1", "2"} and out.read_text().endswith("}\n")


def test_csv_row_with_an_unquoted_comma_is_an_error_record(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("id,question,country\n1,When to sow wheat, early or late?,Nepal\n2,When to sow rice?,India\n")
    rows = read_rows(src)
    assert "4 fields but the header has 3" in (rows[0].problem or "")
    assert rows[1].problem is None and rows[1].country == "India"


def _env(settings: Any) -> dict[str, str]:
    return {**os.environ, "AGRIADVISOR_KNOWLEDGE_PATH": str(settings.knowledge_path),
            "AGRIADVISOR_INDEX_PATH": str(settings.index_path), "AGRIADVISOR_GUARDRAILS": "false",
            "PYTHONUNBUFFERED": "1"}


@pytest.mark.slow
def test_cli_killed_mid_run_then_resumed(small_advisor: Any, small_settings: Any, tmp_path: Path) -> None:
    """The real command, killed with SIGKILL while it writes, then run again with --resume."""
    rows = many_rows(300)
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "agriadvisor", "batch", str(src), "-o", str(out), "--batch-size", "4"]
    proc = subprocess.Popen(cmd, env=_env(small_settings), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not out.exists() or out.read_bytes().count(b"\n") < 20):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    written = out.read_bytes().count(b"\n")
    assert 20 <= written < 300, "the run was killed mid-way"
    done = subprocess.run([*cmd, "--resume", "--no-progress", "--json"], env=_env(small_settings),
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    ids = [r["id"] for r in records(out)]
    assert sorted(ids) == sorted(r["id"] for r in rows) and len(ids) == 300
    assert summary["skipped"] + summary["written"] == 300


@pytest.mark.slow
def test_cli_batch_progress_and_summary(small_advisor: Any, small_settings: Any, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("question,country\nWhen should I sow wheat?,Nepal\n,India\nHow much urea for rice?,India\n")
    out = tmp_path / "out.jsonl"
    done = subprocess.run([sys.executable, "-m", "agriadvisor", "batch", str(src), "-o", str(out)],
                          env=_env(small_settings), capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "q/s" in done.stderr and "3/3" in done.stderr  # tqdm: count, rate and ETA on stderr
    assert "outcomes: answered 2; errors: 1" in done.stdout
    assert len(records(out)) == 3


def test_retry_errors_answers_fixed_rows_again(small_advisor: Any, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": 1, "question": "When should I sow wheat?", "country": "Nepal"},
                                              {"id": 2, "question": "When to sow rice?", "country": "Mars"}])
    out = tmp_path / "out.jsonl"
    run_batch(small_advisor, src, out, progress=False)
    error = records(out)[1]
    # the error record carries the row's input, so it can be fixed from the output alone; ids are strings
    assert error["id"] == "2" and error["input"] == {"question": "When to sow rice?", "country": "Mars"}
    assert "Mars" in error["error"]
    write_jsonl(src, [{"id": 1, "question": "When should I sow wheat?", "country": "Nepal"},
                      {"id": 2, "question": "When to sow rice?", "country": "India"}])
    assert run_batch(small_advisor, src, out, progress=False, resume=True).written == 0  # resume alone keeps it
    summary = run_batch(small_advisor, src, out, progress=False, retry_errors=True)
    assert summary.retried == 1 and summary.written == 1 and summary.errors == 0
    assert "1 earlier errors retried" in summary.render()
    by_id = {r["id"]: r for r in records(out)}
    assert len(records(out)) == 2 and by_id["2"]["answer"]["citations"][0]["country"] == "India"


def test_cli_retry_errors(small_advisor: Any, small_settings: Any, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from agriadvisor.cli import app

    src = tmp_path / "in.csv"
    src.write_text("id,question,country\nq1,When should I sow wheat?,Nepal\nq2,When to sow rice?,Mars\n")
    out = tmp_path / "out.jsonl"
    env = {k: v for k, v in _env(small_settings).items() if k.startswith("AGRIADVISOR_")}
    first = CliRunner().invoke(app, ["batch", str(src), "-o", str(out), "--no-progress"], env=env)
    assert first.exit_code == 0 and "errors: 1" in first.output
    src.write_text("id,question,country\nq1,When should I sow wheat?,Nepal\nq2,When to sow rice?,India\n")
    again = CliRunner().invoke(app, ["batch", str(src), "-o", str(out), "--retry-errors", "--no-progress"], env=env)
    assert again.exit_code == 0, again.output
    assert "1 already done, 1 earlier errors retried, 1 written" in again.output
    assert all("answer" in r for r in records(out))


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_semicolon_and_other_separators_are_detected(tmp_path: Path, sep: str) -> None:
    src = tmp_path / "in.csv"
    src.write_text(sep.join(["id", "question", "country"]) + "\n"
                   + sep.join(["1", "When to sow wheat, early or late?", "Nepal"]) + "\n", encoding="utf-8")
    [row] = read_rows(src)
    assert row.problem is None and row.question == "When to sow wheat, early or late?" and row.country == "Nepal"


def test_a_short_row_does_not_get_the_comma_hint(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("id,question,country\n1;When to sow wheat?;Nepal\n2,When to sow rice?,India\n")
    problem = read_rows(src)[0].problem or ""
    assert "1 fields but the header has 3" in problem and "comma" not in problem


def test_ids_are_strings_in_every_record(small_advisor: Any, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": 7, "question": "When should I sow wheat in Nepal?"},
                                              {"question": "When to sow rice in India?"}, {"id": 9, "question": ""}])
    out = tmp_path / "out.jsonl"
    run_batch(small_advisor, src, out, progress=False)
    assert [r["id"] for r in records(out)] == ["7", "2", "9"]
