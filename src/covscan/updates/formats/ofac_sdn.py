"""OFAC's Specially Designated Nationals list in its legacy CSV layout (`SDN.CSV`, `sdn.csv`): no
header, twelve columns, `-0-` for an empty field."""
from __future__ import annotations

import csv
import io

import polars as pl

from covscan.updates.formats import SourceFormatError, decoded

COLUMNS = ["ent_num", "name", "type", "program", "title", "call_sign", "vessel_type", "tonnage", "grt", "vessel_flag", "vessel_owner", "remarks"]


def parse(data: bytes) -> pl.DataFrame:
    rows = []
    for line, record in enumerate(csv.reader(io.StringIO(decoded(data))), 1):
        if not record or record == ["\x1a"]:  # the legacy file ends with a DOS end-of-file mark
            continue
        if len(record) != len(COLUMNS) or not record[0].strip().isdigit():
            raise SourceFormatError(f"not an OFAC SDN CSV: line {line} has {len(record)} fields"
                                    + ("" if len(record) != len(COLUMNS) else f" and entity number {record[0][:20]!r}")
                                    + f" (expected {len(COLUMNS)}, the first a number)")
        rows.append([None if v.strip() == "-0-" else v.strip() for v in record])
    frame = pl.DataFrame(rows, schema=COLUMNS, orient="row") if rows else pl.DataFrame(schema=dict.fromkeys(COLUMNS, pl.String))
    return frame.with_columns(pl.col(COLUMNS).fill_null("")).select(
        "ent_num", "name", "type", "program", "remarks", key=pl.col("ent_num"),
        summary=pl.col("name") + " (SDN, " + pl.col("program") + ")",
    ).unique("key", keep="first", maintain_order=True)
