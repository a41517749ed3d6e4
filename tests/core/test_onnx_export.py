"""The encoder on ONNX Runtime: CPU choice, one export into the cache, the int8 gate, fallbacks."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from agriadvisor.errors import ConfigError, MissingExtraError
from agriadvisor.index import onnx_export
from agriadvisor.index.embedder import Embedder, bundled_model_path

needs_onnx = pytest.mark.skipif(not onnx_export.onnx_runtime_available(),
                                reason="the onnx extra (optimum, onnxruntime) is not installed")
TEXTS = ["When should I sow wheat in Nepal?", "Pink bollworm larvae feed inside cotton flowers.",
         "धान की रोपाई कब करें", "Dry grain below 12 percent moisture before storing it."]


@pytest.mark.parametrize(("machine", "flags", "expected"), [
    ("x86_64", {"avx2", "avx512f", "avx512_vnni"}, "avx512_vnni"),
    ("x86_64", {"avx2", "avx512f"}, "avx512"),
    ("AMD64", {"sse4_2", "avx2"}, "avx2"),
    ("x86_64", {"sse4_2"}, None),
    ("aarch64", set(), "arm64"),
    ("riscv64", {"avx2"}, None),
])
def test_int8_config_follows_the_instruction_set(machine: str, flags: set[str], expected: str | None) -> None:
    assert onnx_export.int8_config(flags, machine) == expected


def test_unknown_encoder_names_the_choices(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown encoder 'onnx16'.*auto, onnx-int8, onnx, torch"):
        Embedder(encoder="onnx16", cache_dir=tmp_path)


def test_torch_is_chosen_without_exporting(tmp_path: Path) -> None:
    emb = Embedder(encoder="torch", cache_dir=tmp_path)
    assert emb.encoder == "torch-fp32"
    assert not (tmp_path / "onnx").exists()
    assert emb.encode(TEXTS).shape == (4, 384)


def test_without_onnx_runtime_auto_uses_torch_and_onnx_says_what_to_install(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(onnx_export, "onnx_runtime_available", lambda: False)
    assert Embedder(cache_dir=tmp_path).encoder == "torch-fp32"
    with pytest.raises(MissingExtraError, match=r"sentence-transformers\[onnx\]"):
        _ = Embedder(encoder="onnx", cache_dir=tmp_path).encoder


def test_a_failed_export_falls_back_to_torch_with_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    def broken(model_path: Path, out: Path, config: str | None) -> dict:
        raise RuntimeError("unsupported architecture")

    monkeypatch.setattr(onnx_export, "onnx_runtime_available", lambda: True)
    monkeypatch.setattr(onnx_export, "_export", broken)
    with caplog.at_level(logging.WARNING):
        assert Embedder(cache_dir=tmp_path).encoder == "torch-fp32"
    assert "unsupported architecture" in caplog.text and "PyTorch" in caplog.text
    assert not list((tmp_path / "onnx").iterdir())  # no half-written export is left to be reused


@pytest.fixture(scope="module")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@needs_onnx
@pytest.mark.slow
def test_auto_is_fp32_onnx(onnx_cache: Path) -> None:
    emb = Embedder(cache_dir=onnx_cache)
    assert emb.encoder == "onnx-fp32"
    assert not list(emb.variant.folder.glob("onnx/*qint8*"))  # nothing quantised unless asked for


@needs_onnx
@pytest.mark.slow
def test_int8_exports_once_and_stays_close_to_torch(onnx_cache: Path, caplog: pytest.LogCaptureFixture) -> None:
    config = onnx_export.int8_config()
    if config is None:
        with pytest.raises(ConfigError, match="no int8 kernels"):
            _ = Embedder(encoder="onnx-int8", cache_dir=onnx_cache).encoder
        return
    reference = Embedder(encoder="torch", cache_dir=onnx_cache).encode(TEXTS)
    with caplog.at_level(logging.WARNING):
        emb = Embedder(encoder="onnx-int8", cache_dir=onnx_cache)
        vecs = emb.encode(TEXTS)
    assert "exporting model to ONNX once" in caplog.text
    record = json.loads((emb.variant.folder / onnx_export.RECORD).read_text())
    assert record["int8"]["accepted"], record  # on this project's CI machine the gate passes
    expected = f"onnx-qint8_{config}"
    assert emb.encoder == expected
    assert emb.variant.folder.parent == onnx_cache / "onnx"
    assert vecs.dtype == np.float32 and np.allclose(np.linalg.norm(vecs, axis=1), 1, atol=1e-5)
    assert ((vecs * reference).sum(axis=1) > 0.97).all()
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        again = Embedder(encoder="onnx-int8", cache_dir=onnx_cache)
        assert again.encoder == expected
    assert "exporting" not in caplog.text  # the second process reuses the cached export


@needs_onnx
@pytest.mark.slow
def test_fp32_onnx_reuses_the_export_and_equals_torch(onnx_cache: Path) -> None:
    Embedder(encoder="onnx-int8" if onnx_export.int8_config() else "onnx", cache_dir=onnx_cache).encoder  # noqa: B018
    before = sorted(p.name for p in (onnx_cache / "onnx").iterdir())
    emb = Embedder(encoder="onnx", cache_dir=onnx_cache)
    assert emb.encoder == "onnx-fp32"
    assert sorted(p.name for p in (onnx_cache / "onnx").iterdir()) == before
    reference = Embedder(encoder="torch", cache_dir=onnx_cache).encode(TEXTS)
    assert np.allclose(emb.encode(TEXTS), reference, atol=1e-4)


@needs_onnx
@pytest.mark.slow
def test_the_int8_gate_rejects_an_encoder_that_ranks_differently() -> None:
    import torch
    from sentence_transformers import SentenceTransformer

    path = str(bundled_model_path())
    reference = SentenceTransformer(path, device="cpu", local_files_only=True)
    assert onnx_export.agreement(reference, reference)["accepted"]
    damaged = SentenceTransformer(path, device="cpu", local_files_only=True)
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for p in damaged.parameters():
            p.add_(torch.randn(p.shape, generator=gen) * 0.05)
    verdict = onnx_export.agreement(reference, damaged)
    assert not verdict["accepted"]
    assert verdict["min_cosine"] < onnx_export.MIN_COSINE or verdict["max_score_shift"] > onnx_export.MAX_SCORE_SHIFT
