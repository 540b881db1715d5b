"""Observation records (JSONL, or a JSON array) as rows: one row per host, service fields as columns."""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import polars as pl

from covscan import observations
from covscan.sources.base import BATCH_ROWS, BatchBuilder, InputError


class ObservationSource:
    """Reads observation records from a file, or wraps records already in memory (imports, discovery)."""

    unit = "rows"
    # Observation columns are already screening fields; only the sysObjectID column is renamed.
    preset_fields = {c: c for c in observations.COLUMNS if c not in ("source", "seen_at", "snmp_sysobjectid")} | {"sysobjectid": "snmp_sysobjectid"}

    def __init__(self, path: Path, records: Iterable[tuple[str, Any]] | None = None, total: int | None = None,
                 extra_columns: tuple[str, ...] = ()) -> None:
        self.path = path
        self._records = records
        self.total = total
        self._done = 0
        self.extra = extra_columns
        self.columns = [*observations.COLUMNS, *extra_columns]

    @classmethod
    def from_file(cls, path: Path) -> ObservationSource:
        """Top-level keys beyond the schema (labels, asset ids) in the first record become extra columns."""
        first = next((obj for _, obj in _read_jsonl(path) if isinstance(obj, dict)), {})
        extra = tuple(k for k, v in first.items() if k not in observations.TOP_FIELDS and k != "services" and not isinstance(v, (dict, list)))
        return cls(path, _read_jsonl(path), extra_columns=extra)

    def position(self) -> int:
        return self._done

    def batches(self, rows: int = BATCH_ROWS) -> Iterator[pl.DataFrame]:
        builder = BatchBuilder(self.columns)
        for where, record in self._records or ():
            at = f"{self.path.name} row {builder.next_row} ({where})"
            if isinstance(record, str):
                builder.add_error(f"{at}: {record}")
            elif found := observations.problems(record):
                builder.add_error(f"{at}: not an observation record: {'; '.join(found)}")
            else:
                builder.add(observations.flatten(record) + [None if record.get(k) is None else str(record[k]) for k in self.extra])
            self._done += 1
            if len(builder) >= rows:
                yield builder.take()
        if len(builder):
            yield builder.take()


def _read_jsonl(path: Path) -> Iterator[tuple[str, Any]]:
    with path.open("rb") as fh:
        for line_no, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            where = f"line {line_no}"
            try:
                yield where, json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                yield where, f"not valid JSON ({exc})"


def looks_like_observations(path: Path) -> bool:
    """True when the first non-blank line of a JSONL file is an observation record."""
    try:
        with path.open("rb") as fh:
            for raw in fh:
                if raw.strip():
                    return observations.is_observation(json.loads(raw))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        return False
    raise InputError(f"{path}: the file is empty; expected one JSON object per line")
