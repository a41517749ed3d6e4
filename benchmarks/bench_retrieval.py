"""Side by side in one process: raw floor, the textbook LangChain retrieval, and agriadvisor.

Run: .venv/bin/python benchmarks/bench_retrieval.py [--quick]
Writes benchmarks/results/retrieval.{md,json}.

- Raw floor: sentence-transformers encode (the best encoder here, e.g. ONNX int8) + one FAISS
  search, nothing else.
- LangChain baseline: langchain-community FAISS + HuggingFaceEmbeddings over the same chunks and
  the same MiniLM model; the "answer" is the first sentences of the top passages, as many as
  agriadvisor's extractive answer may use (Settings.answer_sentences), so fact recall compares
  answers of the same length budget.
- agriadvisor: Advisor.ask / Advisor.ask_many with the default (extractive) backend and guardrails.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DEVSET, HELDOUT_SETS, machine, questions, summary_ms, timed, write_report  # noqa: E402

K = 4


def make_advisor(index_path: Path | None = None):
    from agriadvisor import Advisor
    from agriadvisor.config import Settings

    kw = {"index_path": index_path} if index_path else {}
    return Advisor(Settings(**kw)).warm_up()


def raw_floor(adv):
    """The floor is what a user would write: sentence-transformers itself with the best encoder on
    this machine (the ONNX int8 or fp32 export the advisor chose, or PyTorch), then one FAISS search.
    Returns (one question, a batch of questions)."""
    from bench_encoder import sentence_transformer

    model = sentence_transformer(adv.embedder.variant)
    faiss_index = adv.index.faiss

    def one(q: str) -> None:
        v = model.encode([q], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        faiss_index.search(v, K)

    def batch(qs: list[str]) -> None:
        v = model.encode(qs, batch_size=64, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        faiss_index.search(v, K)

    return one, batch


def interleaved(pipelines: dict[str, Callable[[str], object]], qs: list[str], rounds: int = 2) -> dict[str, list[float]]:
    """Per-question latency of each pipeline, taking turns question by question (and rotating who
    goes first), so a noisy neighbour or a CPU frequency change hurts all of them alike."""
    names = list(pipelines)
    out: dict[str, list[float]] = {n: [] for n in names}
    for r in range(rounds):
        for i, q in enumerate(qs):
            k = (i + r) % len(names)
            for name in names[k:] + names[:k]:
                out[name].append(timed(lambda q=q, f=pipelines[name]: f(q)))
    return out


def throughput(fn: Callable[[list[str]], object], qs: list[str]) -> float:
    t0 = time.perf_counter()
    fn(qs)
    return round(len(qs) / (time.perf_counter() - t0), 2)


def langchain_store(adv):
    from langchain_community.vectorstores import FAISS
    from langchain_huggingface import HuggingFaceEmbeddings

    from agriadvisor.index.embedder import bundled_model_path

    emb = HuggingFaceEmbeddings(model_name=str(bundled_model_path()), model_kwargs={"device": "cpu"},
                                encode_kwargs={"normalize_embeddings": True})
    chunks = adv.index.chunks
    t0 = time.perf_counter()
    store = FAISS.from_texts([c.search_text() for c in chunks], emb,
                             metadatas=[{"crop": c.crop, "country": c.country, "text": c.text} for c in chunks])
    return store, time.perf_counter() - t0


ANSWER_SENTENCES = 6  # set from Settings.answer_sentences in main()


def langchain_answer(store, q: str) -> tuple[str, list[dict]]:
    from agriadvisor.text import split_sentences

    docs = store.similarity_search(q, k=K)
    sents = [s for d in docs for s in split_sentences(d.metadata["text"])][:ANSWER_SENTENCES]
    return " ".join(sents), [d.metadata for d in docs]


def langchain_batch(store, qs: list[str]) -> None:
    vecs = store.embeddings.embed_documents(qs)
    for v in vecs:
        store.similarity_search_by_vector(v, k=K)


def quality(adv, store, dataset: Path = DEVSET) -> dict:
    """Crop of top-3 and fact recall on a question set, scored the same way for both pipelines."""
    from agriadvisor.evaluation import evaluate, load_dataset

    items = [i for i in load_dataset(dataset) if i.outcome in (None, "answered")]
    ours = evaluate(adv, items, k=K).metrics
    crop_ok, facts = [], []
    for it in items:
        text, metas = langchain_answer(store, it.question)
        crops = [m["crop"] for m in metas[:3]]
        crop_ok.append(all(c in (it.crop, "all") for c in crops) and it.crop in crops)
        if it.facts:
            facts.append(sum(f.lower() in text.lower() for f in it.facts) / len(it.facts))
    return {"agriadvisor": {"crop_at_3": ours["crop_at_3"], "fact_recall": ours["fact_recall"],
                            "country_right": ours["country_right"]},
            "langchain": {"crop_at_3": sum(crop_ok) / len(crop_ok), "fact_recall": sum(facts) / len(facts)},
            "questions": len(items)}


def scale(adv, qs: list[str], factors: tuple[int, ...]) -> list[dict]:
    """Latency as the corpus grows: synthetic copies of every chunk (vectors jittered)."""
    import numpy as np

    from agriadvisor.index.store import KnowledgeIndex, _make_faiss
    from agriadvisor.retrieval.retriever import HybridRetriever
    from dataclasses import replace

    base = adv.index
    vecs = base.faiss.reconstruct_n(0, len(base))
    rows = []
    rng = np.random.default_rng(0)
    for f in factors:
        chunks = [replace(c, chunk_id=f"{c.chunk_id}~{i}") for i in range(f) for c in base.chunks]
        big = np.vstack([vecs] + [vecs + rng.normal(0, 0.01, vecs.shape).astype("float32") for _ in range(f - 1)])
        big /= np.linalg.norm(big, axis=1, keepdims=True)
        sent_owner = np.concatenate([base.sentence_chunk + i * len(base) for i in range(f)])
        idx = KnowledgeIndex(chunks, _make_faiss(big), base.sentences * f, np.tile(base.sentence_vectors, (f, 1)),
                             sent_owner, base.manifest)
        _ = idx.bm25
        saved = adv._index, adv._retriever
        adv._index, adv._retriever = idx, HybridRetriever(idx, candidates=adv.settings.candidates)
        try:
            sample = qs[:60]
            ours = [timed(lambda q=q: adv.ask(q)) for q in sample]
            raw = [timed(lambda q=q: idx.faiss.search(adv.embedder.encode([q]), K)) for q in sample]
        finally:
            adv._index, adv._retriever = saved
        rows.append({"factor": f, "chunks": len(chunks), "ask": summary_ms(ours), "raw": summary_ms(raw)})
    return rows


def batches(adv, qs: list[str], sizes: tuple[int, ...]) -> list[dict]:
    rows = []
    for n in sizes:
        batch = (qs * (n // len(qs) + 1))[:n]
        t0 = time.perf_counter()
        adv.ask_many(batch)
        ours = n / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        adv.index.faiss.search(adv.embedder.encode(batch), K)
        raw = n / (time.perf_counter() - t0)
        rows.append({"batch": n, "ask_many_qps": round(ours, 2), "raw_qps": round(raw, 2), "ratio": round(ours / raw, 3)})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer questions and scales (smoke run)")
    args = ap.parse_args()
    qs = questions(limit_kcc=40 if args.quick else 300)
    if args.quick:
        qs = qs[:80]
    adv = make_advisor()
    for q in qs[:10]:  # warm caches of every pipeline equally
        adv.ask(q)
    store, lc_build_s = langchain_store(adv)
    for q in qs[:10]:
        langchain_answer(store, q)
    global ANSWER_SENTENCES
    ANSWER_SENTENCES = adv.settings.answer_sentences
    raw_one, raw_batch = raw_floor(adv)
    result = {"machine": machine(), "questions": len(qs)}
    lat = interleaved({"raw": raw_one, "langchain": lambda q: langchain_answer(store, q), "agriadvisor": adv.ask}, qs)
    result["raw"] = {"latency": summary_ms(lat["raw"]), "batch_qps": throughput(raw_batch, qs)}
    result["langchain"] = {"latency": summary_ms(lat["langchain"]),
                           "batch_qps": throughput(lambda b: langchain_batch(store, b), qs),
                           "index_build_s": round(lc_build_s, 2)}
    result["agriadvisor"] = {"latency": summary_ms(lat["agriadvisor"]), "batch_qps": throughput(adv.ask_many, qs)}
    result["quality"] = quality(adv, store)
    result["quality_heldout"] = {name: quality(adv, store, path) | {"about": about}
                                 for name, (path, about) in HELDOUT_SETS.items() if path.exists()}
    result["scale"] = scale(adv, qs, (1, 10) if args.quick else (1, 10, 100))
    result["batches"] = batches(adv, qs, (1, 32, 200) if args.quick else (1, 32, 1000))
    r, lc, us = result["raw"], result["langchain"], result["agriadvisor"]
    result["ratios"] = {
        "ask_p50_vs_raw": round(us["latency"]["p50_ms"] / r["latency"]["p50_ms"], 3),
        "ask_many_qps_vs_raw_batch": round(us["batch_qps"] / r["batch_qps"], 3),
        "ask_p50_vs_langchain": round(us["latency"]["p50_ms"] / lc["latency"]["p50_ms"], 3),
    }
    write_report("retrieval", result, render(result))
    print(render(result))


def render(res: dict) -> str:
    q = res["quality"]
    lines = [f"Machine: {res['machine']}; {res['questions']} questions (dev set + Kisan Call Centre queries).", "",
             "| pipeline | p50 ms | p95 ms | batch q/s | crop@3 | fact recall |", "| --- | --- | --- | --- | --- | --- |"]
    for name, key in (("raw floor (encode + FAISS)", "raw"), ("LangChain FAISS baseline", "langchain"),
                      ("agriadvisor ask / ask_many", "agriadvisor")):
        lat = res[key]["latency"]
        qual = q.get(key, {})
        lines.append(f"| {name} | {lat['p50_ms']} | {lat['p95_ms']} | {res[key]['batch_qps']} | "
                     f"{_f(qual.get('crop_at_3'))} | {_f(qual.get('fact_recall'))} |")
    if res.get("quality_heldout"):
        lines += ["", "Question sets written apart from the dev set (same scoring for both pipelines):", "",
                  "| set | questions | agriadvisor crop@3 | agriadvisor facts | LangChain crop@3 | LangChain facts | "
                  "how blind |", "| --- | --- | --- | --- | --- | --- | --- |"]
        for name, h in res["quality_heldout"].items():
            if "agriadvisor" not in h:  # an older single-set report
                continue
            lines.append(f"| {name} | {h['questions']} | {_f(h['agriadvisor']['crop_at_3'])} | "
                         f"{_f(h['agriadvisor']['fact_recall'])} | {_f(h['langchain']['crop_at_3'])} | "
                         f"{_f(h['langchain']['fact_recall'])} | {h.get('about', '')} |")
    lines += ["", "Ratios: " + ", ".join(f"{k} = {v}" for k, v in res["ratios"].items()), "",
              "| corpus | chunks | ask p50 ms | raw p50 ms |", "| --- | --- | --- | --- |"]
    for row in res["scale"]:
        lines.append(f"| {row['factor']}x | {row['chunks']} | {row['ask']['p50_ms']} | {row['raw']['p50_ms']} |")
    lines += ["", "| batch | ask_many q/s | raw q/s | ratio |", "| --- | --- | --- | --- |"]
    for row in res["batches"]:
        lines.append(f"| {row['batch']} | {row['ask_many_qps']} | {row['raw_qps']} | {row['ratio']} |")
    return "\n".join(lines) + "\n"


def _f(v: object) -> str:
    return "-" if v is None else f"{v:.3f}"


if __name__ == "__main__":
    main()
