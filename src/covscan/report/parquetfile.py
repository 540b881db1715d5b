"""Parquet: the same columns as CSV (input columns, then the verdict columns), written batch by
batch with one row group per batch, so memory stays bounded however long the input."""
from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from covscan.engine import Engine
from covscan.report.base import AtomicFile, Summary, flat_rows


class ParquetWriter:
    def __init__(self, path: Path, input_columns: list[str]) -> None:
        self.file = AtomicFile(path, binary=True)
        self.columns = input_columns
        self.writer: pq.ParquetWriter | None = None

    def write(self, batch: pl.DataFrame, result: pl.DataFrame, engine: Engine) -> None:
        table = flat_rows(batch, result, engine, self.columns).to_arrow()
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.file.handle, table.schema, compression="zstd")
        self.writer.write_table(table.cast(self.writer.schema))

    def close(self, summary: Summary) -> None:
        if self.writer is not None:
            self.writer.close()
        self.file.commit()

    def abort(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.file.discard()
