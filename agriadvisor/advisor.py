"""The pipeline: understand -> guard -> retrieve -> generate -> verify -> answer."""

from __future__ import annotations

import logging
import re
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from agriadvisor.answering.country_note import is_assumed, with_country_lead
from agriadvisor.answering.coverage import KnownWords, unsupported_reason
from agriadvisor.answering.names_note import add_name_lines
from agriadvisor.answering.plain import plain_text
from agriadvisor.backends.base import Backend, Evidence, GenerationRequest
from agriadvisor.config import Settings
from agriadvisor.errors import AgriAdvisorError, InputError
from agriadvisor.inputs import validate_context, validate_filters, validate_item, validate_question, validate_questions
from agriadvisor.models import Answer, Citation, GuardrailHit, QueryInfo
from agriadvisor.retrieval.retriever import ScoredChunk

if TYPE_CHECKING:
    import numpy as np

    from agriadvisor.index.embedder import Embedder
    from agriadvisor.index.store import KnowledgeIndex
    from agriadvisor.knowledge.translations import Translations
    from agriadvisor.retrieval.retriever import HybridRetriever
    from agriadvisor.safety.protocol import Rails
    from agriadvisor.understanding.query import QueryUnderstanding

log = logging.getLogger(__name__)

_MARKER = re.compile(r"\[(\d+)\]")
SNIPPET_CHARS = 320


class Advisor:
    """Answers farmers' questions from the knowledge base, with citations and guardrails.

    Example:
        >>> from agriadvisor import Advisor
        >>> adv = Advisor()                                   # embedded defaults
        >>> ans = adv.ask("When should I sow wheat?", country="Nepal")
        >>> ans.outcome, ans.citations[0].country
        ('answered', 'Nepal')

    Args:
        settings: a :class:`~agriadvisor.config.Settings`; by default read from the environment.
        backend: a backend name or instance; overrides ``settings.backend``.
        **overrides: individual settings, e.g. ``top_k=3``.
    """

    def __init__(self, settings: Settings | None = None, *, backend: str | Backend | None = None,
                 **overrides: Any) -> None:
        if settings is not None and overrides:
            settings = settings.model_copy(update=overrides)
        self.settings = settings or Settings(**overrides)
        self._backend_arg = backend
        self._backend: Backend | None = backend if isinstance(backend, Backend) else None
        self._index: KnowledgeIndex | None = None
        self._index_stamp: tuple[int, int, int] | None = None
        self._embedder: Embedder | None = None
        self._retriever: HybridRetriever | None = None
        self._understanding: QueryUnderstanding | None = None
        self._rails: Rails | None = None
        self._rails_loaded = False
        self._known_words: KnownWords | None = None
        self._translations: Translations | None = None
        self._chunk_pos: dict[str, int] = {}
        self._lock = threading.RLock()

    # ---- components, loaded on first use --------------------------------------------------
    @property
    def embedder(self) -> "Embedder":
        if self._embedder is None:
            from agriadvisor.index.embedder import Embedder

            self._embedder = Embedder.from_settings(self.settings)
        return self._embedder

    @property
    def index(self) -> "KnowledgeIndex":
        if self._index is None:
            with self._lock:
                if self._index is None:
                    from agriadvisor.index.builder import open_or_build

                    self._index = open_or_build(self.settings, self.embedder)
                    self._index_stamp = self._manifest_stamp()
        return self._index

    def _manifest_stamp(self) -> tuple[int, int, int] | None:
        try:
            st = (Path(self.settings.index_path) / "manifest.json").stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _pick_up_index_changes(self) -> None:
        """Re-read the index when another process saved a new one (``index add``/``remove``):
        the manifest is written last, so a changed manifest means a complete new index."""
        if self._index is not None and self._manifest_stamp() not in (self._index_stamp, None):
            log.info("the index at %s changed; reloading it", self.settings.index_path)
            self.reload_index()

    @property
    def retriever(self) -> "HybridRetriever":
        if self._retriever is None:
            from agriadvisor.retrieval.retriever import HybridRetriever

            reranker = None
            if self.settings.reranker_model:
                from agriadvisor.retrieval.reranker import CrossEncoderReranker

                reranker = CrossEncoderReranker(self.settings.reranker_model)
            self._retriever = HybridRetriever(self.index, candidates=self.settings.candidates,
                                              hybrid=self.settings.hybrid, reranker=reranker)
        return self._retriever

    @property
    def understanding(self) -> "QueryUnderstanding":
        if self._understanding is None:
            from agriadvisor.understanding.query import QueryUnderstanding

            self._understanding = QueryUnderstanding.from_folder(self.settings.knowledge_path)
        return self._understanding

    @property
    def rails(self) -> "Rails | None":
        if not self._rails_loaded:
            with self._lock:
                if self.settings.guardrails:
                    from agriadvisor.safety.engine import GuardrailEngine
                    from agriadvisor.safety.policies import load_policies
                    from agriadvisor.understanding.names import add_brands_to_rails

                    policies = load_policies(self.settings.guardrails_path)
                    add_brands_to_rails(policies, self.understanding.names.products)  # brand of a banned active
                    self._rails = GuardrailEngine(policies)
                self._rails_loaded = True
        return self._rails

    @property
    def backend(self) -> Backend:
        if self._backend is None:
            from agriadvisor.backends.registry import create_backend

            name = self._backend_arg if isinstance(self._backend_arg, str) else self.settings.backend
            self._backend = create_backend(name, self.settings)
        return self._backend

    def warm_up(self) -> "Advisor":
        """Load the index, embedder, guardrails and backend now (a server does this at start-up)."""
        self.embedder.encode(["warm up"])
        _ = self.retriever, self.understanding, self.rails, self.translations
        self.index.bm25  # noqa: B018 - loads the keyword index
        self.backend.warm_up()
        return self

    def reload_index(self) -> None:
        """Forget the in-memory index so the next question re-reads (or rebuilds) it.

        Not needed after ``agriadvisor index add``/``remove`` in another process: each question
        first checks the index manifest and reloads when it changed."""
        with self._lock:
            self._index = None
            self._retriever = None
            self._known_words = None
            self._translations = None
            self._native = None

    # ---- public API -----------------------------------------------------------------------
    def ask(self, question: str, country: str | None = None, crop: str | None = None, stage: str | None = None,
            *, sms: bool = False, context: Mapping[str, str | None] | None = None, top_k: int | None = None,
            language: str | None = None) -> Answer:
        """Answer one question. ``country``, ``crop`` and ``stage`` override what is inferred.

        ``language`` (en, hi, bn, ...) is the language of ``Answer.text``; by default the question's.
        ``context`` is what is already known about the farm, such as a chat bot's memory: a mapping
        ``{"country": "Nepal", "crop": "wheat", "stage": "sowing"}`` (any key may be left out). It
        fills in what the question does not say; the question's own words and the arguments win.

        Raises:
            InputError: the question is empty, too long, binary or not a string, a filter is
                unknown, or ``context`` is not such a mapping.
        """
        return self.ask_many([{"question": question, "country": country, "crop": crop, "stage": stage,
                               "context": context, "language": language}], sms=sms, top_k=top_k)[0]

    def ask_many(self, questions: Iterable[str | Mapping[str, Any]], *, country: str | None = None,
                 crop: str | None = None, sms: bool = False, top_k: int | None = None,
                 language: str | None = None) -> list[Answer]:
        """Answer many questions, embedding them all in one batch.

        Each item is a question string or a mapping with ``question`` and optional
        ``country``, ``crop``, ``stage``, ``context`` and ``language`` keys. Invalid items (an
        unknown key too) raise :class:`InputError` naming the item; nothing is answered in that
        case. A bare string is refused: pass a list.
        """
        questions = validate_questions(questions)
        self._pick_up_index_changes()
        items = [self._item(q, i, country, crop) for i, q in enumerate(questions)]
        wanted = [self._wanted_language(q, i, language) for i, q in enumerate(questions)]
        k = top_k or self.settings.top_k
        t0 = time.perf_counter()
        infos = [self.understanding.run(text, country=c, crop=cr, stage=st, context=ctx,
                                        default_country=self.settings.default_country or None)
                 for text, c, cr, st, ctx in items]
        for info, want in zip(infos, wanted):
            info.answer_language = self._answer_language(want, info)
        t_understand = (time.perf_counter() - t0) * 1000 / max(len(items), 1)
        answers: list[Answer | None] = [None] * len(items)
        pre_hits: list[list[GuardrailHit]] = [[] for _ in items]
        pending: list[int] = []
        for i, info in enumerate(infos):
            answers[i], pre_hits[i] = self._early_answer(info)
            if answers[i] is None:
                pending.append(i)
        if pending:
            t1 = time.perf_counter()
            qvecs = self.embedder.encode([infos[i].search_query or infos[i].text for i in pending])
            t_embed = (time.perf_counter() - t1) * 1000 / len(pending)
            t2 = time.perf_counter()
            hits = self.retriever.search([infos[i] for i in pending], qvecs, top_k=k)
            t_retrieve = (time.perf_counter() - t2) * 1000 / len(pending)
            for j, i in enumerate(pending):
                answers[i] = self._answer(infos[i], qvecs[j], hits[j], pre_hits[i], sms=sms)
                answers[i].timings_ms.update(understand=round(t_understand, 3), embed=round(t_embed, 3),
                                             retrieve=round(t_retrieve, 3))
        return [self._finish(self._in_language(a, infos[i], wanted[i])) for i, a in enumerate(answers) if a is not None]

    def retrieve(self, question: str, country: str | None = None, crop: str | None = None,
                 stage: str | None = None, *, top_k: int | None = None) -> list[Citation]:
        """The evidence passages for a question, without composing an answer."""
        self._pick_up_index_changes()
        text, c, cr, st, _ = self._item({"question": question, "country": country, "crop": crop, "stage": stage}, 0, None, None)
        info = self.understanding.run(text, country=c, crop=cr, stage=st)
        qvec = self.embedder.encode([info.search_query or info.text])
        hits = self.retriever.search([info], qvec, top_k=top_k or self.settings.top_k)[0]
        return [self._citation(n, h) for n, h in enumerate(hits, 1)]

    # ---- answer language ------------------------------------------------------------------
    @property
    def translations(self) -> "Translations":
        """Aligned translations of the guides the index holds (loaded once, on first use)."""
        if self._translations is None:
            from agriadvisor.knowledge.translations import load_translations

            index = self.index
            self._translations = load_translations(self.settings.knowledge_path, index.chunks, warnings=False)
            self._chunk_pos = {c.chunk_id: i for i, c in enumerate(index.chunks)}
        return self._translations

    @staticmethod
    def _wanted_language(q: str | Mapping[str, Any], i: int, default: str | None) -> str | None:
        wanted = q.get("language") if isinstance(q, Mapping) else None
        if wanted is None:
            return default
        from agriadvisor.answering.localise import answer_language

        try:
            return answer_language(wanted, "en")
        except InputError as exc:
            raise InputError(f"question {i + 1}: {exc}" if i else str(exc)) from None

    def _in_language(self, ans: Answer, info: QueryInfo, wanted: str | None) -> Answer:
        """Set ``language`` and ``text_en``; an answered question is put into the wanted language."""
        from agriadvisor.answering.localise import (answer_language, english_of, localise, text_language,
                                                    untranslated_note)
        from agriadvisor.knowledge.translations import Translations
        from agriadvisor.text import dominant_script

        if ans.outcome != "answered":
            ans.language = text_language(ans.text, info.language)
            ans.text_en = ans.text if ans.language == "en" else ""
            return ans
        target = answer_language(wanted, info.language)
        by_n = {c.n: c.chunk_id for c in ans.citations}

        def sentences_of(n: int) -> tuple[str, list[str]] | None:
            pos = self._chunk_pos.get(by_n.get(n, ""))
            return None if pos is None else (by_n[n], self.index.sentences[pos])

        if ans.backend != "extractive" and dominant_script(ans.text) != "Latin":
            # a model answered from evidence in the farmer's language: the English is what it copied
            ans.language = text_language(ans.text, target)
            ans.text_en = english_of(ans.text, ans.language, sentences_of, self.translations,
                                     self._fixed_lines("en")) or ""
            return ans
        ans.text_en = localise(ans.text, "en", lambda n: None, Translations(), self._fixed_lines("en")).text
        if target == "en":
            ans.text = ans.text_en
            return ans
        translations = self.translations

        done = localise(ans.text, target, sentences_of, translations, self._fixed_lines(target))
        ans.text, ans.language = done.text, done.language
        if done.untranslated:
            titles = [c.title for c in ans.citations if c.n in done.untranslated]
            ans.query.notes.append(untranslated_note(target, titles))
        return ans

    @staticmethod
    def _answer_language(wanted: str | None, info: QueryInfo) -> str:
        from agriadvisor.answering.localise import answer_language

        return answer_language(wanted, info.language)

    def _evidence_in(self, language: str, evidence: list[Evidence]) -> list[Evidence] | None:
        """The evidence with each passage's text in ``language`` where an aligned translation exists
        (sentence vectors stay those of the aligned English); None when none of it is translated."""
        from dataclasses import replace

        if language == "en":
            return None
        found = [self.translations.get(ev.chunk.chunk_id, language) for ev in evidence]
        if not any(found):
            return None
        return [ev if sec is None else replace(ev, chunk=replace(ev.chunk, text=" ".join(sec.sentences)),
                                               sentences=list(sec.sentences))
                for ev, sec in zip(evidence, found)]

    def _fixed_lines(self, language: str) -> dict[str, str]:
        """The guardrails' safety notes in every language, mapped to the note in ``language``."""
        texts = getattr(self.rails, "texts", None)
        if texts is None:
            return {}
        cache = self.__dict__.setdefault("_fixed_cache", {})
        if language not in cache:
            cache[language] = {texts.text(key, lang): texts.text(key, language)
                               for lang in texts.langs for key in ("safety_note", "bait_note")}
        return cache[language]

    # ---- steps ----------------------------------------------------------------------------
    def _item(self, q: str | Mapping[str, Any], i: int, country: str | None, crop: str | None) -> tuple:
        if isinstance(q, Mapping):
            try:
                validate_item(q)
            except InputError as exc:  # only ask_many gets mappings from callers: name the item
                raise InputError(f"question {i + 1}: {exc}") from None
            question, c, cr, st, ctx = q.get("question"), q.get("country"), q.get("crop"), q.get("stage"), q.get("context")
        else:
            question, c, cr, st, ctx = q, None, None, None, None
        try:
            text = validate_question(question, max_chars=self.settings.max_question_chars)
            c, cr, st = validate_filters(c or country, cr or crop, st)
            ctx = validate_context(ctx)
        except InputError as exc:
            raise InputError(f"question {i + 1}: {exc}" if i else str(exc)) from None
        return text, c, cr, st, ctx

    def _early_answer(self, info: QueryInfo) -> tuple[Answer | None, list[GuardrailHit]]:
        """Answers decided before retrieval: guardrails, and questions with nothing to look up."""
        rails = self.rails
        hits: list[GuardrailHit] = []
        if rails is not None:
            decision = rails.check_input(info)
            cover = getattr(rails, "cover", None)  # crops only the user's added documents cover (jute ...)
            if decision.outcome == "out_of_scope" and cover is not None:
                # only then is the index needed: a crisis or refusal never waits for it to load
                cover(self.index.crops)
                decision = rails.check_input(info)
            hits = decision.hits
            if decision.outcome == "out_of_scope":  # reword it with the crops and countries actually loaded
                return self._out_of_scope(info, hits), hits
            if decision.outcome:
                return Answer(question=info.text, outcome=decision.outcome, text=decision.text, query=info,
                              guardrails=hits, backend="guardrails"), hits
        if info.crop is not None and info.crop not in self.index.crops:
            info.notes.append(f"crop {info.crop!r} is not in the knowledge base")
            return self._out_of_scope(info, hits), hits
        if not any(ch.isalpha() for ch in info.text):
            info.notes.append("no words found in the question (only digits, symbols or emoji)")
            return self._out_of_scope(info, hits), hits
        return None, hits

    def _out_of_scope(self, info: QueryInfo, hits: list[GuardrailHit]) -> Answer:
        countries, crops = self.index.countries, self.index.crops
        if self.rails is not None:
            text = self.rails.out_of_scope_text(info, countries, crops)
        else:
            text = (f"Sorry, this is not covered. I give advice on {', '.join(crops)} "
                    f"in {', '.join(countries)}. Please contact your local agriculture extension office.")
        return Answer(question=info.text, outcome="out_of_scope", text=text, query=info, guardrails=hits, backend="none")

    def _answer(self, info: QueryInfo, qvec: "np.ndarray", hits: list[ScoredChunk], pre_hits: list[GuardrailHit],
                *, sms: bool) -> Answer:
        if not hits or max(h.similarity for h in hits) < self.settings.min_relevance:
            info.notes.append("nothing in the knowledge base is close enough to the question")
            return self._out_of_scope(info, pre_hits)
        hits = self._one_country(info, qvec, hits)
        evidence = [self._evidence(n, h) for n, h in enumerate(hits, 1)]
        reason = unsupported_reason(info.text, info.focus, evidence, self.known_words, language=info.language)
        if reason:
            info.notes.append(f"not covered: {reason}")
            return self._out_of_scope(info, pre_hits)
        request = en_request = GenerationRequest(question=info.text, query=info, evidence=evidence, query_vector=qvec,
                                                 sms=sms, max_sentences=self.settings.answer_sentences)
        local = None if self.backend.name == "extractive" else self._evidence_in(info.answer_language, evidence)
        if local is not None:  # a model writes the farmer's language from evidence in that language
            from dataclasses import replace

            request = replace(request, evidence=local, query=info.model_copy(update={"language": info.answer_language}))
        t0 = time.perf_counter()
        raw = self.backend.complete(request).strip()
        t_generate = (time.perf_counter() - t0) * 1000
        guard_hits = list(pre_hits)
        grounded: bool | None = None
        t1 = time.perf_counter()
        if self.rails is not None and raw:
            review = self.rails.check_output(raw, request.evidence, info, self.embedder.encode)
            raw, grounded = review.text, review.grounded
            guard_hits.extend(review.hits)
        t_verify = (time.perf_counter() - t1) * 1000
        backend_name = self.backend.name
        if self.rails is not None and backend_name != "extractive" and not self._usable(raw, info):
            # A small generator that echoes the question or cites nothing must not be shown as an
            # answer: the farmer gets the extractive answer from the same evidence instead.
            from agriadvisor.backends.extractive import ExtractiveBackend

            guard_hits.append(GuardrailHit(rule_id="output.fallback_extractive", category="grounding",
                                           action="fallback", detail=f"{backend_name} gave no supported, cited text"))
            raw, grounded, backend_name = ExtractiveBackend().complete(en_request).strip(), True, "extractive"
        if not raw:
            info.notes.append("the evidence did not support an answer")
            return self._out_of_scope(info, guard_hits)
        text, citations = self._renumber(raw, hits)
        return Answer(question=info.text, outcome="answered", text=text, citations=citations, query=info,
                      guardrails=guard_hits, backend=backend_name, grounded=grounded,
                      timings_ms={"generate": round(t_generate, 3), "verify": round(t_verify, 3)})

    def _one_country(self, info: QueryInfo, qvec: "np.ndarray", hits: list[ScoredChunk]) -> list[ScoredChunk]:
        """With no country known, answer from one country's guide: the best passage's (said in the answer)."""
        if info.country is not None or not hits:
            return hits
        country = next((h.chunk.country for h in hits if h.chunk.country != "all"), None)
        if country is None:
            return hits
        info.country, info.country_from = country, "retrieval"
        info.notes.append(f"no country given; answered from {country}'s guide (the closest match): "
                          "say your country for its own advice")
        return self.retriever.search([info], qvec.reshape(1, -1), top_k=len(hits))[0] or hits

    @property
    def known_words(self) -> KnownWords:
        """Words of the guides, the glossary and the embedder's English vocabulary (built once)."""
        if self._known_words is None:
            from agriadvisor.index.embedder import resolve_model_path

            texts = [c.text for c in self.index.chunks] + [f"{c.heading} {c.section}" for c in self.index.chunks]
            lexicon = self.understanding.lexicon
            texts += list(lexicon.exact) + (list(lexicon.places.exact) if lexicon.places is not None else [])
            texts += self.understanding.names.all_names()  # brands and varieties (products.yaml, varieties.yaml)
            try:
                lists = [resolve_model_path(self.settings.embedding_model or None) / "vocab.txt"]
            except AgriAdvisorError:
                lists = []
            self._known_words = KnownWords.from_texts(texts, word_lists=lists)
        return self._known_words

    @staticmethod
    def _finish(ans: Answer) -> Answer:
        """Plain text for the phone, and the guide's country first when the country was assumed."""
        if ans.outcome != "answered":
            return ans
        ans.text = plain_text(ans.text)
        english = getattr(ans, "text_en", "")
        if english:
            ans.text_en = plain_text(english)
        q = ans.query
        if q.country and is_assumed(q.country_from) and any(c.country == q.country for c in ans.citations):
            ans.text = with_country_lead(ans.text, q.country, getattr(ans, "language", "en") or "en")
            if english:
                ans.text_en = with_country_lead(ans.text_en, q.country)
        return add_name_lines(ans)  # what a brand or variety is; the crop assumed when none was named

    @staticmethod
    def _usable(text: str, info: QueryInfo) -> bool:
        """A generated answer is shown only if it cites evidence and says more than the question."""
        if not _MARKER.search(text):
            return False
        words = set(re.findall(r"\w+", _MARKER.sub(" ", text).lower()))
        asked = set(re.findall(r"\w+", info.text.lower()))
        return len(words - asked) >= 3

    def _evidence(self, n: int, hit: ScoredChunk) -> Evidence:
        sentences, vectors = self.index.chunk_sentences(hit.idx)
        return Evidence(n=n, chunk=hit.chunk, similarity=hit.similarity, sentences=sentences, sentence_vectors=vectors)

    def _renumber(self, text: str, hits: list[ScoredChunk]) -> tuple[str, list[Citation]]:
        """Keep only cited evidence, numbered 1.. in order of first citation."""
        order: list[int] = []
        for m in _MARKER.finditer(text):
            n = int(m.group(1))
            if 1 <= n <= len(hits) and n not in order:
                order.append(n)
        if not order:
            return text, [self._citation(n, h) for n, h in enumerate(hits, 1)]
        new = {old: i for i, old in enumerate(order, 1)}
        text = _MARKER.sub(lambda m: f"[{new[int(m.group(1))]}]" if int(m.group(1)) in new else "", text)
        return text, [self._citation(new[old], hits[old - 1]) for old in order]

    @staticmethod
    def _citation(n: int, hit: ScoredChunk) -> Citation:
        c = hit.chunk
        snippet = c.text if len(c.text) <= SNIPPET_CHARS else c.text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " ..."
        return Citation(n=n, country=c.country, crop=c.crop, stage=c.stage, title=c.heading, source=c.source,
                        snippet=snippet, score=round(hit.similarity, 4), doc_id=c.doc_id, chunk_id=c.chunk_id,
                        topics=list(c.topics), practice=list(c.practice))
