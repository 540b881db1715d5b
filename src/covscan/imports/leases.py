"""DHCP leases: ISC dhcpd `dhcpd.leases` and dnsmasq `dnsmasq.leases`."""
from __future__ import annotations

import re
from pathlib import Path

from covscan.imports.base import IPV4, Record, clean_mac, observation, require_some, text_lines

_LEASE = re.compile(r"lease\s+(\S+)\s*\{(.*?)\}", re.S)


def parse_dhcpd(path: Path) -> list[Record]:
    lines = list(text_lines(path, "ISC dhcpd leases"))
    text = "\n".join(line for _, line in lines)
    records: list[Record] = []
    for m in _LEASE.finditer(text):
        number = text.count("\n", 0, m.start()) + 1
        ip, body = m.group(1), m.group(2)
        if not IPV4.fullmatch(ip):
            records.append((f"line {number}", f"lease address {ip!r} is not an IPv4 address"))
            continue
        hw = re.search(r"hardware\s+ethernet\s+([0-9a-fA-F:]+)\s*;", body)
        host = re.search(r'client-hostname\s+"([^"]*)"', body)
        vendor = re.search(r'vendor-class-identifier\s*=\s*"([^"]*)"', body)
        seen = re.search(r"starts\s+\d+\s+([\d/]+\s+[\d:]+)", body)
        mac = clean_mac(hw.group(1)) if hw else None
        if hw and not mac:
            records.append((f"line {number}", f"lease {ip}: bad hardware address {hw.group(1)!r}"))
            continue
        services = [{"port": 67, "protocol": "udp", "service": "dhcp", "dhcp_vendor_class": vendor.group(1)}] if vendor else []
        records.append((f"line {number}", observation("dhcpd", ip, mac, host.group(1) if host else None, services, seen.group(1) if seen else None)))
    return require_some(records, path, "dhcpd lease blocks")


def parse_dnsmasq(path: Path) -> list[Record]:
    records: list[Record] = []
    for number, line in text_lines(path, "dnsmasq leases"):
        fields = line.split()
        if not fields or fields[0] == "duid":
            continue
        if len(fields) < 4 or not fields[0].isdigit():
            records.append((f"line {number}", f"not a dnsmasq lease line (expiry mac ip hostname client-id): {line.strip()[:80]!r}"))
            continue
        mac = clean_mac(fields[1])
        if mac is None:
            records.append((f"line {number}", f"bad MAC {fields[1]!r}"))
            continue
        host = None if fields[3] == "*" else fields[3]
        records.append((f"line {number}", observation("dnsmasq", fields[2], mac, host)))
    return require_some(records, path, "dnsmasq leases")
