"""The embedded default: an answer built only from retrieved sentences, each cited."""

from __future__ import annotations

from typing import Iterator

from agriadvisor.answering.extractive import compose, pick_sentences
from agriadvisor.backends.base import Backend, BackendNeeds, GenerationRequest
from agriadvisor.errors import BackendError
from agriadvisor.understanding.season import region_key


class ExtractiveBackend(Backend):
    """Composes the answer from the most relevant evidence sentences, de-duplicated and in order.

    It never writes a word that is not in the evidence, needs no GPU, weights or network, and
    is the default wherever no generator is configured.
    """

    name = "extractive"
    needs = BackendNeeds(description="Evidence sentences, ranked and cited; no model beyond the embedder.")

    def generate(self, request: GenerationRequest) -> Iterator[str]:
        if request.query_vector is None:
            raise BackendError("the extractive backend needs the query vector of the question")
        limit = 2 if request.sms else request.max_sentences
        query = request.query.search_query or request.query.normalized or request.question
        if request.query.region:  # "Chitwan" -> prefer the passage's "Terai: ..." sentence
            query = f"{query} {request.query.region}"
        wanted = frozenset(request.query.seasons) | {k for k in [region_key(request.query.region)] if k}
        picked = pick_sentences(request.query_vector, query, request.evidence, limit=limit, focus=request.query.focus,
                                types=tuple(request.query.answer_types), wanted=wanted)
        text = compose(picked)
        if text:
            yield text
