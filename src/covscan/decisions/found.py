"""The finding a decision is made on, read from a run's output: the JSONL contract, or the CSV or
Parquet table (which carry no knowledge-base version per row: the caller supplies the current one)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from covscan.decisions.book import DecisionError

_EVIDENCE_VALUE = re.compile(r"^[\w#]+='(.*?)'(?: -> | \[|$)")


@dataclass(frozen=True)
class DecidedOn:
    verdict: str
    entity: str | None
    kb_version: str | None
    evidence: tuple[str, ...]  # the distinct evidence values


def finding_of(path: Path, finding_id: str) -> DecidedOn:
    """The finding of the row with this id in a run's output (the first such row)."""
    if not path.is_file():
        raise DecisionError(f"--from {path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return _from_jsonl(path, finding_id)
    if suffix in (".csv", ".parquet"):
        return _from_table(path, finding_id)
    raise DecisionError(f"--from {path}: expected a run's .jsonl, .csv or .parquet output")


def _from_jsonl(path: Path, finding_id: str) -> DecidedOn:
    needle = f'"id":{json.dumps(finding_id, ensure_ascii=False)}'
    with path.open(encoding="utf-8", errors="replace") as fh:
        for n, line in enumerate(fh, 1):
            if needle not in line:
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                raise DecisionError(f"--from {path} line {n}: not a JSON object") from None
            if row.get("id") != finding_id:
                continue
            values = dict.fromkeys(str(e.get("value", "")) for e in row.get("evidence") or [] if e.get("value"))
            return DecidedOn(str(row.get("verdict")), row.get("entity"), row.get("kb_version"), tuple(values))
    raise _not_found(path, finding_id)


def _from_table(path: Path, finding_id: str) -> DecidedOn:
    try:
        frame = (pl.scan_csv(path, infer_schema=False) if path.suffix.lower() == ".csv" else pl.scan_parquet(path))
        rows = frame.filter(pl.col("id") == finding_id).select("verdict", "entity", "evidence").head(1).collect()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise DecisionError(f"--from {path}: not a covscan output with id, verdict, entity and evidence columns ({str(exc).splitlines()[0]})") from None
    if not rows.height:
        raise _not_found(path, finding_id)
    verdict, entity, evidence = rows.row(0)
    values = dict.fromkeys(m.group(1) for part in (evidence or "").split(" | ") if (m := _EVIDENCE_VALUE.match(part)) and m.group(1))
    return DecidedOn(str(verdict), entity or None, None, tuple(values))


def _not_found(path: Path, finding_id: str) -> DecisionError:
    return DecisionError(f"--from {path}: no row has id {finding_id!r} (ids are in the output's id column)")
