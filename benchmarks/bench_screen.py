"""Benchmark `covscan screen` on generated inventories and a marketplace catalog (not a timed test).

For each inventory size, and for the catalog (listing titles that hardly repeat), it measures, in
the same run and each in its own process (so peak RSS is that process's own):
  floor     polars reads the CSV and writes it back unchanged (the cost of touching the file)
  I/O only  (inventories) covscan screen -> Parquet with the screening taken out: its own reader,
            writer thread and Parquet writer, every row given the no-evidence finding and its asset
            id as id (what reading and writing covscan's output costs, before anything is screened)
  covscan   covscan screen, once per output format: Parquet, CSV and JSONL (for an inventory the
            formats write about 0.35x, 3.7x and 7.3x the input's bytes, which bounds what each can
            reach)
  naive     per-row Python with rapidfuzz extractOne(WRatio) on the vendor (the title for the
            catalog), on a 20,000-row sample, extrapolated (what a straightforward script would do)
and prints rows/s, CPU seconds (user + system, all threads), peak RSS, bytes written and the
covscan / floor ratio per format. Each step runs --repeat times, interleaved, and the fastest run
counts: on a shared machine the other runs measure the neighbours (disk discards, page-cache
writeback), not the code.

    python benchmarks/bench_screen.py --rows 1000000 10000000 --catalog-rows 1000000
"""
from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
NAIVE_SAMPLE = 20_000
FORMATS = ("parquet", "csv", "jsonl")
NAIVE = f"""
import csv, itertools, time
from rapidfuzz import fuzz, process
from covscan.kb import load
aliases = [a.name for a in load().aliases]
with open({{path!r}}, newline="", encoding="utf-8") as fh:
    rows = list(itertools.islice(csv.DictReader(fh), {NAIVE_SAMPLE}))
start = time.perf_counter()
hits = sum(1 for r in rows if process.extractOne(r[{{column!r}}] or "", aliases, scorer=fuzz.WRatio, score_cutoff=90))
print(time.perf_counter() - start)
"""


# `covscan screen` with Engine.screen replaced by a constant: the no-evidence finding (what a row
# with no values gets) for every row, its asset id as id. Everything else is the real run.
IO_ONLY = """
import sys
import polars as pl
from covscan.cli import app
from covscan.engine import ERROR_COLUMN, ROW_COLUMN, Engine

screen = Engine.screen

def unscreened(self, batch):
    if not hasattr(self, "no_evidence"):
        self.no_evidence = screen(self, batch.head(1).with_columns(pl.lit(None, pl.String).alias(c) for c in batch.columns))["finding"][0]
    return pl.DataFrame({"row": batch[ROW_COLUMN], "id": "asset:" + batch["asset_id"],
                         "finding": pl.repeat(self.no_evidence, batch.height, dtype=pl.UInt32, eager=True), "error": batch[ERROR_COLUMN]})

Engine.screen = unscreened
app(["screen", *sys.argv[1:]])
"""


def run(cmd: list[str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds, peak RSS (MiB) and standard output of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    stdout = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed with exit status {os.waitstatus_to_exitcode(status)}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stdout


def bench(rows: int, work: Path, keep: Path | None, repeat: int, kind: str = "inventory") -> None:
    catalog = kind != "inventory"
    source = keep or work / f"{kind}-{rows}.csv"
    if not source.exists():
        t = time.perf_counter()
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(rows), str(source), *([f"--{kind}"] if catalog else [])], check=True)
        print(f"generated a {rows:,}-row {kind} ({source.stat().st_size / 2**20:,.0f} MiB) in {time.perf_counter() - t:.1f} s")
    commands = {"floor: polars read + write CSV": (
        [sys.executable, "-c", f"import polars as pl; pl.read_csv({str(source)!r}, infer_schema=False).write_csv({str(work / 'out.csv')!r})"],
        work / "out.csv",
    )} | ({} if catalog else {"I/O only: covscan -> parquet, unscreened": (
        [sys.executable, "-c", IO_ONLY, str(source), "-o", str(work / "io.parquet"), "-q"], work / "io.parquet",
    )}) | {f"covscan screen -> {fmt}": (
        [sys.executable, "-m", "covscan.cli", "screen", str(source), "-o", str(work / f"out.{fmt}"), "-q"], work / f"out.{fmt}",
    ) for fmt in FORMATS}
    best: dict[str, tuple[float, float, float, int]] = {}
    for _ in range(repeat):
        for name, (cmd, out) in commands.items():
            seconds, cpu, rss, _ = run(cmd)
            if name not in best or seconds < best[name][0]:
                best[name] = (seconds, cpu, rss, out.stat().st_size)
            out.unlink()
    steps = [(name, *figures) for name, figures in best.items()]
    floor_s = steps[0][1]
    _, _, naive_rss, naive_out = run([sys.executable, "-c", NAIVE.format(path=str(source), column={"catalog": "title", "distributor": "description"}.get(kind, "vendor"))])
    naive_s = float(naive_out.strip()) * rows / NAIVE_SAMPLE
    steps.append(("naive: per-row WRatio (extrapolated)", naive_s, naive_s, naive_rss, 0))
    print(f"\n{kind}, {rows:,} rows, {source.stat().st_size / 2**20:,.0f} MiB CSV")
    print(f"{'step':40} {'seconds':>9} {'CPU s':>7} {'rows/s':>11} {'peak RSS MiB':>13} {'MiB written':>12} {'/ floor':>8}")
    for name, seconds, cpu, rss, size in steps:
        print(f"{name:40} {seconds:9.1f} {cpu:7.1f} {rows / seconds:11,.0f} {rss:13,.0f} {size / 2**20:12,.0f} {seconds / floor_s:7.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000], help="inventory sizes to generate and screen")
    parser.add_argument("--catalog-rows", type=int, default=0, help="also screen a generated marketplace catalog of this size")
    parser.add_argument("--distributor-rows", type=int, default=0, help="also screen a generated distributor part list of this size")
    parser.add_argument("--keep", type=Path, help="reuse or keep the generated input (one inventory size, no catalog)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per step; the fastest counts")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="covscan-bench-") as tmp:
        for rows in args.rows:
            bench(rows, Path(tmp), args.keep if len(args.rows) == 1 and not (args.catalog_rows or args.distributor_rows) else None, args.repeat)
        if args.catalog_rows:
            bench(args.catalog_rows, Path(tmp), None, args.repeat, kind="catalog")
        if args.distributor_rows:
            bench(args.distributor_rows, Path(tmp), None, args.repeat, kind="distributor")


if __name__ == "__main__":
    main()
