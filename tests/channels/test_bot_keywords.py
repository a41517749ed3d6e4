"""The bot under load and in every language: keywords always work, the limit never eats a STOP."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from agriadvisor.channels.conversation import command_of
from agriadvisor.channels.meta import parse_messages
from agriadvisor.channels.state import StateStore
from agriadvisor.models import Answer

from ._helpers import META_VERIFY, meta_payload, post_meta, post_twilio, twiml_messages

PHONE = "+9779812345678"
WA_ID = "9779812345679"
REPO = Path(__file__).resolve().parents[2]


def sms(client: Any, phone: str, text: str) -> list[str]:
    response = post_twilio(client, phone, text)
    assert response.status_code == 200, response.text
    return twiml_messages(response.text)


def state_of(client: Any, phone: str) -> Any:
    store: StateStore = client.app.state.channels.store
    return store.get(store.sender_key(phone))


def test_stop_after_the_limit_is_recorded_and_the_next_question_is_not_answered(make_client: Any) -> None:
    client = make_client(rate_limit_burst=3, rate_limit_per_minute=0.5)
    for _ in range(11):
        sms(client, PHONE, "When should I sow wheat in Nepal?")
    assert sms(client, PHONE, "When should I sow wheat in Nepal?") == []  # over the limit: 200, empty TwiML
    [stopped] = sms(client, PHONE, "STOP")
    assert "no more messages" in stopped
    assert state_of(client, PHONE).opted_out is True
    before = state_of(client, PHONE).last_answer
    assert sms(client, PHONE, "When should I irrigate?") == []
    assert state_of(client, PHONE).last_answer == before
    [helped] = sms(client, PHONE, "START")  # START is free too, even with an empty bucket
    assert "Welcome" in helped and state_of(client, PHONE).opted_out is False
    assert "RESET" in sms(client, PHONE, "HELP")[0]
    assert "forgotten" in sms(client, PHONE, "RESET")[0]


def test_silent_messages_spend_no_tokens(make_client: Any) -> None:
    client = make_client(rate_limit_burst=2, rate_limit_per_minute=0.5)
    sms(client, PHONE, "STOP")
    for _ in range(6):  # an opted-out farmer's messages are ignored and cost nothing
        assert sms(client, PHONE, "When should I sow wheat in Nepal?") == []
    sms(client, PHONE, "START")
    [answer] = sms(client, PHONE, "When should I sow wheat in Nepal?")
    assert "[1]" in answer


def test_meta_stop_over_the_limit_is_recorded(make_client: Any) -> None:
    client = make_client(rate_limit_burst=2, rate_limit_per_minute=0.5)
    outbox = client.app.state.channels.sender
    for i in range(4):
        post_meta(client, meta_payload(WA_ID, "When should I sow wheat in Nepal?", message_id=f"wamid.Q{i}"))
    assert len(outbox.to(WA_ID)) == 2  # the questions over the limit get no reply
    assert post_meta(client, meta_payload(WA_ID, "stop", message_id="wamid.STOP")).status_code == 200
    assert "no more messages" in outbox.to(WA_ID)[-1]
    assert state_of(client, WA_ID).opted_out is True


@pytest.mark.parametrize("word", [
    "STOP", "Stop.", "रोकें", "रोको", "बंद करो", "band karo", "বন্ধ", "বন্ধ করুন।", "روکیں", "بند کرو",
    "रोक्नुहोस्", "बन्द गर्नुहोस्", "නවත්වන්න", "நிறுத்து"])
def test_opt_out_words_in_six_languages(word: str) -> None:
    assert command_of(word) == "stop"


@pytest.mark.parametrize("word,command", [("शुरू", "start"), ("শুরু", "start"), ("شروع", "start"),
                                          ("सुरु", "start"), ("தொடங்கு", "start"), ("मदद", "help"),
                                          ("সাহায্য", "help"), ("مدد", "help"), ("உதவி", "help")])
def test_start_and_help_words_in_the_languages(word: str, command: str) -> None:
    assert command_of(word) == command


@pytest.mark.parametrize("text", ["stop the stem borer", "रोकें कैसे तना छेदक को?", "बंद पत्ती"])
def test_a_question_that_contains_a_keyword_is_a_question(text: str) -> None:
    assert command_of(text) is None


def test_hindi_stop_by_sms_opts_out(client: Any) -> None:
    [stopped] = sms(client, PHONE, "रोकें")
    assert "no more messages" in stopped
    assert sms(client, PHONE, "गेहूं की बुवाई कब करें?") == []


def test_meta_null_body_is_an_empty_message_not_the_word_none(client: Any) -> None:
    body = json.loads(meta_payload(WA_ID, "x"))
    body["entry"][0]["changes"][0]["value"]["messages"][0]["text"] = {"body": None}
    raw = json.dumps(body).encode()
    assert parse_messages(raw)[0].text == ""
    assert post_meta(client, raw).status_code == 200
    outbox = client.app.state.channels.sender
    assert outbox.to(WA_ID) == ["Please send your question as a text message."]
    assert state_of(client, WA_ID) is None or state_of(client, WA_ID).last_answer is None


def test_wrong_hub_mode_says_so(client: Any) -> None:
    params = {"hub.mode": "unsubscribe", "hub.verify_token": META_VERIFY, "hub.challenge": "42"}
    response = client.get("/webhooks/meta", params=params)
    assert response.status_code == 403
    assert "hub.mode" in response.json()["detail"] and "token" not in response.json()["detail"]
    wrong_token = client.get("/webhooks/meta", params={**params, "hub.mode": "subscribe", "hub.verify_token": "x"})
    assert "verification token does not match" in wrong_token.json()["detail"]


def test_serve_default_port_is_not_the_openai_backends_port() -> None:
    import typer

    from agriadvisor.cli import app
    from agriadvisor.config import Settings

    serve = typer.main.get_command(app).commands["serve"]  # type: ignore[attr-defined]
    [port] = [p.default for p in serve.params if p.name == "port"]
    backend_port = int(re.search(r":(\d+)/", Settings().openai_base_url).group(1))
    assert port != backend_port


def test_a_country_settled_by_the_language_is_not_remembered(client: Any) -> None:
    [reply] = sms(client, PHONE, "پنجاب میں کپاس کب بوئیں؟")  # Punjab: India or Pakistan; Urdu chose Pakistan
    answer = Answer.model_validate_json(state_of(client, PHONE).last_answer)
    assert answer.query.country == "Pakistan" and any("from the language" in n for n in answer.query.notes)
    state = state_of(client, PHONE)
    assert state.country is None and state.crop == "cotton"
    noted = re.search(r"\(Noted: ([^)]*)\)", reply)
    assert noted is not None and "cotton" in noted.group(1) and "Pakistan" not in noted.group(1)


def test_readme_serve_snippet_keeps_the_hash_key_between_runs(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- readme-test: background -->\s*```bash\n(.*?)```", readme, re.S).group(1)
    assert "agriadvisor serve" in block
    script = re.sub(r"^.*agriadvisor serve.*$", 'echo "$AGRIADVISOR_PHONE_HASH_KEY"', block, flags=re.M)
    env = {k: v for k, v in os.environ.items() if k != "AGRIADVISOR_PHONE_HASH_KEY"}
    runs = [subprocess.run(["bash", "-ec", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                           check=True).stdout.strip() for _ in range(2)]
    assert len(runs[0]) >= 32 and runs[0] == runs[1]
