"""Provider formats: Twilio and Meta signatures (against Twilio's published vector), payloads, TwiML."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from agriadvisor.channels import meta, twilio

from ._helpers import meta_payload, twiml_messages

# The example in Twilio's webhook-security documentation (and twilio-node's tests).
DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
DOC_PARAMS = [("CallSid", "CA1234567890ABCDE"), ("Caller", "+14158675309"), ("Digits", "1234"),
              ("From", "+14158675309"), ("To", "+18005551212")]
DOC_SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_twilio_signature_matches_the_documented_vector() -> None:
    assert twilio.compute_signature("12345", DOC_URL, DOC_PARAMS) == DOC_SIGNATURE
    assert twilio.compute_signature("12345", DOC_URL, list(reversed(DOC_PARAMS))) == DOC_SIGNATURE  # order-free
    assert twilio.verify_signature("12345", DOC_URL, DOC_PARAMS, DOC_SIGNATURE)


@pytest.mark.parametrize("token, url, params, signature", [
    ("12346", DOC_URL, DOC_PARAMS, DOC_SIGNATURE),                               # wrong token
    ("12345", DOC_URL.replace("foo=1", "foo=2"), DOC_PARAMS, DOC_SIGNATURE),    # another URL
    ("12345", DOC_URL, DOC_PARAMS[:-1] + [("To", "+18005551213")], DOC_SIGNATURE),  # tampered parameter
    ("12345", DOC_URL, DOC_PARAMS, None),                                        # no header
    ("12345", DOC_URL, DOC_PARAMS, ""),
    ("", DOC_URL, DOC_PARAMS, DOC_SIGNATURE),                                    # not configured
    ("12345", DOC_URL, DOC_PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8=ü"),
])
def test_twilio_signature_rejects(token: str, url: str, params: list, signature: str | None) -> None:
    assert not twilio.verify_signature(token, url, params, signature)


def test_twilio_signature_accepts_the_url_with_or_without_its_default_port() -> None:
    url = "https://bot.example.org/webhooks/twilio"
    params = [("From", "+9779812345678"), ("Body", "hi")]
    for signed, received in ((url, "https://bot.example.org:443/webhooks/twilio"),
                             ("https://bot.example.org:443/webhooks/twilio", url)):
        assert twilio.verify_signature("t", received, params, twilio.compute_signature("t", signed, params))


def test_twilio_message_parsing_and_twiml() -> None:
    msg = twilio.parse_message(twilio.parse_form(b"From=whatsapp%3A%2B9779812345678&Body=When+to+sow%3F&NumMedia=0"))
    assert msg is not None and msg.channel == "whatsapp" and msg.body == "When to sow?"
    assert twilio.parse_message([("MessageStatus", "delivered")]) is None
    xml = twilio.twiml(["Use <50 kg> & water", "second"])
    assert twiml_messages(xml) == ["Use <50 kg> & water", "second"]
    assert twiml_messages(twilio.twiml([])) == []


def test_meta_signature_is_hmac_sha256_of_the_raw_body() -> None:
    body = meta_payload("9779812345678", "hello")
    expected = "sha256=" + hmac.new(b"secret", body, hashlib.sha256).hexdigest()
    assert meta.sign("secret", body) == expected
    assert meta.verify_signature("secret", body, expected)
    assert not meta.verify_signature("secret", body + b" ", expected)
    assert not meta.verify_signature("other", body, expected)
    assert not meta.verify_signature("secret", body, None)
    assert not meta.verify_signature("", body, expected)


def test_meta_verification_handshake() -> None:
    ok = {"hub.mode": "subscribe", "hub.verify_token": "tok", "hub.challenge": "1158201444"}
    assert meta.verify_challenge(ok, "tok") == "1158201444"
    assert meta.verify_challenge({**ok, "hub.verify_token": "nope"}, "tok") is None
    assert meta.verify_challenge({**ok, "hub.mode": "unsubscribe"}, "tok") is None
    assert meta.verify_challenge(ok, "") is None


def test_meta_payload_parsing() -> None:
    [msg] = meta.parse_messages(meta_payload("9779812345678", "When to sow?", message_id="wamid.X"))
    assert (msg.sender, msg.text, msg.kind, msg.message_id) == ("9779812345678", "When to sow?", "text", "wamid.X")
    statuses = b'{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"statuses":[{"id":"x"}]}}]}]}'
    assert meta.parse_messages(statuses) == []
    image = b'{"entry":[{"changes":[{"value":{"messages":[{"from":"97798","id":"w","type":"image"}]}}]}]}'
    assert meta.parse_messages(image)[0].text is None
    with pytest.raises(meta.WebhookPayloadError, match="not JSON"):
        meta.parse_messages(b"From=123")
    with pytest.raises(meta.WebhookPayloadError, match="no 'entry' list"):
        meta.parse_messages(b'{"entry": 5}')


def test_outbox_keeps_replies_per_recipient() -> None:
    box = meta.Outbox()
    assert isinstance(box, meta.MessageSender)
    box.send_text("1", "a")
    box.send_text("2", "b")
    box.send_text("1", "c")
    assert box.to("1") == ["a", "c"]


def test_graph_sender_needs_its_settings_and_hides_its_token() -> None:
    with pytest.raises(ValueError, match="META_ACCESS_TOKEN"):
        meta.GraphApiSender("", "123")
    sender = meta.GraphApiSender("secret-token", "123")
    assert "secret-token" not in repr(sender) and sender.url.endswith("/123/messages")
