"""Batches are read one ahead in a thread: in order, with their positions, errors where they
happen, and no reader left behind when screening stops early."""
from __future__ import annotations

import threading
from collections.abc import Iterator

import polars as pl
import pytest

from covscan.screen import _read_ahead


def numbered(count: int, fail_after: int | None = None) -> tuple[Iterator[pl.DataFrame], list[int]]:
    read: list[int] = []

    def gen() -> Iterator[pl.DataFrame]:
        for i in range(count):
            if i == fail_after:
                raise ValueError(f"row {i}: broken")
            read.append(i)
            yield pl.DataFrame({"i": [i]})

    return gen(), read


def test_batches_in_order_with_the_position_after_each() -> None:
    batches, read = numbered(5)
    got = [(b["i"][0], pos) for b, pos in _read_ahead(batches, lambda: len(read))]
    assert got == [(i, i + 1) for i in range(5)]


def test_a_reading_error_comes_after_the_batches_before_it() -> None:
    batches, read = numbered(5, fail_after=3)
    seen = []
    with pytest.raises(ValueError, match="row 3: broken"):
        for batch, _ in _read_ahead(batches, lambda: len(read)):
            seen.append(batch["i"][0])
    assert seen == [0, 1, 2]


def test_stopping_early_reads_at_most_one_more_and_leaves_no_reader() -> None:
    batches, read = numbered(1000)
    ahead = _read_ahead(batches, lambda: len(read))
    next(ahead)
    ahead.close()
    assert len(read) <= 3  # the one screened, the one waiting, the one being read
    assert not [t for t in threading.enumerate() if t.name == "covscan-read"]
