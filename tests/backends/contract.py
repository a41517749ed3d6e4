"""The contract every backend passes, built-in or third-party.

Subclass :class:`BackendContract` in a ``Test...`` class and give it a ``backend`` fixture
(and, if needed, a ``generation_request`` fixture); pytest runs every check below on it::

    class TestMyBackend(BackendContract):
        @pytest.fixture
        def backend(self):
            return MyBackend()
"""

from __future__ import annotations

import collections.abc
import copy

import pytest

from agriadvisor.backends.base import Backend, BackendNeeds
from agriadvisor.backends.registry import backend_class

SPECIAL_MARKERS = ("</s>", "<s>", "<|endofcompletion|>", "<|endofinstruction|>", "<|startofinstruction|>",
                   "<|im_end|>", "<|im_start|>", "<|USER|>", "<|SYSTEM|>", "<|RESPONSE|>", "[/INST]")


class BackendContract:
    """Checks shared by all backends. Requests are deterministic (greedy or seeded)."""

    @pytest.fixture
    def generation_request(self, embedded_request):
        return copy.deepcopy(embedded_request)

    def test_is_a_registered_backend(self, backend: Backend) -> None:
        assert isinstance(backend, Backend)
        assert backend_class(backend.name) is type(backend)

    def test_declares_needs_and_availability(self, backend: Backend) -> None:
        assert isinstance(type(backend).needs, BackendNeeds)
        ok, why = type(backend).availability()
        assert isinstance(ok, bool) and isinstance(why, str) and why

    def test_generate_is_a_lazy_iterator_of_strings(self, backend: Backend, generation_request) -> None:
        pieces = backend.generate(generation_request)
        assert isinstance(pieces, collections.abc.Iterator)
        assert all(isinstance(p, str) for p in pieces)

    def test_streaming_and_non_streaming_give_the_same_text(self, backend: Backend, generation_request) -> None:
        streamed = "".join(backend.generate(generation_request))
        assert streamed == backend.complete(generation_request)
        assert backend.complete(generation_request) == streamed  # and again: repeatable

    def test_no_special_tokens_leak_into_the_text(self, backend: Backend, generation_request) -> None:
        text = backend.complete(generation_request)
        assert not [m for m in SPECIAL_MARKERS if m in text]

    def test_no_evidence_is_not_an_error(self, backend: Backend, generation_request) -> None:
        generation_request.evidence = []
        assert isinstance(backend.complete(generation_request), str)

    def test_warm_up_is_idempotent(self, backend: Backend) -> None:
        backend.warm_up()
        backend.warm_up()

    def test_repr_is_short_and_keeps_secrets(self, backend: Backend) -> None:
        text = repr(backend)
        assert len(text) < 300 and "sk-" not in text
