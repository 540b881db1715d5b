"""Benchmark `covscan screen` on a generated inventory: rows/s and peak memory (not a timed test).

Each step runs in its own process so that peak RSS is that process's own; the floor is polars
reading the same CSV and writing it back unchanged.

    python benchmarks/bench_screen.py --rows 1000000
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed with exit status {os.waitstatus_to_exitcode(status)}")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="keep the generated input here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="covscan-bench-"))
    source = args.keep or work / f"inventory-{args.rows}.csv"
    if not source.exists():
        t = time.perf_counter()
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(args.rows), str(source)], check=True)
        print(f"generated {args.rows:,} rows ({source.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - t:.1f} s")
    floor_script = f"import polars as pl; pl.read_csv({str(source)!r}, infer_schema=False).write_csv({str(work / 'copy.csv')!r})"
    steps = {
        "floor: polars read + write CSV": [sys.executable, "-c", floor_script],
        "covscan screen -> JSONL": [sys.executable, "-m", "covscan.cli", "screen", str(source), "-o", str(work / "out.jsonl"), "-q"],
        "covscan screen -> CSV": [sys.executable, "-m", "covscan.cli", "screen", str(source), "-o", str(work / "out.csv"), "-q"],
    }
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'step':34} {'seconds':>8} {'rows/s':>11} {'peak RSS MiB':>13}")
    results = {}
    for name, cmd in steps.items():
        seconds, rss = run(cmd)
        results[name] = seconds
        print(f"{name:34} {seconds:8.1f} {args.rows / seconds:11,.0f} {rss:13,.0f}")
    floor = results["floor: polars read + write CSV"]
    print(f"covscan JSONL / floor = {results['covscan screen -> JSONL'] / floor:.1f}x")


if __name__ == "__main__":
    main()
