"""How a passage's sentences hang together: lead lines, list items and their continuations.

The knowledge loader writes each list item as its own line, after a line that ends with a colon
("In Nepal, wheat sowing time depends on the belt:"). A list item read alone can mislead, and a
second sentence of an item ("Sowing after mid-December lowers yield ...") reads wrongly without
the item's first sentence; :func:`needs` says which sentences must come along.

Example:
    >>> text = "Sowing depends on the belt:\\nTerai: November is best. Later sowing lowers yield.\\nHills: October."
    >>> sents = ["Sowing depends on the belt:", "Terai: November is best.", "Later sowing lowers yield.", "Hills: October."]
    >>> layout_of(text, tuple(sents)).needs(2)
    (0, 1)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from agriadvisor.text import split_sentences

# "Terai and inner Terai: ...", "**Boro, shorter varieties (e.g. BRRI dhan28):** ..." name the item they are
_LABEL = re.compile(r"^(?:\*\*)?[^:*]{1,90}:(?:\*\*)?\s")
ITEM_CHARS = 220  # a line this short after a lead line reads as a list item even without a label


@dataclass(frozen=True)
class Layout:
    """Per sentence: the sentence that starts its line (item head), and the lead line of its list."""

    head: tuple[int, ...]
    lead: tuple[int | None, ...]
    line: tuple[int, ...] = ()

    def needs(self, i: int) -> tuple[int, ...]:
        """The sentences ``i`` needs before it, in passage order (its lead line, its item's head)."""
        out: list[int] = []
        if self.lead[i] is not None:
            out.append(self.lead[i])  # type: ignore[arg-type]
        if self.head[i] != i:
            out.append(self.head[i])
        return tuple(out)

    def siblings(self, i: int) -> list[int]:
        """The item heads of the list ``i`` belongs to, in passage order (empty outside a list)."""
        lead = self.lead[i]
        if lead is None:
            return []
        return sorted({h for h, ld in zip(self.head, self.lead) if ld == lead})

    def same_line(self, i: int) -> list[int]:
        """The sentences of ``i``'s line (paragraph or list item)."""
        return self._lines[self.line[i]] if self.line else [i]

    @cached_property
    def _lines(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for j, ln in enumerate(self.line):
            out.setdefault(ln, []).append(j)
        return out


@lru_cache(maxsize=8192)
def layout_of(text: str, sentences: tuple[str, ...]) -> Layout:
    """The layout of a passage whose lines are ``text`` and whose sentences are ``sentences``.

    Falls back to "every sentence stands alone" when the sentences do not line up with the text
    (a user's document split another way).
    """
    heads: list[int] = []
    leads: list[int | None] = []
    lines: list[int] = []
    k, n_line = 0, 0
    lead: int | None = None
    for line in (ln for ln in text.split("\n") if ln.strip()):
        parts = split_sentences(line)
        if not parts:
            continue
        if sentences[k:k + len(parts)] != tuple(parts):
            return _standalone(len(sentences))
        # "Seed rate: ..." or "**Aman:** ..." is an item even without a lead line; its later sentences need it
        labelled = bool(_LABEL.match(line))
        is_item = labelled or (lead is not None and len(line) <= ITEM_CHARS)
        if not is_item:
            lead = None
        for j in range(len(parts)):
            heads.append(k if is_item else k + j)  # a paragraph's sentences stand alone; an item's do not
            leads.append(lead if is_item else None)
            lines.append(n_line)
        n_line += 1
        if parts[-1].rstrip().endswith(":"):
            lead = k + len(parts) - 1
        k += len(parts)
    if k != len(sentences):
        return _standalone(len(sentences))
    return Layout(tuple(heads), tuple(leads), tuple(lines))


def _standalone(n: int) -> Layout:
    return Layout(tuple(range(n)), (None,) * n, tuple(range(n)))


__all__ = ["Layout", "layout_of"]
