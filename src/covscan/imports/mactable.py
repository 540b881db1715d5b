"""Switch MAC address tables: Cisco `show mac address-table`, Juniper `show ethernet-switching table`,
Aruba `show mac-address-table` (AOS-CX and ArubaOS-Switch). Each line with a MAC is a device seen
on a port; header, separator and summary lines are skipped."""
from __future__ import annotations

import re
from pathlib import Path

from covscan.imports.base import MAC_TOKEN, Record, clean_mac, observation, require_some, text_lines

_PORT = re.compile(r"\b(?:(?:Gi|Te|Fa|Fo|Hu|Tw|Eth|Po|ge|xe|et|ae)[\w/.:-]*\d|\d+/\d+(?:/\d+)?|[A-Z]?\d+)\b")
_SKIP = re.compile(r"^\s*(?:-+|=+|vlan\b|mac address|total|multicast|all\b|ethernet switching|\*|legend|status|#|$)", re.I)


def parse_mac_table(path: Path) -> list[Record]:
    records: list[Record] = []
    for number, line in text_lines(path, "a switch MAC address table"):
        mac_match = MAC_TOKEN.search(line)
        if not mac_match:
            if not _SKIP.match(line) and re.search(r"[0-9a-f]{4}[.:-]", line, re.I):
                records.append((f"line {number}", f"a MAC-like value that is not a MAC address: {line.strip()[:80]!r}"))
            continue
        mac = clean_mac(mac_match.group(0))
        rest = line[mac_match.end():]
        ports = [p for p in _PORT.findall(rest) if not p.isdigit()] or _PORT.findall(rest)
        where = ports[-1] if ports else "?"
        records.append((f"line {number}", observation(f"mac-table port {where}", mac=mac)))
    return require_some(records, path, "MAC table entries")
