"""What every importer yields: (where, observation record) or (where, error message) pairs, so a
bad line becomes an error row naming its line while the rest of the file is still imported."""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from covscan.normalize import mac_display, mac_hex
from covscan.sources.base import InputError

Record = tuple[str, dict[str, Any] | str]
# A MAC in any common notation, on word boundaries: 00:11:22:33:44:55, 00-11-.., 0011.2233.4455, 001122-334455.
MAC_TOKEN = re.compile(
    r"(?<![0-9A-Fa-f:.-])(?:[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}|[0-9A-Fa-f]{6}-[0-9A-Fa-f]{6})(?![0-9A-Fa-f:.-])"
)
IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")


def clean_mac(text: str) -> str | None:
    hexed = mac_hex(text)
    return mac_display(hexed).lower() if hexed else None


def text_lines(path: Path, what: str) -> Iterator[tuple[int, str]]:
    """Numbered lines of a text file; an empty or binary file is an input error."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    data = path.read_bytes()
    if not data.strip():
        raise InputError(f"{path}: the file is empty; expected {what}")
    if b"\0" in data[:4096]:
        raise InputError(f"{path}: binary data; expected {what} (text)")
    text = data.decode("utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        yield number, line


def observation(source: str, ip: str | None = None, mac: str | None = None, hostname: str | None = None,
                services: list[dict[str, Any]] | None = None, seen_at: str | None = None) -> dict[str, Any]:
    record: dict[str, Any] = {"ip": ip, "mac": mac, "hostname": hostname, "source": source, "seen_at": seen_at, "services": services or []}
    return {k: v for k, v in record.items() if v not in (None, "") or k == "services"}


def require_some(records: list[Record], path: Path, what: str) -> list[Record]:
    """A file in which no line was recognised is the wrong format, not a file of bad lines."""
    if not any(isinstance(obj, dict) for _, obj in records):
        raise InputError(f"{path}: no {what} found; is this the right format?")
    return records
