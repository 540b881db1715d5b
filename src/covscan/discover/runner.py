"""Active discovery: asyncio probes with bounded concurrency and rate, only to the targets in scope."""
from __future__ import annotations

import asyncio
import datetime as dt
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from covscan.discover.http import banner_probe, classify_banner, http_probe, rtsp_probe
from covscan.discover.snmp import SnmpCredentials, snmp_probe
from covscan.discover.targets import DEFAULT_PORTS, Scope
from covscan.discover.udp import PROTOCOLS, UdpProtocol, exchange, upnp_description

# What to ask an open TCP port. Any other open port is identified by `Discovery._identify`.
TCP_PROBES: dict[int, Callable[[str, int, float], Any]] = {
    21: lambda ip, port, t: banner_probe(ip, port, t, "ftp_banner", "ftp"),
    22: lambda ip, port, t: banner_probe(ip, port, t, "ssh_banner", "ssh"),
    23: lambda ip, port, t: banner_probe(ip, port, t, "telnet_banner", "telnet"),
    80: lambda ip, port, t: http_probe(ip, port, t, tls=False),
    8000: lambda ip, port, t: http_probe(ip, port, t, tls=False),
    8080: lambda ip, port, t: http_probe(ip, port, t, tls=False),
    443: lambda ip, port, t: http_probe(ip, port, t, tls=True),
    8443: lambda ip, port, t: http_probe(ip, port, t, tls=True),
    554: rtsp_probe,
}
PROBE_ERRORS = (OSError, asyncio.TimeoutError, ssl.SSLError, ValueError, UnicodeError, EOFError)


@dataclass
class DiscoverOptions:
    ports: tuple[int, ...] = DEFAULT_PORTS
    timeout: float = 1.5
    rate: float = 1000.0  # probes started per second
    concurrency: int = 256
    snmp: SnmpCredentials = field(default_factory=SnmpCredentials)
    multicast: bool = False


class RateLimiter:
    """Spaces probe starts evenly at `rate` per second."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.next = time.monotonic()
        self.lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self.lock:
            now = time.monotonic()
            self.next = max(self.next, now)
            delay = self.next - now
            self.next += self.interval
        if delay > 0:
            await asyncio.sleep(delay)


def neighbour_macs(path: Path = Path("/proc/net/arp")) -> dict[str, str]:
    """MACs the kernel learned while we talked to hosts on the local segment (no extra packets)."""
    try:
        lines = path.read_text().splitlines()[1:]
    except OSError:
        return {}
    table = {}
    for line in lines:
        parts = line.split()
        if len(parts) >= 4 and parts[2] != "0x0" and parts[3] != "00:00:00:00:00:00":
            table[parts[0]] = parts[3].lower()
    return table


class Discovery:
    def __init__(self, scope: Scope, options: DiscoverOptions, progress: Callable[[int, int], None] | None = None) -> None:
        self.scope, self.options, self.progress = scope, options, progress
        self.limiter = RateLimiter(options.rate)
        self.slots = asyncio.Semaphore(options.concurrency)
        self.done = 0
        self.sent = 0

    async def _guarded(self, ip: str, coro_factory: Callable[[], Any]) -> Any:
        """Every probe passes here: the scope check, the rate limit and the concurrency bound."""
        if not self.scope.allows(ip):
            raise PermissionError(f"{ip} is outside the targets")
        async with self.slots:
            await self.limiter.wait()
            self.sent += 1
            try:
                return await coro_factory()
            except PROBE_ERRORS:
                return None

    async def _tcp_open(self, ip: str, port: int) -> bool:
        async def connect() -> bool:
            _, writer = await asyncio.wait_for(asyncio.open_connection(ip, port), self.options.timeout)
            writer.close()
            return True

        return bool(await self._guarded(ip, connect))

    async def _tcp_service(self, ip: str, port: int) -> dict[str, Any] | None:
        if not await self._tcp_open(ip, port):
            return None
        service = {"port": port, "protocol": "tcp"}
        probe = TCP_PROBES.get(port)
        found = await self._guarded(ip, lambda: probe(ip, port, self.options.timeout)) if probe else await self._identify(ip, port)
        return service | (found or {})

    async def _identify(self, ip: str, port: int) -> dict[str, Any] | None:
        """An open port whose protocol the port number does not tell: let it speak first (SSH, FTP,
        Telnet and other banners), else ask HTTP, then TLS (HTTPS), then RTSP, and keep the first
        protocol that answers. Every attempt is a probe through the same gate (scope, rate,
        concurrency) and stops at the first answer."""
        t = self.options.timeout
        said = await self._guarded(ip, lambda: banner_probe(ip, port, t, "telnet_banner", "unknown"))
        if said and (banner := classify_banner(said)):
            return banner
        attempts: tuple[Callable[[], Any], ...] = (
            lambda: http_probe(ip, port, t, tls=False, strict=True),
            lambda: http_probe(ip, port, t, tls=True, strict=True),
            lambda: rtsp_probe(ip, port, t, strict=True),
        )
        for attempt in attempts:
            found = await self._guarded(ip, attempt)
            if found:
                return found
        return None

    async def _udp_service(self, ip: str, protocol: UdpProtocol) -> dict[str, Any] | None:
        replies = await self._guarded(ip, lambda: exchange(ip, protocol.port, protocol.payload(ip), self.options.timeout, lambda a: a == ip))
        for _, reply in replies or ():
            found = protocol.parse(reply)
            if found:
                return await self._with_description(ip, {"port": protocol.port, "protocol": "udp"} | found)
        return None

    async def _with_description(self, ip: str, service: dict[str, Any]) -> dict[str, Any]:
        location = service.pop("location", None)
        if location:
            service |= await self._guarded(ip, lambda: upnp_description(ip, location, self.options.timeout, self.scope.allows)) or {}
        return service

    async def _snmp(self, ip: str, engine: Any) -> dict[str, Any] | None:
        found = await self._guarded(ip, lambda: snmp_probe(ip, self.options.timeout, self.options.snmp, engine))
        return {"port": 161, "protocol": "udp"} | found if found else None

    async def host(self, ip: str, engine: Any, multicast_replies: dict[str, list[dict[str, Any]]]) -> dict[str, Any] | None:
        tasks = [self._tcp_service(ip, p) for p in self.options.ports]
        tasks += [self._udp_service(ip, proto) for proto in PROTOCOLS]
        if engine is not None:
            tasks.append(self._snmp(ip, engine))
        services = [s for s in await asyncio.gather(*tasks) if s]
        services += multicast_replies.get(ip, [])
        self.done += 1
        if self.progress:
            self.progress(self.done, len(self.scope.hosts))
        if not services:
            return None
        return {"ip": ip, "source": "discover", "seen_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "services": services}

    async def _multicast(self) -> dict[str, list[dict[str, Any]]]:
        """Opt-in: one query to each standard group on the local segment; replies from targets only."""
        found: dict[str, list[dict[str, Any]]] = {}
        for protocol in PROTOCOLS:
            if protocol.group is None:
                continue
            self.sent += 1
            for ip, reply in await exchange(protocol.group, protocol.port, protocol.payload(protocol.group), self.options.timeout, self.scope.allows):
                parsed = protocol.parse(reply)
                if parsed:
                    found.setdefault(ip, []).append(await self._with_description(ip, {"port": protocol.port, "protocol": "udp"} | parsed))
        return found

    async def run(self) -> list[dict[str, Any]]:
        from pysnmp.hlapi.v3arch.asyncio import SnmpEngine

        engine = SnmpEngine() if self.options.snmp.auth() is not None else None
        multicast = await self._multicast() if self.options.multicast else {}
        # Hosts in flight at once: enough to keep the probe slots busy, few enough that a /16 does
        # not create a million waiting probes.
        host_slots = asyncio.Semaphore(max(8, self.options.concurrency // 4))

        async def bounded(ip: str) -> dict[str, Any] | None:
            async with host_slots:
                return await self.host(ip, engine, multicast)

        hosts = await asyncio.gather(*(bounded(str(ip)) for ip in self.scope.hosts))
        macs = neighbour_macs()
        records = []
        for record in hosts:
            if record is None:
                continue
            if record["ip"] in macs:
                record["mac"] = macs[record["ip"]]
            records.append(record)
        return records


def discover(scope: Scope, options: DiscoverOptions, progress: Callable[[int, int], None] | None = None) -> tuple[list[dict[str, Any]], int]:
    """Observation records of the hosts that answered, and the number of probes sent."""
    discovery = Discovery(scope, options, progress)
    records = asyncio.run(discovery.run())
    return records, discovery.sent
