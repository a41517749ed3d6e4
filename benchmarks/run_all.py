"""Run every benchmark in turn and gather their Markdown into benchmarks/results/summary.md.

Run: make bench   (or .venv/bin/python benchmarks/run_all.py [--quick])
Each benchmark also runs on its own; see the files beside this one.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ("bench_startup.py", "bench_retrieval.py", "bench_encoder.py", "bench_guardrails.py", "bench_channels.py",
         "bench_backends.py")
REPORTS = ("startup", "retrieval", "encoder", "guardrails", "channels", "backends")


def main() -> int:
    quick = "--quick" in sys.argv
    failed = []
    for name in ORDER:
        script = HERE / name
        if not script.exists():
            continue
        with_quick = quick and name in ("bench_retrieval.py", "bench_encoder.py")
        args = [sys.executable, str(script)] + (["--quick"] if with_quick else [])
        print(f"== {name}", flush=True)
        if subprocess.run(args).returncode != 0:
            failed.append(name)
    parts = ["# Benchmark results", ""]
    for rep in REPORTS:
        md = HERE / "results" / f"{rep}.md"
        if md.exists():
            parts += [f"## {rep}", "", md.read_text(encoding="utf-8"), ""]
    (HERE / "results" / "summary.md").write_text("\n".join(parts), encoding="utf-8")
    if failed:
        print("failed:", ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
