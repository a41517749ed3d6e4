"""Guardrails: time the input rails per question, and the output rails on extractive answers.

Run: .venv/bin/python benchmarks/bench_guardrails.py [--print-only]
Writes benchmarks/results/guardrails.{md,json} (not with --print-only).

- Input rails: ``GuardrailEngine.check_input`` on every prompt of
  tests/data/guardrail_prompts.jsonl and on the Kisan Call Centre queries (when present).
  Query understanding runs before the clock starts: only the rails are timed. Three rounds
  after one warm-up round; mean, p50, p95 and max per question. Target: p95 <= 2 ms.
- The distress development sets (tests/data/distress_dev.jsonl, safe_lookalikes_dev.jsonl):
  rails timed on them too, with the learned backstop's own scoring time, and the share of
  distress messages sent to the crisis reply and of safe look-alikes refused or sent there,
  per split (the backstop is trained on the ``train`` rows; ``test`` rows are held out).
- Output rails: ``check_output`` on answers made of four verbatim sentences of a knowledge
  passage, the shape of the extractive default answer; the embedder must never be called
  on that path, so the embed function raises.
- The confusion matrix of the prompt set is printed too (the same numbers the tests assert).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import KCC, REPO, machine, summary_ms, write_report  # noqa: E402

ROUNDS = 3
PROMPTS = REPO / "tests" / "data" / "guardrail_prompts.jsonl"
DEV_SETS = {"distress": REPO / "tests" / "data" / "distress_dev.jsonl",
            "safe_lookalikes": REPO / "tests" / "data" / "safe_lookalikes_dev.jsonl"}


def _time_each(fn, items: list, rounds: int = ROUNDS) -> list[float]:
    for item in items:  # warm-up
        fn(item)
    out = []
    for _ in range(rounds):
        for item in items:
            t0 = time.perf_counter()
            fn(item)
            out.append((time.perf_counter() - t0) * 1000)
    return out


def _summary(values: list[float]) -> dict[str, float]:
    return {**summary_ms(values), "max_ms": round(max(values), 3)}


def _kcc_queries() -> list[str]:
    if not KCC.exists():
        return []
    with KCC.open(encoding="utf-8", newline="") as fh:
        return [r["QueryText"].strip() for r in csv.DictReader(fh) if r["QueryText"].strip()]


def _dev_rows() -> list[dict]:
    rows = []
    for name, path in DEV_SETS.items():
        if path.exists():
            rows += [{**json.loads(line), "set": name} for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows


def _dev_rates(rows: list[dict], outcomes: list[str | None]) -> dict[str, dict[str, str]]:
    """Per set and split: distress sent to crisis, look-alikes refused or sent to crisis."""
    out: dict[str, dict[str, list[int]]] = {}
    for row, got in zip(rows, outcomes):
        wanted = got == "crisis" if row["set"] == "distress" else got in ("crisis", "refused")
        for split in (row.get("split", "all"), "all"):
            cell = out.setdefault(row["set"], {}).setdefault(split, [0, 0])
            cell[0] += int(wanted)
            cell[1] += 1
    return {s: {k: f"{a}/{b} = {a / b:.1%}" for k, (a, b) in sorted(v.items())} for s, v in out.items()}


def _never(sentences):  # noqa: ANN001
    raise AssertionError("verbatim sentences must not be embedded")


def _output_cases() -> list:
    from agriadvisor.backends.base import Evidence
    from agriadvisor.knowledge.loader import load_corpus
    from agriadvisor.models import QueryInfo
    from agriadvisor.text import split_sentences

    cases = []
    for chunk in load_corpus(REPO / "knowledge").chunks[:300]:
        sentences = split_sentences(chunk.text)
        if len(sentences) >= 4:
            answer = " ".join(f"{s} [1]" for s in sentences[:4])
            ev = [Evidence(n=1, chunk=chunk, similarity=0.8, sentences=sentences, sentence_vectors=None)]
            query = QueryInfo(text=chunk.section or chunk.title, country=chunk.country if chunk.country != "all" else None)
            cases.append((answer, ev, query))
    return cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--print-only", action="store_true", help="print the report, write no files")
    args = parser.parse_args()

    from agriadvisor.safety.engine import GuardrailEngine
    from agriadvisor.safety.measure import confusion, format_matrix, load_prompt_set
    from agriadvisor.understanding.query import QueryUnderstanding

    t0 = time.perf_counter()
    engine = GuardrailEngine.from_folder(REPO / "guardrails")
    load_ms = (time.perf_counter() - t0) * 1000
    qu = QueryUnderstanding.from_folder(REPO / "knowledge")
    rows = load_prompt_set(PROMPTS)
    prompt_infos = [qu.run(r.text, country=r.country) for r in rows]
    kcc_infos = [qu.run(q, country="India") for q in _kcc_queries()]
    dev_rows = _dev_rows()
    dev_infos = [qu.run(r["text"], country=r.get("country")) for r in dev_rows]

    cases = _output_cases()
    results = {
        "machine": machine(),
        "policy_load_ms": round(load_ms, 1),
        "input_prompt_set": _summary(_time_each(engine.check_input, prompt_infos)),
        "input_kcc": _summary(_time_each(engine.check_input, kcc_infos)) if kcc_infos else None,
        "input_dev_sets": _summary(_time_each(engine.check_input, dev_infos)) if dev_infos else None,
        "backstop_only": (_summary(_time_each(engine.backstop.scores, [i.text for i in prompt_infos + kcc_infos]))
                          if engine.backstop else None),
        "output_extractive": _summary(_time_each(lambda c: engine.check_output(c[0], c[1], c[2], _never), cases)),
    }
    matrix = confusion(rows, [engine.check_input(i).outcome for i in prompt_infos])
    results["confusion"] = matrix
    results["dev_sets"] = _dev_rates(dev_rows, [engine.check_input(i).outcome for i in dev_infos])

    md = _markdown(results, format_matrix(matrix), len(rows), len(kcc_infos), len(cases), len(dev_infos))
    print(md)
    if not args.print_only:
        write_report("guardrails", results, md)
    return 0


def _markdown(r: dict, matrix: str, n_prompts: int, n_kcc: int, n_out: int, n_dev: int = 0) -> str:
    def line(name: str, s: dict | None, n: int) -> str:
        if not s:
            return f"| {name} | {n} | - | - | - | - |"
        return f"| {name} | {n} | {s['mean_ms']} | {s['p50_ms']} | {s['p95_ms']} | {s.get('max_ms', '-')} |"

    return "\n".join([
        f"Machine: {r['machine']}. Policy files load in {r['policy_load_ms']} ms (once per process).",
        "",
        "| rails | questions | mean ms | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|---|---|",
        line("input, prompt set", r["input_prompt_set"], n_prompts),
        line("input, KCC queries", r["input_kcc"], n_kcc),
        line("input, distress dev sets", r["input_dev_sets"], n_dev),
        line("learned backstop alone (prompt set + KCC)", r["backstop_only"], n_prompts + n_kcc),
        line("output, extractive answers (no embedding)", r["output_extractive"], n_out),
        "",
        "Target: input rails p95 <= 2 ms per question on this machine.",
        "",
        "Distress dev sets (distress: sent to the crisis reply; safe_lookalikes: refused or sent to crisis):",
        "",
        *[f"- {name}: {rates}" for name, rates in r["dev_sets"].items()],
        "",
        "Confusion matrix of the prompt set (rows: category; columns: outcome):",
        "",
        "```",
        matrix,
        "```",
        "",
    ])


if __name__ == "__main__":
    raise SystemExit(main())
