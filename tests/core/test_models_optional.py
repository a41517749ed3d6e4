"""Optional models: another sentence-embedding model, a cross-encoder reranker, HNSW at scale.

The models are tiny, randomly initialised BERTs that reuse the bundled MiniLM tokenizer, saved
to a temp folder and loaded through the same code path a user's local model takes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agriadvisor.config import Settings
from agriadvisor.errors import ConfigError, EmbeddingModelError, StaleIndexError
from agriadvisor.index.builder import corpus_identity, open_or_build
from agriadvisor.index.embedder import Embedder, bundled_model_path
from agriadvisor.index.store import KnowledgeIndex

TOKENIZER_FILES = ("vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")


def _tiny_bert(folder: Path, *, num_labels: int | None = None) -> Path:
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertModel

    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=512, num_labels=num_labels or 2)
    model = BertForSequenceClassification(cfg) if num_labels else BertModel(cfg)
    model.save_pretrained(folder)
    for name in TOKENIZER_FILES:
        src = bundled_model_path() / name
        if src.exists():
            shutil.copy(src, folder / name)
    return folder


@pytest.fixture(scope="module")
def tiny_embedder_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sentence_transformers import SentenceTransformer, models

    raw = _tiny_bert(tmp_path_factory.mktemp("tiny-bert"))
    word = models.Transformer(str(raw), max_seq_length=128)
    st = SentenceTransformer(modules=[word, models.Pooling(word.get_embedding_dimension(), "mean")])
    out = tmp_path_factory.mktemp("tiny-st")
    st.save(str(out))
    return out


def test_other_embedding_model_builds_its_own_index(tiny_embedder_path: Path, small_knowledge: Path,
                                                     tmp_path: Path) -> None:
    settings = Settings(knowledge_path=small_knowledge, index_path=tmp_path / "idx",
                        embedding_model=str(tiny_embedder_path), guardrails=False)
    emb = Embedder(settings.embedding_model)
    assert emb.dimension == 32
    index = open_or_build(settings, emb)
    assert index.manifest.dimension == 32
    assert index.manifest.embedding_model == emb.model_id != Embedder().model_id
    with pytest.raises(StaleIndexError, match="embedding model"):
        KnowledgeIndex.load(settings.index_path, corpus_hash=corpus_identity(settings),
                            embedding_model=Embedder().model_id)


def test_missing_embedding_model_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingModelError, match="not found"):
        Embedder(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(EmbeddingModelError, match="not a sentence-transformers model"):
        Embedder(tmp_path / "empty")


def test_reranker_orders_by_cross_encoder_score(small_advisor, tmp_path: Path) -> None:
    from sentence_transformers import CrossEncoder

    from agriadvisor.retrieval.reranker import CrossEncoderReranker

    path = _tiny_bert(tmp_path / "ce", num_labels=1)
    rr = CrossEncoderReranker(path)
    info = small_advisor.understanding.run("When should I sow wheat in Nepal?")
    qvec = small_advisor.embedder.encode([info.normalized])
    hits = small_advisor.retriever.search([info], qvec, top_k=8)[0]
    ranked = rr.rerank(info.normalized, hits)
    expected = CrossEncoder(str(path), device="cpu").predict([(info.normalized, h.chunk.search_text()) for h in hits])
    assert [round(h.score, 5) for h in ranked] == sorted((round(float(s), 5) for s in expected), reverse=True)
    assert {h.idx for h in ranked} == {h.idx for h in hits}


def test_reranker_setting_is_used_by_the_advisor(small_settings: Settings, tmp_path: Path) -> None:
    from agriadvisor.advisor import Advisor

    path = _tiny_bert(tmp_path / "ce", num_labels=1)
    adv = Advisor(small_settings.model_copy(update={"reranker_model": str(path)}))
    assert adv.retriever.reranker is not None
    ans = adv.ask("When should I sow wheat in Nepal?")
    assert ans.outcome == "answered" and ans.citations


def test_reranker_without_model_is_a_config_error(tmp_path: Path) -> None:
    from agriadvisor.retrieval.reranker import CrossEncoderReranker

    with pytest.raises(ConfigError, match="reranker model"):
        CrossEncoderReranker(tmp_path)


def test_large_index_switches_to_hnsw_and_still_filters(small_advisor) -> None:
    import faiss

    from agriadvisor.index.store import _make_faiss

    base = small_advisor.index
    vecs = base.faiss.reconstruct_n(0, len(base))
    hnsw = _make_faiss(vecs, hnsw_threshold=10)
    assert isinstance(hnsw, faiss.IndexHNSWFlat)
    flat_ids = base.faiss.search(vecs[:5], 3)[1]
    hnsw_ids = hnsw.search(vecs[:5], 3)[1]
    assert (flat_ids[:, 0] == hnsw_ids[:, 0]).all()  # each vector finds itself first
    clone = KnowledgeIndex(base.chunks, hnsw, base.sentences, base.sentence_vectors, base.sentence_chunk, base.manifest)
    mask = clone.mask("Nepal", "wheat")
    ids, _ = clone.dense_search(vecs[:1], 5, mask)
    assert all(clone.chunks[i].country in ("Nepal", "all") for i in ids[0] if i >= 0)
