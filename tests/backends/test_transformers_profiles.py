"""Each transformers profile, run on a tiny random model of its architecture loaded through the
same code path as real weights (NF4 on CPU for the 7B profiles, a LoRA adapter for mistral-uz):
the exact prompt, stream == non-stream == plain ``generate``, stop handling, context packing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agriadvisor.backends.profiles import load_profile
from agriadvisor.backends.stopping import cut_at_stop
from agriadvisor.backends.transformers_backend import (
    AiraBackend, AiraPortugueseBackend, AksaraBackend, KrutrimBackend, MistralUzBackend, TransformersBackend,
    split_stops,
)

from .conftest import make_request
from .tiny import relabel

CLASSES: dict[str, type[TransformersBackend]] = {
    "aksara": AksaraBackend, "krutrim": KrutrimBackend, "aira": AiraBackend, "aira-pt": AiraPortugueseBackend,
    "mistral-uz": MistralUzBackend,
}
NAMES = list(CLASSES)
# The tiny MPT and the adapter model are the slowest on CPU (bf16 compute under NF4); their
# repeats of the stop checks run with the slow tests, the other profiles in every run.
STOP_NAMES = [pytest.param(n, marks=pytest.mark.slow) if n in ("krutrim", "mistral-uz") else n for n in NAMES]

RULES = ("You are a crop advisor for smallholder farmers in South Asia. Answer the farmer's question using only the "
         "numbered evidence. After each sentence, cite the evidence it comes from as [n], for example [1]. If the "
         "evidence does not cover the question, say plainly that you do not have advice on it; do not guess and do "
         "not add facts from elsewhere. Keep the answer short: at most 4 sentences. Answer in ")
EVIDENCE = ("[1] Wheat in Nepal: Sowing (Nepal, wheat, sowing)\nSow wheat in the first two weeks of November, after "
            "the rice harvest, when the soil is moist. Late sowing after mid-December lowers the yield by about 1 "
            "percent a day.\n\n[2] Wheat in Nepal: Seed (Nepal, wheat, sowing)\nUse 100 kg of seed per hectare for "
            "line sowing and 120 kg for broadcasting. Treat the seed with a fungicide before sowing.")
QUESTION = "When should I sow wheat?"
USER = f"Evidence:\n{EVIDENCE}\n\nQuestion: {QUESTION}\n\nAnswer from the evidence above and cite it as [n]."
EXPECTED_PROMPTS = {
    "aksara": f"<s>[INST] {RULES}English.\n\n{USER} [/INST]",
    "krutrim": f"<|SYSTEM|> {RULES}English.\n<|USER|> {USER}\n<|RESPONSE|>",
    "aira": f"<|startofinstruction|>{RULES}English.\n\n{USER}<|endofinstruction|>",
    "aira-pt": f"<|startofinstruction|>{RULES}Portuguese.\n\n{USER}<|endofinstruction|>",
    "mistral-uz": ("<s>Below is an instruction that describes a task, paired with an input that provides further "
                   "context. Write a response that appropriately completes the request.\n\n### Instruction:\n"
                   f"{RULES}English.\n\nQuestion: {QUESTION}\n\n### Input:\n{EVIDENCE}\n\n### Response:\n"),
}


def options(name: str, folder: Path, adapter: Path, **extra: Any) -> dict[str, Any]:
    """The profile's own loading mode (NF4 for the 7B ones) but on CPU, greedy unless told otherwise."""
    opts = {"model_path": str(folder), "device": "cpu", "do_sample": False, "max_new_tokens": 8} | extra
    if name == "mistral-uz":
        opts["adapter_path"] = str(adapter)
    return opts


@pytest.fixture(scope="module")
def tiny_backend(tiny_model_dir, tiny_adapter_dir):
    """A factory of loaded backends, one per profile, reused across this module."""
    cache: dict[str, TransformersBackend] = {}

    def get(name: str) -> TransformersBackend:
        if name not in cache:
            cache[name] = CLASSES[name](**options(name, tiny_model_dir(name), tiny_adapter_dir))
            cache[name].warm_up()
        return cache[name]

    return get


def plain_generate(backend: TransformersBackend, request) -> list[int]:
    """New token ids from a single ``model.generate`` call: the non-streaming reference."""
    enc = backend.encode(backend.build_prompt(request).text)
    out = backend.loaded.model.generate(**enc, generation_config=backend.generation_config(request))
    return out[0, enc["input_ids"].shape[1]:].tolist()


def decoded(backend: TransformersBackend, ids: list[int]) -> str:
    text = backend.loaded.tokenizer.decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=False)
    return cut_at_stop(text, backend._stops.strings)


@pytest.mark.parametrize("name", NAMES)
def test_exact_prompt(name: str, tiny_backend) -> None:
    packed = tiny_backend(name).build_prompt(make_request())
    assert packed.text == EXPECTED_PROMPTS[name]
    assert packed.kept == (1, 2) and not packed.truncated


@pytest.mark.parametrize("name", NAMES)
def test_loaded_as_the_profile_says(name: str, tiny_backend) -> None:
    import bitsandbytes as bnb

    backend = tiny_backend(name)
    quantised = any(isinstance(m, bnb.nn.Linear4bit) for m in backend.loaded.model.modules())
    assert quantised == (load_profile(name).loading.load_in == "nf4")
    assert backend.loaded.model.config.model_type == load_profile(name).architecture


@pytest.mark.parametrize("name", NAMES)
def test_stream_equals_non_stream_equals_plain_generate(name: str, tiny_backend) -> None:
    backend, request = tiny_backend(name), make_request(max_new_tokens=8)
    pieces = list(backend.generate(request))
    assert len(pieces) > 1, "the answer should arrive in several pieces"
    assert "".join(pieces) == backend.complete(request) == decoded(backend, plain_generate(backend, request))


@pytest.mark.parametrize("name", STOP_NAMES)
def test_generation_stops_at_the_profiles_end_token(name: str, tiny_backend, tmp_path: Path, tiny_adapter_dir) -> None:
    """Relabel the model so it says the end token exactly where it would have said token ``ref[k]``."""
    backend, request = tiny_backend(name), make_request(max_new_tokens=8)
    tok = backend.loaded.tokenizer
    prompt_ids = set(backend.encode(backend.build_prompt(request).text)["input_ids"][0].tolist())
    end = tok.convert_tokens_to_ids(load_profile(name).stop[0])
    assert end in backend._stops.token_ids and end not in prompt_ids
    ref = plain_generate(backend, request)
    special = set(tok.all_special_ids)
    k = next(i for i in range(2, len(ref)) if ref[i] not in prompt_ids | set(ref[:i]) | special)
    target = relabel(Path(backend.options.model_path), tmp_path / "relabelled", ref[k], end)
    stopped = CLASSES[name](**options(name, target, tiny_adapter_dir))
    text = stopped.complete(request)
    assert text == decoded(backend, ref[:k])
    assert load_profile(name).stop[0] not in text


@pytest.mark.parametrize("name", STOP_NAMES)
def test_a_stop_string_cuts_the_text(name: str, tiny_model_dir, tiny_adapter_dir, tiny_backend) -> None:
    request = make_request(max_new_tokens=8)
    full = tiny_backend(name).complete(request)
    stop = full[len(full) // 2:len(full) // 2 + 3]
    backend = CLASSES[name](**options(name, tiny_model_dir(name), tiny_adapter_dir, stop=[stop]))
    assert backend.complete(request) == full[:full.index(stop)]


def test_special_stops_match_token_ids_and_others_match_text(tiny_backend) -> None:
    krutrim = tiny_backend("krutrim")
    tok = krutrim.loaded.tokenizer
    assert set(krutrim._stops.token_ids) == {tok.convert_tokens_to_ids(t) for t in ("</s>", "<|USER|>", "<|SYSTEM|>")}
    aksara = split_stops(tiny_backend("aksara").loaded.tokenizer, ["</s>", "[INST]", "### Instruction:"])
    assert aksara.strings == ("[INST]", "### Instruction:") and len(aksara.token_ids) == 1


@pytest.mark.parametrize("name", NAMES)
def test_evidence_is_packed_to_the_context_by_the_models_tokenizer(name: str, tiny_model_dir, tiny_adapter_dir,
                                                                   tiny_backend) -> None:
    request = make_request(evidence=3, max_new_tokens=8)
    tok = tiny_backend(name).loaded.tokenizer
    full = tiny_backend(name).build_prompt(request)
    assert full.kept == (1, 2, 3)
    context = full.tokens + 8 - 1  # one token short of everything
    small = CLASSES[name](**options(name, tiny_model_dir(name), tiny_adapter_dir, context_length=context))
    packed = small.build_prompt(request)
    assert packed.kept == (1, 2) and "[3]" not in packed.text
    assert len(tok(packed.text, add_special_tokens=False)["input_ids"]) == packed.tokens <= context - 8
    assert small.complete(request) is not None


def test_krutrim_drops_token_type_ids_that_its_model_rejects(tiny_backend) -> None:
    backend = tiny_backend("krutrim")
    prompt = backend.build_prompt(make_request()).text
    raw = backend.loaded.tokenizer(prompt, return_tensors="pt", add_special_tokens=False)
    assert "token_type_ids" in raw
    with pytest.raises(ValueError, match="token_type_ids"):
        backend.loaded.model.generate(**raw, max_new_tokens=2)
    assert "token_type_ids" not in backend.encode(prompt)
    assert backend.complete(make_request(max_new_tokens=4))


def test_aira_samples_with_its_card_defaults_reproducibly_under_a_seed(tiny_model_dir, tiny_adapter_dir) -> None:
    backend = AiraBackend(**options("aira", tiny_model_dir("aira"), tiny_adapter_dir, do_sample=None, seed=7))
    request = make_request(max_new_tokens=8)
    config = backend.generation_config(request)
    assert (config.do_sample, config.temperature, config.top_k, config.top_p, config.repetition_penalty) == (
        True, 0.2, 30, 0.3, 1.2)
    assert "".join(backend.generate(request)) == backend.complete(request)


def test_answers_respect_max_new_tokens_and_the_sms_cap(tiny_backend) -> None:
    backend = tiny_backend("aira")
    request = make_request(max_new_tokens=5)
    assert backend.max_new_tokens(request) == 5
    assert len(plain_generate(backend, request)) <= 5
    assert backend.max_new_tokens(make_request(sms=True)) == 8  # the backend's own cap is lower than SMS's 96
    assert AiraBackend(max_new_tokens=500).max_new_tokens(make_request(sms=True, max_new_tokens=400)) == 96
