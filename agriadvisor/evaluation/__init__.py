"""Measure retrieval and answers on a labelled question set (``agriadvisor eval``)."""

from agriadvisor.evaluation.dataset import EvalItem, load_dataset
from agriadvisor.evaluation.runner import EvalReport, evaluate

__all__ = ["EvalItem", "EvalReport", "evaluate", "load_dataset"]
