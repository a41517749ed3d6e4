"""Serve a LoRA adapter folder written by ``agriadvisor finetune``: the folder carries its own
backend profile (base model, prompt format, stops, loading), so it says how to load itself.

Example:
    >>> from agriadvisor import Advisor
    >>> adv = Advisor(backend="adapter:adapters/my-agency")        # doctest: +SKIP
    >>> adv.ask("When should I sow wheat?", country="Nepal").backend  # doctest: +SKIP
    'adapter'

The same works as ``--backend adapter:adapters/my-agency`` on the command line and as
``AGRIADVISOR_BACKEND=adapter:adapters/my-agency``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any, ClassVar

from agriadvisor.backends.base import BackendNeeds
from agriadvisor.backends.hf_loader import LoadedModel, resolve_adapter
from agriadvisor.backends.profiles import Profile, load_profile_file
from agriadvisor.backends.transformers_backend import TransformersBackend, split_stops
from agriadvisor.errors import BackendUnavailableError

PROFILE_FILE = "agriadvisor_profile.yaml"


def adapter_profile(folder: Path | str) -> Profile:
    """The profile saved in an adapter folder; the error says what the folder lacks."""
    folder = Path(folder).expanduser()
    resolve_adapter("adapter", str(folder))
    path = folder / PROFILE_FILE
    if not path.is_file():
        raise BackendUnavailableError(f"adapter: {folder} has no {PROFILE_FILE}; it was not written by "
                                      "`agriadvisor finetune` (for other adapters use the mistral-uz backend with "
                                      "AGRIADVISOR_BACKEND_ADAPTER_PATH)")
    return load_profile_file(path)


class AdapterBackend(TransformersBackend):
    """A fine-tuned LoRA adapter on its base model, prompted as it was trained.

    Args:
        folder: the adapter folder (``adapter_config.json``, the weights and ``agriadvisor_profile.yaml``).
        **options: see :class:`~agriadvisor.backends.transformers_backend.TransformersOptions`.
    """

    name: ClassVar[str] = "adapter"
    needs: ClassVar[BackendNeeds] = BackendNeeds(
        weights=True, extra="gpu",
        description="A LoRA adapter made by `agriadvisor finetune`: --backend adapter:FOLDER.")

    def __init__(self, folder: Path | str | None = None, **options: Any) -> None:
        folder = folder or options.get("adapter_path")
        if not folder:
            raise BackendUnavailableError("the adapter backend needs a folder: use --backend adapter:FOLDER "
                                          "(written by `agriadvisor finetune`)")
        self.folder = Path(folder).expanduser()
        options["adapter_path"] = str(self.folder)
        super().__init__(profile=adapter_profile(self.folder), **options)

    @classmethod
    def from_target(cls, target: str, settings: Any = None, **options: Any) -> "AdapterBackend":
        """``adapter:FOLDER``: the registry passes FOLDER here."""
        return cls.from_settings(settings, folder=target, **options)

    @classmethod
    def from_settings(cls, settings: Any, **options: Any) -> "AdapterBackend":
        if settings is not None and not str(getattr(settings, "backend", "")).startswith("adapter"):
            # model paths set for another backend are not this adapter's; device and limits still count
            settings = settings.model_copy(update={"backend_model_path": "", "backend_adapter_path": ""})
        return super().from_settings(settings, **options)  # type: ignore[return-value]

    @classmethod
    def with_model(cls, folder: Path | str, model: Any, tokenizer: Any, *, device: str, **options: Any) -> "AdapterBackend":
        """A backend over a model already in memory (the fine-tuning run scores its own result)."""
        backend = cls(folder, **options)
        loaded = LoadedModel(model=model, tokenizer=tokenizer, folder=backend.folder, device=device,
                             load_in=backend.load_in)
        backend._check_tokens(loaded)
        backend._stops = split_stops(tokenizer, backend.profile.stop + backend.options.stop)
        backend._loaded = loaded
        return backend

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        missing = [m for m in ("transformers", "peft") if importlib.util.find_spec(m) is None]
        if missing:
            return False, f"needs {', '.join(missing)}: pip install 'agriadvisor[gpu]'"
        return True, "ready for adapter:FOLDER (a folder written by `agriadvisor finetune`)"


__all__ = ["PROFILE_FILE", "AdapterBackend", "adapter_profile"]
