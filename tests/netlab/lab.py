"""A private test network: two network namespaces joined by a veth pair; the devices namespace has
one macvlan (own MAC, own address) per simulated device. Nothing outside these namespaces is touched."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from devices import DEVICES  # noqa: F401  (re-exported for tests)

PREFIX = "10.77.0"
TARGETS = f"{PREFIX}.0/24"
SENTINEL = "10.77.1.40"  # same link, outside the targets
SCANNER = f"{PREFIX}.2"


def available() -> str | None:
    """Why the lab cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root to create network namespaces"
    if shutil.which("ip") is None:
        return "needs iproute2 (ip)"
    return None


def sh(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, text=True)


class Lab:
    def __init__(self, workdir: Path) -> None:
        tag = os.getpid() % 100_000
        self.scan, self.dev = f"covscan-scan-{tag}", f"covscan-dev-{tag}"
        self.veth_scan, self.veth_dev = f"cvs{tag}s", f"cvs{tag}d"
        self.workdir = workdir
        self.hits = workdir / "sentinel-hits.log"
        self.process: subprocess.Popen[str] | None = None

    def __enter__(self) -> Lab:
        try:
            self._build()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _build(self) -> None:
        sh("ip", "netns", "add", self.scan)
        sh("ip", "netns", "add", self.dev)
        sh("ip", "link", "add", self.veth_scan, "type", "veth", "peer", "name", self.veth_dev)
        sh("ip", "link", "set", self.veth_scan, "netns", self.scan)
        sh("ip", "link", "set", self.veth_dev, "netns", self.dev)
        # Only the interface that owns an address answers ARP for it, so each device shows its own MAC.
        sh("ip", "netns", "exec", self.dev, "sysctl", "-qw", "net.ipv4.conf.all.arp_ignore=1", "net.ipv4.conf.all.arp_announce=2")
        sh("ip", "-n", self.scan, "addr", "add", f"{SCANNER}/23", "dev", self.veth_scan)
        for ns, link in ((self.scan, self.veth_scan), (self.dev, self.veth_dev)):
            sh("ip", "-n", ns, "link", "set", link, "up")
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        hosts = {f"{PREFIX}.{s}": d["mac"] for s, d in DEVICES.items()} | {SENTINEL: "02:00:00:00:01:40"}
        for i, (ip, mac) in enumerate(hosts.items()):
            name = f"mv{i}"
            sh("ip", "-n", self.dev, "link", "add", "link", self.veth_dev, "name", name, "type", "macvlan", "mode", "bridge")
            sh("ip", "-n", self.dev, "link", "set", name, "address", mac)
            sh("ip", "-n", self.dev, "addr", "add", f"{ip}/23", "dev", name)
            sh("ip", "-n", self.dev, "link", "set", name, "up")
        certs = self.workdir / "certs"
        certs.mkdir(exist_ok=True)
        self.hits.write_text("")
        self.process = subprocess.Popen(
            ["ip", "netns", "exec", self.dev, sys.executable, str(Path(__file__).with_name("devices.py")),
             "--prefix", PREFIX, "--sentinel", SENTINEL, "--log", str(self.hits), "--certs", str(certs)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if line.strip() != "ready":
            raise RuntimeError(f"simulated devices did not start: {line!r} {self.process.stderr.read() if self.process.stderr else ''}")
        time.sleep(0.3)

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        for ns in (self.scan, self.dev):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)

    def in_scanner(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["ip", "netns", "exec", self.scan, *args], capture_output=True, text=True, timeout=timeout)

    def capture(self, path: Path) -> subprocess.Popen[str]:
        """tcpdump of every IPv4 packet leaving the scanner (started inside the scanner namespace)."""
        proc = subprocess.Popen(
            ["ip", "netns", "exec", self.scan, "tcpdump", "-i", self.veth_scan, "-n", "-U", "-w", str(path), "ip", "and", "src", "host", SCANNER],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        time.sleep(1.0)
        return proc
