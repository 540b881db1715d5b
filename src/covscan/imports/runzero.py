"""runZero asset exports: JSON lines (one asset per line) or CSV."""
from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from covscan import limits
from covscan.imports.base import LineError, Record, clean_mac, line_records, observation, require_some, text_lines
from covscan.sources.bounded import parse_json


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, str) and "\t" in value:
        value = value.split("\t")[0]
    return str(value).strip() if value not in (None, "") else None


def _asset(row: dict[str, Any]) -> dict[str, Any] | str:
    row = {str(k).lower(): v for k, v in row.items()}
    ip = _first(row.get("addresses") or row.get("address") or row.get("ip"))
    mac = clean_mac(_first(row.get("macs") or row.get("mac")) or "")
    if not ip and not mac:
        return "an asset with neither addresses nor MACs"
    name = _first(row.get("names") or row.get("name"))
    texts = {k: _first(row.get(k)) for k in ("hw", "os", "type", "mac_vendors", "mac_vendor")}
    banner = " | ".join(f"{k}: {v}" for k, v in texts.items() if v)
    services = [{"port": 0, "protocol": "asset", "service": "runzero", "banner": banner}] if banner else []
    return observation("runzero", ip, mac, name, services, _first(row.get("last_seen")))


def _json_asset(line: str) -> dict[str, Any] | str | None:
    if not line.strip():
        return None
    try:
        row = parse_json(line)
    except ValueError as exc:
        return str(exc)
    return _asset(row) if isinstance(row, dict) else "not a JSON object"


def _csv_assets(lines: Iterable[tuple[int, str | LineError]]) -> list[Record]:
    """CSV rows as assets. Fields are bounded by field_bytes (Python's own default, 128 KiB, is below
    what exports hold); the csv module's limit is process-wide, so it is restored afterwards."""
    records: list[Record] = []
    last = 0  # the line the reader has read up to: where its current row ends

    def feed() -> Iterator[str]:
        nonlocal last
        for last, line in lines:
            if isinstance(line, LineError):
                records.append((f"line {last}", line.message))
            else:
                yield line + "\n"

    reader = csv.DictReader(feed())
    previous = csv.field_size_limit(limits.current().field_bytes)
    try:
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:  # a field over the limit, a NUL byte: that row is lost, reading goes on
                problem = f"a field over the limit {limits.describe('field_bytes')}" if "field limit" in str(exc) else f"not valid CSV: {exc}"
                records.append((f"line {last}", problem))
                continue
            records.append((f"line {last}", "more fields than the header" if None in row else _asset(row)))
    finally:
        csv.field_size_limit(previous)
    return records


def parse_runzero(path: Path) -> list[Record]:
    """JSON lines when the first non-blank line is an object, CSV otherwise."""
    lines = text_lines(path, "a runZero asset export (JSONL or CSV)")
    records: list[Record] = []
    for number, first in lines:
        if isinstance(first, LineError):
            records.append((f"line {number}", first.message))
        elif first.strip():
            rest = itertools.chain([(number, first)], lines)
            records += line_records(rest, _json_asset) if first.lstrip().startswith("{") else _csv_assets(rest)
            break
    return require_some(records, path, "runZero assets")
