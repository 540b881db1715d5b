"""The lists a party run screens against, and what a hit on each means: the files named with
--list (or those `covscan data update` installed) plus the knowledge base's own parties."""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from covscan.kb import KnowledgeBase
from covscan.kb.loader import KBError
from covscan.lists import ListSnapshot, installed_lists, read_lists
from covscan.lists.knowledge_base import LIST_CODE, knowledge_base_entries
from covscan.lists.model import ListEntry
from covscan.model import Context, RegimeHit

DATA_FILE = Path(__file__).resolve().parents[1] / "kb" / "data" / "party_lists.yaml"


@dataclass
class ListCatalogue:
    """Every entry screened against, where each list came from, and the regime each list cites."""

    snapshots: list[ListSnapshot]
    kb: KnowledgeBase
    kb_entries: list[ListEntry]
    list_regimes: dict[str, str] = field(default_factory=dict)
    affiliates_rule: str = ""

    @property
    def entries(self) -> list[ListEntry]:
        return [e for s in self.snapshots for e in s.entries] + self.kb_entries

    def summary(self) -> str:
        """The lists in one line, for explanations and the run header."""
        parts = []
        for s in self.snapshots:
            codes = Counter(e.list_code for e in s.entries)
            listed = ", ".join(f"{c} {n:,}" for c, n in codes.most_common())
            parts.append(f"{Path(s.path).name} ({s.format}{', ' + s.as_of if s.as_of else ''}: {listed})")
        parts.append(f"the knowledge base's {len(self.kb_entries):,} parties (FCC Covered List, section 889, DoD 1260H)")
        return "; ".join(parts)

    def size(self) -> str:
        """How many entries were screened against, in a few words (each clear row says it)."""
        listed = sum(len(s.entries) for s in self.snapshots)
        return (f"{listed:,} entries of {len(self.snapshots)} list{'s' if len(self.snapshots) != 1 else ''} and "
                f"the knowledge base's {len(self.kb_entries):,} parties")

    def regimes(self, entry: ListEntry, context: Context) -> list[RegimeHit]:
        """The regimes a hit on this entry cites that matter in the user's context."""
        if entry.list_code == LIST_CODE:
            ids = list(entry.programs)
            resolution = self.kb.resolve(entry.entry_id) if entry.entry_id in self.kb.nodes else None
            if resolution is not None:
                for covered in self.kb.entries_by_entity.get(resolution.entity, ())[:1]:
                    ids += covered.regimes
        else:
            ids = [self.list_regimes[entry.list_code]] if entry.list_code in self.list_regimes else []
        hits = []
        for rid in dict.fromkeys(ids):
            regime = self.kb.regimes.get(rid)
            if regime is not None and context.value in regime.relevant_in:
                hits.append(RegimeHit(regime.id, regime.name, regime.effects[context.value], regime.authority, regime.source))
        return hits


def open_catalogue(paths: Sequence[Path], kb: KnowledgeBase) -> ListCatalogue:
    """The lists named (or, with none named, those installed), the knowledge base's parties, and
    the list-to-regime table of party_lists.yaml."""
    snapshots = read_lists(paths) if paths else installed_lists()
    data = _data()
    for code, spec in data["lists"].items():
        if spec["regime"] not in kb.regimes:
            raise KBError(f"party_lists.yaml: list {code}: unknown regime {spec['regime']!r}")
    return ListCatalogue(snapshots, kb, knowledge_base_entries(kb), {c: s["regime"] for c, s in data["lists"].items()},
                         data["affiliates_rule"]["text"])


def _data() -> dict[str, Any]:
    try:
        data = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
        _ = data["lists"], data["affiliates_rule"]["text"]
        return data
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise KBError(f"{DATA_FILE.name}: {exc}") from None
