"""Shared helpers for the benchmarks: question sets, timers, percentiles, memory, reports."""

from __future__ import annotations

import csv
import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results"
DEVSET = HERE / "data" / "devset.jsonl"
HELDOUT = DEVSET.with_name("heldout.jsonl")
# Question sets written apart from the dev set, and how blind each one still is.
HELDOUT_SETS = {
    "heldout": (HELDOUT, "60 questions; its misses later shaped boost weights and glossary words"),
    "heldout2": (DEVSET.with_name("heldout2.jsonl"), "50 questions written after tuning; its misses then shaped "
                 "stage words and glossary entries"),
    "heldout3": (DEVSET.with_name("heldout3.jsonl"), "50 questions written last; first-sight fact recall was 0.59, "
                 "and a look at its misses added glossary words"),
}
KCC = REPO.parent / "shared" / "eval" / "kcc" / "kcc_telangana_2025-01.csv"


def questions(limit_kcc: int = 300) -> list[str]:
    """The dev set plus real farmer queries from the Kisan Call Centre (when present)."""
    qs = [json.loads(line)["question"] for line in DEVSET.read_text(encoding="utf-8").splitlines() if line.strip()]
    if KCC.exists():
        with KCC.open(encoding="utf-8") as fh:
            kcc = [r["QueryText"].strip() for r in csv.DictReader(fh) if r.get("QueryText", "").strip()]
        qs += kcc[:limit_kcc]
    return qs


def timed(fn: Callable[[], object]) -> float:
    """Milliseconds one call takes."""
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def summary_ms(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(pct(values, 0.5), 3), "p95_ms": round(pct(values, 0.95), 3),
            "mean_ms": round(statistics.fmean(values), 3), "n": len(values)}


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def write_report(name: str, data: dict, markdown: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    (RESULTS / f"{name}.md").write_text(markdown, encoding="utf-8")
