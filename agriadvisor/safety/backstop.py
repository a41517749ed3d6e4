"""The learned backstop: a small linear classifier that flags distress (and harm requests) the
phrase rules miss.

It reads hashed features of the normalised question (character n-grams of each word, the
words, word pairs and the phonetic key of each word) and scores each label with its own
logistic regression, trained at build time by :mod:`agriadvisor.safety.train_backstop` and
shipped as plain arrays in ``guardrails/backstop.npz`` (no pickle, no model download). Scoring
needs only numpy; the file is read on first use.

Example:
    >>> backstop = Backstop(_default_path())
    >>> backstop.flag("what is the use of living, the cotton failed and the loan is too big")  # doctest: +SKIP
    [Flag(label='distress', score=0.97, threshold=0.71)]
"""

from __future__ import annotations

import json
import math
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from agriadvisor.errors import PolicyError
from agriadvisor.safety.normalise import normalise, phonetic_key

if TYPE_CHECKING:
    import numpy as np

FILENAME = "backstop.npz"
N_FEATURES = 1 << 18
NGRAMS = (3, 4, 5)


@dataclass(frozen=True)
class Flag:
    """A label whose score reached its threshold."""

    label: str
    score: float
    threshold: float


@lru_cache(maxsize=65536)
def _word_features(word: str) -> tuple[int, ...]:
    padded = f" {word} "
    grams = [padded[i:i + n] for n in NGRAMS for i in range(len(padded) - n + 1)]
    grams.append("w:" + word)
    if word.isascii():
        grams.append("k:" + phonetic_key(word))
    return tuple(zlib.crc32(g.encode("utf-8")) & (N_FEATURES - 1) for g in grams)


def features(text: str) -> list[int]:
    """The hashed feature indices of ``text`` (sorted, without repeats)."""
    tokens = normalise(text).tokens
    found: set[int] = set()
    for tok in tokens:
        found.update(_word_features(tok))
    for a, b in zip(tokens, tokens[1:]):
        found.add(zlib.crc32(f"b:{a} {b}".encode("utf-8")) & (N_FEATURES - 1))
    return sorted(found)


class Backstop:
    """Scores questions with the shipped classifier; the file is read on first use.

    Args:
        path: the ``backstop.npz`` written by the training script.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._model: tuple[np.ndarray, np.ndarray, list[str], list[float]] | None = None

    @property
    def labels(self) -> list[str]:
        return self._load()[2]

    def scores(self, text: str) -> dict[str, float]:
        """Probability of each label for ``text``."""
        weights, bias, labels, _ = self._load()
        idx = features(text)
        if not idx:
            return dict.fromkeys(labels, 0.0)
        z = weights[idx].sum(axis=0) / math.sqrt(len(idx)) + bias
        return {label: 1.0 / (1.0 + math.exp(-float(v))) for label, v in zip(labels, z)}

    def flag(self, text: str) -> list[Flag]:
        """The labels whose score reaches the shipped threshold, highest first."""
        _, _, labels, thresholds = self._load()
        scores = self.scores(text)
        flags = [Flag(lab, round(scores[lab], 3), thr) for lab, thr in zip(labels, thresholds) if scores[lab] >= thr]
        return sorted(flags, key=lambda f: -f.score)

    def _load(self) -> tuple[np.ndarray, np.ndarray, list[str], list[float]]:
        if self._model is None:
            self._model = load_arrays(self.path)
        return self._model


def load_arrays(path: Path) -> tuple[np.ndarray, np.ndarray, list[str], list[float]]:
    """Dense weights (features x labels), bias, labels and thresholds from ``path``."""
    import numpy as np

    if not path.is_file():
        raise PolicyError(f"backstop model {str(path)!r} is missing; run `python -m agriadvisor.safety.train_backstop`")
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        if meta.get("n_features") != N_FEATURES:
            raise PolicyError(f"{path}: built for {meta.get('n_features')} features, this code hashes {N_FEATURES}; retrain")
        weights = np.zeros((N_FEATURES, len(meta["labels"])), dtype=np.float32)
        weights[data["rows"]] = data["weights"]
        return weights, data["bias"].astype(np.float32), list(meta["labels"]), [float(t) for t in meta["thresholds"]]


def _default_path() -> Path:
    from agriadvisor.config import Settings

    return Settings().guardrails_path / FILENAME


__all__ = ["Backstop", "FILENAME", "Flag", "N_FEATURES", "features"]
