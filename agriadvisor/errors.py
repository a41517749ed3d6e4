"""One exception tree for the whole library.

Every error raised on purpose by agriadvisor derives from :class:`AgriAdvisorError`, so an
application can catch the library's failures in one place and show ``str(err)``.
"""

from __future__ import annotations


class AgriAdvisorError(Exception):
    """Root of every error raised by agriadvisor."""


class InputError(AgriAdvisorError, ValueError):
    """A question or argument that cannot be answered as given (empty, too long, binary...)."""


class ConfigError(AgriAdvisorError):
    """A setting is missing or has a value the library cannot use."""


class KnowledgeError(AgriAdvisorError):
    """A knowledge document or glossary file is malformed."""


class PolicyError(AgriAdvisorError):
    """A guardrail policy file is malformed."""


class IndexStoreError(AgriAdvisorError):
    """The search index cannot be built, read or written."""


class StaleIndexError(IndexStoreError):
    """The index on disk was built from another corpus, model or library version."""


class CorruptIndexError(IndexStoreError):
    """The index files on disk are unreadable or inconsistent."""


class EmbeddingModelError(AgriAdvisorError):
    """The sentence-embedding model cannot be found or loaded."""


class BackendError(AgriAdvisorError):
    """An answer generator failed or is not usable here."""


class UnknownBackendError(BackendError, KeyError):
    """No backend is registered under the requested name."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class BackendUnavailableError(BackendError):
    """A backend's dependencies, weights or server are missing."""


class MissingExtraError(BackendUnavailableError):
    """An optional dependency is not installed; the message names the extra."""


class BatchError(AgriAdvisorError):
    """A batch input or output file cannot be used."""


class FinetuneError(AgriAdvisorError):
    """A fine-tuning run cannot start or finish (no GPU for a 7B base, base not cached, bitsandbytes)."""


class TrainingDataError(FinetuneError, InputError):
    """A fine-tuning data file cannot be read, or leaves no usable rows."""


__all__ = [
    "AgriAdvisorError",
    "BackendError",
    "BackendUnavailableError",
    "BatchError",
    "ConfigError",
    "CorruptIndexError",
    "EmbeddingModelError",
    "FinetuneError",
    "IndexStoreError",
    "InputError",
    "KnowledgeError",
    "MissingExtraError",
    "PolicyError",
    "StaleIndexError",
    "TrainingDataError",
    "UnknownBackendError",
]
