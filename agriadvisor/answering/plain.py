"""Plain text for phones, and Markdown back for apps that want it.

The guides mark list labels with Markdown emphasis (``**Boro, shorter varieties:**``). An SMS or
WhatsApp message shows the asterisks as they are, so :attr:`Answer.text` carries none;
:func:`to_markdown` puts emphasis back on the labels for an app that renders Markdown.

Example:
    >>> plain_text("**Boro, shorter varieties:** 60 kg N. [1]")
    'Boro, shorter varieties: 60 kg N. [1]'
    >>> to_markdown("Boro, shorter varieties: 60 kg N. [1]")
    '**Boro, shorter varieties:** 60 kg N. [1]'
"""

from __future__ import annotations

import re

_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![\w*\\])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])")
_LABEL = re.compile(r"(^|(?<=[.!?\]]\s))([^\s:.!?\[\]*][^:.!?\[\]*]{0,58}:)(?=\s)")


def plain_text(text: str) -> str:
    """``text`` without Markdown bold or italic markers; the words stay as they were."""
    if "*" not in text and "__" not in text:
        return text
    return _EMPHASIS.sub(r"\1", _STRONG.sub(r"\2", text))


def to_markdown(text: str) -> str:
    """Plain answer text with its list labels ("Seed rate:", "Terai and inner Terai:") in bold."""
    return _LABEL.sub(lambda m: f"{m.group(1)}**{m.group(2)}**", text)


__all__ = ["plain_text", "to_markdown"]
