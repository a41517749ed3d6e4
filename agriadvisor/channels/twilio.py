"""Twilio's webhook format (SMS and WhatsApp): form parsing, signature check and TwiML replies.

Twilio signs each webhook with ``X-Twilio-Signature``: base64 of HMAC-SHA1, keyed with the
account's auth token, over the full URL it called followed by every POST parameter as
``name + value``, sorted by name.

Example:
    >>> params = [("From", "+9779800000000"), ("Body", "hello")]
    >>> sig = compute_signature("token", "https://bot.example.org/webhooks/twilio", params)
    >>> verify_signature("token", "https://bot.example.org/webhooks/twilio", params, sig)
    True
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Literal, Sequence
from urllib.parse import parse_qsl, urlsplit, urlunsplit
from xml.sax.saxutils import escape

__all__ = ["TwilioMessage", "compute_signature", "parse_form", "parse_message", "twiml", "verify_signature"]

MAX_BODY_CHARS = 1600  # Twilio refuses longer message bodies
_DEFAULT_PORTS = {"http": 80, "https": 443}


def compute_signature(auth_token: str, url: str, params: Sequence[tuple[str, str]]) -> str:
    """The ``X-Twilio-Signature`` Twilio would send for a POST of ``params`` to ``url``."""
    data = url
    names = sorted({name for name, _ in params})
    for name in names:
        for value in sorted({v for n, v in params if n == name}):
            data += name + value
    mac = hmac.new(auth_token.encode("utf-8"), data.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode("ascii")


def _port_variants(url: str) -> list[str]:
    """The URL as given, with its default port added and with any port removed.

    Twilio is not consistent about including the port in what it signs, so its own
    libraries accept either form; so do we.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    userinfo = parts.netloc.rpartition("@")[0]
    prefix = f"{userinfo}@" if userinfo else ""
    port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
    with_port = urlunsplit(parts._replace(netloc=f"{prefix}{host}:{port}")) if port else url
    without_port = urlunsplit(parts._replace(netloc=f"{prefix}{host}"))
    return list(dict.fromkeys([url, with_port, without_port]))


def verify_signature(auth_token: str, url: str, params: Sequence[tuple[str, str]], signature: str | None) -> bool:
    """True when ``signature`` is Twilio's signature of this request (constant-time comparison)."""
    if not auth_token or not signature:
        return False
    given = signature.strip().encode("ascii", "replace")
    return any(hmac.compare_digest(compute_signature(auth_token, u, params).encode("ascii"), given)
               for u in _port_variants(url))


def parse_form(body: bytes) -> list[tuple[str, str]]:
    """The ``application/x-www-form-urlencoded`` parameters of a request body, in order."""
    return parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)


@dataclass(frozen=True)
class TwilioMessage:
    """The parts of an incoming Twilio message the bot uses."""

    sender: str
    body: str
    channel: Literal["sms", "whatsapp"]
    message_sid: str = ""
    num_media: int = 0


def parse_message(params: Sequence[tuple[str, str]]) -> TwilioMessage | None:
    """The message in a webhook's parameters, or None when it has no sender (a status callback)."""
    values = dict(params)
    sender = values.get("From", "").strip()
    if not sender:
        return None
    channel: Literal["sms", "whatsapp"] = "whatsapp" if sender.startswith("whatsapp:") else "sms"
    try:
        media = int(values.get("NumMedia", "0") or 0)
    except ValueError:
        media = 0
    return TwilioMessage(sender=sender, body=values.get("Body", ""), channel=channel,
                         message_sid=values.get("MessageSid", values.get("SmsSid", "")), num_media=media)


def twiml(messages: Sequence[str]) -> str:
    """A TwiML ``<Response>`` replying with each text as a ``<Message>`` (none: say nothing)."""
    body = "".join(f"<Message>{escape(m)}</Message>" for m in messages if m)
    return f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>'
