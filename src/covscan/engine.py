"""The screening engine: columnar batches in, one finding per row out.

Work is done once per distinct value, not once per row:
1. for each mapped field, the batch's distinct values that were not seen before go through the
   field's extractor; each value gets an evidence-group id (0 = no evidence);
2. each row is then a tuple of group ids, its *signature*; each distinct signature is fused once;
3. signatures are joined back to rows. A million-row inventory with a few thousand distinct
   vendor strings costs a few thousand extractions and a few hundred fusions.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import polars as pl

from covscan.evidence import IDENTITY_FIELDS, SCREENING_FIELDS, EvidenceTuple, build_extractors

if TYPE_CHECKING:
    from covscan.cache import EvidenceCache
from covscan.kb import KnowledgeBase
from covscan.model import Context, Finding, Use, Verdict, row_value
from covscan.normalize import mac_hex_expr
from covscan.verdict import Fuser

ERROR_COLUMN = "__error__"
ROW_COLUMN = "__row__"
# Distinct values remembered per field across batches; beyond this (say, a column of unique MACs)
# new values are still screened, just not remembered.
CACHE_LIMIT = 500_000
# A batch with this many distinct values, 90% of them unseen, marks a column whose values do not repeat.
UNREPEATED_MIN = 20_000
_SAFE_ID = r"^[\w.:/#-]{1,64}$"


@dataclass(frozen=True)
class ScreenSettings:
    context: Context = Context.GENERAL
    use: Use | None = None


class Engine:
    """Screens batches whose columns are strings; `fields` maps screening fields to input columns."""

    def __init__(self, kb: KnowledgeBase, fields: Mapping[str, str], settings: ScreenSettings = ScreenSettings(),
                 cache: EvidenceCache | None = None) -> None:
        unknown = set(fields) - set(SCREENING_FIELDS) - set(IDENTITY_FIELDS)
        if unknown:
            raise ValueError(f"unknown screening field(s): {', '.join(sorted(unknown))}")
        self.kb = kb
        self.settings = settings
        self.fields = {f: c for f, c in fields.items() if f in SCREENING_FIELDS}
        self.identity = {f: fields[f] for f in IDENTITY_FIELDS if f in fields}
        self.extractors = build_extractors(kb)
        self.fuser = Fuser(kb, settings.context, settings.use)
        self.groups: list[EvidenceTuple] = [()]
        self._shared_groups: dict[EvidenceTuple, int] = {}
        self._unrepeated: set[str] = set()
        # token -> how to compute each row's value for it (today: the MAC column, in display form)
        self.row_tokens: dict[str, pl.Expr] = {}
        if "mac" in self.fields:
            hexed = mac_hex_expr(self.fields["mac"])
            self.row_tokens[row_value(self.fields["mac"])] = pl.concat_str([hexed.str.slice(i, 2) for i in range(0, 12, 2)], separator=":")
        self._value_gid: dict[str, dict[str, int]] = {f: {} for f in self.fields}
        self.findings: list[Finding] = []
        self.finding_json: list[str] = []
        self._carries_token: list[bool] = []  # per finding: does its JSON hold a per-row token?
        self._by_signature: dict[tuple[int, ...], int] = {}
        self.extracted = 0  # distinct values resolved in this run (the rest came from the cache)
        self.cache = cache
        if cache is not None:
            for field, column in self.fields.items():
                known = cache.load(field, column)
                self._value_gid[field] = {v: self._group_id(field, ev) if ev else 0 for v, ev in known.items()}

    # ------------------------------------------------------------------ evidence per distinct value

    def _group_ids(self, field: str, column: pl.Series) -> pl.Series:
        cache = self._value_gid[field]
        values = column.drop_nulls().unique().to_list()
        if field in self._unrepeated:  # values never recur (a column of MACs): skip the cache lookups
            new = [v for v in values if v.strip()]
            cache = {}
        else:
            new = [v for v in values if v not in cache and v.strip()]
            if len(values) > UNREPEATED_MIN and len(new) > 0.9 * len(values) and self.cache is None:
                self._unrepeated.add(field)
        if new:
            self.extracted += len(new)
            extracted = self.extractors[field].extract(new, self.fields[field])
            remember = len(cache) < CACHE_LIMIT
            fresh: dict[str, int] = {}
            for value, evidence in zip(new, extracted):
                fresh[value] = self._group_id(field, evidence) if evidence else 0
            if remember:
                cache.update(fresh)
        else:
            fresh = {}
        if cache:
            hits = {v: g for v in values if (g := cache.get(v, fresh.get(v, 0)))}
        else:
            hits = {v: g for v, g in fresh.items() if g}
        if not hits:
            return pl.Series(field, [0] * len(column), dtype=pl.UInt32)
        return column.replace_strict(list(hits), list(hits.values()), default=0, return_dtype=pl.UInt32).alias(field)

    def _group_id(self, field: str, evidence: EvidenceTuple) -> int:
        """A new group per value with evidence, except where the evidence does not depend on the value:
        notes ("locally administered MAC") and per-row evidence (every MAC of one block) share one
        group, so they do not defeat deduplication."""
        token = row_value(self.fields[field])
        if all(e.target is None and e.entity is None and not e.matched for e in evidence):
            if any(e.value for e in evidence):
                evidence = tuple(replace(e, value="") for e in evidence)
        elif not all(e.value == token for e in evidence):
            self.groups.append(evidence)
            return len(self.groups) - 1
        gid = self._shared_groups.get(evidence)
        if gid is None:
            self.groups.append(evidence)
            gid = self._shared_groups[evidence] = len(self.groups) - 1
        return gid

    def save_cache(self) -> None:
        """Write each field's distinct values and their evidence for the next run."""
        if self.cache is not None:
            for field, column in self.fields.items():
                self.cache.save(field, column, {v: self.groups[g] for v, g in self._value_gid[field].items()})

    # ------------------------------------------------------------------ one finding per signature

    def _finding_index(self, signature: tuple[int, ...]) -> int:
        index = self._by_signature.get(signature)
        if index is None:
            evidence = [e for gid in signature for e in self.groups[gid]]
            finding = self.fuser.fuse(evidence)
            body = finding.to_dict() | {"kb_version": self.kb.version}
            index = len(self.findings)
            self.findings.append(finding)
            self.finding_json.append(json.dumps(body, ensure_ascii=False, separators=(",", ":"))[1:])
            self._carries_token.append(any(t in self.finding_json[-1] for t in self.row_tokens))
            self._by_signature[signature] = index
        return index

    def screen(self, batch: pl.DataFrame) -> pl.DataFrame:
        """Return `row`, `id`, `finding` (index into self.findings; null for error rows) and `error`."""
        ok = batch[ERROR_COLUMN].is_null() if ERROR_COLUMN in batch.columns else pl.Series([True] * batch.height)
        gids = pl.DataFrame([self._group_ids(f, batch[c]) for f, c in self.fields.items()])
        signatures = gids.unique()
        mapping = signatures.with_columns(
            pl.Series("finding", [self._finding_index(sig) for sig in signatures.iter_rows()], dtype=pl.UInt32)
        )
        finding = gids.join(mapping, on=list(self.fields), how="left", maintain_order="left", nulls_equal=True)["finding"]
        rows = batch[ROW_COLUMN] if ROW_COLUMN in batch.columns else pl.Series(range(batch.height))
        return pl.DataFrame({
            "row": rows.cast(pl.Int64),
            "id": self._identity(batch),
            "finding": finding.zip_with(ok, pl.Series([None] * batch.height, dtype=pl.UInt32)),
            "error": batch[ERROR_COLUMN] if ERROR_COLUMN in batch.columns else pl.Series([None] * batch.height, dtype=pl.String),
        })

    # ------------------------------------------------------------------ stable identity

    def _identity(self, batch: pl.DataFrame) -> pl.Series:
        """A finding's stable id: what identifies the record (MAC, FCC ID, serial, asset id), else a
        hash of its screened fields, so decisions and diffs can follow it from run to run."""
        exprs: list[pl.Expr] = []
        if "mac" in self.identity:
            hexed = mac_hex_expr(self.identity["mac"]).str.to_lowercase()
            exprs.append(pl.when(hexed.str.contains(r"^[0-9a-f]{12}$")).then(pl.lit("mac:") + hexed))
        if "fcc_id" in self.identity:
            fcc = pl.col(self.identity["fcc_id"]).str.to_uppercase().str.replace_all(r"^(CONTAINS\s+)?FCC\s*ID\s*[:#.]?\s*|\s", "")
            exprs.append(pl.when(fcc.str.contains(r"^[A-Z0-9-]{4,19}$")).then(pl.lit("fcc:") + fcc))
        for name, prefix in (("serial", "serial:"), ("asset_id", "asset:"), ("ip", "ip:")):
            if name in self.identity:
                col = pl.col(self.identity[name]).str.strip_chars()
                exprs.append(pl.when(col.str.contains(_SAFE_ID)).then(pl.lit(prefix) + col))
        ids = batch.select(pl.coalesce(exprs).alias("id"))["id"] if exprs else pl.Series("id", [None] * batch.height, dtype=pl.String)
        missing = ids.is_null()
        if ERROR_COLUMN in batch.columns:
            missing &= batch[ERROR_COLUMN].is_null()
        if not missing.any():
            return ids
        # Rows with none of those: a hash of their screened fields, computed for those rows only.
        columns = sorted(set(self.fields.values()) | set(self.identity.values()))
        keys = batch.filter(missing).select(pl.concat_str([pl.col(c).fill_null("") for c in columns], separator="\x1f"))[:, 0]
        hashed = [f"h:{hashlib.sha1(v.encode()).hexdigest()[:20]}" for v in keys]
        return ids.scatter(missing.arg_true(), hashed)

    # ------------------------------------------------------------------ output helpers

    def jsonl_lines(self, batch: pl.DataFrame, result: pl.DataFrame) -> pl.Series:
        """The output contract: one JSON object per row, built without a Python loop per row."""
        bodies = pl.Series("body", self.finding_json, dtype=pl.String)
        frame = self.fill_row_values(result.with_columns(body=bodies.gather(result["finding"].fill_null(0))), batch, ["body"])
        line = pl.concat_str([
            pl.lit('{"row":'), pl.col("row").cast(pl.String), pl.lit(',"id":"'), pl.col("id"), pl.lit('",'), pl.col("body"),
        ])
        lines = frame.select(pl.when(pl.col("error").is_null()).then(line).alias("line"))["line"]
        if result["error"].null_count() == result.height:
            return lines
        errors = {
            i: json.dumps(error_object(row, msg, self.kb.version), ensure_ascii=False, separators=(",", ":"))
            for i, (row, msg) in enumerate(result.select("row", "error").iter_rows()) if msg is not None
        }
        return lines.scatter(list(errors), list(errors.values()))

    def fill_row_values(self, frame: pl.DataFrame, batch: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
        """Write each row's own values in place of the per-row tokens in the given text columns
        (`frame` and `batch` are row-aligned, `frame` has the `finding` column). Only rows whose
        finding carries a token are rewritten."""
        if not self.row_tokens:
            return frame
        rows = pl.Series(self._carries_token, dtype=pl.Boolean).gather(frame["finding"].fill_null(0)) & frame["finding"].is_not_null()
        if not rows.any():
            return frame
        values = batch.filter(rows).select([expr.alias(f"__value{i}") for i, expr in enumerate(self.row_tokens.values())])
        subset = pl.concat([frame.filter(rows).select(columns), values], how="horizontal")
        for i, token in enumerate(self.row_tokens):
            subset = subset.with_columns([pl.col(c).str.replace_all(token, pl.col(f"__value{i}").fill_null(""), literal=True) for c in columns])
        positions = rows.arg_true()
        return frame.with_columns([frame[c].scatter(positions, subset[c]) for c in columns])

    def concrete(self, index: int, row: dict[str, str | None]) -> Finding:
        """A finding with one row's own values written in (for single-row views: lookup, HTML)."""
        finding = self.findings[index]
        values = pl.DataFrame({c: pl.Series(c, [row.get(c)], dtype=pl.String) for c in self.fields.values()})
        filled = {token: values.select(expr)[0, 0] or "" for token, expr in self.row_tokens.items()}
        if not filled:
            return finding

        def fill(text: str | None) -> str | None:
            for token, value in filled.items():
                text = text.replace(token, value) if text else text
            return text

        return replace(
            finding, explanation=fill(finding.explanation) or "",
            evidence=[replace(e, value=fill(e.value) or "") for e in finding.evidence],
            conflicts=[replace(e, value=fill(e.value) or "") for e in finding.conflicts],
        )


def error_object(row: int, message: str, kb_version: str) -> dict[str, object]:
    return {
        "row": row, "id": None, "verdict": Verdict.ERROR.value, "entity": None, "relation": None, "confidence": 0.0,
        "error": message, "regimes": [], "evidence": [], "conflicts": [], "kb_version": kb_version,
    }
