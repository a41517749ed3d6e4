"""The bot asks for the crop when a question names none, and answers the reply with it remembered."""

from __future__ import annotations

from pathlib import Path

from agriadvisor.answering.names_note import ASSUMED_CROP
from agriadvisor.channels.conversation import Conversation
from agriadvisor.channels.state import StateStore

from ._helpers import HASH_KEY

PHONE = "+919800000001"


def test_no_crop_then_crop_reply_answers_the_first_question_for_that_crop(small_advisor, tmp_path: Path) -> None:
    with StateStore(tmp_path / "state.sqlite3", key=HASH_KEY) as store:
        convo = Conversation(small_advisor, store)
        first = convo.handle(PHONE, "How can I control stem borer caterpillars?", channel="whatsapp")
        assert first.answer is not None and first.answer.outcome == "answered"
        assert first.answer.query.crop is None
        assumed = [n for n in first.answer.query.notes if n.startswith(ASSUMED_CROP)]
        assert assumed, first.answer.query.notes
        assert "Which crop is yours?" in first.answer.text.splitlines()[-1]

        second = convo.handle(PHONE, "wheat", channel="whatsapp")
        assert second.answer is not None
        assert second.answer.question == "How can I control stem borer caterpillars?"
        assert (second.answer.query.crop, second.answer.query.crop_from) == ("wheat", "argument")
        assert all(c.crop in ("wheat", "all") for c in second.answer.citations)
        assert not any(n.startswith(ASSUMED_CROP) for n in second.answer.query.notes)

        third = convo.handle(PHONE, "When should I irrigate?", channel="whatsapp")
        assert third.answer is not None and third.answer.query.crop == "wheat"  # remembered


def test_a_crop_word_without_a_pending_question_is_an_ordinary_message(small_advisor, tmp_path: Path) -> None:
    with StateStore(tmp_path / "state.sqlite3", key=HASH_KEY) as store:
        reply = Conversation(small_advisor, store).handle(PHONE, "wheat", channel="whatsapp")
        assert reply.answer is not None and reply.answer.question == "wheat"
