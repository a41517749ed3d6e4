"""Run a question set through an Advisor and compute retrieval and answer metrics."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agriadvisor.evaluation.dataset import EvalItem
from agriadvisor.vocab import CROPS

if TYPE_CHECKING:
    from agriadvisor.advisor import Advisor
    from agriadvisor.models import Answer

LATIN_LANGS = ("en",)


@dataclass
class EvalReport:
    """Metrics of one evaluation run; ``rows`` keeps every question's result for inspection."""

    metrics: dict[str, float | int | None]
    by_language: dict[str, dict[str, float | int | None]]
    outcomes: dict[str, dict[str, int]]
    rows: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"metrics": self.metrics, "by_language": self.by_language, "outcomes": self.outcomes}

    def table(self) -> str:
        """A Markdown table of the headline metrics and the per-language crop accuracy."""
        lines = ["| metric | value |", "| --- | --- |"]
        for k, v in self.metrics.items():
            lines.append(f"| {k} | {_fmt(v)} |")
        if self.by_language:
            lines += ["", "| language | n | crop@3 | country | fact recall |", "| --- | --- | --- | --- | --- |"]
            for lang, m in sorted(self.by_language.items()):
                lines.append(f"| {lang} | {m['n']} | {_fmt(m['crop_at_3'])} | {_fmt(m['country_right'])} "
                             f"| {_fmt(m['fact_recall'])} |")
        lines += ["", "| expected \\ got | " + " | ".join(_OUT) + " |", "| --- " * (len(_OUT) + 1) + "|"]
        for exp in _OUT:
            row = self.outcomes.get(exp, {})
            lines.append(f"| {exp} | " + " | ".join(str(row.get(g, 0)) for g in _OUT) + " |")
        return "\n".join(lines)


_OUT = ("answered", "refused", "out_of_scope", "crisis")


def _fmt(v: object) -> str:
    return "-" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))


def _ratio(hits: list[bool]) -> float | None:
    return sum(hits) / len(hits) if hits else None


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def _score(item: EvalItem, ans: "Answer", k: int) -> dict:
    cites = ans.citations[:k]
    row: dict = {"id": item.id, "question": item.question, "language": item.language or ans.query.language,
                 "outcome": ans.outcome, "expected_outcome": item.outcome or "answered",
                 "understood_crop": ans.query.crop, "understood_country": ans.query.country,
                 "expected_crop": item.crop, "expected_country": item.country, "answer": ans.text,
                 "citations": [{"n": c.n, "title": c.title, "country": c.country, "crop": c.crop, "source": c.source}
                               for c in ans.citations]}
    if item.crop and ans.outcome == "answered" and cites:
        row["crop_at_3"] = all(c.crop in (item.crop, "all") for c in cites[:3]) and any(c.crop == item.crop for c in cites[:3])
        relevant = [i for i, c in enumerate(cites) if c.crop == item.crop and
                    (item.country is None or c.country == item.country)]
        row["hit_at_k"] = bool(relevant)
        row["rr"] = 1.0 / (relevant[0] + 1) if relevant else 0.0
    if ans.outcome == "answered" and row["language"].split("_")[0] not in ("en", ""):
        # Hindi, Bengali ...: was the answer in the question's language (romanized Hindi -> hi)?
        row["answer_language"] = ans.language
        row["in_language"] = ans.language == row["language"].split("_")[0]
    if item.country and ans.outcome == "answered":
        row["country_right"] = ans.query.country == item.country and (not cites or cites[0].country in (item.country, "all"))
    if item.facts:
        text = (ans.text_en or ans.text).lower()  # facts are English: checked on the aligned English
        # a fact counts only in an answer built from the labelled country's guides (or cross-cutting ones)
        usable = ans.outcome == "answered" and _from_country(ans, item.country)
        found = [f for f in item.facts if usable and f.lower() in text]
        row["fact_recall"] = len(found) / len(item.facts)
        row["missed_facts"] = [f for f in item.facts if f not in found]
        if ans.outcome == "answered" and not usable:
            row["facts_not_counted"] = f"the answer cites guides from outside {item.country}"
    return row


def _from_country(ans: "Answer", country: str | None) -> bool:
    return country is None or all(c.country in (country, "all") for c in ans.citations)


def evaluate(advisor: "Advisor", items: list[EvalItem], *, k: int = 4, batch_size: int = 32,
             with_labels: bool = False) -> EvalReport:
    """Ask every question and compute recall@k, MRR, crop/country accuracy, fact recall,
    outcome accuracy and latency percentiles.

    Args:
        with_labels: pass each question's labelled country and crop to ``ask`` (what an app that
            knows the farmer's country and crop would do); crop and country accuracy then only
            check the citations.

    Loading the index and model (``warm_up``, and one untimed question) is timed apart, as
    ``warm_up_ms``, and kept out of the per-question latency.
    """
    t0 = time.perf_counter()
    advisor.warm_up()
    if items:
        advisor.ask(items[0].question, top_k=k)
    warm_up_ms = (time.perf_counter() - t0) * 1000
    rows: list[dict] = []
    per_q_ms: list[float] = []
    for item in items:  # latency of single questions, as a user sees it
        labels = _labels(item) if with_labels else {}
        t0 = time.perf_counter()
        ans = advisor.ask(item.question, top_k=k, **labels)
        per_q_ms.append((time.perf_counter() - t0) * 1000)
        rows.append(_score(item, ans, k) | {"latency_ms": round(per_q_ms[-1], 3), "labels_given": bool(labels)})
    metrics = _summarise(rows)
    metrics.update(latency_p50_ms=_pct(per_q_ms, 0.5), latency_p95_ms=_pct(per_q_ms, 0.95),
                   latency_mean_ms=sum(per_q_ms) / len(per_q_ms) if per_q_ms else None,
                   warm_up_ms=round(warm_up_ms, 3))
    by_lang: dict[str, dict] = {}
    for lang in sorted({r["language"] for r in rows}):
        by_lang[lang] = _summarise([r for r in rows if r["language"] == lang])
    outcomes: dict[str, Counter] = {}
    for r in rows:
        outcomes.setdefault(r["expected_outcome"], Counter())[r["outcome"]] += 1
    return EvalReport(metrics, by_lang, {k: dict(v) for k, v in outcomes.items()}, rows)


def _labels(item: EvalItem) -> dict[str, str]:
    """The labelled country and crop, as ``ask`` arguments (a crop outside the nine is left out)."""
    labels = {"country": item.country, "crop": item.crop if item.crop in CROPS else None}
    return {k: v for k, v in labels.items() if v}


def _summarise(rows: list[dict]) -> dict:
    def col(name: str) -> list:
        return [r[name] for r in rows if name in r]

    return {
        "n": len(rows),
        "outcome_accuracy": _ratio([r["outcome"] == r["expected_outcome"] for r in rows]),
        "crop_at_3": _ratio(col("crop_at_3")),
        "recall_at_k": _ratio(col("hit_at_k")),
        "mrr": (sum(col("rr")) / len(col("rr"))) if col("rr") else None,
        "country_right": _ratio(col("country_right")),
        "fact_recall": (sum(col("fact_recall")) / len(col("fact_recall"))) if col("fact_recall") else None,
        "in_language": _ratio(col("in_language")),
    }
