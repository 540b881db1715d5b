"""Parquet: the same columns as CSV (input columns, then the verdict columns), written batch by
batch with one row group per batch, or per slice of a batch whose rows carry text of their own
(screen.WRITE_ROWS), so memory stays bounded however long the input.

A finding's text columns are the same for every row it judges, so they are written as Arrow
dictionaries indexed by finding: only the texts of the findings a batch uses, and of rows whose
text is their own (error rows, rows whose evidence names their own MAC), are hashed, never every
row's. Input columns get a dictionary only when the first batch shows their values repeat, and
statistics are kept for the columns people filter on."""
from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from covscan.atomic import AtomicFile
from covscan.report.base import FINDING_COLUMNS, ROW_VALUE_COLUMNS, FlatFindings, Summary, flat_rows
from covscan.report.findings import FindingTable

TEXT_COLUMNS = ("verdict", "entity", "relation", "regimes", "explanation", "evidence", "decision")
FIXED_TEXT_COLUMNS = tuple(c for c in TEXT_COLUMNS if c not in ROW_VALUE_COLUMNS)  # a row's own only when it is an error
PER_ROW_COLUMNS = tuple(c for c in FINDING_COLUMNS if c not in TEXT_COLUMNS)
STATISTICS = ["row", "verdict", "entity", "relation", "confidence", "entry"]


class ParquetWriter:
    def __init__(self, path: Path, input_columns: list[str]) -> None:
        self.file = AtomicFile(path, binary=True)
        self.columns = input_columns
        self.findings = FlatFindings()
        self.writer: pq.ParquetWriter | None = None

    def write(self, batch: pl.DataFrame, result: pl.DataFrame, engine: FindingTable) -> None:
        flat = flat_rows(batch, result, engine, self.columns, self.findings, PER_ROW_COLUMNS)
        table = flat.to_arrow(compat_level=pl.CompatLevel.newest())
        for name, array in self._dictionaries(batch, result, engine).items():
            table = table.append_column(name, array)
        table = table.select([*flat.columns[:-len(PER_ROW_COLUMNS)], *FINDING_COLUMNS])
        if self.writer is None:
            distinct = flat.select(pl.exclude(*PER_ROW_COLUMNS, "row").n_unique()).row(0, named=True)
            repeated = [c for c, n in distinct.items() if n <= flat.height // 2]
            self.writer = pq.ParquetWriter(self.file.handle, table.schema, compression="zstd",
                                           use_dictionary=[*repeated, *FINDING_COLUMNS], write_statistics=STATISTICS,
                                           column_encoding={"row": "DELTA_BINARY_PACKED"})
        self.writer.write_table(table.cast(self.writer.schema))

    def _dictionaries(self, batch: pl.DataFrame, result: pl.DataFrame, engine: FindingTable) -> dict[str, pa.DictionaryArray]:
        """Each text column as indices into a dictionary of just the texts this batch uses, each once:
        the texts of the findings it uses, then those of rows with their own text (error rows, and
        in the columns that carry row values, rows whose finding names them). A dictionary that
        repeats a value, or carries texts no row uses, costs pyarrow a per-row re-encoding or a large
        dictionary page per row group."""
        finding, findings = result["finding"], self.findings.frame(engine)
        errors = result["error"].is_not_null()
        out = {}
        for own, names in ((engine.token_rows(finding) | errors, ROW_VALUE_COLUMNS), (errors, FIXED_TEXT_COLUMNS)):
            own_texts = flat_rows(batch.filter(own), result.filter(own), engine, [], self.findings, names)
            used = finding.filter(~own).unique()
            position = pl.repeat(None, findings.height, dtype=pl.UInt32, eager=True).scatter(
                used, pl.int_range(len(used), dtype=pl.UInt32, eager=True))
            entry = pl.select(
                pl.when(own).then(len(used) + own.cum_sum() - 1).otherwise(position.gather(finding)).cast(pl.UInt32)
            ).to_series().to_arrow()
            for name in names:
                texts = pc.dictionary_encode(pl.concat([findings[name][used], own_texts[name]]).to_arrow())
                out[name] = pa.DictionaryArray.from_arrays(texts.indices.take(entry), texts.dictionary)
        return out

    def close(self, summary: Summary) -> None:
        if self.writer is not None:
            self.writer.close()
        self.file.commit()

    def abort(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.file.discard()
