"""The covered-entity knowledge base: curated facts (regimes, Covered List, entity graph) plus
identifier tables, loaded once and indexed for the extractors.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from covscan.kb.loader import (
    RELATIONS_REVIEW,
    Alias,
    Entry,
    Identifier,
    KBError,
    Node,
    RawKB,
    Regime,
    load_raw,
)
from covscan.kb.mac_registry import MacRegistry

__all__ = ["KBError", "KnowledgeBase", "Resolution", "load"]


@dataclass(frozen=True, slots=True)
class Resolution:
    """Where a matched node leads: the Covered List entity, how it is related, how sure the link is."""

    entity: str
    relation: str
    edge_confidence: str
    edge_source: str | None
    path: tuple[str, ...]

    @property
    def indirect(self) -> bool:
        """OEM partners, former subsidiaries and chip suppliers only ever give `review`."""
        return self.relation in RELATIONS_REVIEW


_LEVEL_ORDER = ("high", "medium", "low", "unverified")


class KnowledgeBase:
    def __init__(self, raw: RawKB) -> None:
        self.raw = raw
        self.version = raw.version
        # What the data is complete through (manifest.yaml `as_of`), for reports and `kb show`.
        self.as_of: str = raw.as_of
        self.regimes: dict[str, Regime] = raw.regimes
        self.nodes: dict[str, Node] = raw.nodes
        self.aliases: list[Alias] = raw.aliases
        self.scoring = raw.scoring
        self.covered_uses = raw.covered_uses
        self.entries_by_entity: dict[str, list[Entry]] = {}
        for e in raw.entries:
            self.entries_by_entity.setdefault(e.entity, []).append(e)
            for named in e.named_entities:
                self.entries_by_entity.setdefault(named, []).append(e)
        self.grantees = {i.key: i for i in raw.identifiers["grantee"]}
        self.pens = {i.key: i for i in raw.identifiers["pen"]}
        self.usb = {i.key: i for i in raw.identifiers["usb"]}
        self.models: list[Identifier] = raw.identifiers["model"]
        self.mac_org_rules: list[Identifier] = raw.identifiers["mac_org"]
        self.fingerprints: dict[str, list[Identifier]] = {}
        for rule in raw.identifiers["fingerprint"]:
            self.fingerprints.setdefault(rule.label, []).append(rule)

    @property
    def entries(self) -> list[Entry]:
        return self.raw.entries

    @cached_property
    def mac_registry(self) -> MacRegistry:
        return MacRegistry(self.mac_org_rules)

    # ------------------------------------------------------------------ graph

    def resolve(self, node_id: str) -> Resolution | None:
        """Follow edges from a company or brand to its Covered List entity (None for other vendors)."""
        node = self.nodes[node_id]
        if node.kind == "other-vendor":
            return None
        path = [node_id]
        relation, level, source = "parent", "high", None
        current = node
        while current.edges:
            edge = current.edges[0]
            if relation == "parent" or edge.relation in RELATIONS_REVIEW:
                relation = edge.relation
            level = max(level, edge.confidence, key=_LEVEL_ORDER.index)
            source = source or edge.source
            current = self.nodes[edge.to]
            path.append(current.id)
        if current.id not in self.entries_by_entity:
            return None
        return Resolution(current.id, relation, level, source, tuple(path))

    def scope(self, entity: str) -> str:
        """The entity's legal scope; producers named inside a category entry (DJI, Autel) are unconditional."""
        entry = self.entries_by_entity[entity][0]
        return "unconditional" if entry.entity != entity else entry.scope

    def category_naming(self, entity: str) -> str | None:
        """The category entry that names this maker (the UAS entry for DJI and Autel Robotics), if any."""
        entries = self.entries_by_entity.get(entity)
        if not entries:
            return None
        entry = entries[0]
        return entry.entity if entry.entity != entity and entry.scope == "category" else None

    def fact(self, level: str) -> float:
        return float(self.scoring["fact_confidence"][level])

    def edge(self, level: str) -> float:
        return float(self.scoring["edge_factor"][level])

    def signal(self, kind: str) -> float:
        return float(self.scoring["signal_factor"][kind])

    def display_name(self, node_id: str | None) -> str:
        if node_id is None:
            return "-"
        node = self.nodes.get(node_id)
        return node.name if node else node_id


@lru_cache(maxsize=4)
def load(data_dir: Path | None = None) -> KnowledgeBase:
    """Load and check the knowledge base once per process."""
    return KnowledgeBase(load_raw(data_dir))
