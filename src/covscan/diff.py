"""What changed between two screens of the same inventory or network: findings keyed by their
stable `id` are new, gone, or changed (verdict, entity or relation), whatever their row order."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from covscan.sources import InputError

KEYS = ("verdict", "entity", "relation")


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
                 "explanation": n.get("explanation")} for o, n in self.changed]
        return out

    def counts(self) -> Counter[str]:
        return Counter({"new": len(self.new), "gone": len(self.gone), "changed": len(self.changed), "unchanged": self.unchanged})


def _read(path: Path) -> tuple[dict[tuple[str, int], dict[str, Any]], set[str]]:
    """Findings by (id, n-th occurrence of that id), and the knowledge-base versions used."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    found: dict[tuple[str, int], dict[str, Any]] = {}
    seen: Counter[str] = Counter()
    versions: set[str] = set()
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path} line {number}: not JSON ({exc.msg}); expected covscan JSONL findings") from exc
            if not isinstance(row, dict) or "verdict" not in row or "row" not in row:
                raise InputError(f"{path} line {number}: not a covscan finding (needs row, id, verdict)")
            if row.get("verdict") == "error" or not row.get("id"):
                continue
            found[(row["id"], seen[row["id"]])] = row
            seen[row["id"]] += 1
            versions.add(str(row.get("kb_version")))
    return found, versions


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
