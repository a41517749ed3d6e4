"""What the Advisor understands of each training question, and (with ``--with-evidence``) the
passages it would retrieve for it: the same steps ``Advisor.ask`` runs before generating.

Example:
    >>> reader = QuestionReader(Advisor())                          # doctest: +SKIP
    >>> infos, evidence = reader.read(pairs, retrieve=True, k=3)    # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from agriadvisor.backends.base import Evidence
from agriadvisor.finetune.prompts import context_evidence
from agriadvisor.models import QueryInfo

if TYPE_CHECKING:
    from agriadvisor.advisor import Advisor
    from agriadvisor.finetune.data import QAPair

BATCH = 64  # questions embedded and searched together


class QuestionReader:
    """Understands questions with an Advisor's own components and retrieves their evidence."""

    def __init__(self, advisor: "Advisor") -> None:
        self.advisor = advisor

    def understand(self, pair: "QAPair") -> QueryInfo:
        """Language, country, crop and stage as the Advisor reads them; the row's own values win."""
        info = self.advisor.understanding.run(pair.question, country=pair.country, crop=pair.crop)
        if pair.language:
            info.language = pair.language
        return info

    def read(self, pairs: Sequence["QAPair"], *, retrieve: bool, k: int) -> tuple[list[QueryInfo], list[list[Evidence]]]:
        """Each pair's understood query and evidence: retrieved passages, else its context column, else none."""
        infos = [self.understand(p) for p in pairs]
        if not retrieve:
            return infos, [context_evidence(p) for p in pairs]
        evidence: list[list[Evidence]] = []
        for start in range(0, len(pairs), BATCH):
            batch = infos[start:start + BATCH]
            vectors = self.advisor.embedder.encode([i.search_query or i.text for i in batch])
            hits = self.advisor.retriever.search(batch, vectors, top_k=k)
            for found in hits:
                evidence.append([Evidence(n=n, chunk=h.chunk, similarity=h.similarity) for n, h in enumerate(found, 1)])
        return infos, evidence


__all__ = ["QuestionReader"]
