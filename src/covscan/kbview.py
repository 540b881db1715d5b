"""Human views of the knowledge base for `covscan kb show / search / why`."""
from __future__ import annotations

from typing import Any

import re

from rich.console import Console
from rich.table import Table

from covscan.evidence.models import ModelMatcher
from covscan.evidence.names import NameMatcher
from covscan.kb import KnowledgeBase
from covscan.kb.loader import Node
from covscan.normalize import FccId, fold, parse_fcc_id


def _find(kb: KnowledgeBase, name: str) -> Node | None:
    if name in kb.nodes:
        return kb.nodes[name]
    if name.isdigit():
        entry = next((e for e in kb.entries if e.entry == int(name)), None)
        return kb.nodes[entry.entity] if entry else None
    matches = NameMatcher(kb).match(name)
    return kb.nodes[matches[0].alias.node] if matches else None


def _group(kb: KnowledgeBase, entity: str) -> list[str]:
    """The entity and every company or brand that leads to it."""
    return [n for n in kb.nodes if (r := kb.resolve(n)) is not None and r.entity == entity]


def _listings(kb: KnowledgeBase, node: Any, p: Any) -> None:
    """A node's listings under other regimes (Entity List, 1260H...), covered or not."""
    if node.memberships:
        p("\nOther listings", style="bold")
        for m in node.memberships:
            count = f", {m['count']} entities" if m.get("count") else ""
            p(f"  {m['date']} {kb.regimes[m['regime']].name}: {m['detail']}{count} ({m['source']}; {m['confidence']})")


def show_node(kb: KnowledgeBase, name: str, out: Console) -> bool:
    node = _find(kb, name)
    if node is None:
        return False
    p = lambda text, **kw: out.print(text, highlight=False, markup=False, **kw)  # noqa: E731
    if node.kind == "other-vendor":
        p(f"{node.name} ({node.id}) is not on the Covered List.", style="bold")
        if node.trap:
            p(f"It is a known lookalike of {kb.display_name(node.lookalike_of)}: {node.reason}")
        p(f"names: {', '.join(a.name for a in kb.aliases if a.node == node.id)}")
        p(f"source: {node.source} ({node.confidence})", style="dim")
        _listings(kb, node, p)
        return True
    resolution = kb.resolve(node.id)
    if resolution is None:
        return False
    if resolution.entity != node.id:
        edge = node.edges[0]
        dates = " ".join(x for x in (f"since {edge.since}" if edge.since else "", f"until {edge.until}" if edge.until else "") if x)
        p(f"{node.name} ({node.id}): {edge.relation} of {kb.display_name(resolution.entity)} {dates}".rstrip(), style="bold")
        p(f"  link confidence {resolution.edge_confidence}; source: {edge.source}")
        p(f"  names: {', '.join(a.name for a in kb.aliases if a.node == node.id)}\n")
        node = kb.nodes[resolution.entity]
    entity = node.id
    p(f"{node.name} ({entity})", style="bold")
    for e in kb.entries_by_entity[entity]:
        named = "" if e.entity == entity else f" (named producer under entry {e.entry})"
        p(f"\nCovered List entry {e.entry}{named}: {e.listed_as}", style="bold")
        p(f"  covered: {e.covered}")
        p(f"  added {e.date_added}; scope {e.scope}; basis: {e.basis}")
        if e.exceptions:
            p(f"  exceptions: {e.exceptions}")
        p(f"  source: {e.source} ({e.confidence})", style="dim")
        for note in e.notes:
            p(f"  note: {note['text']} ({note.get('source', '')}; {note.get('confidence', '')})", style="dim")
        p("  regimes: " + ", ".join(kb.regimes[r].name for r in e.regimes))
    _listings(kb, node, p)
    group = _group(kb, entity)
    table = Table(title="Names, companies and brands that lead to it")
    for col in ("id", "name", "relation", "link conf.", "names", "source"):
        table.add_column(col, overflow="fold")
    for nid in group:
        r = kb.resolve(nid)
        assert r is not None
        table.add_row(nid, kb.nodes[nid].name, r.relation, r.edge_confidence,
                      "; ".join(a.name for a in kb.aliases if a.node == nid), r.edge_source or kb.nodes[nid].source)
    out.print(table)
    ids = Table(title="Identifiers")
    for col in ("kind", "value", "via", "conf.", "source"):
        ids.add_column(col, overflow="fold")
    for kind, table_ in (("FCC grantee", kb.grantees), ("IANA PEN", kb.pens), ("USB/PCI id", kb.usb)):
        for key, ident in sorted(table_.items()):
            if ident.node in group:
                ids.add_row(kind, key, ident.node, ident.confidence, ident.source)
    for pattern in kb.models:
        if pattern.node in group:
            ids.add_row("model pattern", f"{pattern.key}: {pattern.label}", pattern.node, pattern.confidence + (" (needs corroboration)" if pattern.corroborate else ""), pattern.source)
    blocks = kb.mac_registry.blocks_for(set(group))
    sizes: dict[int, int] = {}
    for b in blocks:
        sizes[b.bits] = sizes.get(b.bits, 0) + 1
    if blocks:
        ids.add_row("MAC blocks", ", ".join(f"{n} x /{bits}" for bits, n in sorted(sizes.items())), "org-name rules", "high", kb.mac_registry.source)
    out.print(ids)
    return True


def search(kb: KnowledgeBase, text: str, out: Console) -> bool:
    needle = fold(text)
    table = Table(title=f"Knowledge base entries matching {text!r}")
    for col in ("id", "name", "kind", "leads to"):
        table.add_column(col, overflow="fold")
    seen: set[str] = set()
    for node in kb.nodes.values():
        names = [node.id, node.name] + [a.name for a in kb.aliases if a.node == node.id]
        if node.id not in seen and any(needle in fold(n) for n in names):
            seen.add(node.id)
            r = kb.resolve(node.id)
            leads = f"{r.entity} ({r.relation})" if r else ("lookalike - not covered" if node.trap else "not covered")
            table.add_row(node.id, node.name, node.kind, leads)
    if seen:
        out.print(table)
    return bool(seen)


def why(kb: KnowledgeBase, value: str, out: Console) -> bool:
    p = lambda text: out.print(text, highlight=False, markup=False)  # noqa: E731
    text = value.strip()
    found = False
    code = text.upper()
    grantee = kb.grantees.get(code)
    parsed = parse_fcc_id(text)
    if grantee is None and isinstance(parsed, FccId):
        grantee = kb.grantees.get(parsed.grantee)
    if grantee is not None:
        found = True
        p(f"FCC grantee code {grantee.key} = {grantee.label} -> {_leads(kb, grantee.node)} [confidence {grantee.confidence}]")
        p(f"  source: {grantee.source}" + (f"\n  note: {grantee.note}" if grantee.note else ""))
    pen = re.match(r"^(?:\.?1\.3\.6\.1\.4\.1\.)?(\d+)", text)
    if pen and (ident := kb.pens.get(str(int(pen.group(1))))):
        found = True
        p(f"IANA enterprise number {ident.key} ({ident.label}) -> {_leads(kb, ident.node)} [confidence {ident.confidence}]\n  source: {ident.source}")
    usb = re.match(r"^(?:vid_|0x)?([0-9a-f]{4})(?::[0-9a-f]{4})?$", text, re.I)
    for bus in ("usb", "pci"):
        if usb and (ident := kb.usb.get(f"{bus}:{usb.group(1).lower()}")):
            found = True
            p(f"{bus.upper()} vendor id {usb.group(1).lower()} ({ident.label}) -> {_leads(kb, ident.node)}\n  source: {ident.source}")
    digits = re.sub(r"[:\-.\s]", "", text).upper()
    if re.fullmatch(r"[0-9A-F]{6}|[0-9A-F]{7}|[0-9A-F]{9}|[0-9A-F]{12}", digits):
        block = kb.mac_registry.lookup(digits.ljust(12, "0"))
        if block is not None:
            found = True
            target = _leads(kb, block.rule.node) if block.rule else "no org-name rule: not covered evidence"
            p(f"MAC block {block.display} registered to {block.org!r} -> {target}")
            p(f"  source: {kb.mac_registry.source}" + (f"; rule {block.rule.key} ({block.rule.label}): {block.rule.source}" if block.rule else ""))
    for (pattern, matched) in ModelMatcher(kb).match([text], in_text=False)[0]:
        found = True
        p(f"model pattern {pattern.key} ({pattern.label}) matches {matched!r} -> {_leads(kb, pattern.node)} [confidence {pattern.confidence}{', needs corroboration' if pattern.corroborate else ''}]")
        p(f"  source: {pattern.source}" + (f"\n  caveat: {pattern.note}" if pattern.note else ""))
    for m in NameMatcher(kb).match(text):
        found = True
        p(f"name {m.alias.name!r} ({m.kind}) -> {_leads(kb, m.alias.node)} [confidence {m.alias.confidence}]\n  source: {m.alias.source}")
    return found


def _leads(kb: KnowledgeBase, node_id: str) -> str:
    r = kb.resolve(node_id)
    node = kb.nodes[node_id]
    if r is None:
        return f"{node.name}: not covered" + (f" (lookalike of {kb.display_name(node.lookalike_of)}: {node.reason})" if node.trap else "")
    via = "" if r.relation == "parent" else f" via {r.relation} {node.name}"
    return f"{kb.display_name(r.entity)} ({r.entity}){via}, Covered List entry {kb.entries_by_entity[r.entity][0].entry}"
