"""Validated metadata of knowledge documents and the chunks cut from them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agriadvisor.vocab import ALL, COUNTRIES, CROPS, PRACTICES, STAGES, TOPICS

Country = Literal["India", "Bangladesh", "Sri Lanka", "Pakistan", "Nepal", "all"]
Crop = Literal["rice", "wheat", "maize", "barley", "sorghum", "cotton", "sugarcane", "millets", "soybean", "all"]
Stage = Literal["pre_sowing", "sowing", "vegetative", "reproductive", "maturity", "post_harvest", "whole_season"]
Topic = Literal["soil", "seed", "nutrients", "water", "pests", "diseases", "weeds",
                "weather", "harvest", "storage", "economics", "safety"]
Practice = Literal["CSA", "RA"]

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _as_list(value: object) -> object:
    return [value] if isinstance(value, str) else value


class DocumentMeta(BaseModel):
    """Front matter of one knowledge document."""

    model_config = ConfigDict(extra="forbid")

    id: str
    title: str = Field(min_length=3)
    country: Country
    crop: Crop
    sources: list[str] = Field(min_length=1)
    practice: list[Practice] = Field(default_factory=list)
    local_names: list[str] = Field(default_factory=list)
    summary: str = ""

    _lists = field_validator("sources", "practice", "local_names", mode="before")(_as_list)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"id must be lowercase letters, digits and hyphens, got {value!r}")
        return value

    @field_validator("sources")
    @classmethod
    def _named_sources(cls, value: list[str]) -> list[str]:
        cleaned = [s.strip() for s in value if isinstance(s, str) and s.strip()]
        if not cleaned:
            raise ValueError("at least one named source is required")
        return cleaned


class SectionMeta(BaseModel):
    """The YAML comment under a ``##`` heading."""

    model_config = ConfigDict(extra="forbid")

    stage: Stage
    topics: list[Topic] = Field(min_length=1)
    practice: list[Practice] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    local_names: list[str] = Field(default_factory=list)

    _lists = field_validator("topics", "practice", "sources", "local_names", mode="before")(_as_list)


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage: a document section with its inherited metadata."""

    chunk_id: str
    doc_id: str
    title: str
    section: str
    country: str
    crop: str
    stage: str
    topics: tuple[str, ...]
    practice: tuple[str, ...]
    sources: tuple[str, ...]
    text: str
    local_names: tuple[str, ...] = ()
    path: str = ""

    @property
    def source(self) -> str:
        """The sources as one line, for citations."""
        return "; ".join(self.sources)

    @property
    def heading(self) -> str:
        """Title and section, as shown in a citation."""
        return f"{self.title}: {self.section}" if self.section else self.title

    def search_text(self) -> str:
        """What is embedded and keyword-indexed: heading, metadata words and body."""
        meta = " ".join((self.crop if self.crop != ALL else "", self.country if self.country != ALL else "",
                         " ".join(self.local_names)))
        return f"{self.heading}. {meta}. {self.text}"


@dataclass
class KnowledgeIssue:
    """A validation problem, naming the file and the field."""

    path: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.field}: {self.message}"


@dataclass
class Corpus:
    """All chunks loaded from a knowledge folder, with the problems found on the way."""

    chunks: list[Chunk]
    documents: list[DocumentMeta] = field(default_factory=list)
    errors: list[KnowledgeIssue] = field(default_factory=list)

    @property
    def countries(self) -> list[str]:
        present = {c.country for c in self.chunks}
        return [c for c in COUNTRIES if c in present]

    @property
    def crops(self) -> list[str]:
        present = {c.crop for c in self.chunks}
        return [c for c in CROPS if c in present]


__all__ = ["Chunk", "Corpus", "DocumentMeta", "KnowledgeIssue", "SectionMeta",
           "COUNTRIES", "CROPS", "STAGES", "TOPICS", "PRACTICES"]
