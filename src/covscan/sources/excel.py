"""XLSX workbooks, read a row element at a time so that memory and time follow the cells a sheet
actually holds, not what it claims.

openpyxl reads the workbook (sheet names, shared strings, styles) and converts each cell; the
sheet's XML is walked here rather than through ReadOnlyWorksheet.iter_rows, which trusts the
sheet's <dimension> (a stale one loses every row past it, one of A1:XFD1048576 pads each row to
16,384 cells) and yields an empty row for every row number skipped (a row numbered 4,000,000,000
would take hours).

What is damaged decides what is refused: a workbook openpyxl cannot open, a part that would inflate
past the limits (a zip bomb) or a sheet whose XML breaks off is an InputError naming the file (and
the last row read); a cell that cannot be converted makes its row an error row naming the column,
and the other rows are screened.
"""
from __future__ import annotations

import itertools
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
from openpyxl import load_workbook
from openpyxl.worksheet._reader import CELL_TAG, DATA_TAG, ROW_TAG, WorkSheetParser
from openpyxl.xml.functions import iterparse

from covscan import limits
from covscan.sources.base import (
    BATCH_ROWS,
    TITLE_ROWS_MAX,
    BatchBuilder,
    InputError,
    check_width,
    header_index,
    to_text,
    unique_headers,
)

# Parts smaller than this are never refused for their compression ratio: they cannot exhaust anything.
RATIO_FLOOR = 1 << 20
# openpyxl warns (on stderr) about styles it drops and date cells out of range (read as "#VALUE!");
# neither changes what is screened.
warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl\.")

Cells = dict[int, Any]  # a row's values by 1-based column number; empty cells are left out


def _reason(exc: BaseException) -> str:
    """An exception from openpyxl, zipfile or the XML parser as one short line."""
    text = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    if exc.__cause__ is not None:
        text += f" ({_reason(exc.__cause__)})"
    return text[:300]


def check_parts(path: Path) -> None:
    """Refuse a workbook with a part that would inflate past xlsx_part_bytes or by more than xlsx_ratio,
    from the sizes its zip directory declares, before anything is inflated. A part whose declared
    size lies cannot grow past it either: zipfile stops reading a part at its declared size, and the
    cut-short part then fails its CRC check (BadZipFile, an InputError like any other damage)."""
    bounds = limits.current()
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:  # NotImplementedError: a zip version or method zipfile lacks
        raise InputError(f"{path}: not a readable XLSX workbook ({_reason(exc)})") from exc
    for part in parts:
        if part.filename.lower().endswith("sharedstrings.xml") and part.file_size > bounds.xlsx_strings_bytes:
            raise InputError(f"{path}: its shared strings would inflate to {part.file_size:,} bytes, which covscan would hold in memory "
                             f"{limits.describe('xlsx_strings_bytes')}")
        if part.file_size > bounds.xlsx_part_bytes:
            raise InputError(f"{path}: part {part.filename} would inflate to {part.file_size:,} bytes, more than covscan reads "
                             f"{limits.describe('xlsx_part_bytes')}")
        if part.file_size > RATIO_FLOOR and part.file_size > bounds.xlsx_ratio * max(part.compress_size, 1):
            raise InputError(f"{path}: part {part.filename} would inflate {part.file_size // max(part.compress_size, 1):,}-fold "
                             f"({part.compress_size:,} bytes to {part.file_size:,}), as a zip bomb does {limits.describe('xlsx_ratio')}")


class ExcelSource:
    unit = "rows"

    def __init__(self, path: Path, sheet: str | None = None, header_row: int | None = None) -> None:
        self.path = path
        if path.stat().st_size == 0:
            raise InputError(f"{path}: the file is empty (0 bytes), not an XLSX workbook")
        check_parts(path)
        try:  # openpyxl raises whatever its parsers meet in a damaged part (ParseError, KeyError, TypeError, ...)
            self._book = load_workbook(path, read_only=True, data_only=True, keep_links=False)
        except Exception as exc:
            raise InputError(f"{path}: not a readable XLSX workbook ({_reason(exc)})") from exc
        worksheets = self._book.worksheets
        if sheet is not None and sheet not in self._book.sheetnames:
            raise InputError(f"{path}: no sheet named {sheet!r}; sheets: {', '.join(self._book.sheetnames)}")
        chosen = next((ws for ws in worksheets if ws.title == sheet), None) if sheet else (worksheets[0] if worksheets else None)
        if chosen is None:
            raise InputError(f"{path}: " + (f"sheet {sheet!r} is a chart sheet, not a table" if sheet else "the workbook has no worksheet"))
        self._sheet = chosen
        self.sheet_name = chosen.title
        self.total: int | None = None  # the <dimension> may be wrong, and counting rows would read the sheet twice
        self._read = 0
        self._last_row = 0  # the number of the last row element read, for the message when the XML breaks off
        self._rows = self._sheet_rows()
        # The first non-blank rows (with their sheet row numbers), one of which is the header.
        first: list[tuple[int, Cells, str | None]] = []
        for row_no, cells, problem in self._rows:
            if header_row is not None and row_no < header_row:
                continue
            if problem or _filled(cells):  # a row that cannot be read is not blank either
                first.append((row_no, cells, problem))
                if header_row is not None or len(first) >= TITLE_ROWS_MAX:
                    break
        if not first:
            raise InputError(f"{path}: sheet {self.sheet_name!r} has no header row"
                             + (f" at or after row {header_row}" if header_row else ""))
        # A cell that cannot be read still counts as filled: a broken header is refused, not skipped.
        at = header_index([[*cells.values(), *(["?"] if problem else [])] for _, cells, problem in first])
        self.header_row, header, problem = first[at]
        if problem:
            raise InputError(f"{path}: sheet {self.sheet_name!r}: the header row (spreadsheet row {self.header_row}) cannot be read: {problem}")
        self._pending = first[at + 1:]  # rows read past the header while looking for it
        width = max((c for c, v in header.items() if v is not None and str(v).strip()), default=0)
        check_width(path, width, f"the header row (sheet {self.sheet_name!r} row {self.header_row})")
        self.columns = unique_headers([header.get(c) for c in range(1, width + 1)])

    def position(self) -> int:
        return self._read

    def _sheet_rows(self) -> Iterator[tuple[int, Cells, str | None]]:
        """(sheet row number, cells, problem) for each row element of the sheet; problem is why the row
        cannot be screened (a cell that cannot be converted, too many cells), else None. Every element
        is dropped from the XML tree once read, so memory holds one row of at most `columns` cells
        however long or wide the sheet is."""
        most = limits.current().columns
        ws, book = self._sheet, self._book
        # openpyxl 3.1 read-only internals: the sheet's part, its shared strings and the date styles.
        source = ws._get_source()
        cells_of = WorkSheetParser(source, ws._shared_strings, data_only=True, epoch=book.epoch,
                                   date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
        events = iterparse(source, events=("start", "end"))
        open_elements: list[Any] = []  # from the root down to the element being read
        row, cells, problem = None, {}, None
        try:
            while True:
                try:
                    event, element = next(events)
                except StopIteration:
                    return
                except Exception as exc:  # the XML, the inflated stream or the zip breaks off
                    raise InputError(f"{self.path}: sheet {self.sheet_name!r} is damaged after spreadsheet row {self._last_row} "
                                     f"({_reason(exc)})") from exc
                if event == "start":
                    if element.tag == ROW_TAG and len(open_elements) == 2 and open_elements[1].tag == DATA_TAG:
                        row, cells, problem = element, {}, self._start_row(cells_of, element.get("r"))
                    open_elements.append(element)
                    continue
                open_elements.pop()
                if element is row:
                    self._read += 1
                    self._last_row = cells_of.row_counter
                    yield cells_of.row_counter, cells, problem
                    row = None
                elif row is not None and element.tag == CELL_TAG and open_elements[-1] is row:
                    if problem is None or len(cells) < most:  # past the limit, the rest of the row is not converted
                        problem = self._add_cell(cells_of, element, cells, most) or problem
                elif row is not None:
                    continue  # a cell's value: read with its cell
                if open_elements:
                    del open_elements[-1][-1]  # the element just read is its parent's last child
        finally:
            source.close()

    @staticmethod
    def _start_row(cells_of: WorkSheetParser, number: str | None) -> str | None:
        """Number a row element as openpyxl would; the reason when its number is not one."""
        cells_of.col_counter = 0
        if number is not None and number.isdecimal():
            cells_of.row_counter = int(number)
            return None
        cells_of.row_counter += 1
        return None if number is None else f"the row number {number[:40]!r} is not a number"

    @staticmethod
    def _add_cell(cells_of: WorkSheetParser, element: Any, cells: Cells, most: int) -> str | None:
        """Convert one cell into `cells`; the reason when it cannot be (a shared string index, number,
        date or boolean that is not one) or when the row holds more values than the columns limit."""
        if len(cells) >= most:
            return f"more than {most:,} cells hold values {limits.describe('columns')}"
        try:
            cell = cells_of.parse_cell(element)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises whatever the bad value leads to; the row reports it
            return f"cell {(element.get('r') or f'number {cells_of.col_counter + 1}')[:20]} cannot be read ({_reason(exc)})"
        if cell["value"] is not None:
            cells[cell["column"]] = cell["value"]
        return None

    def batches(self, rows: int = BATCH_ROWS) -> Iterator[pl.DataFrame]:
        """Row batches; a sheet whose XML breaks off raises InputError (naming the last row read)
        rather than screening a part of it as if it were whole."""
        builder = BatchBuilder(self.columns)
        width = len(self.columns)
        try:
            for sheet_row, cells, problem in itertools.chain(self._pending, self._rows):
                where = f"{self.path.name} sheet {self.sheet_name!r} row {builder.next_row} (spreadsheet row {sheet_row})"
                if problem:
                    builder.add_error(f"{where}: {problem}")
                elif _filled(cells):  # an empty row is not a record
                    values: list[str | None] = [None] * width
                    extra = None
                    for column, value in cells.items():
                        text = to_text(value)
                        if column <= width:
                            values[column - 1] = text
                        elif text is not None and text.strip() and (extra is None or column < extra):
                            extra = column
                    if extra is None:
                        builder.add(values)
                    else:
                        builder.add_error(f"{where}: a value in column {extra}, which has no header")
                if len(builder) >= rows:
                    yield builder.take()
            if len(builder):
                yield builder.take()
        finally:
            self._book.close()


def _filled(cells: Cells) -> bool:
    return any(v is not None and str(v).strip() for v in cells.values())
