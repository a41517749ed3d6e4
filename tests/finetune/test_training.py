"""The whole path on a tiny random Mistral, no GPU and no download: NF4 base on the CPU, real
optimiser steps that lower the loss and change the adapter, checkpoints and --resume, the saved
folder reloaded through the backend registry, and answers from it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from agriadvisor.finetune import finetune, load_config

from .conftest import PAIRS, write_csv

pytestmark = pytest.mark.slow

TINY_RECIPE = dict(prompt_format="mistral-inst", learning_rate=2e-2, lora_r=8, lora_alpha=16, lora_dropout=0.0,
                   max_seq_length=384, max_answer_tokens=32, gradient_checkpointing=False, warmup_ratio=0.0,
                   logging_steps=1, save_steps=2, progress=False, device="cpu")


@pytest.fixture(scope="module")
def trained(tiny_base: Path, tmp_path_factory: pytest.TempPathFactory):
    """Five pairs: four train together in one batch of 4 (so every step sees the same rows), one held out."""
    root = tmp_path_factory.mktemp("finetune")
    data = write_csv(root / "qa.csv", ["question", "answer"], PAIRS + [("", "no question"), PAIRS[0]])
    cfg = load_config(base=str(tiny_base), output=str(root / "my-agency"), max_steps=6, eval_fraction=0.2,
                      **TINY_RECIPE)
    return finetune(data, cfg, country="Nepal"), data, cfg


def _losses(history: list[dict]) -> list[float]:
    return [h["loss"] for h in history if "loss" in h]


def test_nf4_base_trains_and_the_loss_falls(trained) -> None:
    result, _, _ = trained
    losses = _losses(result.log_history)
    assert len(losses) == 6, losses
    assert losses[-1] < losses[0] - 0.2, losses
    assert result.report.to_dict()["dropped"] == {"empty": 1, "duplicate": 1}
    assert (result.report.train, result.report.held_out) == (4, 1)


def test_the_adapter_weights_moved_from_their_start(trained) -> None:
    """peft starts every lora_B at zero, so any non-zero lora_B was written by the optimiser."""
    from safetensors.torch import load_file

    weights = load_file(str(trained[0].output / "adapter_model.safetensors"))
    lora_b = {k: v for k, v in weights.items() if "lora_B" in k}
    assert lora_b and all(v.abs().max().item() > 0 for v in lora_b.values())
    config = json.loads((trained[0].output / "adapter_config.json").read_text())
    assert config["r"] == 8 and {m.rsplit(".", 1)[-1] for m in config["target_modules"]} >= {"q_proj", "v_proj", "down_proj"}


def test_the_base_was_quantised_to_nf4(trained, tiny_base: Path) -> None:
    from agriadvisor.finetune.run import load_base

    _, model = load_base(trained[2], tiny_base, "cpu")
    import bitsandbytes as bnb

    layers = [m for m in model.modules() if isinstance(m, bnb.nn.Linear4bit)]
    assert layers and all(m.weight.quant_type == "nf4" for m in layers)


def test_everything_lands_beside_the_adapter(trained) -> None:
    out = trained[0].output
    for name in ("adapter_config.json", "adapter_model.safetensors", "tokenizer.json", "agriadvisor_profile.yaml",
                 "finetune_config.yaml", "data_report.json", "training_log.jsonl", "eval_report.json", "held_out.jsonl"):
        assert (out / name).is_file(), name
    report = json.loads((out / "eval_report.json").read_text())
    assert report["n"] == 1 and 0.0 <= report["rouge_l"] <= 1.0 and report["eval_loss"] > 0
    assert load_config(out / "finetune_config.yaml").learning_rate == 2e-2
    assert sorted(p.name for p in (out / "checkpoints").iterdir()) == ["checkpoint-4", "checkpoint-6"]


def test_reloaded_through_the_registry_it_answers_as_it_did_in_training(trained) -> None:
    """The held-out answer written at the end of training comes back word for word from the saved
    adapter loaded by ``adapter:FOLDER``: same weights, same prompt, same greedy decoding."""
    from agriadvisor.backends.adapter import AdapterBackend
    from agriadvisor.backends.registry import create_backend
    from agriadvisor.finetune.prompts import ExampleBuilder
    from agriadvisor.models import QueryInfo

    result = trained[0]
    row = json.loads((result.output / "held_out.jsonl").read_text().splitlines()[0])
    backend = create_backend(f"adapter:{result.output}")
    assert isinstance(backend, AdapterBackend) and backend.profile.prompt_format == "mistral-inst"
    builder = ExampleBuilder(backend.loaded.tokenizer, "mistral-inst", ("*",), 384, 32)
    from agriadvisor.finetune.data import QAPair

    request = builder.request(QAPair(row=0, question=row["question"], answer=row["reference"], country="Nepal"),
                              QueryInfo(text=row["question"], language="en", country="Nepal"), [])
    assert backend.complete(request).strip() == row["answer"]


def test_an_advisor_serves_the_adapter(trained, small_settings) -> None:
    from agriadvisor.advisor import Advisor
    from agriadvisor.backends.adapter import AdapterBackend

    advisor = Advisor(small_settings, backend=f"adapter:{trained[0].output}")
    answer = advisor.ask("When should I sow wheat?", country="Nepal")
    assert isinstance(advisor.backend, AdapterBackend)
    assert answer.outcome == "answered" and answer.text
    # a random two-layer model rarely writes a supported, cited sentence: the rails then fall back
    assert answer.backend in ("adapter", "extractive")


def test_resume_continues_from_the_last_checkpoint(trained, tmp_path: Path) -> None:
    result, data, cfg = trained
    copy = tmp_path / "interrupted"
    shutil.copytree(result.output, copy)
    shutil.rmtree(copy / "checkpoints" / "checkpoint-6")  # as if stopped between step 4 and step 6
    resumed = finetune(data, cfg.model_copy(update={"output": copy}), country="Nepal", resume=True)
    steps = [h["step"] for h in resumed.log_history if "loss" in h]
    assert steps == [1, 2, 3, 4, 5, 6]  # 1-4 come from the checkpoint's state, 5 and 6 are new
    restored = json.loads((copy / "checkpoints" / "checkpoint-4" / "trainer_state.json").read_text())
    assert _losses(resumed.log_history)[:4] == _losses(restored["log_history"])


def test_a_finished_run_is_not_overwritten_and_resume_needs_the_same_settings(trained) -> None:
    from agriadvisor.errors import FinetuneError

    result, data, cfg = trained
    with pytest.raises(FinetuneError, match="already holds a fine-tuning run; pass --resume"):
        finetune(data, cfg, country="Nepal")
    with pytest.raises(FinetuneError, match="settings differ from the interrupted run .*: learning_rate"):
        finetune(data, cfg.model_copy(update={"learning_rate": 1e-3}), country="Nepal", resume=True)


def test_the_command_reads_a_yaml_config_and_flags_win(tiny_base: Path, tmp_path: Path) -> None:
    import yaml
    from typer.testing import CliRunner

    from agriadvisor.cli import app

    data = write_csv(tmp_path / "qa.csv", ["question", "answer"], PAIRS[:4])
    config = tmp_path / "run.yaml"
    config.write_text(yaml.safe_dump(TINY_RECIPE | {"max_steps": 2, "lora_r": 16}))
    out = tmp_path / "cli-agency"
    result = CliRunner().invoke(app, ["finetune", str(data), "--base", str(tiny_base), "-o", str(out), "--config",
                                      str(config), "--lora-r", "4", "--eval-fraction", "0", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["data"]["train"] == 4 and summary["metrics"]["note"].startswith("no held-out rows")
    saved = load_config(out / "finetune_config.yaml")
    assert (saved.lora_r, saved.max_steps, saved.learning_rate, saved.eval_fraction) == (4, 2, 2e-2, 0.0)
    assert "4 used (4 train, 0 held out)" in result.stderr
