"""MAC addresses: the IEEE block (MA-S /36, then MA-M /28, then MA-L /24) names the interface maker.

A locally administered address (the 0x02 bit of the first octet, which Apple, Windows and Android
randomization set) says nothing about the maker, so it yields a note and no vendor evidence; the
same for a group (multicast) address.

What a MAC says depends only on its *key*: the prefix of the ruled block it falls in, or the note
that applies. Keys are computed for a whole column with vectorised integer lookups, so a column of
ten million distinct MACs costs a few passes and one evidence lookup per block.
"""
from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from covscan.evidence.base import EvidenceTuple, node_evidence
from covscan.kb import KnowledgeBase
from covscan.model import Evidence, row_value
from covscan.normalize import mac_columns, mac_display, mac_hex

NOTES = {
    "laa": "locally administered address (randomized or set by software): its prefix does not identify a maker, so it gives no vendor evidence",
    "group": "group (multicast) address: not a device's own address, so it gives no vendor evidence",
    "invalid": "not a MAC address (expected 12 hex digits, e.g. 00:11:22:33:44:55, 0011.2233.4455)",
}
_SIZE_NAME = {6: "MA-L", 7: "MA-M", 9: "MA-S"}


class MacExtractor:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    def keys(self, hexed: pl.Series, numbers: pl.Series) -> pl.Series:
        """Each MAC's key, from MACs in the forms normalize.mac_columns gives: the prefix of the block
        a rule names ('001882'), a note ('laa', 'group', 'invalid'), or null when the MAC gives no
        evidence (blank, or a block no rule names). Prefixes are compared as integers; the longest
        registered block decides, ruled or not. Only MACs in a /24 that holds a ruled block are looked up."""
        registry = self.kb.mac_registry
        digits, number = pl.col("hex"), pl.col("number")
        frame = pl.DataFrame({"hex": hexed, "number": numbers})
        first_octet = number // (1 << 40)
        notes = frame.select(
            pl.when(digits.fill_null("") == "").then(None)
            .when(number.is_null()).then(pl.lit("invalid"))
            .when(first_octet % 2 == 1).then(pl.lit("group"))
            .when(first_octet // 2 % 2 == 1).then(pl.lit("laa"))
            .alias(hexed.name)
        ).to_series()
        candidates = frame.select((number // (1 << 24)).is_in(registry.ruled_slash24s.implode()).fill_null(False)).to_series()
        if not candidates.any():
            return notes
        size = pl.coalesce(
            (number // (1 << (48 - 4 * size))).replace_strict(prefixes, ruled.cast(pl.UInt8) * size, default=None)
            for size, (prefixes, ruled) in registry.prefix_table.items()
        )
        blocks = frame.filter(candidates).select(pl.when(size > 0).then(digits.str.slice(0, size).str.to_uppercase())).to_series()
        return notes.scatter(candidates.arg_true(), notes.filter(candidates).fill_null(blocks))

    def extract_keys(self, keys: Sequence[str], field: str) -> list[EvidenceTuple]:
        """Evidence per key, its observed value the row's own MAC (model.row_value), filled in on output."""
        return [self._evidence(key, field, row_value(field)) for key in keys]

    def extract(self, values: Sequence[str], field: str) -> list[EvidenceTuple]:
        """Evidence per MAC found inside other values (SADP replies), each naming its MAC."""
        keys = self.keys(*mac_columns(pl.Series(values, dtype=pl.String))).to_list()
        return [self._evidence(key, field, mac_display(mac_hex(value) or value)) if key else () for key, value in zip(keys, values)]

    def _evidence(self, key: str, field: str, value: str) -> EvidenceTuple:
        if key in NOTES:
            return (Evidence("mac", field, "", note=NOTES[key]),)
        block = self.kb.mac_registry.block(key)
        rule = block.rule
        assert rule is not None
        return (node_evidence(
            self.kb, signal="mac", field=field, value=value, node=rule.node,
            fact_confidence=rule.confidence, factor=self.kb.signal("mac"),
            matched=f"{_SIZE_NAME[len(key)]} {block.display} registered to {block.org!r}", rule=f"mac.{rule.key}",
            source=f"{self.kb.mac_registry.source}; org-name rule {rule.key}: {rule.source}",
            note=rule.note or None,
        ),)
