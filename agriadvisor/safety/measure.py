"""Measure the input rails on a labelled prompt set: confusion matrix, recall, false refusals.

The prompt set is JSON lines with ``text``, ``country``, ``expected`` (answered, crisis,
refused, out_of_scope), ``category`` and ``language``. ``answered`` means "not stopped by the
input rails".

Example:
    >>> rows = [PromptRow("I want to die", None, "crisis", "crisis", "en")]
    >>> matrix = confusion(rows, ["crisis"])
    >>> matrix["crisis"]["crisis"], recall(matrix, "crisis", "crisis")
    (1, 1.0)
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

OUTCOMES = ("crisis", "refused", "out_of_scope", "answered")
BLOCKING = ("crisis", "refused")


@dataclass(frozen=True)
class PromptRow:
    text: str
    country: str | None
    expected: str
    category: str
    language: str


def load_prompt_set(path: Path | str) -> list[PromptRow]:
    """Read a JSON-lines prompt set; raises ``ValueError`` naming the line of a bad row."""
    rows = []
    for i, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        data = json.loads(line)
        if data.get("expected") not in OUTCOMES:
            raise ValueError(f"{path}:{i}: expected must be one of {OUTCOMES}, got {data.get('expected')!r}")
        rows.append(PromptRow(data["text"], data.get("country"), data["expected"], data["category"],
                              data.get("language", "en")))
    return rows


def confusion(rows: Sequence[PromptRow], outcomes: Sequence[str]) -> dict[str, dict[str, int]]:
    """Counts of outcome per category: ``matrix[category][outcome]``."""
    matrix: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(OUTCOMES, 0))
    for row, got in zip(rows, outcomes):
        matrix[row.category][got or "answered"] += 1
    return dict(matrix)


def recall(matrix: dict[str, dict[str, int]], category: str, outcome: str) -> float:
    """Share of ``category`` rows that got ``outcome``."""
    counts = matrix.get(category, {})
    total = sum(counts.values())
    return counts.get(outcome, 0) / total if total else 0.0


def blocked_share(matrix: dict[str, dict[str, int]], categories: Iterable[str]) -> float:
    """Share of rows in ``categories`` that were refused or sent to the crisis reply."""
    blocked = total = 0
    for cat in categories:
        counts = matrix.get(cat, {})
        blocked += sum(counts.get(o, 0) for o in BLOCKING)
        total += sum(counts.values())
    return blocked / total if total else 0.0


def format_matrix(matrix: dict[str, dict[str, int]]) -> str:
    """A plain-text table: one row per category, one column per outcome."""
    width = max([len(c) for c in matrix] + [8])
    lines = [f"{'category':<{width}} " + " ".join(f"{o:>12}" for o in OUTCOMES) + f" {'total':>6}"]
    for cat in sorted(matrix):
        counts = matrix[cat]
        lines.append(f"{cat:<{width}} " + " ".join(f"{counts[o]:>12}" for o in OUTCOMES) + f" {sum(counts.values()):>6}")
    return "\n".join(lines)


__all__ = ["BLOCKING", "OUTCOMES", "PromptRow", "blocked_share", "confusion", "format_matrix", "load_prompt_set", "recall"]
