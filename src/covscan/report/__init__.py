"""Output writers, one module per format; `open_writer` picks one by name or file extension."""
from __future__ import annotations

import sys
from pathlib import Path

from covscan.report.base import RunInfo, Summary, Writer

__all__ = ["OUTPUT_FORMATS", "RunInfo", "Summary", "Writer", "open_writer", "output_format"]

OUTPUT_FORMATS = ("jsonl", "json", "csv", "xlsx", "html", "parquet")
_BY_SUFFIX = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".xlsx": "xlsx", ".html": "html", ".htm": "html", ".parquet": "parquet"}


def output_format(path: Path | None, fmt: str | None) -> str:
    if fmt:
        if fmt not in OUTPUT_FORMATS:
            raise ValueError(f"unknown output format {fmt!r}; formats: {', '.join(OUTPUT_FORMATS)}")
        return fmt
    if path is None or str(path) == "-":
        return "jsonl"
    found = _BY_SUFFIX.get(path.suffix.lower())
    if found is None:
        raise ValueError(f"cannot tell the output format from {path.name!r}; pass --output-format ({', '.join(OUTPUT_FORMATS)})")
    return found


def open_writer(path: Path, fmt: str, info: RunInfo, input_columns: list[str], neutralise: bool = True) -> Writer:
    """`neutralise`: cells a spreadsheet would evaluate (=, +, -, @, tab, CR first) get a leading '
    in CSV and XLSX, the formats people open in spreadsheets."""
    if str(path) == "-":
        if fmt != "jsonl":
            raise ValueError("only JSONL can be written to standard output (-o -)")
        from covscan.report.jsonlines import JsonLinesWriter
        sys.stdout.flush()
        return JsonLinesWriter(None, sys.stdout.buffer)
    if not path.parent.exists():
        raise ValueError(f"{path}: the folder {path.parent} does not exist")
    if fmt == "jsonl":
        from covscan.report.jsonlines import JsonLinesWriter
        return JsonLinesWriter(path)
    if fmt == "json":
        from covscan.report.jsondoc import JsonWriter
        return JsonWriter(path, info)
    if fmt == "csv":
        from covscan.report.csvfile import CsvWriter
        return CsvWriter(path, input_columns, neutralise)
    if fmt == "parquet":
        from covscan.report.parquetfile import ParquetWriter
        return ParquetWriter(path, input_columns)
    if fmt == "xlsx":
        from covscan.report.xlsx import XlsxWriter
        return XlsxWriter(path, input_columns, info, neutralise)
    from covscan.report.html import HtmlWriter
    return HtmlWriter(path, info)
