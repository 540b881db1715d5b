"""XLSX: a findings sheet (input columns plus the verdict columns, with an autofilter on its
header) and a summary sheet in plain values, written with xlsxwriter's constant-memory mode so
large screens do not hold the workbook in memory.

No cell is ever a formula: text is written with write_string (and the workbook is opened with
strings_to_formulas off). Text that a spreadsheet would turn into a formula once a user edits the
cell or copies it out (`=HYPERLINK(...)`, `+1`, `-2`, `@SUM(...)`, a leading tab or CR) also gets a
leading ', on both sheets, unless the caller asks for raw cells."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter

from covscan.atomic import AtomicFile
from covscan.report.base import STOPPING, FlatFindings, RunInfo, Summary, flat_rows, neutralise_frame, neutralised
from covscan.report.findings import FindingTable

EXCEL_MAX_ROWS = 1_048_576


class XlsxOverflow(Exception):
    pass


class XlsxWriter:
    def __init__(self, path: Path, input_columns: list[str], info: RunInfo, neutralise: bool = True) -> None:
        self.neutralise = neutralise
        self.file = AtomicFile(path, binary=True)
        self.book = xlsxwriter.Workbook(self.file.handle, {
            "constant_memory": True, "strings_to_urls": False, "strings_to_formulas": False, "strings_to_numbers": False,
        })
        self.sheet = self.book.add_worksheet("findings")
        self.bold = self.book.add_format({"bold": True})
        self.warn = self.book.add_format({"bold": True, "font_color": "#a93226", "bg_color": "#fdecea"})
        self.colors = {v: self.book.add_format({"bg_color": c}) for v, c in
                       (("covered", "#f4b6b6"), ("match", "#f4b6b6"), ("conditional", "#f8d7a6"), ("review", "#fff2a8"), ("error", "#d9d9d9"))}
        self.columns = input_columns
        self.info = info
        self.row = 0
        self.width = 0
        self.findings = FlatFindings()

    def write(self, batch: pl.DataFrame, result: pl.DataFrame, engine: FindingTable) -> None:
        flat = flat_rows(batch, result, engine, self.columns, self.findings)
        if self.neutralise:
            flat = neutralise_frame(flat)
        if self.row == 0:
            for col, name in enumerate(flat.columns):
                write_cell(self.sheet, 0, col, name, self.bold)
            self.sheet.freeze_panes(1, 0)
            self.width = len(flat.columns)
            self.row = 1
        if self.row + flat.height > EXCEL_MAX_ROWS:
            raise XlsxOverflow(f"XLSX holds at most {EXCEL_MAX_ROWS - 1:,} rows; write CSV, JSONL or Parquet for this input")
        verdict_at = flat.columns.index("verdict")
        sheet, row = self.sheet, self.row
        for values in flat.iter_rows():
            if row % 1024 == 0 and STOPPING.is_set():
                return  # the run is stopping and this output will be discarded
            fmt = self.colors.get(values[verdict_at])
            for col, value in enumerate(values):
                write_cell(sheet, row, col, value, fmt)
            row += 1
        self.row = row

    def close(self, summary: Summary) -> None:
        if self.width:
            self.sheet.autofilter(0, 0, max(self.row - 1, 0), self.width - 1)
        self._summary(summary)
        self.book.close()
        self.file.commit()

    def _summary(self, summary: Summary) -> None:
        """Plain values only (no formulas), one fact per row: what a reader acts on first."""
        info = self.info
        sheet = self.book.add_worksheet("summary")
        sheet.set_column(0, 0, 24)
        sheet.set_column(1, 1, 60)
        lines: list[tuple[Any, ...]] = []
        bold_rows: set[int] = set()
        warn_rows: set[int] = set()

        def add(*cells: Any, bold: bool = False, warn: bool = False) -> None:
            if bold:
                bold_rows.add(len(lines))
            if warn:
                warn_rows.add(len(lines))
            lines.append(cells)

        for message in info.unread_evidence:
            add("WARNING: evidence not read", message, warn=True)
        errors = summary.by_verdict.get("error", 0)
        if errors:
            add("WARNING: rows not read", f"{errors:,} row(s) could not be read: verdict 'error' on the findings sheet, with the reason", warn=True)
        if lines:
            add()
        add("input", info.input)
        add("rows screened", summary.rows, bold=True)
        for v in self.info.verdicts:
            add(v, summary.by_verdict.get(v, 0))
        add()
        add("knowledge base version", info.kb_version)
        add("knowledge base as of", info.kb_as_of or "not recorded")
        if info.lists:
            add("screened against", info.lists)
        add("context", info.context)
        add("use", info.use or "not stated")
        add("covscan version", info.covscan_version)
        if info.header_row > 0:
            add("header row", info.header_row)
            add("row numbers", f"'row' counts data rows from 0: spreadsheet row = row + {info.header_row + 1}")
        else:
            add("row numbers", "'row' counts records from 0 (the input has no header row)")
        add()
        add("field", "column read", "how it was chosen", bold=True)
        for field_name, column in info.fields.items():
            add(field_name, column, info.column_reasons.get(column, "") or "not recorded")
        add("columns not read", ", ".join(info.ignored_columns) or "none")
        add()
        add("entity", *self.info.verdicts, bold=True)
        for entity, counts in sorted(summary.by_entity.items()):
            add(entity, *[counts.get(v, 0) for v in self.info.verdicts])
        add("all rows", *[summary.by_verdict.get(v, 0) for v in self.info.verdicts], bold=True)
        for r, cells in enumerate(lines):
            fmt = self.warn if r in warn_rows else self.bold if r in bold_rows else None
            for c, value in enumerate(cells):
                value = neutralised(value) if isinstance(value, str) else value
                write_cell(sheet, r, c, value, fmt)

    def abort(self) -> None:
        try:
            self.book.close()
        finally:
            self.file.discard()


def write_cell(sheet: Any, row: int, col: int, value: Any, fmt: Any = None) -> None:
    """One cell by its type; text always as a string, never as a formula, URL or number."""
    if value is None:
        if fmt is not None:
            sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, str):
        if value:
            sheet.write_string(row, col, value, fmt)
        elif fmt is not None:
            sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)) and math.isfinite(value):
        sheet.write_number(row, col, value, fmt)
    else:  # dates, NaN, lists: their text
        sheet.write_string(row, col, str(value), fmt)
