"""Parquet files, read in record batches; every column is screened as text."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from covscan.engine import ERROR_COLUMN, ROW_COLUMN
from covscan.sources.base import BATCH_ROWS, InputError


def _as_text(name: str, dtype: pl.DataType) -> pl.Expr:
    """Scalars as their text; nested values (lists, structs) as JSON text."""
    if dtype.is_nested():
        return pl.col(name).map_elements(
            lambda v: json.dumps(v.to_list() if isinstance(v, pl.Series) else v, default=str), return_dtype=pl.String
        )
    return pl.col(name).cast(pl.String)


class ParquetSource:
    unit = "rows"

    def __init__(self, path: Path) -> None:
        self.path = path
        if path.stat().st_size == 0:
            raise InputError(f"{path}: the file is empty (0 bytes), not a Parquet file")
        try:
            self._file = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(f"{path}: not a readable Parquet file ({exc})") from exc
        self.columns = [str(c) for c in self._file.schema_arrow.names]
        self.total: int | None = self._file.metadata.num_rows
        self._done = 0

    def position(self) -> int:
        return self._done

    def batches(self, rows: int = BATCH_ROWS) -> Iterator[pl.DataFrame]:
        for batch in self._file.iter_batches(batch_size=rows):
            frame = pl.from_arrow(batch)
            assert isinstance(frame, pl.DataFrame)
            frame = frame.select([_as_text(c, frame.schema[c]) for c in frame.columns]).with_columns(
                pl.int_range(self._done, self._done + frame.height, dtype=pl.Int64).alias(ROW_COLUMN),
                pl.lit(None, dtype=pl.String).alias(ERROR_COLUMN),
            )
            self._done += frame.height
            yield frame
