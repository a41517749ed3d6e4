"""The Meta WhatsApp Cloud API: webhook verification, signatures, payload parsing and reply senders.

Meta calls ``GET`` once with ``hub.mode=subscribe``, ``hub.verify_token`` and ``hub.challenge``
and expects the challenge back. Every ``POST`` carries ``X-Hub-Signature-256: sha256=<hex>``,
the HMAC-SHA256 of the raw body keyed with the app secret. Replies are not part of the
webhook response: they are sent with a separate Graph API call, through a
:class:`MessageSender` so that tests and local runs keep them in an :class:`Outbox` instead.

Example:
    >>> body = b'{"object": "whatsapp_business_account", "entry": []}'
    >>> verify_signature("secret", body, sign("secret", body))
    True
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Mapping, Protocol, runtime_checkable

from agriadvisor.errors import AgriAdvisorError

__all__ = ["GraphApiSender", "MessageSender", "MetaMessage", "Outbox", "OutgoingMessage", "parse_messages",
           "handshake_problem", "sign", "verify_challenge", "verify_signature"]

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 4096
GRAPH_URL = "https://graph.facebook.com"


class WebhookPayloadError(AgriAdvisorError):
    """A webhook body that is not the JSON the provider documents."""


def sign(app_secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` header value for ``body``."""
    return "sha256=" + hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify_signature(app_secret: str, body: bytes, header: str | None) -> bool:
    """True when ``header`` is Meta's signature of exactly these bytes (constant-time comparison)."""
    if not app_secret or not header:
        return False
    return hmac.compare_digest(sign(app_secret, body).encode("ascii"), header.strip().encode("ascii", "replace"))


def verify_challenge(params: Mapping[str, str], verify_token: str) -> str | None:
    """The challenge to echo for a valid subscription handshake, else None."""
    if handshake_problem(params, verify_token) is not None:
        return None
    return params.get("hub.challenge")


def handshake_problem(params: Mapping[str, str], verify_token: str) -> str | None:
    """Why a verification handshake is refused (None: it is valid), in words for the operator."""
    if not verify_token:
        return "AGRIADVISOR_META_VERIFY_TOKEN is not set"
    mode = params.get("hub.mode")
    if mode != "subscribe":
        return f"hub.mode must be 'subscribe', got {mode!r}" if mode else "no hub.mode parameter"
    given = params.get("hub.verify_token", "")
    if not hmac.compare_digest(given.encode("utf-8"), verify_token.encode("utf-8")):
        return "verification token does not match"
    if not params.get("hub.challenge"):
        return "no hub.challenge parameter"
    return None


@dataclass(frozen=True)
class MetaMessage:
    """One incoming WhatsApp message; ``text`` is None for media, locations and the like."""

    sender: str
    message_id: str
    text: str | None
    kind: str


def parse_messages(body: bytes) -> list[MetaMessage]:
    """The user messages in a webhook body (status updates and other changes are skipped)."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WebhookPayloadError(f"webhook body is not JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("entry", []), list):
        raise WebhookPayloadError("webhook body is not a WhatsApp Cloud API notification (no 'entry' list)")
    out: list[MetaMessage] = []
    for entry in data.get("entry", []):
        for change in (entry or {}).get("changes", []) if isinstance(entry, dict) else []:
            value = change.get("value") if isinstance(change, dict) else None
            for msg in (value or {}).get("messages", []) if isinstance(value, dict) else []:
                parsed = _message(msg)
                if parsed is not None:
                    out.append(parsed)
    return out


def _message(msg: Any) -> MetaMessage | None:
    if not isinstance(msg, dict) or not msg.get("from"):
        return None
    kind = str(msg.get("type", ""))
    text = None
    if kind == "text":
        text = _string((msg.get("text") or {}).get("body"))
    elif kind == "button":
        text = _string((msg.get("button") or {}).get("text"))
    return MetaMessage(sender=str(msg["from"]), message_id=str(msg.get("id", "")), text=text, kind=kind)


def _string(value: Any) -> str:
    """A text field's value; a null or non-string body is an empty message, never the word 'None'."""
    return value if isinstance(value, str) else ""


# ---- sending replies ----------------------------------------------------------------------
@runtime_checkable
class MessageSender(Protocol):
    """Delivers a reply to a WhatsApp user; ``to`` is the number as Meta gave it."""

    def send_text(self, to: str, text: str) -> None:
        """Send one text message; raise on failure."""


@dataclass(frozen=True)
class OutgoingMessage:
    """A reply kept by an :class:`Outbox`."""

    to: str
    text: str
    at: float


class Outbox:
    """A :class:`MessageSender` that keeps replies in memory: for tests and local development.

    Example:
        >>> box = Outbox()
        >>> box.send_text("9779800000000", "hello")
        >>> box.messages[0].text
        'hello'
    """

    def __init__(self, *, keep: int = 10_000) -> None:
        self._messages: list[OutgoingMessage] = []
        self._keep = keep
        self._lock = threading.Lock()

    def send_text(self, to: str, text: str) -> None:
        """Keep the reply (and log its text; the number is not logged)."""
        with self._lock:
            self._messages.append(OutgoingMessage(to, text, time.time()))
            del self._messages[:-self._keep]
        log.info("WhatsApp reply kept in the outbox, not sent (no access token):\n%s", text)

    @property
    def messages(self) -> list[OutgoingMessage]:
        """Every kept reply, oldest first."""
        with self._lock:
            return list(self._messages)

    def to(self, recipient: str) -> list[str]:
        """The texts sent to one recipient, oldest first."""
        return [m.text for m in self.messages if m.to == recipient]


class GraphApiSender:
    """Sends replies through the WhatsApp Cloud API (``POST /{phone-number-id}/messages``)."""

    def __init__(self, access_token: str, phone_number_id: str, *, api_version: str = "v21.0",
                 base_url: str = GRAPH_URL, timeout_s: float = 10.0) -> None:
        if not access_token or not phone_number_id:
            raise ValueError("GraphApiSender needs an access token and a phone number id "
                             "(AGRIADVISOR_META_ACCESS_TOKEN, AGRIADVISOR_META_PHONE_NUMBER_ID)")
        try:
            import httpx
        except ImportError as exc:
            from agriadvisor.errors import MissingExtraError

            raise MissingExtraError("sending WhatsApp replies needs httpx: pip install 'agriadvisor[server]'") from exc
        self.url = f"{base_url.rstrip('/')}/{api_version}/{phone_number_id}/messages"
        self._client = httpx.Client(timeout=timeout_s, headers={"Authorization": f"Bearer {access_token}"})

    def send_text(self, to: str, text: str) -> None:
        """POST one text message; raise :class:`AgriAdvisorError` when the API refuses it."""
        payload = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to,
                   "type": "text", "text": {"preview_url": False, "body": text}}
        response = self._client.post(self.url, json=payload)
        if response.status_code >= 400:
            raise AgriAdvisorError(f"WhatsApp Cloud API refused the reply: HTTP {response.status_code} "
                                   f"{response.text[:200]}")

    def __repr__(self) -> str:  # the token stays out of logs
        return f"GraphApiSender({self.url!r})"
