"""Loading weights: local folders and the user's Hugging Face cache only, helpful errors when
files are missing, and NF4 / 8-bit / bf16 / LoRA through the path a user's real weights take."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from agriadvisor.backends.hf_loader import LoadSpec, load_model, missing_model_files, resolve_model_folder
from agriadvisor.backends.profiles import load_profile
from agriadvisor.backends.transformers_backend import AiraBackend, AksaraBackend, MistralUzBackend
from agriadvisor.errors import BackendError, BackendUnavailableError

from .conftest import make_request


def fake_hf_cache(cache: Path, repo_id: str, files_from: Path | None) -> Path:
    """The on-disk layout huggingface_hub uses: refs/main names a snapshot folder."""
    repo = cache / f"models--{repo_id.replace('/', '--')}"
    snapshot = repo / "snapshots" / ("0" * 40)
    snapshot.mkdir(parents=True)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("0" * 40)
    if files_from is not None:
        for f in files_from.iterdir():
            shutil.copy(f, snapshot / f.name)
    return snapshot


@pytest.fixture
def hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    return tmp_path / "hub"


def test_a_repo_missing_from_the_cache_says_what_and_how_without_hub_errors(hf_cache: Path) -> None:
    with pytest.raises(BackendUnavailableError) as err:
        resolve_model_folder("aksara", "cropinailab/aksara_v1")
    message = str(err.value)
    assert "'cropinailab/aksara_v1' in the Hugging Face cache" in message and str(hf_cache) in message
    assert "config.json, the tokenizer and the weights" in message
    assert "hf download cropinailab/aksara_v1" in message and "AGRIADVISOR_BACKEND_MODEL_PATH" in message
    assert "Downloads are never attempted" in message
    assert err.value.__cause__ is None and "Traceback" not in message


def test_a_model_in_the_users_cache_loads_without_network(hf_cache: Path, tiny_model_dir) -> None:
    fake_hf_cache(hf_cache, "nicholasKluge/Aira-2-1B1", tiny_model_dir("aira"))
    backend = AiraBackend(do_sample=False, max_new_tokens=4)  # the profile's own repo id
    assert backend.source == "nicholasKluge/Aira-2-1B1"
    assert isinstance(backend.complete(make_request()), str)
    assert backend.loaded.folder.parent.parent.name == "models--nicholasKluge--Aira-2-1B1"
    assert AiraBackend.availability()[0] is True


def test_an_incomplete_cached_snapshot_lists_the_missing_files(hf_cache: Path, tiny_model_dir) -> None:
    snapshot = fake_hf_cache(hf_cache, "nicholasKluge/Aira-2-1B1", tiny_model_dir("aira"))
    (snapshot / "model.safetensors").unlink()
    with pytest.raises(BackendUnavailableError, match=r"is incomplete; missing: the weights \(\*\.safetensors"):
        AiraBackend().warm_up()
    ok, why = AiraBackend.availability()
    assert not ok and "weights at AGRIADVISOR_BACKEND_MODEL_PATH or 'nicholasKluge/Aira-2-1B1'" in why


def test_missing_folder_and_missing_shards_are_named(tmp_path: Path) -> None:
    with pytest.raises(BackendUnavailableError, match="the folder /nowhere/aksara does not exist"):
        resolve_model_folder("aksara", "/nowhere/aksara")
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "tokenizer.json").write_text("{}")
    index = {"weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}
    (tmp_path / "model.safetensors.index.json").write_text(json.dumps(index))
    (tmp_path / "model-00001-of-00002.safetensors").write_bytes(b"")
    assert missing_model_files(tmp_path) == ["model-00002-of-00002.safetensors"]
    with pytest.raises(BackendUnavailableError, match="missing: model-00002-of-00002.safetensors"):
        resolve_model_folder("aksara", str(tmp_path))


def test_cuda_by_default_fails_early_and_says_what_to_do(tiny_model_dir) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    backend = AksaraBackend(model_path=str(tiny_model_dir("aksara")))
    with pytest.raises(BackendUnavailableError, match="needs a CUDA GPU") as err:
        backend.warm_up()
    assert "openai backend" in str(err.value) and "AGRIADVISOR_BACKEND_DEVICE=cpu" in str(err.value)
    ok, why = AksaraBackend.availability()
    assert not ok and why.startswith("needs a CUDA GPU") and "weights at AGRIADVISOR_BACKEND_MODEL_PATH" in why


def test_nf4_really_quantises_with_double_quantisation_and_bf16_compute(tiny_model_dir) -> None:
    import bitsandbytes as bnb
    import torch

    loaded = load_model(LoadSpec(name="aksara", source=str(tiny_model_dir("aksara")), load_in="nf4", device="cpu"))
    layers = {n: m for n, m in loaded.model.named_modules() if isinstance(m, torch.nn.Linear)}
    quantised = {n: m for n, m in layers.items() if isinstance(m, bnb.nn.Linear4bit)}
    assert set(quantised) == set(layers) - {"lm_head"} and len(quantised) == 2 * 7
    q_proj = quantised["model.layers.0.self_attn.q_proj"]
    assert q_proj.weight.dtype == torch.uint8 and q_proj.weight.quant_type == "nf4"
    assert q_proj.weight.quant_state.nested  # double quantisation of the scales
    assert q_proj.compute_dtype == torch.bfloat16
    assert q_proj.weight.numel() * 2 == 64 * 64  # two 4-bit weights per byte


def test_8bit_and_bf16_modes(tiny_model_dir) -> None:
    import bitsandbytes as bnb
    import torch

    folder = str(tiny_model_dir("aksara"))
    eight = load_model(LoadSpec(name="aksara", source=folder, load_in="8bit", device="cpu")).model
    assert isinstance(eight.model.layers[0].mlp.down_proj, bnb.nn.Linear8bitLt)
    bf16 = load_model(LoadSpec(name="aksara", source=folder, load_in="bf16", device="cpu")).model
    assert {p.dtype for p in bf16.parameters()} == {torch.bfloat16}


def test_lora_adapter_is_applied_on_the_4bit_base(tiny_model_dir, tiny_adapter_dir) -> None:
    import bitsandbytes as bnb
    from peft import PeftModel

    folder = str(tiny_model_dir("mistral-uz"))
    with_adapter = MistralUzBackend(model_path=folder, adapter_path=str(tiny_adapter_dir), device="cpu",
                                    max_new_tokens=8)
    model = with_adapter.loaded.model
    assert isinstance(model, PeftModel)
    q_proj = model.base_model.model.model.layers[0].self_attn.q_proj
    assert isinstance(q_proj.base_layer, bnb.nn.Linear4bit) and "default" in q_proj.lora_A
    no_adapter = load_profile("mistral-uz").model_copy(update={"adapter_required": False})
    base_only = MistralUzBackend(profile=no_adapter, model_path=folder, device="cpu", max_new_tokens=8)
    assert base_only.build_prompt(make_request()).text == with_adapter.build_prompt(make_request()).text
    request = make_request()
    assert with_adapter.complete(request) != base_only.complete(request)


def test_mistral_uz_without_an_adapter_names_the_setting(tiny_model_dir, tmp_path: Path) -> None:
    with pytest.raises(BackendUnavailableError, match="AGRIADVISOR_BACKEND_ADAPTER_PATH"):
        MistralUzBackend(model_path=str(tiny_model_dir("mistral-uz")), device="cpu").warm_up()
    with pytest.raises(BackendUnavailableError, match="adapter_config.json is missing"):
        MistralUzBackend(model_path=str(tiny_model_dir("mistral-uz")), adapter_path=str(tmp_path),
                         device="cpu").warm_up()


def test_weights_that_do_not_match_the_profile_are_refused(tiny_model_dir) -> None:
    backend = AiraBackend(model_path=str(tiny_model_dir("aksara")))  # a Mistral tokenizer has no Aira tokens
    with pytest.raises(BackendError, match="has no bos token '<\\|startofinstruction\\|>'"):
        backend.warm_up()
