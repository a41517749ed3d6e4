"""What the farmer reads, on the whole shipped knowledge base: the sentence that answers the
question is in the full and the SMS answer, the country is the farmer's or is named, questions
the guides cannot answer are "not covered", and no Markdown reaches the phone (issue 18)."""

from __future__ import annotations

import pytest

from agriadvisor.advisor import Advisor
from agriadvisor.answering.plain import to_markdown

# (question, ask() arguments, words of the answering sentence)
ANSWERING = [
    ("When should I sow wheat?", {"country": "Nepal"}, "from late Kartik to Mangsir"),
    ("Pink bollworm", {"country": "Pakistan"}, "Treat when about 5 percent are infested"),
    ("धान में तना छेदक का इलाज क्या है?", {"country": "India"}, "install pheromone traps"),
    ("আমন ধানে কত ইউরিয়া দিতে হবে?", {}, "Aman: lower nitrogen, typically urea 150"),
    ("कितना यूरिया डालें?", {"crop": "rice"}, "100 to 120 kg nitrogen"),
]


@pytest.mark.parametrize(("question", "kwargs", "answer"), ANSWERING, ids=[q for q, _, _ in ANSWERING])
@pytest.mark.parametrize("sms", [False, True], ids=["full", "sms"])
def test_the_answering_sentence_is_in_the_answer(full_advisor: Advisor, question: str, kwargs: dict, answer: str,
                                                 sms: bool) -> None:
    ans = full_advisor.ask(question, sms=sms, **kwargs)
    assert ans.outcome == "answered"
    english = getattr(ans, "text_en", "") or ans.text  # the answer may be in the farmer's language
    assert answer in english, english
    assert ans.grounded is not False


def test_the_sms_answer_is_short_and_does_not_open_with_a_side_remark(full_advisor: Advisor) -> None:
    ans = full_advisor.ask("When should I sow wheat?", country="Nepal", sms=True)
    assert not ans.text.startswith("Sowing after mid-December")
    assert ans.text.count(". ") <= 2
    bollworm = full_advisor.ask("Pink bollworm", country="Pakistan", sms=True)
    assert not bollworm.text.startswith("Other bollworms")


def test_the_farmers_season_wins(full_advisor: Advisor) -> None:
    ans = full_advisor.ask("আমন ধানে কত ইউরিয়া দিতে হবে?", sms=True)
    assert ans.query.seasons == ["aman"]
    assert "Boro, shorter varieties" not in (getattr(ans, "text_en", "") or ans.text)


@pytest.mark.parametrize("question", ["When should I sow wheat?", "When should I irrigate?",
                                      "Young paddy tillers are drying from the centre, what do I do?"])
@pytest.mark.parametrize("sms", [False, True], ids=["full", "sms"])
def test_an_assumed_country_is_named_first_and_the_answer_keeps_to_it(full_advisor: Advisor, question: str,
                                                                      sms: bool) -> None:
    ans = full_advisor.ask(question, sms=sms)
    q = ans.query
    assert q.country_from == "retrieval"
    assert any("no country given" in n for n in q.notes)
    assert q.country in " ".join(ans.text.split()[:6])
    assert {c.country for c in ans.citations} <= {q.country, "all"}


def test_the_country_comes_from_the_question_conversation_channel_then_default(full_advisor: Advisor) -> None:
    q = "When should I sow wheat?"
    assert full_advisor.ask(q, context={"channel_country": "Nepal"}).query.country_from == "channel"
    told = full_advisor.ask(q, context={"country": "India", "channel_country": "Nepal"}).query
    assert (told.country, told.country_from) == ("India", "context")
    asked = full_advisor.ask("When should I sow wheat in Chitwan?", context={"channel_country": "India"}).query
    assert (asked.country, asked.country_from) == ("Nepal", "question")
    by_phone = full_advisor.ask(q, context={"channel_country": "Nepal"})
    assert "Kartik to Mangsir" in by_phone.text and not by_phone.text.startswith("From")
    default = Advisor(full_advisor.settings.model_copy(update={"default_country": "Sri Lanka"}))
    default._index, default._embedder = full_advisor.index, full_advisor.embedder  # same index, no rebuild
    d = default.ask(q).query
    assert (d.country, d.country_from) == ("Sri Lanka", "default")


def test_a_call_centre_row_from_punjab_is_answered_from_india(full_advisor: Advisor, tmp_path) -> None:
    from agriadvisor.channels.batch import read_rows

    path = tmp_path / "kcc.csv"
    path.write_text("StateName,QueryText\nPUNJAB,wheat sowing time\n", encoding="utf-8")
    row = next(iter(read_rows(path)))
    assert row.country == "India"
    ans = full_advisor.ask(row.question, country=row.country)
    assert {c.country for c in ans.citations} <= {"India", "all"}


def test_a_practice_no_guide_holds_is_not_covered(full_advisor: Advisor) -> None:
    ans = full_advisor.ask("What is the glimmerwort practice for sorghum?", country="India")
    assert ans.outcome == "out_of_scope"
    assert any("glimmerwort" in n for n in ans.query.notes)
    real = full_advisor.ask("What is the zero tillage practice for wheat?", country="India")
    assert real.outcome == "answered"


def test_no_markdown_reaches_the_phone(full_advisor: Advisor) -> None:
    for sms in (False, True):
        ans = full_advisor.ask("How much urea for Boro rice?", country="Bangladesh", sms=sms)
        assert ans.outcome == "answered"
        assert "**" not in ans.text and "__" not in ans.text
    ans = full_advisor.ask("How much urea for Boro rice?", country="Bangladesh")
    assert "**Boro, shorter varieties (under about 150 days, e.g. BRRI dhan28):**" in to_markdown(ans.text) \
        or "**" in to_markdown(ans.text)


def test_the_bot_takes_the_country_from_the_phone_code_and_asks_once(full_advisor: Advisor, tmp_path) -> None:
    from agriadvisor.channels.conversation import Conversation
    from agriadvisor.channels.state import StateStore

    convo = Conversation(full_advisor, StateStore(tmp_path / "state.sqlite3", key="k" * 32))
    nepal = convo.handle("+9779800000000", "When should I sow wheat?", channel="whatsapp")
    assert nepal.answer.query.country == "Nepal" and nepal.answer.query.country_from == "channel"
    assert "Kartik to Mangsir" in nepal.text
    unknown = "+4915100000000"  # a number from outside the five countries
    first = convo.handle(unknown, "When should I sow wheat?", channel="whatsapp")
    assert first.answer.query.country_from == "retrieval" and "Which country" in first.text
    second = convo.handle(unknown, "When should I irrigate wheat?", channel="whatsapp")
    third = convo.handle(unknown, "How much urea for wheat?", channel="whatsapp")
    assert "Which country" not in second.text and "Which country" not in third.text
