"""What a list reader gives back, and how it treats a malformed row: shared by the readers of every
format (and kept apart from the package's dispatch, which imports them)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from covscan.lists.model import ListEntry
from covscan.sources import InputError


@dataclass
class ListSnapshot:
    """One list file as read: its entries, the format it was read as (csl-csv, csl-tsv, csl-json,
    ofac-legacy-csv, ofac-xml), the date it says it was published ("" when it does not say), and
    what was skipped or missing, and why."""

    entries: list[ListEntry]
    format: str
    path: Path
    as_of: str = ""
    warnings: list[str] = field(default_factory=list)


class Rows:
    """A file's rows as a reader meets them. A malformed row is skipped with a warning naming the
    file and line, so that one bad row does not lose a whole list; a file mostly made of bad rows,
    or with none, is an error: it is not the list it claims to be, and a short list screens clear."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seen = 0
        self.skipped = 0
        self.warnings: list[str] = []

    def skip(self, where: str, why: str) -> None:
        self.skipped += 1
        self.warnings.append(f"{self.path}: {where}: {why}; skipped")

    def done(self, *, empty_ok: bool = False) -> list[str]:
        if self.seen == 0 and not empty_ok:
            raise InputError(f"{self.path}: has no entries")
        if self.skipped * 2 > self.seen:
            first = self.warnings[0].removeprefix(f"{self.path}: ") if self.warnings else ""
            raise InputError(f"{self.path}: {self.skipped:,} of {self.seen:,} records are malformed (first: {first})")
        return self.warnings
