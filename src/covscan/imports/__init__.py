"""Importers: what other tools already saw, as observation records (one module per format family)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from covscan.imports.base import Record
from covscan.imports.leases import parse_dhcpd, parse_dnsmasq
from covscan.imports.mactable import parse_mac_table
from covscan.imports.neighbours import parse_arp, parse_ip_neigh
from covscan.imports.nmap import parse_nmap
from covscan.imports.runzero import parse_runzero
from covscan.imports.zeek import parse_dhcp, parse_software

IMPORTERS: dict[str, tuple[Callable[[Path], list[Record]], str]] = {
    "nmap": (parse_nmap, "nmap XML (-oX), with service/version, scripts and MAC"),
    "ip-neigh": (parse_ip_neigh, "Linux `ip neigh` output"),
    "arp": (parse_arp, "`arp -a` output (Windows, Linux, macOS)"),
    "mac-table": (parse_mac_table, "Cisco / Juniper / Aruba switch MAC address tables"),
    "dhcpd": (parse_dhcpd, "ISC dhcpd.leases"),
    "dnsmasq": (parse_dnsmasq, "dnsmasq.leases"),
    "zeek-dhcp": (parse_dhcp, "Zeek dhcp.log (TSV or JSON)"),
    "zeek-software": (parse_software, "Zeek software.log (TSV or JSON)"),
    "runzero": (parse_runzero, "runZero asset export (JSONL or CSV)"),
}

__all__ = ["IMPORTERS", "Record"]
