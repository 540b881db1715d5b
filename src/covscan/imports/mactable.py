"""Switch MAC address tables: Cisco `show mac address-table`, Juniper `show ethernet-switching table`,
Aruba `show mac-address-table` (AOS-CX and ArubaOS-Switch). Each line with a MAC is a device seen
on a port; header, separator and summary lines are skipped."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from covscan.imports.base import MAC_TOKEN, Record, clean_mac, line_records, observation, require_some, text_lines
from covscan.observations import excerpt

# A switch port (Gi1/0/5, ge-0/0/5.0, 1/1/5, 24): matched against whole whitespace-separated
# tokens, never searched through a line, so a hostile line cannot make it backtrack.
_PORT = re.compile(r"(?:Gi|Te|Fa|Fo|Hu|Tw|Eth|Po|ge|xe|et|ae)[\w/.:-]*\d|\d+/\d+(?:/\d+)?|[A-Z]?\d+")
_PORT_CHARS = 64  # a longer token is not an interface name
_SKIP = re.compile(r"^\s*(?:-+|=+|vlan\b|mac address|total|multicast|all\b|ethernet switching|\*|legend|status|#|$)", re.I)
_MAC_LIKE = re.compile(r"[0-9a-f]{4}[.:-]", re.I)


def _entry(line: str) -> dict[str, Any] | str | None:
    mac_match = MAC_TOKEN.search(line)
    if not mac_match:
        if not _SKIP.match(line) and _MAC_LIKE.search(line):
            return f"a MAC-like value that is not a MAC address: {excerpt(line)}"
        return None
    tokens = [t for t in line[mac_match.end():].split() if len(t) <= _PORT_CHARS and _PORT.fullmatch(t)]
    ports = [t for t in tokens if not t.isdigit()] or tokens
    return observation(f"mac-table port {ports[-1] if ports else '?'}", mac=clean_mac(mac_match.group(0)))


def parse_mac_table(path: Path) -> list[Record]:
    return require_some(line_records(text_lines(path, "a switch MAC address table"), _entry), path, "MAC table entries")
