"""The data model every part of covscan speaks: evidence in, findings out.

Kept free of any I/O or matching logic so that readers, extractors, fusion and writers can all
depend on it without depending on each other.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Verdict(str, Enum):
    """Ordered from least to most severe; `error` marks a row that could not be read. `match` is a
    party on a restricted-party list (covscan parties), as severe as `covered` is for equipment."""

    CLEAR = "clear"
    REVIEW = "review"
    CONDITIONAL = "conditional"
    COVERED = "covered"
    MATCH = "match"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Verdict.CLEAR: 0, Verdict.REVIEW: 1, Verdict.CONDITIONAL: 2, Verdict.COVERED: 3, Verdict.MATCH: 3, Verdict.ERROR: 4}
# The verdicts each mode gives, most severe first (reports list and count these).
EQUIPMENT_VERDICTS = ("covered", "conditional", "review", "clear", "error")
PARTY_VERDICTS = ("match", "review", "clear", "error")


class Use(str, Enum):
    """The four uses that bring Hytera, Hikvision and Dahua equipment under the Covered List, or other."""

    PUBLIC_SAFETY = "public-safety"
    GOVERNMENT_FACILITY = "government-facility"
    CRITICAL_INFRASTRUCTURE = "critical-infrastructure"
    NATIONAL_SECURITY = "national-security"
    OTHER = "other"


class Context(str, Enum):
    """Who is asking: decides which regimes matter and what each one does for them."""

    GENERAL = "general"
    NETWORK_OWNER = "network-owner"
    FEDERAL_CONTRACTOR = "federal-contractor"
    MARKETPLACE = "marketplace"


# The internal columns of a batch: readers add the row number and the reason a row could not be
# read, the engine adds the MAC column in normal form. Kept here so readers and the engine share
# them without importing each other.
ERROR_COLUMN = "__error__"
MAC_HEX = "__mac_hex__"  # the MAC column in normal form, computed once per batch
MAC_NUMBER = "__mac_number__"  # and as a number, null unless it is a MAC
ROW_COLUMN = "__row__"
INTERNAL_COLUMNS = (ERROR_COLUMN, MAC_HEX, MAC_NUMBER, ROW_COLUMN)  # an input column so named is renamed on reading

ROW_TOKEN_MARK = "\u2063"  # INVISIBLE SEPARATOR: brackets a row token


def row_value(column: str) -> str:
    """Stands for "this row's value of <column>" in evidence that is otherwise the same for many
    values (every MAC of one IEEE block; listing titles with the same matches), so such values share
    one evidence group and one fused finding; the engine writes each row's own value in at output."""
    return f"{ROW_TOKEN_MARK}{column}{ROW_TOKEN_MARK}"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One signal read from one field, and the knowledge-base fact it matched.

    `target` is the knowledge-base node matched (a company, brand, category or known non-covered
    vendor); `entity` is the Covered List entity it leads to, or None. `confidence` 0 marks a note
    that explains why a value gave no evidence (a randomized MAC, say).
    """

    signal: str
    field: str
    value: str
    target: str | None = None
    entity: str | None = None
    relation: str | None = None
    matched: str | None = None
    rule: str | None = None
    confidence: float = 0.0
    source: str | None = None
    note: str | None = None
    corroborate: bool = False

    def observed_as(self, value: str) -> Evidence:
        """The same evidence with another observed value (a row token); dataclasses.replace, but
        without its per-call introspection, as this runs once per distinct listing title."""
        return Evidence(self.signal, self.field, value, self.target, self.entity, self.relation, self.matched, self.rule,
                        self.confidence, self.source, self.note, self.corroborate)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k in _EVIDENCE_FIELDS if (v := getattr(self, k)) not in (None, False, "")}


_EVIDENCE_FIELDS = tuple(Evidence.__dataclass_fields__)


@dataclass(slots=True)
class RegimeHit:
    """A rule that applies to a finding and what it does in the user's context."""

    id: str
    name: str
    effect: str
    authority: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "effect": self.effect, "authority": self.authority, "source": self.source}


@dataclass(slots=True)
class Finding:
    """The fused judgement for one record (the row number and identity are added by the engine)."""

    verdict: Verdict
    entity: str | None
    relation: str | None
    confidence: float
    explanation: str
    regimes: list[RegimeHit] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    conflicts: list[Evidence] = field(default_factory=list)
    entry: int | None = None
    # A team's decision about this record (covscan.decisions), shown beside the verdict, never instead.
    decision: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "entity": self.entity,
            "relation": self.relation,
            "confidence": round(self.confidence, 3),
            "entry": self.entry,
            "explanation": self.explanation,
            "regimes": [r.to_dict() for r in self.regimes],
            "evidence": [e.to_dict() for e in self.evidence],
            "conflicts": [e.to_dict() for e in self.conflicts],
        } | ({"decision": self.decision} if self.decision else {})
