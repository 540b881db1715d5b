"""Neighbour tables: Linux `ip neigh` and `arp -a` (Windows, Linux and macOS forms)."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from covscan.imports.base import IPV4, MAC_TOKEN, Record, clean_mac, line_records, observation, require_some, text_lines
from covscan.observations import excerpt

_STATE = re.compile(r"[A-Z]+")
_BSD_ARP = re.compile(r"\((?P<ip>[\d.]+)\)\s+at\s+(?P<mac>\S+)")


def _ip_neigh(line: str) -> dict[str, Any] | str | None:
    """`IP dev IFACE [lladdr MAC] [router] STATE`, read by token: a regex with .* between optional
    parts backtracks quadratically on a long line."""
    fields = line.split()
    if not fields:
        return None
    if len(fields) < 4 or fields[1] != "dev" or not _STATE.fullmatch(fields[-1]):
        return f"not an `ip neigh` line: {excerpt(line)}"
    if len(fields) < 6 or fields[3] != "lladdr":
        return None  # FAILED / INCOMPLETE entries have no MAC: no device answered, so there is nothing to screen
    mac = clean_mac(fields[4])
    return observation("ip-neigh", fields[0], mac) if mac else f"bad MAC {excerpt(fields[4])}"


def _arp(line: str) -> dict[str, Any] | str | None:
    text = line.strip()
    if not text or text.lower().startswith(("interface:", "internet address")):
        return None
    bsd = _BSD_ARP.search(text)
    if bsd:
        if "incomplete" in bsd.group("mac"):
            return None
        mac = clean_mac(bsd.group("mac"))
        return observation("arp", bsd.group("ip"), mac) if mac else f"bad MAC {excerpt(bsd.group('mac'))}"
    ip, mac_match = IPV4.search(text), MAC_TOKEN.search(text)
    if ip and mac_match:
        return observation("arp", ip.group(0), clean_mac(mac_match.group(0)))
    return f"not an `arp -a` line: {excerpt(text)}"


def parse_ip_neigh(path: Path) -> list[Record]:
    return require_some(line_records(text_lines(path, "`ip neigh` output"), _ip_neigh), path, "`ip neigh` entries")


def parse_arp(path: Path) -> list[Record]:
    return require_some(line_records(text_lines(path, "`arp -a` output"), _arp), path, "ARP entries")
