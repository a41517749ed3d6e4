"""Every prompt format produces exactly the string its model was trained on."""

from __future__ import annotations

import pytest

from agriadvisor.backends.formats import aira, alpaca, chat_messages, chat_template, krutrim, mistral_inst, renderer
from agriadvisor.backends.profiles import SpecialTokens
from agriadvisor.backends.prompting import PromptParts
from agriadvisor.errors import ConfigError

PARTS = PromptParts(instructions="RULES.", evidence="[1] Sow in November.", question="When to sow?")
USER = "Evidence:\n[1] Sow in November.\n\nQuestion: When to sow?\n\nAnswer from the evidence above and cite it as [n]."


def test_mistral_inst_folds_instructions_into_the_first_user_turn() -> None:
    assert mistral_inst(PARTS, bos="<s>") == (
        "<s>[INST] RULES.\n\nEvidence:\n[1] Sow in November.\n\nQuestion: When to sow?\n\n"
        "Answer from the evidence above and cite it as [n]. [/INST]")


def test_krutrim_turns() -> None:
    assert krutrim(PARTS) == (
        "<|SYSTEM|> RULES.\n<|USER|> Evidence:\n[1] Sow in November.\n\nQuestion: When to sow?\n\n"
        "Answer from the evidence above and cite it as [n].\n<|RESPONSE|>")


def test_aira_is_bos_question_sep() -> None:
    assert aira(PARTS) == (
        "<|startofinstruction|>RULES.\n\nEvidence:\n[1] Sow in November.\n\nQuestion: When to sow?\n\n"
        "Answer from the evidence above and cite it as [n].<|endofinstruction|>")


def test_alpaca_instruction_input_response() -> None:
    assert alpaca(PARTS, bos="<s>") == (
        "<s>Below is an instruction that describes a task, paired with an input that provides further context. "
        "Write a response that appropriately completes the request.\n\n"
        "### Instruction:\nRULES.\n\nQuestion: When to sow?\n\n"
        "### Input:\n[1] Sow in November.\n\n"
        "### Response:\n")


def test_chat_messages_with_and_without_a_system_role() -> None:
    assert chat_messages(PARTS) == [{"role": "system", "content": "RULES."}, {"role": "user", "content": USER}]
    assert chat_messages(PARTS, system_role=False) == [{"role": "user", "content": "RULES.\n\n" + USER}]


def test_chat_template_uses_the_tokenizers_template() -> None:
    from .tiny import CHATML, tiny_tokenizer

    tok = tiny_tokenizer({"eos": "<|im_end|>", "bos": "<|im_start|>", "unk": "<|unk|>", "pad": "<|pad|>"})
    tok.chat_template = CHATML
    assert chat_template(PARTS, tokenizer=tok) == (
        "<|im_start|>system\nRULES.<|im_end|>\n<|im_start|>user\n" + USER + "<|im_end|>\n<|im_start|>assistant\n")


def test_chat_template_without_a_template_says_so() -> None:
    class NoTemplate:
        chat_template = None

    with pytest.raises(ConfigError, match="chat template"):
        chat_template(PARTS, tokenizer=NoTemplate())


def test_renderer_binds_profile_tokens_and_rejects_unknown_formats() -> None:
    tokens = SpecialTokens(bos="<B>", sep="<S>")
    assert renderer("aira", tokens)(PARTS) == "<B>RULES.\n\n" + USER + "<S>"
    with pytest.raises(ConfigError, match="available: mistral-inst"):
        renderer("vicuna", tokens)
