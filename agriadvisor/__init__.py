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

__version__ = "0.1.0"

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
from agriadvisor.models import Answer, Citation, GuardrailHit, QueryInfo  # noqa: E402

if TYPE_CHECKING:
    from agriadvisor.advisor import Advisor
    from agriadvisor.config import Settings

__all__ = [
    "Advisor", "AgriAdvisorError", "Answer", "BackendError", "BackendUnavailableError", "BatchError",
    "Citation", "ConfigError", "CorruptIndexError", "EmbeddingModelError", "GuardrailHit", "IndexStoreError",
    "InputError", "KnowledgeError", "MissingExtraError", "PolicyError", "QueryInfo", "Settings",
    "StaleIndexError", "UnknownBackendError", "__version__",
]


def __getattr__(name: str) -> Any:
    if name == "Advisor":
        from agriadvisor.advisor import Advisor

        return Advisor
    if name == "Settings":
        from agriadvisor.config import Settings

        return Settings
    raise AttributeError(f"module 'agriadvisor' has no attribute {name!r}")
