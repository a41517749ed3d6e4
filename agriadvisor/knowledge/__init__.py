"""Knowledge documents: schema, loading, chunking and coverage."""

from agriadvisor.knowledge.loader import knowledge_fingerprint, load_corpus, parse_document
from agriadvisor.knowledge.schema import Chunk, Corpus, DocumentMeta, KnowledgeIssue, SectionMeta

__all__ = ["Chunk", "Corpus", "DocumentMeta", "KnowledgeIssue", "SectionMeta",
           "knowledge_fingerprint", "load_corpus", "parse_document"]
