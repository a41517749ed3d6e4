"""Fit an :class:`~agriadvisor.models.Answer` into one channel's message: SMS segments or a WhatsApp message.

SMS is billed and split per segment, and the encoding decides the segment size: a message
written only with the GSM 03.38 alphabet packs 160 septets (153 per part when concatenated;
characters of the extension table such as ``{`` or ``€`` take two). One character outside that
alphabet, an Indic letter for instance, makes the whole message UCS-2: 70 UTF-16 units
(67 per part). The crisis reply is sent whole, however long it is.

Example:
    >>> sms_segments("When should I sow wheat?").segments
    1
    >>> sms_segments("गेहूं की बुवाई कब करें?").encoding
    'UCS-2'
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Literal

from agriadvisor.models import Answer, Citation

__all__ = ["ReplyFormatter", "SmsFormatter", "SmsInfo", "WhatsAppFormatter", "short_source", "sms_segments",
           "split_message", "to_gsm_friendly"]

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

# Typographic characters that would switch a Latin message to UCS-2 (halving its room) for nothing.
_GSM_FRIENDLY = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ", "\t": " ",
    "\u2026": "...", "\u2022": "-", "\u00b7": "-",
})

_SENTENCE_BREAK = re.compile(r"(?<=[\].!?।॥۔])\s+(?!\[)")
_MARKER = re.compile(r"\[(\d+)\]")
ELLIPSIS = "..."


@dataclass(frozen=True)
class SmsInfo:
    """How a text travels as SMS: its encoding, length in code units, and segment count."""

    encoding: Literal["GSM-7", "UCS-2"]
    units: int
    segments: int

    @property
    def single_limit(self) -> int:
        """Units in a message sent as one segment: 160 (GSM-7) or 70 (UCS-2)."""
        return 160 if self.encoding == "GSM-7" else 70

    @property
    def part_limit(self) -> int:
        """Units per segment of a concatenated message: 153 (GSM-7) or 67 (UCS-2)."""
        return 153 if self.encoding == "GSM-7" else 67


def _units(text: str) -> tuple[Literal["GSM-7", "UCS-2"], list[int]]:
    """Encoding of ``text`` and the size of each character in septets (GSM-7) or UTF-16 units."""
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        return "GSM-7", [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return "UCS-2", [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def sms_segments(text: str) -> SmsInfo:
    """Count the SMS segments ``text`` needs, the way a handset or gateway splits it.

    A two-unit character (a GSM escape pair or a UTF-16 surrogate pair) is never split across
    segments, so a concatenated segment may carry one unit less than its limit.
    """
    encoding, sizes = _units(text)
    total = sum(sizes)
    single, part = (160, 153) if encoding == "GSM-7" else (70, 67)
    if total <= single:
        return SmsInfo(encoding, total, 1 if text else 0)
    segments, used = 1, 0
    for size in sizes:
        if used + size > part:
            segments, used = segments + 1, 0
        used += size
    return SmsInfo(encoding, total, segments)


def to_gsm_friendly(text: str) -> str:
    """Replace curly quotes, dashes, odd spaces and the ellipsis character with GSM-7 ones."""
    return text.translate(_GSM_FRIENDLY)


def split_message(text: str, limit: int) -> list[str]:
    """Split ``text`` into parts of at most ``limit`` characters, at paragraph, line or word breaks."""
    if limit <= 0:
        raise ValueError(f"limit must be greater than 0, got {limit}")
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        cut = cut if cut > limit // 2 else limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def short_source(source: str, *, max_chars: int = 40) -> str:
    """A citation's source cut to its first institution, e.g. 'NARC National Wheat Research Program'."""
    name = re.split(r"[;,(:]", source, maxsplit=1)[0].strip() or source.strip()
    if len(name) > max_chars:
        name = name[:max_chars].rsplit(" ", 1)[0] + ELLIPSIS
    return name


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_BREAK.split(text.strip()) if s]


def _cited(text: str, citations: list[Citation]) -> list[Citation]:
    used = {int(n) for n in _MARKER.findall(text)}
    return [c for c in citations if c.n in used] if used else list(citations)


class ReplyFormatter(ABC):
    """Shared shape: keep whole leading sentences while the message fits, then add the footer."""

    separator = "\n\n"

    @abstractmethod
    def fits(self, text: str) -> bool:
        """Whether ``text`` fits in one reply on this channel."""

    @abstractmethod
    def sources(self, citations: list[Citation]) -> str:
        """The citations block for the cited passages."""

    def prepare(self, text: str) -> str:
        """Clean text for this channel before it is measured."""
        return text.strip()

    def format(self, answer: Answer, *, footer: str = "") -> str:
        """The reply for ``answer``; ``footer`` (e.g. what was remembered) is kept when it fits."""
        if answer.outcome == "crisis":  # safety text is sent whole, never shortened or decorated
            return answer.text.strip()
        body = self.prepare(answer.text)
        sentences = _sentences(body)
        for keep in range(len(sentences), 0, -1):
            msg = self._compose(" ".join(sentences[:keep]), answer.citations, footer)
            if self.fits(msg):
                return msg
        if footer:  # not even one sentence fits beside the footer: drop the footer, not the answer
            return self.format(answer)
        return self._cut(self._compose(sentences[0] if sentences else body, answer.citations, ""))

    def format_text(self, text: str) -> str:
        """A fixed message (help, confirmations), shortened only if it does not fit."""
        msg = self.prepare(text)
        return msg if self.fits(msg) else self._cut(msg)

    def _compose(self, body: str, citations: list[Citation], footer: str) -> str:
        parts = [body]
        cited = _cited(body, citations)
        if cited:
            parts.append(self.sources(cited))
        if footer:
            parts.append(self.prepare(footer))
        return self.separator.join(parts)

    def _cut(self, text: str) -> str:
        """Last resort: cut at a word boundary and mark the cut."""
        lo, hi = 0, len(text)
        while lo < hi:  # the longest prefix that fits, found by bisection
            mid = (lo + hi + 1) // 2
            if self.fits(text[:mid].rstrip() + ELLIPSIS):
                lo = mid
            else:
                hi = mid - 1
        cut = text[:lo]
        if " " in cut[len(cut) // 2:]:
            cut = cut.rsplit(" ", 1)[0]
        return cut.rstrip() + ELLIPSIS


class SmsFormatter(ReplyFormatter):
    """Plain-text replies that fit in ``max_segments`` SMS segments.

    Example:
        >>> fmt = SmsFormatter(max_segments=2)
        >>> sms_segments(fmt.format(answer)).segments <= 2  # doctest: +SKIP
        True
    """

    separator = "\n"

    def __init__(self, max_segments: int = 3) -> None:
        if max_segments <= 0:
            raise ValueError(f"max_segments must be greater than 0, got {max_segments}")
        self.max_segments = max_segments

    def fits(self, text: str) -> bool:
        """True when ``text`` needs at most ``max_segments`` segments."""
        return sms_segments(text).segments <= self.max_segments

    def prepare(self, text: str) -> str:
        """One-line spacing, and GSM-7 punctuation so that Latin text is not sent as UCS-2."""
        return to_gsm_friendly(re.sub(r"[ \t]+", " ", text.strip()))

    def sources(self, citations: list[Citation]) -> str:
        """``Src: [1,2] NARC National Wheat Research Program; [3] ...``: short names, numbers grouped."""
        groups: dict[str, list[int]] = {}
        for c in citations:
            groups.setdefault(to_gsm_friendly(short_source(c.source)), []).append(c.n)
        return "Src: " + "; ".join(f"[{','.join(map(str, ns))}] {name}" for name, ns in groups.items())


class WhatsAppFormatter(ReplyFormatter):
    """WhatsApp replies within ``max_chars`` (4096 on the Cloud API, 1600 through Twilio), lightly formatted."""

    def __init__(self, max_chars: int = 4096) -> None:
        if max_chars <= 0:
            raise ValueError(f"max_chars must be greater than 0, got {max_chars}")
        self.max_chars = max_chars

    def fits(self, text: str) -> bool:
        """True when ``text`` is at most ``max_chars`` characters."""
        return len(text) <= self.max_chars

    def sources(self, citations: list[Citation]) -> str:
        """A bold ``*Sources*`` heading, then one line per citation: title and source in italics."""
        lines = ["*Sources*"]
        for c in citations:
            title = c.title.replace("*", "")
            lines.append(f"[{c.n}] {title} - _{short_source(c.source, max_chars=60)}_")
        return "\n".join(lines)
