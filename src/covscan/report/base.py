"""The writer interface and the run summary every writer can use (atomic output files are in
covscan.atomic; what a writer may ask of the engine is report.findings.FindingTable)."""
from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

import polars as pl

from covscan.model import EQUIPMENT_VERDICTS, Evidence, Finding, Verdict
from covscan.report.findings import FindingTable


@dataclass
class RunInfo:
    """What was screened, how, and with which knowledge base: printed in every report."""

    input: str
    kb_version: str
    context: str
    use: str | None
    fields: dict[str, str]
    ignored_columns: list[str]
    covscan_version: str
    # How each read column was chosen ("header" or "content: ..."), by column name.
    column_reasons: dict[str, str] = field(default_factory=dict)
    # Columns left unread although their values look like evidence: one message each, naming the
    # --map that would read it. Reports show these prominently; they are never silent.
    unread_evidence: list[str] = field(default_factory=list)
    # The knowledge base's honest "as of" date (what its sources reach), shown in every report.
    kb_as_of: str = ""
    # The 1-based row of the header in the file or sheet: data row r is what a spreadsheet calls
    # row header_row + 1 + r (0 when the input has no header row, such as JSON or observations).
    header_row: int = 1
    # The verdicts this mode gives, most severe first (covscan.model.EQUIPMENT_VERDICTS or PARTY_VERDICTS).
    verdicts: tuple[str, ...] = EQUIPMENT_VERDICTS
    # What the run was screened against besides the knowledge base (covscan parties: the lists).
    lists: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Summary:
    rows: int = 0
    by_verdict: Counter[str] = field(default_factory=Counter)
    by_entity: dict[str, Counter[str]] = field(default_factory=dict)
    # Rows a team's decision holds settled (covscan.decisions), by verdict: shown, but they fail no run.
    settled: Counter[str] = field(default_factory=Counter)

    def add(self, result: pl.DataFrame, engine: FindingTable) -> None:
        self.rows += result.height
        counts = result.group_by("finding").len()
        for index, n in counts.iter_rows():
            if index is None:
                self.by_verdict[Verdict.ERROR.value] += n
                continue
            finding = engine.findings[index]
            self.by_verdict[finding.verdict.value] += n
            if finding.decision and finding.decision.get("settles"):
                self.settled[finding.verdict.value] += n
            if finding.entity:
                self.by_entity.setdefault(finding.entity, Counter())[finding.verdict.value] += n

    def add_verdicts(self, verdicts: list[str], entities: list[str | None]) -> None:
        """Counts from verdict and entity columns (the distributed engine returns these)."""
        self.rows += len(verdicts)
        self.by_verdict.update(verdicts)
        for verdict, entity in zip(verdicts, entities):
            if entity:
                self.by_entity.setdefault(entity, Counter())[verdict] += 1

    def worst(self, levels: tuple[Verdict, ...] = (Verdict.COVERED, Verdict.CONDITIONAL, Verdict.REVIEW)) -> Verdict | None:
        """The most severe of these verdicts that some row has and no decision settles."""
        return next((v for v in levels if self.by_verdict.get(v.value, 0) > self.settled.get(v.value, 0)), None)

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "by_verdict": dict(self.by_verdict),
                "by_entity": {k: dict(v) for k, v in sorted(self.by_entity.items())}} | ({"settled": dict(self.settled)} if self.settled else {})


class Writer(Protocol):
    def write(self, batch: pl.DataFrame, result: pl.DataFrame, engine: FindingTable) -> None: ...

    def close(self, summary: Summary) -> None: ...

    def abort(self) -> None: ...


# Set while a run is being stopped (Ctrl-C, SIGTERM, an error): a writer that writes row by row in
# Python checks it between rows, so stopping does not wait for a whole batch to be written.
STOPPING = threading.Event()


def evidence_text(e: Evidence) -> str:
    """One line per piece of evidence, for flat formats (CSV, XLSX)."""
    head = f"{e.field}='{e.value}'"
    if e.matched:
        head += f" -> {e.matched}"
    if e.rule:
        head += f" [{e.rule}, {e.confidence:.2f}]"
    return head + (f" ({e.note})" if e.note else "")


# The finding's columns in flat formats, in order, with their types.
FINDING_SCHEMA = {
    "verdict": pl.String, "entity": pl.String, "relation": pl.String, "confidence": pl.Float64, "entry": pl.Int64,
    "regimes": pl.String, "explanation": pl.String, "evidence": pl.String, "decision": pl.String,
}
FINDING_COLUMNS = tuple(FINDING_SCHEMA)


class FlatFindings:
    """Per-finding columns for flat formats, indexed by finding, each finding flattened once
    (an engine's findings only grow during a run)."""

    def __init__(self) -> None:
        self._rows: list[tuple[Any, ...]] = []
        self._frame = pl.DataFrame()

    def frame(self, engine: FindingTable) -> pl.DataFrame:
        if len(self._rows) < len(engine.findings):
            self._rows += [_flat(f) for f in engine.findings[len(self._rows):]]
            self._frame = pl.DataFrame(self._rows, schema=FINDING_SCHEMA, orient="row")
        return self._frame


def _flat(f: Finding) -> tuple[Any, ...]:
    return (f.verdict.value, f.entity, f.relation, round(f.confidence, 3), f.entry,
            "; ".join(r.id for r in f.regimes), f.explanation, " | ".join(evidence_text(e) for e in f.evidence),
            decision_text(f.decision))


def decision_text(decision: dict[str, Any] | None) -> str | None:
    """A decision in one line: "false-positive (active: no expiry) by alice 2026-12-02: why"."""
    if not decision:
        return None
    return f"{decision['state']} ({decision['status']}: {decision['why']}) by {decision['by']} {decision['at'][:10]}: {decision['justification']}"


# The finding's columns that can carry a row's own values (a MAC, a listing title), written in per row.
ROW_VALUE_COLUMNS = ("explanation", "evidence")
# What an error row shows in place of the finding's text.
ERROR_TEXT = {"verdict": pl.lit(Verdict.ERROR.value), "explanation": pl.col("error")}


def flat_rows(batch: pl.DataFrame, result: pl.DataFrame, engine: FindingTable, input_columns: list[str], findings: FlatFindings,
              columns: tuple[str, ...] = FINDING_COLUMNS) -> pl.DataFrame:
    """Input columns, row and id, then the given finding columns; error rows carry their message."""
    flat = pl.concat([result, findings.frame(engine).select(columns).gather(result["finding"])], how="horizontal")
    flat = flat.with_columns(
        pl.when(pl.col("error").is_null()).then(pl.col(c)).otherwise(text).alias(c) for c, text in ERROR_TEXT.items() if c in columns
    )
    flat = engine.fill_row_values(flat, batch, [c for c in ROW_VALUE_COLUMNS if c in columns])
    return pl.concat([batch.select(input_columns).rename(input_names(input_columns)), flat.select("row", "id", *columns)], how="horizontal")


def input_names(input_columns: list[str], reserved: tuple[str, ...] = ("row", "id", *FINDING_COLUMNS)) -> dict[str, str]:
    """Output names of the input columns: one named like an output column (row, id, verdict...) or
    like an input column already renamed (input_row beside row) gets input_ prefixes until unique."""
    taken = set(reserved)
    names: dict[str, str] = {}
    for column in input_columns:
        name = column
        while name in taken:
            name = f"input_{name}"
        taken.add(name)
        names[column] = name
    return names


# Cell starts a spreadsheet reads as a formula (OWASP "CSV injection"); such cells get a leading '.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralised(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def neutralise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text cell and header that a spreadsheet would evaluate, with a leading ' (vectorised)."""
    return frame.with_columns(pl.col(pl.String).str.replace(r"^([=+\-@\t\r])", "'$1")).rename(
        {c: neutralised(c) for c in frame.columns if neutralised(c) != c})
