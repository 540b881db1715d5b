"""Discovery time for a simulated /24 (10 devices, the rest silent): covscan discover against
`nmap -sV` on the same targets and ports, in the same run (not a timed test; needs root).

    sudo python benchmarks/bench_discover.py
"""
from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "netlab"))
from lab import DEVICES, TARGETS, Lab, available  # noqa: E402

from covscan.discover.targets import DEFAULT_PORTS  # noqa: E402


def main() -> None:
    reason = available()
    if reason:
        raise SystemExit(f"cannot build the test network: {reason}")
    ports = ",".join(map(str, DEFAULT_PORTS))
    with tempfile.TemporaryDirectory() as tmp, Lab(Path(tmp)) as lab:
        obs = Path(tmp) / "obs.jsonl"
        start = time.monotonic()
        result = lab.in_scanner(sys.executable, "-m", "covscan.cli", "discover", TARGETS, "--snmp-community", "lab-community",
                                "--observations", str(obs), "-q")
        covscan_s = time.monotonic() - start
        if result.returncode not in (0, 1):
            raise SystemExit(result.stderr)
        found = len(obs.read_text().splitlines())
        xml = Path(tmp) / "nmap.xml"
        start = time.monotonic()
        nmap = lab.in_scanner("nmap", "-n", "-sV", "-p", ports, "-oX", str(xml), TARGETS, timeout=1800)
        nmap_s = time.monotonic() - start
        up = nmap.stdout.count("Nmap scan report for")
        print(f"targets {TARGETS} ({len(DEVICES)} simulated devices, sentinel outside), TCP ports {ports}")
        print(f"{'tool':44} {'seconds':>8} {'hosts found':>12}")
        print(f"{'covscan discover (TCP + UDP discovery + SNMP)':44} {covscan_s:8.1f} {found:12d}")
        print(f"{'nmap -sV (TCP only, same ports)':44} {nmap_s:8.1f} {up:12d}")
        print(json.dumps({"covscan_seconds": round(covscan_s, 1), "nmap_seconds": round(nmap_s, 1)}))


if __name__ == "__main__":
    main()
