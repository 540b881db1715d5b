"""What every reader provides: header names, then batches of string columns in which a row that
could not be read carries its reason in the error column instead of being dropped."""
from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import polars as pl

from covscan import limits
from covscan.model import ERROR_COLUMN, INTERNAL_COLUMNS, ROW_COLUMN

BATCH_ROWS = 250_000


class InputError(Exception):
    """The input cannot be screened at all (empty, not the format it claims, no usable columns)."""


class Source(Protocol):
    path: Path
    columns: list[str]
    # Progress is measured in `unit`s (bytes or rows) up to `total` (None when unknown).
    unit: str
    total: int | None

    def batches(self, rows: int = BATCH_ROWS) -> Iterator[pl.DataFrame]: ...

    def position(self) -> int: ...


def unique_headers(raw: list[Any]) -> list[str]:
    """Header names as strings: blanks become column_N, repeats get a numeric suffix, and so do
    names covscan uses for its own columns in a batch (so the input's value is kept, not overwritten)."""
    seen: dict[str, int] = dict.fromkeys(INTERNAL_COLUMNS, 1)
    out: list[str] = []
    for i, name in enumerate(raw, start=1):
        text = str(name).strip() if name is not None and str(name).strip() else f"column_{i}"
        if text in seen:
            seen[text] += 1
            text = f"{text}_{seen[text]}"
        else:
            seen[text] = 1
        out.append(text)
    return out


TITLE_ROWS_MAX = 10  # rows above the header an export may put a title, a date or a filter in


def header_index(rows: list[list[Any]]) -> int:
    """Which of the first non-blank rows is the header: the first with at least two cells filled and
    at least half as many as the fullest of them, so a report title, a run date or a filter line
    that an export puts above the header is skipped (--header-row names the row instead)."""
    filled = [sum(1 for v in row if v is not None and str(v).strip()) for row in rows[:TITLE_ROWS_MAX]]
    if not filled:
        return 0
    need = min(3, max(2, -(-max(filled) // 2)))  # a row of three or more cells is never a title
    return next((i for i, n in enumerate(filled) if n >= need), 0)


def to_text(value: Any) -> str | None:
    """Cell values as the strings screening works on (12.0 -> "12"; dates in ISO form)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def check_width(path: Path, count: int, what: str) -> None:
    """Refuse a table wider than the columns limit before anything is built for each column."""
    if count > limits.current().columns:
        raise InputError(f"{path}: {what} has {count:,} columns, more than covscan reads {limits.describe('columns')}")


def text_encoding(path: Path, name: str) -> str:
    """The codec an --encoding names, refused unless it decodes bytes to text: codecs.lookup also
    knows bytes-to-bytes and text-to-text codecs (base64, hex, zlib, rot13), which no file is in."""
    try:
        info = codecs.lookup(name)
    except LookupError as exc:
        raise InputError(f"{path}: unknown encoding {name!r}") from exc
    if not info._is_text_encoding:
        raise InputError(f"{path}: {name!r} is not a text encoding; pass one such as utf-8, utf-16, cp1252 or gb18030")
    return info.name


class BatchBuilder:
    """Accumulates rows (or error rows) and emits polars batches with row numbers."""

    def __init__(self, columns: list[str], first_row: int = 0) -> None:
        self.columns = columns
        self.next_row = first_row
        self._reset()

    def _reset(self) -> None:
        self.data: list[list[str | None]] = [[] for _ in self.columns]
        self.rows: list[int] = []
        self.errors: list[str | None] = []

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, values: list[str | None]) -> None:
        for column, value in zip(self.data, values):
            column.append(value)
        self.rows.append(self.next_row)
        self.errors.append(None)
        self.next_row += 1

    def add_error(self, message: str) -> None:
        for column in self.data:
            column.append(None)
        self.rows.append(self.next_row)
        self.errors.append(message)
        self.next_row += 1

    def take(self) -> pl.DataFrame:
        frame = pl.DataFrame(
            {**{c: pl.Series(c, d, dtype=pl.String) for c, d in zip(self.columns, self.data)},
             ROW_COLUMN: pl.Series(ROW_COLUMN, self.rows, dtype=pl.Int64),
             ERROR_COLUMN: pl.Series(ERROR_COLUMN, self.errors, dtype=pl.String)}
        )
        self._reset()
        return frame
