"""Built-in backends are plug-ins like any other: registered as entry points, listed by
``agriadvisor backends`` with what they need, and light to import."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import entry_points

import pytest

from agriadvisor.backends.base import Backend, BackendNeeds
from agriadvisor.backends.registry import GROUP, backend_class, backend_names, create_backend
from agriadvisor.errors import ConfigError

BUILT_IN = {"extractive", "aksara", "krutrim", "aira", "aira-pt", "mistral-uz", "smollm2", "openai", "langchain",
            "llamacpp", "adapter"}


def test_every_built_in_is_an_installed_entry_point() -> None:
    installed = {ep.name for ep in entry_points(group=GROUP)}
    assert BUILT_IN <= installed, "run `pip install -e .` so the entry points refresh"
    assert BUILT_IN <= set(backend_names())


@pytest.mark.parametrize("name", sorted(BUILT_IN))
def test_each_class_declares_its_name_needs_and_availability(name: str) -> None:
    cls = backend_class(name)
    assert issubclass(cls, Backend) and cls.name == name
    assert isinstance(cls.needs, BackendNeeds) and cls.needs.description
    ok, why = cls.availability()
    assert isinstance(ok, bool) and why


def test_importing_the_backends_loads_no_heavy_library() -> None:
    code = ("import sys\nfrom agriadvisor.backends.registry import backend_class\n"
            "for n in ['aksara', 'smollm2', 'openai', 'langchain', 'llamacpp']:\n    backend_class(n)\n"
            "from agriadvisor.backends.registry import create_backend\ncreate_backend('aksara')\n"
            "heavy = ('torch', 'transformers', 'httpx', 'langchain_core', 'bitsandbytes')\n"
            "print([m for m in heavy if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_misspelt_option_fails_loudly() -> None:
    with pytest.raises(ConfigError, match="invalid option for backend 'aksara'.*lod_in"):
        create_backend("aksara", None, lod_in="nf4")
    with pytest.raises(ConfigError, match="load_in"):
        create_backend("aksara", None, load_in="int3")


def test_settings_reach_the_model_backends(tmp_path) -> None:
    from agriadvisor.config import Settings

    settings = Settings(backend_model_path="/models/aksara", backend_adapter_path="/adapters/a", backend_load_in="8bit",
                        backend_device="cuda:1", backend_max_new_tokens=99, model_cache_path=tmp_path)
    backend = create_backend("aksara", settings)
    spec = backend.load_spec()
    assert (spec.source, spec.adapter, spec.load_in, spec.device) == ("/models/aksara", "/adapters/a", "8bit", "cuda:1")
    assert backend.options.max_new_tokens == 99 and spec.convert_cache == tmp_path


def test_cli_lists_every_backend_with_needs_and_status(monkeypatch) -> None:
    from typer.testing import CliRunner

    from agriadvisor.cli import app

    monkeypatch.setenv("AGRIADVISOR_OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens on port 9
    result = CliRunner().invoke(app, ["backends", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(result.output)}
    assert BUILT_IN <= set(rows)
    assert rows["extractive"]["usable"] and rows["smollm2"]["usable"]
    assert rows["aksara"]["gpu"] and rows["aksara"]["weights"] and rows["aksara"]["extra"] == "gpu"
    assert rows["openai"]["network"] and not rows["openai"]["usable"]
    assert "127.0.0.1:9" in rows["openai"]["status"]
    assert "AGRIADVISOR_BACKEND_ADAPTER_PATH" in rows["mistral-uz"]["status"]
    text = CliRunner().invoke(app, ["backends"]).output
    assert "aksara" in text and "needs: gpu, weights [extra: gpu]" in text
