"""Training examples in exactly the prompt the backend writes at answer time.

Each pair becomes a :class:`~agriadvisor.backends.base.GenerationRequest` (the question, what was
understood of it, and its evidence: retrieved passages, the row's own context, or none), which
the same :func:`~agriadvisor.backends.prompting.pack_prompt` and prompt-format function the
backend uses turn into the prompt string. The model learns the answer tokens only; the prompt
tokens are masked out of the loss.

Example:
    >>> from agriadvisor.finetune.data import QAPair
    >>> pair = QAPair(row=1, question="When to sow wheat?", answer="In November [1].", context="Sow in November.")
    >>> [ev.chunk.text for ev in context_evidence(pair)]
    ['Sow in November.']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Sequence

from agriadvisor.backends.base import Evidence, GenerationRequest
from agriadvisor.backends.formats import renderer
from agriadvisor.backends.profiles import SpecialTokens
from agriadvisor.backends.prompting import PromptParts, TokenizerCounter, pack_prompt
from agriadvisor.errors import BackendError
from agriadvisor.knowledge.schema import Chunk
from agriadvisor.models import QueryInfo

if TYPE_CHECKING:
    from agriadvisor.finetune.data import QAPair

IGNORE = -100  # label value the loss skips
STOPS = {"mistral-inst": ["[INST]"], "alpaca": ["### Instruction:", "### Input:"], "aira": [], "krutrim": [],
         "chat-template": []}
_MARKER = re.compile(r"\[\d+\]")
# A sentence is cited when a passage holds at least 2 of its content words and 30% of them.
CITE_OVERLAP, CITE_MIN_WORDS = 0.3, 2


def resolve_prompt_format(requested: str, tokenizer: Any, base: str) -> str:
    """``auto``: Mistral-Instruct when the base is one (its template or name says [INST]), the
    tokenizer's own chat template when it ships one, else the Alpaca layout of base-model LoRAs."""
    if requested != "auto":
        return requested
    template = getattr(tokenizer, "chat_template", None) or ""
    if "[INST]" in template or ("mistral" in base.lower() and "instruct" in base.lower()):
        return "mistral-inst"
    return "chat-template" if template else "alpaca"


def special_tokens(tokenizer: Any) -> SpecialTokens:
    """The bos/eos strings a format writes, taken from the base model's tokenizer."""
    return SpecialTokens(bos=tokenizer.bos_token, eos=tokenizer.eos_token)


def context_evidence(pair: "QAPair") -> list[Evidence]:
    """The row's own context column as evidence [1], or nothing."""
    if not pair.context:
        return []
    chunk = Chunk(chunk_id=f"row-{pair.row}", doc_id=f"row-{pair.row}", title="Context", section="",
                  country=pair.country or "all", crop=pair.crop or "all", stage="whole_season", topics=(),
                  practice=(), sources=("training data",), text=pair.context)
    return [Evidence(n=1, chunk=chunk, similarity=1.0)]


def cite_answer(answer: str, evidence: Sequence[Evidence]) -> str:
    """Add ``[n]`` after each sentence that shares enough words with passage n (best match).

    Reference answers from call centres cite nothing; marking where their sentences come from
    teaches the model to cite. An answer that already cites is left as it is.
    """
    from agriadvisor.text import split_sentences, tokenize

    if not evidence or _MARKER.search(answer):
        return answer
    passages = [(ev.n, set(tokenize(ev.chunk.text))) for ev in evidence]
    out = []
    for line in answer.split("\n"):
        sentences = []
        for sentence in split_sentences(line) or [line]:
            words = set(tokenize(sentence))
            n, shared = max(((n, len(words & p)) for n, p in passages), key=lambda x: x[1])
            cited = shared >= CITE_MIN_WORDS and shared >= CITE_OVERLAP * len(words)
            sentences.append(f"{sentence} [{n}]" if cited else sentence)
        out.append(" ".join(sentences))
    return "\n".join(out)


@dataclass
class ExampleBuilder:
    """Turns a pair, its understood query and its evidence into token ids and loss labels."""

    tokenizer: Any
    prompt_format: str
    languages: Sequence[str]
    max_seq_length: int
    max_answer_tokens: int
    max_sentences: int = 7

    def __post_init__(self) -> None:
        self.render: Callable[[PromptParts], str] = renderer(self.prompt_format, special_tokens(self.tokenizer),
                                                             self.tokenizer)
        self.counter = TokenizerCounter(self.tokenizer)

    def request(self, pair: "QAPair", info: QueryInfo, evidence: list[Evidence]) -> GenerationRequest:
        """What the Advisor would ask the backend for this question."""
        return GenerationRequest(question=pair.question, query=info, evidence=evidence,
                                 max_sentences=self.max_sentences, max_new_tokens=self.max_answer_tokens)

    def prompt(self, request: GenerationRequest) -> str:
        """The prompt string, evidence packed into the budget the backend will use:
        context length (``max_seq_length``) minus the answer tokens (``max_answer_tokens``)."""
        budget = self.max_seq_length - self.max_answer_tokens
        return pack_prompt(request, self.render, self.counter, budget, languages=self.languages).text

    def encode(self, request: GenerationRequest, answer: str) -> dict[str, list[int]] | None:
        """``input_ids``, ``attention_mask`` and ``labels`` (prompt masked); ``None`` when over-long:
        the answer and its end token exceed ``max_answer_tokens``, or the question alone the prompt budget."""
        answer_ids = self.tokenizer(answer, add_special_tokens=False)["input_ids"]
        eos = [self.tokenizer.eos_token_id] if self.tokenizer.eos_token_id is not None else []
        if len(answer_ids) + len(eos) > self.max_answer_tokens:
            return None
        try:
            prompt = self.prompt(request)
        except BackendError:
            return None
        prompt_ids = self.tokenizer(prompt, add_special_tokens=False)["input_ids"]
        ids = prompt_ids + answer_ids + eos
        return {"input_ids": ids, "attention_mask": [1] * len(ids),
                "labels": [IGNORE] * len(prompt_ids) + answer_ids + eos}


def pad_batch(features: list[dict[str, list[int]]], pad_id: int) -> dict[str, Any]:
    """Right-pad a batch; padded labels are ignored, so a pad id equal to eos still teaches the eos."""
    import torch

    width = max(len(f["input_ids"]) for f in features)

    def column(name: str, fill: int) -> "torch.Tensor":
        return torch.tensor([f[name] + [fill] * (width - len(f[name])) for f in features], dtype=torch.long)

    return {"input_ids": column("input_ids", pad_id), "attention_mask": column("attention_mask", 0),
            "labels": column("labels", IGNORE)}


__all__ = ["ExampleBuilder", "IGNORE", "STOPS", "cite_answer", "context_evidence", "pad_batch",
           "resolve_prompt_format", "special_tokens"]
