"""Stop strings for streamed text: emit only what can no longer turn into a stop string.

A stop string may arrive split across tokens (``"### Instr"`` then ``"uction:"``), so the end
of the text that could still be the start of a stop string is held back until the next piece
decides it. The emitted pieces always join to the full text cut at the first stop string, which
is what makes streaming and non-streaming answers identical.

Example:
    >>> m = StopMatcher(["###"])
    >>> m.feed("Sow in Nov #"), m.feed("Sow in Nov ##"), m.feed("Sow in Nov ### next")
    (('Sow in Nov ', False), ('', False), ('', True))
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Sequence

REPLACEMENT_CHAR = "\ufffd"


def cut_at_stop(text: str, stops: Iterable[str]) -> str:
    """``text`` up to the first occurrence of any stop string (the whole text if none occurs)."""
    found = [i for i in (text.find(s) for s in stops if s) if i >= 0]
    return text[:min(found)] if found else text


class StopMatcher:
    """Tracks the text emitted so far and decides what is safe to emit next."""

    def __init__(self, stops: Sequence[str]) -> None:
        self.stops = [s for s in stops if s]
        self.sent = 0
        self.stopped = False

    def _held(self, text: str) -> int:
        """Length of the longest end of ``text`` that is a proper start of some stop string."""
        best = 0
        for stop in self.stops:
            for k in range(min(len(stop) - 1, len(text)), best, -1):
                if text.endswith(stop[:k]):
                    best = k
                    break
        return best

    def feed(self, text: str) -> tuple[str, bool]:
        """Given the whole text so far, return the new safe piece and whether a stop string was hit."""
        if self.stopped:
            return "", True
        cut = cut_at_stop(text, self.stops)
        if len(cut) < len(text):
            self.stopped = True
            return self._advance(cut, len(cut)), True
        return self._advance(text, len(text) - self._held(text)), False

    def finish(self, text: str) -> str:
        """The rest of the text once generation has ended without a stop string."""
        return "" if self.stopped else self._advance(text, len(text))

    def _advance(self, text: str, end: int) -> str:
        if end <= self.sent:
            return ""
        piece, self.sent = text[self.sent:end], end
        return piece


def stop_at_strings(pieces: Iterable[str], stops: Sequence[str]) -> Iterator[str]:
    """Re-yield streamed text pieces, holding back what may become a stop string and ending at one.

    Shared by every backend whose server or library streams text (not token ids).
    """
    matcher, text = StopMatcher(stops), ""
    for piece in pieces:
        text += piece
        safe, stopped = matcher.feed(text)
        if safe:
            yield safe
        if stopped:
            return
    tail = matcher.finish(text)
    if tail:
        yield tail


class IncrementalDecoder:
    """Turns generated token ids into text pieces, honouring stop strings and split characters.

    The whole sequence is decoded each time (answers are a few hundred tokens), so the pieces
    are exactly the slices of the final decoded text.
    """

    def __init__(self, tokenizer: Any, stops: Sequence[str]) -> None:
        self.tokenizer = tokenizer
        self.ids: list[int] = []
        self.matcher = StopMatcher(stops)

    def text(self) -> str:
        return self.tokenizer.decode(self.ids, skip_special_tokens=True, clean_up_tokenization_spaces=False)

    def push(self, ids: Iterable[int]) -> tuple[str, bool]:
        """Add token ids; return the new safe text and whether a stop string was reached."""
        self.ids.extend(int(i) for i in ids)
        text = self.text()
        if text.endswith(REPLACEMENT_CHAR):  # a multi-byte character is still arriving
            text = text.rstrip(REPLACEMENT_CHAR)
        return self.matcher.feed(text)

    def finish(self) -> str:
        """What remains once generation has ended."""
        return self.matcher.finish(self.text())


__all__ = ["IncrementalDecoder", "StopMatcher", "cut_at_stop"]
