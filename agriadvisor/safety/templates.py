"""Reply texts from templates.yaml and helplines.yaml, in the farmer's language.

Example:
    >>> texts = ReplyTexts(policies.templates, policies.helplines)  # doctest: +SKIP
    >>> print(texts.crisis("hi", "India"))                           # doctest: +SKIP
    मुझे बहुत दुख है ...
"""

from __future__ import annotations

from typing import Iterable, Sequence

from agriadvisor.safety.pesticides import Restriction
from agriadvisor.safety.policies import HelplinesFile, TemplatesFile
from agriadvisor.vocab import COUNTRIES

FALLBACK = "en"
# Romanized Urdu readers read romanized Hindi replies; other romanized forms fall back to English.
_LANGUAGE_ALIASES = {"ur_latn": "hi_latn"}


class _Defaults(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class ReplyTexts:
    """Builds every reply the rails give, localised where a translation exists."""

    def __init__(self, templates: TemplatesFile, helplines: HelplinesFile) -> None:
        self.langs = templates.languages
        self.helplines = helplines

    # ---- language -----------------------------------------------------------------------------
    def language(self, detected: str, hints: Iterable[str] = ()) -> str:
        """The template language: the detected one, else the language of the phrase that fired."""
        detected = _LANGUAGE_ALIASES.get(detected, detected)
        if detected in self.langs and detected != FALLBACK:
            return detected
        for hint in hints:
            hint = _LANGUAGE_ALIASES.get(hint, hint)
            if hint in self.langs:
                return hint
        return FALLBACK

    def text(self, key: str, lang: str, **fields: object) -> str:
        """Template ``key`` in ``lang`` (English when missing) with ``fields`` filled in."""
        table = self.langs.get(lang)  # type: ignore[call-overload]
        template = table.texts.get(key) if table else None
        if template is None:
            template = self.langs[FALLBACK].texts.get(key, "")  # type: ignore[index]
        return template.format_map(_Defaults(fields))

    def crop(self, crop: str, lang: str) -> str:
        table = self.langs.get(lang)  # type: ignore[call-overload]
        return (table.crops.get(crop) if table else None) or self.langs[FALLBACK].crops.get(crop, crop)  # type: ignore[index]

    def country(self, country: str, lang: str) -> str:
        table = self.langs.get(lang)  # type: ignore[call-overload]
        found = table.countries.get(country) if table else None
        return found or self.langs[FALLBACK].countries.get(country, country)  # type: ignore[index]

    def join(self, items: Sequence[str], lang: str) -> str:
        """'a, b and c' in ``lang``."""
        if len(items) <= 1:
            return "".join(items)
        sep = self.text("list_sep", lang) or ", "
        return sep.join(items[:-1]) + self.text("list_and", lang) + items[-1]

    # ---- replies ------------------------------------------------------------------------------
    def crisis(self, lang: str, country: str | None) -> str:
        """Supportive words, the helplines (all five countries when unknown), hospital, storage."""
        lines = [self.text("crisis_support", lang)]
        if country in COUNTRIES:
            lines += self._helplines_for(country, lang)
        else:
            lines.append(self.text("crisis_call", lang))
            for c in COUNTRIES:
                numbers = self._lines(c, ("mental_health",)) or self._lines(c, ("emergency",))
                lines += [f"- {self.country(c, lang)}: {entry}" for entry in numbers]
        lines += [self.text("crisis_hospital", lang), self.text("crisis_storage", lang)]
        return "\n".join(lines)

    def _helplines_for(self, country: str, lang: str) -> list[str]:
        support = self._lines(country, ("mental_health",))
        emergency = self._lines(country, ("emergency",))
        if support:
            return [self.text("crisis_call", lang), *(f"- {e}" for e in support + emergency)]
        out = [self.text("crisis_no_line", lang, country=self.country(country, lang))]
        return out + [f"- {e}" for e in emergency]

    def _lines(self, country: str, kinds: tuple[str, ...]) -> list[str]:
        entry = self.helplines.countries.get(country)  # type: ignore[call-overload]
        if entry is None:
            return []
        return [f"{line.name}: {' / '.join(line.numbers)}" for line in entry.lines
                if line.confirmed and line.numbers and line.kind in kinds]

    def refusal(self, kind: str, lang: str) -> str:
        return self.text("refused_harm" if kind == "harm" else "refused_injection", lang)

    def pesticide_refusal(self, lang: str, product: str, reasons: list[Restriction], country: str | None) -> str:
        status = self.text("status_join", lang).join(self._status(r, lang) for r in reasons)
        in_country = self.text("in_country", lang, country=self.country(country, lang)) if country in COUNTRIES else ""
        return self.text("refused_pesticide", lang, product=product, status=status, in_country=in_country)

    def _status(self, r: Restriction, lang: str) -> str:
        if r.kind == "banned":
            year = f", {r.year}" if r.year else ""
            return self.text("status_banned", lang, country=self.country(r.country, lang), instrument=r.instrument, year=year)
        if r.kind == "restricted":
            return self.text("status_restricted", lang, country=self.country(r.country, lang), instrument=r.instrument)
        if r.kind == "who":
            return self.text("status_who", lang, who_class=r.who_class)
        if r.kind == "banned_elsewhere":
            return self.text("status_banned_elsewhere", lang,
                             countries=self.join([self.country(c, lang) for c in r.countries], lang))
        return self.text(f"status_{r.kind}", lang)

    def out_of_scope(self, lang: str, reason: str | None, item: str, crops: Sequence[str],
                     countries: Sequence[str], *, refer: str | None = None, country: str | None = None) -> str:
        """Why it is not covered (when known), what is covered, and who covers it instead.

        ``refer`` (veterinary, fisheries, horticulture, extension) names the office to ask; the
        farmers' call centre of ``country`` (all that have one when unknown) is added when
        helplines.yaml has a confirmed number for it.
        """
        local_countries = self.join([self.country(c, lang) for c in countries], lang)
        first = {
            "crop": self.text("out_of_scope_crop", lang, item=item),
            "country": self.text("out_of_scope_country", lang, countries=local_countries),
            "topic": self.text("out_of_scope_topic", lang),
        }.get(reason or "", self.text("out_of_scope_unknown", lang))
        covered = self.text("out_of_scope_covered", lang, crops=self.join([self.crop(c, lang) for c in crops], lang),
                            countries=local_countries)
        if refer is None:
            return " ".join([first, covered, self.text("out_of_scope_contact", lang)])
        calls = self._call_centres(lang, country)
        return " ".join([first, covered, self.text(f"refer_{refer}", lang)] + (["; ".join(calls) + "."] if calls else []))

    def _call_centres(self, lang: str, country: str | None) -> list[str]:
        """'Farmers' call centre: 1800-180-1551' for the country, or for each country when unknown."""
        countries = [country] if country in COUNTRIES else list(COUNTRIES)
        out = []
        for c in countries:
            entry = self.helplines.countries.get(c)  # type: ignore[call-overload]
            for line in entry.lines if entry else []:
                if line.kind == "farmer_advice" and line.confirmed and line.numbers:
                    where = "" if c == country else f"{self.country(c, lang)}: "
                    out.append(where + self.text("refer_call", lang, name=line.name, number=" / ".join(line.numbers)))
        return out

    def safety_note(self, lang: str, *, bait: bool = False) -> str:
        return self.text("bait_note" if bait else "safety_note", lang)


__all__ = ["ReplyTexts"]
