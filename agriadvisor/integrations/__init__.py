"""Bridges to other frameworks; each module imports its framework, so import the one you use:
``agriadvisor.integrations.langchain`` (needs the ``langchain`` extra)."""
