"""Query understanding per question, with and without the brand and variety look-up.

Run: .venv/bin/python benchmarks/bench_understanding.py
Writes benchmarks/results/understanding.{md,json}.

Questions: the dev set and 1,000 Kisan Call Centre queries. Each question is understood three
times, taking turns between the two set-ups so that a busy neighbour slows both alike; the
median per question is kept. Target: p50 under 1 ms.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, machine, questions, summary_ms, timed, write_report  # noqa: E402


def main() -> None:
    from agriadvisor.understanding.names import NameBook
    from agriadvisor.understanding.query import QueryUnderstanding

    full = QueryUnderstanding.from_folder(REPO / "knowledge")
    bare = QueryUnderstanding(full.lexicon, NameBook())
    qs = questions(limit_kcc=1000)
    for q in qs[:50]:  # warm caches
        full.run(q), bare.run(q)
    times: dict[str, list[float]] = {"with_names": [], "without_names": []}
    for q in qs:
        runs = {"with_names": [], "without_names": []}
        for _ in range(3):
            runs["with_names"].append(timed(lambda: full.run(q)))
            runs["without_names"].append(timed(lambda: bare.run(q)))
        for k, v in runs.items():
            times[k].append(sorted(v)[1])
    result = {k: summary_ms(v) for k, v in times.items()}
    result["machine"] = machine()
    result["brands"], result["varieties"], result["series"] = (len(full.names.products), len(full.names.varieties),
                                                               len(full.names.series))
    md = ["# Query understanding per question", "", f"{len(qs)} questions (dev set + KCC), median of 3 runs each; "
          f"{machine()}.", "", "| set-up | p50 ms | p95 ms | mean ms |", "| --- | --- | --- | --- |"]
    md += [f"| {k.replace('_', ' ')} | {v['p50_ms']} | {v['p95_ms']} | {v['mean_ms']} |"
           for k, v in result.items() if isinstance(v, dict)]
    md += ["", f"Brands {result['brands']}, varieties {result['varieties']}, code series {result['series']} "
           "(knowledge/products.yaml, varieties.yaml). Target: p50 under 1 ms."]
    write_report("understanding", result, "\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()
