"""Bot replies in the farmer's language, a switch command in their own words, SMS in UCS-2 segments."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agriadvisor.channels.conversation import Conversation
from agriadvisor.channels.formatting import sms_segments
from agriadvisor.channels.language_switch import language_choice
from agriadvisor.channels.state import StateStore
from agriadvisor.text import dominant_script

from ._helpers import HASH_KEY

REPO = Path(__file__).resolve().parents[2]
PHONE = "+919812345678"
QUESTION = "धान में भूरा फुदका लग गया है क्या करें"


@pytest.fixture(scope="module")
def hindi_conversation_parts(tmp_path_factory: pytest.TempPathFactory):
    from agriadvisor.advisor import Advisor
    from agriadvisor.config import Settings

    root = tmp_path_factory.mktemp("knowledge-bot")
    (root / "india").mkdir()
    for rel in ("india/rice.md", "india/rice.hi.md", "glossary.yaml", "places.yaml"):
        shutil.copy(REPO / "knowledge" / rel, root / rel)
    return Advisor(Settings(knowledge_path=root, index_path=tmp_path_factory.mktemp("idx-bot")))


@pytest.fixture
def bot(hindi_conversation_parts, tmp_path: Path) -> Conversation:
    return Conversation(hindi_conversation_parts, StateStore(tmp_path / "state.sqlite3", key=HASH_KEY))


@pytest.mark.parametrize(("text", "code"), [("हिंदी", "hi"), ("Hindi mein", "hi"), ("বাংলা।", "bn"),
                                            ("ENGLISH", "en"), ("अंग्रेज़ी", "en"), ("auto", "auto"),
                                            ("hindi me batao gehun kab boyen", None), ("धान", None)])
def test_language_choice_is_a_whole_message(text: str, code: str | None) -> None:
    assert language_choice(text) == code


def test_the_reply_follows_the_message_language_and_the_switch(bot: Conversation) -> None:
    first = bot.handle(PHONE, QUESTION, channel="whatsapp")
    assert first.kind == "answer" and first.answer.language == "hi"
    assert dominant_script(first.text) == "Devanagari"
    switched = bot.handle(PHONE, "english", channel="whatsapp")
    assert switched.kind == "command" and "English" in switched.text
    second = bot.handle(PHONE, QUESTION, channel="whatsapp")
    assert second.answer.language == "en" and second.answer.text == second.answer.text_en
    back = bot.handle(PHONE, "हिंदी", channel="whatsapp")
    assert dominant_script(back.text) == "Devanagari"
    third = bot.handle(PHONE, "How do I control brown planthopper in rice in India?", channel="whatsapp")
    assert third.answer.language == "hi"
    bot.handle(PHONE, "auto", channel="whatsapp")
    assert bot.handle(PHONE, "How do I control brown planthopper in rice in India?",
                      channel="whatsapp").answer.language == "en"


def test_a_hindi_sms_fits_the_segment_budget_in_ucs2(bot: Conversation) -> None:
    reply = bot.handle(PHONE, QUESTION, channel="sms")
    info = sms_segments(reply.text)
    assert reply.answer.language == "hi" and info.encoding == "UCS-2"
    assert 1 <= info.segments <= 3
