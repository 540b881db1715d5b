"""Observation records (JSONL, or a JSON array) as rows: one row per host, service fields as columns."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import polars as pl

from covscan import observations
from covscan.sources.bounded import bounded_lines, line_too_long, parse_json
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
    """Each line's JSON value, or the message for a line that is too long or not JSON (within the limits)."""
    with path.open("rb") as fh:
        for line_no, raw in enumerate(bounded_lines(fh), start=1):
            where = f"line {line_no}"
            if raw is None:
                yield where, line_too_long()
            elif raw.strip():
                try:
                    yield where, parse_json(raw.decode("utf-8-sig"))
                except UnicodeDecodeError as exc:
                    yield where, f"bytes that are not valid UTF-8 at position {exc.start}"
                except ValueError as exc:
                    yield where, str(exc)


def looks_like_observations(path: Path) -> bool:
    """True when the first non-blank line of a JSONL file is an observation record."""
    try:
        with path.open("rb") as fh:
            for raw in bounded_lines(fh):
                if raw is None:
                    return False
                if raw.strip():
                    return observations.is_observation(parse_json(raw.decode("utf-8-sig")))
    except (OSError, ValueError):
        return False
    raise InputError(f"{path}: the file is empty; expected one JSON object per line")
