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
from covscan.kb.mac_registry import Block
from covscan.model import Evidence, row_value
from covscan.normalize import mac_display, mac_hex_expr

_LAA = "locally administered address (randomized or set by software): its prefix does not identify a maker, so it gives no vendor evidence"
_GROUP = "group (multicast) address: not a device's own address, so it gives no vendor evidence"
_INVALID = "not a MAC address (expected 12 hex digits, e.g. 00:11:22:33:44:55, 0011.2233.4455)"


class MacExtractor:
    """`per_row`: the observed value in evidence is the row's own (see model.row_value), so all
    MACs of a block share one evidence group; off for MACs embedded in other values (SADP replies)."""

    def __init__(self, kb: KnowledgeBase, per_row: bool = False) -> None:
        self.kb = kb
        self.per_row = per_row

    def extract(self, values: Sequence[str], field: str) -> list[EvidenceTuple]:
        table, blocks = self.kb.mac_registry.join_table
        frame = pl.DataFrame({"v": pl.Series(values, dtype=pl.String)}).with_columns(
            hex=mac_hex_expr("v")
        ).with_columns(
            valid=pl.col("hex").str.contains(r"^[0-9A-F]{12}$"),
            second=pl.col("hex").str.slice(1, 1),
        )
        for size in (9, 7, 6):  # longest prefix first: MA-S, MA-M, MA-L
            sized = table.filter(pl.col("size") == size).select(pl.col("prefix").alias(f"p{size}"), pl.col("block").alias(f"b{size}"))
            frame = frame.with_columns(pl.col("hex").str.slice(0, size).alias(f"p{size}")).join(sized, on=f"p{size}", how="left", maintain_order="left")
        frame = frame.select(
            "v", "hex", "valid", "second", block=pl.coalesce("b9", "b7", "b6"),
        ).with_columns(
            kind=pl.when(~pl.col("valid")).then(pl.lit("invalid"))
            .when(pl.col("second").is_in(list("13579BDF"))).then(pl.lit("group"))
            .when(pl.col("second").is_in(list("2367ABEF"))).then(pl.lit("laa"))
            .when(pl.col("block") >= 0).then(pl.lit("block"))
        )
        notes = {kind: (Evidence("mac", field, "", note=text),) for kind, text in (("invalid", _INVALID), ("group", _GROUP), ("laa", _LAA))}
        out: list[EvidenceTuple] = [()] * len(values)
        flagged = frame.with_row_index("i").filter(pl.col("kind").is_not_null())
        per_block: dict[int, EvidenceTuple] = {}  # per-row evidence is the same for every MAC of a block
        for i, value, hex12, kind, block in flagged.select("i", "v", "hex", "kind", "block").iter_rows():
            if kind == "block" and self.per_row:
                if block not in per_block:
                    per_block[block] = (self._evidence(blocks[block], field, row_value(field)),)
                out[i] = per_block[block]
            elif kind == "block":
                out[i] = (self._evidence(blocks[block], field, mac_display(hex12)),)
            elif value.strip():
                out[i] = notes[kind]
        return out

    def _evidence(self, block: Block, field: str, value: str) -> Evidence:
        rule = block.rule
        assert rule is not None
        size = {24: "MA-L", 28: "MA-M", 36: "MA-S"}[block.bits]
        return node_evidence(
            self.kb, signal="mac", field=field, value=value, node=rule.node,
            fact_confidence=rule.confidence, factor=self.kb.signal("mac"),
            matched=f"{size} {block.display} registered to {block.org!r}", rule=f"mac.{rule.key}",
            source=f"{self.kb.mac_registry.source}; org-name rule {rule.key}: {rule.source}",
            note=rule.note or None,
        )
