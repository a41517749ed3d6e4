"""The ``agriadvisor`` command line. Heavy imports happen inside each command."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Optional

import typer
from typer.core import TyperGroup

from agriadvisor.errors import AgriAdvisorError
from agriadvisor.vocab import COUNTRIES, CROPS, STAGES

_VERBOSE = ("-v", "--verbose")


class _VerboseAnywhere(TyperGroup):
    """Accepts ``-v`` after the subcommand too (``agriadvisor ask "..." -v``), as users type it."""

    def parse_args(self, ctx, args):  # noqa: ANN001, ANN201 - click's signature
        cut = args.index("--") if "--" in args else len(args)
        flags = [a for a in args[:cut] if a in _VERBOSE]
        rest = [a for a in args[:cut] if a not in _VERBOSE] + args[cut:]
        return super().parse_args(ctx, flags[:1] + rest)
from agriadvisor.finetune.command import finetune_command

# Plain click help (rich_markup_mode=None): no '<bool>' placeholders beside flags.
app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False, cls=_VerboseAnywhere,
                  rich_markup_mode=None, help="Grounded, cited crop advice for smallholder farmers in South Asia.")
index_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Build, inspect and extend the search index.")
knowledge_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Validate the knowledge documents.")
app.add_typer(index_app, name="index")
app.add_typer(knowledge_app, name="knowledge")
app.command("finetune")(finetune_command)


def _fail(exc: BaseException) -> None:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(code=2)


def _settings(**kw):  # noqa: ANN202
    from agriadvisor.config import Settings

    try:
        return Settings(**{k: v for k, v in kw.items() if v is not None})
    except Exception as exc:  # pydantic ValidationError: show it on one line
        _fail(AgriAdvisorError(f"invalid setting: {exc}".replace("\n", " ")))


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"agriadvisor {version('agriadvisor')}")
        except PackageNotFoundError:  # running from a source tree that is not installed
            typer.echo("agriadvisor (not installed)")
        raise typer.Exit()


@app.callback()
def _main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress to stderr (also after the command)."),
          _: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit.")) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # faiss logs each CPU build it tries ("Could not load library with AVX512 support ...") at
    # INFO: normal on most machines, but it reads like an error in a progress log
    logging.getLogger("faiss.loader").setLevel(logging.WARNING)


def _print_answer(ans) -> None:  # noqa: ANN001
    typer.echo(ans.text)
    if ans.citations:
        typer.echo("")
        typer.echo("Sources:")
        for c in ans.citations:
            typer.echo(f"  [{c.n}] {c.title} ({c.country}, {c.crop}, {c.stage}). {c.source}")
    q = ans.query
    understood = ", ".join(f"{k}={v}" for k, v in (("language", q.language), ("country", q.country),
                                                    ("crop", q.crop), ("stage", q.stage)) if v)
    typer.echo(f"\n({ans.outcome}; understood: {understood}; backend: {ans.backend})")


@app.command()
def ask(question: str = typer.Argument(..., metavar="QUESTION", help="The farmer's question, in any of the supported "
                                        "languages; '-' reads it from standard input."),
        country: Optional[str] = typer.Option(None, help=", ".join(COUNTRIES) + "."),
        crop: Optional[str] = typer.Option(None, help=", ".join(CROPS) + "."),
        stage: Optional[str] = typer.Option(None, help=", ".join(STAGES) + "."),
        backend: Optional[str] = typer.Option(None, help="Answer generator (see 'agriadvisor backends')."),
        sms: bool = typer.Option(False, help="Keep the answer short, for SMS."),
        lang: Optional[str] = typer.Option(None, "--lang", help="Answer language (en, hi, bn, ...); "
                                           "default: the question's."),
        as_json: bool = typer.Option(False, "--json", help="Print the Answer as JSON.")) -> None:
    """Answer one question with citations."""
    from agriadvisor.advisor import Advisor

    if question == "-":
        question = sys.stdin.read()
    try:
        ans = Advisor(_settings(backend=backend)).ask(question, country=country, crop=crop, stage=stage, sms=sms,
                                                        language=lang)
    except AgriAdvisorError as exc:
        _fail(exc)
    if as_json:
        typer.echo(ans.model_dump_json(indent=2))
    else:
        _print_answer(ans)


@index_app.command("build")
def index_build(index_path: Optional[Path] = typer.Option(None, help="Where to write the index."),
                knowledge_path: Optional[Path] = typer.Option(None, help="Folder of knowledge documents.")) -> None:
    """Embed the knowledge base and save the index (with a progress bar)."""
    from agriadvisor.index.builder import build_index
    from agriadvisor.index.embedder import Embedder

    s = _settings(index_path=index_path, knowledge_path=knowledge_path)
    try:
        index = build_index(s, Embedder.from_settings(s), progress=True)
    except AgriAdvisorError as exc:
        _fail(exc)
    typer.echo(f"built index: {len(index)} chunks, {index.manifest.sentences} sentences -> {s.index_path}")


@index_app.command("info")
def index_info(index_path: Optional[Path] = typer.Option(None),
               as_json: bool = typer.Option(False, "--json")) -> None:
    """Show what the saved index was built from, and whether it is current."""
    from dataclasses import asdict

    from agriadvisor.index.builder import corpus_identity
    from agriadvisor.index.manifest import IndexManifest

    s = _settings(index_path=index_path)
    try:
        m = IndexManifest.read(Path(s.index_path))
        current = m.corpus_hash == corpus_identity(s)
    except AgriAdvisorError as exc:
        _fail(exc)
    data = asdict(m) | {"path": str(s.index_path), "current": current}
    data.pop("files", None)
    if as_json:
        typer.echo(json.dumps(data, indent=2))
    else:
        for k, v in data.items():
            typer.echo(f"{k:18} {v}")


@index_app.command("add")
def index_add(path: Path = typer.Argument(..., help="Markdown, text, PDF or Q&A CSV file (or a folder of them)."),
              country: Optional[str] = typer.Option(None, help="The country it is for (default: all)."),
              crop: Optional[str] = typer.Option(None, help="The crop it is about: one of the nine, or a new one "
                                                            "such as jute (default: all)."),
              stage: Optional[str] = typer.Option(None), source: Optional[str] = typer.Option(None, help="Who wrote it."),
              index_path: Optional[Path] = typer.Option(None)) -> None:
    """Add your own documents to the index without rebuilding it; a running server picks them up."""
    from agriadvisor.index.adding import add_documents

    s = _settings(index_path=index_path)
    try:
        added = add_documents(s, path, country=country, crop=crop, stage=stage, source=source)
    except AgriAdvisorError as exc:
        _fail(exc)
    for doc in added:
        if doc.status == "already indexed":
            same = f" (as {doc.same_as})" if doc.same_as != doc.file else ""
            typer.echo(f"already indexed: {doc.file}{same}; nothing added")
            continue
        covers = f"; now also covers {', '.join(doc.crops)}" if doc.crops else ""
        typer.echo(f"{doc.status} {doc.chunks} chunks from {doc.file} as {doc.doc_id}{covers}")


@index_app.command("list")
def index_list(index_path: Optional[Path] = typer.Option(None),
               as_json: bool = typer.Option(False, "--json", help="Print the list as JSON.")) -> None:
    """List the documents added with 'index add'."""
    from dataclasses import asdict

    from agriadvisor.index.adding import list_documents

    entries = list_documents(_settings(index_path=index_path))
    if as_json:
        typer.echo(json.dumps([asdict(e) for e in entries], indent=2, ensure_ascii=False))
        return
    if not entries:
        typer.echo("no added documents")
    for e in entries:
        crops = f"  covers: {', '.join(e.crops)}" if e.crops else ""
        typer.echo(f"{e.doc_id}  {e.chunks} chunks  country: {e.country}  from {e.file or '?'}{crops}")


@index_app.command("remove")
def index_remove(names: list[str] = typer.Argument(..., help="Document ids or file names, as 'index list' shows them."),
                 index_path: Optional[Path] = typer.Option(None)) -> None:
    """Remove documents added with 'index add' (the rest of the index is kept as it is)."""
    from agriadvisor.index.adding import remove_documents

    try:
        removed = remove_documents(_settings(index_path=index_path), names)
    except AgriAdvisorError as exc:
        _fail(exc)
    for e in removed:
        typer.echo(f"removed {e.doc_id} ({e.chunks} chunks)")


@knowledge_app.command("check")
def knowledge_check(knowledge_path: Optional[Path] = typer.Option(None),
                    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON.")) -> None:
    """Validate every document and print the coverage table; exit 1 on any error."""
    from agriadvisor.knowledge.check import run_check

    from agriadvisor.safety.policies import policy_errors

    s = _settings(knowledge_path=knowledge_path)
    try:
        report, table = run_check(Path(s.knowledge_path))
    except AgriAdvisorError as exc:
        _fail(exc)
    guard = policy_errors(s.guardrails_path)  # the policy files in guardrails/ are checked too
    report["errors"].extend(guard)
    if guard:
        table += "\n\nGuardrail policy errors:\n" + "\n".join(f"  {e}" for e in guard)
    typer.echo(json.dumps(report, indent=2, ensure_ascii=False) if as_json else table)
    if report["errors"]:
        raise typer.Exit(code=1)


@knowledge_app.command("skeleton")
def knowledge_skeleton(path: Path = typer.Argument(..., help="An English guide, e.g. knowledge/india/rice.md."),
                       to: str = typer.Option(..., "--to", help="Language code: hi, bn, ur, ne, si or ta.")) -> None:
    """Print the frame of a translation file (one English sentence a paragraph) for a translator to fill in."""
    from agriadvisor.knowledge.skeleton import skeleton

    try:
        typer.echo(skeleton(path, to.strip()))
    except AgriAdvisorError as exc:
        _fail(exc)


@knowledge_app.command("translate")
def knowledge_translate(path: Path = typer.Argument(..., help="An English guide, e.g. knowledge/india/maize.md."),
                        to: str = typer.Option(..., "--to", help="Language codes, comma-separated: hi,bn"),
                        backend: Optional[str] = typer.Option(None, help="Generation backend (see 'agriadvisor backends')."),
                        force: bool = typer.Option(False, help="Overwrite an existing translation file.")) -> None:
    """Draft aligned translation files through a backend (progress bar; run again to resume)."""
    import sys

    from agriadvisor.backends.registry import create_backend
    from agriadvisor.knowledge.machine_translation import translate_guide

    try:
        engine = create_backend(backend or _settings().backend, _settings())
        langs = [x.strip() for x in to.split(",") if x.strip()]
        for out in translate_guide(path, langs, engine, force=force, progress=sys.stderr.isatty()):
            typer.echo(f"wrote {out}; check it with 'agriadvisor knowledge check'")
    except AgriAdvisorError as exc:
        _fail(exc)


@app.command()
def backends(as_json: bool = typer.Option(False, "--json")) -> None:
    """List answer generators, what each needs, and whether it can run here."""
    from agriadvisor.backends.registry import backend_class, backend_names

    rows = []
    for name in backend_names():
        try:
            cls = backend_class(name)
            ok, why = cls.availability()
            needs = cls.needs
            rows.append({"name": name, "usable": ok, "status": why, "gpu": needs.gpu, "weights": needs.weights,
                         "network": needs.network, "extra": needs.extra, "description": needs.description})
        except AgriAdvisorError as exc:
            rows.append({"name": name, "usable": False, "status": str(exc)})
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        need = ", ".join(k for k in ("gpu", "weights", "network") if r.get(k)) or "nothing extra"
        extra = f" [extra: {r['extra']}]" if r.get("extra") else ""
        typer.echo(f"{r['name']:12} {'yes' if r['usable'] else 'no ':3}  needs: {need}{extra}  {r['status']}")


@app.command("eval")
def eval_(dataset: Path = typer.Argument(..., help="JSONL/CSV of questions with expected crop, country, stage, facts."),
          k: int = typer.Option(4, help="Citations considered per question."),
          limit: Optional[int] = typer.Option(None, help="Only the first N questions."),
          output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write the JSON report here."),
          chart: Optional[Path] = typer.Option(None, "--chart", help="Also draw the report as a PNG chart here "
                                                                       "(needs the 'chart' extra: matplotlib)."),
          with_labels: bool = typer.Option(False, "--with-labels", help="Pass each question's labelled country "
                                           "and crop to ask, as an app that knows them would."),
          as_json: bool = typer.Option(False, "--json")) -> None:
    """Measure retrieval and answers: recall@k, MRR, crop/country accuracy, fact recall, latency.

    The dataset format (JSONL or CSV, facts separated by '|' in CSV) is in the README.
    """
    from agriadvisor.advisor import Advisor
    from agriadvisor.evaluation import evaluate, load_dataset

    from agriadvisor.evaluation.chart import check_chart_path, save_chart

    try:
        if chart is not None:
            check_chart_path(chart)  # fail before the long run, not after
        items = load_dataset(dataset, limit=limit)
        report = evaluate(Advisor(_settings()), items, k=k, with_labels=with_labels)
        if chart is not None:
            save_chart(report, chart, title=dataset.name)
    except AgriAdvisorError as exc:
        _fail(exc)
    if output:
        output.write_text(json.dumps(report.to_dict() | {"rows": report.rows}, indent=2, ensure_ascii=False),
                          encoding="utf-8")
    typer.echo(json.dumps(report.to_dict(), indent=2) if as_json else report.table())


@app.command()
def serve(host: str = typer.Option("127.0.0.1", help="Interface to listen on (0.0.0.0 for all)."),
          port: int = typer.Option(8765, help="TCP port (not 8000, where vLLM and the 'openai' backend's "
                                              "default base_url live)."),
          workers: int = typer.Option(1, help="Processes; each loads its own model and index."),
          backend: Optional[str] = typer.Option(None, help="Answer generator (see 'agriadvisor backends')."),
          log_level: str = typer.Option("info", help="uvicorn log level.")) -> None:
    """Run the WhatsApp/SMS bot webhooks (Twilio and WhatsApp Cloud API) with uvicorn.

    Secrets and limits come from AGRIADVISOR_* environment variables; see docs/channels.md.
    """
    import os

    try:
        import uvicorn

        from agriadvisor.channels.server import create_app
    except ImportError as exc:
        _fail(AgriAdvisorError(f"the server needs FastAPI and uvicorn: pip install 'agriadvisor[server]' ({exc})"))
    if backend:
        os.environ["AGRIADVISOR_BACKEND"] = backend  # worker processes read their settings from the environment
    s = _settings()
    try:
        if workers > 1:
            create_app(settings=s, warm_up=False)  # fail here, not in every worker, on a bad configuration
            uvicorn.run("agriadvisor.channels.server:app_from_env", factory=True, host=host, port=port,
                        workers=workers, log_level=log_level)
        else:
            uvicorn.run(create_app(settings=s), host=host, port=port, log_level=log_level)
    except AgriAdvisorError as exc:
        _fail(exc)


@app.command()
def batch(input_path: Path = typer.Argument(..., metavar="IN", help="CSV or JSONL with a question column "
                                            "(question, query or QueryText) and optional id, country, crop, stage."),
          output: Path = typer.Option(..., "--output", "-o", help="JSONL file of answers, one record per input row."),
          resume: bool = typer.Option(False, "--resume", help="Skip rows whose id is already in OUT."),
          retry_errors: bool = typer.Option(False, "--retry-errors",
                                            help="Resume, and answer again the rows whose record in OUT is an error."),
          workers: int = typer.Option(1, help="Chunks answered at once in threads (for remote backends)."),
          batch_size: int = typer.Option(32, "--batch-size", help="Questions embedded together."),
          backend: Optional[str] = typer.Option(None, help="Answer generator (see 'agriadvisor backends')."),
          sms: bool = typer.Option(False, help="Short answers, as sent by SMS."),
          progress: bool = typer.Option(True, "--progress/--no-progress", help="Progress bar on stderr."),
          as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON.")) -> None:
    """Answer a file of questions into JSONL, resumably, with a progress bar and a summary."""
    from agriadvisor.advisor import Advisor
    from agriadvisor.channels.batch import BatchInterrupted, run_batch

    try:
        summary = run_batch(Advisor(_settings(backend=backend)), input_path, output, resume=resume,
                            retry_errors=retry_errors,
                            workers=workers, batch_size=batch_size, sms=sms, progress=progress)
    except BatchInterrupted as exc:
        typer.echo(exc.summary.render(), err=True)
        raise typer.Exit(code=130) from None
    except AgriAdvisorError as exc:
        _fail(exc)
    typer.echo(summary.model_dump_json(indent=2) if as_json else summary.render())


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except AgriAdvisorError as exc:  # anything a command did not catch itself
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
