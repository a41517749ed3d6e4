"""Train the learned backstop from the labelled prompt sets and write ``guardrails/backstop.npz``.

Run from the repository root (scikit-learn is needed here only, not at run time)::

    python -m agriadvisor.safety.train_backstop            # writes guardrails/backstop.npz
    python -m agriadvisor.safety.train_backstop --out /tmp/backstop.npz

Training rows: every row of ``tests/data/guardrail_prompts.jsonl`` and the ``train`` rows of
``tests/data/distress_dev.jsonl``, ``tests/data/safe_lookalikes_dev.jsonl`` and
``tests/data/guardrail_train_more.jsonl`` (their ``test`` rows are held out for measuring), each with three seeded respellings of its Latin-script words
(vowel changes, z/j, sh/s, ph/f, doubled or dropped letters, joined words), so a spelling
alone never decides. Labels: ``distress`` (expected crisis) and ``harm`` (category harmful).
Each label's threshold is set from out-of-fold scores so that at most 0.5% of the rows
without that label would be flagged, never below the label's floor. The same data gives the same file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
from dataclasses import dataclass
from pathlib import Path

from agriadvisor.safety.backstop import FILENAME, N_FEATURES, features

TRAIN_FILES = ("tests/data/guardrail_prompts.jsonl", "tests/data/distress_dev.jsonl",
               "tests/data/safe_lookalikes_dev.jsonl", "tests/data/guardrail_train_more.jsonl")
LABELS = ("distress", "harm")
RESPELLINGS = 3
FOLDS = 5
MAX_FALSE_FLAGS = 0.005
# Floors measured on held-out rows and on the guides' own sentences (as agronomy-like text):
# harm at 0.5 refused rat-poison and weed questions (2 of 209 safe rows); distress at 0.55 flagged
# 49 guide sentences ('4.', 'life cycle'), at 0.65 six, while catching 66/80 and 77/116 held-out
# distress rows.
MIN_THRESHOLD = {"distress": 0.65, "harm": 0.6}
C = 4.0
_SWAPS = (("a", "e"), ("e", "a"), ("ee", "i"), ("i", "ee"), ("oo", "u"), ("u", "oo"), ("o", "u"), ("z", "j"),
          ("j", "z"), ("w", "v"), ("v", "w"), ("sh", "s"), ("s", "sh"), ("ph", "f"), ("f", "ph"), ("q", "k"),
          ("kh", "k"), ("aa", "a"), ("a", "aa"), ("i", "y"))
_VOWELS = "aeiou"


@dataclass(frozen=True)
class Example:
    text: str
    labels: tuple[int, ...]
    group: int


def load_rows(root: Path) -> list[dict]:
    """The training rows of the prompt sets (rows marked ``split: test`` are left out)."""
    rows = []
    for name in TRAIN_FILES:
        for line in (root / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if row.get("split", "train") != "test":
                    rows.append(row)
    return rows


def label_row(row: dict) -> tuple[int, ...]:
    return (int(row["expected"] == "crisis"), int(row["category"] == "harmful"))


def respell(text: str, rng: random.Random) -> str:
    """One plausible respelling of the Latin-script words of ``text``."""
    words: list[str] = []
    for word in text.split():
        if word.isascii() and len(word) > 3 and rng.random() < 0.6:
            word = _respell_word(word, rng)
        if words and len(word) <= 3 and word.isalpha() and rng.random() < 0.15:
            words[-1] += word
        else:
            words.append(word)
    return " ".join(words)


def _respell_word(word: str, rng: random.Random) -> str:
    op = rng.randrange(4)
    if op == 0:
        options = [(a, b) for a, b in _SWAPS if a in word]
        if options:
            a, b = options[rng.randrange(len(options))]
            at = word.find(a)
            return word[:at] + b + word[at + len(a):]
    i = rng.randrange(1, len(word))
    if op == 1:
        return word[:i] + word[i - 1] + word[i:]
    if op == 2 and word[i] in _VOWELS and i < len(word) - 1:
        return word[:i] + word[i + 1:]
    return word.replace(word[i - 1] * 2, word[i - 1]) if word[i - 1] * 2 in word else word


def examples(rows: list[dict]) -> list[Example]:
    """Each row and its seeded respellings, grouped by row so folds keep them together."""
    out = []
    for gi, row in enumerate(rows):
        labels = label_row(row)
        out.append(Example(row["text"], labels, gi))
        if any(c.isascii() and c.isalpha() for c in row["text"]):
            rng = random.Random(f"{gi}:{row['text']}")
            for _ in range(RESPELLINGS):
                out.append(Example(respell(row["text"], rng), labels, gi))
    return out


def matrix(texts: list[str]):
    """Binary hashed features, scaled to unit length (as :class:`Backstop` scores them)."""
    from scipy.sparse import csr_matrix

    indptr, indices, values = [0], [], []
    for text in texts:
        idx = features(text)
        indices.extend(idx)
        values.extend([1.0 / math.sqrt(len(idx))] * len(idx) if idx else [])
        indptr.append(len(indices))
    return csr_matrix((values, indices, indptr), shape=(len(texts), N_FEATURES), dtype="float64")


def _fit(x, y):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, solver="liblinear", max_iter=1000).fit(x, y)


def threshold(x, y, groups, floor: float) -> float:
    """The lowest threshold at which at most MAX_FALSE_FLAGS of out-of-fold negatives are flagged."""
    import numpy as np

    fold = np.asarray(groups) % FOLDS
    oof = np.zeros(len(y))
    for k in range(FOLDS):
        test = fold == k
        oof[test] = _fit(x[~test], y[~test]).predict_proba(x[test])[:, 1]
    negatives = np.sort(oof[np.asarray(y) == 0])[::-1]
    allowed = int(len(negatives) * MAX_FALSE_FLAGS)
    return round(max(floor, float(negatives[allowed]) + 1e-3), 4)


def train(root: Path) -> dict:
    """Fit one classifier per label; returns the arrays and metadata to save."""
    import numpy as np

    rows = load_rows(root)
    data = examples(rows)
    x = matrix([e.text for e in data])
    groups = [e.group for e in data]
    weights, bias, thresholds = [], [], []
    for j, label in enumerate(LABELS):
        y = np.array([e.labels[j] for e in data])
        model = _fit(x, y)
        weights.append(model.coef_[0].astype(np.float32))
        bias.append(float(model.intercept_[0]))
        thresholds.append(threshold(x, y, groups, MIN_THRESHOLD[label]))
    w = np.stack(weights, axis=1)
    rows_used = np.flatnonzero(np.abs(w).max(axis=1) > 0).astype(np.int32)
    meta = {"labels": list(LABELS), "thresholds": thresholds, "n_features": N_FEATURES,
            "training_rows": len(rows), "examples": len(data), "data_sha256": data_hash(rows),
            "trained_by": "python -m agriadvisor.safety.train_backstop"}
    return {"rows": rows_used, "weights": w[rows_used], "bias": np.array(bias, dtype=np.float32), "meta": meta}


def data_hash(rows: list[dict]) -> str:
    """A hash of the training rows, stored in the model so a stale model can be told apart."""
    blob = json.dumps([(r["text"], label_row(r)) for r in rows], ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def save(model: dict, out: Path) -> None:
    import numpy as np

    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, rows=model["rows"], weights=model["weights"], bias=model["bias"],
                        meta=np.array(json.dumps(model["meta"])))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root (holds tests/data)")
    parser.add_argument("--out", type=Path, default=None, help=f"output file (default: ROOT/guardrails/{FILENAME})")
    args = parser.parse_args(argv)
    out = args.out or args.root / "guardrails" / FILENAME
    model = train(args.root)
    save(model, out)
    meta = model["meta"]
    print(f"wrote {out}: {meta['training_rows']} rows, {meta['examples']} examples, "
          f"{len(model['rows'])} weighted features, thresholds {dict(zip(meta['labels'], meta['thresholds']))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
