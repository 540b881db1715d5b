"""IEEE Registration Authority CSV exports (MA-L oui.csv, MA-M mam.csv, MA-S oui36.csv): one row per
assigned block, `Registry,Assignment,Organization Name,Organization Address`. The assignment is the
block's hex prefix (6, 7 or 9 digits)."""
from __future__ import annotations

import io

import polars as pl

from covscan.updates.formats import SourceFormatError, decoded, require_columns

COLUMNS = ["Registry", "Assignment", "Organization Name"]
PREFIX_DIGITS = {"MA-L": 6, "MA-M": 7, "MA-S": 9}


def parse(data: bytes, registry: str) -> pl.DataFrame:
    """The blocks of one registry: prefix (upper-case hex), org."""
    try:
        frame = pl.read_csv(io.StringIO(decoded(data)), infer_schema=False)
    except pl.exceptions.PolarsError as exc:
        raise SourceFormatError(f"not an IEEE registry CSV: {str(exc).splitlines()[0]}") from None
    require_columns(frame, COLUMNS, "an IEEE registry CSV")
    digits = PREFIX_DIGITS[registry]
    frame = frame.select(
        registry=pl.col("Registry").str.strip_chars(),
        prefix=pl.col("Assignment").str.strip_chars().str.to_uppercase(),
        org=pl.col("Organization Name").str.strip_chars().fill_null(""),
    )
    valid = (pl.col("registry") == registry) & pl.col("prefix").str.contains(f"^[0-9A-F]{{{digits}}}$")
    wrong = frame.filter(~valid)
    if wrong.height > frame.height // 100:  # a few odd rows are tolerated (and dropped); a file of them is not this registry
        example = wrong.row(0, named=True)
        raise SourceFormatError(f"not the IEEE {registry} registry: {wrong.height:,} of {frame.height:,} rows are not {registry} "
                                f"blocks of {digits} hex digits (e.g. {example['registry']} {example['prefix']})")
    frame = frame.filter(valid).unique("prefix", keep="first", maintain_order=True)
    return frame.select("prefix", "org", key=pl.col("prefix"), summary=pl.col("prefix") + " " + pl.col("org"))
