"""Zeek logs: dhcp.log (client MAC, address, host name) and software.log (server software per host
and port), in Zeek's tab-separated format (#fields header) or as JSON lines."""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from covscan import limits
from covscan.imports.base import LineError, Record, clean_mac, observation, port_number, require_some, text_lines
from covscan.sources.bounded import parse_json
from covscan.observations import excerpt, too_many_services
from covscan.sources.base import InputError

# software.log software_type -> observation field
SOFTWARE_FIELDS = {
    "HTTP::SERVER": "http_server", "SSH::SERVER": "ssh_banner", "FTP::SERVER": "ftp_banner",
    "SMTP::MAIL_SERVER": "banner", "SIP::SERVER": "sip_server", "SIP::USER_AGENT": "sip_user_agent",
}
# A #separator value as Zeek writes it: \xHH escapes and plain characters, nothing else.
_SEPARATOR = re.compile(r"(?:\\x[0-9a-fA-F]{2}|[^\\])+")
_ESCAPE = re.compile(r"\\x([0-9a-fA-F]{2})")


class _BadField(ValueError):
    """A JSON log field holding an array, an object or a boolean where text is expected."""


def _separator(path: Path, number: int, value: str) -> str:
    if not _SEPARATOR.fullmatch(value):
        raise InputError(f"{path} line {number}: the #separator header {excerpt(value)} is not a separator; expected e.g. #separator \\x09")
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)


def _rows(path: Path, what: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """Each entry of a Zeek log as a dict of its fields, or an error message for its line."""
    fields: list[str] | None = None
    sep = "\t"  # Zeek's default, for a log without a #separator header
    for number, line in text_lines(path, what):
        if isinstance(line, LineError):
            yield number, line.message
            continue
        if not line.strip():
            continue
        if line.startswith("#"):
            name, _, value = line.partition(" ")
            if name == "#separator":
                sep = _separator(path, number, value.strip())
            elif line.startswith("#fields"):
                fields = line.split(sep)[1:]
            continue
        if line.lstrip().startswith("{"):
            try:
                row = parse_json(line)
            except ValueError as exc:
                yield number, str(exc)
                continue
            yield number, row if isinstance(row, dict) else "not a JSON object"
            continue
        if fields is None:
            raise InputError(f"{path}: no #fields header and not JSON lines; expected a Zeek {what}")
        values = line.split(sep)
        if len(values) != len(fields):
            yield number, f"{len(values)} fields but the #fields header has {len(fields)}"
            continue
        yield number, {k: None if v in ("-", "(empty)") else v for k, v in zip(fields, values)}


def _text(row: dict[str, Any], key: str) -> str | None:
    """A field as text: TSV fields are, JSON numbers are written as text, other JSON values are refused."""
    value = row.get(key)
    if value is None or isinstance(value, str):
        return value or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise _BadField(f"{key} {excerpt(value)} is not text")


def _dhcp(row: dict[str, Any]) -> dict[str, Any] | str:
    mac = clean_mac(_text(row, "mac") or "")
    ip = _text(row, "assigned_addr") or _text(row, "client_addr") or _text(row, "requested_addr")
    if not mac and not ip:
        return "a DHCP entry with neither a MAC nor an address"
    vendor = _text(row, "client_software") or _text(row, "vendor_class")
    services = [{"port": 67, "protocol": "udp", "service": "dhcp", "dhcp_vendor_class": vendor}] if vendor else []
    return observation("zeek-dhcp", ip, mac, _text(row, "host_name"), services, _text(row, "ts"))


def parse_dhcp(path: Path) -> list[Record]:
    records: list[Record] = []
    for number, row in _rows(path, "dhcp.log"):
        try:
            records.append((f"line {number}", _dhcp(row) if isinstance(row, dict) else row))
        except _BadField as exc:
            records.append((f"line {number}", str(exc)))
    return require_some(records, path, "DHCP entries")


def _software(row: dict[str, Any]) -> tuple[str, str | None, dict[str, Any]] | str:
    """(host, time, service) of a software.log entry, or why it cannot be read."""
    host = _text(row, "host")
    text = _text(row, "unparsed_version") or " ".join(_text(row, k) or "" for k in ("name", "version.major", "version.minor")).strip()
    if not host or not text:
        return "a software entry without host or version text"
    given = row.get("host_p")
    port = None if given is None else port_number(given)
    if given is not None and port is None:
        return f"host_p {excerpt(given)} is not a port number"
    svc = {"port": port, "protocol": "tcp", SOFTWARE_FIELDS.get(_text(row, "software_type") or "", "banner"): text}
    return host, _text(row, "ts"), {k: v for k, v in svc.items() if v is not None}


def parse_software(path: Path) -> list[Record]:
    """One record per host, with a service per (port, software) seen; a host with more than
    services_per_host becomes an error record."""
    where_is: dict[str, int] = {}  # host -> index of its record
    records: list[Record] = []
    most = limits.current().services_per_host
    for number, row in _rows(path, "software.log"):
        try:
            entry = _software(row) if isinstance(row, dict) else row
        except _BadField as exc:
            entry = str(exc)
        if isinstance(entry, str):
            records.append((f"line {number}", entry))
            continue
        host, seen_at, svc = entry
        if host not in where_is:
            where_is[host] = len(records)
            records.append((f"line {number}", observation("zeek-software", host, seen_at=seen_at)))
        where, record = records[where_is[host]]
        if isinstance(record, str):
            continue  # already over the limit
        if len(record["services"]) >= most:
            records[where_is[host]] = (where, too_many_services())
        else:
            record["services"].append(svc)
    return require_some(records, path, "software entries")
