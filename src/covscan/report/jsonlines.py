"""JSON Lines: the output contract other tools rely on (one object per input row, in input order)."""
from __future__ import annotations

from pathlib import Path
from typing import IO, Any

import polars as pl

from covscan.atomic import AtomicFile
from covscan.report.base import Summary
from covscan.report.findings import FindingTable


class JsonLinesWriter:
    def __init__(self, path: Path | None, stream: IO[bytes] | None = None) -> None:
        self.file = AtomicFile(path, binary=True) if path else None
        self.out: IO[Any] = self.file.handle if self.file else stream  # type: ignore[assignment]

    def write(self, batch: pl.DataFrame, result: pl.DataFrame, engine: FindingTable) -> None:
        lines = engine.jsonl_lines(batch, result)
        if lines.len():  # one string column written raw: polars does the joining, not Python
            lines.to_frame().write_csv(self.out, include_header=False, quote_style="never")

    def close(self, summary: Summary) -> None:
        if self.file:
            self.file.commit()
        else:
            self.out.flush()

    def abort(self) -> None:
        if self.file:
            self.file.discard()
