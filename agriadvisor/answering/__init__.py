"""Composing answers: the extractive default and the citation bookkeeping around any backend."""
