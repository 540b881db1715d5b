"""JSON Lines: the output contract other tools rely on (one object per input row, in input order)."""
from __future__ import annotations

from pathlib import Path
from typing import IO, Any

import polars as pl

from covscan.engine import Engine
from covscan.report.base import AtomicFile, Summary


class JsonLinesWriter:
    def __init__(self, path: Path | None, stream: IO[str] | None = None) -> None:
        self.file = AtomicFile(path) if path else None
        self.out: IO[Any] = self.file.handle if self.file else stream  # type: ignore[assignment]

    def write(self, batch: pl.DataFrame, result: pl.DataFrame, engine: Engine) -> None:
        lines = engine.jsonl_lines(result)
        if lines.len():
            self.out.write("\n".join(lines.to_list()) + "\n")

    def close(self, summary: Summary) -> None:
        if self.file:
            self.file.commit()
        else:
            self.out.flush()

    def abort(self) -> None:
        if self.file:
            self.file.discard()
