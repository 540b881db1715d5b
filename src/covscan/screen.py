"""Screening a file: source -> engine -> writers, with a summary of what was found."""
from __future__ import annotations

import contextlib
import itertools
import queue
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

import polars as pl

from covscan.decisions import DecisionBook
from covscan.engine import Engine, ScreenSettings
from covscan.kb import KnowledgeBase
from covscan.report import RunInfo, Summary, Writer
from covscan.report.base import STOPPING
from covscan.report.findings import FindingTable
from covscan.evidence import Extractor, build_extractors, column_kinds
from covscan.evidence.content import SAMPLE_VALUES
from covscan.normalize import valid_text
from covscan.sources import InputError, Source, open_source
from covscan.sources.columns import ColumnMap, recognise_columns
from covscan.sources.base import BATCH_ROWS, BatchBuilder

Progress = Callable[[int, int | None, str], None]
# A batch in which more rows than this write text of their own (a listing title goes back into its
# evidence and explanation) reaches the writers in slices of this many rows, which bounds the text
# in flight: a 1M-listing catalog peaked at 1.0 GiB instead of 1.4-1.6, at the same speed. Other
# batches go whole: slicing a 10M-row inventory cost 2-3 s for no memory it needed.
WRITE_ROWS = 62_500
SAMPLE_ROWS = 5_000  # the first rows, whose values tell what a column holds when its header does not


class BatchEngine(FindingTable, Protocol):
    """What Screen runs: the equipment Engine, or the party engine of covscan parties."""

    def screen(self, batch: pl.DataFrame) -> pl.DataFrame: ...

    def save_cache(self) -> None: ...

    def annotated(self, index: int, decision: dict[str, Any]) -> int: ...


@dataclass
class Screen:
    """An opened input, its column mapping and an engine ready to run."""

    source: Source
    fields: dict[str, str]
    engine: BatchEngine
    info: RunInfo
    decisions: DecisionBook | None = None  # a team's decisions, shown beside the findings they were made on

    def run(self, writers: Sequence[Writer], progress: Progress | None = None, batch_rows: int = BATCH_ROWS) -> Summary:
        """Screen batch by batch; while one batch is written and the next read (each in a thread:
        polars, pyarrow and numpy release the GIL), another is screened, so the three overlap."""
        summary = Summary()
        STOPPING.clear()
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="covscan-write")
        writing: Future[None] | None = None
        batches = _read_ahead(_at_least_one(self.source.batches(batch_rows), self.source.columns), self.source.position)
        try:
            for batch, position in batches:
                result = self.engine.screen(batch)
                if self.decisions is not None:
                    result = self.decisions.apply(batch, result, self.engine)
                summary.add(result, self.engine)
                if writing is not None:
                    _finished(writing)
                writing = pool.submit(_write, writers, batch, result, self.engine)
                if progress:
                    progress(position, self.source.total, self.source.unit)
            if writing is not None:
                _finished(writing)
        except BaseException:
            STOPPING.set()
            batches.close()
            pool.shutdown(wait=True, cancel_futures=True)
            for writer in writers:
                writer.abort()
            raise
        pool.shutdown()
        for writer in writers:
            writer.close(summary)
        self.engine.save_cache()
        return summary


def _at_least_one(batches: Iterator[pl.DataFrame], columns: list[str]) -> Iterator[pl.DataFrame]:
    """The source's batches, or one empty batch when it has none: a file with a header and no rows
    still gets reports with their columns (a CSV header, a valid Parquet file with no rows)."""
    empty = True
    for batch in batches:
        empty = False
        yield batch
    if empty:
        yield BatchBuilder(columns).take()


def _read_ahead(batches: Iterator[pl.DataFrame], position: Callable[[], int]) -> Generator[tuple[pl.DataFrame, int], None, None]:
    """The batches, each with the source's position after it, each read in a thread while the one
    before is screened (reading a CSV costs a quarter to a third of screening it: proving its lines,
    parsing them). One batch is read ahead, no more, so memory holds at most one more batch. A
    reading error is raised here, in order."""
    Item = tuple[tuple[pl.DataFrame, int] | None, BaseException | None]
    ready: queue.Queue[Item] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def read() -> None:
        try:
            for batch in batches:
                item: Item = ((batch, position()), None)
                while not stop.is_set():
                    with contextlib.suppress(queue.Full):
                        ready.put(item, timeout=0.2)
                        break
                if stop.is_set():
                    return
            ready.put((None, None))
        except BaseException as exc:  # handed to the main thread, which raises it
            ready.put((None, exc))
        finally:
            close = getattr(batches, "close", None)
            if close:
                close()

    reader = threading.Thread(target=read, name="covscan-read", daemon=True)
    reader.start()
    try:
        while True:
            item, error = _taken(ready)
            if error is not None:
                raise error
            if item is None:
                return
            yield item
    finally:
        stop.set()
        with contextlib.suppress(queue.Empty):
            ready.get_nowait()  # a reader waiting to hand over a batch sees the stop
        reader.join(timeout=2)  # a daemon: one still inside a long read ends with the process


def _taken(ready: queue.Queue[Any]) -> Any:
    """The next item, waited for in short steps (see _finished)."""
    while True:
        try:
            return ready.get(timeout=0.2)
        except queue.Empty:
            continue


def _finished(future: Future[None]) -> None:
    """Wait for a write in short steps: a signal may be delivered to any thread, and Python runs
    its handler (Ctrl-C's KeyboardInterrupt) only when the main thread runs, not while it sleeps
    in one long wait."""
    while True:
        try:
            return future.result(timeout=0.2)
        except TimeoutError:
            continue


def _write(writers: Sequence[Writer], batch: pl.DataFrame, result: pl.DataFrame, engine: FindingTable) -> None:
    height = max(batch.height, 1)  # an empty batch is still written once: reports get their columns
    step = WRITE_ROWS if engine.token_rows(result["finding"]).sum() > WRITE_ROWS else height
    for start in range(0, height, step):
        if STOPPING.is_set():
            return
        part, part_result = batch.slice(start, step), result.slice(start, step)
        for writer in writers:
            writer.write(part, part_result, engine)


def import_source(path: Path, from_format: str) -> Source:
    from covscan.imports import IMPORTERS
    from covscan.sources.observations import ObservationSource

    if from_format not in IMPORTERS:
        raise InputError(f"unknown import format {from_format!r}; formats: {', '.join(IMPORTERS)}")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    records = IMPORTERS[from_format][0](path)
    return ObservationSource(path, records, total=len(records))


def covscan_version() -> str:
    try:
        return metadata.version("covscan")
    except metadata.PackageNotFoundError:
        return "unknown"


def open_screen(
    path: Path,
    kb: KnowledgeBase,
    settings: ScreenSettings,
    *,
    fmt: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    overrides: dict[str, str] | None = None,
    from_format: str | None = None,
    cache: Path | None = None,
    exclude: tuple[str, ...] = (),
    header_row: int | None = None,
) -> Screen:
    """Open an input for screening; `from_format` names an importer (nmap, arp, ...) whose records are
    screened. Columns whose names start with an `exclude` prefix are never read (labels of an eval file)."""
    if valid_text(str(path)) != str(path):
        raise InputError(f"{valid_text(str(path))}: the file name is not valid UTF-8, which the readers need; rename the file "
                         "(e.g. convmv -f latin1 -t utf8) or pass it through a symlink with a UTF-8 name")
    source: Source = import_source(path, from_format) if from_format else open_source(path, fmt, encoding=encoding, delimiter=delimiter, sheet=sheet, header_row=header_row)
    preset = getattr(source, "preset_fields", None)
    if preset and not overrides:
        return _screen(source, dict(preset), kb, settings, str(path), cache)
    sampled = SampledSource(source)
    readable = [c for c in source.columns if not c.startswith(exclude)]
    extractors = build_extractors(kb)  # built once: they recognise the columns, then screen them
    mapping = recognise_columns(readable, overrides or {}, str(path), guess=column_kinds(kb, extractors).guess,
                                samples=sampled.sample(readable))
    return _screen(sampled, mapping.fields, kb, settings, str(path), cache, mapping, extractors)


def sample_values(frame: pl.DataFrame, columns: Sequence[str]) -> dict[str, list[str]]:
    """Up to SAMPLE_VALUES distinct values of each column among the first SAMPLE_ROWS rows: what
    columns are recognised by (the Dask engine samples the same rows, so both map alike)."""
    head = frame.head(SAMPLE_ROWS).select([pl.col(c).cast(pl.String) for c in columns if c in frame.columns])
    return {c: head[c].drop_nulls().unique(maintain_order=True).head(SAMPLE_VALUES).to_list() for c in head.columns}


class SampledSource:
    """A source whose first batch was read ahead so that its columns could be recognised by their
    values; that batch is handed on first, then the rest, in slices of the size a run asks for."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.path, self.columns, self.unit, self.total = source.path, source.columns, source.unit, source.total
        self.header_row = getattr(source, "header_row", 0)
        self._batches = source.batches(BATCH_ROWS)
        self._first = next(self._batches, None)

    def sample(self, columns: Sequence[str]) -> dict[str, list[str]]:
        return {} if self._first is None else sample_values(self._first, columns)

    def position(self) -> int:
        return self.source.position()

    def batches(self, rows: int = BATCH_ROWS) -> Iterator[pl.DataFrame]:
        first, self._first = self._first, None
        if first is None:
            return
        for batch in itertools.chain([first], self._batches):
            for start in range(0, batch.height, rows):
                yield batch.slice(start, rows) if batch.height > rows else batch


def records_screen(records: list[dict[str, Any]], label: str, kb: KnowledgeBase, settings: ScreenSettings) -> Screen:
    """Screen observation records held in memory (from discovery)."""
    from covscan.sources.observations import ObservationSource

    source = ObservationSource(Path(label), [(f"host {r.get('ip')}", r) for r in records], total=len(records))
    return _screen(source, dict(source.preset_fields), kb, settings, label)


def _screen(source: Source, fields: dict[str, str], kb: KnowledgeBase, settings: ScreenSettings, label: str,
            cache: Path | None = None, mapping: ColumnMap | None = None, extractors: dict[str, Extractor] | None = None) -> Screen:
    info = RunInfo(
        input=label, kb_version=kb.version, context=settings.context.value,
        use=settings.use.value if settings.use else None, fields=fields,
        ignored_columns=[c for c in source.columns if c not in fields.values()], covscan_version=covscan_version(),
        column_reasons=mapping.reasons if mapping else {}, unread_evidence=mapping.unread_evidence if mapping else [],
        kb_as_of=kb.as_of, header_row=getattr(source, "header_row", 0),
    )
    from covscan.cache import EvidenceCache

    engine = Engine(kb, fields, settings, EvidenceCache(cache, kb) if cache else None, extractors)
    return Screen(source, fields, engine, info)
