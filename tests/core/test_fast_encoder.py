"""The light BERT encoder gives the same vectors as sentence-transformers for the bundled model."""

from __future__ import annotations

import numpy as np

from agriadvisor.index import fast_encoder
from agriadvisor.index.embedder import Embedder, bundled_model_path


def test_bundled_model_uses_the_light_encoder_with_identical_vectors() -> None:
    from sentence_transformers import SentenceTransformer

    path = bundled_model_path()
    assert fast_encoder.supports(path)
    emb = Embedder()
    assert isinstance(emb.model, fast_encoder.BertMeanEncoder)
    texts = ["When should I sow wheat in Nepal?", "धान में तना छेदक", "stem borer " * 200, "x"]
    ours = emb.encode(texts)
    theirs = SentenceTransformer(str(path), device="cpu").encode(texts, normalize_embeddings=True)
    assert ours.shape == (4, 384) and ours.dtype == np.float32
    np.testing.assert_allclose(ours, theirs, atol=1e-5)


def test_other_layouts_are_not_claimed(tmp_path) -> None:
    assert not fast_encoder.supports(tmp_path)
    (tmp_path / "modules.json").write_text('[{"type": "sentence_transformers.models.Transformer", "path": ""}]')
    assert not fast_encoder.supports(tmp_path)
