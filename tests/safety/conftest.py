"""Shared fixtures for the guardrail tests: the real policy files, loaded once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agriadvisor.safety.engine import GuardrailEngine
from agriadvisor.understanding.query import QueryUnderstanding

ROOT = Path(__file__).resolve().parents[2]
GUARDRAILS = ROOT / "guardrails"
PROMPTS = ROOT / "tests" / "data" / "guardrail_prompts.jsonl"
KCC_CSV = ROOT.parent / "shared" / "eval" / "kcc" / "kcc_telangana_2025-01.csv"


@pytest.fixture(scope="session")
def guardrails_dir() -> Path:
    return GUARDRAILS


@pytest.fixture(scope="session")
def prompts_path() -> Path:
    return PROMPTS


@pytest.fixture(scope="session")
def kcc_csv() -> Path:
    return KCC_CSV


@pytest.fixture(scope="session")
def engine() -> GuardrailEngine:
    return GuardrailEngine.from_folder(GUARDRAILS)


@pytest.fixture(scope="session")
def understanding() -> QueryUnderstanding:
    # The same understanding step as the Advisor: knowledge/glossary.yaml and places.yaml.
    return QueryUnderstanding.from_folder(ROOT / "knowledge")


@pytest.fixture
def ask(engine: GuardrailEngine, understanding: QueryUnderstanding):
    """Run the input rails on a question the way the Advisor does (understanding first)."""

    def _ask(text: str, country: str | None = None, crop: str | None = None):
        return engine.check_input(understanding.run(text, country=country, crop=crop))

    return _ask


@pytest.fixture
def policy_copy(tmp_path: Path) -> Path:
    """A private copy of guardrails/ that a test may break."""
    target = tmp_path / "guardrails"
    shutil.copytree(GUARDRAILS, target)
    return target
