"""Guardrails: policies from ``guardrails/`` checked before retrieval and after generation.

Modules, in the order a question meets them: ``normalise`` (fold tricks out of the text),
``phrases`` and ``rulebook`` (match the policy phrases), ``input_rails`` (crisis, harm,
pesticides, injection, scope), ``output_rails`` (grounding and safety of the answer),
``templates`` (localised replies), ``policies`` (loading and validation), ``engine`` (the
:class:`~agriadvisor.safety.protocol.Rails` implementation the Advisor uses).
"""

from agriadvisor.safety.engine import GuardrailEngine

__all__ = ["GuardrailEngine"]
