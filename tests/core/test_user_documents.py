"""Your own documents (`index add`): asked like the README says, Q&A answers shown, list/remove, no duplicates."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agriadvisor.config import Settings
from agriadvisor.index.adding import add_documents, list_documents, remove_documents
from agriadvisor.index.manifest import IndexManifest

JUTE = "# Jute retting\nOur cooperative steeps jute bundles in slow ponds for about three weeks.\n"


@pytest.fixture()
def own(small_knowledge: Path, small_settings: Settings, small_advisor, tmp_path: Path) -> Settings:
    """A private copy of the small index, with the real guardrails on (the scope check included)."""
    idx = tmp_path / "index"
    shutil.copytree(small_settings.index_path, idx)
    return Settings(knowledge_path=small_knowledge, index_path=idx, guardrails=True)


def cli(settings: Settings, *args: str) -> str:
    from agriadvisor.cli import app

    result = CliRunner().invoke(app, [*args, "--index-path", str(settings.index_path)],
                                env={"AGRIADVISOR_KNOWLEDGE_PATH": str(settings.knowledge_path)})
    assert result.exit_code == 0, result.output
    return result.output


def test_the_readme_jute_notes_can_be_asked(own: Settings, tmp_path: Path) -> None:
    from agriadvisor.advisor import Advisor

    notes = tmp_path / "my_notes.md"
    notes.write_text(JUTE, encoding="utf-8")
    adv = Advisor(own)  # running before the add, like a server
    assert adv.ask("How long do we steep jute in ponds?").outcome == "out_of_scope"
    [doc] = add_documents(own, notes, country="Bangladesh", source="Faridpur jute cooperative")
    assert doc.status == "added" and doc.crops == ("jute",)
    assert IndexManifest.read(Path(own.index_path)).user_coverage["crops"] == ["jute"]
    ans = adv.ask("How long do we steep jute in ponds?")  # no reload_index(): the manifest changed
    assert ans.outcome == "answered", ans.text
    assert ans.citations[0].doc_id == doc.doc_id and "three weeks" in ans.text
    assert adv.ask("How long do we steep jute in ponds?", crop="jute").outcome == "answered"
    # a crop nobody's documents cover is still out of scope
    assert adv.ask("How long do we steep mesta in ponds?").outcome == "out_of_scope"


def test_index_add_accepts_a_new_crop_name(own: Settings, tmp_path: Path) -> None:
    from agriadvisor.advisor import Advisor
    from agriadvisor.errors import InputError

    notes = tmp_path / "retting.txt"
    notes.write_text("Steep the bundles in slow clean water and check the bark every few days.\n", encoding="utf-8")
    out = cli(own, "index", "add", str(notes), "--crop", "Jute")
    assert "covers jute" in out
    ans = Advisor(own).ask("How often should I check the bark while steeping?", crop="jute")
    assert ans.outcome == "answered" and ans.citations[0].crop == "jute"
    with pytest.raises(InputError, match="not a crop name"):
        add_documents(own, notes, crop="jute; drop table")


def test_qa_csv_answers_with_its_answer_column_and_ranks_first(own: Settings, tmp_path: Path) -> None:
    from agriadvisor.advisor import Advisor

    qa = tmp_path / "faq.csv"
    qa.write_text("question,answer\nWhat is the zorblax method for rice?,"
                  "Zorblax is our village name for sowing sprouted rice seed in dry lines after the first rain.\n",
                  encoding="utf-8")
    add_documents(own, qa, country="India")
    ans = Advisor(own).ask("What is the zorblax method for rice?")
    assert ans.outcome == "answered", ans.text
    assert ans.citations[0].doc_id.startswith("user-faq"), [c.title for c in ans.citations]
    assert "sprouted rice seed" in ans.text and "Question:" not in ans.text
    assert ans.citations[0].title.endswith("What is the zorblax method for rice?")


def test_index_list_and_remove(own: Settings, tmp_path: Path) -> None:
    from agriadvisor.index.store import KnowledgeIndex

    before = len(KnowledgeIndex.load(own.index_path))
    notes = tmp_path / "my_notes.md"
    notes.write_text(JUTE, encoding="utf-8")
    cli(own, "index", "add", str(notes), "--country", "Bangladesh")
    listed = json.loads(cli(own, "index", "list", "--json"))
    assert [Path(e["file"]).name for e in listed] == ["my_notes.md"] and listed[0]["crops"] == ["jute"]
    assert "my_notes.md" in cli(own, "index", "list")
    assert "removed" in cli(own, "index", "remove", "my_notes.md")
    assert list_documents(own) == []
    index = KnowledgeIndex.load(own.index_path)
    assert len(index) == before and not any(c.doc_id.startswith("user-") for c in index.chunks)
    assert len(index.sentence_chunk) == index.manifest.sentences and "jute" not in index.crops
    from agriadvisor.errors import InputError

    with pytest.raises(InputError, match="no added document"):
        remove_documents(own, ["my_notes.md"])


def test_the_same_file_twice_is_already_indexed(own: Settings, tmp_path: Path) -> None:
    from agriadvisor.index.store import KnowledgeIndex

    notes = tmp_path / "my_notes.md"
    notes.write_text(JUTE, encoding="utf-8")
    copy = tmp_path / "copy_of_notes.md"
    copy.write_text(JUTE, encoding="utf-8")
    assert "added 1 chunks" in cli(own, "index", "add", str(notes))
    n = len(KnowledgeIndex.load(own.index_path))
    assert "already indexed: my_notes.md" in cli(own, "index", "add", str(notes))
    assert "already indexed: copy_of_notes.md (as my_notes.md)" in cli(own, "index", "add", str(copy))
    assert len(KnowledgeIndex.load(own.index_path)) == n
    notes.write_text(JUTE + "\nAfter retting, wash the fibre in clean water.\n", encoding="utf-8")
    assert "replaced 1 chunks" in cli(own, "index", "add", str(notes))
    assert len(KnowledgeIndex.load(own.index_path)) == n
