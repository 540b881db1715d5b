"""FCC equipment-authorization grantee registrations as the FCC's open-data portal exports them
(Socrata dataset 3b3k-34jp, JSON: an array of records with grantee_code, grantee_name, country,
date_received, ...). A grantee code is the first part of every FCC ID its holder is granted."""
from __future__ import annotations

import json

import polars as pl

from covscan.updates.formats import SourceFormatError, decoded


def parse(data: bytes) -> pl.DataFrame:
    try:
        records = json.loads(decoded(data))
    except json.JSONDecodeError as exc:
        raise SourceFormatError(f"not FCC grantee JSON: {exc}") from None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise SourceFormatError("not FCC grantee JSON: expected an array of records")
    rows = [
        (str(r.get("grantee_code", "")).strip().upper(), str(r.get("grantee_name", "")).strip(),
         str(r.get("country", "") or "").strip(), str(r.get("date_received", "") or "")[:10])
        for r in records
    ]
    if rows and not any(code and name for code, name, _, _ in rows):
        raise SourceFormatError("not FCC grantee JSON: no record has a grantee_code and a grantee_name")
    frame = pl.DataFrame(rows, schema=["grantee_code", "grantee_name", "country", "date_received"], orient="row")
    frame = frame.filter((pl.col("grantee_code") != "") & (pl.col("grantee_name") != ""))
    return frame.with_columns(key=pl.col("grantee_code"), summary=pl.col("grantee_code") + " " + pl.col("grantee_name")).unique(
        "key", keep="last", maintain_order=True)
