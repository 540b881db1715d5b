from __future__ import annotations

import json
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
