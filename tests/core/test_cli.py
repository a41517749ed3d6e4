"""The command line as a user types it: --version, -v anywhere, 'ask -', help without placeholders."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import click
import typer
from typer.testing import CliRunner

from agriadvisor.cli import app

EXE = Path(sys.executable).with_name("agriadvisor")


def _env(settings) -> dict[str, str]:  # noqa: ANN001
    return {"AGRIADVISOR_KNOWLEDGE_PATH": str(settings.knowledge_path),
            "AGRIADVISOR_INDEX_PATH": str(settings.index_path), "AGRIADVISOR_GUARDRAILS": "false"}


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [prefix]
    for name, cmd in group.commands.items():
        out += _commands(cmd, (*prefix, name)) if isinstance(cmd, click.Group) else [(*prefix, name)]
    return out


def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and re.fullmatch(r"agriadvisor \d+\.\d+\.\d+\S*\n", result.output)


def test_verbose_is_accepted_after_the_subcommand() -> None:
    for args in (["backends", "-v"], ["-v", "backends"], ["backends", "--verbose", "--json"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, (args, result.output)


def test_no_type_placeholders_in_any_help() -> None:
    for path in _commands(typer.main.get_command(app)):
        text = CliRunner().invoke(app, [*path, "--help"]).output
        assert "<bool>" not in text, path


def test_stage_help_lists_the_stages_the_error_names(small_settings) -> None:
    help_text = " ".join(CliRunner().invoke(app, ["ask", "--help"]).output.split())
    error = CliRunner().invoke(app, ["ask", "--stage", "flowering", "When to sow wheat?"], env=_env(small_settings))
    assert error.exit_code == 2
    listed = error.output.split("use one of ", 1)[1].strip().split(", ")
    assert len(listed) >= 7 and all(stage in help_text for stage in listed)


def test_ask_dash_reads_the_question_from_stdin(small_advisor, small_settings) -> None:
    result = CliRunner().invoke(app, ["ask", "-", "--json"], input="When should I sow wheat in Nepal?\n",
                                env=_env(small_settings))
    assert result.exit_code == 0, result.output
    assert '"question": "When should I sow wheat in Nepal?"' in result.output and '"outcome": "answered"' in result.output


def test_verbose_log_has_no_faiss_library_errors(small_advisor, small_settings) -> None:
    run = subprocess.run([str(EXE), "ask", "When should I sow wheat in Nepal?", "-v"], capture_output=True, text=True,
                         env=os.environ | _env(small_settings), timeout=300)
    assert run.returncode == 0, run.stderr
    assert "INFO" in run.stderr  # -v after the command took effect
    assert "Could not load library" not in run.stderr and "ModuleNotFoundError" not in run.stderr
