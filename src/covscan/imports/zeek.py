"""Zeek logs: dhcp.log (client MAC, address, host name) and software.log (server software per host
and port), in Zeek's tab-separated format (#fields header) or as JSON lines."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from covscan.imports.base import Record, clean_mac, observation, require_some, text_lines
from covscan.sources.base import InputError

# software.log software_type -> observation field
SOFTWARE_FIELDS = {
    "HTTP::SERVER": "http_server", "SSH::SERVER": "ssh_banner", "FTP::SERVER": "ftp_banner",
    "SMTP::MAIL_SERVER": "banner", "SIP::SERVER": "sip_server", "SIP::USER_AGENT": "sip_user_agent",
}


def _rows(path: Path, what: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    fields: list[str] | None = None
    sep = "\t"
    for number, line in text_lines(path, what):
        if not line.strip():
            continue
        if line.startswith("#"):
            if line.startswith("#separator"):
                sep = line.split(" ", 1)[1].encode().decode("unicode_escape")
            elif line.startswith("#fields"):
                fields = line.split(sep)[1:]
            continue
        if line.lstrip().startswith("{"):
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, f"not valid JSON: {exc.msg}"
            continue
        if fields is None:
            raise InputError(f"{path}: no #fields header and not JSON lines; expected a Zeek {what}")
        values = line.split(sep)
        if len(values) != len(fields):
            yield number, f"{len(values)} fields but the #fields header has {len(fields)}"
            continue
        yield number, {k: None if v in ("-", "(empty)") else v for k, v in zip(fields, values)}


def parse_dhcp(path: Path) -> list[Record]:
    records: list[Record] = []
    for number, row in _rows(path, "dhcp.log"):
        if isinstance(row, str):
            records.append((f"line {number}", row))
            continue
        mac = clean_mac(str(row.get("mac") or ""))
        ip = row.get("assigned_addr") or row.get("client_addr") or row.get("requested_addr")
        if not mac and not ip:
            records.append((f"line {number}", "a DHCP entry with neither a MAC nor an address"))
            continue
        vendor = row.get("client_software") or row.get("vendor_class")
        services = [{"port": 67, "protocol": "udp", "service": "dhcp", "dhcp_vendor_class": vendor}] if vendor else []
        records.append((f"line {number}", observation("zeek-dhcp", ip, mac, row.get("host_name"), services, str(row.get("ts") or "") or None)))
    return require_some(records, path, "DHCP entries")


def parse_software(path: Path) -> list[Record]:
    """One record per host, with a service per (port, software) seen."""
    hosts: dict[str, dict[str, Any]] = {}
    records: list[Record] = []
    for number, row in _rows(path, "software.log"):
        if isinstance(row, str):
            records.append((f"line {number}", row))
            continue
        host = row.get("host")
        text = row.get("unparsed_version") or " ".join(str(row.get(k) or "") for k in ("name", "version.major", "version.minor")).strip()
        if not host or not text:
            records.append((f"line {number}", "a software entry without host or version text"))
            continue
        field = SOFTWARE_FIELDS.get(str(row.get("software_type") or ""), "banner")
        port = row.get("host_p")
        svc = {"port": int(port) if str(port or "").isdigit() else None, "protocol": "tcp", field: text}
        if host not in hosts:
            hosts[host] = observation("zeek-software", host, seen_at=str(row.get("ts") or "") or None)
            records.append((f"line {number}", hosts[host]))
        hosts[host]["services"].append({k: v for k, v in svc.items() if v is not None})
    return require_some(records, path, "software entries")
