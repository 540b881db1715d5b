"""One-off checks of single values, run through the same engine as a file (a batch of one row per value)."""
from __future__ import annotations

import re
from collections.abc import Sequence

import polars as pl

from covscan.engine import Engine, ScreenSettings
from covscan.kb import KnowledgeBase
from covscan.model import Finding
from covscan.normalize import FccId, mac_hex, parse_fcc_id, valid_text

_FIELD_OF_KIND = {"mac": "mac", "fcc_id": "fcc_id", "model": "model", "name": "vendor", "software": "software",
                  "service": "service_provider", "sysobjectid": "sysobjectid", "usb_id": "usb_id"}
_USB = re.compile(r"^(?:[0-9a-f]{4}:[0-9a-f]{4}|(?:usb\\)?vid_[0-9a-f]{4}.*|pci\\ven_[0-9a-f]{4}.*)$", re.I)


def classify(kb: KnowledgeBase, value: str) -> list[str]:
    """The fields a bare value is read as: a MAC, OID or USB id is unmistakable; anything else is
    tried as an FCC ID (when its grantee code is known), a model number and a name."""
    text = value.strip()
    if mac_hex(text) and (re.search(r"[:\-.]", text) or re.fullmatch(r"[0-9A-Fa-f]{12}", text)):
        return ["mac"]
    if re.match(r"^\.?1\.3\.6\.1\.4\.1\.\d+", text):
        return ["sysobjectid"]
    if _USB.match(text):
        return ["usb_id"]
    fields = ["model", "vendor"]
    parsed = parse_fcc_id(text)
    if text.lower().startswith(("fcc", "contains")) or (isinstance(parsed, FccId) and parsed.grantee in kb.grantees and " " not in text):
        fields.insert(0, "fcc_id")
    return fields


def lookup_values(kb: KnowledgeBase, values: Sequence[str], kind: str, settings: ScreenSettings) -> list[tuple[str, list[str], Finding]]:
    values = [valid_text(v) for v in values]
    plans = [(v, classify(kb, v) if kind == "auto" else [_FIELD_OF_KIND[kind]]) for v in values]
    fields = sorted({f for _, fs in plans for f in fs})
    frame = pl.DataFrame({f: pl.Series(f, [v if f in fs else None for v, fs in plans], dtype=pl.String) for f in fields})
    engine = Engine(kb, {f: f for f in fields}, settings)
    result = engine.screen(frame)
    rows = frame.to_dicts()
    return [(v, fs, engine.concrete(i, row)) for (v, fs), i, row in zip(plans, result["finding"].to_list(), rows)]
