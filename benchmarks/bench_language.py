"""Answers in the question's language: Hindi and Bengali questions of the dev and held-out sets.

Run: .venv/bin/python benchmarks/bench_language.py [--languages ur,ur_latn,ne,ne_latn,si,ta]
Writes benchmarks/results/language.{md,json} (Hindi and Bengali, the default) or
benchmarks/results/language-<codes>.{md,json} for other languages.

Per set, for the Hindi (hi, hi_latn) and Bengali (bn, bn_latn) questions:
- how many answered ones came back in the question's language, overall and among those whose
  cited passages all have an aligned translation;
- fact recall on ``Answer.text_en`` against the same questions answered with ``language="en"``;
- retrieval (hit@4, MRR against the expected crop and country) with and without the native-script
  BM25 rank list over the translations (off by default; see agriadvisor/retrieval/native.py);
- ``ask`` p50 for these questions, and the time and memory the translations add at start-up.
"""

from __future__ import annotations

import json
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DEVSET, HELDOUT_SETS, machine, pct, write_report  # noqa: E402

LANGS = ("hi", "hi_latn", "bn", "bn_latn")
K = 4


def load(path: Path, langs: tuple[str, ...] = LANGS) -> list[dict]:
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [r for r in rows if r.get("language") in langs]


def retrieval(adv, rows: list[dict]) -> dict:
    hits, rr = [], []
    for r in rows:
        cites = adv.retrieve(r["question"], top_k=K)
        rel = [i for i, c in enumerate(cites) if c.crop == r.get("crop") and
               (r.get("country") is None or c.country == r.get("country"))]
        if r.get("crop"):
            hits.append(bool(rel))
            rr.append(1.0 / (rel[0] + 1) if rel else 0.0)
    return {"hit_at_4": round(sum(hits) / len(hits), 3) if hits else None,
            "mrr": round(sum(rr) / len(rr), 3) if rr else None}


def answers(adv, rows: list[dict]) -> dict:
    from agriadvisor.answering.localise import answer_language

    tr = adv.translations
    n_answered = in_lang = avail = avail_in_lang = 0
    facts_local, facts_en, times = [], [], []
    for r in rows:
        t0 = time.perf_counter()
        a = adv.ask(r["question"], top_k=K)
        times.append((time.perf_counter() - t0) * 1000)
        e = adv.ask(r["question"], top_k=K, language="en")
        if a.outcome != "answered":
            continue
        want = answer_language(None, r["language"])
        n_answered += 1
        in_lang += a.language == want
        if all(tr.get(c.chunk_id, want) is not None for c in a.citations):
            avail += 1
            avail_in_lang += a.language == want
        if r.get("facts"):
            facts_local.append(sum(f.lower() in a.text_en.lower() for f in r["facts"]) / len(r["facts"]))
            facts_en.append(sum(f.lower() in e.text.lower() for f in r["facts"]) / len(r["facts"])
                            if e.outcome == "answered" else 0.0)
    return {"questions": len(rows), "answered": n_answered, "in_question_language": in_lang,
            "translation_available": avail, "in_language_where_available": avail_in_lang,
            "fact_recall_text_en": round(sum(facts_local) / len(facts_local), 3) if facts_local else None,
            "fact_recall_english_run": round(sum(facts_en) / len(facts_en), 3) if facts_en else None,
            "ask_p50_ms": round(pct(times, 0.5), 2) if times else None}


def startup(adv) -> dict:
    from agriadvisor.knowledge.translations import load_translations
    from agriadvisor.retrieval.native import NativeKeywords

    tracemalloc.start()
    t0 = time.perf_counter()
    tr = load_translations(adv.settings.knowledge_path, adv.index.chunks, warnings=False)
    t1 = time.perf_counter()
    NativeKeywords(adv.index.chunks, tr)
    t2 = time.perf_counter()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"translation_files": len(tr.files), "aligned_sections": len(tr),
            "load_translations_ms": round((t1 - t0) * 1000, 1), "build_native_bm25_ms": round((t2 - t1) * 1000, 1),
            "peak_python_mib": round(peak / 2**20, 1)}


def main(argv: list[str] | None = None) -> None:
    import argparse

    from agriadvisor import Advisor

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--languages", default=",".join(LANGS), help="question languages, comma-separated")
    langs = tuple(parser.parse_args(argv).languages.split(","))

    adv = Advisor().warm_up()
    sets = {"dev": DEVSET, **{name: path for name, (path, _) in HELDOUT_SETS.items()}}
    report: dict = {"machine": machine(), "startup": startup(adv), "sets": {}}
    from agriadvisor.retrieval.native import NativeKeywords

    native = NativeKeywords(adv.index.chunks, adv.translations)  # off by default: measured here
    for name, path in sets.items():
        rows = load(path, langs)
        without = retrieval(adv, rows)
        adv.retriever.native = native
        with_native = retrieval(adv, rows)
        adv.retriever.native = None
        report["sets"][name] = {"retrieval_without_native": without, "retrieval_with_native": with_native,
                                **answers(adv, rows)}
    lines = [f"# Answers in the question's language ({', '.join(langs)} questions)", "",
             "| set | questions | answered | in question language | translation available | in language there | "
             "facts on text_en | facts English run | hit@4 without / with native BM25 | MRR without / with | ask p50 ms |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, m in report["sets"].items():
        w, n = m["retrieval_without_native"], m["retrieval_with_native"]
        lines.append(f"| {name} | {m['questions']} | {m['answered']} | {m['in_question_language']} | "
                     f"{m['translation_available']} | {m['in_language_where_available']} | {m['fact_recall_text_en']} | "
                     f"{m['fact_recall_english_run']} | {w['hit_at_4']} / {n['hit_at_4']} | {w['mrr']} / {n['mrr']} | "
                     f"{m['ask_p50_ms']} |")
    lines += ["", f"Start-up: {json.dumps(report['startup'])}"]
    name = "language" if langs == LANGS else "language-" + "-".join(langs)
    write_report(name, report, "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
