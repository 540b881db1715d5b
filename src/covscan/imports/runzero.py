"""runZero asset exports: JSON lines (one asset per line) or CSV."""
from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from covscan.imports.base import Record, clean_mac, observation, require_some, text_lines


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


def parse_runzero(path: Path) -> list[Record]:
    lines = list(text_lines(path, "a runZero asset export (JSONL or CSV)"))
    first = next((line for _, line in lines if line.strip()), "")
    records: list[Record] = []
    if first.lstrip().startswith("{"):
        for number, line in lines:
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                records.append((f"line {number}", f"not valid JSON: {exc.msg}"))
                continue
            records.append((f"line {number}", _asset(row) if isinstance(row, dict) else "not a JSON object"))
    else:
        reader = csv.DictReader(line for _, line in lines)
        for row in reader:
            where = f"line {reader.line_num}"
            if None in row:
                records.append((where, "more fields than the header"))
                continue
            records.append((where, _asset(row)))
    return require_some(records, path, "runZero assets")
