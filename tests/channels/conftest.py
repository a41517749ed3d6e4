"""Fixtures for the channels: bot settings with test secrets and apps over the session's small Advisor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from ._helpers import HASH_KEY, META_SECRET, META_VERIFY, TWILIO_TOKEN


@pytest.fixture
def bot_settings(small_settings, tmp_path: Path):
    """The small corpus's settings plus channel secrets and a fresh state database."""
    return small_settings.model_copy(update={
        "twilio_auth_token": SecretStr(TWILIO_TOKEN), "meta_app_secret": SecretStr(META_SECRET),
        "meta_verify_token": SecretStr(META_VERIFY), "phone_hash_key": SecretStr(HASH_KEY),
        "state_db_path": tmp_path / "state.sqlite3", "rate_limit_per_minute": 600.0, "rate_limit_burst": 50,
    })


@pytest.fixture
def make_client(small_advisor, bot_settings):
    """Build an app over the session's small Advisor, with optional setting overrides, and open a TestClient."""
    from fastapi.testclient import TestClient

    from agriadvisor.channels.server import create_app

    opened: list[Any] = []

    def make(**overrides: Any) -> Any:
        settings = bot_settings.model_copy(update=overrides)
        client = TestClient(create_app(small_advisor, settings))
        client.__enter__()  # runs the lifespan: warm-up, like a real start
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client):
    return make_client()


@pytest.fixture
def outbox(client) -> Any:
    """Where the app keeps WhatsApp Cloud API replies in tests (nothing is sent to Meta)."""
    return client.app.state.channels.sender
