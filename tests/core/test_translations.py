"""Aligned translations: the file format and its checks, and answers in the farmer's language."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from agriadvisor.knowledge.loader import load_corpus
from agriadvisor.knowledge.skeleton import skeleton
from agriadvisor.knowledge.translations import coverage_table, load_translations
from agriadvisor.text import dominant_script

REPO = Path(__file__).resolve().parents[2]
KNOWLEDGE = REPO / "knowledge"
MARKERS = re.compile(r"\[\d+\]")


@pytest.fixture(scope="module")
def rice_knowledge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """India rice in English and Hindi, with the glossary: a real guide and its real translation."""
    root = tmp_path_factory.mktemp("knowledge-hi")
    (root / "india").mkdir()
    for rel in ("india/rice.md", "india/rice.hi.md", "glossary.yaml", "places.yaml"):
        shutil.copy(KNOWLEDGE / rel, root / rel)
    return root


def _translations(root: Path):
    corpus = load_corpus(root)
    return corpus, load_translations(root, corpus.chunks)


def test_shipped_translations_align_without_errors() -> None:
    corpus = load_corpus(KNOWLEDGE)
    tr = load_translations(KNOWLEDGE, corpus.chunks, warnings=False)
    assert tr.errors == []
    assert ("india-rice#1", "hi") in tr.sections
    hi = tr.get("india-rice#8", "hi")
    en = next(c for c in corpus.chunks if c.chunk_id == "india-rice#8")
    assert "pymetrozine" in " ".join(hi.sentences) and "pymetrozine" in en.text
    assert all(dominant_script(s) == "Devanagari" for s in hi.sentences)


def test_translation_files_are_not_guides_and_do_not_touch_the_index_fingerprint(rice_knowledge: Path) -> None:
    from agriadvisor.knowledge.loader import knowledge_fingerprint

    before = knowledge_fingerprint(rice_knowledge)
    corpus = load_corpus(rice_knowledge)
    assert {c.doc_id for c in corpus.chunks} == {"india-rice"} and corpus.errors == []
    (rice_knowledge / "india" / "rice.hi.md").touch()
    (rice_knowledge / "TRANSLATING.md").write_text("# notes for translators\n", encoding="utf-8")
    try:
        assert knowledge_fingerprint(rice_knowledge) == before
        assert load_corpus(rice_knowledge).errors == []
    finally:
        (rice_knowledge / "TRANSLATING.md").unlink()


def _edit(root: Path, lang: str, old: str, new: str) -> Path:
    path = root / "india" / f"rice.{lang}.md"
    text = (root / "india" / "rice.hi.md").read_text(encoding="utf-8")
    if lang != "hi":
        text = text.replace("language: hi", f"language: {lang}")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_dropped_sentence_is_an_error_naming_file_section_and_counts(tmp_path: Path, rice_knowledge: Path) -> None:
    shutil.copytree(rice_knowledge, tmp_path / "k")
    root = tmp_path / "k"
    _edit(root, "hi", "मेड़ों की मरम्मत करें ताकि पानी और खाद बहकर बाहर न निकलें।\n", "")
    _, tr = _translations(root)
    [err] = tr.errors
    assert err.path == "india/rice.hi.md" and "section 1" in err.field
    assert "7 sentences/list items, the English has 8" in err.message
    assert tr.get("india-rice#1", "hi") is None  # never paired
    assert tr.get("india-rice#2", "hi") is not None  # the other sections still are


def test_two_sentences_merged_into_one_is_misaligned(tmp_path: Path, rice_knowledge: Path) -> None:
    shutil.copytree(rice_knowledge, tmp_path / "k")
    root = tmp_path / "k"
    _edit(root, "hi", "सड़कों पर न सुखाएँ।\n\n", "सड़कों पर न सुखाएँ, ")
    _, tr = _translations(root)
    assert any("the English has" in e.message and "'सुखाना, भंडारण और बिक्री'" in e.field for e in tr.errors)


def test_script_numbers_and_untranslated_text_are_errors(tmp_path: Path, rice_knowledge: Path) -> None:
    shutil.copytree(rice_knowledge, tmp_path / "k")
    root = tmp_path / "k"
    path = root / "india" / "rice.hi.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("लगभग 10 टन प्रति हेक्टेयर", "लगभग 12 टन प्रति हेक्टेयर")
    text = text.replace("सड़कों पर न सुखाएँ।", "Avoid drying on roads.")
    text = text.replace("पुआल (पराली) न जलाएँ।", "पुआल (पराली) न जलाएँ, stubble।")
    path.write_text(text, encoding="utf-8")
    _, tr = _translations(root)
    messages = " | ".join(f"{e.field}: {e.message}" for e in tr.errors)
    assert "numbers differ from the English: missing 10; not in the English 12" in messages
    assert "no word in Devanagari script: not translated" in messages
    assert "not Devanagari script and not in the English sentence: stubble" in messages
    for chunk in ("india-rice#1", "india-rice#13", "india-rice#12"):
        assert tr.get(chunk, "hi") is None


def test_a_bengali_file_must_be_bengali_script(tmp_path: Path, rice_knowledge: Path) -> None:
    shutil.copytree(rice_knowledge, tmp_path / "k")
    _edit(tmp_path / "k", "bn", "x", "x")  # the Hindi text under a Bengali name
    _, tr = _translations(tmp_path / "k")
    bn_errors = [e for e in tr.errors if e.path == "india/rice.bn.md"]
    assert bn_errors and all("Bengali script" in e.message for e in bn_errors if "sentence" in e.field)
    assert not any(k[1] == "bn" for k in tr.sections)


def test_an_english_edit_makes_the_section_stale(tmp_path: Path, rice_knowledge: Path) -> None:
    shutil.copytree(rice_knowledge, tmp_path / "k")
    en = tmp_path / "k" / "india" / "rice.md"
    en.write_text(en.read_text(encoding="utf-8").replace("Older seedlings tiller poorly.",
                                                         "Older seedlings tiller badly."), encoding="utf-8")
    _, tr = _translations(tmp_path / "k")
    [err] = tr.errors
    assert "section 3" in err.field and "English section changed since it was translated" in err.message
    assert tr.get("india-rice#3", "hi") is None


def test_sections_out_of_order_are_reported(tmp_path: Path, rice_knowledge: Path) -> None:
    shutil.copytree(rice_knowledge, tmp_path / "k")
    _edit(tmp_path / "k", "hi", 'en: "Diseases"', 'en: "Weed management"')
    _, tr = _translations(tmp_path / "k")
    assert any("translates 'Weed management' but English section 9 is 'Diseases'" in e.message for e in tr.errors)


def test_skeleton_has_every_section_and_sentence(rice_knowledge: Path) -> None:
    text = skeleton(rice_knowledge / "india" / "rice.md", "bn")
    corpus = load_corpus(rice_knowledge)
    assert text.count("\n## ") == len(corpus.chunks)
    assert "translation_of: india-rice" in text and "language: bn" in text
    assert "Older seedlings tiller poorly.\n" in text


def test_coverage_table_counts_aligned_sections(rice_knowledge: Path) -> None:
    corpus, tr = _translations(rice_knowledge)
    table = coverage_table(tr, corpus.chunks)
    assert table["India"]["hi"] == [len(corpus.chunks), len(corpus.chunks)]
    assert table["India"]["bn"] == [0, len(corpus.chunks)]


# ---- answers in the farmer's language --------------------------------------------------------

@pytest.fixture(scope="module")
def hindi_advisor(rice_knowledge: Path, tmp_path_factory: pytest.TempPathFactory):
    from agriadvisor.advisor import Advisor
    from agriadvisor.config import Settings

    return Advisor(Settings(knowledge_path=rice_knowledge, index_path=tmp_path_factory.mktemp("idx-hi")))


def test_a_hindi_question_is_answered_in_hindi_with_the_english_alongside(hindi_advisor) -> None:
    ans = hindi_advisor.ask("धान में भूरा फुदका लग गया है क्या करें", country="India")
    assert ans.outcome == "answered" and ans.language == "hi"
    assert dominant_script(ans.text) == "Devanagari"
    assert MARKERS.findall(ans.text) == MARKERS.findall(ans.text_en)
    tr = hindi_advisor.translations
    # every Hindi sentence is the aligned translation of an English sentence of the cited passage
    for c in ans.citations:
        sec = tr.get(c.chunk_id, "hi")
        assert sec is not None
    assert "pymetrozine" in ans.text_en and "pymetrozine" in ans.text


def test_romanized_hindi_is_answered_in_devanagari_and_english_on_request(hindi_advisor) -> None:
    q = "dhan me bhura phudka lag gaya hai kya karein"
    ans = hindi_advisor.ask(q, country="India")
    assert ans.query.language == "hi_latn" and ans.language == "hi"
    assert dominant_script(ans.text) == "Devanagari"
    en = hindi_advisor.ask(q, country="India", language="en")
    assert en.language == "en" and en.text == en.text_en == ans.text_en


def test_without_a_translation_the_answer_is_english_with_a_note(hindi_advisor) -> None:
    ans = hindi_advisor.ask("ধানে বাদামি গাছফড়িং লেগেছে, কী করব?", country="India")
    assert ans.outcome == "answered" and ans.language == "en"
    body = ans.text.split("\n")[0]
    assert body == ans.text_en.split("\n")[0] and dominant_script(body) == "Latin"
    assert any("no Bengali translation yet" in n for n in ans.query.notes)


def test_language_can_be_chosen_per_item_and_bad_codes_are_input_errors(hindi_advisor) -> None:
    from agriadvisor.errors import InputError

    a, b = hindi_advisor.ask_many([{"question": "How do I control brown planthopper in rice?", "country": "India",
                                    "language": "hi"}, "How do I control brown planthopper in rice in India?"])
    assert a.language == "hi" and b.language == "en"
    with pytest.raises(InputError, match="unknown answer language 'xx'"):
        hindi_advisor.ask("When to sow rice?", language="xx")


def test_localise_never_mixes_languages() -> None:
    from agriadvisor.answering.localise import localise
    from agriadvisor.knowledge.translations import TranslatedSection, Translations

    tr = Translations()
    tr.sections[("d#1", "hi")] = TranslatedSection("d#1", "hi", "h", ("पहला वाक्य।", "दूसरा वाक्य।"))
    english = {1: ("d#1", ["First one.", "Second one."]), 2: ("d#2", ["Other passage."])}
    done = localise("First one. Second one. [1]", "hi", english.get, tr)
    assert (done.text, done.language) == ("पहला वाक्य। दूसरा वाक्य। [1]", "hi")
    mixed = localise("Second one. [1] Other passage. [2]", "hi", english.get, tr)
    assert (mixed.text, mixed.language, mixed.untranslated) == ("Second one. [1] Other passage. [2]", "en", [2])
    generated = localise("Something a model wrote. [1]", "hi", english.get, tr)
    assert generated.language == "en"


def test_batch_rows_may_carry_an_answer_language(hindi_advisor, tmp_path: Path) -> None:
    import json

    from agriadvisor.channels.batch import run_batch

    src = tmp_path / "q.csv"
    src.write_text("id,question,country,language\n1,How do I control brown planthopper in rice?,India,hi\n"
                   "2,How do I control brown planthopper in rice?,India,\n3,When to sow rice?,India,zz\n",
                   encoding="utf-8")
    run_batch(hindi_advisor, src, tmp_path / "out.jsonl")
    rows = {r["id"]: r for r in map(json.loads, (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines())}
    assert rows["1"]["answer"]["language"] == "hi" and rows["1"]["answer"]["text_en"]
    assert rows["2"]["answer"]["language"] == "en"
    assert "unknown answer language 'zz'" in rows["3"]["error"]


class _HindiModel:
    """Plumbing fake of a generation backend: answers from the first passage it is given."""

    def __new__(cls, reply):  # noqa: ANN001, ANN204
        from agriadvisor.backends.base import Backend

        class Fake(Backend):
            name = "hindi-fake"
            requests: list = []

            def generate(self, request):  # noqa: ANN001, ANN202
                Fake.requests.append(request)
                yield reply(request.evidence[0])

        return Fake()


def _model_advisor(hindi_advisor, reply):  # noqa: ANN001, ANN202
    from agriadvisor.advisor import Advisor

    return Advisor(hindi_advisor.settings, backend=_HindiModel(reply))


def test_a_model_gets_hindi_evidence_and_its_copied_sentences_map_back_to_english(hindi_advisor) -> None:
    adv = _model_advisor(hindi_advisor, lambda ev: f"{ev.sentences[0]} [1]")
    ans = adv.ask("धान में भूरा फुदका लग गया है क्या करें", country="India")
    request = adv.backend.requests[-1]
    assert dominant_script(request.evidence[0].chunk.text) == "Devanagari" and request.query.language == "hi"
    assert ans.backend == "hindi-fake" and ans.language == "hi" and dominant_script(ans.text) == "Devanagari"
    english = hindi_advisor.index.sentences[[c.chunk_id for c in hindi_advisor.index.chunks].index(
        ans.citations[0].chunk_id)][0]
    assert ans.text_en.startswith(f"{english} [1]")


def test_grounding_of_a_hindi_answer_works_word_by_word(hindi_advisor) -> None:
    def reply(ev):  # noqa: ANN001, ANN202
        words = ev.sentences[0].rstrip("।").split()
        return f"{' '.join(reversed(words))}। [1] चाँद पर सोना उगाने के लिए जादुई मंत्र पढ़ें। [1]"

    ans = _model_advisor(hindi_advisor, reply).ask("धान में भूरा फुदका लग गया है क्या करें", country="India")
    assert ans.backend == "hindi-fake" and ans.language == "hi" and "जादुई" not in ans.text
    assert ans.text_en == ""  # a reworded sentence has no aligned English
    dropped = [h for h in ans.guardrails if h.rule_id == "output.unsupported_sentence"]
    assert len(dropped) == 1


def test_eval_reports_the_answer_language_and_checks_facts_on_the_english(hindi_advisor) -> None:
    from agriadvisor.evaluation.dataset import EvalItem
    from agriadvisor.evaluation.runner import evaluate

    items = [EvalItem(id="bph-hi", question="धान में भूरा फुदका लग गया है क्या करें", language="hi",
                      country="India", crop="rice", facts=["pymetrozine", "10 hoppers"]),
             EvalItem(id="bph-hi-latn", question="dhan me bhura phudka lag gaya hai kya karein", language="hi_latn",
                      country="India", crop="rice", facts=["pymetrozine"])]
    report = evaluate(hindi_advisor, items)
    assert report.by_language["hi"]["in_language"] == 1.0 and report.by_language["hi_latn"]["in_language"] == 1.0
    assert report.by_language["hi"]["fact_recall"] == 1.0


def test_native_keyword_search_finds_hindi_words_in_the_translated_passage(rice_knowledge: Path) -> None:
    from agriadvisor.retrieval.native import NativeKeywords
    from agriadvisor.text import tokenize

    corpus, tr = _translations(rice_knowledge)
    native = NativeKeywords(corpus.chunks, tr)
    assert native.covered == len(corpus.chunks)
    best = native.search(tokenize("भूरा फुदका pymetrozine"), 3)[0][0]
    assert corpus.chunks[best].chunk_id == "india-rice#8"
    assert native.search(tokenize("xyzzy"), 3) == []
