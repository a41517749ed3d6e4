"""Guardrails: time the input rails per question, and the output rails on extractive answers.

Run: .venv/bin/python benchmarks/bench_guardrails.py [--print-only]
Writes benchmarks/results/guardrails.{md,json} (not with --print-only).

- Input rails: ``GuardrailEngine.check_input`` on every prompt of
  tests/data/guardrail_prompts.jsonl and on the Kisan Call Centre queries (when present).
  Query understanding runs before the clock starts: only the rails are timed. Three rounds
  after one warm-up round; mean, p50, p95 and max per question. Target: <= 5 ms mean.
- Output rails: ``check_output`` on answers made of four verbatim sentences of a knowledge
  passage, the shape of the extractive default answer; the embedder must never be called
  on that path, so the embed function raises.
- The confusion matrix of the prompt set is printed too (the same numbers the tests assert).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import KCC, REPO, machine, summary_ms, write_report  # noqa: E402

ROUNDS = 3
PROMPTS = REPO / "tests" / "data" / "guardrail_prompts.jsonl"


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

    cases = _output_cases()
    results = {
        "machine": machine(),
        "policy_load_ms": round(load_ms, 1),
        "input_prompt_set": _summary(_time_each(engine.check_input, prompt_infos)),
        "input_kcc": _summary(_time_each(engine.check_input, kcc_infos)) if kcc_infos else None,
        "output_extractive": _summary(_time_each(lambda c: engine.check_output(c[0], c[1], c[2], _never), cases)),
    }
    matrix = confusion(rows, [engine.check_input(i).outcome for i in prompt_infos])
    results["confusion"] = matrix

    md = _markdown(results, format_matrix(matrix), len(rows), len(kcc_infos), len(cases))
    print(md)
    if not args.print_only:
        write_report("guardrails", results, md)
    return 0


def _markdown(r: dict, matrix: str, n_prompts: int, n_kcc: int, n_out: int) -> str:
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
        line("output, extractive answers (no embedding)", r["output_extractive"], n_out),
        "",
        "Target: input rails <= 5 ms per question on this machine.",
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
