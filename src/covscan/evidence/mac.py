"""MAC addresses: the IEEE block (MA-S /36, then MA-M /28, then MA-L /24) names the interface maker.

A locally administered address (the 0x02 bit of the first octet, which Apple, Windows and Android
randomization set) says nothing about the maker, so it yields a note and no vendor evidence; the
same for a group (multicast) address.
"""
from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from covscan.evidence.base import EvidenceTuple, node_evidence
from covscan.kb import KnowledgeBase
from covscan.model import Evidence
from covscan.normalize import mac_display

_LAA = "locally administered address (randomized or set by software): its prefix does not identify a maker, so it gives no vendor evidence"
_GROUP = "group (multicast) address: not a device's own address, so it gives no vendor evidence"
_INVALID = "not a MAC address (expected 12 hex digits, e.g. 00:11:22:33:44:55, 0011.2233.4455)"


class MacExtractor:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    def extract(self, values: Sequence[str], field: str) -> list[EvidenceTuple]:
        frame = pl.DataFrame({"v": pl.Series(values, dtype=pl.String)}).with_columns(
            hex=pl.col("v").str.replace_all(r"[:\-.\s]", "").str.to_uppercase()
        ).with_columns(
            valid=pl.col("hex").str.contains(r"^[0-9A-F]{12}$"),
            second=pl.col("hex").str.slice(1, 1),
        ).with_columns(
            laa=pl.col("second").is_in(list("2367ABEF")),
            group=pl.col("second").is_in(list("13579BDF")),
        )
        registry = self.kb.mac_registry
        out: list[EvidenceTuple] = []
        for value, hex12, valid, laa, group in frame.select("v", "hex", "valid", "laa", "group").iter_rows():
            if not valid:
                out.append((Evidence("mac", field, value, note=_INVALID),) if value.strip() else ())
            elif group:
                out.append((Evidence("mac", field, value, note=_GROUP),))
            elif laa:
                out.append((Evidence("mac", field, value, note=_LAA),))
            else:
                block = registry.lookup(hex12)
                out.append(() if block is None or block.rule is None else (self._evidence(block, field, value, hex12),))
        return out

    def _evidence(self, block, field: str, value: str, hex12: str) -> Evidence:  # type: ignore[no-untyped-def]
        rule = block.rule
        size = {24: "MA-L", 28: "MA-M", 36: "MA-S"}[block.bits]
        return node_evidence(
            self.kb, signal="mac", field=field, value=mac_display(hex12), node=rule.node,
            fact_confidence=rule.confidence, factor=self.kb.signal("mac"),
            matched=f"{size} {block.display} registered to {block.org!r}", rule=f"mac.{rule.key}",
            source=f"{self.kb.mac_registry.source}; org-name rule {rule.key}: {rule.source}",
            note=rule.note or None,
        )
