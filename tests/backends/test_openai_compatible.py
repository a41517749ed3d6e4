"""The openai backend against a real OpenAI-compatible HTTP server on 127.0.0.1, backed by a
real (tiny) model: streaming and whole answers, retries with backoff, a server that is down,
slow, flaky, stalls mid-stream or refuses the key."""

from __future__ import annotations

import socket
import time
from typing import Iterator

import pytest

from agriadvisor.backends.openai_compatible import OpenAIBackend
from agriadvisor.errors import BackendError, BackendUnavailableError, ConfigError

from .conftest import make_request
from .openai_server import MODEL_NAME, LoopbackServer, make_app


@pytest.fixture
def fresh_server(chat_model) -> Iterator[LoopbackServer]:
    """A server of its own for tests that make it misbehave."""
    with LoopbackServer(make_app(chat_model)) as running:
        yield running


def backend_for(server: LoopbackServer, **options) -> OpenAIBackend:
    backend = OpenAIBackend(base_url=server.base_url, max_new_tokens=12, backoff=0.05, **options)
    backend.waits = []
    real_sleep = backend.sleep
    backend.sleep = lambda s: (backend.waits.append(s), real_sleep(s))
    return backend


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_streamed_and_whole_answers_are_identical_and_match_the_model(server, chat_model) -> None:
    request = make_request(max_new_tokens=12)
    streamed = backend_for(server)
    whole = backend_for(server, stream=False)
    pieces = list(streamed.generate(request))
    assert len(pieces) > 1
    body = streamed.request_body(request, stream=True)
    expected = chat_model.text(body["messages"], 12)
    assert "".join(pieces) == streamed.complete(request) == whole.complete(request) == expected


def test_the_request_carries_the_packed_prompt_and_discovers_the_model(server) -> None:
    backend = backend_for(server)
    backend.complete(make_request())
    body = server.app.state.bodies[-1]
    assert body["model"] == MODEL_NAME and body["stream"] is True and body["max_tokens"] == 12
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert body["messages"][0]["content"].startswith("You are a crop advisor")
    assert "[1] Wheat in Nepal: Sowing" in body["messages"][1]["content"]
    folded = backend_for(server, system_role=False, model=MODEL_NAME).request_body(make_request(), stream=False)
    assert [m["role"] for m in folded["messages"]] == ["user"]
    assert folded["messages"][0]["content"].startswith("You are a crop advisor")


def test_a_server_that_is_down_gives_a_clear_error_after_backoff() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    backend = OpenAIBackend(base_url=url, model="m", max_retries=2, backoff=0.05)
    waits: list[float] = []
    backend.sleep = waits.append
    with pytest.raises(BackendUnavailableError) as err:
        backend.complete(make_request())
    message = str(err.value)
    assert f"no server answers at {url}" in message and "connection refused" in message
    assert "after 3 attempts" in message and "AGRIADVISOR_OPENAI_BASE_URL" in message
    assert waits == [0.05, 0.1] and backend.attempts == 3
    assert "Traceback" not in message


def test_a_slow_server_times_out_with_a_clear_error(fresh_server) -> None:
    fresh_server.app.state.delay_s = 3.0
    backend = backend_for(fresh_server, model=MODEL_NAME, timeout=0.3, max_retries=1)
    start = time.monotonic()
    with pytest.raises(BackendUnavailableError, match=r"timed out: no answer within 0.3 s .* after 2 attempts"):
        backend.complete(make_request())
    assert time.monotonic() - start < 2.5
    assert backend.waits == [0.05] and fresh_server.app.state.calls == 2


def test_a_flaky_server_is_retried_with_backoff(fresh_server) -> None:
    fresh_server.app.state.fail_first = 2
    backend = backend_for(fresh_server, model=MODEL_NAME, max_retries=2)
    assert backend.complete(make_request())
    assert backend.waits == [0.05, 0.1] and backend.attempts == 3


def test_a_server_that_keeps_failing_says_so(fresh_server) -> None:
    fresh_server.app.state.fail_first = 10
    backend = backend_for(fresh_server, model=MODEL_NAME, max_retries=1)
    with pytest.raises(BackendUnavailableError, match=r"kept failing \(HTTP 503: model is loading\) after 2 attempts"):
        backend.complete(make_request())


def test_a_stream_that_stalls_midway_is_reported(fresh_server) -> None:
    fresh_server.app.state.stall_after = 2
    backend = backend_for(fresh_server, model=MODEL_NAME, timeout=0.5)
    with pytest.raises(BackendUnavailableError, match="stopped sending after [0-9]+ characters"):
        backend.complete(make_request())


def test_the_api_key_is_sent_checked_and_never_shown(fresh_server, monkeypatch) -> None:
    fresh_server.app.state.api_key = "sk-secret"
    wrong = backend_for(fresh_server, model=MODEL_NAME, api_key="sk-wrong")
    with pytest.raises(BackendError, match=r"refused the API key \(HTTP 401: invalid api key\)"):
        wrong.complete(make_request())
    assert wrong.attempts == 1  # a refused key is not retried
    right = backend_for(fresh_server, model=MODEL_NAME, api_key="sk-secret")
    assert right.complete(make_request())
    assert "sk-secret" not in repr(right) and "sk-secret" not in repr(right.options)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret")
    assert backend_for(fresh_server, model=MODEL_NAME).complete(make_request())


def test_settings_configure_the_backend(server) -> None:
    from agriadvisor.backends.registry import create_backend
    from agriadvisor.config import Settings

    settings = Settings(openai_base_url=server.base_url, openai_model=MODEL_NAME, openai_timeout=7,
                        openai_api_key="sk-from-settings", backend_max_new_tokens=5)
    backend = create_backend("openai", settings)
    assert (backend.base_url, backend.model, backend.options.timeout, backend.options.max_new_tokens) == (
        server.base_url, MODEL_NAME, 7, 5)
    assert backend._api_key() == "sk-from-settings"
    with pytest.raises(ConfigError, match="temprature"):
        create_backend("openai", settings, temprature=0.2)


def test_stop_strings_apply_to_the_streamed_text(server) -> None:
    request = make_request(max_new_tokens=12)
    full = backend_for(server, model=MODEL_NAME).complete(request)
    stop = full[len(full) // 2:len(full) // 2 + 2]
    assert backend_for(server, model=MODEL_NAME, stop=[stop]).complete(request) == full[:full.index(stop)]
