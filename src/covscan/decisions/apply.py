"""Applying decisions to a run: each batch's rows whose id has a decision get their finding with the
decision beside it; at the end, the decisions no row had are orphans, each with the undecided rows
most like what it was made against."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import polars as pl
from rapidfuzz import fuzz, process

from covscan.decisions.book import Decision
from covscan.model import Finding

CANDIDATES = 100_000  # undecided flagged rows kept to suggest where an orphaned decision went
LIKELY_SCORE = 60  # rapidfuzz token_set_ratio of the evidence values, out of 100


class Annotatable(Protocol):
    """What applying decisions needs of an engine: its findings, and a new finding that is one of
    them with a decision beside it."""

    @property
    def findings(self) -> Sequence[Finding]: ...

    def annotated(self, index: int, decision: dict[str, Any]) -> int: ...


@dataclass(frozen=True)
class Orphan:
    decision: Decision
    likely: tuple[tuple[str, int, float], ...]  # (id, row, score) of the rows most like it


def status(decision: Decision, finding: Finding, kb_version: str, today: dt.date) -> tuple[str, str]:
    """(status, why): active, expired (the finding counts again), or re-review (the finding is not
    what was decided on: its verdict or entity changed, with the knowledge base or the input)."""
    if decision.expired(today):
        return "expired", f"lapsed on {decision.expires}; the finding counts again"
    if (finding.verdict.value, finding.entity) != (decision.verdict, decision.entity):
        under = "" if kb_version == decision.kb_version else f", knowledge base {decision.kb_version} (now {kb_version})"
        return "re-review", (f"decided on {decision.verdict} {decision.entity or ''}".rstrip() + under
                             + f"; now {finding.verdict.value} {finding.entity or ''}".rstrip() + ": decide again")
    return "active", f"until {decision.expires}" if decision.expires else "no expiry"


class DecisionBook:
    """The decisions of one run, applied batch by batch (Screen.run)."""

    def __init__(self, decisions: Mapping[str, Decision], kb_version: str, fields: Mapping[str, str], today: dt.date | None = None) -> None:
        self.decisions = dict(decisions)
        self.kb_version = kb_version
        self.columns = sorted(set(fields.values()))
        self.today = today or dt.date.today()
        self.counts: dict[str, int] = {"active": 0, "expired": 0, "re-review": 0}
        self._seen: set[str] = set()
        self._annotated: dict[tuple[int, str], int] = {}
        self._entities = {d.entity for d in self.decisions.values()}
        self._candidates: list[tuple[str, int, str]] = []  # (id, row, evidence values) of undecided flagged rows

    def apply(self, batch: pl.DataFrame, result: pl.DataFrame, engine: Annotatable) -> pl.DataFrame:
        """`result` with the finding of each decided row replaced by it with its decision beside it."""
        if not self.decisions:
            return result
        decided = result["id"].is_in(list(self.decisions)) & result["finding"].is_not_null()
        self._keep_candidates(batch, result, ~decided, engine)
        if not decided.any():
            return result
        positions = decided.arg_true()
        picked = result.filter(decided)
        new = [self._annotate(engine, index, id_) for id_, index in zip(picked["id"].to_list(), picked["finding"].to_list())]
        return result.with_columns(result["finding"].scatter(positions, pl.Series(new, dtype=pl.UInt32)))

    def _annotate(self, engine: Annotatable, index: int, id_: str) -> int:
        key = (index, id_)
        if key not in self._annotated:
            d = self.decisions[id_]
            state, why = status(d, engine.findings[index], self.kb_version, self.today)
            self._annotated[key] = engine.annotated(index, {
                "id": id_, "state": d.state, "status": state, "why": why, "justification": d.justification, "by": d.by,
                "at": d.at, "expires": d.expires.isoformat() if d.expires else None,
                "settles": d.settles and state == "active",
            })
        if id_ not in self._seen:
            self._seen.add(id_)
            self.counts[engine.findings[self._annotated[key]].decision["status"]] += 1  # type: ignore[index]
        return self._annotated[key]

    def _keep_candidates(self, batch: pl.DataFrame, result: pl.DataFrame, undecided: pl.Series, engine: Annotatable) -> None:
        """Keep (boundedly) the undecided rows of the decisions' entities, with their screened values."""
        room = CANDIDATES - len(self._candidates)
        if room <= 0 or not result.height or not engine.findings:
            return
        entities = pl.Series([f.entity for f in engine.findings], dtype=pl.String)
        flagged = (undecided & result["finding"].is_not_null()
                   & entities.gather(result["finding"].fill_null(0)).is_in(list(self._entities - {None})))
        if not flagged.any():
            return
        rows = result.filter(flagged).head(room)
        values = batch.filter(flagged).head(room).select(
            pl.concat_str([pl.col(c).fill_null("") for c in self.columns], separator=" ").alias("v"))["v"]
        self._candidates += list(zip(rows["id"].to_list(), rows["row"].to_list(), values.to_list()))

    def orphans(self) -> list[Orphan]:
        """The decisions no row of this run had, each with up to three likely rows."""
        texts = [v for _, _, v in self._candidates]
        out = []
        for d in self.decisions.values():
            if d.id in self._seen:
                continue
            likely: tuple[tuple[str, int, float], ...] = ()
            if d.evidence and texts:
                found = process.extract(" ".join(d.evidence), texts, scorer=fuzz.token_set_ratio, limit=3, score_cutoff=LIKELY_SCORE)
                likely = tuple((self._candidates[i][0], self._candidates[i][1], round(score, 1)) for _, score, i in found)
            out.append(Orphan(d, likely))
        return out

    def expiring(self, within_days: int = 30) -> list[Decision]:
        """Decisions that hold now but lapse within this many days."""
        soon = self.today + dt.timedelta(days=within_days)
        return [d for d in self.decisions.values() if d.expires is not None and self.today <= d.expires <= soon]


def settles(finding: Finding) -> bool:
    """Whether a finding's decision holds it settled (it does not fail a run)."""
    return bool(finding.decision and finding.decision.get("settles"))

