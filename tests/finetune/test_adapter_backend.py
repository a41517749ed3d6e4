"""``adapter:FOLDER`` lookups fail helpfully before any weights load."""

from __future__ import annotations

from pathlib import Path

import pytest

from agriadvisor.backends.registry import create_backend
from agriadvisor.errors import BackendUnavailableError, UnknownBackendError


def test_a_folder_that_is_not_an_adapter_says_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(BackendUnavailableError, match="no LoRA adapter at .*adapter_config.json is missing"):
        create_backend(f"adapter:{tmp_path}")
    (tmp_path / "adapter_config.json").write_text("{}")
    (tmp_path / "adapter_model.safetensors").write_bytes(b"")
    with pytest.raises(BackendUnavailableError, match="has no agriadvisor_profile.yaml; it was not written by "
                                                      "`agriadvisor finetune`"):
        create_backend(f"adapter:{tmp_path}")


def test_the_adapter_backend_needs_a_folder_and_other_backends_take_none() -> None:
    with pytest.raises(BackendUnavailableError, match="needs a folder: use --backend adapter:FOLDER"):
        create_backend("adapter")
    with pytest.raises(UnknownBackendError, match="backend 'extractive' takes nothing after ':'"):
        create_backend("extractive:x")
    with pytest.raises(UnknownBackendError, match="unknown backend 'nosuch'"):
        create_backend("nosuch:folder")


def test_the_settings_variable_selects_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from agriadvisor.advisor import Advisor

    monkeypatch.setenv("AGRIADVISOR_BACKEND", f"adapter:{tmp_path}")
    with pytest.raises(BackendUnavailableError, match=f"no LoRA adapter at {tmp_path}"):
        _ = Advisor().backend
