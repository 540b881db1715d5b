"""Neighbour tables: Linux `ip neigh` and `arp -a` (Windows, Linux and macOS forms)."""
from __future__ import annotations

import re
from pathlib import Path

from covscan.imports.base import IPV4, MAC_TOKEN, Record, clean_mac, observation, require_some, text_lines

_IP_NEIGH = re.compile(r"^(?P<ip>\S+)\s+dev\s+\S+(?:\s+lladdr\s+(?P<mac>\S+))?.*\s(?P<state>[A-Z]+)\s*$")
_BSD_ARP = re.compile(r"\((?P<ip>[\d.]+)\)\s+at\s+(?P<mac>\S+)")


def parse_ip_neigh(path: Path) -> list[Record]:
    records: list[Record] = []
    for number, line in text_lines(path, "`ip neigh` output"):
        if not line.strip():
            continue
        m = _IP_NEIGH.match(line.strip())
        if not m:
            records.append((f"line {number}", f"not an `ip neigh` line: {line.strip()[:80]!r}"))
        elif m.group("mac"):
            mac = clean_mac(m.group("mac"))
            records.append((f"line {number}", observation("ip-neigh", m.group("ip"), mac) if mac else f"bad MAC {m.group('mac')!r}"))
        # FAILED / INCOMPLETE entries have no MAC: no device answered, so there is nothing to screen
    return require_some(records, path, "`ip neigh` entries")


def parse_arp(path: Path) -> list[Record]:
    records: list[Record] = []
    for number, line in text_lines(path, "`arp -a` output"):
        text = line.strip()
        if not text or text.lower().startswith(("interface:", "internet address")):
            continue
        bsd = _BSD_ARP.search(text)
        if bsd:
            if "incomplete" in bsd.group("mac"):
                continue
            mac = clean_mac(bsd.group("mac"))
            records.append((f"line {number}", observation("arp", bsd.group("ip"), mac) if mac else f"bad MAC {bsd.group('mac')!r}"))
            continue
        ip, mac = IPV4.search(text), MAC_TOKEN.search(text)
        if ip and mac:
            records.append((f"line {number}", observation("arp", ip.group(0), clean_mac(mac.group(0)))))
        else:
            records.append((f"line {number}", f"not an `arp -a` line: {text[:80]!r}"))
    return require_some(records, path, "ARP entries")
