"""Prompt formats: each a small pure function from :class:`PromptParts` to the exact string a
model was trained on. Tests pin every string.

Example:
    >>> from agriadvisor.backends.prompting import PromptParts
    >>> parts = PromptParts("Be brief.", "[1] Sow in November.", "When?")
    >>> print(mistral_inst(parts, bos="<s>"))
    <s>[INST] Be brief.
    <BLANKLINE>
    Evidence:
    [1] Sow in November.
    <BLANKLINE>
    Question: When?
    <BLANKLINE>
    Answer from the evidence above and cite it as [n]. [/INST]
"""

from __future__ import annotations

from typing import Any, Callable

from agriadvisor.backends.profiles import SpecialTokens
from agriadvisor.backends.prompting import PromptParts
from agriadvisor.errors import ConfigError

ALPACA_PREAMBLE = ("Below is an instruction that describes a task, paired with an input that provides "
                   "further context. Write a response that appropriately completes the request.")


def mistral_inst(parts: PromptParts, *, bos: str = "<s>") -> str:
    """Mistral-Instruct: no system role, so the instructions open the first user turn."""
    return f"{bos}[INST] {parts.instructions}\n\n{parts.user_text()} [/INST]"


def krutrim(parts: PromptParts, *, system: str = "<|SYSTEM|>", user: str = "<|USER|>",
            response: str = "<|RESPONSE|>") -> str:
    """Krutrim-1-instruct turns; the model ends its response with eos."""
    return f"{system} {parts.instructions}\n{user} {parts.user_text()}\n{response}"


def aira(parts: PromptParts, *, bos: str = "<|startofinstruction|>", sep: str = "<|endofinstruction|>") -> str:
    """Aira-2: bos + instruction + sep; the completion ends at ``<|endofcompletion|>``."""
    return f"{bos}{parts.instructions}\n\n{parts.user_text()}{sep}"


def alpaca(parts: PromptParts, *, bos: str = "") -> str:
    """Alpaca instruction / input / response, used by many LoRA fine-tunes of base models."""
    return (f"{bos}{ALPACA_PREAMBLE}\n\n### Instruction:\n{parts.instructions}\n\nQuestion: {parts.question}"
            f"\n\n### Input:\n{parts.evidence}\n\n### Response:\n")


def chat_messages(parts: PromptParts, *, system_role: bool = True) -> list[dict[str, str]]:
    """Chat messages for templates and chat APIs; without a system role, instructions fold into the user turn."""
    if system_role:
        return [{"role": "system", "content": parts.instructions}, {"role": "user", "content": parts.user_text()}]
    return [{"role": "user", "content": f"{parts.instructions}\n\n{parts.user_text()}"}]


def chat_template(parts: PromptParts, *, tokenizer: Any) -> str:
    """The tokenizer's own chat template (SmolLM2 and other models that ship one)."""
    if not getattr(tokenizer, "chat_template", None):
        raise ConfigError("the 'chat-template' prompt format needs a tokenizer that ships a chat template")
    return tokenizer.apply_chat_template(chat_messages(parts), tokenize=False, add_generation_prompt=True)


def renderer(name: str, tokens: SpecialTokens, tokenizer: Any = None) -> Callable[[PromptParts], str]:
    """The format function called ``name`` with a profile's special tokens bound in."""
    if name == "mistral-inst":
        return lambda p: mistral_inst(p, bos=tokens.bos or "")
    if name == "krutrim":
        return lambda p: krutrim(p, system=tokens.system, user=tokens.user, response=tokens.response)  # type: ignore[arg-type]
    if name == "aira":
        return lambda p: aira(p, bos=tokens.bos, sep=tokens.sep)  # type: ignore[arg-type]
    if name == "alpaca":
        return lambda p: alpaca(p, bos=tokens.bos or "")
    if name == "chat-template":
        return lambda p: chat_template(p, tokenizer=tokenizer)
    raise ConfigError(f"unknown prompt format {name!r}; available: {', '.join(FORMAT_NAMES)}")


FORMAT_NAMES = ("mistral-inst", "krutrim", "aira", "alpaca", "chat-template")

__all__ = ["FORMAT_NAMES", "aira", "alpaca", "chat_messages", "chat_template", "krutrim", "mistral_inst", "renderer"]
