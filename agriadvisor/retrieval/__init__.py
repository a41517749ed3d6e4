"""Hybrid retrieval: dense FAISS search and BM25, fused with reciprocal rank fusion."""

from agriadvisor.retrieval.retriever import HybridRetriever, ScoredChunk

__all__ = ["HybridRetriever", "ScoredChunk"]
