"""What changed between two knowledge-data versions (`covscan data diff`): records added, removed
or amended per source, keyed as each format keys them; the blocks, grantee codes and list entries
whose holder an org-name rule gives a covered company singled out; and every change to the
Covered List page or a new Federal Register document marked as needing a reviewer, with its link."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from covscan.kb import KnowledgeBase
from covscan.kb.mac_registry import MacRegistry, with_org_rules
from covscan.updates.apply import IEEE_REGISTRIES
from covscan.updates.official import SOURCES
from covscan.updates.store import Version

NAME_COLUMN = {"ieee-ma-l": "org", "ieee-ma-m": "org", "ieee-ma-s": "org", "fcc-grantees": "grantee_name", "csl": "name", "ofac-sdn": "name"}


@dataclass(frozen=True)
class Change:
    source: str
    kind: str  # added, removed, amended (for a MAC block or grantee code: reassigned)
    key: str
    summary: str
    was: str = ""  # an amended record's previous summary
    covered: str = ""  # the covered company an org-name rule gives the record's holder
    review: bool = False  # for a reviewer to read against the curated facts
    link: str = ""

    def line(self) -> str:
        what = f"{self.summary} (was {self.was})" if self.was and self.was != self.summary else self.summary
        return (f"{'needs review: ' if self.review else ''}{self.source} {self.kind}: {what}"
                + (f" [{self.covered}]" if self.covered else "") + (f" {self.link}" if self.link else ""))


def version_changes(old: Version | None, new: Version, kb: KnowledgeBase, review_only: bool = False) -> list[Change]:
    """Every change from `old` (None: the embedded default) to `new`, source by source (only
    those of the sources whose changes need review, with `review_only`)."""
    out: list[Change] = []
    for source in SOURCES.values():
        if review_only and not source.needs_review:
            continue
        after = new.table(source.name)
        if after is None:
            continue
        before = old.table(source.name) if old is not None else None
        if before is None and source.name in IEEE_REGISTRIES:
            before = _default_blocks(IEEE_REGISTRIES[source.name])
        out += _table_changes(source.name, before, after, kb)
    return out


def _default_blocks(digits: int) -> pl.DataFrame:
    blocks = MacRegistry.manuf_blocks().filter(pl.col("prefix").str.len_chars() == digits)
    return blocks.with_columns(key=pl.col("prefix"), summary=pl.col("prefix") + " " + pl.col("org"))


def _table_changes(name: str, before: pl.DataFrame | None, after: pl.DataFrame, kb: KnowledgeBase) -> list[Change]:
    source = SOURCES[name]
    whole_row = pl.concat_str(pl.exclude("key", "summary"), separator="\x1f", ignore_nulls=True)  # what "amended" compares
    after = after.with_columns(_row=whole_row)
    before = after.clear() if before is None else before.with_columns(_row=whole_row)
    joined = after.select("key", "summary", "_row").join(before.select("key", was="summary", _was=pl.col("_row")), on="key", how="full", coalesce=True)
    kind = (pl.when(pl.col("_was").is_null()).then(pl.lit("added")).when(pl.col("_row").is_null()).then(pl.lit("removed"))
            .when(pl.col("_row") != pl.col("_was")).then(pl.lit("reassigned" if name in IEEE_REGISTRIES or name == "fcc-grantees" else "amended")))
    changed = joined.with_columns(kind=kind).drop_nulls("kind").with_columns(summary=pl.coalesce("summary", "was"))
    covered = _covered(name, changed, after, before, kb)
    links = _links(name, after, before)
    return [
        Change(name, k, key, summary, was if k in ("amended", "reassigned") else "", covered.get(key, ""),
               source.needs_review, links.get(key, ""))
        for key, summary, was, k in changed.select("key", "summary", pl.col("was").fill_null(""), "kind").iter_rows()
    ]


def _covered(name: str, changed: pl.DataFrame, after: pl.DataFrame, before: pl.DataFrame, kb: KnowledgeBase) -> dict[str, str]:
    """Key: the covered company (display name) an org-name rule gives the holder, now or before."""
    column = NAME_COLUMN.get(name)
    if column is None or not changed.height:
        return {}
    holders = pl.concat([t.join(changed.select("key"), on="key", how="semi").select("key", org=pl.col(column)) for t in (after, before)])
    rules = {r.key: r for r in kb.mac_org_rules}
    out: dict[str, str] = {}
    for key, rule in with_org_rules(holders.unique(), kb.mac_org_rules).drop_nulls("rule").select("key", "rule").iter_rows():
        resolution = kb.resolve(rules[rule].node)
        if resolution is not None:
            out[key] = kb.display_name(resolution.entity)
    return out


def _links(name: str, after: pl.DataFrame, before: pl.DataFrame) -> dict[str, str]:
    if "url" in after.columns:
        return dict(pl.concat([after.select("key", "url"), before.select("key", "url")]).unique("key").iter_rows())
    if SOURCES[name].needs_review:
        page = SOURCES[name].url(date.today())
        return dict.fromkeys(pl.concat([after["key"], before["key"]]).to_list(), page)
    return {}
