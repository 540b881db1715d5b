"""What every importer yields: (where, observation record) or (where, error message) pairs, so a
bad line becomes an error row naming its line while the rest of the file is still imported.

Everything here reads attacker-controlled text, so it streams (a file is never held whole), bounds
each line by the line_bytes limit and uses only regexes that cannot backtrack over a line."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from covscan.normalize import mac_display, mac_hex
from covscan.sources.base import InputError
from covscan.sources.bounded import bounded_lines, line_too_long

Record = tuple[str, dict[str, Any] | str]
# A MAC in any common notation, on word boundaries: 00:11:22:33:44:55, 00-11-.., 0011.2233.4455, 001122-334455.
# Every quantifier is bounded, so a search costs a constant per character of the line.
MAC_TOKEN = re.compile(
    r"(?<![0-9A-Fa-f:.-])(?:[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}|[0-9A-Fa-f]{6}-[0-9A-Fa-f]{6})(?![0-9A-Fa-f:.-])"
)
IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
SAMPLE_BYTES = 4096  # how much of a file is looked at to tell text from binary data


@dataclass(frozen=True)
class LineError:
    """A line text_lines could not hand over (longer than line_bytes): the importer records it as an error."""

    message: str


def clean_mac(text: str) -> str | None:
    hexed = mac_hex(text)
    return mac_display(hexed).lower() if hexed else None


def text_lines(path: Path, what: str) -> Iterator[tuple[int, str | LineError]]:
    """Numbered lines of a text file, read one at a time; an over-long line comes as a LineError.
    An empty (or blank) file and a binary one (a NUL byte early on) are input errors."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    with path.open("rb") as fh:
        if b"\0" in fh.read(SAMPLE_BYTES):
            raise InputError(f"{path}: binary data; expected {what} (text)")
        fh.seek(0)
        blank = True
        for number, raw in enumerate(bounded_lines(fh), start=1):
            if raw is None:
                blank = False
                yield number, LineError(line_too_long())
                continue
            line = raw.decode("utf-8", errors="replace")
            if number == 1:
                line = line.removeprefix("\ufeff")
            blank = blank and not line.strip()
            yield number, line
    if blank:
        raise InputError(f"{path}: the file is empty; expected {what}")


def line_records(lines: Iterable[tuple[int, str | LineError]], parse: Callable[[str], dict[str, Any] | str | None]) -> list[Record]:
    """Records of a format with one entry per line: parse gives a record, an error message, or None
    for a line that holds no entry (blank, header, summary)."""
    records: list[Record] = []
    for number, line in lines:
        found = line.message if isinstance(line, LineError) else parse(line)
        if found is not None:
            records.append((f"line {number}", found))
    return records


def port_number(value: Any) -> int | None:
    """A TCP/UDP port from text or a JSON number; None when it is not one. ASCII digits only:
    "²".isdigit() is true, but int("²") fails."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and 0 < len(value) <= 5 and value.isascii() and value.isdigit():
        number = int(value)
    else:
        return None
    return number if 0 <= number <= 65535 else None


def observation(source: str, ip: str | None = None, mac: str | None = None, hostname: str | None = None,
                services: list[dict[str, Any]] | None = None, seen_at: str | None = None) -> dict[str, Any]:
    record: dict[str, Any] = {"ip": ip, "mac": mac, "hostname": hostname, "source": source, "seen_at": seen_at, "services": services or []}
    return {k: v for k, v in record.items() if v not in (None, "") or k == "services"}


def require_some(records: list[Record], path: Path, what: str) -> list[Record]:
    """A file in which no line was recognised is the wrong format, not a file of bad lines; the
    first problem is named, since it may instead be one broken entry."""
    if not any(isinstance(obj, dict) for _, obj in records):
        first = f" ({records[0][0]}: {records[0][1]})" if records else ""
        raise InputError(f"{path}: no {what} found{first}; is this the right format?")
    return records
