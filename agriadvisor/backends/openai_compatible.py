"""Any OpenAI-compatible chat server (vLLM, TGI, llama.cpp server, Ollama) as the generator.

This is how Akṣara serves many users at once: vLLM batches requests on one GPU and this
backend talks to it over HTTP. Streaming uses server-sent events; connection errors, timeouts,
HTTP 429 and 5xx are retried with exponential backoff before any text has arrived.

Example:
    >>> backend = OpenAIBackend(base_url="http://127.0.0.1:8000/v1", model="aksara")
    >>> text = backend.complete(request)                 # doctest: +SKIP
"""

from __future__ import annotations

import importlib.util
import json
import os
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Iterator

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from agriadvisor.backends.base import Backend, BackendNeeds, GenerationRequest, parse_options
from agriadvisor.backends.formats import chat_messages
from agriadvisor.backends.prompting import SMS_MAX_NEW_TOKENS, ApproximateCounter, PackedPrompt, pack_prompt
from agriadvisor.backends.stopping import stop_at_strings
from agriadvisor.errors import BackendError, BackendUnavailableError, MissingExtraError

if TYPE_CHECKING:
    import httpx

RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
BASE_URL_SETTING = "AGRIADVISOR_OPENAI_BASE_URL"


class OpenAIOptions(BaseModel):
    """Options of the OpenAI-compatible backend; a misspelt option is an error."""

    model_config = ConfigDict(extra="forbid")

    base_url: str = "http://127.0.0.1:8000/v1"
    model: str = Field(default="", description="Model name on the server; empty = the first one it lists.")
    api_key: SecretStr | None = Field(default=None, description="Falls back to OPENAI_API_KEY.")
    timeout: float = Field(default=60.0, gt=0, description="Seconds to wait for each read from the server.")
    connect_timeout: float = Field(default=5.0, gt=0)
    max_retries: int = Field(default=2, ge=0)
    backoff: float = Field(default=0.5, ge=0, description="First wait between attempts; doubles each retry.")
    max_backoff: float = Field(default=8.0, ge=0)
    stream: bool = True
    system_role: bool = Field(default=True, description="False folds the instructions into the user turn.")
    max_new_tokens: int = Field(default=256, gt=0)
    context_length: int = Field(default=4096, gt=0)
    temperature: float = Field(default=0.0, ge=0)
    top_p: float | None = Field(default=None, gt=0, le=1)
    seed: int | None = None
    stop: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=lambda: ["*"], description="Languages the served model writes.")
    extra_body: dict[str, Any] = Field(default_factory=dict, description="Server-specific fields, e.g. top_k for vLLM.")


class _Retry(Exception):
    """An attempt failed in a way that another attempt may fix."""

    def __init__(self, reason: str, kind: str) -> None:
        super().__init__(reason)
        self.kind = kind


class OpenAIBackend(Backend):
    """Chat completions from an OpenAI-compatible server, streamed or whole.

    Args:
        **options: see :class:`OpenAIOptions`. The key comes from ``api_key``, then the
            ``AGRIADVISOR_OPENAI_API_KEY`` setting, then ``OPENAI_API_KEY``; it never appears in a repr.
    """

    name: ClassVar[str] = "openai"
    needs: ClassVar[BackendNeeds] = BackendNeeds(
        network=True, extra="openai",
        description="Any OpenAI-compatible server (vLLM, TGI, llama.cpp server, Ollama) by URL, model and key.")

    def __init__(self, **options: Any) -> None:
        self.options = parse_options(OpenAIOptions, "openai", options)
        self.base_url = self.options.base_url.rstrip("/")
        self._client: "httpx.Client | None" = None
        self._model = self.options.model
        self._lock = threading.Lock()
        self.sleep: Callable[[float], None] = time.sleep  # tests count the waits
        self.attempts = 0

    @classmethod
    def from_settings(cls, settings: Any, **options: Any) -> "OpenAIBackend":
        """Options from ``AGRIADVISOR_OPENAI_*`` settings, then the explicit ``options``."""
        values: dict[str, Any] = {}
        if settings is not None:
            values = {"base_url": settings.openai_base_url, "model": settings.openai_model,
                      "api_key": settings.openai_api_key, "timeout": settings.openai_timeout,
                      "max_retries": settings.openai_max_retries, "system_role": settings.openai_system_role,
                      "max_new_tokens": settings.backend_max_new_tokens,
                      "context_length": settings.backend_context_length}
            values = {k: v for k, v in values.items() if v not in (None, "")}
        return cls(**(values | options))

    def __repr__(self) -> str:
        return f"OpenAIBackend(base_url={self.base_url!r}, model={self._model or '(first listed)'!r})"

    # ---- connection -------------------------------------------------------------------------
    def _api_key(self) -> str | None:
        if self.options.api_key is not None:
            return self.options.api_key.get_secret_value()
        return os.environ.get("OPENAI_API_KEY") or None

    @property
    def client(self) -> "httpx.Client":
        """The pooled HTTP client, created on first use."""
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._make_client()
        return self._client

    def _make_client(self) -> "httpx.Client":
        if importlib.util.find_spec("httpx") is None:
            raise MissingExtraError("the openai backend needs httpx: pip install 'agriadvisor[openai]'")
        import httpx

        key = self._api_key()
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        timeout = httpx.Timeout(self.options.timeout, connect=self.options.connect_timeout)
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout)

    def close(self) -> None:
        """Close the HTTP connections (they are reopened on the next question)."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def warm_up(self) -> None:
        """Check the server answers (and learn the model name) before the first question."""
        _ = self.model

    @property
    def model(self) -> str:
        """The model name sent to the server; asked of the server when not configured."""
        if not self._model:
            response = self._with_retries(lambda: self._send("GET", "/models"))
            models = [m.get("id") for m in response.json().get("data", []) if m.get("id")]
            if not models:
                raise BackendUnavailableError(f"openai: the server at {self.base_url} lists no models")
            self._model = models[0]
        return self._model

    # ---- retries ------------------------------------------------------------------------------
    def _send(self, method: str, path: str, *, body: dict[str, Any] | None = None,
              stream: bool = False) -> "httpx.Response":
        """One attempt; transient failures raise :class:`_Retry`, permanent ones :class:`BackendError`."""
        import httpx

        self.attempts += 1
        try:
            request = self.client.build_request(method, path, json=body)
            response = self.client.send(request, stream=stream)
        except httpx.ConnectError as exc:
            raise _Retry(f"connection refused or unreachable ({exc})", "connect") from exc
        except httpx.TimeoutException as exc:
            raise _Retry(f"no answer within {self.options.timeout:g} s ({type(exc).__name__})", "timeout") from exc
        except httpx.TransportError as exc:
            raise _Retry(f"{type(exc).__name__}: {exc}", "transport") from exc
        if response.status_code < 400:
            return response
        detail = _error_detail(response)
        if response.status_code in RETRY_STATUS:
            raise _Retry(f"HTTP {response.status_code}: {detail}", "status")
        if response.status_code in (401, 403):
            raise BackendError(f"openai: the server at {self.base_url} refused the API key (HTTP "
                               f"{response.status_code}: {detail}); set AGRIADVISOR_OPENAI_API_KEY or OPENAI_API_KEY")
        raise BackendError(f"openai: the server at {self.base_url} rejected the request (HTTP "
                           f"{response.status_code}): {detail}")

    def _with_retries(self, attempt: Callable[[], "httpx.Response"]) -> "httpx.Response":
        """Run ``attempt`` until it succeeds, waiting 1x, 2x, 4x ... ``backoff`` between tries."""
        tries = self.options.max_retries + 1
        for number in range(1, tries + 1):
            try:
                return attempt()
            except _Retry as exc:
                last = exc
                if number < tries:
                    self.sleep(min(self.options.backoff * 2 ** (number - 1), self.options.max_backoff))
        raise self._gave_up(last, tries)

    def _gave_up(self, exc: _Retry, tries: int) -> BackendUnavailableError:
        where = f"the OpenAI-compatible server at {self.base_url}"
        if exc.kind == "connect":
            return BackendUnavailableError(
                f"openai: no server answers at {self.base_url}: {exc} after {tries} attempts. Start it (for example "
                f"`vllm serve ...`, see docs/backends.md) or point {BASE_URL_SETTING} at a running one.")
        if exc.kind == "timeout":
            return BackendUnavailableError(
                f"openai: {where} timed out: {exc} after {tries} attempts. It may be overloaded or loading the "
                "model; raise AGRIADVISOR_OPENAI_TIMEOUT or check the server.")
        return BackendUnavailableError(f"openai: {where} kept failing ({exc}) after {tries} attempts")

    # ---- prompting and generation -------------------------------------------------------------
    def max_new_tokens(self, request: GenerationRequest) -> int:
        """The option's cap, lowered by the request and by SMS."""
        limit = min(self.options.max_new_tokens, request.max_new_tokens)
        return min(limit, SMS_MAX_NEW_TOKENS) if request.sms else limit

    def build_prompt(self, request: GenerationRequest) -> PackedPrompt:
        """Messages packed to the context budget; tokens are estimated (the server's tokenizer is remote)."""
        render = lambda parts: "\n\n".join(m["content"] for m in chat_messages(parts))  # noqa: E731
        budget = self.options.context_length - self.max_new_tokens(request)
        return pack_prompt(request, render, ApproximateCounter(), budget, languages=self.options.languages)

    def request_body(self, request: GenerationRequest, *, stream: bool) -> dict[str, Any]:
        """The JSON body of one chat-completion request."""
        parts = self.build_prompt(request).parts
        messages = chat_messages(parts, system_role=self.options.system_role)
        body: dict[str, Any] = {"model": self.model, "messages": messages, "max_tokens": self.max_new_tokens(request),
                                "temperature": self.options.temperature, "stream": stream}
        if self.options.top_p is not None:
            body["top_p"] = self.options.top_p
        if self.options.seed is not None:
            body["seed"] = self.options.seed
        if self.options.stop:
            body["stop"] = self.options.stop[:4]  # the API accepts at most four
        return body | self.options.extra_body

    def generate(self, request: GenerationRequest) -> Iterator[str]:
        """Stream the server's answer (or fetch it whole with ``stream=False``), cut at any stop string."""
        pieces = self._stream_pieces(request) if self.options.stream else self._whole(request)
        yield from stop_at_strings(pieces, self.options.stop)

    def _whole(self, request: GenerationRequest) -> Iterator[str]:
        body = self.request_body(request, stream=False)
        response = self._with_retries(lambda: self._send("POST", "/chat/completions", body=body))
        try:
            content = response.json()["choices"][0]["message"].get("content") or ""
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise BackendError(f"openai: unexpected reply from {self.base_url}: {response.text[:200]!r}") from exc
        yield content

    def _stream_pieces(self, request: GenerationRequest) -> Iterator[str]:
        import httpx

        body = self.request_body(request, stream=True)
        response = self._with_retries(lambda: self._send("POST", "/chat/completions", body=body, stream=True))
        received = 0
        try:
            for data in _sse_data(response.iter_lines()):
                piece = _delta_content(data, self.base_url)
                if piece:
                    received += len(piece)
                    yield piece
        except httpx.TimeoutException as exc:
            raise BackendUnavailableError(f"openai: the server at {self.base_url} stopped sending after "
                                          f"{received} characters (no data within {self.options.timeout:g} s)") from exc
        except httpx.TransportError as exc:
            raise BackendUnavailableError(f"openai: the stream from {self.base_url} broke: {exc}") from exc
        finally:
            response.close()

    # ---- availability -----------------------------------------------------------------------
    @classmethod
    def availability(cls) -> tuple[bool, str]:
        """Whether httpx is installed and a server answers at the configured URL (1 s probe)."""
        if importlib.util.find_spec("httpx") is None:
            return False, "needs httpx: pip install 'agriadvisor[openai]'"
        from agriadvisor.config import Settings

        backend = cls.from_settings(Settings(), timeout=1.0, connect_timeout=1.0, max_retries=0)
        try:
            return True, f"ready: {backend.base_url} serves {backend.model!r}"
        except BackendUnavailableError:
            return False, f"no server answers at {backend.base_url}: start one or set {BASE_URL_SETTING}"
        except BackendError as exc:
            return False, str(exc)
        finally:
            backend.close()


def _error_detail(response: "httpx.Response") -> str:
    """The server's error message, read from a JSON body when there is one."""
    try:
        response.read()
        data = response.json()
        error = data.get("error", data) if isinstance(data, dict) else data
        message = error.get("message", error) if isinstance(error, dict) else error
        return str(message)[:300]
    except Exception:  # noqa: BLE001 - any unreadable body: fall back to its text
        return (response.text or response.reason_phrase)[:300]
    finally:
        response.close()


def _sse_data(lines: Iterator[str]) -> Iterator[dict[str, Any]]:
    """The JSON payloads of a server-sent-event stream, up to ``[DONE]``."""
    for line in lines:
        if not line.startswith("data:"):
            continue
        payload = line[5:].strip()
        if payload == "[DONE]":
            return
        try:
            yield json.loads(payload)
        except ValueError as exc:
            raise BackendError(f"openai: malformed event in the stream: {payload[:200]!r}") from exc


def _delta_content(data: dict[str, Any], base_url: str) -> str:
    if "error" in data:
        raise BackendError(f"openai: the server at {base_url} reported an error mid-stream: {data['error']}")
    choices = data.get("choices") or [{}]
    return (choices[0].get("delta") or {}).get("content") or ""


__all__ = ["OpenAIBackend", "OpenAIOptions"]
