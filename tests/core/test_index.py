"""Index persistence: manifest, stale and corrupt detection, atomic rebuild, user documents."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from agriadvisor.config import Settings
from agriadvisor.errors import CorruptIndexError, StaleIndexError
from agriadvisor.index.builder import corpus_identity, open_or_build
from agriadvisor.index.embedder import Embedder
from agriadvisor.index.store import KnowledgeIndex


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return Embedder()


@pytest.fixture()
def own_settings(small_knowledge: Path, small_settings: Settings, tmp_path: Path) -> Settings:
    """A private copy of the small corpus and its built index, so tests may damage them."""
    know = tmp_path / "knowledge"
    shutil.copytree(small_knowledge, know)
    idx = tmp_path / "index"
    shutil.copytree(small_settings.index_path, idx)
    return Settings(knowledge_path=know, index_path=idx, guardrails=False)


def test_manifest_records_model_and_corpus(small_advisor, small_settings: Settings, embedder: Embedder) -> None:
    m = KnowledgeIndex.load(small_settings.index_path).manifest
    assert m.embedding_model == embedder.model_id
    assert m.dimension == 384
    assert m.corpus_hash == corpus_identity(small_settings)
    assert m.chunks == len(small_advisor.index)


def test_edited_knowledge_makes_index_stale_and_it_is_rebuilt(own_settings: Settings, embedder: Embedder,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    doc = next(Path(own_settings.knowledge_path).rglob("*.md"))
    doc.write_text(doc.read_text(encoding="utf-8") + "\n## Extra note\n<!--\nstage: sowing\ntopics: [seed]\n-->\n"
                   "A brand-new sentence about zebra-striped seed trays for the nursery.\n", encoding="utf-8")
    with pytest.raises(StaleIndexError, match="knowledge documents changed"):
        KnowledgeIndex.load(own_settings.index_path, corpus_hash=corpus_identity(own_settings),
                            embedding_model=embedder.model_id)
    with caplog.at_level(logging.WARNING):
        index = open_or_build(own_settings, embedder)
    assert "rebuilding" in caplog.text
    assert any("zebra-striped" in c.text for c in index.chunks)
    again = KnowledgeIndex.load(own_settings.index_path, corpus_hash=corpus_identity(own_settings),
                                embedding_model=embedder.model_id)
    assert len(again) == len(index)


def test_other_embedding_model_is_stale(small_settings: Settings) -> None:
    with pytest.raises(StaleIndexError, match="embedding model"):
        KnowledgeIndex.load(small_settings.index_path, corpus_hash=corpus_identity(small_settings),
                            embedding_model="some-other-model:123")


def test_truncated_file_is_detected_and_rebuilt(own_settings: Settings, embedder: Embedder,
                                                caplog: pytest.LogCaptureFixture) -> None:
    vec = Path(own_settings.index_path) / "vectors.faiss"
    vec.write_bytes(vec.read_bytes()[:100])
    with pytest.raises(CorruptIndexError, match="missing or damaged"):
        KnowledgeIndex.load(own_settings.index_path)
    with caplog.at_level(logging.WARNING):
        index = open_or_build(own_settings, embedder)
    assert "damaged" in caplog.text
    assert len(index) > 0


def test_garbage_manifest_is_corrupt(own_settings: Settings) -> None:
    (Path(own_settings.index_path) / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CorruptIndexError, match="manifest"):
        KnowledgeIndex.load(own_settings.index_path)


def test_no_temp_files_left_behind(small_settings: Settings) -> None:
    leftovers = [p.name for p in Path(small_settings.index_path).iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_add_user_documents_without_rebuild(own_settings: Settings, tmp_path: Path) -> None:
    from agriadvisor.advisor import Advisor
    from agriadvisor.index.adding import add_documents

    before = len(KnowledgeIndex.load(own_settings.index_path))
    note = tmp_path / "cooperative_notes.md"
    note.write_text("# Jute retting\nOur cooperative in Faridpur steeps jute bundles in slow-moving ponds "
                    "for about three weeks before stripping the fibre by hand.\n", encoding="utf-8")
    qa = tmp_path / "faq.csv"
    qa.write_text("question,answer\nWhen do we vaccinate the seed drill?,Never: clean it with a brush "
                  "after each use and oil the chains weekly.\n", encoding="utf-8")
    added = add_documents(own_settings, note, country="Bangladesh") + add_documents(own_settings, qa)
    assert {d.file: d.chunks for d in added} == {"cooperative_notes.md": 1, "faq.csv": 1}
    index = KnowledgeIndex.load(own_settings.index_path, corpus_hash=corpus_identity(own_settings),
                                embedding_model=Embedder().model_id)
    assert len(index) == before + 2
    hits = Advisor(own_settings).retrieve("how long to steep jute bundles for retting")
    assert hits[0].doc_id.startswith("user-cooperative-notes")
    assert hits[0].country == "Bangladesh"


def test_add_rejects_unsupported_and_binary_files(own_settings: Settings, tmp_path: Path) -> None:
    from agriadvisor.errors import InputError
    from agriadvisor.index.adding import add_documents

    bad = tmp_path / "photo.jpg"
    bad.write_bytes(b"\xff\xd8\xff")
    with pytest.raises(InputError, match="unsupported file type"):
        add_documents(own_settings, bad)
    binary = tmp_path / "notes.txt"
    binary.write_bytes(b"abc\x00def")
    with pytest.raises(InputError, match="binary"):
        add_documents(own_settings, binary)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 this is not really a pdf")
    with pytest.raises(InputError, match="PDF"):
        add_documents(own_settings, broken)


def test_an_index_from_another_encoder_is_stale_and_rebuilt(own_settings: Settings, embedder: Embedder,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    built_with = KnowledgeIndex.load(own_settings.index_path).manifest.encoder
    assert built_with == embedder.encoder
    other = "torch-fp32" if built_with != "torch-fp32" else "onnx-fp32"
    with pytest.raises(StaleIndexError, match=f"encoder {built_with}.*encoded by {other}"):
        KnowledgeIndex.load(own_settings.index_path, corpus_hash=corpus_identity(own_settings),
                            embedding_model=embedder.model_id, encoder=other)
    if other != "torch-fp32":
        return
    torch_embedder = Embedder(encoder="torch")
    with caplog.at_level(logging.WARNING):
        index = open_or_build(own_settings, torch_embedder)
    assert "torch-fp32" in caplog.text and "rebuilding" in caplog.text
    assert index.manifest.encoder == "torch-fp32"
    q = torch_embedder.encode(["When should I sow wheat?"])
    assert index.dense_search(q, 1)[0][0][0] >= 0
