"""Parsers of the official files, one module per format. Each turns a downloaded file into a table
with a `key` column (what identifies a record across snapshots) and a `summary` column (the record in
one line, for diffs), or raises SourceFormatError saying what is wrong with the file."""
from __future__ import annotations

import polars as pl


class SourceFormatError(ValueError):
    """The file is not what the source publishes (wrong format, schema or content)."""


def decoded(data: bytes) -> str:
    """The file as text: UTF-8 (with or without a byte-order mark), else Windows-1252, which the
    older government CSV exports use."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def require_columns(frame: pl.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SourceFormatError(f"not {what}: no column {', '.join(repr(c) for c in missing)} (columns: {', '.join(frame.columns[:8])})")
