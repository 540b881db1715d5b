"""Hostile input at the command line and in the outputs: no traceback, nothing lost, nothing left
behind, nothing a spreadsheet or a terminal would execute."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from conftest import write_csv

ROOT = Path(__file__).parent.parent


def covscan(*args: str | bytes, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
    """The real command (covscan.cli.run, with its last-resort handler), in a subprocess."""
    return subprocess.run([sys.executable, "-m", "covscan.cli", *args], capture_output=True, cwd=cwd, timeout=timeout,
                          env={**os.environ, **(env or {})})


def test_an_unexpected_error_is_one_line_and_debug_shows_the_traceback(tmp_path: Path) -> None:
    boom = "import covscan.cli as c, covscan.screen as s\ndef f(*a, **k): raise ZeroDivisionError('boom')\nc.open_screen = f\nc.run()\n"
    inventory = write_csv(tmp_path / "i.csv", ["vendor"], [["Huawei"]])
    plain = subprocess.run([sys.executable, "-c", boom, "screen", str(inventory)], capture_output=True, text=True, timeout=60)
    assert plain.returncode == 2
    assert "Traceback" not in plain.stderr
    assert "unexpected error (ZeroDivisionError: boom)" in plain.stderr and "--debug" in plain.stderr
    debug = subprocess.run([sys.executable, "-c", boom, "--debug", "screen", str(inventory)], capture_output=True, text=True, timeout=60)
    assert "Traceback" in debug.stderr and "ZeroDivisionError: boom" in debug.stderr


def test_a_file_name_that_is_not_utf8_is_refused_by_name(tmp_path: Path) -> None:
    name = os.fsencode(tmp_path) + b"/inv\xff.csv"
    with open(name, "wb") as fh:
        fh.write(b"vendor\nHuawei\n")
    done = covscan(b"screen", name, b"-o", os.fsencode(tmp_path / "out.jsonl"))
    assert done.returncode == 2
    assert b"Traceback" not in done.stderr
    assert b"not valid UTF-8" in done.stderr and b"rename" in done.stderr


def test_lookup_of_an_argument_that_is_not_utf8(tmp_path: Path) -> None:
    done = covscan(b"lookup", b"--json", b"Hua\xffwei", b"Huawei")
    assert done.returncode == 1, done.stderr  # the second value is covered; the first is read, not a crash
    assert b"Traceback" not in done.stderr
    assert "Hua\ufffdwei" in done.stdout.decode("utf-8")


def test_a_damaged_cache_is_only_a_slower_run(tmp_path: Path) -> None:
    inventory = write_csv(tmp_path / "i.csv", ["vendor", "model"], [["Huawei", "S5720-52X-SI-AC"], ["Cisco", "C9300"]])
    cache = tmp_path / "cache"
    assert covscan("screen", str(inventory), "--cache", str(cache), "-o", str(tmp_path / "a.jsonl"), "-q").returncode == 1
    files = sorted(cache.iterdir())
    assert files
    files[0].write_bytes(b"PAR1 not parquet PAR1")
    pl.DataFrame({"value": ["S5720-52X-SI-AC"], "evidence": ["[[1, 2]]"]}).write_parquet(files[-1])
    done = covscan("screen", str(inventory), "--cache", str(cache), "-o", str(tmp_path / "b.jsonl"), "-q")
    assert done.returncode == 1 and b"Traceback" not in done.stderr
    first = [json.loads(line)["verdict"] for line in (tmp_path / "a.jsonl").read_text().splitlines()]
    assert [json.loads(line)["verdict"] for line in (tmp_path / "b.jsonl").read_text().splitlines()] == first == ["covered", "clear"]
    not_a_folder = tmp_path / "cachefile"
    not_a_folder.write_text("x")
    done = covscan("screen", str(inventory), "--cache", str(not_a_folder), "-q")
    assert done.returncode == 2 and b"is a file; the cache is a folder" in done.stderr


@pytest.mark.parametrize("line, message", [
    (b'{"row": 0, "id": ["a"], "verdict": "covered"}', b"id must be text"),
    (b'{"row": 0, "id": "a", "verdict": ["covered"]}', b"is not one of"),
    (b'{"row": "0", "id": "a", "verdict": "covered"}', b"row is not a number"),
    (b'{"row": 0, "id": "a", "verdict": "covered", "entity": {"x": 1}}', b"entity must be text"),
    (b'\xff\xfe{"row": 0}', b"not UTF-8"),
    (b"[" * 100_000, b"not JSON"),
])
def test_diff_and_baseline_refuse_what_is_not_a_finding(tmp_path: Path, line: bytes, message: bytes) -> None:
    bad, good = tmp_path / "bad.jsonl", tmp_path / "good.jsonl"
    bad.write_bytes(line + b"\n")
    good.write_text('{"row": 0, "id": "a", "verdict": "clear"}\n')
    for args in (("diff", str(bad), str(good)), ("diff", str(good), str(bad))):
        done = covscan(*args)
        assert done.returncode == 2 and b"Traceback" not in done.stderr
        assert message in done.stderr and b"line 1" in done.stderr
    inventory = write_csv(tmp_path / "i.csv", ["vendor"], [["Cisco"]])
    done = covscan("screen", str(inventory), "-o", str(tmp_path / "new.jsonl"), "--baseline", str(bad), "-q")
    assert done.returncode == 2 and message in done.stderr and b"Traceback" not in done.stderr


def test_terminal_escapes_and_markup_from_input_are_shown_not_obeyed(tmp_path: Path) -> None:
    old, new = tmp_path / "old.jsonl", tmp_path / "new.jsonl"
    old.write_text('{"row": 0, "id": "a", "verdict": "clear"}\n')
    new.write_text(json.dumps({"row": 0, "id": "a\u001b[2J", "verdict": "covered", "entity": "\u001b]0;pwned\u0007[bold red]X[/]"}) + "\n")
    old.write_text(json.dumps({"row": 0, "id": "a\u001b[2J", "verdict": "clear"}) + "\n")
    done = covscan("diff", str(old), str(new), env={"COLUMNS": "200"})
    assert done.returncode == 1
    assert b"\x1b]0;" not in done.stdout and b"\x1b[2J" not in done.stdout and b"\x07" not in done.stdout
    assert b"\\x1b]0;pwned\\x07[bold red]X[/]" in done.stdout  # shown literally, markup included
    inventory = write_csv(tmp_path / "i.csv", ["vendor", "note\u001b[31m"], [["Huawei", "x"]])
    done = covscan("screen", str(inventory))
    assert b"\x1b[31m" not in done.stdout and b"note\\x1b[31m" in done.stdout


def test_output_columns_never_collide_with_input_columns(tmp_path: Path) -> None:
    header = ["row", "id", "verdict", "input_row", "input_id", "vendor", "__row__", "__error__", "finding", "evidence"]
    inventory = write_csv(tmp_path / "i.csv", header, [["1", "2", "3", "4", "5", "Huawei", "7", "8", "9", "10"]])
    outputs = [tmp_path / f"out.{ext}" for ext in ("jsonl", "csv", "parquet", "xlsx", "html", "json")]
    done = covscan("screen", str(inventory), *[a for p in outputs for a in ("-o", str(p))], "-q")
    assert done.returncode == 1 and b"Traceback" not in done.stderr, done.stderr
    flat = pl.read_csv(tmp_path / "out.csv", infer_schema=False)
    kept = {c: flat[c][0] for c in flat.columns}
    # every input value is there under a unique name, and covscan's own columns are its own
    assert [kept[c] for c in flat.columns[:len(header)]] == ["1", "2", "3", "4", "5", "Huawei", "7", "8", "9", "10"]
    assert kept["row"] == "0" and kept["verdict"] == "covered"
    assert pl.read_parquet(tmp_path / "out.parquet").columns == flat.columns
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx", read_only=True)["findings"]
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == flat.columns


def test_formula_like_cells_are_neutralised_in_spreadsheet_outputs(tmp_path: Path) -> None:
    risky = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rcmd"]
    inventory = write_csv(tmp_path / "i.csv", ["vendor", "=cmd|' /C calc'!A0"], [["Huawei", v] for v in risky])
    done = covscan("screen", str(inventory), "-o", str(tmp_path / "o.csv"), "-o", str(tmp_path / "o.xlsx"), "-q")
    assert done.returncode == 1
    starts = ("=", "+", "-", "@", "\t", "\r")
    flat = pl.read_csv(tmp_path / "o.csv", infer_schema=False)
    cells = [str(v) for col in flat.iter_columns() for v in col if v is not None] + flat.columns
    assert not [c for c in cells if c.startswith(starts)]
    assert flat["'=cmd|' /C calc'!A0"].to_list() == ["'" + v for v in risky]
    book = openpyxl.load_workbook(tmp_path / "o.xlsx")
    texts = [c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "'=HYPERLINK(\"http://x\",\"y\")" in texts
    assert not [c for c in texts if c.startswith(starts)]
    assert all(cell.data_type != "f" for sheet in book for row in sheet.iter_rows() for cell in row)
    raw = covscan("screen", str(inventory), "-o", str(tmp_path / "raw.csv"), "--raw-cells", "-q")
    assert raw.returncode == 1
    assert pl.read_csv(tmp_path / "raw.csv", infer_schema=False)["=cmd|' /C calc'!A0"].to_list() == risky


def test_the_output_may_not_overwrite_the_input(tmp_path: Path) -> None:
    inventory = write_csv(tmp_path / "i.csv", ["vendor"], [["Huawei"]])
    done = covscan("screen", str(inventory), "-o", str(inventory))
    assert done.returncode == 2 and b"is the input file" in done.stderr
    assert inventory.read_text() == "vendor\nHuawei\n"


@pytest.mark.parametrize("setting, message", [
    ("nesting", b"expected NAME=VALUE"), ("bogus=1", b"NAME one of"), ("nesting=-1", b"positive whole number"),
    ("field-bytes=2XB", b"positive whole number"),
])
def test_bad_limits_are_usage_errors(setting: str, message: bytes, tmp_path: Path) -> None:
    done = covscan("--limit", setting, "lookup", "Huawei")
    assert done.returncode == 2 and message in done.stderr and b"Traceback" not in done.stderr
    done = covscan("lookup", "Huawei", env={"COVSCAN_LIMITS": setting})
    assert done.returncode == 2 and message in done.stderr


def test_limits_parse_sizes() -> None:
    from covscan import limits

    parsed = limits.parse(["field-bytes=64MiB", "nesting=10", "xlsx_part_bytes=2g"])
    assert (parsed.field_bytes, parsed.nesting, parsed.xlsx_part_bytes) == (64 << 20, 10, 2 << 30)


@pytest.fixture(scope="module")
def long_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("catalog") / "catalog.csv"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--catalog", "600000", str(path)], check=True,
                   capture_output=True, timeout=120)
    return path


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_stopped_run_stops_soon_and_leaves_no_temporary_file(long_catalog: Path, tmp_path: Path, signum: int, code: int) -> None:
    """A run writing XLSX row by row (its slowest output) is stopped while it writes: it exits
    with 128 + the signal within seconds, and neither its outputs nor their temporary files exist."""
    outputs = [tmp_path / "f.xlsx", tmp_path / "f.csv"]
    proc = subprocess.Popen([sys.executable, "-m", "covscan.cli", "screen", str(long_catalog), *[a for p in outputs for a in ("-o", str(p))], "-q"],
                            stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 90
    while not list(tmp_path.glob(".f.xlsx.*.tmp")) or os.path.getsize(next(tmp_path.glob(".f.csv.*.tmp"), tmp_path)) == 0:
        assert proc.poll() is None and time.monotonic() < deadline, "the run ended before it could be stopped"
        time.sleep(0.05)
    proc.send_signal(signum)
    stopped = time.monotonic()
    returned = proc.wait(timeout=60)
    took, err = time.monotonic() - stopped, proc.stderr.read()
    assert returned == code, err
    assert took < 15, err  # a bound on stopping, not a speed measurement
    assert b"interrupted; no output file was written" in err
    assert list(tmp_path.iterdir()) == [], err


def test_a_killed_runs_temporary_file_is_removed_by_the_next_run(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    orphan = tmp_path / f".out.csv.{dead.pid}.abc123.tmp"
    orphan.write_text("half a report")
    live = tmp_path / f".out.csv.{os.getpid()}.def456.tmp"  # a run still writing: left alone
    live.write_text("in progress")
    inventory = write_csv(tmp_path / "i.csv", ["vendor"], [["Cisco"]])
    assert covscan("screen", str(inventory), "-o", str(tmp_path / "out.csv"), "-q").returncode == 0
    assert not orphan.exists() and live.exists() and (tmp_path / "out.csv").exists()
