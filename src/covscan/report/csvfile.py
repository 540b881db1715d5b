"""CSV: the input columns followed by verdict, entity, confidence, regimes, explanation and evidence.
Cells a spreadsheet would evaluate as formulas get a leading ' unless the caller asks for raw cells."""
from __future__ import annotations

from pathlib import Path

import polars as pl

from covscan.atomic import AtomicFile
from covscan.report.base import FlatFindings, Summary, flat_rows, neutralise_frame
from covscan.report.findings import FindingTable


class CsvWriter:
    def __init__(self, path: Path, input_columns: list[str], neutralise: bool = True) -> None:
        self.neutralise = neutralise
        self.file = AtomicFile(path, binary=True)
        self.columns = input_columns
        self.header = True
        self.findings = FlatFindings()

    def write(self, batch: pl.DataFrame, result: pl.DataFrame, engine: FindingTable) -> None:
        flat = flat_rows(batch, result, engine, self.columns, self.findings)
        (neutralise_frame(flat) if self.neutralise else flat).write_csv(self.file.handle, include_header=self.header)
        self.header = False

    def close(self, summary: Summary) -> None:
        self.file.commit()

    def abort(self) -> None:
        self.file.discard()
