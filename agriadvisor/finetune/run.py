"""One fine-tuning run, end to end: check, read the data, load the base in NF4, train a LoRA
adapter with ``transformers.Trainer``, save it with its tokenizer, profile, config and logs, and
score the held-out pairs.

Example:
    >>> from agriadvisor.finetune import ColumnMap, finetune, load_config
    >>> cfg = load_config(base="mistralai/Mistral-7B-Instruct-v0.2", output="adapters/my-agency")
    >>> result = finetune("qa.csv", cfg)                       # doctest: +SKIP
    >>> result.metrics["rouge_l"]                              # doctest: +SKIP

What lands in ``cfg.output``: ``adapter_config.json`` + ``adapter_model.safetensors`` (peft), the
tokenizer files, ``agriadvisor_profile.yaml`` (so ``Advisor(backend="adapter:FOLDER")`` serves
it), ``finetune_config.yaml``, ``data_report.json``, ``training_log.jsonl``,
``eval_report.json`` + ``held_out.jsonl``, and ``checkpoints/`` while training runs.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from agriadvisor.finetune.checks import (
    base_folder, check_bitsandbytes, check_device_fits, require_libraries, resolve_device,
)
from agriadvisor.finetune.config import CONFIG_FILE, FinetuneConfig, load_config, save_config
from agriadvisor.finetune.data import ColumnMap, DataReport, QAPair, read_pairs, split_held_out
from agriadvisor.finetune.prompts import STOPS, ExampleBuilder, cite_answer, pad_batch, resolve_prompt_format
from agriadvisor.errors import FinetuneError

if TYPE_CHECKING:
    from agriadvisor.backends.base import GenerationRequest
    from agriadvisor.config import Settings

log = logging.getLogger(__name__)

CHECKPOINTS = "checkpoints"
PARTIAL_LOG = "training_log.jsonl.partial"  # appended while training runs; kept only if a run stops
# Settings that may change between an interrupted run and its --resume.
_RESUMABLE = {"output", "progress", "logging_steps", "save_total_limit"}


@dataclass
class Prepared:
    """Tokenised examples, plus for the held-out pairs what is needed to score them."""

    train: list[dict[str, list[int]]] = field(default_factory=list)
    held_out: list[dict[str, list[int]]] = field(default_factory=list)
    held_requests: list["GenerationRequest"] = field(default_factory=list)
    held_answers: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)


@dataclass
class FinetuneResult:
    """What a run produced: where, from which rows, how training went and how it scored."""

    output: Path
    report: DataReport
    metrics: dict[str, Any]
    log_history: list[dict[str, Any]]
    prompt_format: str


def finetune(data: Path | str, config: FinetuneConfig, *, columns: ColumnMap | None = None,
             country: str | None = None, language: str | None = None, settings: "Settings | None" = None,
             resume: bool = False, echo: Callable[[str], None] = log.info) -> FinetuneResult:
    """Train a LoRA adapter on DATA as ``config`` says and write it to ``config.output``.

    Raises:
        FinetuneError: no GPU for a large base, base not in the local cache, bitsandbytes broken,
            an output folder from another run, or nothing to resume.
        TrainingDataError: DATA is unreadable or has no usable row.
    """
    require_libraries()
    device = resolve_device(config.device)
    folder = base_folder(config.base)
    check_device_fits(folder, device, config.device)
    check_bitsandbytes(config.load_in, device)
    _check_output(config, resume)
    settings = settings or _settings()
    pairs, report = read_pairs(data, columns, country=country, language=language)
    if config.screen_pesticides:
        pairs = _screened(pairs, report, settings)
    train_pairs, held_pairs = split_held_out(pairs, config.eval_fraction, seed=config.seed)
    tokenizer, model = load_base(config, folder, device)
    prompt_format = resolve_prompt_format(config.prompt_format, tokenizer, config.base)
    builder = ExampleBuilder(tokenizer, prompt_format, ("*",), config.max_seq_length, config.max_answer_tokens,
                             max_sentences=settings.answer_sentences)
    prepared = prepare(builder, train_pairs, held_pairs, report, config, settings)
    echo(report.render())
    output = config.output
    output.mkdir(parents=True, exist_ok=True)
    save_config(config, output)
    (output / "data_report.json").write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False), "utf-8")
    model = add_lora(model, config)
    trainer = make_trainer(model, tokenizer, prepared, config, device)
    trainer.train(resume_from_checkpoint=_last_checkpoint(output) if resume else None)
    model.save_pretrained(output)
    tokenizer.save_pretrained(output)
    write_profile(output, config, folder, model, tokenizer, prompt_format, prepared.languages, device)
    metrics = evaluate_run(trainer, output, tokenizer, prepared, config, device)
    (output / "training_log.jsonl").write_text(
        "".join(json.dumps(h) + "\n" for h in trainer.state.log_history), "utf-8")
    (output / PARTIAL_LOG).unlink(missing_ok=True)  # the whole history is in training_log.jsonl now
    return FinetuneResult(output, report, metrics, list(trainer.state.log_history), prompt_format)


def _screened(pairs: list[QAPair], report: DataReport, settings: "Settings") -> list[QAPair]:
    from agriadvisor.finetune.screening import PesticideScreen

    kept = PesticideScreen.from_folder(settings.guardrails_path).screen(pairs, report)
    if not kept:
        from agriadvisor.errors import TrainingDataError

        raise TrainingDataError(f"no rows left after the pesticide screen. {report.render()}")
    return kept


def _settings() -> "Settings":
    from agriadvisor.config import Settings

    return Settings()


# ---- output folder -------------------------------------------------------------------------------
def _check_output(config: FinetuneConfig, resume: bool) -> None:
    saved = config.output / CONFIG_FILE
    if resume:
        if _last_checkpoint(config.output) is None:
            raise FinetuneError(f"--resume: no checkpoint in {config.output / CHECKPOINTS} to resume from")
        before = load_config(saved).model_dump(mode="json") if saved.is_file() else {}
        now = config.model_dump(mode="json")
        changed = sorted(k for k in now if k not in _RESUMABLE and before.get(k) != now[k])
        if changed:
            raise FinetuneError(f"--resume: these settings differ from the interrupted run in {saved}: "
                                f"{', '.join(changed)}; resume with the same settings or train into a new folder")
    elif saved.is_file() or (config.output / CHECKPOINTS).is_dir():
        raise FinetuneError(f"{config.output} already holds a fine-tuning run; pass --resume to continue it "
                            "or choose another --output folder")


def _last_checkpoint(output: Path) -> str | None:
    from transformers.trainer_utils import get_last_checkpoint

    folder = output / CHECKPOINTS
    return get_last_checkpoint(str(folder)) if folder.is_dir() else None


# ---- model ---------------------------------------------------------------------------------------
def load_base(config: FinetuneConfig, folder: Path, device: str) -> tuple[Any, Any]:
    """Tokenizer and base model, quantised as ``config.load_in`` says (NF4 + double quantisation)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig

    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the base is local; nothing may download
    compute = getattr(torch, config.compute_dtype)
    quant = None
    if config.load_in == "nf4":
        quant = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
                                   bnb_4bit_use_double_quant=config.double_quant, bnb_4bit_compute_dtype=compute)
    elif config.load_in == "8bit":
        quant = BitsAndBytesConfig(load_in_8bit=True)
    dtype = compute if config.load_in in ("nf4", "8bit") else getattr(torch, {"bf16": "bfloat16", "fp16": "float16",
                                                                             "fp32": "float32"}[config.load_in])
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
        model = AutoModelForCausalLM.from_pretrained(str(folder), quantization_config=quant, dtype=dtype,
                                                     device_map={"": device}, local_files_only=True)
    except (OSError, ValueError, ImportError, RuntimeError) as exc:
        raise FinetuneError(f"could not load the base model from {folder}: {exc}") from exc
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token  # padded labels are masked, so eos is still learnt
    return tokenizer, model


def add_lora(model: Any, config: FinetuneConfig) -> Any:
    """Wrap the (quantised) base with a trainable LoRA adapter."""
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training

    if config.load_in in ("nf4", "8bit"):
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=config.gradient_checkpointing,
                                                gradient_checkpointing_kwargs={"use_reentrant": False})
    elif config.gradient_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        model.enable_input_require_grads()
    lora = LoraConfig(r=config.lora_r, lora_alpha=config.lora_alpha, lora_dropout=config.lora_dropout,
                      target_modules=config.target_modules, bias="none", task_type="CAUSAL_LM")
    return get_peft_model(model, lora)


# ---- data ----------------------------------------------------------------------------------------
def prepare(builder: ExampleBuilder, train_pairs: list[QAPair], held_pairs: list[QAPair], report: DataReport,
            config: FinetuneConfig, settings: "Settings | None") -> Prepared:
    """Understand each question (and retrieve its evidence), build the prompts, drop over-long rows."""
    from collections import Counter

    from agriadvisor.advisor import Advisor
    from agriadvisor.finetune.evidence import QuestionReader

    reader = QuestionReader(Advisor(settings))
    prepared, languages = Prepared(), Counter()
    for pairs, held in ((train_pairs, False), (held_pairs, True)):
        infos, evidence = reader.read(pairs, retrieve=config.with_evidence, k=config.evidence_k)
        for pair, info, found in zip(pairs, infos, evidence):
            request = builder.request(pair, info, found)
            answer = cite_answer(pair.answer, found)
            example = builder.encode(request, answer)
            if example is None:
                report.drop(pair.row, "over_long")
                continue
            languages[info.language.partition("_")[0]] += 1
            if held:
                prepared.held_out.append(example)
                prepared.held_requests.append(request)
                prepared.held_answers.append(pair.answer)
            else:
                prepared.train.append(example)
    report.train, report.held_out = len(prepared.train), len(prepared.held_out)
    if not prepared.train:
        from agriadvisor.errors import TrainingDataError

        raise TrainingDataError(f"no training rows left after the checks. {report.render()}")
    prepared.languages = [lang for lang, _ in languages.most_common()]
    return prepared


# ---- training ------------------------------------------------------------------------------------
def make_trainer(model: Any, tokenizer: Any, prepared: Prepared, config: FinetuneConfig, device: str) -> Any:
    """A ``transformers.Trainer`` with Akṣara's recipe, checkpoints every ``save_steps`` steps and a
    log line appended to ``training_log.jsonl`` as training goes."""
    from functools import partial

    from transformers import Trainer, TrainingArguments

    cuda = device.startswith("cuda")
    args = TrainingArguments(
        output_dir=str(config.output / CHECKPOINTS), per_device_train_batch_size=config.train_batch_size,
        per_device_eval_batch_size=config.eval_batch_size, gradient_accumulation_steps=config.gradient_accumulation_steps,
        learning_rate=config.learning_rate, weight_decay=config.weight_decay, optim=config.optim,
        lr_scheduler_type=config.lr_scheduler, num_train_epochs=config.epochs, max_steps=config.max_steps,
        **_warmup(TrainingArguments, config.warmup_ratio), max_grad_norm=config.max_grad_norm,
        logging_steps=config.logging_steps,
        save_strategy="steps", save_steps=config.save_steps, save_total_limit=config.save_total_limit,
        eval_strategy="no", seed=config.seed, report_to=[], disable_tqdm=not config.progress,
        remove_unused_columns=False, use_cpu=not cuda, bf16=cuda and config.compute_dtype == "bfloat16",
        fp16=cuda and config.compute_dtype == "float16")  # checkpointing is switched on in add_lora
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    return Trainer(model=model, args=args, train_dataset=prepared.train, eval_dataset=prepared.held_out or None,
                   data_collator=partial(pad_batch, pad_id=pad), callbacks=[_LogFile(config.output)])


def _warmup(arguments: type, ratio: float) -> dict[str, float]:
    """transformers 5 reads a float ``warmup_steps`` below 1 as a ratio; 4.x has ``warmup_ratio``."""
    return {"warmup_ratio": ratio} if "warmup_ratio" in arguments.__dataclass_fields__ else {"warmup_steps": ratio}


def _LogFile(output: Path) -> Any:  # noqa: N802 - builds a TrainerCallback subclass lazily
    from transformers import TrainerCallback

    class LogFile(TrainerCallback):
        """Appends every log record to the partial log as it is made, so a stopped run keeps its log."""

        def on_log(self, args: Any, state: Any, control: Any, logs: dict | None = None, **kwargs: Any) -> None:
            if logs:
                with (output / PARTIAL_LOG).open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps({"step": state.global_step, **logs}) + "\n")

    return LogFile()


# ---- saving and scoring --------------------------------------------------------------------------
def write_profile(output: Path, config: FinetuneConfig, folder: Path, model: Any, tokenizer: Any,
                  prompt_format: str, languages: list[str], device: str) -> Path:
    """The backend profile that serves this adapter the way it was trained."""
    import yaml

    from agriadvisor.backends.adapter import PROFILE_FILE
    from agriadvisor.backends.profiles import Profile

    base = config.base if not Path(config.base).expanduser().exists() else str(folder.resolve())
    stops = [s for s in [tokenizer.eos_token, *STOPS[prompt_format]] if s]
    profile = Profile(
        name=output.name, model=base, architecture=model.config.model_type, prompt_format=prompt_format,
        description=f"LoRA adapter (r={config.lora_r}) on {config.base}, made by `agriadvisor finetune`.",
        tokens={"bos": tokenizer.bos_token, "eos": tokenizer.eos_token}, stop=stops,
        languages=languages or ["en"], context_length=config.max_seq_length, adapter_required=True,
        loading={"device": "cuda" if device.startswith("cuda") else device, "load_in": config.load_in},
        generation={"max_new_tokens": config.max_answer_tokens, "do_sample": False, "repetition_penalty": 1.1})
    path = output / PROFILE_FILE
    data = profile.model_dump(mode="json", exclude_none=True, exclude_defaults=False)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def evaluate_run(trainer: Any, output: Path, tokenizer: Any, prepared: Prepared, config: FinetuneConfig,
                 device: str) -> dict[str, Any]:
    """Loss on the held-out pairs, then ROUGE-L and answer checks of the model's own answers."""
    from agriadvisor.backends.adapter import AdapterBackend
    from agriadvisor.finetune.scoring import score_answers

    metrics: dict[str, Any] = {"train_loss": _final(trainer.state.log_history, "train_loss")}
    if not prepared.held_out:
        metrics["note"] = "no held-out rows (--eval-fraction 0)"
    else:
        metrics["eval_loss"] = trainer.evaluate()["eval_loss"]
        model = trainer.model
        model.eval()
        model.config.use_cache = True
        backend = AdapterBackend.with_model(output, model, tokenizer, device=device)
        scores, rows = score_answers(backend, prepared.held_requests, prepared.held_answers, progress=config.progress)
        metrics |= scores
        (output / "held_out.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    (output / "eval_report.json").write_text(json.dumps(metrics, indent=2), "utf-8")
    return metrics


def _final(history: list[dict[str, Any]], key: str) -> float | None:
    return next((h[key] for h in reversed(history) if key in h), None)


__all__ = ["FinetuneResult", "Prepared", "add_lora", "evaluate_run", "finetune", "load_base", "make_trainer",
           "prepare", "write_profile"]
