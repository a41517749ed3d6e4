"""A lighter loader for the common sentence-transformers layout: BERT + mean pooling (+ normalise).

Importing sentence-transformers costs several seconds on a small CPU (it pulls in training,
model-card and adapter code); a question-answering process needs none of it. For a model
folder whose ``modules.json`` is exactly Transformer -> mean Pooling [-> Normalize] over a BERT
config, this encoder computes the same vectors with ``tokenizers`` and ``transformers``' BertModel.
Any other layout uses sentence-transformers itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    import numpy as np

_LAYOUT = ("sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling")


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
    return (kinds[:2] == _LAYOUT and tail_ok and bool(mean_only) and config.get("model_type") == "bert"
            and modules[0].get("path", "") == "" and (path / "tokenizer.json").exists())


class BertMeanEncoder:
    """Encodes like sentence-transformers' Transformer + mean Pooling + Normalize, with less to import."""

    def __init__(self, path: Path, *, device: str = "cpu") -> None:
        import torch
        from tokenizers import Tokenizer
        from transformers import BertModel

        cfg = json.loads((path / "sentence_bert_config.json").read_text()) if (path / "sentence_bert_config.json").exists() else {}
        self.max_length = int(cfg.get("max_seq_length", 256))
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_length)
        pad_id = self.tokenizer.token_to_id("[PAD]") or 0
        self.tokenizer.enable_padding(pad_id=pad_id, pad_token="[PAD]")
        self.model = BertModel.from_pretrained(str(path), local_files_only=True).to(device).eval()
        self.device = device
        self._torch = torch

    def get_sentence_embedding_dimension(self) -> int:
        return int(self.model.config.hidden_size)

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
                hidden = self.model(input_ids=ids, attention_mask=mask, token_type_ids=types).last_hidden_state
                m = mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[idx] = pooled.cpu().numpy()
        return out
