"""The answer-generator protocol every backend implements.

A backend gets a :class:`GenerationRequest` (question, understood query, numbered evidence)
and yields text pieces from :meth:`Backend.generate`. Non-streaming use joins the pieces, so
streaming and non-streaming share one code path and give the same text.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Iterator, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from agriadvisor.knowledge.schema import Chunk
from agriadvisor.models import QueryInfo

if TYPE_CHECKING:
    import numpy as np


@dataclass
class Evidence:
    """One numbered passage given to the generator; ``n`` is what the answer cites as ``[n]``."""

    n: int
    chunk: Chunk
    similarity: float
    sentences: list[str] = field(default_factory=list)
    sentence_vectors: "np.ndarray | None" = None


@dataclass
class GenerationRequest:
    """Everything a backend needs to write one answer."""

    question: str
    query: QueryInfo
    evidence: list[Evidence]
    query_vector: "np.ndarray | None" = None
    sms: bool = False
    max_sentences: int = 4
    max_new_tokens: int = 256
    options: dict[str, Any] = field(default_factory=dict)


class BackendNeeds(BaseModel):
    """What a backend requires, shown by ``agriadvisor backends``."""

    model_config = ConfigDict(frozen=True)

    gpu: bool = False
    weights: bool = False
    network: bool = False
    extra: str | None = None
    description: str = ""


_Options = TypeVar("_Options", bound=BaseModel)


def parse_options(model: type[_Options], backend: str, options: dict[str, Any]) -> _Options:
    """A backend's options, validated; a bad one is a :class:`ConfigError` naming the backend."""
    from agriadvisor.errors import ConfigError

    try:
        return model(**options)
    except ValidationError as exc:
        raise ConfigError(f"invalid option for backend {backend!r}: {exc}".replace("\n", " ")) from None


class Backend(ABC):
    """Base class of answer generators. Subclasses set ``name`` and implement :meth:`generate`.

    Heavy models load on first use (or in :meth:`warm_up`), never in ``__init__`` or on import.
    """

    name: ClassVar[str] = "base"
    needs: ClassVar[BackendNeeds] = BackendNeeds()

    @abstractmethod
    def generate(self, request: GenerationRequest) -> Iterator[str]:
        """Yield the answer text in pieces; the text cites evidence as ``[n]``."""

    def complete(self, request: GenerationRequest) -> str:
        """The whole answer as one string (joins :meth:`generate`)."""
        return "".join(self.generate(request))

    def warm_up(self) -> None:
        """Load weights now rather than on the first question."""

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        """Whether this backend can run here and now, and why not."""
        return True, "ready"
