"""Coverage of the corpus by country, crop, stage and topic."""

from __future__ import annotations

from agriadvisor.knowledge.schema import Corpus
from agriadvisor.vocab import COUNTRIES, CROPS, STAGES, TOPICS


def coverage(corpus: Corpus) -> dict[str, dict[str, dict[str, list[str]]]]:
    """``{country: {crop: {"stages": [...], "topics": [...]}}}`` in vocabulary order."""
    table: dict[str, dict[str, dict[str, set[str]]]] = {}
    for c in corpus.chunks:
        cell = table.setdefault(c.country, {}).setdefault(c.crop, {"stages": set(), "topics": set()})
        cell["stages"].add(c.stage)
        cell["topics"].update(c.topics)
    order_c = [*COUNTRIES, "all"]
    order_k = [*CROPS, "all"]
    return {
        country: {
            crop: {"stages": [s for s in STAGES if s in table[country][crop]["stages"]],
                   "topics": [t for t in TOPICS if t in table[country][crop]["topics"]]}
            for crop in order_k if crop in table[country]
        }
        for country in order_c if country in table
    }


def check_report(corpus: Corpus) -> dict:
    """The JSON report of ``agriadvisor knowledge check --json``."""
    return {
        "documents": len(corpus.documents),
        "chunks": len(corpus.chunks),
        "errors": [str(e) for e in corpus.errors],
        "coverage": coverage(corpus),
    }
