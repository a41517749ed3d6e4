"""The bot app over real HTTP (FastAPI TestClient) with the real Advisor on the small corpus."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agriadvisor.channels.formatting import sms_segments
from agriadvisor.channels.state import StateStore
from agriadvisor.models import Answer

from ._helpers import (
    HASH_KEY,
    META_VERIFY,
    TWILIO_URL,
    db_bytes,
    farmer_rows,
    meta_payload,
    post_meta,
    post_twilio,
    twiml_messages,
)

PHONE = "+9779812345678"
WA_ID = "9779812345679"


def last_answer(client: Any, phone: str) -> Answer:
    """The Answer the bot last gave ``phone``, read back from the state store."""
    store: StateStore = client.app.state.channels.store
    state = store.get(store.sender_key(phone))
    assert state is not None and state.last_answer
    return Answer.model_validate_json(state.last_answer)


def sms(client: Any, phone: str, text: str) -> list[str]:
    response = post_twilio(client, phone, text)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    return twiml_messages(response.text)


def test_health(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["ready"] is True


def test_signed_twilio_sms_gets_a_cited_reply_within_segments(client: Any) -> None:
    [reply] = sms(client, PHONE, "When should I sow wheat in Nepal?")
    assert "[1]" in reply and "\nSrc: [1" in reply and "NARC" in reply
    assert sms_segments(reply).segments <= 3
    ans = last_answer(client, PHONE)
    assert ans.outcome == "answered" and ans.citations[0].country == "Nepal"


@pytest.mark.parametrize("how", ["unsigned", "wrong token", "other url", "garbage"])
def test_badly_signed_twilio_request_is_refused_and_touches_nothing(client: Any, how: str) -> None:
    kwargs: dict[str, Any] = {"unsigned": {"token": None}, "wrong token": {"token": "not-the-token"},
                              "other url": {"url": TWILIO_URL + "?x=1"},
                              "garbage": {"signature": "bm90IGEgc2lnbmF0dXJl"}}[how]
    if how == "other url":  # signed for another URL, posted to the webhook
        from urllib.parse import urlencode

        from agriadvisor.channels.twilio import compute_signature

        from ._helpers import TWILIO_TOKEN, twilio_form

        params = twilio_form(PHONE, "When should I sow wheat?")
        response = client.post("/webhooks/twilio", content=urlencode(params), headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": compute_signature(TWILIO_TOKEN, "http://evil.example/webhooks/twilio", params)})
    else:
        response = post_twilio(client, PHONE, "I grow wheat in Nepal", **kwargs)
    assert response.status_code == 403
    assert "X-Twilio-Signature" in response.json()["detail"]
    settings = client.app.state.channels.settings
    assert farmer_rows(settings.state_db_path) == 0


def test_twilio_without_a_configured_token_refuses_everything(make_client: Any) -> None:
    client = make_client(twilio_auth_token=None)
    assert post_twilio(client, PHONE, "hello").status_code == 403


def test_conversation_memory_across_two_messages(client: Any) -> None:
    [first] = sms(client, PHONE, "I grow wheat in Nepal")
    assert "(Noted: wheat, Nepal. Send RESET to forget.)" in first
    [second] = sms(client, PHONE, "When should I irrigate?")
    ans = last_answer(client, PHONE)
    assert ans.outcome == "answered"
    assert ans.query.crop_from == "context" and ans.query.country_from == "context"
    assert ans.citations and all(c.country == "Nepal" and c.crop == "wheat" for c in ans.citations)
    assert "Noted" not in second  # nothing new was learnt
    # the same question from a farmer the bot does not know is not answered for Nepal wheat
    sms(client, "+8801712345678", "When should I irrigate?")
    fresh = last_answer(client, "+8801712345678")
    assert not (fresh.citations and all(c.country == "Nepal" and c.crop == "wheat" for c in fresh.citations))


def test_memory_is_shared_between_sms_and_whatsapp_of_one_number(client: Any, outbox: Any) -> None:
    sms(client, "+" + WA_ID, "I grow wheat in Nepal")
    assert post_meta(client, meta_payload(WA_ID, "When should I irrigate?")).status_code == 200
    [reply] = outbox.to(WA_ID)
    assert "*Sources*" in reply
    assert all(c.country == "Nepal" and c.crop == "wheat" for c in last_answer(client, WA_ID).citations)


def test_twilio_whatsapp_gets_whatsapp_formatting(client: Any) -> None:
    response = post_twilio(client, "whatsapp:" + PHONE, "When should I sow wheat in Nepal?")
    [reply] = twiml_messages(response.text)
    assert "*Sources*" in reply and len(reply) <= 1600


def test_stop_start_and_reset(client: Any) -> None:
    sms(client, PHONE, "I grow wheat in Nepal")
    [stopped] = sms(client, PHONE, "STOP")
    assert "no more messages" in stopped
    before = last_answer(client, PHONE)
    assert sms(client, PHONE, "When should I irrigate?") == []  # opted out: silence, nothing answered
    assert sms(client, PHONE, "reset") == []
    assert last_answer(client, PHONE) == before
    [started] = sms(client, PHONE, "Start")
    assert "Welcome" in started
    sms(client, PHONE, "When should I irrigate?")
    assert last_answer(client, PHONE).query.crop_from == "context"  # memory survived STOP/START
    [reset] = sms(client, PHONE, "RESET")
    assert "forgotten" in reset
    store: StateStore = client.app.state.channels.store
    assert store.get(store.sender_key(PHONE)) is None
    sms(client, PHONE, "When should I irrigate?")
    assert last_answer(client, PHONE).query.crop_from is None
    [help_text] = sms(client, PHONE, "help")
    assert "RESET" in help_text and "STOP" in help_text


def test_phone_numbers_are_never_stored_in_clear(client: Any, outbox: Any) -> None:
    sms(client, PHONE, "I grow wheat in Nepal")
    post_meta(client, meta_payload(WA_ID, "When to sow wheat?", message_id="wamid.HBgNOTc3OTgxMjM0NTY3ORUCABIYFjNFQjA="))
    path = client.app.state.channels.settings.state_db_path
    raw = db_bytes(path)
    assert b"Nepal" in raw
    for number in (PHONE, PHONE[1:], WA_ID, "981234567", "HBgNOTc3OTgxMjM0NTY3ORUCABIYFjNFQjA"):
        assert number.encode() not in raw
    assert StateStore(path, key=HASH_KEY).count() == 2  # two farmers, known only by their hashes


def test_meta_get_verification(client: Any) -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": META_VERIFY, "hub.challenge": "1158201444"}
    response = client.get("/webhooks/meta", params=params)
    assert response.status_code == 200 and response.text == "1158201444"
    assert client.get("/webhooks/meta", params={**params, "hub.verify_token": "wrong"}).status_code == 403
    assert client.get("/webhooks/meta").status_code == 403


def test_signed_meta_message_is_answered_through_the_sender(client: Any, outbox: Any) -> None:
    response = post_meta(client, meta_payload(WA_ID, "When should I sow wheat in Nepal?"))
    assert response.status_code == 200 and response.json()["accepted"] == 1
    [reply] = outbox.to(WA_ID)
    assert "[1]" in reply and "*Sources*" in reply and len(reply) <= 4096
    # Meta redelivers a message whose 200 it missed: it is not answered twice
    assert post_meta(client, meta_payload(WA_ID, "When should I sow wheat in Nepal?")).json()["accepted"] == 0
    assert len(outbox.to(WA_ID)) == 1


@pytest.mark.parametrize("kwargs", [{"secret": None}, {"secret": "wrong-secret"}, {"signature": "sha256=00"}])
def test_badly_signed_meta_request_is_refused_and_touches_nothing(client: Any, outbox: Any, kwargs: dict) -> None:
    response = post_meta(client, meta_payload(WA_ID, "I grow wheat in Nepal"), **kwargs)
    assert response.status_code == 403
    assert outbox.messages == []
    assert farmer_rows(client.app.state.channels.settings.state_db_path) == 0


def test_meta_body_changed_after_signing_is_refused(client: Any, outbox: Any) -> None:
    import hashlib
    import hmac

    from ._helpers import META_SECRET

    body = meta_payload(WA_ID, "hello")
    signature = "sha256=" + hmac.new(META_SECRET.encode(), body, hashlib.sha256).hexdigest()
    tampered = body.replace(b"hello", b"HELLO")
    assert post_meta(client, tampered, signature=signature).status_code == 403
    assert outbox.messages == []


def test_meta_non_text_and_bad_json(client: Any, outbox: Any) -> None:
    image = json.dumps({"entry": [{"changes": [{"value": {"messages": [
        {"from": WA_ID, "id": "wamid.IMG", "type": "image", "image": {"id": "1"}}]}}]}]}).encode()
    assert post_meta(client, image).status_code == 200
    assert outbox.to(WA_ID) == ["Please send your question as a text message."]
    assert post_meta(client, b"not json").status_code == 400


def test_rate_limit_per_sender(make_client: Any) -> None:
    client = make_client(rate_limit_burst=2, rate_limit_per_minute=1.0)
    assert sms(client, PHONE, "When should I sow wheat in Nepal?")
    assert sms(client, PHONE, "When should I irrigate wheat?")
    # over the limit: Twilio gets 200 and empty TwiML (a 429 only logs a webhook error at Twilio)
    assert sms(client, PHONE, "When should I harvest wheat?") == []
    assert sms(client, "+8801712345678", "When should I sow rice?")  # others are not affected


def test_request_size_limit(make_client: Any) -> None:
    client = make_client(max_request_bytes=2048)
    response = post_twilio(client, PHONE, "wheat " * 500)
    assert response.status_code == 413
    assert farmer_rows(client.app.state.channels.settings.state_db_path) == 0

    def chunks():  # no Content-Length: the limit holds while reading
        for _ in range(10):
            yield b"x" * 500

    response = client.post("/webhooks/meta", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413


def test_unreadable_messages_get_a_friendly_reply(client: Any) -> None:
    [reply] = sms(client, PHONE, "   ")
    assert reply == "Please send your question as a text message."
    [reply] = sms(client, PHONE, "wheat " * 400)
    assert "too long" in reply


def test_devanagari_question_by_sms_fits_its_segments(client: Any) -> None:
    [reply] = sms(client, PHONE, "नेपालमा गहुँ कहिले लगाउने?")
    assert sms_segments(reply).segments <= 3


def test_missing_hash_key_is_a_helpful_error(small_advisor: Any, bot_settings: Any) -> None:
    from agriadvisor.channels.server import create_app
    from agriadvisor.errors import ConfigError

    with pytest.raises(ConfigError, match="AGRIADVISOR_PHONE_HASH_KEY"):
        create_app(small_advisor, bot_settings.model_copy(update={"phone_hash_key": None}))


@pytest.mark.slow
def test_crisis_reply_is_sent_whole_on_every_channel(full_advisor: Any, bot_settings: Any) -> None:
    """With the real guardrails, a crisis message gets the complete helpline reply, however long."""
    from fastapi.testclient import TestClient

    from agriadvisor.channels.server import create_app

    settings = bot_settings.model_copy(update={"sms_max_segments": 1})
    with TestClient(create_app(full_advisor, settings)) as client:
        # the sender's number is from Nepal, so the reply lists Nepal's helplines
        expected = full_advisor.ask("I want to drink pesticide and end my life", country="Nepal")
        assert expected.outcome == "crisis" and "Nepal" in expected.text
        [reply] = sms(client, PHONE, "I want to drink pesticide and end my life")
        assert reply == expected.text.strip()
        assert sms_segments(reply).segments > 1  # more than the SMS budget, and not cut
        post_meta(client, meta_payload(WA_ID, "I want to drink pesticide and end my life"))
        assert client.app.state.channels.sender.to(WA_ID) == [expected.text.strip()]
        store: StateStore = client.app.state.channels.store
        state = store.get(store.sender_key(PHONE))
        assert state is not None and state.crop is None and state.country is None
