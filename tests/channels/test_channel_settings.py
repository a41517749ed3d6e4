"""Channel settings: secrets stay secret, limits are checked, and the CLI stays light."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pydantic import ValidationError

from agriadvisor.config import Settings


def test_secrets_never_show_in_repr_or_dumps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGRIADVISOR_TWILIO_AUTH_TOKEN", "twilio-secret-value")
    monkeypatch.setenv("AGRIADVISOR_META_APP_SECRET", "meta-secret-value")
    monkeypatch.setenv("AGRIADVISOR_PHONE_HASH_KEY", "hash-key-secret-value")
    s = Settings()
    assert s.twilio_auth_token is not None and s.twilio_auth_token.get_secret_value() == "twilio-secret-value"
    for text in (repr(s), str(s), s.model_dump_json(), str(s.model_dump())):
        assert "secret-value" not in text


@pytest.mark.parametrize("field, value", [("sms_max_segments", 0), ("rate_limit_per_minute", -1.0),
                                          ("rate_limit_burst", 0), ("max_request_bytes", 0)])
def test_limits_must_be_positive(field: str, value: float) -> None:
    with pytest.raises(ValidationError, match=f"{field} must be greater than 0, got {value}"):
        Settings(**{field: value})


def test_cli_and_channels_import_no_server_or_model_libraries() -> None:
    code = ("import sys, agriadvisor.cli, agriadvisor.channels; "
            "print(sorted(m for m in ('fastapi', 'uvicorn', 'torch', 'faiss', 'httpx') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"
