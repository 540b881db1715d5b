"""XLSX: a findings sheet (input columns plus the verdict columns) and a summary sheet, written
with xlsxwriter's constant-memory mode so large screens do not hold the workbook in memory."""
from __future__ import annotations

from pathlib import Path

import polars as pl
import xlsxwriter

from covscan.engine import Engine
from covscan.report.base import AtomicFile, FlatFindings, RunInfo, Summary, flat_rows

EXCEL_MAX_ROWS = 1_048_576


class XlsxOverflow(Exception):
    pass


class XlsxWriter:
    def __init__(self, path: Path, input_columns: list[str], info: RunInfo) -> None:
        self.file = AtomicFile(path, binary=True)
        self.book = xlsxwriter.Workbook(self.file.handle, {"constant_memory": True, "strings_to_urls": False, "strings_to_formulas": False})
        self.sheet = self.book.add_worksheet("findings")
        self.bold = self.book.add_format({"bold": True})
        self.colors = {v: self.book.add_format({"bg_color": c}) for v, c in
                       (("covered", "#f4b6b6"), ("conditional", "#f8d7a6"), ("review", "#fff2a8"), ("error", "#d9d9d9"))}
        self.columns = input_columns
        self.info = info
        self.row = 0
        self.findings = FlatFindings()

    def write(self, batch: pl.DataFrame, result: pl.DataFrame, engine: Engine) -> None:
        flat = flat_rows(batch, result, engine, self.columns, self.findings)
        if self.row == 0:
            self.sheet.write_row(0, 0, flat.columns, self.bold)
            self.sheet.freeze_panes(1, 0)
            self.row = 1
        if self.row + flat.height > EXCEL_MAX_ROWS:
            raise XlsxOverflow(f"XLSX holds at most {EXCEL_MAX_ROWS - 1:,} rows; write CSV, JSONL or Parquet for this input")
        verdict_at = flat.columns.index("verdict")
        for values in flat.iter_rows():
            self.sheet.write_row(self.row, 0, values, self.colors.get(values[verdict_at]))
            self.row += 1

    def close(self, summary: Summary) -> None:
        sheet = self.book.add_worksheet("summary")
        r = 0
        for key, value in self.info.to_dict().items():
            sheet.write_row(r, 0, [key, str(value)])
            r += 1
        r += 1
        verdicts = ["covered", "conditional", "review", "clear", "error"]
        sheet.write_row(r, 0, ["entity", *verdicts], self.bold)
        for entity, counts in sorted(summary.by_entity.items()):
            r += 1
            sheet.write_row(r, 0, [entity, *[counts.get(v, 0) for v in verdicts]])
        r += 1
        sheet.write_row(r, 0, ["all rows", *[summary.by_verdict.get(v, 0) for v in verdicts]], self.bold)
        self.book.close()
        self.file.commit()

    def abort(self) -> None:
        try:
            self.book.close()
        finally:
            self.file.discard()
