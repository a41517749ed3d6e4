"""Shared fixtures: real documents, the bundled MiniLM model, indexes built once per session."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
KNOWLEDGE = REPO / "knowledge"
SMALL_DOCS = ("india/rice.md", "india/wheat.md", "nepal/wheat.md", "pakistan/cotton.md", "bangladesh/rice.md")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests may talk to loopback servers only; anything else is a bug (and offline in CI)."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0] if isinstance(address, tuple) else ""
            if host not in ("127.0.0.1", "::1", "localhost") and not str(host).startswith("127."):
                raise OSError(f"network access blocked in tests: {address}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def small_knowledge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of a few real guides plus the glossary and places lists."""
    root = tmp_path_factory.mktemp("knowledge")
    for rel in SMALL_DOCS:
        src = KNOWLEDGE / rel
        if src.exists():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, root / rel)
    for name in ("glossary.yaml", "places.yaml"):
        if (KNOWLEDGE / name).exists():
            shutil.copy(KNOWLEDGE / name, root / name)
    return root


@pytest.fixture(scope="session")
def small_settings(small_knowledge: Path, tmp_path_factory: pytest.TempPathFactory):
    from agriadvisor.config import Settings

    return Settings(knowledge_path=small_knowledge, index_path=tmp_path_factory.mktemp("index"), guardrails=False)


@pytest.fixture(scope="session")
def small_advisor(small_settings):
    """An Advisor over the small real corpus, index built with the bundled MiniLM."""
    from agriadvisor.advisor import Advisor

    adv = Advisor(small_settings)
    _ = adv.index
    return adv


@pytest.fixture(scope="session")
def full_advisor(tmp_path_factory: pytest.TempPathFactory):
    """An Advisor over the whole shipped knowledge base with guardrails on (index built once)."""
    from agriadvisor.advisor import Advisor
    from agriadvisor.config import Settings

    adv = Advisor(Settings(index_path=tmp_path_factory.mktemp("full-index")))
    _ = adv.index
    return adv
