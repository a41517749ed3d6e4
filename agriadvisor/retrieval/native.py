"""Keyword search over the translated guides: a Hindi question matches Hindi words directly.

One BM25 index whose document i is every aligned translation of chunk i (Hindi and Bengali
words never collide), so its hits carry the same chunk ids as the English index and fuse into
the same ranking when set as ``HybridRetriever.native``. Built in memory from the translation
files, never saved: translations change without re-embedding.

Off by default, because it measured worse: while only some guides are translated, it pulls a
Bengali question about an untranslated crop towards the translated cross-cutting guides (dev set
MRR 1.0 -> 0.96 on the Hindi and Bengali questions, four questions lost their right guide at
rank 1; one held-out question gained). ``benchmarks/bench_language.py`` measures it again as
coverage grows.

Example:
    >>> native = NativeKeywords(index.chunks, translations)        # doctest: +SKIP
    >>> native.search(tokenize("धान में भूरा फुदका"), k=10, mask=None)  # doctest: +SKIP
    [(113, 7.2), ...]
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Sequence

from agriadvisor.text import tokenize

if TYPE_CHECKING:
    import numpy as np

    from agriadvisor.knowledge.schema import Chunk
    from agriadvisor.knowledge.translations import Translations


class NativeKeywords:
    """BM25 over the translations, aligned with the English chunk list."""

    def __init__(self, chunks: Sequence["Chunk"], translations: "Translations") -> None:
        self.size = len(chunks)
        docs: list[list[str]] = []
        self.covered = 0
        for c in chunks:
            words: list[str] = []
            for lang in translations.languages:
                sec = translations.get(c.chunk_id, lang)
                if sec is not None:
                    words += tokenize(f"{sec.heading}. {' '.join(sec.sentences)}")
            self.covered += bool(words)
            docs.append(words or ["_"])
        self._bm25 = None
        if self.covered:
            import bm25s

            logging.getLogger("bm25s").setLevel(logging.WARNING)
            self._bm25 = bm25s.BM25()
            self._bm25.index(docs, show_progress=False)

    def search(self, tokens: list[str], k: int, mask: "np.ndarray | None" = None) -> list[tuple[int, float]]:
        """Top-``k`` (chunk id, score) for a tokenised question; empty when no word matches."""
        import numpy as np

        if self._bm25 is None or not tokens:
            return []
        vocab = getattr(self._bm25, "vocab_dict", None)
        if vocab is not None:
            tokens = [t for t in tokens if t in vocab]
            if not tokens:
                return []
        weight = None if mask is None else mask.astype(np.float32)
        docs, scores = self._bm25.retrieve([tokens], k=min(k, self.size), show_progress=False, weight_mask=weight,
                                           n_threads=0)
        return [(int(d), float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]
