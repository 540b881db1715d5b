"""The distributed engine: screen a Dask DataFrame partition by partition with the same batch
function as the local engine, giving the same JSONL, row for row.

Each worker process loads the knowledge base once from its installed covscan package and keeps
one engine per (column mapping, context, use), so value caches carry over between the partitions
a worker screens; nothing is shipped per partition but the partition itself.

    import dask.dataframe as dd
    from covscan.dask import screen
    lines = screen(dd.read_csv("catalog-*.csv", dtype=str, keep_default_na=False)).compute()
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import polars as pl

from covscan.engine import ROW_COLUMN, Engine, ScreenSettings
from covscan.updates.apply import active_knowledge_base
from covscan.model import Context, Use
from covscan.sources import InputError, recognise_columns

META = pd.DataFrame({"row": pd.Series(dtype="int64"), "line": pd.Series(dtype="object"),
                     "verdict": pd.Series(dtype="object"), "entity": pd.Series(dtype="object")})
_ENGINES: dict[tuple[Any, ...], Engine] = {}


def _engine(fields: tuple[tuple[str, str], ...], context: str, use: str | None) -> Engine:
    key = (fields, context, use)
    if key not in _ENGINES:
        _ENGINES[key] = Engine(active_knowledge_base(), dict(fields), ScreenSettings(Context(context), Use(use) if use else None))
    return _ENGINES[key]


def screen_partition(frame: pd.DataFrame, fields: tuple[tuple[str, str], ...], context: str, use: str | None,
                     offsets: list[int], partition_info: dict[str, Any] | None = None) -> pd.DataFrame:
    """One partition: the rows' JSONL lines, numbered from the partition's global offset."""
    engine = _engine(fields, context, use)
    number = partition_info["number"] if partition_info else 0
    columns = sorted({c for _, c in fields})
    batch = pl.from_pandas(frame[columns].astype("string"), nan_to_null=True).with_columns(
        # as the local CSV reader does: an empty cell is no value
        [pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in columns]
    ).with_columns(pl.int_range(offsets[number], offsets[number] + len(frame), dtype=pl.Int64).alias(ROW_COLUMN))
    result = engine.screen(batch)
    verdicts = [engine.findings[i].verdict.value for i in result["finding"]]
    entities = [engine.findings[i].entity for i in result["finding"]]
    return pd.DataFrame({"row": result["row"].to_numpy(), "line": engine.jsonl_lines(batch, result).to_list(),
                         "verdict": verdicts, "entity": entities}, index=frame.index)


def screen(ddf: Any, *, fields: dict[str, str] | None = None, context: Context = Context.GENERAL, use: Use | None = None,
           overrides: dict[str, str] | None = None) -> Any:
    """A lazy Dask DataFrame of (row, line, verdict, entity), one row per input row, in input order.

    `fields` maps screening fields to columns; by default they are found from the column names as
    in `covscan screen` (with `overrides` as --map)."""
    mapping = fields or _recognise(ddf, overrides or {})
    lengths = ddf.map_partitions(len).compute().tolist()
    offsets = [sum(lengths[:i]) for i in range(len(lengths))]
    return ddf.map_partitions(
        screen_partition, tuple(mapping.items()), context.value, use.value if use else None, offsets, meta=META,
    )


def _recognise(ddf: Any, overrides: dict[str, str]) -> dict[str, str]:
    """Columns by header and, like the local engine, by the values of the first SAMPLE_ROWS rows."""
    from covscan.evidence import column_kinds
    from covscan.screen import SAMPLE_ROWS, sample_values

    parts, rows = [], 0
    for i in range(ddf.npartitions):
        if rows >= SAMPLE_ROWS:
            break
        part = ddf.get_partition(i).compute()
        parts.append(part)
        rows += len(part)
    columns = [str(c) for c in ddf.columns]
    head = pl.DataFrame({c: pl.Series(c, [None if v is None or v != v else str(v) for p in parts for v in p[c].tolist()], dtype=pl.String)
                         for c in columns})
    return recognise_columns(columns, overrides, "the Dask DataFrame", guess=column_kinds(active_knowledge_base()).guess,
                             samples=sample_values(head, columns)).fields


def read(path: str, fmt: str | None = None, blocksize: str = "64MB") -> Any:
    """CSV or Parquet files (a path, a glob or any fsspec URL) as a Dask DataFrame of strings."""
    import dask.dataframe as dd

    kind = fmt or ("parquet" if path.rstrip("/").endswith((".parquet", ".pq")) or path.endswith("/") else "csv")
    try:
        if kind == "parquet":
            return dd.read_parquet(path).astype("string")
        if kind in ("csv", "tsv"):
            return dd.read_csv(path, dtype=str, keep_default_na=False, blocksize=blocksize, sep="\t" if kind == "tsv" else ",")
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: {exc}") from exc
    raise InputError(f"{path}: the Dask engine reads CSV, TSV and Parquet; got {kind!r}")


def ordered_partitions(result: Any, client: Any) -> Iterator[pd.DataFrame]:
    """Partitions computed in parallel on the cluster, handed back in input order."""
    futures = client.compute(result.to_delayed())
    for future in futures:
        yield future.result()
