"""CSV: the input columns followed by verdict, entity, confidence, regimes, explanation and evidence."""
from __future__ import annotations

from pathlib import Path

import polars as pl

from covscan.engine import Engine
from covscan.report.base import AtomicFile, FlatFindings, Summary, flat_rows


class CsvWriter:
    def __init__(self, path: Path, input_columns: list[str]) -> None:
        self.file = AtomicFile(path, binary=True)
        self.columns = input_columns
        self.header = True
        self.findings = FlatFindings()

    def write(self, batch: pl.DataFrame, result: pl.DataFrame, engine: Engine) -> None:
        flat_rows(batch, result, engine, self.columns, self.findings).write_csv(self.file.handle, include_header=self.header)
        self.header = False

    def close(self, summary: Summary) -> None:
        self.file.commit()

    def abort(self) -> None:
        self.file.discard()
