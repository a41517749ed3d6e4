"""The ``agriadvisor finetune`` command. Only typer is imported here; the run imports the rest."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Optional

import typer

from agriadvisor.errors import AgriAdvisorError

_RECIPE = "Akṣara's recipe"


def finetune_command(
    data: Path = typer.Argument(..., help="CSV or JSONL of question/answer pairs (optional country, crop, language, "
                                          "context columns)."),
    base: Optional[str] = typer.Option(None, "--base", help="Base model: a folder, or a repo id in the local Hugging "
                                                             "Face cache (e.g. mistralai/Mistral-7B-Instruct-v0.2)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Adapter folder to write."),
    config: Optional[Path] = typer.Option(None, "--config", help="YAML file of settings; flags override it."),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted run from its last checkpoint."),
    question_column: Optional[str] = typer.Option(None, help="Column of questions (default: question/QueryText)."),
    answer_column: Optional[str] = typer.Option(None, help="Column of answers (default: answer/KccAns)."),
    country_column: Optional[str] = typer.Option(None), crop_column: Optional[str] = typer.Option(None),
    language_column: Optional[str] = typer.Option(None), context_column: Optional[str] = typer.Option(None),
    country: Optional[str] = typer.Option(None, help="Country of rows that name none (e.g. India for KCC logs)."),
    language: Optional[str] = typer.Option(None, help="Language code of rows that name none; default: detected."),
    with_evidence: Optional[bool] = typer.Option(None, "--with-evidence/--no-evidence",
                                                 help="Put retrieved passages in each training prompt."),
    eval_fraction: Optional[float] = typer.Option(None, help="Share held out and scored at the end [0.1]."),
    screen_pesticides: Optional[bool] = typer.Option(None, "--screen-pesticides/--no-screen-pesticides",
                                                     help="Drop answers recommending a pesticide restricted in the "
                                                          "row's country [on]."),
    learning_rate: Optional[float] = typer.Option(None, help=f"[2e-4, {_RECIPE}]"),
    train_batch_size: Optional[int] = typer.Option(None, help=f"[4, {_RECIPE}]"),
    eval_batch_size: Optional[int] = typer.Option(None, help=f"[4, {_RECIPE}]"),
    optim: Optional[str] = typer.Option(None, help=f"[paged_adamw_32bit, {_RECIPE}]"),
    lr_scheduler: Optional[str] = typer.Option(None, help=f"[cosine, {_RECIPE}]"),
    epochs: Optional[float] = typer.Option(None, help=f"[1, {_RECIPE}]"),
    lora_r: Optional[int] = typer.Option(None, help=f"[32, {_RECIPE}]"),
    weight_decay: Optional[float] = typer.Option(None, help=f"[0.001, {_RECIPE}]"),
    load_in: Optional[str] = typer.Option(None, help=f"nf4, 8bit, bf16, fp16, fp32 [nf4, {_RECIPE}]"),
    double_quant: Optional[bool] = typer.Option(None, "--double-quant/--no-double-quant", help=f"[on, {_RECIPE}]"),
    compute_dtype: Optional[str] = typer.Option(None, help=f"bfloat16, float16, float32 [bfloat16, {_RECIPE}]"),
    lora_alpha: Optional[int] = typer.Option(None, help="[16]"),
    lora_dropout: Optional[float] = typer.Option(None, help="[0.1]"),
    max_seq_length: Optional[int] = typer.Option(None, help="Prompt + answer tokens [1024]."),
    max_answer_tokens: Optional[int] = typer.Option(None, help="Longer answers are dropped as over-long [256]."),
    max_steps: Optional[int] = typer.Option(None, help="Stop after N optimiser steps [-1: the epochs]."),
    gradient_accumulation_steps: Optional[int] = typer.Option(None, help="[1]"),
    prompt_format: Optional[str] = typer.Option(None, help="auto, mistral-inst, alpaca, chat-template, aira, krutrim."),
    save_steps: Optional[int] = typer.Option(None, help="Checkpoint every N steps [100]."),
    device: Optional[str] = typer.Option(None, help="auto, cuda, cuda:1, cpu [auto]."),
    seed: Optional[int] = typer.Option(None, help="[42]"),
    progress: Optional[bool] = typer.Option(None, "--progress/--no-progress", help="Progress bars on stderr."),
    index_path: Optional[Path] = typer.Option(None, help="Search index for --with-evidence."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Fine-tune a LoRA adapter on your own Q&A (QLoRA, Akṣara's recipe); serve it as adapter:FOLDER."""
    flags = {k: v for k, v in locals().items() if k not in _NOT_CONFIG}  # first: only the parameters so far
    from agriadvisor.finetune.config import load_config
    from agriadvisor.finetune.data import ColumnMap
    from agriadvisor.finetune.run import finetune

    cfg = None
    try:
        cfg = load_config(config, **flags)
        columns = ColumnMap(question=question_column, answer=answer_column, country=country_column,
                            crop=crop_column, language=language_column, context=context_column)
        with contextlib.redirect_stdout(sys.stderr):  # Trainer prints its logs; stdout keeps only the result
            result = finetune(data, cfg, columns=columns, country=country, language=language,
                              settings=_settings(index_path), resume=resume, echo=lambda s: typer.echo(s, err=True))
    except AgriAdvisorError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from None
    except KeyboardInterrupt:
        where = f"{cfg.output}/checkpoints" if cfg else "the output folder's checkpoints/"
        typer.echo(f"interrupted; checkpoints are in {where}: run the same command with --resume to continue", err=True)
        raise typer.Exit(code=130) from None
    summary = {"output": str(result.output), "prompt_format": result.prompt_format, "data": result.report.to_dict(),
               "metrics": result.metrics}
    if as_json:
        typer.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    typer.echo(f"adapter written to {result.output} (prompt format {result.prompt_format})")
    for key, value in result.metrics.items():
        typer.echo(f"  {key:18} {value:.4f}" if isinstance(value, float) else f"  {key:18} {value}")
    typer.echo(f"serve it: agriadvisor ask \"...\" --backend adapter:{result.output}")


_NOT_CONFIG = {"data", "config", "resume", "question_column", "answer_column", "country_column", "crop_column",
               "language_column", "context_column", "country", "language", "index_path", "as_json"}


def _settings(index_path: Path | None):  # noqa: ANN202
    from agriadvisor.config import Settings

    try:
        return Settings(index_path=index_path) if index_path else Settings()
    except Exception as exc:  # noqa: BLE001 - pydantic ValidationError: one line
        raise AgriAdvisorError(f"invalid setting: {exc}".replace("\n", " ")) from None


__all__ = ["finetune_command"]
