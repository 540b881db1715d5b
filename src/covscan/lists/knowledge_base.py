"""The knowledge base's own parties as list entries: the Covered List producers and providers, their
subsidiaries, affiliates and brands, the section 889 parents and the DoD 1260H entries, none of
which the Consolidated Screening List contains (it lists export-control and sanctions parties)."""
from __future__ import annotations

from covscan.kb import KnowledgeBase
from covscan.lists.model import ListEntry

LIST_CODE = "KB"
LIST_NAME = "covscan knowledge base: FCC Covered List entities with their subsidiaries, affiliates and brands; NDAA section 889; DoD 1260H"
COVERED_LIST_URL = "https://www.fcc.gov/supplychain/coveredlist"
# Names this short are common letters ("HW", "ZTE" is kept: three letters, but not standalone).
SHORT_STANDALONE = 3


def knowledge_base_entries(kb: KnowledgeBase) -> list[ListEntry]:
    """One entry per company or brand node that leads to a covered entity or carries a listing of its own."""
    names: dict[str, list[str]] = {}
    for alias in kb.aliases:
        if alias.standalone and len(alias.name) <= SHORT_STANDALONE:
            continue
        names.setdefault(alias.node, []).append(alias.name)
    entries: list[ListEntry] = []
    for node in kb.nodes.values():
        if node.kind != "covered-group" or node.trap:
            continue
        resolution = kb.resolve(node.id)
        if resolution is None and not node.memberships:
            continue
        parent = ""
        relation = ""
        if resolution is not None and resolution.entity != node.id:
            parent, relation = kb.display_name(resolution.entity), resolution.relation
        programs = tuple(dict.fromkeys(m["regime"] for m in node.memberships if not m.get("until")))
        if resolution is not None:
            programs = tuple(dict.fromkeys(("fcc_covered_list", *programs)))
        aliases = tuple(n for n in dict.fromkeys(names.get(node.id, ())) if n != node.name)
        entries.append(ListEntry(
            list_code=LIST_CODE, list_name=LIST_NAME, entry_id=node.id, name=node.name, aliases=aliases, kind="entity",
            programs=programs, source_list_url=COVERED_LIST_URL if resolution is not None else "",
            remarks=_memberships(node.memberships), parent=parent, relation=relation, confidence=node.confidence,
            source=f"covscan knowledge base {kb.version}: {node.source}", as_of=kb.as_of,
        ))
    return entries


def _memberships(memberships: list[dict]) -> str:
    return "; ".join(f"{m['regime']}: {m.get('detail', '')} ({m.get('date', '')})" for m in memberships)
