"""The decisions file: its schema, reading it with clear errors, and recording a decision atomically
(the previous version of a re-decided finding moves into its history, so the file is its own audit
trail besides git's)."""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from covscan.atomic import AtomicFile

SCHEMA = 1
# What a team can decide. The first three settle a finding: it no longer fails a run (--fail-on)
# while the decision holds. "under-review" records that someone is on it and settles nothing.
STATES = ("false-positive", "accepted-risk", "replaced", "under-review")
SETTLING_STATES = frozenset(STATES[:3])


class DecisionError(ValueError):
    """A decisions file that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Decision:
    id: str
    state: str
    justification: str
    by: str
    at: str  # ISO 8601, UTC
    verdict: str  # what the finding was when decided
    entity: str | None
    kb_version: str
    evidence: tuple[str, ...] = ()  # the evidence values it was decided on, for finding it again
    expires: dt.date | None = None
    history: tuple[dict[str, Any], ...] = field(default=(), compare=False)

    @property
    def settles(self) -> bool:
        return self.state in SETTLING_STATES

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and self.expires < today

    def to_yaml(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if k not in ("history", "expires", "evidence")}
        if self.expires:
            out["expires"] = self.expires.isoformat()
        if self.evidence:
            out["evidence"] = list(self.evidence)
        if self.history:
            out["history"] = list(self.history)
        return out


def load_decisions(path: Path) -> dict[str, Decision]:
    """The decisions of a file, by id; a missing file has none. Every problem names the file and
    the entry, never a traceback."""
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise DecisionError(f"{path}: not a readable decisions file ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA or not isinstance(data.get("decisions", []), list):
        raise DecisionError(f"{path}: expected 'schema: {SCHEMA}' and a 'decisions:' list")
    out: dict[str, Decision] = {}
    for n, entry in enumerate(data.get("decisions") or [], 1):
        where = f"{path}: decision {n}"
        decision = _decision(entry, where)
        if decision.id in out:
            raise DecisionError(f"{where}: id {decision.id!r} is decided twice; keep one entry (its history holds earlier ones)")
        out[decision.id] = decision
    return out


def _decision(entry: Any, where: str) -> Decision:
    if not isinstance(entry, dict):
        raise DecisionError(f"{where}: expected a mapping with id, state, justification, by, at, verdict, kb_version")
    missing = [k for k in ("id", "state", "justification", "by", "at", "verdict", "kb_version") if not str(entry.get(k) or "").strip()]
    if missing:
        raise DecisionError(f"{where}: missing {', '.join(missing)}")
    if entry["state"] not in STATES:
        raise DecisionError(f"{where}: state {entry['state']!r} is not one of {', '.join(STATES)}")
    unknown = set(entry) - {"id", "state", "justification", "by", "at", "verdict", "entity", "kb_version", "evidence", "expires", "history"}
    if unknown:
        raise DecisionError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    expires = entry.get("expires")
    if expires is not None and not isinstance(expires, dt.date):
        try:
            expires = dt.date.fromisoformat(str(expires))
        except ValueError:
            raise DecisionError(f"{where}: expires {expires!r} is not a date (YYYY-MM-DD)") from None
    evidence, history = entry.get("evidence") or [], entry.get("history") or []
    if not isinstance(evidence, list) or not isinstance(history, list):
        raise DecisionError(f"{where}: evidence and history are lists")
    return Decision(str(entry["id"]), entry["state"], str(entry["justification"]).strip(), str(entry["by"]), str(entry["at"]),
                    str(entry["verdict"]), str(entry["entity"]) if entry.get("entity") else None, str(entry["kb_version"]),
                    tuple(map(str, evidence)), expires, tuple(history))


def record_decision(path: Path, decision: Decision) -> Decision:
    """Add or replace the decision for its id and write the file atomically. A replaced decision
    moves, with its own history, into the new one's history (newest first)."""
    decisions = load_decisions(path)
    previous = decisions.get(decision.id)
    if previous is not None:
        earlier = {k: v for k, v in previous.to_yaml().items() if k not in ("id", "history")}
        decision = Decision(**{**asdict(decision), "history": (earlier, *previous.history)})
    decisions[decision.id] = decision
    body = {"schema": SCHEMA, "decisions": [d.to_yaml() for d in decisions.values()]}
    target = AtomicFile(path)
    try:
        target.handle.write("# covscan decisions: review changes like code; `covscan decide` adds entries.\n")
        yaml.safe_dump(body, target.handle, sort_keys=False, allow_unicode=True, width=120)
    except BaseException:
        target.discard()
        raise
    target.commit()
    return decision
