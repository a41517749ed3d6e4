"""A run that cannot work stops before loading any weights, with one sentence and no traceback."""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agriadvisor.errors import FinetuneError
from agriadvisor.finetune.checks import base_folder, check_bitsandbytes, check_device_fits, parameter_count

from .conftest import PAIRS, write_csv


def fake_7b(tiny_base: Path, target: Path) -> Path:
    """The tiny base's config and tokenizer with a safetensors header that declares 7.2B parameters."""
    target.mkdir()
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json"):
        shutil.copy(tiny_base / name, target / name)
    header = json.dumps({f"layer{i}.weight": {"dtype": "BF16", "shape": [4096, 4096 * 14], "data_offsets": [0, 0]}
                         for i in range(32)}).encode()
    (target / "model.safetensors").write_bytes(struct.pack("<Q", len(header)) + header)
    return target


def test_a_7b_base_without_a_gpu_is_refused(tiny_base: Path, tmp_path: Path) -> None:
    big = fake_7b(tiny_base, tmp_path / "big")
    assert parameter_count(big) == 32 * 4096 * 4096 * 14
    with pytest.raises(FinetuneError, match="no GPU: the base model has 7.5B parameters and no CUDA GPU is visible"):
        check_device_fits(big, "cpu", "auto")
    check_device_fits(big, "cpu", "cpu")      # asked for explicitly: allowed
    check_device_fits(tiny_base, "cpu", "auto")


def test_a_base_missing_from_the_cache_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    with pytest.raises(FinetuneError, match="base model: the model weights are not on this machine: "
                                           "'mistralai/Mistral-7B-Instruct-v0.2' in the Hugging Face cache"):
        base_folder("mistralai/Mistral-7B-Instruct-v0.2")
    with pytest.raises(FinetuneError, match="does not exist"):
        base_folder(str(tmp_path / "no-such-folder"))


def test_nf4_quantises_on_this_cpu() -> None:
    """The real bitsandbytes CPU path (the tests below and the training test rely on it)."""
    check_bitsandbytes("nf4", "cpu")


def test_bitsandbytes_that_cannot_quantise_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import bitsandbytes.functional as bnbf

    def broken(*args, **kwargs):
        raise RuntimeError("CUDA Setup failed: libbitsandbytes_cuda121.so not found")

    monkeypatch.setattr(bnbf, "quantize_4bit", broken)
    with pytest.raises(FinetuneError, match="bitsandbytes cannot nf4-quantise on cpu on this machine .*libbitsandbytes"):
        check_bitsandbytes("nf4", "cpu")
    check_bitsandbytes("bf16", "cpu")  # not quantised: bitsandbytes is not needed


def test_the_command_prints_one_line_and_exits_2(tiny_base: Path, tmp_path: Path) -> None:
    import torch

    from agriadvisor.cli import app

    if torch.cuda.is_available():
        pytest.skip("a GPU is visible here, so a 7B base is not refused")
    data = write_csv(tmp_path / "qa.csv", ["question", "answer"], PAIRS)
    big = fake_7b(tiny_base, tmp_path / "big")
    runner = CliRunner()
    result = runner.invoke(app, ["finetune", str(data), "--base", str(big), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.output.startswith("error: no GPU: the base model has 7.5B parameters")
    result = runner.invoke(app, ["finetune", str(data), "--base", str(tiny_base), "-o", str(tmp_path / "out"),
                                 "--lora-rank", "8"])
    assert result.exit_code == 2 and "No such option: --lora-rank" in result.output
    result = runner.invoke(app, ["finetune", str(data), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "error: invalid fine-tuning setting" in result.output and "base" in result.output
    assert not (tmp_path / "out").exists()
