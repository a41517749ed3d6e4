"""Keep restricted pesticide advice out of the training data.

Call-centre answers are not reviewed and some recommend products that are banned, WHO class I
or restricted in the farmer's country. A model learns whatever it is shown, so a pair whose
answer names such a product (in a sentence that is not a warning against it) is dropped as
``restricted_pesticide``, by the same policy and matcher the output rails use at answer time.

Example:
    >>> screen = PesticideScreen.from_folder()                      # doctest: +SKIP
    >>> screen.restricted("Spray endosulfan on cotton.", "India")   # doctest: +SKIP
    ['endosulfan']
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from agriadvisor.finetune.data import NAMES_PESTICIDE
from agriadvisor.vocab import COUNTRIES

if TYPE_CHECKING:
    from agriadvisor.finetune.data import DataReport, QAPair
    from agriadvisor.safety.engine import GuardrailEngine


class PesticideScreen:
    """Finds the restricted active ingredients an answer recommends, country by country."""

    def __init__(self, engine: "GuardrailEngine") -> None:
        self.engine = engine

    @classmethod
    def from_folder(cls, folder: Path | str | None = None) -> "PesticideScreen":
        """The guardrail policies in ``folder`` (default: the bundled ``guardrails/``)."""
        from agriadvisor.config import Settings
        from agriadvisor.safety.engine import GuardrailEngine

        return cls(GuardrailEngine.from_folder(folder or Settings().guardrails_path))

    def restricted(self, answer: str, country: str | None) -> list[str]:
        """Actives named in ``answer`` that the output rails would drop for ``country`` (None: any)."""
        from agriadvisor.text import split_sentences

        country = country if country in COUNTRIES else None
        found_names: list[str] = []
        for sentence in split_sentences(answer.replace("\n", " ")) or [answer]:
            found = self.engine.book.find(sentence)
            if found.has("out:prohibition"):
                continue  # "do not use endosulfan" is the advice we want
            for span in found.spans:
                active = span.split(":", 1)[1] if span.startswith("active:") else None
                if active and active not in found_names and self.engine.pesticides.restrictions(active, country):
                    found_names.append(active)
        return found_names

    def screen(self, pairs: list["QAPair"], report: "DataReport") -> list["QAPair"]:
        """The pairs whose answers recommend nothing restricted; the others are dropped with a reason."""
        kept = []
        for pair in pairs:
            names = self.restricted(pair.answer, pair.country)
            if names:
                report.drop(pair.row, "restricted_pesticide")
                for name in names:
                    report.note(NAMES_PESTICIDE + name.replace("_", " "))
            else:
                kept.append(pair)
        return kept


__all__ = ["PesticideScreen"]
