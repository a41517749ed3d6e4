"""Every command in the README runs, so the docs never rot.

Bash blocks run in order (``make`` lines in the checkout, the rest in a scratch folder that links
``.venv``); a block after ``<!-- readme-test: background -->`` is started as a server and the
next blocks talk to it; ``<!-- readme-test: skip ... -->`` says why a block is not run here.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
BLOCK = re.compile(r"(?:<!-- readme-test: (\w+)[^>]*-->\s*\n)?```(\w*)\n(.*?)```", re.S)


def blocks() -> list[tuple[str | None, str, str]]:
    return [(m.group(1), m.group(2), m.group(3)) for m in BLOCK.finditer(README.read_text(encoding="utf-8"))]


def test_readme_starts_with_the_two_commands_and_ci_uses_the_test_one() -> None:
    runnable = [b for b in blocks() if b[1] == "bash"]
    assert runnable[0][2].strip().startswith("make ask")
    assert runnable[1][2].strip() == "make test"
    assert "make test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")


@pytest.mark.slow
def test_every_readme_command_runs(full_advisor, tmp_path: Path) -> None:
    index = tmp_path / "index"
    shutil.copytree(full_advisor.settings.index_path, index)
    env = os.environ | {"AGRIADVISOR_INDEX_PATH": str(index), "AGRIADVISOR_STATE_DB_PATH": str(tmp_path / "s.db")}
    work = tmp_path / "work"
    work.mkdir()
    (work / ".venv").symlink_to(REPO / ".venv")
    (work / "benchmarks").symlink_to(REPO / "benchmarks")
    server = None
    try:
        for mark, lang, body in blocks():
            if mark == "skip" or lang not in ("bash", "python"):
                continue
            if lang == "python":
                out = subprocess.run([str(REPO / ".venv/bin/python"), "-c", body], cwd=work, env=env,
                                     capture_output=True, text=True, timeout=600)
                assert out.returncode == 0, out.stderr[-2000:]
                assert "answered" in out.stdout
                continue
            if mark == "background":
                server = subprocess.Popen(["bash", "-c", body], cwd=work, env=env, start_new_session=True,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                _wait_for_health(server)
                continue
            if body.strip() == "make test":
                continue  # this very suite
            cwd = REPO if body.lstrip().startswith("make ") else work
            out = subprocess.run(["bash", "-ec", body], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
            assert out.returncode == 0, f"README block failed:\n{body}\n{out.stdout[-1500:]}\n{out.stderr[-1500:]}"
            if "make ask" in body:
                assert "Sources:" in out.stdout
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    assert (work / "answers.jsonl").exists()


def _wait_for_health(proc: subprocess.Popen, timeout: float = 300) -> None:
    import httpx

    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get("http://127.0.0.1:8765/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise AssertionError("server did not become healthy")
