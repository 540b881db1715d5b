"""A single JSON document: run information, the findings (as in JSONL) and the summary."""
from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from covscan.atomic import AtomicFile
from covscan.report.base import RunInfo, Summary
from covscan.report.findings import FindingTable


class JsonWriter:
    def __init__(self, path: Path, info: RunInfo) -> None:
        self.file = AtomicFile(path)
        self.file.handle.write('{"run": ' + json.dumps(info.to_dict(), ensure_ascii=False) + ',\n"findings": [')
        self.first = True

    def write(self, batch: pl.DataFrame, result: pl.DataFrame, engine: FindingTable) -> None:
        lines = engine.jsonl_lines(batch, result)
        if not lines.len():
            return
        self.file.handle.write(("\n" if self.first else ",\n") + ",\n".join(lines.to_list()))
        self.first = False

    def close(self, summary: Summary) -> None:
        self.file.handle.write('\n],\n"summary": ' + json.dumps(summary.to_dict()) + "}\n")
        self.file.commit()

    def abort(self) -> None:
        self.file.discard()
