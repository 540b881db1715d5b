"""`covscan data update`: fetch each official file (or take it from a folder), check it, keep it
as a snapshot, and build and activate a new version from the good ones. A file that fails a check
is not kept and changes nothing: the source's previous snapshot stays in the new version, and with
no good file at all the active version stays as it was."""
from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import polars as pl

from covscan.updates.fetch import DownloadError, download
from covscan.updates.formats import SourceFormatError
from covscan.updates.official import SOURCES, OfficialSource
from covscan.updates.store import DataStore, Snapshot, Version

CHECKSUMS = "SHA256SUMS"  # optional in a --from folder: `sha256sum` output for its files


@dataclass(frozen=True)
class Outcome:
    source: str
    status: str  # updated, unchanged, rejected, skipped
    reason: str = ""


@dataclass(frozen=True)
class UpdateResult:
    outcomes: list[Outcome]
    previous: Version | None
    version: Version | None  # the version now active (None: the embedded default)

    @property
    def changed(self) -> bool:
        return self.version is not None and (self.previous is None or self.version.name != self.previous.name)


class Rejected(Exception):
    """A file that fails a check (one line, for the user)."""


def update(store: DataStore, names: Sequence[str] = (), *, from_dir: Path | None = None, timeout: float = 60.0,
           ca_bundle: Path | None = None, mirror: str | None = None, today: date | None = None, force: bool = False,
           progress: Callable[[str, int, int | None], None] | None = None) -> UpdateResult:
    previous = store.active()
    checksums = _checksums(from_dir) if from_dir else {}
    outcomes, tables, snapshots = [], {}, {}
    for source in [SOURCES[n] for n in names] if names else SOURCES.values():
        before = previous.snapshots.get(source.name) if previous else None
        try:
            url = f"{mirror.rstrip('/')}/{source.filename}" if mirror else source.url(today or datetime.now(UTC).date())
            data, origin = _obtain(source, url, from_dir, checksums, timeout, ca_bundle, progress)
            if data is None:
                outcomes.append(Outcome(source.name, "skipped", f"no {source.filename} in {from_dir}"))
                continue
            digest = hashlib.sha256(data).hexdigest()
            if before and before.sha256 == digest:
                outcomes.append(Outcome(source.name, "unchanged", f"same file as the snapshot of {before.day}"))
                continue
            table = check(source, data, None if force else before)
        except Rejected as exc:
            outcomes.append(Outcome(source.name, "rejected", str(exc)))
            continue
        snapshot = store.save_snapshot(source.name, data, origin, table.height, PurePosixPath(source.filename).suffix)
        snapshots[source.name], tables[source.name] = snapshot, table
        outcomes.append(Outcome(source.name, "updated", f"{table.height:,} records"))
    version = previous
    if snapshots:
        version = store.build_version(snapshots, tables, previous)
        store.activate(version.name)
    return UpdateResult(outcomes, previous, version)


def check(source: OfficialSource, data: bytes, before: Snapshot | None) -> pl.DataFrame:
    """The file's table, if it passes every check: not empty, not far larger than the previous
    snapshot, parses in the source's format, enough records, not far fewer than before (the
    comparisons only with a previous snapshot)."""
    if not data.strip():
        raise Rejected("empty file")
    if before and len(data) > source.growth * max(before.bytes, 1 << 10):
        raise Rejected(f"{len(data):,} bytes, more than {source.growth:g} times the previous snapshot's {before.bytes:,}: "
                       "not taken without a look (--force takes it)")
    try:
        table = source.parse(data)
    except SourceFormatError as exc:
        raise Rejected(str(exc)) from None
    except (ValueError, RecursionError, csv.Error, pl.exceptions.PolarsError) as exc:  # a parser's own failure on a damaged file
        raise Rejected(f"cannot be read as {source.title}: {str(exc).splitlines()[0][:200]}") from None
    if table.height < source.min_records:
        raise Rejected(f"{table.height:,} records, fewer than the {source.min_records:,} a whole {source.title} holds (truncated?)")
    if before and table.height < source.min_share * before.records:
        raise Rejected(f"{table.height:,} records against {before.records:,} in the snapshot of {before.day}: "
                       f"a drop of {1 - table.height / before.records:.0%} is taken for a broken file (--force takes it)")
    return table


def _obtain(source: OfficialSource, url: str, from_dir: Path | None, checksums: dict[str, str], timeout: float,
            ca_bundle: Path | None, progress: Callable[[str, int, int | None], None] | None) -> tuple[bytes | None, str]:
    if from_dir is not None:
        path = from_dir / source.filename
        if not path.is_file():
            return None, str(path)
        data = path.read_bytes()
        if len(data) > source.max_bytes:
            raise Rejected(f"{path}: {len(data):,} bytes, more than the {source.max_bytes:,} allowed for this source")
        expected = checksums.get(source.filename)
        if expected and hashlib.sha256(data).hexdigest() != expected:
            raise Rejected(f"{path}: its SHA-256 is not the one {CHECKSUMS} gives")
        return data, str(path)
    try:
        data = download(url, source.max_bytes, timeout, ca_bundle, (lambda done, total: progress(source.name, done, total)) if progress else None)
    except DownloadError as exc:
        raise Rejected(f"{urlsplit(url).netloc}: {exc}") from None
    return data, url


def _checksums(folder: Path) -> dict[str, str]:
    """`sha256sum` lines (`<hex>  <name>`, `*` for binary mode) of the folder's SHA256SUMS file, if any."""
    try:
        lines = (folder / CHECKSUMS).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return {}
    out = {}
    for line in lines:
        digest, _, name = line.strip().partition(" ")
        if len(digest) == 64 and name:
            out[PurePosixPath(name.strip().lstrip("*")).name] = digest.lower()
    return out
