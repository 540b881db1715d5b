"""The user's data directory: dated snapshots of each official file, the knowledge-data versions
built from them, and which version is active.

    <data dir>/snapshots/<source>/<UTC time>-<sha256[:12]>.<ext>   the file as fetched, and .json beside it
    <data dir>/versions/<version>/manifest.json                    which snapshot of each source it holds
    <data dir>/versions/<version>/<source>.parquet                 the table parsed from that snapshot
    <data dir>/active                                              the active version's name

A version is written under a temporary name and renamed into place whole; `active` is replaced
atomically, so a screen always sees one complete version (or the embedded default, with none).
The directory is $COVSCAN_DATA_DIR, else $XDG_DATA_HOME/covscan, else ~/.local/share/covscan."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from covscan.atomic import AtomicFile

BUILTIN = "builtin"  # the name of the embedded default (no version active)


def data_dir() -> Path:
    given = os.environ.get("COVSCAN_DATA_DIR")
    if given:
        return Path(given)
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "covscan"


@dataclass(frozen=True)
class Snapshot:
    """One fetched file of a source, as kept."""

    source: str
    file: str  # name within snapshots/<source>/
    fetched: str  # ISO 8601 UTC
    origin: str  # the URL, or the local file it was taken from
    sha256: str
    bytes: int
    records: int

    @property
    def day(self) -> str:
        return self.fetched[:10]


@dataclass(frozen=True)
class Version:
    name: str
    created: str
    snapshots: dict[str, Snapshot]
    path: Path
    base: str  # the version it was built on (what `data diff` compares it with), or builtin

    def table(self, source: str) -> pl.DataFrame | None:
        if source not in self.snapshots:
            return None
        return pl.read_parquet(self.path / f"{source}.parquet")


class DataStore:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root or data_dir()

    # ------------------------------------------------------------------ snapshots

    def save_snapshot(self, source: str, data: bytes, origin: str, records: int, suffix: str) -> Snapshot:
        folder = self.root / "snapshots" / source
        folder.mkdir(parents=True, exist_ok=True)
        now = datetime.now(UTC)
        digest = hashlib.sha256(data).hexdigest()
        name = f"{now:%Y%m%dT%H%M%SZ}-{digest[:12]}{suffix}"
        snapshot = Snapshot(source, name, now.isoformat(timespec="seconds"), origin, digest, len(data), records)
        _write(folder / name, data)
        _write(folder / f"{name}.json", json.dumps(asdict(snapshot), indent=1).encode())
        return snapshot

    def snapshot_bytes(self, snapshot: Snapshot) -> bytes:
        return (self.root / "snapshots" / snapshot.source / snapshot.file).read_bytes()

    # ------------------------------------------------------------------ versions

    def build_version(self, snapshots: dict[str, Snapshot], tables: dict[str, pl.DataFrame], base: Version | None) -> Version:
        """A version holding these snapshots' tables and, for the sources not given, the base
        version's; named by the day and a hash of every snapshot it holds. Already there: reused."""
        held = {**(base.snapshots if base else {}), **snapshots}
        digest = hashlib.sha256("|".join(f"{s}={held[s].sha256}" for s in sorted(held)).encode()).hexdigest()[:10]
        name = f"{datetime.now(UTC):%Y.%m.%d}-{digest}"
        existing = next((v for v in self.versions() if v.name.endswith(digest)), None)
        if existing:
            return existing
        versions = self.root / "versions"
        versions.mkdir(parents=True, exist_ok=True)
        staging = versions / f".{name}.{os.getpid()}.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        try:
            for source in held:
                if source in tables:
                    tables[source].write_parquet(staging / f"{source}.parquet")
                else:
                    shutil.copy2(base.path / f"{source}.parquet", staging / f"{source}.parquet")  # type: ignore[union-attr]
            created = datetime.now(UTC).isoformat(timespec="seconds")
            manifest = {"version": name, "created": created, "base": base.name if base else BUILTIN, "snapshots": {s: asdict(v) for s, v in sorted(held.items())}}
            (staging / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
            os.replace(staging, versions / name)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return self.version(name)

    def version(self, name: str) -> Version:
        path = self.root / "versions" / name
        try:
            manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
            snapshots = {s: Snapshot(**v) for s, v in manifest["snapshots"].items()}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise LookupError(f"no usable knowledge-data version {name!r} in {self.root / 'versions'} ({exc.__class__.__name__})") from None
        return Version(name, manifest["created"], snapshots, path, manifest.get("base", BUILTIN))

    def versions(self) -> list[Version]:
        """Every complete version, oldest first."""
        folder = self.root / "versions"
        if not folder.is_dir():
            return []
        found = []
        for path in folder.iterdir():
            if path.name.startswith(".") or not path.is_dir():
                continue
            try:
                found.append(self.version(path.name))
            except LookupError:
                continue
        return sorted(found, key=lambda v: (v.created, v.name))

    # ------------------------------------------------------------------ the active version

    def active(self) -> Version | None:
        """The active version, None for the embedded default. A pointer to a version that is gone
        or damaged is an error, not a silent fall back to older data."""
        try:
            name = (self.root / "active").read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return None if name in ("", BUILTIN) else self.version(name)

    def activate(self, name: str) -> None:
        if name != BUILTIN:
            self.version(name)  # it must exist and be whole
        self.root.mkdir(parents=True, exist_ok=True)
        _write(self.root / "active", f"{name}\n".encode())


def _write(path: Path, data: bytes) -> None:
    out = AtomicFile(path, binary=True)
    try:
        out.handle.write(data)
    except BaseException:
        out.discard()
        raise
    out.commit()
