"""The eval harness: loading question sets, scoring them on a real index, the report and its chart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agriadvisor.errors import InputError
from agriadvisor.evaluation import evaluate, load_dataset

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def questions(tmp_path: Path) -> Path:
    return _write_jsonl(tmp_path / "q.jsonl", [
        {"id": "np-wheat-sow", "question": "When should I sow wheat in the Nepal Terai?", "language": "en",
         "country": "Nepal", "crop": "wheat", "stage": "sowing", "facts": ["sow", "zzqx never in any answer"]},
        {"id": "pk-cotton-whitefly", "question": "کپاس پر سفید مکھی کا کیا علاج ہے؟", "language": "ur",
         "country": "Pakistan", "crop": "cotton", "facts": []},
        {"id": "tomato", "question": "how do I grow tomatoes on my terrace?", "outcome": "out_of_scope"},
    ])


def test_evaluate_scores_each_question_on_the_real_index(small_advisor, questions: Path) -> None:
    items = load_dataset(questions)
    report = evaluate(small_advisor, items)
    m = report.metrics
    assert m["n"] == 3
    rows = {r["id"]: r for r in report.rows}
    assert rows["np-wheat-sow"]["fact_recall"] == 0.5  # "sow" is in the answer, the nonsense fact is not
    assert rows["np-wheat-sow"]["crop_at_3"] is True and rows["np-wheat-sow"]["country_right"] is True
    assert rows["pk-cotton-whitefly"]["understood_crop"] == "cotton"
    # guardrails are off in this small advisor, so the tomato question may be answered; the
    # outcome accuracy must count it either way
    assert rows["tomato"]["expected_outcome"] == "out_of_scope"
    assert m["outcome_accuracy"] == pytest.approx((2 + (rows["tomato"]["outcome"] == "out_of_scope")) / 3)
    assert 0.0 <= m["mrr"] <= 1.0 and m["latency_p50_ms"] > 0
    assert set(report.by_language) >= {"en", "ur"}
    assert "| fact_recall |" in report.table()


@pytest.mark.parametrize("name, content, message", [
    ("q.txt", "question", "must be .jsonl or .csv"),
    ("q.jsonl", '{"question": "ok"}\n{bad json\n', "line 2: invalid JSON"),
    ("q.jsonl", '["a list, not an object"]\n', "line 1: expected a JSON object"),
    ("q.jsonl", "\n\n", "no questions found"),
    ("q.csv", "id,crop\n1,rice\n", "no questions found"),
])
def test_bad_dataset_files_name_the_problem(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load_dataset(path)


def test_binary_dataset_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_bytes(b"\xff\xfe\x00\x81binary\x00")
    with pytest.raises(InputError, match="not UTF-8"):
        load_dataset(path)


def _cli(args: list[str], settings) -> subprocess.CompletedProcess:  # noqa: ANN001
    env = dict(os.environ, AGRIADVISOR_KNOWLEDGE_PATH=str(settings.knowledge_path),
               AGRIADVISOR_INDEX_PATH=str(settings.index_path), HF_HUB_OFFLINE="1")
    exe = Path(sys.executable).with_name("agriadvisor")
    return subprocess.run([str(exe), *args], env=env, capture_output=True, text=True, timeout=600)


def test_cli_eval_writes_json_report_and_png_chart(small_advisor, small_settings, questions: Path,
                                                   tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    out, chart = tmp_path / "report.json", tmp_path / "report.png"
    run = _cli(["eval", str(questions), "-o", str(out), "--chart", str(chart)], small_settings)
    assert run.returncode == 0, run.stderr
    assert "| crop_at_3 |" in run.stdout
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["metrics"]["n"] == 3 and len(report["rows"]) == 3
    assert chart.read_bytes().startswith(PNG_MAGIC) and chart.stat().st_size > 5_000


def test_cli_eval_rejects_a_chart_path_that_is_not_png_before_running(small_settings, questions: Path,
                                                                      tmp_path: Path) -> None:
    run = _cli(["eval", str(questions), "--chart", str(tmp_path / "chart.jpg")], small_settings)
    assert run.returncode == 2
    assert "must end in .png" in run.stderr + run.stdout


@pytest.mark.parametrize("row, message", [
    ({"question": "When to sow wheat?", "outcome": "answer"}, "row 1: unknown outcome 'answer'"),
    ({"question": "When to sow wheat?", "country": "Nepa"}, "row 1: unknown country 'Nepa'"),
    ({"question": "When to sow wheat?", "stage": "flowering"}, "row 1: unknown stage 'flowering'"),
])
def test_unknown_labels_are_rejected_not_scored_zero(tmp_path: Path, row: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_dataset(_write_jsonl(tmp_path / "q.jsonl", [row]))


def test_csv_facts_are_separated_by_a_bar(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text('id,question,country,facts,outcome\nw1,When to sow wheat?,nepal,"Kartik | Mangsir",answered\n',
                    encoding="utf-8")
    [item] = load_dataset(path)
    assert item.facts == ["Kartik", "Mangsir"] and item.country == "Nepal" and item.outcome == "answered"


def test_report_rows_carry_the_answer_citations_and_missed_facts(small_advisor, questions: Path) -> None:
    report = evaluate(small_advisor, load_dataset(questions))
    row = {r["id"]: r for r in report.rows}["np-wheat-sow"]
    assert row["question"] == "When should I sow wheat in the Nepal Terai?"
    assert "[1]" in row["answer"] and row["citations"][0]["country"] == "Nepal"
    assert row["missed_facts"] == ["zzqx never in any answer"]
    assert row["latency_ms"] > 0 and report.metrics["warm_up_ms"] > 0


def test_facts_count_only_from_the_labelled_country(small_advisor, tmp_path: Path) -> None:
    # the answer comes from the Nepal guide; labelled India, its facts must not count
    path = _write_jsonl(tmp_path / "q.jsonl", [
        {"id": "mislabelled", "question": "When should I sow wheat in the Nepal Terai?", "country": "India",
         "facts": ["sow"]}])
    [row] = evaluate(small_advisor, load_dataset(path)).rows
    assert row["outcome"] == "answered" and row["citations"][0]["country"] == "Nepal"
    assert row["fact_recall"] == 0.0 and "India" in row["facts_not_counted"]


def test_with_labels_passes_country_and_crop_to_ask(small_advisor, tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "q.jsonl", [
        {"id": "bare", "question": "When should I sow?", "country": "Nepal", "crop": "wheat"}])
    [plain] = evaluate(small_advisor, load_dataset(path)).rows
    [given] = evaluate(small_advisor, load_dataset(path), with_labels=True).rows
    assert given["labels_given"] and not plain["labels_given"]
    assert given["understood_country"] == "Nepal" and given["understood_crop"] == "wheat"
    assert all(c["country"] in ("Nepal", "all") and c["crop"] in ("wheat", "all") for c in given["citations"])


def test_warm_up_is_kept_out_of_the_question_latency(small_settings, questions: Path) -> None:
    from agriadvisor.advisor import Advisor

    report = evaluate(Advisor(small_settings), load_dataset(questions))  # a fresh Advisor: nothing loaded yet
    slowest = max(r["latency_ms"] for r in report.rows)
    assert report.metrics["warm_up_ms"] > slowest
    assert report.metrics["latency_mean_ms"] == pytest.approx(sum(r["latency_ms"] for r in report.rows) / 3, rel=1e-3)
