"""The generation prompt every model backend shares, and evidence packing to a token budget.

The instructions say: answer only from the numbered evidence, cite it as ``[n]``, say plainly
when the evidence does not cover the question, stay short (shorter still for SMS) and answer in
the question's language when the model can. Evidence is packed by the model's own token count:
the lowest-ranked passages are dropped first, and only then is the best one truncated.

Example:
    >>> parts = PromptParts(instructions="Answer from the evidence.", evidence="[1] Sow in November.",
    ...                     question="When do I sow wheat?")
    >>> print(parts.user_text())
    Evidence:
    [1] Sow in November.
    <BLANKLINE>
    Question: When do I sow wheat?
    <BLANKLINE>
    Answer from the evidence above and cite it as [n].
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Protocol, Sequence

from agriadvisor.errors import BackendError

if TYPE_CHECKING:
    from agriadvisor.backends.base import Evidence, GenerationRequest

LANGUAGE_NAMES = {
    "en": "English", "hi": "Hindi", "bn": "Bengali", "ur": "Urdu", "ne": "Nepali", "si": "Sinhala",
    "ta": "Tamil", "te": "Telugu", "pa": "Punjabi", "gu": "Gujarati", "mr": "Marathi", "kn": "Kannada",
    "ml": "Malayalam", "or": "Odia", "as": "Assamese", "pt": "Portuguese", "uz": "Uzbek",
}
SMS_MAX_NEW_TOKENS = 96
NO_EVIDENCE = "(no evidence was found for this question)"
TRUNCATED = " ..."
REMINDER = "Answer from the evidence above and cite it as [n]."


class TokenCounter(Protocol):
    """Counts and cuts text in a model's tokens."""

    def count(self, text: str) -> int:
        """Number of tokens ``text`` takes, without special tokens added by the tokenizer."""

    def truncate(self, text: str, max_tokens: int) -> str:
        """The longest start of ``text`` that takes at most ``max_tokens`` tokens."""


class ApproximateCounter:
    """A conservative estimate for servers whose tokenizer we cannot run: UTF-8 bytes / 3.

    Latin text averages about four characters a token, so this over-counts English a little;
    Indic scripts take three bytes a character and about a token each, so it fits them too.
    """

    def __init__(self, bytes_per_token: float = 3.0) -> None:
        if bytes_per_token <= 0:
            raise ValueError(f"bytes_per_token must be greater than 0, got {bytes_per_token}")
        self.bytes_per_token = bytes_per_token

    def count(self, text: str) -> int:
        return math.ceil(len(text.encode("utf-8")) / self.bytes_per_token)

    def truncate(self, text: str, max_tokens: int) -> str:
        limit = int(max_tokens * self.bytes_per_token)
        return text.encode("utf-8")[:max(limit, 0)].decode("utf-8", errors="ignore")


class TokenizerCounter:
    """Counts with a Hugging Face tokenizer (the model's own)."""

    def __init__(self, tokenizer) -> None:  # noqa: ANN001 - any transformers tokenizer
        self.tokenizer = tokenizer

    def _ids(self, text: str) -> list[int]:
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def count(self, text: str) -> int:
        return len(self._ids(text))

    def truncate(self, text: str, max_tokens: int) -> str:
        ids = self._ids(text)[:max(max_tokens, 0)]
        return self.tokenizer.decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=False)


@dataclass(frozen=True)
class PromptParts:
    """The three pieces every prompt format arranges: instructions, evidence block, question."""

    instructions: str
    evidence: str
    question: str

    def user_text(self) -> str:
        """Evidence and question as one user turn, ending with a reminder small models need."""
        return f"Evidence:\n{self.evidence}\n\nQuestion: {self.question}\n\n{REMINDER}"


@dataclass(frozen=True)
class PackedPrompt:
    """The final prompt: its string, its parts, which evidence it kept and its size in tokens."""

    text: str
    parts: PromptParts
    kept: tuple[int, ...]
    truncated: bool
    tokens: int


def language_name(code: str) -> str:
    """``hi`` -> ``Hindi``; ``hi_latn`` -> ``Hindi written in Latin letters``."""
    base, _, script = code.partition("_")
    name = LANGUAGE_NAMES.get(base, base)
    return f"{name} written in Latin letters" if script == "latn" else name


def answer_language(code: str, languages: Sequence[str]) -> str:
    """The language to answer in: the question's when the model writes it, else the model's first."""
    base = code.partition("_")[0]
    if "*" in languages or base in languages:
        return language_name(code)
    return language_name(languages[0] if languages else "en")


def build_instructions(request: "GenerationRequest", languages: Sequence[str] = ("en",)) -> str:
    """The rules the model follows, adapted to SMS and to the question's language."""
    if request.sms:
        length = "The answer goes out by SMS: write at most 2 short sentences, under 300 characters."
    else:
        length = f"Keep the answer short: at most {request.max_sentences} sentences."
    return (
        "You are a crop advisor for smallholder farmers in South Asia. "
        "Answer the farmer's question using only the numbered evidence. "
        "After each sentence, cite the evidence it comes from as [n], for example [1]. "
        "If the evidence does not cover the question, say plainly that you do not have advice on it; "
        "do not guess and do not add facts from elsewhere. "
        f"{length} Answer in {answer_language(request.query.language, languages)}."
    )


def render_evidence(evidence: "Evidence", text: str | None = None) -> str:
    """One numbered passage with where it applies: ``[n] heading (country, crop, stage)`` then text."""
    c = evidence.chunk
    body = c.text if text is None else text
    return f"[{evidence.n}] {c.heading} ({c.country}, {c.crop}, {c.stage})\n{body.strip()}"


def evidence_block(items: Sequence[str]) -> str:
    """Passages separated by blank lines, or a note that there is none."""
    return "\n\n".join(items) if items else NO_EVIDENCE


def pack_prompt(request: "GenerationRequest", render: Callable[[PromptParts], str], counter: TokenCounter,
                budget: int, *, languages: Sequence[str] = ("en",)) -> PackedPrompt:
    """Fit the evidence into ``budget`` prompt tokens, counted on the whole rendered prompt.

    Keeps the best-ranked passages that fit whole; when not even the first fits, truncates it.

    Raises:
        BackendError: the instructions and question alone do not fit the budget.
    """
    instructions = build_instructions(request, languages)

    def build(items: list[str], numbers: tuple[int, ...] = (), truncated: bool = False) -> PackedPrompt:
        parts = PromptParts(instructions, evidence_block(items), request.question)
        text = render(parts)
        return PackedPrompt(text, parts, numbers, truncated, counter.count(text))

    best = build([])
    if best.tokens > budget:
        raise BackendError(f"the prompt without evidence takes {best.tokens} tokens, more than the budget of "
                           f"{budget}; raise the context length or shorten the question")
    kept: list[str] = []
    for ev in request.evidence:  # evidence arrives best-ranked first
        candidate = build(kept + [render_evidence(ev)], best.kept + (ev.n,))
        if candidate.tokens > budget:
            break
        kept.append(render_evidence(ev))
        best = candidate
    if kept or not request.evidence:
        return best
    return _truncated_first(request.evidence[0], build, counter, budget) or best


def _truncated_first(first: "Evidence", build: Callable[..., PackedPrompt], counter: TokenCounter,
                     budget: int) -> PackedPrompt | None:
    """Binary-search the longest start of the best passage that still fits."""
    lo, hi, best = 1, counter.count(first.chunk.text), None
    while lo <= hi:
        mid = (lo + hi) // 2
        cut = counter.truncate(first.chunk.text, mid).rstrip() + TRUNCATED
        candidate = build([render_evidence(first, cut)], (first.n,), True)
        if candidate.tokens <= budget:
            best, lo = candidate, mid + 1
        else:
            hi = mid - 1
    return best


__all__ = ["ApproximateCounter", "PackedPrompt", "PromptParts", "TokenCounter", "TokenizerCounter",
           "answer_language", "build_instructions", "evidence_block", "language_name", "pack_prompt",
           "render_evidence"]
