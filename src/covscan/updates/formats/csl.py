"""The trade.gov Consolidated Screening List CSV export (`consolidated.csv`): one row per listed
party with its source list (Entity List, SDN, MEU, ...), names, addresses and Federal Register notice.
Some exports repeat the header on line 2; that row is dropped."""
from __future__ import annotations

import io

import polars as pl

from covscan.updates.formats import SourceFormatError, decoded, require_columns

COLUMNS = ["source", "name", "entity_number", "programs", "addresses", "federal_register_notice", "start_date", "alt_names"]


def parse(data: bytes) -> pl.DataFrame:
    try:
        frame = pl.read_csv(io.StringIO(decoded(data)), infer_schema=False)
    except pl.exceptions.PolarsError as exc:
        raise SourceFormatError(f"not a Consolidated Screening List CSV: {str(exc).splitlines()[0]}") from None
    require_columns(frame, COLUMNS, "a Consolidated Screening List CSV")
    frame = frame.filter(pl.col("source") != "source").with_columns(pl.col(COLUMNS).fill_null(""))
    if "_id" not in frame.columns:
        frame = frame.with_columns(_id=pl.lit(""))
    # `_id` where the export has one; else the list and the name (older exports have no ids).
    key = pl.when(pl.col("_id").fill_null("") != "").then(pl.col("_id")).otherwise(pl.col("source") + "|" + pl.col("name"))
    frame = frame.select(*COLUMNS, key=key, summary=pl.col("name") + " (" + pl.col("source").str.split(" - ").list.first() + ")")
    return frame.unique("key", keep="first", maintain_order=True)
