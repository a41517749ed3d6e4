"""Draw an evaluation report as a PNG: headline metrics, and crop and fact recall per language."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from agriadvisor.errors import ConfigError, InputError

if TYPE_CHECKING:
    from agriadvisor.evaluation.runner import EvalReport

HEADLINE = (("crop_at_3", "crop@3"), ("country_right", "country"), ("mrr", "MRR"), ("fact_recall", "facts"),
            ("outcome_accuracy", "outcome"))
TARGETS = {"crop_at_3": 0.95, "country_right": 0.90, "fact_recall": 0.85}  # issue 5's targets, drawn as ticks


def check_chart_path(path: Path | str) -> Path:
    """``path`` if a chart can be written there; otherwise :class:`InputError` saying why. Cheap:
    the CLI calls it before a long evaluation run."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise InputError(f"chart path must end in .png, got {path.name!r}")
    if not path.parent.is_dir():
        raise InputError(f"folder for the chart does not exist: {path.parent}")
    return path


def save_chart(report: "EvalReport", path: Path | str, *, title: str = "") -> Path:
    """Write ``report`` as a two-panel PNG chart to ``path`` and return the path.

    Raises:
        ConfigError: matplotlib is not installed (``pip install 'agriadvisor[chart]'``).
        InputError: ``path`` does not end in ``.png`` or its folder does not exist.
    """
    path = check_chart_path(path)
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ConfigError("the chart needs matplotlib: pip install 'agriadvisor[chart]'") from exc

    heads = [(label, report.metrics.get(key), TARGETS.get(key)) for key, label in HEADLINE
             if isinstance(report.metrics.get(key), (int, float))]
    langs = sorted(report.by_language)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [1, max(1.4, len(langs) / 4)]})
    xs = range(len(heads))
    left.bar(xs, [v for _, v, _ in heads], color="#4c8c4a")
    for x, (_, v, target) in zip(xs, heads):
        left.text(x, v + 0.01, f"{v:.2f}", ha="center", fontsize=8)
        if target is not None:
            left.plot([x - 0.4, x + 0.4], [target, target], color="#b03a2e", linewidth=1.5)
    left.set_xticks(list(xs), [h for h, _, _ in heads], fontsize=8)
    left.set_ylim(0, 1.08)
    left.set_title(f"all questions (n={report.metrics.get('n', '?')}); red: target", fontsize=9)

    width = 0.4
    for offset, key, label, colour in ((-width / 2, "crop_at_3", "crop@3", "#4c8c4a"),
                                       (width / 2, "fact_recall", "facts", "#d4a017")):
        values = [report.by_language[lang].get(key) or 0.0 for lang in langs]
        right.bar([i + offset for i in range(len(langs))], values, width, label=label, color=colour)
    right.set_xticks(range(len(langs)), [f"{lang}\n{report.by_language[lang]['n']}" for lang in langs], fontsize=8)
    right.set_ylim(0, 1.08)
    right.legend(fontsize=8, loc="lower right")
    right.set_title("per language (n under each)", fontsize=9)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
