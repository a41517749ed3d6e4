"""The public data contract: what :meth:`Advisor.ask` returns.

These models cross the library's boundary (JSON over the CLI, webhooks, batch files), so
their field names are stable: outside checks and other packages rely on them.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from agriadvisor.vocab import Outcome


class Citation(BaseModel):
    """One piece of evidence behind an answer, numbered as ``[n]`` in :attr:`Answer.text`."""

    model_config = ConfigDict(frozen=True)

    n: int = Field(description="Number used in the answer text, starting at 1.")
    country: str
    crop: str
    stage: str
    title: str = Field(description="Document title, with the section heading.")
    source: str = Field(description="Institutions or publications behind the passage.")
    snippet: str = Field(description="The passage (or the sentences of it that were used).")
    score: float = Field(description="Relevance score; higher is better.")
    doc_id: str = ""
    chunk_id: str = ""
    topics: list[str] = Field(default_factory=list)
    practice: list[str] = Field(default_factory=list)


class NameMatch(BaseModel):
    """A brand or variety the question names, from knowledge/products.yaml or varieties.yaml."""

    kind: str = Field(description="'product', 'variety' or 'series' (an unlisted code of a known series).")
    name: str = Field(description="The brand or variety as listed (the code as written for a series).")
    written: str = Field(default="", description="The words of the question that matched.")
    actives: list[str] = Field(default_factory=list, description="Active ingredients of a product.")
    category: str | None = Field(default=None, description="insecticide, fungicide, herbicide, fertiliser ...")
    formulation: list[str] = Field(default_factory=list)
    controls: str = ""
    crop: str | None = None
    countries: list[str] = Field(default_factory=list)
    maturity: str = ""
    traits: list[str] = Field(default_factory=list)
    origin: str = Field(default="", description="File and entry, e.g. 'products.yaml: Regent'.")
    source: str = Field(default="", description="The registration list, label or release notice behind the entry.")


class QueryInfo(BaseModel):
    """What the advisor understood of the question; an app can show it back to the farmer."""

    text: str = Field(description="The question as asked.")
    normalized: str = Field(default="", description="Text after Unicode clean-up and glossary mapping.")
    language: str = Field(default="en", description="Detected language code (en, hi, bn, ur, ne, si, ta, or xx_latn).")
    script: str = Field(default="Latin")
    search_query: str = Field(default="", description="What was searched: the question, or for other languages an English gloss of what was understood.")
    country: str | None = None
    crop: str | None = None
    stage: str | None = None
    topics: list[str] = Field(default_factory=list)
    country_from: str | None = Field(default=None, description="Which source decided the country: 'argument', 'question', "
                                      "'context' (the conversation), 'channel' (the sender's phone code), 'default' "
                                      "(the deployment's), 'language', 'retrieval' (the best passage's guide) or None.")
    crop_from: str | None = None
    stage_from: str | None = None
    crops_mentioned: list[str] = Field(default_factory=list)
    countries_mentioned: list[str] = Field(default_factory=list)
    region: str | None = Field(default=None, description="Farming belt of a named place, e.g. 'Terai' for Chitwan, "
                                                       "'dry zone' for Anuradhapura.")
    terms: list[str] = Field(default_factory=list, description="Local words mapped to canonical names.")
    focus: list[str] = Field(default_factory=list, description="Pests, diseases and practices the question is about (canonical names).")
    notes: list[str] = Field(default_factory=list, description="Ambiguities and what was done about them.")
    answer_language: str = Field(default="en", description="The language the answer is wanted in: the one asked for "
                                 "with language=..., else the question's (hi for romanized Hindi).")
    answer_types: list[str] = Field(default_factory=list, description="Kinds of answer asked for: when, amount, "
                                    "variety, product, how, what (a cause or definition).")
    seasons: list[str] = Field(default_factory=list, description="Seasons the question names (aman, boro, maha, kharif ...).")
    names: list["NameMatch"] = Field(default_factory=list, description="Product brands and crop varieties named in the "
                                     "question, each with what it means and where that came from.")


class GuardrailHit(BaseModel):
    """A guardrail rule that fired on the question or the answer."""

    rule_id: str
    category: str
    action: str = Field(description="e.g. crisis, refuse, out_of_scope, drop_sentence, flag, add_note")
    detail: str = ""
    score: float | None = Field(default=None, description="The learned backstop's score, on its hits only.")


class Answer(BaseModel):
    """The advisor's reply to one question."""

    question: str
    outcome: Outcome
    text: str
    citations: list[Citation] = Field(default_factory=list)
    query: QueryInfo
    guardrails: list[GuardrailHit] = Field(default_factory=list)
    backend: str = "extractive"
    grounded: bool | None = Field(default=None, description="True when every sentence was checked against the evidence.")
    timings_ms: dict[str, float] = Field(default_factory=dict)
    language: str = Field(default="en", description="Language of `text` (en, hi, bn, ...): the one asked for, "
                                                    "else the question's, else English where no translation exists.")
    text_en: str = Field(default="", description="The answer in English, sentence-aligned with `text` and with the "
                                                 "same [n] markers; agronomists audit and fact-check this.")

    def to_json(self, **kwargs: object) -> str:
        """Serialise to JSON (UTF-8 characters kept as they are)."""
        return self.model_dump_json(**kwargs)  # type: ignore[arg-type]
