"""The query encoder, side by side in one process: PyTorch fp32, ONNX fp32 and ONNX int8.

Run: .venv/bin/python benchmarks/bench_encoder.py [--quick]       (about 10 minutes on 2 quiet cores,
     plus a few minutes the first time, to build the fp32 comparison index)
Writes benchmarks/results/encoder.{md,json}.

- Encoders: sentence-transformers as a user would call it, one question at a time (p50) and a
  batch of 40 held-out questions, with the cosine of each to the PyTorch fp32 vectors.
- The raw floor is the fastest of them on this machine (int8 where the CPU has the instructions)
  plus one FAISS search, whichever encoder the advisor uses (``auto`` is fp32 ONNX).
- ``ask`` against the floor, question by question in turns; ``ask_many`` against the floor's
  batched encode + search at 40 and 1,000 held-out questions. Each comparison runs several
  rounds, and every round's ratio is reported, so the noise of a shared machine is visible.
- Retrieval quality of the fp32 ONNX and the int8 encoder, each with its own index, on the dev
  set and each held-out set (crop of top-3, MRR, key facts), and document-encoding time of each.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DEVSET, HELDOUT_SETS, machine, peak_rss_mib, summary_ms, timed, write_report  # noqa: E402

K = 4


def heldout_questions() -> list[str]:
    return [json.loads(line)["question"] for path, _ in HELDOUT_SETS.values() if path.exists()
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def sentence_transformer(variant):  # noqa: ANN001, ANN201
    """The encoder as a user of sentence-transformers would load it (no agriadvisor code)."""
    from sentence_transformers import SentenceTransformer

    kwargs = {"model_kwargs": {"file_name": variant.file_name}} if variant.file_name else {}
    return SentenceTransformer(str(variant.folder), backend=variant.runtime, device="cpu", **kwargs)


def encode(model, texts: list[str]):  # noqa: ANN001, ANN201
    return model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)


def encoders(adv, qs: list[str], rounds: int) -> tuple[dict, dict]:
    """Every encoder variant this machine can run, timed in turns; returns (results, models)."""
    from agriadvisor.index.embedder import Embedder

    models = {}
    for request in ("torch", "onnx", "onnx-int8"):
        try:
            variant = Embedder(encoder=request, cache_dir=adv.embedder.cache_dir).variant
        except Exception as exc:  # noqa: BLE001 - a variant this machine cannot run is reported, not fatal
            print(f"encoder {request}: not available here ({exc})", file=sys.stderr)
            continue
        models[variant.name] = sentence_transformer(variant)
    batch = qs[:40]
    for m in models.values():
        encode(m, batch[:8])
    one = {name: [] for name in models}
    many = {name: [] for name in models}
    names = list(models)
    for r in range(rounds):
        for i, q in enumerate(qs):
            for name in names[(i + r) % len(names):] + names[:(i + r) % len(names)]:
                one[name].append(timed(lambda q=q, m=models[name]: encode(m, [q])))
        for name in names:
            many[name].append(timed(lambda m=models[name]: encode(m, batch)))
    ref = encode(models["torch-fp32"], batch)
    out = {}
    for name, m in models.items():
        cos = (encode(m, batch) * ref).sum(axis=1)
        out[name] = {"one_p50_ms": round(statistics.median(one[name]), 3), "batch40_ms": round(min(many[name]), 1),
                     "cos_min": round(float(cos.min()), 4), "cos_mean": round(float(cos.mean()), 4)}
    return out, models


def ask_vs_floor(adv, floor, qs: list[str], rounds: int) -> dict:
    """ask and the floor in turns, question by question; one p50 ratio per round."""
    faiss_index = adv.index.faiss

    def raw(q: str) -> None:
        faiss_index.search(encode(floor, [q]), K)

    steps: dict[str, list[float]] = {}

    def ask(q: str) -> None:
        for step, ms in adv.ask(q).timings_ms.items():
            steps.setdefault(step, []).append(ms)

    per_round = []
    for r in range(rounds):
        ours, base = [], []
        for i, q in enumerate(qs):
            pair = [(ours, ask), (base, raw)]
            for sink, fn in (pair if (i + r) % 2 == 0 else pair[::-1]):
                sink.append(timed(lambda q=q, fn=fn: fn(q)))
        per_round.append({"ask": summary_ms(ours), "floor": summary_ms(base),
                          "ratio": round(statistics.median(ours) / statistics.median(base), 3)})
    return {"rounds": per_round, "ratio_median": round(statistics.median(r["ratio"] for r in per_round), 3),
            "steps_p50_ms": {k: round(statistics.median(v), 3) for k, v in steps.items()}}


def ask_many_vs_floor(adv, floor, qs: list[str], sizes: tuple[int, ...], rounds: int) -> list[dict]:
    """Throughput of ask_many and of the floor's batched encode + one search, alternating."""
    faiss_index = adv.index.faiss
    rows = []
    for n in sizes:
        batch = (qs * (n // len(qs) + 1))[:n]
        ratios, ours_qps, raw_qps = [], [], []
        for r in range(rounds):
            runs = [("ours", lambda: adv.ask_many(batch)), ("raw", lambda: faiss_index.search(encode(floor, batch), K))]
            got = {}
            for name, fn in (runs if r % 2 == 0 else runs[::-1]):
                got[name] = n / (timed(fn) / 1000)
            ours_qps.append(round(got["ours"], 1))
            raw_qps.append(round(got["raw"], 1))
            ratios.append(round(got["ours"] / got["raw"], 3))
        rows.append({"batch": n, "ask_many_qps": ours_qps, "floor_qps": raw_qps, "ratios": ratios,
                     "ratio_median": round(statistics.median(ratios), 3)})
    return rows


def quality(int8_adv, fp32_adv) -> dict:
    """Crop of top-3, MRR and key facts with the int8 and with the fp32 encoder, per question set."""
    from agriadvisor.evaluation import evaluate, load_dataset

    sets = {"dev": DEVSET} | {name: path for name, (path, _) in HELDOUT_SETS.items() if path.exists()}
    out = {}
    for name, path in sets.items():
        items = [i for i in load_dataset(path) if i.outcome in (None, "answered")]
        row = {}
        for label, a in (("int8", int8_adv), ("fp32", fp32_adv)):
            m = evaluate(a, items, k=K).metrics
            row[label] = {k: m[k] for k in ("crop_at_3", "mrr", "fact_recall")}
        row["delta"] = {k: round(row["int8"][k] - row["fp32"][k], 4) for k in row["int8"]}
        row["questions"] = len(items)
        out[name] = row
    return out


def document_encoding(adv, models: dict, limit: int) -> dict:
    """Seconds each encoder takes for the corpus's chunk texts (most of an index build)."""
    texts = [c.search_text() for c in adv.index.chunks][:limit]
    return {name: round(timed(lambda m=m: encode(m, texts)) / 1000, 2) for name, m in models.items()} | {
        "texts": len(texts)}


def advisor_with(adv, encoder: str):
    """An Advisor with ``encoder``: the default one if it already uses it, else one on its own
    index beside the default index (built once, then reused)."""
    from agriadvisor import Advisor

    prefix = {"onnx": "onnx-fp32", "onnx-int8": "onnx-qint8", "torch": "torch"}[encoder]
    if adv.embedder.encoder.startswith(prefix):
        return adv
    path = Path(adv.settings.index_path).with_name(f"{Path(adv.settings.index_path).name}-{encoder}")
    return Advisor(adv.settings.model_copy(update={"index_path": path, "encoder": encoder})).warm_up()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer rounds and questions (smoke run)")
    args = ap.parse_args()
    from agriadvisor import Advisor

    t0 = time.perf_counter()
    adv = Advisor().warm_up()
    qs = heldout_questions()
    rounds = 2 if args.quick else 3
    res = {"machine": machine(), "chosen": adv.embedder.encoder, "heldout_questions": len(qs)}
    res["encoders"], models = encoders(adv, qs[:40] if args.quick else qs, rounds)
    fastest = min(res["encoders"], key=lambda n: res["encoders"][n]["one_p50_ms"])
    res["floor"] = fastest
    floor = models[fastest]
    for q in qs[:10]:
        adv.ask(q)
    res["ask"] = ask_vs_floor(adv, floor, qs[:60] if args.quick else qs, rounds)
    res["ask_many"] = ask_many_vs_floor(adv, floor, qs, (40, 1000), rounds)
    res["documents_s"] = document_encoding(adv, models, 200 if args.quick else 10_000)
    if any(n.startswith("onnx-qint8") for n in models):
        res["quality"] = quality(advisor_with(adv, "onnx-int8"), advisor_with(adv, "onnx"))
    res["peak_rss_mib"] = round(peak_rss_mib(), 1)
    res["wall_s"] = round(time.perf_counter() - t0, 1)
    md = render(res)
    write_report("encoder", res, md)
    print(md)


def render(res: dict) -> str:
    lines = [f"Machine: {res['machine']}; the advisor's encoder: `{res['chosen']}`; raw floor: `{res['floor']}` + "
             f"one FAISS search; {res['heldout_questions']} held-out questions (benchmarks/data/heldout*.jsonl).", "",
             "| encoder (sentence-transformers) | one question p50 ms | 40 questions, one batch ms | "
             "cosine to torch fp32 (min / mean) |", "| --- | --- | --- | --- |"]
    for name, e in res["encoders"].items():
        lines.append(f"| {name} | {e['one_p50_ms']} | {e['batch40_ms']} | {e['cos_min']} / {e['cos_mean']} |")
    a = res["ask"]
    lines += ["", "| round | ask p50 ms | floor p50 ms | ratio (target <= 1.15) |", "| --- | --- | --- | --- |"]
    for i, r in enumerate(a["rounds"], 1):
        lines.append(f"| {i} | {r['ask']['p50_ms']} | {r['floor']['p50_ms']} | {r['ratio']} |")
    lines += ["", "Where an answered question's time goes (p50 ms per step, from `Answer.timings_ms`): " + ", ".join(
        f"{k} {v}" for k, v in a["steps_p50_ms"].items()) + "."]
    lines += ["", "| batch | ask_many q/s (each round) | floor q/s | ratio (target >= 0.9) |", "| --- | --- | --- | --- |"]
    for r in res["ask_many"]:
        lines.append(f"| {r['batch']} | {r['ask_many_qps']} | {r['floor_qps']} | {r['ratios']} (median "
                     f"{r['ratio_median']}) |")
    lines += ["", "| set | questions | crop@3 int8 / fp32 | MRR int8 / fp32 | facts int8 / fp32 | "
              "largest change (allowed 0.005) |", "| --- | --- | --- | --- | --- | --- |"]
    for name, q in res.get("quality", {}).items():
        c, f = q["int8"], q["fp32"]
        worst = max(abs(v) for v in q["delta"].values())
        lines.append(f"| {name} | {q['questions']} | {c['crop_at_3']:.3f} / {f['crop_at_3']:.3f} | "
                     f"{c['mrr']:.3f} / {f['mrr']:.3f} | {c['fact_recall']:.3f} / {f['fact_recall']:.3f} | "
                     f"{worst:.4f} |")
    d = res["documents_s"]
    lines += ["", f"Document encoding, {d['texts']} chunk texts: " + ", ".join(
        f"{k} {v} s" for k, v in d.items() if k != "texts") + f". Peak RSS of this process {res['peak_rss_mib']} MiB "
              f"(four encoders loaded); whole run {res['wall_s']} s."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
