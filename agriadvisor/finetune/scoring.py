"""Score a fine-tuned model on held-out pairs: ROUGE-L against the reference answers (the metric
Akṣara was reported with), plus the answer checks ``agriadvisor eval`` cares about: did it
answer, did it cite evidence that exists, how long and how fast.

Example:
    >>> round(rouge_l("Sow wheat in November.", "Sow wheat in early November.")["f"], 3)
    0.889
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any, Sequence

import regex

from agriadvisor.errors import MissingExtraError

if TYPE_CHECKING:
    from agriadvisor.backends.base import Backend, GenerationRequest

_MARKER = re.compile(r"\[(\d+)\]")
_TOKEN = regex.compile(r"[\w\p{M}]+")  # keeps Indic vowel signs inside words


class _UnicodeTokenizer:
    """rouge-score's default tokenizer drops every non-Latin letter; this one keeps all scripts."""

    def tokenize(self, text: str) -> list[str]:
        return _TOKEN.findall(_MARKER.sub(" ", text).lower())


def _scorer() -> Any:
    try:
        from rouge_score import rouge_scorer
    except ImportError as exc:
        raise MissingExtraError("scoring needs rouge-score: pip install 'agriadvisor[finetune]'") from exc
    return rouge_scorer.RougeScorer(["rougeL"], tokenizer=_UnicodeTokenizer())


def rouge_l(prediction: str, reference: str) -> dict[str, float]:
    """ROUGE-L precision, recall and F1 of ``prediction`` against ``reference``; citation markers ignored."""
    score = _scorer().score(reference, prediction)["rougeL"]
    return {"p": score.precision, "r": score.recall, "f": score.fmeasure}


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def score_answers(backend: "Backend", requests: Sequence["GenerationRequest"], references: Sequence[str],
                  *, progress: bool = False) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Generate an answer per request with ``backend`` and score it; returns (metrics, rows)."""
    from tqdm.auto import tqdm

    scorer = _scorer()
    rows: list[dict[str, Any]] = []
    for request, reference in tqdm(list(zip(requests, references)), desc="scoring held-out", disable=not progress,
                                   unit="q"):
        t0 = time.perf_counter()
        answer = backend.complete(request).strip()
        ms = (time.perf_counter() - t0) * 1000
        score = scorer.score(reference, answer)["rougeL"]
        cited = [int(n) for n in _MARKER.findall(answer)]
        rows.append({"question": request.question, "reference": reference, "answer": answer,
                     "rouge_l": score.fmeasure, "evidence": len(request.evidence), "citations": cited,
                     "bad_citations": [n for n in cited if not 1 <= n <= len(request.evidence)], "ms": ms})
    return summarise(rows), rows


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean ROUGE-L and the eval-style answer rates over scored rows."""
    with_evidence = [r for r in rows if r["evidence"]]
    ms = [r["ms"] for r in rows]
    return {
        "n": len(rows),
        "rouge_l": _mean([r["rouge_l"] for r in rows]),
        "answered": _mean([bool(r["answer"]) for r in rows]),
        "cites_evidence": _mean([bool(r["citations"]) and not r["bad_citations"] for r in with_evidence]),
        "bad_citation_rate": _mean([bool(r["bad_citations"]) for r in with_evidence]),
        "answer_chars_mean": _mean([len(r["answer"]) for r in rows]),
        "latency_p50_ms": _pct(ms, 0.5),
        "latency_p95_ms": _pct(ms, 0.95),
    }


__all__ = ["rouge_l", "score_answers", "summarise"]
