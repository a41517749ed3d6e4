"""The settings of one fine-tuning run, defaulting to Akṣara's published QLoRA recipe.

Every field can be set in a YAML file (``--config run.yaml``) and then by a command-line flag;
the values in force are written beside the adapter as ``finetune_config.yaml``, so a run says
how it was made.

Example:
    >>> cfg = FinetuneConfig(base="mistralai/Mistral-7B-Instruct-v0.2", output="adapters/my-agency")
    >>> cfg.learning_rate, cfg.train_batch_size, cfg.optim, cfg.lora_r
    (0.0002, 4, 'paged_adamw_32bit', 32)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from agriadvisor.errors import ConfigError

CONFIG_FILE = "finetune_config.yaml"
# The hyperparameters Akṣara's model card lists (as quoted in issue 21); the rest are ours.
AKSARA_RECIPE = ("learning_rate", "train_batch_size", "eval_batch_size", "optim", "lr_scheduler", "epochs",
                 "lora_r", "weight_decay", "load_in", "double_quant", "compute_dtype")


class FinetuneConfig(BaseModel):
    """One run: the base model, the data columns, the QLoRA recipe and the bookkeeping."""

    model_config = ConfigDict(extra="forbid")

    base: str = Field(description="Base model: a local folder or a Hugging Face repo id read from the local cache.")
    output: Path = Field(description="Folder the adapter, tokenizer, profile, config and logs are written to.")
    prompt_format: Literal["auto", "mistral-inst", "krutrim", "aira", "alpaca", "chat-template"] = "auto"
    # ---- Akṣara's published recipe --------------------------------------------------------------
    learning_rate: float = Field(default=2e-4, gt=0)
    train_batch_size: int = Field(default=4, gt=0)
    eval_batch_size: int = Field(default=4, gt=0)
    optim: str = "paged_adamw_32bit"
    lr_scheduler: str = "cosine"
    epochs: float = Field(default=1.0, gt=0)
    lora_r: int = Field(default=32, gt=0)
    weight_decay: float = Field(default=0.001, ge=0)
    load_in: Literal["nf4", "8bit", "bf16", "fp16", "fp32"] = "nf4"
    double_quant: bool = True
    compute_dtype: Literal["bfloat16", "float16", "float32"] = "bfloat16"
    # ---- not in the published list: common QLoRA values, our choice ----------------------------
    lora_alpha: int = Field(default=16, gt=0)
    lora_dropout: float = Field(default=0.1, ge=0, lt=1)
    target_modules: list[str] | str = "all-linear"
    warmup_ratio: float = Field(default=0.03, ge=0, lt=1)
    max_grad_norm: float = Field(default=0.3, gt=0)
    gradient_accumulation_steps: int = Field(default=1, gt=0)
    gradient_checkpointing: bool = True
    max_seq_length: int = Field(default=1024, gt=16, description="Prompt + answer tokens per example.")
    max_steps: int = Field(default=-1, description="Stop after this many optimiser steps; -1 = the epochs.")
    seed: int = 42
    # ---- data ---------------------------------------------------------------------------------
    eval_fraction: float = Field(default=0.1, ge=0, lt=1, description="Share of rows held out and scored at the end.")
    with_evidence: bool = Field(default=False, description="Retrieve passages for each question into the prompt.")
    screen_pesticides: bool = Field(default=True, description="Drop pairs whose answers recommend a pesticide the "
                                    "output rails would drop for that country (banned, WHO class I, restricted).")
    evidence_k: int = Field(default=3, gt=0)
    max_answer_tokens: int = Field(default=256, gt=1, description="Answer + end token; longer reference answers are "
                                   "dropped as over-long, and the served model writes at most this many tokens.")
    # ---- bookkeeping ----------------------------------------------------------------------------
    device: str = Field(default="auto", description="auto (cuda when visible, else cpu), cpu, cuda, cuda:1.")
    save_steps: int = Field(default=100, gt=0, description="Checkpoint every N optimiser steps.")
    save_total_limit: int = Field(default=2, gt=0)
    logging_steps: int = Field(default=10, gt=0)
    progress: bool = True

    @model_validator(mode="after")
    def _answer_fits(self) -> "FinetuneConfig":
        if self.max_answer_tokens >= self.max_seq_length:
            raise ValueError(f"max_answer_tokens ({self.max_answer_tokens}) must be less than max_seq_length "
                             f"({self.max_seq_length}): the prompt needs room too")
        return self


def load_config(path: Path | None = None, **overrides: Any) -> FinetuneConfig:
    """The YAML file's values (if any), then ``overrides`` (``None`` values are ignored).

    Raises:
        ConfigError: the file is unreadable, or a field is unknown or has a bad value.
    """
    values: dict[str, Any] = {}
    if path is not None:
        values = _read_yaml(Path(path))
    values |= {k: v for k, v in overrides.items() if v is not None}
    try:
        return FinetuneConfig(**values)
    except ValidationError as exc:
        where = f" in {path}" if path else ""
        raise ConfigError(f"invalid fine-tuning setting{where}: {exc}".replace("\n", " ")) from None


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read fine-tuning config {path}: {exc}".replace("\n", " ")) from exc
    if not isinstance(data, dict):
        raise ConfigError(f"fine-tuning config {path} must be a mapping of setting: value, got {type(data).__name__}")
    return data


def save_config(config: FinetuneConfig, folder: Path) -> Path:
    """Write the settings in force as YAML beside the adapter; ``load_config`` reads it back."""
    import yaml

    path = folder / CONFIG_FILE
    data = config.model_dump(mode="json")
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


__all__ = ["AKSARA_RECIPE", "CONFIG_FILE", "FinetuneConfig", "load_config", "save_config"]
