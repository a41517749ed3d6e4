"""What kind of answer a question wants, the farmer's season, passage layout, plain text,
the assumed-country lead and the "not covered" word check (no index needed)."""

from __future__ import annotations

import pytest

from agriadvisor.answering.country_note import country_lead, is_assumed, names_country_first, with_country_lead
from agriadvisor.answering.coverage import KnownWords, unknown_names
from agriadvisor.answering.layout import layout_of
from agriadvisor.answering.plain import plain_text, to_markdown
from agriadvisor.understanding.answer_type import answer_types
from agriadvisor.understanding.season import named_seasons, preference


@pytest.mark.parametrize(("question", "kind"), [
    ("When should I sow wheat?", "when"),
    ("गेहूं की बुवाई कब करें?", "when"),
    ("gehun ki buvai kab karein", "when"),
    ("গম কখন বুনতে হবে?", "when"),
    ("گندم کی کاشت کب کریں؟", "when"),
    ("गहुँ कहिले छर्ने?", "when"),
    ("ගොයම් වපුරන්නේ කවදාද?", "when"),
    ("கோதுமை எப்போது விதைக்க வேண்டும்?", "when"),
    ("How many days after sowing should I irrigate?", "when"),
    ("कितना यूरिया डालें?", "amount"),
    ("আমন ধানে কত ইউরিয়া", "amount"),
    ("dhan mein kitna urea dalna hai", "amount"),
    ("ඉස්සරහට යූරියා කොපමණ දාන්න ඕනද?", "amount"),
    ("நெல்லுக்கு எவ்வளவு யூரியா?", "amount"),
    ("Which variety of wheat for the Terai?", "variety"),
    ("kun jaat lagaune", "variety"),
    ("বোরোর জন্য কোন জাত ভালো?", "variety"),
    ("धान में तना छेदक का इलाज", "product"),
    ("ধানের মাজরা পোকা দমনের উপায় কী?", "product"),
    ("What should I spray for whitefly?", "product"),
    ("کپاس پر سفید مکھی کے لیے کونسی دوا سپرے کریں؟", "product"),
    ("How to do SRI in rice?", "how"),
    ("धान की नर्सरी कैसे तैयार करें?", "how"),
    ("Why are my rice leaves turning yellow?", "what"),
    ("ගොයම් කොළ කහ වෙන්නේ ඇයි?", "what"),
])
def test_answer_type_in_every_language(question: str, kind: str) -> None:
    assert kind in answer_types(question)


def test_a_control_question_is_not_a_definition_and_days_are_a_time() -> None:
    assert answer_types("What should I spray for whitefly?") == ("product",)
    assert answer_types("How many days after sowing should I weed?") == ("when",)
    assert answer_types("How many kg of urea per acre?") == ("amount",)
    assert answer_types("Tell me about rice") == ()


@pytest.mark.parametrize(("question", "season"), [
    ("আমন ধানে কত ইউরিয়া", "aman"), ("Boro rice variety for haor", "boro"), ("खरीफ मक्का कब बोएं", "kharif"),
    ("rabi wheat irrigation", "rabi"), ("යල කන්නයේ වී වගාව", "yala"), ("பெரும்போகத்தில் நெல்", "maha"),
])
def test_named_seasons_in_any_script(question: str, season: str) -> None:
    assert season in named_seasons(question)


def test_the_farmers_season_wins_over_its_siblings() -> None:
    aman = "Aman: lower nitrogen, typically urea 150-200 kg/ha."
    boro = "Boro, shorter varieties: urea about 260 kg."
    assert preference(aman, frozenset({"aman"})) == 1
    assert preference(boro, frozenset({"aman"})) == -1
    assert preference("Apply urea in three splits.", frozenset({"aman"})) == 0
    assert preference("Mid-hills and river valleys: Kartik to Mangsir.", frozenset({"terai"})) == -1


def test_layout_finds_lead_lines_and_item_heads() -> None:
    text = ("Sowing time depends on the belt:\nTerai: mid-November is best. Later sowing lowers yield.\n"
            "Hills: October.\nA long ordinary paragraph follows here. " + "It goes on. " * 20)
    sentences = ("Sowing time depends on the belt:", "Terai: mid-November is best.", "Later sowing lowers yield.",
                 "Hills: October.", "A long ordinary paragraph follows here.") + ("It goes on.",) * 20
    layout = layout_of(text, sentences)
    assert layout.needs(1) == (0,)
    assert layout.needs(2) == (0, 1)
    assert layout.needs(3) == (0,)
    assert layout.needs(5) == ()  # a paragraph's sentences stand alone
    assert layout_of("one. two.", ("one. two.",)).needs(0) == ()  # split another way: no layout


def test_plain_text_drops_emphasis_and_markdown_puts_labels_back() -> None:
    text = "**Boro, shorter varieties:** urea about 260 kg. Use *Trichoderma*. [1]"
    assert plain_text(text) == "Boro, shorter varieties: urea about 260 kg. Use Trichoderma. [1]"
    assert "*" not in plain_text(text)
    assert to_markdown(plain_text(text)).startswith("**Boro, shorter varieties:** urea")
    assert plain_text("2*3 plants per hill") == "2*3 plants per hill"


def test_assumed_country_is_named_first() -> None:
    assert is_assumed("retrieval") and is_assumed("language")
    assert not any(is_assumed(s) for s in ("argument", "question", "context", "channel", "default", None))
    assert with_country_lead("Sow in November. [1]", "Nepal").startswith("From Nepal's guide:")
    assert with_country_lead("In Nepal, sow in November. [1]", "Nepal") == "In Nepal, sow in November. [1]"
    assert country_lead("Bangladesh", "bn") == "বাংলাদেশ (Bangladesh):"
    assert names_country_first(with_country_lead("धान बोएं। [1]", "India", "hi"), "India", "hi")


def test_unknown_names_are_words_no_guide_or_word_list_holds() -> None:
    known = KnownWords.from_texts(["Zero tillage and the SRI method for rice; stem borer."])
    assert unknown_names("What is the glimmerwort practice for sorghum?", known) == ["glimmerwort"]
    assert unknown_names("What is the SRI method?", known) == []
    assert unknown_names("how does zero tillage practice work", known) == []
