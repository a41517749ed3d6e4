"""Process-level costs: `--help`, a first `ask` in a new process, index build, memory.

Run: .venv/bin/python benchmarks/bench_startup.py
Writes benchmarks/results/startup.{md,json}.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, write_report  # noqa: E402

BIN = Path(sys.executable).parent
CLI = str(BIN / "agriadvisor")
MEMORY_SCRIPT = """
import resource, sys
sys.path.insert(0, {bench!r})
from common import questions
from agriadvisor import Advisor
adv = Advisor().warm_up()
for q in questions(limit_kcc=100):
    adv.ask(q)
adv.ask_many(questions(limit_kcc=100))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""
LANGCHAIN_MEMORY_SCRIPT = """
import resource, sys
sys.path.insert(0, {bench!r})
from common import questions
from bench_retrieval import make_advisor, langchain_store, langchain_answer
adv = make_advisor()
store, _ = langchain_store(adv)
for q in questions(limit_kcc=100):
    langchain_answer(store, q)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def run_s(cmd: list[str], env: dict | None = None) -> tuple[float, str]:
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    return time.perf_counter() - t0, out.stdout


def best_of(n: int, cmd: list[str], env: dict | None = None) -> float:
    return min(run_s(cmd, env)[0] for _ in range(n))


def main() -> None:
    env = os.environ.copy()
    res: dict = {"machine": machine()}
    res["help_s"] = round(best_of(5, [CLI, "--help"]), 3)
    tmp = Path(tempfile.mkdtemp(prefix="aa-bench-"))
    try:
        env_idx = env | {"AGRIADVISOR_INDEX_PATH": str(tmp / "index")}
        build_s, _ = run_s([CLI, "index", "build"], env_idx)
        size = sum(p.stat().st_size for p in (tmp / "index").rglob("*") if p.is_file())
        res["index_build_s"] = round(build_s, 2)
        res["index_size_mib"] = round(size / 2**20, 2)
        res["first_ask_s"] = round(best_of(3, [CLI, "ask", "When should I sow wheat in Nepal?"], env_idx), 3)
        bench = str(Path(__file__).resolve().parent)
        _, out = run_s([sys.executable, "-c", MEMORY_SCRIPT.format(bench=bench)], env_idx)
        res["agriadvisor_peak_rss_mib"] = round(float(out.strip().splitlines()[-1]), 1)
        try:
            _, out = run_s([sys.executable, "-c", LANGCHAIN_MEMORY_SCRIPT.format(bench=bench)], env_idx)
            res["langchain_peak_rss_mib"] = round(float(out.strip().splitlines()[-1]), 1)
        except subprocess.CalledProcessError as exc:
            res["langchain_peak_rss_mib"] = None
            res["langchain_error"] = exc.stderr[-300:]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    md = "\n".join([
        f"Machine: {res['machine']}", "",
        "| measure | value | target |", "| --- | --- | --- |",
        f"| `agriadvisor --help` | {res['help_s']} s | < 0.3 s |",
        f"| first `agriadvisor ask` in a new process (index prebuilt) | {res['first_ask_s']} s | < 8 s |",
        f"| index build (whole corpus) | {res['index_build_s']} s | - |",
        f"| index size | {res['index_size_mib']} MiB | - |",
        f"| peak RSS, agriadvisor default pipeline | {res['agriadvisor_peak_rss_mib']} MiB | < 1024 MiB |",
        f"| peak RSS, LangChain baseline | {res.get('langchain_peak_rss_mib')} MiB | - |",
    ]) + "\n"
    write_report("startup", res, md)
    print(md)
    print(json.dumps(res))


if __name__ == "__main__":
    main()
