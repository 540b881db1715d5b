"""What changed between two screens of the same inventory or network: findings keyed by their
stable `id` are new, gone, or changed (verdict, entity or relation), whatever their row order."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from covscan.model import Verdict
from covscan.sources import InputError

KEYS = ("verdict", "entity", "relation")
VERDICTS = tuple(v.value for v in Verdict)


@dataclass
class RunDiff:
    old_kb: set[str] = field(default_factory=set)
    new_kb: set[str] = field(default_factory=set)
    new: list[dict[str, Any]] = field(default_factory=list)
    gone: list[dict[str, Any]] = field(default_factory=list)
    changed: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    unchanged: int = 0

    def changes(self) -> list[dict[str, Any]]:
        """One object per change, for JSONL output."""
        out = [{"change": "new", "id": r["id"], "row": r["row"], **{k: r.get(k) for k in KEYS}} for r in self.new]
        out += [{"change": "gone", "id": r["id"], "old_row": r["row"], **{f"old_{k}": r.get(k) for k in KEYS}} for r in self.gone]
        out += [{"change": "changed", "id": n["id"], "row": n["row"], **{f"old_{k}": o.get(k) for k in KEYS}, **{k: n.get(k) for k in KEYS},
                 "explanation": n.get("explanation"), "reason": why_changed(o, n)} for o, n in self.changed]
        return out

    def counts(self) -> Counter[str]:
        return Counter({"new": len(self.new), "gone": len(self.gone), "changed": len(self.changed), "unchanged": self.unchanged})


def why_changed(before: dict[str, Any], after: dict[str, Any]) -> str:
    """The evidence one run has and the other has not (what matched, by which rule, from which
    source: after a knowledge-data update, the new registry block or list entry), and the
    knowledge-base versions when they differ."""
    def evidence(row: dict[str, Any]) -> dict[tuple[str, str], str]:
        items = row.get("evidence") if isinstance(row.get("evidence"), list) else []
        return {(str(e.get("rule", "")), str(e.get("matched", ""))): str(e.get("source", "")) for e in items if isinstance(e, dict)}

    old, new = evidence(before), evidence(after)
    parts = [f"now {matched or rule} ({new[(rule, matched)]})" for rule, matched in new if (rule, matched) not in old]
    parts += [f"no longer {matched or rule} ({old[(rule, matched)]})" for rule, matched in old if (rule, matched) not in new]
    if before.get("kb_version") != after.get("kb_version"):
        parts.append(f"knowledge base {before.get('kb_version') or '?'} -> {after.get('kb_version') or '?'}")
    return "; ".join(parts) or "same evidence, judged differently"


def _read(path: Path) -> tuple[dict[tuple[str, int], dict[str, Any]], set[str]]:
    """Findings by (id, n-th occurrence of that id), and the knowledge-base versions used."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    found: dict[tuple[str, int], dict[str, Any]] = {}
    seen: Counter[str] = Counter()
    versions: set[str] = set()
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                raise InputError(f"{path} line {number}: not UTF-8 (byte {exc.start + 1}); expected covscan JSONL findings") from exc
            except (json.JSONDecodeError, RecursionError, ValueError) as exc:
                raise InputError(f"{path} line {number}: not JSON ({getattr(exc, 'msg', exc.__class__.__name__)}); expected covscan JSONL findings") from exc
            if problem := _not_a_finding(row):
                raise InputError(f"{path} line {number}: not a covscan finding ({problem})")
            if row["verdict"] == "error" or not row.get("id"):
                continue
            found[(row["id"], seen[row["id"]])] = row
            seen[row["id"]] += 1
            if row.get("kb_version"):
                versions.add(row["kb_version"])
    return found, versions


def _not_a_finding(row: Any) -> str | None:
    """What makes a JSONL object unusable as a finding: the fields a diff keys and compares on must be
    what covscan writes (a text id, a verdict name, a row number, text or null entity and relation)."""
    if not isinstance(row, dict) or "verdict" not in row or "row" not in row:
        return "needs row, id, verdict"
    if row["verdict"] not in VERDICTS:
        return f"verdict {str(row['verdict'])[:40]!r} is not one of {', '.join(VERDICTS)}"
    if not isinstance(row["row"], int) or isinstance(row["row"], bool):
        return "row is not a number"
    bad = [k for k in ("id", *KEYS[1:], "kb_version") if row.get(k) is not None and not isinstance(row[k], str)]
    return f"{', '.join(bad)} must be text" if bad else None


def diff_runs(old_path: Path, new_path: Path) -> RunDiff:
    old, old_kb = _read(old_path)
    new, new_kb = _read(new_path)
    result = RunDiff(old_kb, new_kb)
    for key, row in new.items():
        before = old.get(key)
        if before is None:
            if row["verdict"] != "clear":
                result.new.append(row)
            else:
                result.unchanged += 1
        elif any(before.get(k) != row.get(k) for k in KEYS):
            result.changed.append((before, row))
        else:
            result.unchanged += 1
    result.gone = [row for key, row in old.items() if key not in new and row["verdict"] != "clear"]
    return result
