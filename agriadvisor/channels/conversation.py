"""One farmer's message in, one reply out: keywords, remembered farm details and the Advisor.

This is the channel-independent part of the bot. The webhooks (``twilio.py``, ``meta.py``)
only translate provider formats; what the bot says and remembers is decided here.

Example:
    >>> convo = Conversation(advisor, store)  # doctest: +SKIP
    >>> convo.handle("+9779800000000", "I grow wheat in Nepal", channel="sms").text
    >>> convo.handle("+9779800000000", "When should I irrigate?", channel="sms").answer.query.country
    'Nepal'
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Literal, Mapping

from agriadvisor.answering.names_note import pending_question
from agriadvisor.channels.formatting import ReplyFormatter, SmsFormatter, WhatsAppFormatter
from agriadvisor.channels.language_switch import AUTO, confirmation, language_choice
from agriadvisor.channels.state import FarmerState, StateStore, country_of_phone
from agriadvisor.errors import InputError
from agriadvisor.models import Answer
from agriadvisor.text import clean
from agriadvisor.vocab import COUNTRIES, CROPS, STAGES

if TYPE_CHECKING:
    from agriadvisor.advisor import Advisor

__all__ = ["Channel", "Conversation", "Reply", "command_of"]

log = logging.getLogger(__name__)

Channel = Literal["sms", "whatsapp", "twilio_whatsapp"]
# Whole-message keywords, in English and the six languages farmers write in (romanized too).
STOP_WORDS = frozenset({
    "stop", "stopall", "unsubscribe", "cancel", "end", "quit",
    "रोकें", "रोको", "रोकिए", "बंद करो", "बंद करें", "बन्द करो", "बंद", "band karo", "bandh karo", "roko",  # Hindi
    "বন্ধ", "বন্ধ করুন", "বন্ধ কর", "থামুন", "থামো",  # Bengali
    "روکیں", "روکو", "بند کرو", "بند کریں", "بند",  # Urdu
    "रोक्नुहोस्", "रोक", "बन्द", "बन्द गर्नुहोस्", "बन्द गर",  # Nepali
    "නවත්වන්න", "නතර කරන්න", "නවතන්න",  # Sinhala
    "நிறுத்து", "நிறுத்தவும்", "நிறுத்துங்கள்",  # Tamil
})
START_WORDS = frozenset({
    "start", "unstop", "subscribe",
    "शुरू", "शुरू करें", "शुरू करो", "चालू करें", "shuru", "shuru karo",  # Hindi
    "শুরু", "শুরু করুন", "চালু করুন",  # Bengali
    "شروع", "شروع کریں", "شروع کرو",  # Urdu
    "सुरु", "सुरु गर्नुहोस्",  # Nepali
    "අරඹන්න", "ආරම්භ කරන්න",  # Sinhala
    "தொடங்கு", "தொடங்கவும்", "ஆரம்பி",  # Tamil
})
RESET_WORDS = frozenset({"reset", "restart", "forget"})
HELP_WORDS = frozenset({
    "help", "info", "मदद", "सहायता", "madad", "সাহায্য", "مدد", "मद्दत", "උදව්", "உதவி"})
_KEYWORD_PUNCT = " \t\n.!?,;:।॥۔؟"

ASKED_COUNTRY = "the farmer has been asked which country they farm in"
TEXTS = {
    "stop": "You will get no more messages from AgriAdvisor. Send START to get advice again.",
    "start": "Welcome to AgriAdvisor. Ask a crop question, e.g. 'When should I sow wheat in Nepal?'. "
             "Send RESET to forget your farm details, STOP to stop.",
    "reset": "Done: I have forgotten your country, crop and stage. Tell me again, e.g. 'I grow rice in Bangladesh'.",
    "which_country": "Which country do you farm in? Reply e.g. 'I grow wheat in Nepal' for your own country's advice.",
    "help": "AgriAdvisor answers crop questions with sources. I remember: {memory}. "
            "Send RESET to forget, STOP to stop.",
    "empty": "Please send your question as a text message.",
    "too_long": "Your message is too long. Please send a shorter question.",
    "unreadable": "Sorry, I could not read that message. Please send your question as text.",
    "failed": "Sorry, I cannot answer right now. Please try again later.",
}


@dataclass(frozen=True)
class Reply:
    """What to send back (``text`` None: send nothing) and why."""

    text: str | None
    kind: Literal["answer", "command", "invalid", "failed", "silent", "limited"]
    answer: Answer | None = None


def command_of(text: str) -> str | None:
    """'stop', 'start', 'reset' or 'help' when the whole message is that keyword, else None."""
    word = " ".join(clean(text).strip(_KEYWORD_PUNCT).lower().split())
    for name, words in (("stop", STOP_WORDS), ("start", START_WORDS), ("reset", RESET_WORDS), ("help", HELP_WORDS)):
        if word in words:
            return name
    return None


class Conversation:
    """Handles farmers' messages; safe to call from many threads (one farmer's messages run in turn)."""

    def __init__(self, advisor: "Advisor", store: StateStore, *,
                 formatters: Mapping[str, ReplyFormatter] | None = None, sms_max_segments: int = 3) -> None:
        self.advisor = advisor
        self.store = store
        self.formatters: dict[str, ReplyFormatter] = {
            "sms": SmsFormatter(sms_max_segments), "whatsapp": WhatsAppFormatter(4096),
            "twilio_whatsapp": WhatsAppFormatter(1600), **(formatters or {})}
        self.max_chars = advisor.settings.max_question_chars
        self._locks = [threading.Lock() for _ in range(64)]

    def handle(self, phone: str, text: str | None, *, channel: Channel,
               quota: Callable[[str], bool] | None = None) -> Reply:
        """Answer one message from ``phone`` (kept only as a keyed hash) and update what is remembered.

        ``quota(sender_key)`` is asked only before answering a question: STOP, START, HELP and
        RESET are always carried out and recorded, and an opted-out farmer's messages cost
        nothing. When it returns False the reply is ``Reply(None, "limited")``.
        """
        sender = self.store.sender_key(phone)
        with self._locks[int(sender[:8], 16) % len(self._locks)]:
            return self._handle(sender, text or "", self.formatters[channel], sms=channel == "sms", quota=quota,
                                phone_country=country_of_phone(phone))

    def _handle(self, sender: str, text: str, fmt: ReplyFormatter, *, sms: bool,
                quota: Callable[[str], bool] | None = None, phone_country: str | None = None) -> Reply:
        state = self.store.get(sender) or FarmerState(sender)
        command = command_of(text)
        if state.opted_out and command != "start":
            return Reply(None, "silent")  # an opted-out farmer hears nothing until START
        if command == "stop" or command == "start":
            state.opted_out = command == "stop"
            self.store.save(state)
            return Reply(fmt.format_text(TEXTS[command]), "command")
        if command == "reset":
            self.store.forget(sender)
            return Reply(fmt.format_text(TEXTS["reset"]), "command")
        if command == "help":
            return Reply(fmt.format_text(TEXTS["help"].format(memory=_memory(state) or "nothing yet")), "command")
        chosen = language_choice(text)
        if chosen is not None:  # "हिंदी", "bangla", "english": the answer language from now on
            state.language = None if chosen == AUTO else chosen
            self.store.save(state)
            return Reply(fmt.format_text(confirmation(chosen)), "command")
        if quota is not None and not quota(sender):
            return Reply(None, "limited")
        return self._answer(state, text, fmt, sms=sms, phone_country=phone_country)

    def _answer(self, state: FarmerState, text: str, fmt: ReplyFormatter, *, sms: bool,
                phone_country: str | None = None) -> Reply:
        problem = "empty" if not text.strip() else "too_long" if len(text.strip()) > self.max_chars else None
        if problem:
            return Reply(fmt.format_text(TEXTS[problem]), "invalid")
        # "Which crop is this for?" answered with just a crop: the previous question, for that crop
        text, crop = pending_question(state.last_answer, text, self.advisor.understanding)
        try:
            answer = self.advisor.ask(text, crop=crop, sms=sms, context={**state.context(), "channel_country": phone_country},
                                      language=state.language)
        except InputError:  # binary, control characters...
            return Reply(fmt.format_text(TEXTS["unreadable"]), "invalid")
        except Exception:  # the farmer gets an apology, the operator the traceback
            log.exception("answering a message failed")
            return Reply(fmt.format_text(TEXTS["failed"]), "failed")
        changed = remember(state, answer)
        asked_before = ASKED_COUNTRY in (state.last_answer or "")
        ask_country = not asked_before and _country_guessed(state, answer)
        if ask_country or asked_before:  # the mark travels with each saved answer, so the bot asks once
            answer.query.notes.append(ASKED_COUNTRY)
        state.last_answer = answer.model_dump_json()
        state.messages += 1
        self.store.save(state)
        footer = f"(Noted: {_memory(state)}. Send RESET to forget.)" if changed else ""
        if ask_country:
            footer = f"{footer}\n{TEXTS['which_country']}".strip()
        return Reply(fmt.format(answer, footer=footer), "answer", answer)


def remember(state: FarmerState, answer: Answer) -> bool:
    """Keep the country, crop and stage the farmer stated; True when something new was learnt.

    Only values that came from the message itself (or an explicit argument) are kept, never
    ones that were themselves taken from memory or guessed from the language (including a
    place name that fits two countries, settled by the language it was written in).
    """
    if answer.outcome not in ("answered", "out_of_scope"):
        return False
    q = answer.query
    # state.language is the answer language the farmer chose (language_switch.py), not the detected one
    changed = False
    for name, allowed in (("crop", CROPS), ("country", COUNTRIES), ("stage", STAGES)):
        value, source = getattr(q, name), getattr(q, f"{name}_from")
        if name == "country" and source == "question" and _chosen_by_language(q.notes):
            continue
        if source in ("question", "argument", "variety") and value in allowed and getattr(state, name) != value:
            setattr(state, name, value)
            changed = True
            if name == "crop" and q.stage_from not in ("question", "argument"):
                state.stage = None  # the stage of another crop does not carry over
    return changed


def _country_guessed(state: FarmerState, answer: Answer) -> bool:
    """The answer follows a country guessed from the language or the best passage."""
    return (answer.outcome == "answered" and not state.country
            and answer.query.country_from in ("retrieval", "language"))


def _chosen_by_language(notes: list[str]) -> bool:
    """The understanding step notes 'chose X from the language' when it broke a tie that way."""
    return any("from the language" in note for note in notes)


def _memory(state: FarmerState) -> str:
    return ", ".join(v.replace("_", " ") for v in (state.crop, state.country, state.stage) if v)
