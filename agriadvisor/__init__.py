"""agriadvisor: grounded, cited crop advice for smallholder farmers in South Asia.

Example:
    >>> from agriadvisor import Advisor
    >>> answer = Advisor().ask("When should I sow wheat?", country="Nepal")  # doctest: +SKIP
    >>> answer.outcome
    'answered'

Heavy libraries (torch, transformers, faiss, sentence-transformers) load on first use, so
importing this package and running ``agriadvisor --help`` stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.1"

from agriadvisor.errors import (  # noqa: E402
    AgriAdvisorError,
    BackendError,
    BackendUnavailableError,
    BatchError,
    ConfigError,
    CorruptIndexError,
    EmbeddingModelError,
    IndexStoreError,
    InputError,
    KnowledgeError,
    MissingExtraError,
    PolicyError,
    StaleIndexError,
    UnknownBackendError,
)
if TYPE_CHECKING:
    from agriadvisor.advisor import Advisor
    from agriadvisor.config import Settings
    from agriadvisor.models import Answer, Citation, GuardrailHit, QueryInfo

_LAZY = {"Advisor": "agriadvisor.advisor", "Settings": "agriadvisor.config", "Answer": "agriadvisor.models",
         "Citation": "agriadvisor.models", "GuardrailHit": "agriadvisor.models", "QueryInfo": "agriadvisor.models"}

__all__ = [
    "Advisor", "AgriAdvisorError", "Answer", "BackendError", "BackendUnavailableError", "BatchError",
    "Citation", "ConfigError", "CorruptIndexError", "EmbeddingModelError", "GuardrailHit", "IndexStoreError",
    "InputError", "KnowledgeError", "MissingExtraError", "PolicyError", "QueryInfo", "Settings",
    "StaleIndexError", "UnknownBackendError", "__version__",
]


def __getattr__(name: str) -> Any:
    # pydantic and the pipeline load on first use, so `agriadvisor --help` starts instantly
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'agriadvisor' has no attribute {name!r}")
