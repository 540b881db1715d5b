"""Parquet files, read in record batches; every column is screened as text.

Columns are turned into text by pyarrow, column by column, and only numbers go through polars
(for its number formatting): polars panics on values pyarrow reads without complaint (dates out of
range, decimal256), and a panic is a BaseException no reader should provoke. Binary values are
their UTF-8 text, or hex when they are not text; a string column with bytes that are not UTF-8 has
them replaced. A file that cannot be read, or breaks off, is an InputError naming the last row read.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from covscan.model import ERROR_COLUMN, ROW_COLUMN
from covscan.sources.base import BATCH_ROWS, InputError, check_width, unique_headers


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]


def _is_number(kind: pa.DataType) -> bool:
    return pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind) or pa.types.is_null(kind)


def _is_bytes(kind: pa.DataType) -> bool:
    """Strings and binaries of every layout: values pyarrow can hand over as bytes."""
    return any(test(kind) for test in (pa.types.is_string, pa.types.is_large_string, pa.types.is_string_view, pa.types.is_binary,
                                        pa.types.is_large_binary, pa.types.is_binary_view, pa.types.is_fixed_size_binary))


def _leaves_as_text(kind: pa.DataType) -> pa.DataType:
    """The type a nested column is cast to before it becomes JSON: numbers stay, strings and binaries
    become bytes (decoded as _bytes_text does) and every other scalar becomes pyarrow's own text."""
    if pa.types.is_struct(kind):
        return pa.struct([pa.field(f.name, _leaves_as_text(f.type)) for f in kind])
    if pa.types.is_map(kind):
        return pa.map_(_leaves_as_text(kind.key_type), _leaves_as_text(kind.item_type))
    if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind):
        return pa.large_list(_leaves_as_text(kind.value_type))
    if _is_number(kind):
        return kind
    return pa.large_binary() if _is_bytes(kind) else pa.large_string()


def _bytes_text(value: bytes, replace: bool = False) -> str:
    """Bytes as their UTF-8 text; bytes that are not UTF-8 as hex, or (replace) with U+FFFD for each bad byte."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("utf-8", "replace") if replace else value.hex()


def _json_default(value: Any) -> str:
    return _bytes_text(value) if isinstance(value, bytes) else str(value)


def _text_array(column: pa.Array) -> pa.Array:
    """A column as large_string, whatever its type (see the module docstring)."""
    kind = column.type
    if isinstance(kind, pa.ExtensionType):
        return _text_array(column.storage)
    if pa.types.is_dictionary(kind):
        return _text_array(column.dictionary_decode())
    if _is_bytes(kind):
        declared_text = pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind)
        try:
            if declared_text:
                column.validate(full=True)  # pyarrow reads a string column's bytes from Parquet unchecked
            return column.cast(pa.large_string())
        except pa.ArrowInvalid:
            values = column.cast(pa.large_binary()).to_pylist()
            return pa.array([None if v is None else _bytes_text(v, declared_text) for v in values], pa.large_string())
    if pa.types.is_nested(kind):
        try:
            values = column.cast(_leaves_as_text(kind)).to_pylist()
        except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
            values = column.to_pylist()
        return pa.array([None if v is None else json.dumps(v, ensure_ascii=False, default=_json_default) for v in values], pa.large_string())
    return column.cast(pa.large_string())


def _text_series(name: str, column: pa.Array) -> pl.Series:
    if _is_number(column.type):
        return pl.from_arrow(column).alias(name).cast(pl.String)  # polars writes 3.0, not pyarrow's 3
    return pl.from_arrow(_text_array(column)).alias(name)


class ParquetSource:
    unit = "rows"

    def __init__(self, path: Path) -> None:
        self.path = path
        if path.stat().st_size == 0:
            raise InputError(f"{path}: the file is empty (0 bytes), not a Parquet file")
        try:
            self._file = pq.ParquetFile(path)
            names = self._file.schema_arrow.names
        except Exception as exc:  # pyarrow raises what the footer's damage leads to (ArrowInvalid, OSError, ...)
            raise InputError(f"{path}: not a readable Parquet file ({_reason(exc)})") from exc
        check_width(path, len(names), "the schema")
        self.columns = unique_headers(names)
        self.total: int | None = self._file.metadata.num_rows
        self._done = 0

    def position(self) -> int:
        return self._done

    def batches(self, rows: int = BATCH_ROWS) -> Iterator[pl.DataFrame]:
        """Batches of text columns; a page that cannot be read or a column that cannot become text
        raises InputError naming the rows read before it."""
        reader = self._file.iter_batches(batch_size=rows)
        while True:
            try:
                batch = next(reader)
                texts = [_text_series(name, column) for name, column in zip(self.columns, batch.columns)]
            except StopIteration:
                return
            except Exception as exc:  # corrupt pages, unsupported encodings and casts, from pyarrow
                raise InputError(f"{self.path}: cannot be read after row {self._done:,} ({_reason(exc)})") from exc
            frame = pl.DataFrame(texts).with_columns(
                pl.int_range(self._done, self._done + batch.num_rows, dtype=pl.Int64).alias(ROW_COLUMN),
                pl.lit(None, dtype=pl.String).alias(ERROR_COLUMN),
            )
            self._done += batch.num_rows
            yield frame
