"""``agriadvisor knowledge check``: validation errors and a coverage table."""

from __future__ import annotations

from pathlib import Path

from agriadvisor.knowledge.coverage import check_report
from agriadvisor.knowledge.glossary import load_glossary
from agriadvisor.knowledge.loader import load_corpus
from agriadvisor.vocab import PHENOLOGICAL_STAGES

REQUIRED_TOPICS = ("soil", "seed", "nutrients", "water", "pests", "diseases", "weeds", "harvest")


def run_check(root: Path) -> tuple[dict, str]:
    """Return the JSON report and a printable table."""
    corpus = load_corpus(root)
    report = check_report(corpus)
    _, _, gloss_errors = load_glossary(root)
    report["errors"].extend(gloss_errors)
    return report, _table(report)


def _table(report: dict) -> str:
    lines = [f"{report['documents']} documents, {report['chunks']} chunks, {len(report['errors'])} errors", ""]
    lines.append(f"{'country':11} {'crop':10} {'stages':>6} {'topics':>6}  missing")
    for country, crops in report["coverage"].items():
        for crop, cell in crops.items():
            miss = [s for s in PHENOLOGICAL_STAGES if s not in cell["stages"]]
            if country != "all":
                miss += [t for t in REQUIRED_TOPICS if t not in cell["topics"]]
            lines.append(f"{country:11} {crop:10} {len(cell['stages']):>6} {len(cell['topics']):>6}  "
                         f"{', '.join(miss) if miss else '-'}")
    if report["errors"]:
        lines += ["", "Errors:"] + [f"  {e}" for e in report["errors"]]
    return "\n".join(lines)
