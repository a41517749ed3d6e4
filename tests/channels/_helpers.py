"""Requests signed the way Twilio and Meta sign them, and ways to look inside the state database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TWILIO_TOKEN = "test-twilio-auth-token"
META_SECRET = "test-meta-app-secret"
META_VERIFY = "test-meta-verify-token"
HASH_KEY = "test-phone-hash-key-0123456789abcdef"
TWILIO_URL = "http://testserver/webhooks/twilio"


def twilio_form(phone: str, body: str, **extra: str) -> list[tuple[str, str]]:
    """The parameters Twilio posts for an incoming SMS (WhatsApp when ``phone`` starts with 'whatsapp:')."""
    to = "whatsapp:+14155238886" if phone.startswith("whatsapp:") else "+15005550006"
    return [("MessageSid", "SM" + "0" * 32), ("AccountSid", "AC" + "1" * 32), ("From", phone), ("To", to),
            ("Body", body), ("NumMedia", "0"), *extra.items()]


def post_twilio(client: Any, phone: str, body: str, *, token: str | None = TWILIO_TOKEN,
                url: str = TWILIO_URL, signature: str | None = None) -> Any:
    """POST a Twilio webhook, signed with ``token`` the way Twilio signs (None: no signature header)."""
    from urllib.parse import urlencode

    from agriadvisor.channels.twilio import compute_signature

    params = twilio_form(phone, body)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    elif token is not None:
        headers["X-Twilio-Signature"] = compute_signature(token, url, params)
    return client.post(url.replace("http://testserver", ""), content=urlencode(params), headers=headers)


def twiml_messages(xml: str) -> list[str]:
    """The texts of the <Message> elements of a TwiML reply."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(xml)
    assert root.tag == "Response"
    return [m.text or "" for m in root.findall("Message")]


def meta_payload(wa_id: str, text: str, *, message_id: str = "wamid.TEST1") -> bytes:
    """A WhatsApp Cloud API notification carrying one text message, as Meta sends it."""
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "WABA_ID", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550000000", "phone_number_id": "123456789"},
            "contacts": [{"profile": {"name": "Farmer"}, "wa_id": wa_id}],
            "messages": [{"from": wa_id, "id": message_id, "timestamp": "1700000000", "type": "text",
                          "text": {"body": text}}]}}]}]}).encode()


def post_meta(client: Any, body: bytes, *, secret: str | None = META_SECRET, signature: str | None = None) -> Any:
    import hashlib
    import hmac

    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    elif secret is not None:
        headers["X-Hub-Signature-256"] = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post("/webhooks/meta", content=body, headers=headers)


def db_bytes(path: Path) -> bytes:
    """Everything SQLite wrote for a database: the main file, the WAL and the shared-memory index."""
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists())


def farmer_rows(path: Path) -> int:
    import sqlite3

    if not path.exists():
        return 0
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT COUNT(*) FROM farmers").fetchone()[0]
