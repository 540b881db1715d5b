"""XLSX workbooks, read row by row (openpyxl read-only mode) so large sheets stay in bounded memory."""
from __future__ import annotations

import itertools
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from covscan.sources.base import BATCH_ROWS, TITLE_ROWS_MAX, BatchBuilder, InputError, header_index, to_text, unique_headers


class ExcelSource:
    unit = "rows"

    def __init__(self, path: Path, sheet: str | None = None, header_row: int | None = None) -> None:
        self.path = path
        if path.stat().st_size == 0:
            raise InputError(f"{path}: the file is empty (0 bytes), not an XLSX workbook")
        try:
            self._book = load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
            raise InputError(f"{path}: not a readable XLSX workbook ({exc.__class__.__name__}: {exc})") from exc
        if sheet is not None and sheet not in self._book.sheetnames:
            raise InputError(f"{path}: no sheet named {sheet!r}; sheets: {', '.join(self._book.sheetnames)}")
        self._sheet = self._book[sheet] if sheet else self._book.worksheets[0]
        self.sheet_name = self._sheet.title
        self.total: int | None = self._sheet.max_row
        self._rows = self._sheet.iter_rows(values_only=True)
        self._read = 0
        # The first non-blank rows (with their sheet row numbers), one of which is the header.
        first: list[tuple[int, tuple[Any, ...]]] = []
        for values in self._rows:
            self._read += 1
            if header_row is not None and self._read < header_row:
                continue
            if any(v is not None and str(v).strip() for v in values):
                first.append((self._read, values))
                if header_row is not None or len(first) >= TITLE_ROWS_MAX:
                    break
        if not first:
            raise InputError(f"{path}: sheet {self.sheet_name!r} has no header row"
                             + (f" at or after row {header_row}" if header_row else ""))
        at = header_index([list(v) for _, v in first])
        self.header_row, header = first[at]
        self._pending = first[at + 1 :]  # rows read past the header while looking for it
        while header and (header[-1] is None or not str(header[-1]).strip()):
            header = header[:-1]
        self.columns = unique_headers(list(header))

    def position(self) -> int:
        return self._read

    def _numbered(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        for values in self._rows:
            self._read += 1
            yield self._read, values

    def batches(self, rows: int = BATCH_ROWS) -> Iterator[pl.DataFrame]:
        builder = BatchBuilder(self.columns)
        width = len(self.columns)
        try:
            for sheet_row, values in itertools.chain(self._pending, self._numbered()):
                cells = [to_text(v) for v in values]
                if not any(c is not None and c.strip() for c in cells):
                    continue  # an empty row is not a record
                extra = [i for i, c in enumerate(cells[width:], start=width) if c is not None and c.strip()]
                if extra:
                    builder.add_error(
                        f"{self.path.name} sheet {self.sheet_name!r} row {builder.next_row} (spreadsheet row {sheet_row}): "
                        f"a value in column {extra[0] + 1}, which has no header"
                    )
                else:
                    builder.add((cells + [None] * width)[:width])
                if len(builder) >= rows:
                    yield builder.take()
            if len(builder):
                yield builder.take()
        finally:
            self._book.close()
