"""Brand names and variety codes farmers use (knowledge/products.yaml, varieties.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agriadvisor.answering.names_note import ASSUMED_CROP, add_name_lines
from agriadvisor.knowledge.check import run_check
from agriadvisor.models import Answer, Citation, QueryInfo
from agriadvisor.understanding import QueryUnderstanding
from agriadvisor.understanding.names import NameBook, add_brands_to_rails, load_names, name_key

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE = ROOT / "knowledge"


@pytest.fixture(scope="module")
def qu() -> QueryUnderstanding:
    return QueryUnderstanding.from_folder(KNOWLEDGE)


@pytest.fixture(scope="module")
def book() -> NameBook:
    return NameBook.from_folder(KNOWLEDGE)


def test_shipped_files_load_without_errors() -> None:
    products, varieties, series, errors = load_names(KNOWLEDGE)
    assert errors == []
    assert len(products) >= 150 and len(series) >= 40
    per_country = {c: sum(c in v.countries for v in varieties)
                   for c in ("India", "Bangladesh", "Sri Lanka", "Pakistan", "Nepal")}
    assert min(per_country.values()) >= 40, per_country


@pytest.mark.parametrize("question, brand, active", [
    ("What is Regent and its uses?", "Regent", "fipronil"),
    ("recommended dose of Caldan?", "Caldan", "cartap hydrochloride"),
    ("What is Contaf and when to apply it?", "Contaf", "hexaconazole"),
    ("Folicur", "Folicur", "tebuconazole"),
    ("Nominee Gold dose per acre", "Nominee Gold", "bispyribac-sodium"),
    ("BISPYRIBAC SODIUM (NOMINI GOLD) dosage ?", "Nominee Gold", "bispyribac-sodium"),
    ("USAGE OF SAGARIKA IN PADDY", "Sagarika", "seaweed extract"),
    ("कोराजन कितना डालें", "Coragen", "chlorantraniliprole"),
])
def test_brand_gives_active_topic_and_search_words(qu: QueryUnderstanding, question: str, brand: str, active: str) -> None:
    info = qu.run(question)
    assert [(m.name, m.kind) for m in info.names][:1] == [(brand, "product")]
    assert active in info.names[0].actives
    assert active in info.search_query
    assert info.names[0].origin == f"products.yaml: {brand}" and info.names[0].source
    assert info.topics


@pytest.mark.parametrize("question, crop, country", [
    ("Information regarding seed rate of PB-3", "rice", "India"),
    ("Is PBW 621 successful in Punjab?", "wheat", "India"),
    ("legal notice regarding sowing of PAU 201", "rice", "India"),
    ("BRRI dhan28 fertilizer", "rice", "Bangladesh"),
    ("ব্রি ধান২৯ এর জীবনকাল", "rice", "Bangladesh"),
    ("Akbar-2019 seed rate", "wheat", "Pakistan"),
    ("Bg 300 fertiliser recommendation", "rice", "Sri Lanka"),
    ("Hardinath-1 sowing time", "rice", "Nepal"),
    ("JS 335 sowing", "soybean", "India"),
    ("Co 0238 ratoon care", "sugarcane", "India"),
    ("HHB 67 Improved seed rate", "millets", "India"),
    ("GPU 28 spacing", "millets", "India"),
    ("CSV 15 fodder", "sorghum", "India"),
])
def test_variety_gives_crop_and_country(qu: QueryUnderstanding, question: str, crop: str, country: str) -> None:
    info = qu.run(question)
    assert (info.crop, info.crop_from) == (crop, "variety")
    assert info.country == country
    assert info.names and info.names[0].kind in ("variety", "series")


def test_code_forms_match_through_normalisation(book: NameBook) -> None:
    for written in ("PBW 621", "PBW-621", "pbw621", "Pbw 621"):
        assert [m.name for m in book.find(f"is {written} good")] == ["PBW 621"], written
    assert name_key("BARI Gom-৩৩") == "barigom33"


def test_unlisted_code_of_a_known_series_gives_the_crop(book: NameBook) -> None:
    found = book.find("PBW 999 yield")
    assert [(m.kind, m.crop, m.countries) for m in found] == [("series", "wheat", ["India"])]
    assert book.find("BRRI dhan 999 yield")[0].crop == "rice"


@pytest.mark.parametrize("text", ["apply at 300 days", "spray at 150 DAS", "I tilt the tank", "Vijay asks about aphids",
                                  "co 250 kg per acre"])
def test_everyday_words_are_not_names(book: NameBook, text: str) -> None:
    assert book.find(text) == []


def test_a_named_crop_wins_over_the_variety(qu: QueryUnderstanding) -> None:
    info = qu.run("PBW 621 after rice harvest, maize sowing?", crop="maize")
    assert info.crop == "maize" and info.crop_from == "argument"


def test_answer_says_what_the_brand_is_label_dose_and_assumed_crop() -> None:
    info = QueryInfo(text="What is Regent?", language="en")
    info.names = NameBook.from_folder(KNOWLEDGE).find(info.text)
    cite = Citation(n=1, country="India", crop="rice", stage="vegetative", title="t", source="s", snippet="x", score=1.0)
    ans = add_name_lines(Answer(question=info.text, outcome="answered", text="Guide advice [1].", citations=[cite], query=info))
    lines = ans.text.splitlines()
    assert lines[0].startswith("Regent is a trade name for fipronil")
    assert "label" in ans.text
    assert lines[-1] == "Answered for rice. Which crop is yours? Send its name."
    assert any(n.startswith(ASSUMED_CROP) for n in ans.query.notes)


def test_assumed_crop_line_in_the_farmers_language() -> None:
    info = QueryInfo(text="इल्ली का नियंत्रण कैसे करें?", language="hi")
    cite = Citation(n=1, country="India", crop="maize", stage="vegetative", title="t", source="s", snippet="x", score=1.0)
    ans = add_name_lines(Answer(question=info.text, outcome="answered", text="सलाह [1]।", citations=[cite], query=info,
                                       language="hi"))
    assert ans.text.splitlines()[-1].startswith("यह उत्तर मक्का के लिए है")


def test_no_line_when_the_crop_was_named() -> None:
    info = QueryInfo(text="rice caterpillars", crop="rice", crop_from="question")
    cite = Citation(n=1, country="India", crop="rice", stage="vegetative", title="t", source="s", snippet="x", score=1.0)
    ans = add_name_lines(Answer(question=info.text, outcome="answered", text="Advice [1].", citations=[cite], query=info))
    assert ans.text == "Advice [1]." and not ans.query.notes


def test_brand_of_a_banned_active_is_refused_like_the_active(qu: QueryUnderstanding) -> None:
    from agriadvisor.safety.engine import GuardrailEngine
    from agriadvisor.safety.policies import load_policies

    question = "Tafgor dose for cotton aphids"  # Tafgor (dimethoate) is only in products.yaml
    info = qu.run(question, country="Sri Lanka")
    plain = GuardrailEngine(load_policies(ROOT / "guardrails")).check_input(info)
    policies = load_policies(ROOT / "guardrails")
    assert add_brands_to_rails(policies, load_names(KNOWLEDGE)[0]) > 0
    engine = GuardrailEngine(policies)
    assert plain.outcome is None
    assert engine.check_input(info).outcome == "refused"
    assert engine.check_input(qu.run("dimethoate dose for cotton aphids", country="Sri Lanka")).outcome == "refused"
    assert engine.check_input(qu.run("Tafgor dose for cotton aphids", country="India")).outcome is None


def _write(root: Path, products: str, varieties: str) -> Path:
    (root / "products.yaml").write_text(products, encoding="utf-8")
    (root / "varieties.yaml").write_text(varieties, encoding="utf-8")
    return root


def test_bad_entries_fail_the_knowledge_check_naming_file_and_entry(tmp_path: Path) -> None:
    root = _write(tmp_path, """products:
  - {brand: Alpha, active: [fipronil], kind: insecticide, countries: [India], source: label}
  - {brand: ALPHA, active: [imidacloprid], kind: insecticide, countries: [India], source: label}
  - {brand: Beta, active: [fipronil], kind: insecticide, countries: [India]}
  - {brand: Gamma, active: [fipronil], kind: insecticide, countries: [Narnia], source: label}
""", """series:
  - {prefix: XX, crop: wheat, countries: [India], source: src}
varieties:
  - {name: XY 1, crop: wheat, countries: [India], source: src}
  - {name: xy-1, crop: rice, countries: [India], source: src}
  - {name: ZZ 2, crop: potato, countries: [India], source: src}
""")
    report, table = run_check(root)
    errors = "\n".join(report["errors"])
    assert "products.yaml: duplicate name 'alpha'" in errors
    assert "products.yaml: entry 3 (Beta): source" in errors
    assert "products.yaml: entry 4 (Gamma): countries" in errors and "Narnia" in errors
    assert "varieties.yaml: duplicate name 'xy1'" in errors
    assert "varieties.yaml: entry 3 (ZZ 2): crop" in errors and "potato" in errors
    assert "Errors:" in table


def test_same_name_with_same_meaning_is_allowed(tmp_path: Path) -> None:
    _write(tmp_path, """products:
  - {brand: Alpha, active: [fipronil], kind: insecticide, countries: [India], source: label}
  - {brand: Alpha 5 SC, names: [alpha], active: [Fipronil], kind: insecticide, countries: [Pakistan], source: label}
""", "varieties: []\n")
    assert load_names(tmp_path)[3] == []


@pytest.mark.parametrize("question, brand", [
    ("பருத்தியில் வெள்ளை ஈக்கு கான்ஃபிடார் எவ்வளவு தெளிக்க வேண்டும்?", "Confidor"),
    ("ప్రొక్లైమ్ ఎంత మోతాదు స్ప్రే చేయాలి", "Proclaim"),
    ("नोमिनी गोल्ड कितना डालें", "Nominee Gold"),
])
def test_brand_typed_in_a_local_script_is_heard_by_sound(book: NameBook, question: str, brand: str) -> None:
    assert brand in [m.name for m in book.find(question)]


@pytest.mark.parametrize("text", ["सोयाबीन में कितना यूरिया डालें", "প্রধান সার কত দিব", "टपक सिंचाई कितना पानी"])
def test_local_words_are_not_brands(book: NameBook, text: str) -> None:
    assert [m for m in book.find(text) if m.kind == "product"] == []


@pytest.mark.parametrize("question, name", [
    ("एचडी 2967 में कितना यूरिया डालें?", "HD 2967"),
    ("ඒටී 362 වලට යූරියා කොච්චරද?", "At 362"),
    ("ایچ ڈی 2967 کی بوائی کب کریں", "HD 2967"),
    ("পিবিডব্লিউ ৯৯৯ জাত", "PBW 999"),
])
def test_code_spelled_out_in_a_local_script(book: NameBook, question: str, name: str) -> None:
    assert [m.name for m in book.find(question)] == [name]


@pytest.mark.parametrize("question, brand", [
    ("நெல்லுக்கு ஃபோலிகூர் எவ்வளவு தெளிக்க வேண்டும்?", "Folicur"),
    ("कालडान 50 एसपी का धान में प्रयोग कैसे करें?", "Caldan"),
])
def test_four_sound_brand_needs_its_vowels_too(book: NameBook, question: str, brand: str) -> None:
    assert [m.name for m in book.find(question)] == [brand]
    assert [m for m in book.find("প্রধান সার কত দিব?") if m.kind == "product"] == []  # "main" is not Furadan


def test_english_audit_copy_gets_the_same_lines() -> None:
    info = QueryInfo(text="धान में रीजेंट कितना डालें?", language="hi", crop="rice", crop_from="question")
    info.names = NameBook.from_folder(KNOWLEDGE).find(info.text)
    cite = Citation(n=1, country="India", crop="rice", stage="vegetative", title="t", source="s", snippet="x", score=1.0)
    ans = add_name_lines(Answer(question=info.text, outcome="answered", text="सलाह [1]।", text_en="Advice [1].",
                                citations=[cite], query=info, language="hi"))
    assert ans.text_en.splitlines()[0].startswith("Regent is a trade name for fipronil")
    assert ans.text_en.splitlines()[1] == "Advice [1]." and "label" in ans.text_en.splitlines()[-1]
