"""Token streaming out of ``model.generate`` (imported only when a model backend generates).

``generate`` runs in a worker thread and hands each new token to a queue; the caller reads the
queue as an iterator. Closing the iterator (the consumer stopped, or a stop string was found)
cancels the worker through a stopping criterion, so no tokens are computed that nobody reads.
"""

from __future__ import annotations

import queue
import threading
from typing import Any, Iterator

import torch
from transformers import StoppingCriteria, StoppingCriteriaList
from transformers.generation.streamers import BaseStreamer

from agriadvisor.errors import BackendError

_END = object()


class TokenQueueStreamer(BaseStreamer):
    """Puts every generated token id list on a queue; the first call carries the prompt and is skipped."""

    def __init__(self, out: "queue.Queue[Any]") -> None:
        self.out = out
        self.prompt_seen = False

    def put(self, value: torch.Tensor) -> None:
        if not self.prompt_seen:
            self.prompt_seen = True
            return
        self.out.put(value.reshape(-1).tolist())

    def end(self) -> None:
        """The worker signals the end itself, after any error."""


class CancelCriteria(StoppingCriteria):
    """Stops generation once the consumer has gone away."""

    def __init__(self, cancel: threading.Event) -> None:
        self.cancel = cancel

    def __call__(self, input_ids: torch.LongTensor, scores: Any, **kwargs: Any) -> torch.BoolTensor:
        return torch.full((input_ids.shape[0],), self.cancel.is_set(), dtype=torch.bool, device=input_ids.device)


def _run(model: Any, kwargs: dict[str, Any], out: "queue.Queue[Any]", seed: int | None,
         lock: threading.Lock) -> None:
    try:
        with lock, torch.inference_mode():
            if seed is not None:
                torch.manual_seed(seed)
            model.generate(**kwargs)
    except BaseException as exc:  # noqa: BLE001 - handed to the consumer thread and raised there
        out.put(exc)
    finally:
        out.put(_END)


def stream_token_ids(model: Any, inputs: dict[str, Any], config: Any, *, seed: int | None = None,
                     lock: threading.Lock | None = None) -> Iterator[list[int]]:
    """Yield lists of new token ids as ``model.generate`` produces them."""
    out: "queue.Queue[Any]" = queue.Queue()
    cancel = threading.Event()
    kwargs = dict(inputs, generation_config=config, streamer=TokenQueueStreamer(out),
                  stopping_criteria=StoppingCriteriaList([CancelCriteria(cancel)]))
    worker = threading.Thread(target=_run, args=(model, kwargs, out, seed, lock or threading.Lock()),
                              name="agriadvisor-generate", daemon=True)
    worker.start()
    try:
        while True:
            item = out.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise BackendError(f"generation failed: {type(item).__name__}: {item}") from item
            yield item
    finally:
        cancel.set()
        worker.join()
