from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from covscan.cli import app
from covscan.engine import Engine, ScreenSettings
from covscan.kb import KnowledgeBase, load
from covscan.model import Context, Finding, Use

DATA = Path(__file__).parent / "data"
# Tests judge with the data shipped with covscan, never with a knowledge-data version the developer's
# own `covscan data update` made active (subprocesses inherit this too).
os.environ["COVSCAN_DATA_DIR"] = tempfile.mkdtemp(prefix="covscan-test-data-")


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load()


@pytest.fixture(scope="session")
def judge(kb: KnowledgeBase):
    """Screen single records given as field=value keyword arguments; returns the Finding."""

    def run(ctx: Context = Context.GENERAL, stated_use: Use | None = None, **fields: str) -> Finding:
        engine = Engine(kb, {f: f for f in fields}, ScreenSettings(ctx, stated_use))
        frame = pl.DataFrame({f: pl.Series(f, [v], dtype=pl.String) for f, v in fields.items()})
        index = engine.screen(frame)["finding"][0]
        return engine.concrete(index, fields)

    return run


@pytest.fixture()
def cli():
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(app, list(args), catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return run


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Path:
    import csv

    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def screen_to_jsonl(cli, path: Path, *options: str, limit: str | None = None) -> tuple[int, list[dict] | None, str]:
    """`covscan [--limit limit] screen path -o ….jsonl -q [options]` in this process: exit code, the
    output rows (None when none was written), stderr; never a traceback or an unexpected error."""
    out = path.with_name(path.name + ".jsonl")
    code, stdout, err = cli(*(("--limit", limit) if limit else ()), "screen", str(path), "-o", str(out), "-q", *options)
    assert "Traceback" not in stdout + err and "unexpected error" not in err, err
    return code, read_jsonl(out) if out.exists() else None, err


def refused(cli, path: Path, *needles: str, options: tuple[str, ...] = (), limit: str | None = None) -> str:
    """The run ends with exit 2, no output and a one-line message naming the file and holding every needle."""
    code, rows, err = screen_to_jsonl(cli, path, *options, limit=limit)
    message = err.strip()
    assert code == 2 and rows is None, err
    assert message.count("\n") == 0 and message.startswith(f"error: {path}"), message
    assert all(n in message for n in needles), message
    return message


def errors_of(rows: list[dict]) -> dict[int, str]:
    """Error rows by row number, after checking every input row has exactly one output row, in order."""
    assert [r["row"] for r in rows] == list(range(len(rows)))
    return {r["row"]: r["error"] for r in rows if r["verdict"] == "error"}


GIB = 1 << 30
# A small launcher between the test process and covscan: on Linux a child's peak RSS starts at its
# parent's at fork (the high-water mark survives exec), so covscan forked straight from a pytest
# process of 2 GiB would report 2 GiB. Forked from this launcher it reports its own peak.
_LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable, "-m", "covscan.cli", *sys.argv[2:]])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as fh:
    fh.write(str(usage.ru_maxrss * 1024))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def covscan_bounded(*args: str, cwd: Path | None = None, seconds: float = 60, peak_bytes: int = GIB) -> subprocess.CompletedProcess[str]:
    """`covscan ARGS` in a child process that must end within `seconds` with its own peak RSS under
    `peak_bytes` (correctness bounds on hostile input, not speed measurements), never printing a
    traceback, a panic or an unexpected error."""
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".peak", delete=False) as peak_file:
        peak_path = Path(peak_file.name)
    try:
        child = subprocess.Popen([sys.executable, "-c", _LAUNCHER, str(peak_path), *args], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, cwd=cwd, start_new_session=True)
        try:
            stdout, stderr = child.communicate(timeout=seconds)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)  # covscan too, not only the launcher
            child.communicate()
            pytest.fail(f"covscan {' '.join(args)[:200]}: no exit within {seconds:.0f} s")
        proc = subprocess.CompletedProcess(child.args, child.returncode, stdout, stderr)
        peak = int(peak_path.read_text() or 0)
    finally:
        peak_path.unlink(missing_ok=True)
    assert peak < peak_bytes, f"covscan {' '.join(args)[:200]}: peak RSS {peak / (1 << 20):,.0f} MiB"
    for bad in ("Traceback", "panicked", "unexpected error"):
        assert bad not in proc.stderr, proc.stderr[-2000:]
    return proc
