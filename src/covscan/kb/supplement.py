"""The knowledge base's second stage: curated facts that refer to the loaded graph (its vendors,
entries and names), so they are read and checked once it is built, from the same data files and
the same folder (the message names the file and the entry):

- covered_list.yaml `conditional_approvals`: DoW/DHS Conditional Approvals that except a holder's
  items from a category entry (routers: NETGEAR's Nighthawk and Orbi series), with the series they
  are reported to cover, their dates, source and confidence;
- categories.yaml `not_equipment`: words that say a listing sells a protection plan or a gift card,
  not equipment;
- other_vendors.yaml `sellers`: known vendors that sell under their own name devices that others
  produce (a carrier's ZTE-built hotspot), so that their name is not read as a rival producer.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from covscan.kb import KBError, KnowledgeBase
from covscan.kb.loader import check_confidence, check_date, _data_dir, require_keys, read_yaml
from covscan.normalize import tokens

Phrase = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ConditionalApproval:
    """A DoW/DHS Conditional Approval of a holder's items under a category entry. `series` are names
    of the holder (other_vendors.yaml) that the approval is reported to cover; empty when the sources
    read do not say which models it covers. `confidence` is how surely the approval covers the named
    series (without series: how surely the holder holds one)."""

    id: str
    entry: int
    category: str
    holder: str
    date: str
    until: str | None
    series: tuple[str, ...]
    detail: str
    source: str
    confidence: str

    def current(self, today: dt.date | None = None) -> bool:
        return self.until is None or dt.date.fromisoformat(self.until) >= (today or dt.date.today())


@dataclass(frozen=True, slots=True)
class NotEquipment:
    """Words that say a listing sells something that is not equipment (a protection plan, a gift card)."""

    id: str
    terms: tuple[Phrase, ...]
    text: str
    source: str
    confidence: str


@dataclass(frozen=True, slots=True)
class Seller:
    """A known vendor whose name is on devices that others produce (a carrier)."""

    vendor: str
    what: str
    date: str
    source: str
    confidence: str


@dataclass(frozen=True, slots=True)
class Supplement:
    approvals: tuple[ConditionalApproval, ...] = ()
    not_equipment: tuple[NotEquipment, ...] = ()
    sellers: dict[str, Seller] | None = None

    def approvals_for(self, category: str) -> list[ConditionalApproval]:
        return [a for a in self.approvals if a.category == category]


def _entry(obj: Any, keys: tuple[str, ...], optional: tuple[str, ...], where: str) -> dict[str, Any]:
    """A mapping with these keys and no others, and a known confidence (the loader's checks)."""
    if not isinstance(obj, dict):
        raise KBError(f"{where}: expected a mapping")
    require_keys(obj, keys, where, optional=optional)
    check_confidence(obj["confidence"], where)
    return obj


def _day(value: Any, where: str) -> str:
    """A full date (YYYY-MM-DD)."""
    text = check_date(value, where)
    if len(text) != 10:
        raise KBError(f"{where}: date {text!r} is not YYYY-MM-DD")
    return text


def load_supplement(kb: KnowledgeBase, data_dir: Path | None = None) -> Supplement:
    root = data_dir or kb.raw.data_dir or _data_dir()
    covered = read_yaml(root / "covered_list.yaml")
    entries = {e.entry: e for e in kb.entries}
    approvals = []
    for i, a in enumerate(covered.get("conditional_approvals") or ()):
        where = f"covered_list.yaml conditional approval #{i + 1} ({a.get('id', '?') if isinstance(a, dict) else '?'})"
        _entry(a, ("id", "entry", "holder", "date", "detail", "source", "confidence"), ("until", "series"), where)
        entry = entries.get(int(a["entry"]))
        if entry is None or entry.scope != "category":
            raise KBError(f"{where}: entry {a['entry']} is not a category entry of the Covered List")
        holder = kb.nodes.get(a["holder"])
        if holder is None or holder.kind != "other-vendor":
            raise KBError(f"{where}: holder {a['holder']!r} is not a vendor of other_vendors.yaml")
        names = {al.tokens for al in kb.aliases if al.node == holder.id}
        series = tuple(str(s) for s in a.get("series") or ())
        for s in series:
            if tokens(s) not in names:
                raise KBError(f"{where}: series {s!r} is not a name of {holder.id} (series are recognised as the holder's names)")
        approvals.append(ConditionalApproval(
            str(a["id"]), int(a["entry"]), entry.entity, holder.id, check_date(a["date"], where),
            _day(a["until"], where) if a.get("until") else None, series, str(a["detail"]),
            str(a["source"]), str(a["confidence"]),
        ))

    cats = read_yaml(root / "categories.yaml")
    not_equipment = []
    for i, n in enumerate(cats.get("not_equipment") or ()):
        where = f"categories.yaml not_equipment #{i + 1} ({n.get('id', '?') if isinstance(n, dict) else '?'})"
        _entry(n, ("id", "terms", "text", "source", "confidence"), (), where)
        terms = tuple(tokens(str(t)) for t in n["terms"])
        if any(not t for t in terms):
            raise KBError(f"{where}: an empty word in terms")
        not_equipment.append(NotEquipment(str(n["id"]), terms, str(n["text"]), str(n["source"]), str(n["confidence"])))

    vendors = read_yaml(root / "other_vendors.yaml")
    sellers = {}
    for i, s in enumerate(vendors.get("sellers") or ()):
        where = f"other_vendors.yaml seller #{i + 1} ({s.get('vendor', '?') if isinstance(s, dict) else '?'})"
        _entry(s, ("vendor", "what", "date", "source", "confidence"), (), where)
        node = kb.nodes.get(s["vendor"])
        if node is None or node.kind != "other-vendor":
            raise KBError(f"{where}: {s['vendor']!r} is not a vendor of other_vendors.yaml")
        sellers[node.id] = Seller(node.id, str(s["what"]), check_date(s["date"], where), str(s["source"]), str(s["confidence"]))
    return Supplement(tuple(approvals), tuple(not_equipment), sellers)


@lru_cache(maxsize=4)
def supplement(kb: KnowledgeBase) -> Supplement:
    """The supplement for this knowledge base, read and checked once per loaded knowledge base."""
    return load_supplement(kb)
