"""Input readers, one module per format, all yielding the same batches (see base.Source)."""
from __future__ import annotations

from pathlib import Path

from covscan.sources.base import InputError, Source
from covscan.sources.columns import FIELDS, recognise_columns

__all__ = ["FORMATS", "FIELDS", "InputError", "Source", "open_source", "recognise_columns"]

FORMATS = ("csv", "tsv", "xlsx", "json", "jsonl", "parquet", "observations")
_BY_SUFFIX = {".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".tab": "tsv", ".xlsx": "xlsx", ".xlsm": "xlsx",
              ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet"}


def detect_format(path: Path) -> str:
    fmt = _BY_SUFFIX.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: cannot tell the format from the extension {path.suffix!r}; pass --format ({', '.join(FORMATS)})")
    return fmt


def open_source(path: Path, fmt: str | None = None, *, encoding: str | None = None, delimiter: str | None = None,
                sheet: str | None = None, header_row: int | None = None) -> Source:
    """The reader for `path`; `header_row` (CSV/TSV and XLSX) is the 1-based row of the header, found
    when omitted (title rows above it are skipped)."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a file")
    fmt = fmt or detect_format(path)
    if fmt in ("csv", "tsv"):
        from covscan.sources.delimited import DelimitedSource
        return DelimitedSource(path, encoding, delimiter or ("\t" if fmt == "tsv" else None), header_row)
    if fmt == "xlsx":
        from covscan.sources.excel import ExcelSource
        return ExcelSource(path, sheet, header_row)
    if fmt == "json":
        from covscan.sources.jsonfile import JsonSource
        return JsonSource(path, encoding)
    if fmt in ("jsonl", "observations"):
        from covscan.sources.observations import ObservationSource, looks_like_observations

        if fmt == "observations" or looks_like_observations(path):
            return ObservationSource.from_file(path)
        from covscan.sources.jsonfile import JsonLinesSource
        return JsonLinesSource(path, encoding)
    if fmt == "parquet":
        from covscan.sources.parquet import ParquetSource
        return ParquetSource(path)
    raise InputError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
