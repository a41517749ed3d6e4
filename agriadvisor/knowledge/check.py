"""``agriadvisor knowledge check``: validation errors and a coverage table."""

from __future__ import annotations

from pathlib import Path

from agriadvisor.knowledge.coverage import check_report
from agriadvisor.knowledge.glossary import load_glossary
from agriadvisor.knowledge.loader import load_corpus
from agriadvisor.knowledge.translations import coverage_table, load_translations
from agriadvisor.understanding.names import load_names
from agriadvisor.vocab import PHENOLOGICAL_STAGES

REQUIRED_TOPICS = ("soil", "seed", "nutrients", "water", "pests", "diseases", "weeds", "harvest")


def run_check(root: Path) -> tuple[dict, str]:
    """Return the JSON report and a printable table."""
    corpus = load_corpus(root)
    report = check_report(corpus)
    _, _, gloss_errors = load_glossary(root)
    report["errors"].extend(gloss_errors)
    report["errors"].extend(load_names(root)[3])  # products.yaml, varieties.yaml
    translations = load_translations(root, corpus.chunks)
    report["errors"].extend(str(e) for e in translations.errors)
    report["translation_warnings"] = [str(w) for w in translations.warnings]
    report["translations"] = coverage_table(translations, corpus.chunks)
    return report, _table(report) + _translation_table(report)


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


def _translation_table(report: dict) -> str:
    """Aligned sections / English sections per country and language."""
    table = report["translations"]
    langs = list(next(iter(table.values())).keys()) if table else []
    lines = ["", "Translations (aligned sections / sections):", f"{'country':11} " + " ".join(f"{x:>9}" for x in langs)]
    for country, row in table.items():
        lines.append(f"{country:11} " + " ".join(f"{f'{a}/{b}':>9}" for a, b in row.values()))
    warnings = report.get("translation_warnings", [])
    if warnings:
        lines += ["", f"Glossary name warnings ({len(warnings)}):"] + [f"  {w}" for w in warnings[:50]]
        if len(warnings) > 50:
            lines.append(f"  ... {len(warnings) - 50} more (--json lists all)")
    return "\n".join(lines)
