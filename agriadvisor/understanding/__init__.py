"""Query understanding: language, country, crop, stage and topics from a farmer's question."""

from agriadvisor.understanding.query import QueryUnderstanding

__all__ = ["QueryUnderstanding"]
