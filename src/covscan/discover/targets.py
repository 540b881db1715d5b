"""What the user named, and nothing else: every probe asks the scope before it sends a packet.

Targets are IP addresses, CIDR blocks or ranges. Host names are refused rather than resolved, so
that no DNS server is contacted on the user's behalf.
"""
from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from covscan.sources.base import InputError

MAX_HOSTS = 65_536
# TCP ports tried on every host in scope unless --ports says otherwise.
DEFAULT_PORTS = (21, 22, 23, 80, 443, 554, 8000, 8080, 8443, 37777)
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class Scope:
    def __init__(self, specs: Iterable[str], max_hosts: int = MAX_HOSTS) -> None:
        self.networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        hosts: dict[Address, None] = {}
        for spec in specs:
            for net in _parse(spec.strip()):
                self.networks.append(net)
                if sum(1 for _ in hosts) + net.num_addresses > max_hosts + 2:
                    raise InputError(f"{spec}: more than {max_hosts:,} addresses in all; split the scan or pass --max-hosts")
                usable = list(net.hosts()) if net.num_addresses > 2 else list(net)
                hosts.update(dict.fromkeys(usable))
        if not hosts:
            raise InputError("no targets: give IP addresses, CIDR blocks (10.0.0.0/24) or ranges (10.0.0.1-10.0.0.50)")
        self.hosts: list[Address] = list(hosts)
        self._set = set(self.hosts)

    def allows(self, address: str | Address) -> bool:
        try:
            ip = ipaddress.ip_address(address) if isinstance(address, str) else address
        except ValueError:
            return False
        return ip in self._set


def _parse(spec: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    try:
        if "-" in spec:
            first, last = spec.split("-", 1)
            start = ipaddress.ip_address(first)
            if "." in last or ":" in last:
                end = ipaddress.ip_address(last)
            else:  # 10.0.0.1-50
                end = ipaddress.ip_address(".".join(first.split(".")[:3] + [last]))
            if end < start:
                raise InputError(f"{spec}: the range ends before it starts")
            return list(ipaddress.summarize_address_range(start, end))  # type: ignore[arg-type]
        return [ipaddress.ip_network(spec, strict=False)]
    except ValueError as exc:
        raise InputError(f"{spec!r} is not an IP address, CIDR block or range (host names are not resolved): {exc}") from exc
