"""Turn a raw question into :class:`~agriadvisor.models.QueryInfo`: what the farmer is asking about."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from agriadvisor.knowledge.glossary import Lexicon, TermHit, build_lexicon, load_glossary
from agriadvisor.models import QueryInfo
from agriadvisor.text import clean, phrase_index, tokenize
from agriadvisor.understanding.answer_type import answer_types
from agriadvisor.understanding.keywords import INTENT_CUES, STAGE_WORDS, TOPIC_CUES, TOPIC_WORDS
from agriadvisor.understanding.language import LANGUAGE_COUNTRY_HINT, detect_language
from agriadvisor.understanding.names import NameBook, apply_names, extend_query, without_named
from agriadvisor.understanding.season import named_seasons
from agriadvisor.understanding.setting import is_setting
from agriadvisor.understanding.stage import decide_stage, stage_votes, word_grams
from agriadvisor.vocab import COUNTRIES, CROPS, TOPICS, canonical_country, canonical_crop


_INTENT_INDEX = phrase_index(INTENT_CUES)
_TOPIC_INDEX = phrase_index(TOPIC_CUES)
_KIND_TOPIC = {"pest": "pests", "disease": "diseases"}


class QueryUnderstanding:
    """Detects language, country, crop, stage and topics; explicit arguments always win.

    Example:
        >>> qu = QueryUnderstanding.from_folder("knowledge")  # doctest: +SKIP
        >>> qu.run("dhan me tana chhedak", country="India").crop
        'rice'
    """

    def __init__(self, lexicon: Lexicon | None = None, names: NameBook | None = None) -> None:
        self.lexicon = lexicon or build_lexicon([], [])
        self.names = names or NameBook()

    @classmethod
    def from_folder(cls, root: Path | str) -> "QueryUnderstanding":
        entries, places, _errors = load_glossary(root)
        lexicon = build_lexicon(entries, places)
        known = [w for k in lexicon.exact for w in k.split() if not w.isascii()]
        return cls(lexicon, NameBook.from_folder(root, known=known))

    def run(self, question: str, *, country: str | None = None, crop: str | None = None,
            stage: str | None = None, context: dict[str, str | None] | None = None,
            default_country: str | None = None) -> QueryInfo:
        """Understand ``question``.

        ``context`` holds what the conversation remembers (``country``, ``crop``, ``stage``) and
        what the channel knows (``channel_country``, from the sender's phone code). The country
        comes from the argument, then the question, the conversation, the channel,
        ``default_country`` (the deployment's), and the question's language, in that order.
        """
        text = clean(question)
        all_tokens = tokenize(text, drop_stopwords=False)
        language, script = detect_language(text, all_tokens)
        hits = self.lexicon.find(all_tokens)
        if self.lexicon.places is not None:
            hits += self.lexicon.places.find_abbreviations(question)
        named = self.names.find(text, all_tokens)
        hits = without_named(hits, named)  # "PBW 621" is a wheat variety, not PBW (pink bollworm) 621
        info = QueryInfo(text=question, language=language, script=script,
                         terms=sorted({f"{h.term}->{h.canonical}" for h in hits if h.term.lower() != h.canonical.lower()}))
        info.focus = list(dict.fromkeys(h.canonical for h in hits if h.kind in ("pest", "disease", "practice")))
        scene = self._crop(info, hits, crop, context)
        self._country(info, hits, country, context, language, default_country)
        apply_names(info, named, crop_arg=crop, country_arg=country)
        info.region = next((h.region for h in hits if h.kind == "place" and h.region
                            and (info.country is None or info.country in h.countries)), None)
        self._stage_topics(info, hits, all_tokens, stage, context, scene=scene)
        info.answer_types = list(answer_types(text, all_tokens))
        if not info.answer_types and {"pests", "diseases"} & set(info.topics):
            info.answer_types = ["product"]  # a bare pest or disease name ("gulabi sundi") asks how to control it
        info.seasons = list(named_seasons(text, all_tokens))
        info.normalized = self._normalise(text, hits, info)
        if language != "en":
            info.search_query = self._english_gloss(all_tokens, hits, info) or info.normalized
        else:
            info.search_query = info.normalized
        extend_query(info)
        return info

    # ---- each field -----------------------------------------------------------------------
    @staticmethod
    def _crop(info: QueryInfo, hits: list[TermHit], crop: str | None, context: dict | None) -> bool:
        """Set the crop; True when another crop named only sets the scene ("soybean on rice bunds")."""
        scene: list[str] = []
        direct = [h.canonical for h in hits if h.kind == "crop" and h.canonical in CROPS]
        implied = [c for h in hits if h.kind in ("pest", "disease", "practice", "term") for c in h.crops if c in CROPS]
        info.crops_mentioned = list(dict.fromkeys(direct))
        if crop:
            info.crop, info.crop_from = canonical_crop(crop) or crop, "argument"
        elif direct:
            info.crop, info.crop_from = direct[0], "question"
            if len(info.crops_mentioned) > 1:
                scene = [c for c in info.crops_mentioned
                         if all(is_setting(info.text, h.term) for h in hits if h.kind == "crop" and h.canonical == c)]
                asked = [c for c in info.crops_mentioned if c not in scene]
                if asked and scene:
                    info.crop = asked[0]
                    info.notes.append(f"several crops named ({', '.join(info.crops_mentioned)}); answering for "
                                      f"{info.crop}, since {', '.join(scene)} is where or after what it is grown")
                else:
                    scene = []
                    info.notes.append(f"several crops named ({', '.join(info.crops_mentioned)}); answering for {info.crop} first")
        elif implied:
            counts = Counter(implied)
            best, n = counts.most_common(1)[0]
            if list(counts.values()).count(n) == 1:
                info.crop, info.crop_from = best, "question"
        if info.crop is None and context and context.get("crop"):
            info.crop, info.crop_from = context["crop"], "context"
        return bool(scene) and info.crop_from == "question"

    @staticmethod
    def _country(info: QueryInfo, hits: list[TermHit], country: str | None, context: dict | None, language: str,
                 default: str | None = None) -> None:
        places = [h for h in hits if h.kind == "place"]
        votes: Counter[str] = Counter()
        for h in places:
            for c in h.countries:
                votes[c] += 1.0 / len(h.countries)
        info.countries_mentioned = [c for c in COUNTRIES if votes.get(c)]
        if country:
            info.country, info.country_from = canonical_country(country) or country, "argument"
            return
        if votes:
            ranked = votes.most_common()
            if len(ranked) == 1 or ranked[0][1] > ranked[1][1]:
                info.country, info.country_from = ranked[0][0], "question"
            else:
                tied = [c for c, v in ranked if v == ranked[0][1]]
                hint = LANGUAGE_COUNTRY_HINT.get(language)
                if hint in tied:
                    info.country, info.country_from = hint, "question"
                    info.notes.append(f"place name fits {' and '.join(tied)}; chose {hint} from the language")
                else:
                    names = ", ".join(h.term for h in places)
                    info.notes.append(f"'{names}' could be in {' or '.join(tied)}; say which country for a precise answer")
        if info.country is None and context and context.get("country"):
            info.country, info.country_from = context["country"], "context"
        if info.country is None and context and context.get("channel_country"):
            info.country, info.country_from = context["channel_country"], "channel"
        if info.country is None and default:
            info.country, info.country_from = canonical_country(default) or default, "default"
        if info.country is None and not votes and language in LANGUAGE_COUNTRY_HINT:
            info.country, info.country_from = LANGUAGE_COUNTRY_HINT[language], "language"

    @staticmethod
    def _stage_topics(info: QueryInfo, hits: list[TermHit], tokens: list[str], stage: str | None, context: dict | None,
                      *, scene: bool = False) -> None:
        grams = word_grams(tokens)
        topics: dict[str, None] = {}
        for g in grams:
            if g in _TOPIC_INDEX:
                topics[_TOPIC_INDEX[g]] = None
        for h in hits:
            if h.kind in _KIND_TOPIC:
                topics[_KIND_TOPIC[h.kind]] = None
            if h.kind == "topic" and h.canonical in TOPICS:
                topics[h.canonical] = None
            if h.kind == "term" and h.topic in TOPICS:  # "बीज दर" (seed rate) is a term that means topic seed
                topics[h.topic] = None
        info.topics = [t for t in TOPICS if t in topics]
        inferred = decide_stage(stage_votes(info.text, grams, hits), info.topics, scene=scene)
        if stage:
            info.stage, info.stage_from = stage, "argument"
        elif inferred:
            info.stage, info.stage_from = inferred, "question"
        elif context and context.get("stage"):
            info.stage, info.stage_from = context["stage"], "context"

    @staticmethod
    def _english_gloss(tokens: list[str], hits: list[TermHit], info: QueryInfo) -> str:
        """An English rendering of what was understood, for the English embedder.

        Only built when the question is not in English; empty when nothing was recognised,
        so the caller falls back to the text itself.
        """
        words: list[str] = []
        for h in hits:
            if h.kind in ("crop", "pest", "disease", "practice") and h.canonical not in words:
                words.append(h.canonical)
        terms = [h.canonical for h in hits if h.kind == "term"]
        if not words and not info.topics and not terms:
            return ""
        intents = [_INTENT_INDEX[t] for t in tokens if t in _INTENT_INDEX]
        words += list(dict.fromkeys(intents))
        words += [t for t in dict.fromkeys(terms) if t not in words]
        words += [TOPIC_WORDS[t] for t in info.topics if TOPIC_WORDS.get(t)]
        if info.stage and STAGE_WORDS.get(info.stage):
            words.append(STAGE_WORDS[info.stage])
        if info.crop and info.crop not in words:
            words.insert(0, info.crop)
        if info.country:
            words.append(f"in {info.country}")
        latin = [t for t in tokens if t.isascii() and len(t) > 3 and t not in _INTENT_INDEX]
        return " ".join(dict.fromkeys(words + latin))

    @staticmethod
    def _normalise(text: str, hits: list[TermHit], info: QueryInfo) -> str:
        """The question with the understood canonical names appended, for English retrieval."""
        # an English farm word ("grain", "spraying") needs no English synonym appended
        extra = [h.canonical for h in hits if h.term.lower() != h.canonical.lower() and h.kind != "place"
                 and not (h.kind == "term" and h.term.isascii())]
        if info.crop and info.crop_from in ("argument", "context"):
            extra.append(info.crop)
        if info.country and info.country_from != "question":
            extra.append(info.country)
        extra = list(dict.fromkeys(e for e in extra if e.lower() not in text.lower()))
        return f"{text} ({', '.join(extra)})" if extra else text
