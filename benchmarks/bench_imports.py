"""Benchmark `covscan import` on big inputs, to show that time grows linearly with size (issue 14;
not a timed test). It generates an ISC dhcpd leases file of --lines lines (10-line lease blocks)
and an nmap XML of one host with --ports open ports, each also at 1/8, 1/4 and 1/2 of that size,
runs `covscan import` on each in its own process, and prints wall and CPU seconds, peak RSS, and
the CPU time per line or per port, which stays flat when the importer is linear. The fastest of
--repeat runs counts: on a shared machine the others measure the neighbours.

    python benchmarks/bench_imports.py --lines 1000000 --ports 65535
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

FRACTIONS = (8, 4, 2, 1)  # each input also at 1/8, 1/4 and 1/2 of its full size
LEASE_LINES = 10


def write_leases(path: Path, lines: int) -> int:
    """A dhcpd.leases of `lines` lines (whole blocks); returns the number of leases."""
    leases = lines // LEASE_LINES
    with path.open("w") as fh:
        for i in range(leases):
            a, b, c = i >> 16 & 255, i >> 8 & 255, i & 255
            fh.write(f"lease 10.{a}.{b}.{c} {{\n  starts 2 2026/11/24 09:00:01;\n  ends 2 2026/11/24 21:00:01;\n"
                     f"  cltt 2 2026/11/24 09:00:01;\n  binding state active;\n  next binding state free;\n"
                     f"  hardware ethernet 44:19:b6:{a:02x}:{b:02x}:{c:02x};\n"
                     f'  set vendor-class-identifier = "android-dhcp-{i % 14}";\n  client-hostname "host-{i}";\n}}\n')
    return leases


def write_nmap(path: Path, ports: int) -> int:
    """nmap -oX of one host with `ports` open ports, each with a service and a script; returns 1 (host)."""
    with path.open("w") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE nmaprun>\n<nmaprun scanner="nmap" start="1795515121">\n'
                 '<host><status state="up"/><address addr="192.0.2.5" addrtype="ipv4"/><ports>\n')
        for port in range(1, ports + 1):
            fh.write(f'<port protocol="tcp" portid="{port}"><state state="open" reason="syn-ack"/>'
                     f'<service name="http" product="Webs" version="{port % 97}"/>'
                     f'<script id="http-title" output="Login {port % 13}"/></port>\n')
        fh.write("</ports></host>\n</nmaprun>\n")
    return 1


def run(fmt: str, path: Path, out: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS in MiB of one `covscan import`, measured
    on that process alone (os.wait4)."""
    with (out.parent / "stderr.txt").open("w+b") as err:
        start = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "covscan.cli", "import", fmt, str(path), "-o", str(out)],
                                stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"covscan import {fmt} {path} exited {proc.returncode}: {err.read().decode()[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def fastest(fmt: str, path: Path, repeat: int) -> tuple[float, float, float]:
    return min((run(fmt, path, path.parent / "obs.jsonl") for _ in range(repeat)), key=lambda r: r[1])


def bench(fmt: str, unit: str, write: Callable[[Path, int], int], full: int, repeat: int, tmp: Path) -> None:
    """Each size, with the CPU time per unit above that of a one-entry file (starting covscan)."""
    tiny = tmp / f"{fmt}-tiny"
    write(tiny, LEASE_LINES if fmt == "dhcpd" else 1)
    _, startup, _ = fastest(fmt, tiny, repeat)
    print(f"\ncovscan import {fmt} (starting covscan on a one-entry file: {startup:.2f} CPU s)")
    print(f"{unit + 's':>10} {'records':>8} {'MB':>6} {'wall s':>7} {'CPU s':>6} {'RSS MiB':>8} {'CPU us/' + unit + ' above start':>22}")
    for fraction in FRACTIONS:
        size = full // fraction
        path = tmp / f"{fmt}-{size}"
        records = write(path, size)
        wall, cpu, rss = fastest(fmt, path, repeat)
        print(f"{size:>10,} {records:>8,} {path.stat().st_size / 1e6:>6.1f} {wall:>7.2f} {cpu:>6.2f} {rss:>8.0f} {(cpu - startup) / size * 1e6:>22.2f}")
        path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000, help="lines of the largest dhcpd leases file")
    parser.add_argument("--ports", type=int, default=65_535, help="open ports of the host in the largest nmap XML")
    parser.add_argument("--repeat", type=int, default=1, help="runs per size; the fastest counts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench("dhcpd", "line", write_leases, args.lines, args.repeat, Path(tmp))
        bench("nmap", "port", write_nmap, args.ports, args.repeat, Path(tmp))


if __name__ == "__main__":
    main()
