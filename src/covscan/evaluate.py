"""Accuracy on a labelled file: precision, recall, false-positive rate and a per-entity confusion table.

A row is *positive* when its expected verdict is covered or conditional. A prediction is a true
positive only when it is covered or conditional for the expected entity. `review` is neither a hit
nor a false alarm; rows labelled review are scored separately.

The stricter *flagged* figures count `review` as a flag, as a user who must look at every flagged
row does: flagged recall is the share of rows labelled covered, conditional or review that are
flagged for the expected entity, and the flagged false-positive rate the share of clear rows flagged.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from rich.console import Console
from rich.table import Table

from covscan.engine import ScreenSettings
from covscan.kb import KnowledgeBase
from covscan.report.base import Summary
from covscan.screen import open_screen
from covscan.sources import InputError

POSITIVE = frozenset({"covered", "conditional"})
FLAGGED = frozenset({"covered", "conditional", "review"})
LABELS = ("expected_verdict", "expected_entity")
# Columns that describe a labelled row rather than the record (expected_*, label_note): never screened.
LABEL_PREFIXES = ("expected_", "label_")


@dataclass
class EvalReport:
    rows: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    negatives: int = 0
    false_alarms: int = 0
    review_rows: int = 0
    review_hits: int = 0
    flag_expected: int = 0  # rows labelled covered, conditional or review
    flag_hits: int = 0  # ... flagged (covered, conditional or review) for the expected entity
    false_flags: int = 0  # clear rows flagged
    verdict_agree: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    by_signal: dict[str, Counter[str]] = field(default_factory=dict)
    mistakes: list[tuple[int, str, str, str, str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def fpr(self) -> float:
        return self.false_alarms / self.negatives if self.negatives else 0.0

    @property
    def flag_recall(self) -> float:
        return self.flag_hits / self.flag_expected if self.flag_expected else 1.0

    @property
    def flag_fpr(self) -> float:
        return self.false_flags / self.negatives if self.negatives else 0.0

    def merge(self, other: EvalReport) -> None:
        """Add another file's counts (the confusion and signal tables too)."""
        for name in ("rows", "tp", "fp", "fn", "negatives", "false_alarms", "review_rows", "review_hits", "verdict_agree",
                     "flag_expected", "flag_hits", "false_flags"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.confusion.update(other.confusion)
        for signal, counts in other.by_signal.items():
            self.by_signal.setdefault(signal, Counter()).update(counts)
        self.mistakes += other.mistakes

    def headline(self) -> str:
        return (f"precision {self.precision:.3f}, recall {self.recall:.3f}, false-positive rate {self.fpr:.4f} "
                f"({self.false_alarms}/{self.negatives} negatives); flagged (review counts): recall {self.flag_recall:.3f}, "
                f"false-positive rate {self.flag_fpr:.4f} ({self.false_flags}/{self.negatives})")

    def print(self, out: Console, show_errors: int) -> None:
        out.print(
            f"[bold]{self.rows} labelled rows[/]: {self.headline()}; "
            f"review rows flagged {self.review_hits}/{self.review_rows}, exact verdict {self.verdict_agree}/{self.rows}",
            highlight=False,
        )
        table = Table(title="Per-entity confusion (positive rows): expected entity -> predicted entity")
        for col in ("expected", "predicted covered/conditional", "rows"):
            table.add_column(col, justify="right" if col == "rows" else "left")
        for (expected, predicted), n in sorted(self.confusion.items()):
            style = "" if expected == predicted else "bold red"
            table.add_row(expected, predicted, str(n), style=style)
        out.print(table)
        if self.by_signal:
            sig = Table(title="By the signal kind of each finding's strongest evidence")
            for col in ("signal", "positives", "found", "recall", "flagged", "precision"):
                sig.add_column(col, justify="right" if col != "signal" else "left")
            for signal, c in sorted(self.by_signal.items()):
                sig.add_row(signal, str(c["n"]), str(c["hit"]), f"{c['hit'] / c['n']:.3f}" if c["n"] else "-",
                            str(c["predicted"]), f"{c['correct'] / c['predicted']:.3f}" if c["predicted"] else "-")
            out.print(sig)
        for row, exp_v, exp_e, got_v, got_e, why in self.mistakes[:show_errors]:
            out.print(f"row {row}: expected {exp_v} {exp_e or ''}, got {got_v} {got_e or ''}: {why}", highlight=False, markup=False)


def evaluate_file(path: Path, kb: KnowledgeBase, settings: ScreenSettings, overrides: dict[str, str]) -> EvalReport:
    screen = open_screen(path, kb, settings, overrides=overrides, exclude=LABEL_PREFIXES)
    missing = [c for c in LABELS if c not in screen.source.columns]
    if missing:
        raise InputError(f"{path}: a labelled file needs the columns {', '.join(LABELS)} (missing: {', '.join(missing)})")
    report = EvalReport()
    summary = Summary()
    for batch in screen.source.batches():
        result = screen.engine.screen(batch)
        summary.add(result, screen.engine)
        labels = batch.select([pl.col(c).fill_null("") for c in LABELS]).rows()
        records = batch.to_dicts()
        for (exp_v, exp_e), record, row, index, error in zip(labels, records, result["row"], result["finding"], result["error"]):
            exp_v, exp_e = exp_v.strip().lower(), exp_e.strip().lower()
            finding = screen.engine.findings[index] if index is not None else None
            got_v = finding.verdict.value if finding else "error"
            got_e = (finding.entity or "") if finding else ""
            report.rows += 1
            report.verdict_agree += got_v == exp_v
            hit = got_v in POSITIVE and got_e == exp_e
            signal = _strongest_signal(finding)
            counts = report.by_signal.setdefault(signal, Counter())
            if got_v in POSITIVE:
                counts["predicted"] += 1
                counts["correct"] += exp_v in POSITIVE and got_e == exp_e
            if exp_v in POSITIVE:
                report.tp += hit
                report.fn += not hit
                report.confusion[(exp_e or "none", got_e if got_v in POSITIVE else "none")] += 1
                counts["n"] += 1
                counts["hit"] += hit
            elif got_v in POSITIVE:
                report.fp += 1
            if exp_v == "clear":
                report.negatives += 1
                report.false_alarms += got_v in POSITIVE
                report.false_flags += got_v in FLAGGED
            elif exp_v in FLAGGED:
                report.flag_expected += 1
                report.flag_hits += got_v in FLAGGED and got_e == exp_e
            if exp_v == "review":
                report.review_rows += 1
                report.review_hits += got_v == "review"
            if got_v != exp_v or (exp_e and got_e != exp_e):
                why = error or (screen.engine.concrete(index, record).explanation if finding else "")
                report.mistakes.append((row, exp_v, exp_e, got_v, got_e, why))
    return report


def _strongest_signal(finding) -> str:  # type: ignore[no-untyped-def]
    if finding is None:
        return "error"
    scored = [e for e in finding.evidence if e.entity and e.confidence > 0]
    return max(scored, key=lambda e: e.confidence).signal if scored else "none"
