"""The bot backend: a FastAPI app with Twilio and WhatsApp Cloud API webhooks (``agriadvisor serve``).

One :class:`~agriadvisor.advisor.Advisor` serves the whole process; it is warmed up when the
app starts, so the first farmer does not wait for the model. Requests are answered in worker
threads (the Advisor is safe for concurrent reads; the state store serialises its writes).

Endpoints:
    ``GET /healthz``                 liveness and readiness
    ``POST /webhooks/twilio``        Twilio SMS and WhatsApp (form-encoded; replies in TwiML)
    ``GET /webhooks/meta``           WhatsApp Cloud API verification handshake
    ``POST /webhooks/meta``          WhatsApp Cloud API notifications (JSON; replies sent separately)

Example:
    >>> app = create_app(Advisor(settings), settings)     # doctest: +SKIP
    >>> uvicorn.run(app, host="127.0.0.1", port=8000)      # doctest: +SKIP
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, AsyncIterator

from agriadvisor.channels import meta, twilio
from agriadvisor.channels.conversation import Conversation
from agriadvisor.channels.formatting import split_message
from agriadvisor.channels.ratelimit import RateLimiter
from agriadvisor.channels.state import StateStore
from agriadvisor.config import Settings
from agriadvisor.errors import ConfigError, MissingExtraError

try:
    from fastapi import BackgroundTasks, FastAPI, Request
    from fastapi.responses import JSONResponse, PlainTextResponse, Response
    from starlette.concurrency import run_in_threadpool
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise MissingExtraError("the bot server needs FastAPI and uvicorn: pip install 'agriadvisor[server]'") from exc

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

    from agriadvisor.advisor import Advisor

__all__ = ["BodySizeLimit", "ChannelRuntime", "app_from_env", "create_app"]

log = logging.getLogger(__name__)


@dataclass
class ChannelRuntime:
    """What the endpoints share; kept on ``app.state.channels`` (tests read the outbox and store here)."""

    settings: Settings
    advisor: "Advisor"
    store: StateStore
    conversation: Conversation
    limiter: RateLimiter
    sender: meta.MessageSender
    ready: bool = False


def _secret(value: object) -> str:
    return value.get_secret_value() if value is not None else ""  # type: ignore[attr-defined]


def _default_sender(settings: Settings) -> meta.MessageSender:
    token = _secret(settings.meta_access_token)
    if token and settings.meta_phone_number_id:
        return meta.GraphApiSender(token, settings.meta_phone_number_id)
    if settings.meta_app_secret is not None:
        log.warning("no AGRIADVISOR_META_ACCESS_TOKEN: WhatsApp Cloud API replies are kept in memory, not sent")
    return meta.Outbox()


def _runtime(advisor: "Advisor | None", settings: Settings | None, sender: meta.MessageSender | None) -> ChannelRuntime:
    if settings is None:
        settings = advisor.settings if advisor is not None else Settings()
    if settings.phone_hash_key is None:
        raise ConfigError("set AGRIADVISOR_PHONE_HASH_KEY (a long random secret) so phone numbers are stored only "
                          "as keyed hashes; generate one with: python -c \"import secrets; print(secrets.token_hex(32))\"")
    for name, env in (("twilio_auth_token", "TWILIO_AUTH_TOKEN"), ("meta_app_secret", "META_APP_SECRET")):
        if getattr(settings, name) is None:
            log.warning("AGRIADVISOR_%s is not set: that webhook refuses every request", env)
    if advisor is None:
        from agriadvisor.advisor import Advisor

        advisor = Advisor(settings)
    store = StateStore(settings.state_db_path, key=_secret(settings.phone_hash_key))
    conversation = Conversation(advisor, store, sms_max_segments=settings.sms_max_segments)
    limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
    return ChannelRuntime(settings, advisor, store, conversation, limiter, sender or _default_sender(settings))


def create_app(advisor: "Advisor | None" = None, settings: Settings | None = None, *,
               sender: meta.MessageSender | None = None, warm_up: bool = True) -> FastAPI:
    """Build the bot app around one Advisor (created from ``settings`` when not given).

    Args:
        advisor: the Advisor that answers; shared by all requests.
        settings: secrets, state database, limits; defaults to the advisor's settings.
        sender: where WhatsApp Cloud API replies go; by default the Graph API when a token is
            configured, else an in-memory :class:`~agriadvisor.channels.meta.Outbox`.
        warm_up: load the model and index at start-up rather than on the first message.

    Raises:
        ConfigError: no ``phone_hash_key``, or a state database created with another key.
    """
    rt = _runtime(advisor, settings, sender)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if warm_up:
            await run_in_threadpool(rt.advisor.warm_up)
        rt.ready = True
        log.info("agriadvisor bot ready (backend %s)", rt.advisor.settings.backend)
        try:
            yield
        finally:
            rt.ready = False
            rt.store.close()

    app = FastAPI(title="agriadvisor bot", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.channels = rt
    app.add_middleware(BodySizeLimit, max_bytes=rt.settings.max_request_bytes)
    _add_routes(app, rt)
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory agriadvisor.channels.server:app_from_env`` (settings from the environment)."""
    return create_app()


def _add_routes(app: FastAPI, rt: ChannelRuntime) -> None:
    @app.get("/healthz")
    def healthz() -> JSONResponse:
        body = {"status": "ok" if rt.ready else "starting", "ready": rt.ready, "backend": rt.advisor.settings.backend}
        return JSONResponse(body, status_code=200 if rt.ready else 503)

    @app.post("/webhooks/twilio")
    async def twilio_webhook(request: Request) -> Response:
        return await _twilio(rt, request)

    @app.get("/webhooks/meta")
    def meta_verify(request: Request) -> Response:
        params = dict(request.query_params)
        problem = meta.handshake_problem(params, _secret(rt.settings.meta_verify_token))
        if problem is not None:
            return _forbidden(problem)
        return PlainTextResponse(params["hub.challenge"])

    @app.post("/webhooks/meta")
    async def meta_webhook(request: Request, background: BackgroundTasks) -> Response:
        return await _meta(rt, request, background)


def _forbidden(why: str) -> JSONResponse:
    return JSONResponse({"detail": f"forbidden: {why}"}, status_code=403)


def _signed_url(rt: ChannelRuntime, request: Request) -> str:
    """The URL the provider called: ``public_url`` plus path when set (behind a proxy), else the request's."""
    if not rt.settings.public_url:
        return str(request.url)
    query = f"?{request.url.query}" if request.url.query else ""
    return rt.settings.public_url.rstrip("/") + request.url.path + query


async def _twilio(rt: ChannelRuntime, request: Request) -> Response:
    body = await request.body()
    params = twilio.parse_form(body)
    signature = request.headers.get("X-Twilio-Signature")
    if not twilio.verify_signature(_secret(rt.settings.twilio_auth_token), _signed_url(rt, request), params, signature):
        return _forbidden("missing or wrong X-Twilio-Signature")
    msg = twilio.parse_message(params)
    if msg is None:  # a status callback, not a message
        return Response(twilio.twiml([]), media_type="application/xml")
    try:
        rt.store.sender_key(msg.sender)
    except ValueError:
        return JSONResponse({"detail": "'From' is not a phone number"}, status_code=400)
    channel = "twilio_whatsapp" if msg.channel == "whatsapp" else "sms"
    # Over the limit, Twilio still gets 200 and empty TwiML: a 429 would only log a webhook
    # error at Twilio. Keywords (STOP...) and opted-out silence never spend the quota.
    reply = await run_in_threadpool(rt.conversation.handle, msg.sender, msg.body, channel=channel,
                                    quota=rt.limiter.allow)
    if reply.kind == "limited":
        log.info("rate limited %s sender, answered with empty TwiML", channel)
    parts = split_message(reply.text, twilio.MAX_BODY_CHARS) if reply.text else []
    return Response(twilio.twiml(parts), media_type="application/xml")


async def _meta(rt: ChannelRuntime, request: Request, background: BackgroundTasks) -> Response:
    body = await request.body()
    if not meta.verify_signature(_secret(rt.settings.meta_app_secret), body, request.headers.get("X-Hub-Signature-256")):
        return _forbidden("missing or wrong X-Hub-Signature-256")
    try:
        messages = meta.parse_messages(body)
    except meta.WebhookPayloadError as exc:
        return JSONResponse({"detail": str(exc)}, status_code=400)
    accepted = await run_in_threadpool(_accept, rt, messages)
    # Meta wants a quick 200; answering and sending happen after the response. A 429 here
    # would only make Meta redeliver the whole batch, so questions over the limit get no reply.
    background.add_task(_answer_meta, rt, accepted)
    return JSONResponse({"status": "ok", "accepted": len(accepted), "dropped": len(messages) - len(accepted)})


def _accept(rt: ChannelRuntime, messages: list[meta.MetaMessage]) -> list[meta.MetaMessage]:
    """Messages to handle: first deliveries from valid senders (the rate limit applies when answering)."""
    out = []
    for m in messages:
        try:
            rt.store.sender_key(m.sender)
        except ValueError:
            continue
        if m.message_id and not rt.store.first_delivery("meta", m.message_id):
            continue  # Meta redelivers when it did not see our 200 in time
        out.append(m)
    return out


def _answer_meta(rt: ChannelRuntime, messages: list[meta.MetaMessage]) -> None:
    for m in messages:
        reply = rt.conversation.handle(m.sender, m.text, channel="whatsapp", quota=rt.limiter.allow)
        if reply.kind == "limited":
            log.info("rate limited WhatsApp sender, no reply")
        for part in split_message(reply.text, meta.MAX_TEXT_CHARS) if reply.text else []:
            try:
                rt.sender.send_text(m.sender, part)
            except Exception:  # one failed send must not stop the others
                log.exception("sending a WhatsApp reply failed")


class BodySizeLimit:
    """ASGI middleware: bodies over ``max_bytes`` get 413 before the app sees them (chunked ones too)."""

    def __init__(self, app: "ASGIApp", max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: "Scope", receive: "Receive", send: "Send") -> None:
        """Read the whole body (up to the limit), then hand it to the app."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.max_bytes:
            await self._reject(scope, receive, send)
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_bytes:
                await self._reject(scope, receive, send)
                return
            more = message.get("more_body", False)
        await self.app(scope, _replay(b"".join(chunks), receive), send)

    async def _reject(self, scope: "Scope", receive: "Receive", send: "Send") -> None:
        response = JSONResponse({"detail": f"request body larger than {self.max_bytes} bytes"}, status_code=413)
        await response(scope, receive, send)


def _replay(body: bytes, receive: "Receive") -> "Receive":
    sent = False

    async def replay() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
