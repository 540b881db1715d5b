"""What a writer may ask of the screening engine, as a protocol: writers are typed against
`FindingTable`, never against covscan.engine.Engine, so the report layer does not import the
engine (no import circle) and any object with these members can be written out.

covscan.engine.Engine satisfies it structurally (it does not name it)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import polars as pl

from covscan.model import Finding


class FindingTable(Protocol):
    """The findings of a run, indexed by a screen result's `finding` column (`row`, `id`, `finding`,
    `error`), and how to write each row's own values in place of the per-row tokens their text
    carries (a row's MAC, a listing title)."""

    @property
    def findings(self) -> Sequence[Finding]:
        """Every finding so far, by index; it only grows during a run."""
        ...

    def jsonl_lines(self, batch: pl.DataFrame, result: pl.DataFrame) -> pl.Series:
        """One JSON object per row of `result` (the JSONL output contract), its own values written in."""
        ...

    def token_rows(self, finding: pl.Series, token: str | None = None) -> pl.Series:
        """Which rows' findings carry a per-row token (or this one), so their text is their own."""
        ...

    def fill_row_values(self, frame: pl.DataFrame, batch: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
        """`frame`'s text `columns` with each row's own values in place of its tokens (`frame` is
        row-aligned with `batch` and has the `finding` column)."""
        ...

    def concrete(self, index: int, row: dict[str, str | None]) -> Finding:
        """Finding `index` with one row's own values written in (single-row views such as HTML)."""
        ...
