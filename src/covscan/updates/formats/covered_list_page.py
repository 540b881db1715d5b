"""The FCC Covered List page (https://www.fcc.gov/supplychain/coveredlist) saved as HTML: its table
under the element with id `covered-list`, two columns, the covered equipment or services and the
date of inclusion. There is no official machine-readable copy; the text is kept row by row so that
any change to it is seen and sent for review (the curated knowledge base is never rewritten from it)."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import polars as pl

from covscan.updates.formats import SourceFormatError, decoded

_SPACE = re.compile(r"\s+")


class _CoveredTable(HTMLParser):
    """The text of each table row inside the element with id covered-list, cell by cell."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.found = False
        self._depth = 0  # open elements inside the covered-list element (0: outside it)
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._depth:
            self._depth += tag not in _VOID
            if tag == "tr":
                self.rows.append([])
            elif tag in ("td", "th") and self.rows:
                self._cell = []
            elif tag == "br" and self._cell is not None:
                self._cell.append(" ")
        elif dict(attrs).get("id") == "covered-list" and tag not in _VOID:
            self.found, self._depth = True, 1

    def handle_endtag(self, tag: str) -> None:
        if not self._depth or tag in _VOID:
            return
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(_SPACE.sub(" ", "".join(self._cell)).strip())
            self._cell = None
        self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


def parse(data: bytes) -> pl.DataFrame:
    page = _CoveredTable()
    page.feed(decoded(data))
    page.close()
    if not page.found:
        raise SourceFormatError("not the FCC Covered List page: no element with id 'covered-list'")
    rows = [r for r in page.rows if len(r) >= 2 and r[0] and not (r[0].lower().startswith("covered equipment") and "date" in r[1].lower())]
    if not rows:
        raise SourceFormatError("not the FCC Covered List page: its covered-list table has no entries")
    frame = pl.DataFrame([(r[0], r[1]) for r in rows], schema=["text", "date"], orient="row")
    return frame.with_columns(key=pl.col("text"), summary=pl.col("text") + " (" + pl.col("date") + ")").unique("key", maintain_order=True)
