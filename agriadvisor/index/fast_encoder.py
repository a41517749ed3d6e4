"""A lighter encoder for the common sentence-transformers layout: BERT + mean pooling (+ normalise).

Importing sentence-transformers costs several seconds on a small CPU (it pulls in training,
model-card and adapter code), and a question-answering process needs none of it. For a model
folder whose ``modules.json`` is exactly Transformer -> mean Pooling [-> Normalize] over a plain
BERT config (absolute positions, GELU), this module reads the weights itself (safetensors or
``pytorch_model.bin``) and runs the BERT forward pass in a few lines of torch: the same vectors
(within 1e-6; tested against sentence-transformers), without ``transformers``' per-layer Python
wrappers, which cost about a quarter of the time of encoding one short question on a CPU. Any
other layout uses sentence-transformers itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    import numpy as np
    import torch

_LAYOUT = ("sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling")
_WEIGHTS = ("model.safetensors", "pytorch_model.bin")


def supports(path: Path) -> bool:
    """Whether ``path`` holds a BERT mean-pooling model this encoder reproduces exactly."""
    try:
        modules = json.loads((path / "modules.json").read_text())
        kinds = tuple(m["type"] for m in modules)
        pooling = json.loads((path / modules[1]["path"] / "config.json").read_text())
        config = json.loads((path / "config.json").read_text())
    except (OSError, ValueError, KeyError, IndexError):
        return False
    tail_ok = kinds[2:] in ((), ("sentence_transformers.models.Normalize",))
    mean_only = pooling.get("pooling_mode_mean_tokens") and not any(
        pooling.get(k) for k in ("pooling_mode_cls_token", "pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens"))
    plain_bert = (config.get("model_type") == "bert" and config.get("hidden_act", "gelu") == "gelu"
                  and config.get("position_embedding_type", "absolute") == "absolute")
    return (kinds[:2] == _LAYOUT and tail_ok and bool(mean_only) and plain_bert
            and modules[0].get("path", "") == "" and (path / "tokenizer.json").exists()
            and any((path / w).exists() for w in _WEIGHTS))


def _load_weights(path: Path) -> dict[str, "torch.Tensor"]:
    import torch

    if (path / "model.safetensors").exists():
        from safetensors.torch import load_file

        state = load_file(str(path / "model.safetensors"))
    else:
        state = torch.load(path / "pytorch_model.bin", map_location="cpu", weights_only=True)
    # checkpoints saved from BertForX carry a "bert." prefix
    return {k.removeprefix("bert."): v for k, v in state.items()}


class _Bert:
    """The BERT encoder stack as plain tensors; query, key and value projections fused into one."""

    def __init__(self, state: dict[str, "torch.Tensor"], config: dict[str, Any], device: str) -> None:
        import torch

        def w(name: str) -> "torch.Tensor":
            return state[name].to(device=device, dtype=torch.float32)

        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        e = "embeddings."
        self.word, self.position, self.token_type = (w(e + "word_embeddings.weight"), w(e + "position_embeddings.weight"),
                                                     w(e + "token_type_embeddings.weight"))
        self.embed_norm = (w(e + "LayerNorm.weight"), w(e + "LayerNorm.bias"))
        self.layers = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            a = p + "attention."
            qkv_w = torch.cat([w(a + f"self.{x}.weight") for x in ("query", "key", "value")])
            qkv_b = torch.cat([w(a + f"self.{x}.bias") for x in ("query", "key", "value")])
            self.layers.append((qkv_w, qkv_b, w(a + "output.dense.weight"), w(a + "output.dense.bias"),
                                w(a + "output.LayerNorm.weight"), w(a + "output.LayerNorm.bias"),
                                w(p + "intermediate.dense.weight"), w(p + "intermediate.dense.bias"),
                                w(p + "output.dense.weight"), w(p + "output.dense.bias"),
                                w(p + "output.LayerNorm.weight"), w(p + "output.LayerNorm.bias")))

    def __call__(self, ids: "torch.Tensor", mask: "torch.Tensor", types: "torch.Tensor") -> "torch.Tensor":
        import torch.nn.functional as F

        batch, length = ids.shape
        dim, heads = self.hidden, self.heads
        x = self.word[ids] + self.position[:length].unsqueeze(0) + self.token_type[types]
        x = F.layer_norm(x, (dim,), *self.embed_norm, self.eps)
        attn_mask = None if bool(mask.all()) else (mask[:, None, None, :] > 0)
        for qkv_w, qkv_b, out_w, out_b, n1_w, n1_b, up_w, up_b, down_w, down_b, n2_w, n2_b in self.layers:
            q, k, v = F.linear(x, qkv_w, qkv_b).view(batch, length, 3, heads, dim // heads).permute(2, 0, 3, 1, 4)
            a = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask).transpose(1, 2).reshape(batch, length, dim)
            x = F.layer_norm(F.linear(a, out_w, out_b) + x, (dim,), n1_w, n1_b, self.eps)
            x = F.layer_norm(F.linear(F.gelu(F.linear(x, up_w, up_b)), down_w, down_b) + x, (dim,), n2_w, n2_b, self.eps)
        return x


class BertMeanEncoder:
    """Encodes like sentence-transformers' Transformer + mean Pooling + Normalize, with less to import."""

    def __init__(self, path: Path, *, device: str = "cpu") -> None:
        import torch
        from tokenizers import Tokenizer

        cfg = json.loads((path / "sentence_bert_config.json").read_text()) if (path / "sentence_bert_config.json").exists() else {}
        config = json.loads((path / "config.json").read_text())
        self.max_length = min(int(cfg.get("max_seq_length", 256)), int(config.get("max_position_embeddings", 512)))
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_length)
        pad_id = self.tokenizer.token_to_id("[PAD]") or 0
        self.tokenizer.enable_padding(pad_id=pad_id, pad_token="[PAD]")
        self.model = _Bert(_load_weights(path), config, device)
        self.device = device
        self._torch = torch

    def get_sentence_embedding_dimension(self) -> int:
        return self.model.hidden

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, show_progress_bar: bool = False,
               **_: object) -> "np.ndarray":
        """Unit-length float32 vectors, one row per text (the keyword arguments of
        ``SentenceTransformer.encode`` are accepted; output is always normalised numpy)."""
        import numpy as np
        from tqdm.auto import tqdm

        torch = self._torch
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths pad less
        out = np.zeros((len(texts), self.get_sentence_embedding_dimension()), dtype=np.float32)
        with torch.inference_mode():
            starts = range(0, len(order), batch_size)
            for start in tqdm(starts, desc="embedding", unit="batch", disable=not show_progress_bar):
                idx = order[start:start + batch_size]
                enc = self.tokenizer.encode_batch([texts[i] for i in idx])
                ids = torch.tensor([e.ids for e in enc], device=self.device)
                mask = torch.tensor([e.attention_mask for e in enc], device=self.device)
                types = torch.tensor([e.type_ids for e in enc], device=self.device)
                hidden = self.model(ids, mask, types)
                m = mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[idx] = pooled.cpu().numpy()
        return out
