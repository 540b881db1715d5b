"""DHCP leases: ISC dhcpd `dhcpd.leases` and dnsmasq `dnsmasq.leases`."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from covscan import limits
from covscan.imports.base import IPV4, LineError, Record, clean_mac, observation, require_some, text_lines
from covscan.observations import EXCERPT_CHARS, excerpt

_LEASE = re.compile(r"\s*lease\s+(\S+)\s*\{")
# The statements of a lease block that are read; the first of each in the block counts.
_STATEMENTS = {
    "mac": re.compile(r"hardware\s+ethernet\s+([0-9a-fA-F:]+)\s*;"),
    "hostname": re.compile(r'client-hostname\s+"([^"]*)"'),
    "vendor": re.compile(r'vendor-class-identifier\s*=\s*"([^"]*)"'),
    "seen_at": re.compile(r"starts\s+\d+\s+([\d/]+\s+[\d:]+)"),
}


def _too_many_leases() -> str:
    return f"more lease blocks than the limit; the rest of the file is not imported {limits.describe('leases_per_file')}"


def _lease(address: str, found: dict[str, str]) -> dict[str, Any] | str:
    if not IPV4.fullmatch(address):
        return f"lease address {address!r} is not an IPv4 address"
    hardware = found.get("mac")
    mac = clean_mac(hardware) if hardware else None
    if hardware and not mac:
        return f"lease {address}: bad hardware address {excerpt(hardware)}"
    vendor = found.get("vendor")
    services = [{"port": 67, "protocol": "udp", "service": "dhcp", "dhcp_vendor_class": vendor}] if vendor else []
    return observation("dhcpd", address, mac, found.get("hostname"), services, found.get("seen_at"))


def parse_dhcpd(path: Path) -> list[Record]:
    """Line by line, keeping only the statements read from the open block: a block that is never
    closed is reported where the next one starts, so broken files cost no more than good ones."""
    records: list[Record] = []
    block: tuple[int, str, dict[str, str]] | None = None  # line, address and statements of the open lease
    blocks, most = 0, limits.current().leases_per_file
    for number, line in text_lines(path, "ISC dhcpd leases"):
        if isinstance(line, LineError):
            records.append((f"line {number}", line.message))
            continue
        if start := _LEASE.match(line):
            if block:
                records.append((f"line {block[0]}", f"lease {block[1]}: no closing '}}' before the next lease at line {number}"))
            blocks += 1
            if blocks > most:
                records.append((f"line {number}", _too_many_leases()))
                return require_some(records, path, "dhcpd lease blocks")
            block = (number, start.group(1)[:EXCERPT_CHARS], {})
            line = line[start.end():]
        if block is None:
            continue
        body, closed, _ = line.partition("}")
        for key, pattern in _STATEMENTS.items():
            if key not in block[2] and (found := pattern.search(body)):
                block[2][key] = found.group(1)
        if closed:
            records.append((f"line {block[0]}", _lease(block[1], block[2])))
            block = None
    if block:
        records.append((f"line {block[0]}", f"lease {block[1]}: no closing '}}' before the end of the file"))
    return require_some(records, path, "dhcpd lease blocks")


def parse_dnsmasq(path: Path) -> list[Record]:
    records: list[Record] = []
    leases, most = 0, limits.current().leases_per_file
    for number, line in text_lines(path, "dnsmasq leases"):
        where = f"line {number}"
        if isinstance(line, LineError):
            records.append((where, line.message))
            continue
        fields = line.split()
        if not fields or fields[0] == "duid":
            continue
        if len(fields) < 4 or not (fields[0].isascii() and fields[0].isdigit()):
            records.append((where, f"not a dnsmasq lease line (expiry mac ip hostname client-id): {excerpt(line)}"))
            continue
        leases += 1
        if leases > most:
            records.append((where, _too_many_leases()))
            break
        mac = clean_mac(fields[1])
        if mac is None:
            records.append((where, f"bad MAC {excerpt(fields[1])}"))
            continue
        host = None if fields[3] == "*" else fields[3]
        records.append((where, observation("dnsmasq", fields[2], mac, host)))
    return require_some(records, path, "dnsmasq leases")
