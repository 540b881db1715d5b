"""The screening engine: columnar batches in, one finding per row out.

Work is done once per distinct value, not once per row:
1. for each mapped field, the batch's distinct values that were not seen before go through the
   field's extractor; each value gets an evidence-group id (0 = no evidence);
2. each row is then a tuple of group ids, its *signature*; each distinct signature is fused once;
3. signatures are joined back to rows. A million-row inventory with a few thousand distinct
   vendor strings costs a few thousand extractions and a few hundred fusions.
Free text that hardly repeats (listing titles) is grouped by evidence key instead of by value, and
once its values are known never to recur, row by row (_keyed_group_ids, _row_group_ids).
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import polars as pl

from covscan.evidence import IDENTITY_FIELDS, SCREENING_FIELDS, EvidenceTuple, Extractor, build_extractors, field_kind
from covscan.evidence.base import KeyedExtractor
from covscan.evidence.mac import MacExtractor

if TYPE_CHECKING:
    from covscan.cache import EvidenceCache
from covscan.kb import KnowledgeBase
from covscan.model import ERROR_COLUMN, MAC_HEX, MAC_NUMBER, ROW_COLUMN, ROW_TOKEN_MARK, Context, Finding, Use, Verdict, row_value
from covscan.normalize import mac_columns, mac_display_expr, mac_hex_expr
from covscan.verdict import Fuser

# Distinct values remembered per field across batches; beyond this (say, a column of unique MACs)
# new values are still screened, just not remembered.
CACHE_LIMIT = 500_000
_KEYS_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="covscan-keys")
# A batch with this many distinct values, 90% of them unseen, marks a column whose values do not repeat.
UNREPEATED_MIN = 20_000
# A batch with at least this many distinct values of a field, more than one per two rows (listing
# titles, say), records them in evidence as row tokens, so values with the same matches share one
# finding; below it, fusing per value is cheaper than writing each row's value in. So does a field
# once this many of its values would have evidence of their own (thousands of sysObjectIDs or model
# numbers, in one batch or spread over a long input): the findings they would multiply stay bounded.
TOKENIZE_MIN = 1_000
# What str.strip() removes, for blank values found column-wide: Rust's whitespace lacks \x1c-\x1f,
# and a value of those alone would otherwise be screened (a SADP reply of any bytes is evidence).
BLANK = "".join(c for c in map(chr, range(0x3001)) if c.isspace())  # U+3000 is the highest
# An identifier is used as it stands when it is 1-64 of these characters (checked as "no other
# character", which polars evaluates far faster than a counted Unicode repetition).
_UNSAFE_ID_CHAR = r"[^\w.:/#-]"


@dataclass(frozen=True)
class ScreenSettings:
    context: Context = Context.GENERAL
    use: Use | None = None


class Engine:
    """Screens batches whose columns are strings; `fields` maps screening fields to input columns."""

    def __init__(self, kb: KnowledgeBase, fields: Mapping[str, str], settings: ScreenSettings = ScreenSettings(),
                 cache: EvidenceCache | None = None, extractors: Mapping[str, Extractor] | None = None) -> None:
        unknown = {f for f in fields if field_kind(f) not in SCREENING_FIELDS and f not in IDENTITY_FIELDS}
        if unknown:
            raise ValueError(f"unknown screening field(s): {', '.join(sorted(unknown))}")
        self.kb = kb
        self.settings = settings
        self.fields = {f: c for f, c in fields.items() if field_kind(f) in SCREENING_FIELDS}
        self.identity = {f: fields[f] for f in IDENTITY_FIELDS if f in fields}
        extractors = dict(extractors or build_extractors(kb))  # those that recognised the columns, when given
        self.extractors = extractors | {f: extractors[field_kind(f)] for f in self.fields}  # vendor#2 reads as vendor
        self.fuser = Fuser(kb, settings.context, settings.use)
        self.groups: list[EvidenceTuple] = [()]
        self._shared_groups: dict[EvidenceTuple, int] = {}
        self._unrepeated: set[str] = set()
        self._own_groups: dict[str, int] = dict.fromkeys(self.fields, 0)  # per field: groups that name one value
        self._tokenized: set[str] = set()  # fields whose evidence names values by row token from now on
        # token -> how to compute each row's value for it: the MAC in display form, other values as written
        self.row_tokens: dict[str, pl.Expr] = {row_value(c): pl.col(c) for f, c in self.fields.items() if f != "mac"}
        if "mac" in self.fields:
            self.row_tokens[row_value(self.fields["mac"])] = mac_display_expr(mac_hex_expr(self.fields["mac"]))
        # MACs are deduplicated by their key (registered block or note), computed for the whole column.
        self._mac: MacExtractor | None = self.extractors["mac"] if "mac" in self.fields else None  # type: ignore[assignment]
        self._id_exprs = self._identity_exprs()
        self._value_gid: dict[str, dict[str, int]] = {f: {} for f in self.fields}
        self._key_gid: dict[str, dict[str, int]] = {}  # per keyed field: evidence key -> group id
        self.findings: list[Finding] = []
        self.finding_json: list[str] = []
        self._carries_token: list[bool] = []  # per finding: does its JSON hold a per-row token?
        self._carries: dict[str, list[bool]] = {t: [] for t in self.row_tokens}  # the same, token by token
        self._by_signature: dict[tuple[int, ...], int] = {}
        self.extracted = 0  # distinct values resolved in this run (the rest came from the cache)
        self.cache = cache
        if cache is not None:
            for field, column in self.fields.items():
                known = cache.load(field, column)
                self._value_gid[field] = {v: self._group_id(field, ev) if ev else 0 for v, ev in known.items()}

    # ------------------------------------------------------------------ evidence per distinct value

    def _group_ids(self, field: str, distinct: pl.Series, rows: int) -> pl.DataFrame:
        """The batch's distinct values (or keys) of one field that have evidence, with their group
        ids (`value`, `gid`); values not seen before go through the field's extractor, the rest come
        from memory. In a batch of `rows` rows whose values hardly repeat, or once a field's values
        with evidence of their own would reach TOKENIZE_MIN, evidence names each value by its row
        token, in this batch and after."""
        cache = self._value_gid[field]
        if field not in self._unrepeated and not cache and self.cache is None and len(distinct) > UNREPEATED_MIN:
            present = distinct.filter(distinct.str.strip_chars(BLANK) != "")
            if len(present) > 0.9 * len(distinct):  # a first batch already this varied: as below, without Python lists
                self._unrepeated.add(field)
        remember = field not in self._unrepeated
        if not remember:  # values never recur (a column of serial-like text): skip the cache lookups
            new = distinct.filter(distinct.str.strip_chars(BLANK) != "")
            cache = {}
        else:
            values = distinct.to_list()
            new = pl.Series([v for v in values if v not in cache and v.strip()], dtype=pl.String)
            if len(values) > UNREPEATED_MIN and len(new) > 0.9 * len(values) and self.cache is None:
                self._unrepeated.add(field)
        fresh = _group_frame([], [])
        if len(new):
            self.extracted += len(new)
            hardly_repeat = len(distinct) >= TOKENIZE_MIN and len(distinct) > rows // 2
            if hardly_repeat and field != "mac":
                self._tokenized.add(field)
            extractor = self.extractors[field]
            if field in self._tokenized and isinstance(extractor, KeyedExtractor):
                fresh = pl.DataFrame({"value": new, "gid": self._keyed_group_ids(field, new, extractor)})
            else:
                # The MAC field's values are block keys (MacExtractor.keys), so they are extracted by key.
                extract = self._mac.extract_keys if field == "mac" and self._mac else extractor.extract
                new_values = new.to_list()
                found = extract(new_values, self.fields[field])
                if field != "mac" and self._own_groups[field] + sum(map(bool, found)) >= TOKENIZE_MIN:
                    self._tokenized.add(field)
                fresh = _group_frame(new_values, [self._value_group_id(field, v, ev) if ev else 0 for v, ev in zip(new_values, found)])
        fresh_gid = dict(zip(fresh["value"].to_list(), fresh["gid"].to_list())) if remember else {}
        if len(cache) < CACHE_LIMIT:
            cache.update(fresh_gid)
        if not cache:
            return fresh.filter(pl.col("gid") != 0)
        known = {v: g for v in values if (g := cache.get(v, fresh_gid.get(v, 0)))}  # only a remembered field has a cache
        return _group_frame(list(known), list(known.values()))

    def _keyed_group_ids(self, field: str, values: pl.Series, extractor: KeyedExtractor, keys: pl.Series | None = None) -> pl.Series:
        """Group ids of (non-blank) values whose extractor says which share evidence, worked out for
        the whole column: one value is read per key not seen before, and its group, naming the row
        token, serves every value of the key in this batch and later ones. Values without a key, or
        that cannot be written in for a token, are read on their own. `keys`: the values' evidence keys,
        if already worked out."""
        keyed = pl.DataFrame({"value": values, "key": extractor.evidence_keys(values) if keys is None else keys}).with_columns(
            key=pl.when(pl.col("value").str.contains(_NOT_PLAIN.pattern)).then(None).otherwise(pl.col("key"))
        )
        known = self._key_gid.setdefault(field, {})
        keys = keyed["key"].drop_nulls().unique(maintain_order=True)
        unseen = [k for k in keys.to_list() if k not in known]
        firsts = keyed.filter(pl.col("key").is_in(unseen)).unique("key", keep="first", maintain_order=True)
        alone = keyed["key"].is_null()
        loners = keyed["value"].filter(alone).unique(maintain_order=True)
        reads = [*firsts["value"].to_list(), *loners.to_list()]
        gids = [self._value_group_id(field, v, ev) for v, ev in zip(reads, extractor.extract(reads, self.fields[field]))]
        fresh = dict(zip(firsts["key"].to_list(), gids))
        by_key = [fresh[k] if k in fresh else known[k] for k in keys.to_list()]
        if len(known) < CACHE_LIMIT:
            known.update(fresh)
        gid = keyed["key"].replace_strict(keys, pl.Series(by_key, dtype=pl.UInt32), default=0, return_dtype=pl.UInt32)
        if len(loners):
            own = keyed["value"].filter(alone).replace_strict(loners, pl.Series(gids[len(fresh):], dtype=pl.UInt32), return_dtype=pl.UInt32)
            gid = gid.scatter(alone.arg_true(), own)
        return gid

    def _row_group_ids(self, field: str, column: pl.Series, present: pl.Series, keys: pl.Series, extractor: KeyedExtractor) -> pl.Series:
        """Group ids row by row, for a keyed field whose values never recur (listing titles): there
        are no distinct values worth finding and joining back. `keys`: the evidence keys of the
        `present` (non-blank) values."""
        gids = self._keyed_group_ids(field, column.filter(present), extractor, keys)
        self.extracted += len(gids)
        return pl.repeat(0, len(column), dtype=pl.UInt32, eager=True).scatter(present.arg_true(), gids).alias(field)

    def _value_group_id(self, field: str, value: str, evidence: EvidenceTuple) -> int:
        """A value's group id (0: no evidence); in a tokenised field, evidence names the value by
        its row token where writing it back in will be exact."""
        if not evidence:
            return 0
        if field in self._tokenized and _json_plain(value):
            token = row_value(self.fields[field])
            evidence = tuple(e.observed_as(token) if e.value == value else e for e in evidence)
        return self._group_id(field, evidence)

    def _group_id(self, field: str, evidence: EvidenceTuple) -> int:
        """A new group per value with evidence, except where the evidence does not depend on the value:
        notes ("locally administered MAC") and per-row evidence (every MAC of one block; titles with
        the same matches) share one group, so they do not defeat deduplication."""
        token = row_value(self.fields[field])
        if all(e.target is None and e.entity is None and not e.matched for e in evidence):
            if any(e.value for e in evidence):
                evidence = tuple(replace(e, value="") for e in evidence)
        elif not all(e.value == token for e in evidence):
            self._own_groups[field] += 1
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
            index = self._by_signature[signature] = self._register(self.fuser.fuse(evidence))
        return index

    def annotated(self, index: int, decision: dict[str, Any]) -> int:
        """A new finding: finding `index` with a team's decision beside it (covscan.decisions)."""
        return self._register(replace(self.findings[index], decision=decision))

    def _register(self, finding: Finding) -> int:
        body = finding.to_dict() | {"kb_version": self.kb.version}
        self.findings.append(finding)
        self.finding_json.append(json.dumps(body, ensure_ascii=False, separators=(",", ":"))[1:])
        for token, carries in self._carries.items():
            carries.append(token in self.finding_json[-1])
        self._carries_token.append(any(carries[-1] for carries in self._carries.values()))
        return len(self.findings) - 1

    def screen(self, batch: pl.DataFrame) -> pl.DataFrame:
        """Return `row`, `id`, `finding` (index into self.findings; null for error rows) and `error`."""
        errors = batch[ERROR_COLUMN] if ERROR_COLUMN in batch.columns else pl.repeat(None, batch.height, dtype=pl.String, eager=True)
        if "mac" in self.identity:
            hexed, number = mac_columns(batch[self.identity["mac"]])
            staged = batch.with_columns(hexed.alias(MAC_HEX), number.alias(MAC_NUMBER))
        else:
            staged = batch
        columns = [staged[c].alias(f) for f, c in self.fields.items() if f != "mac"]
        if self._mac:
            columns.append(self._mac.keys(staged[MAC_HEX], staged[MAC_NUMBER]).alias("mac"))
        values = pl.DataFrame(columns)
        by_row = {f: e for f in self._unrepeated & self._tokenized if isinstance(e := self.extractors[f], KeyedExtractor)}
        by_value = [f for f in self.fields if f not in by_row]
        # The evidence keys of each field read row by row (a part list's models and descriptions), each in
        # a thread of its own while the other fields are looked up: mostly polars kernels, one thread each.
        present = {f: (values[f].str.strip_chars(BLANK) != "").fill_null(False) for f in by_row}
        keys = {f: _KEYS_POOL.submit(e.evidence_keys, values[f].filter(present[f])) for f, e in by_row.items()}
        distinct = values.lazy().select(pl.col(f).drop_nulls().unique().implode() for f in by_value).collect()
        hits = {f: self._group_ids(f, distinct[f][0], batch.height) for f in by_value}
        replaced = values.lazy().select(
            pl.col(f).replace_strict(h["value"], h["gid"], default=0, return_dtype=pl.UInt32) if h.height else pl.lit(0, pl.UInt32).alias(f)
            for f, h in hits.items()
        ).collect()
        gids = pl.DataFrame([replaced[f] if f in hits else self._row_group_ids(f, values[f], present[f], keys[f].result(), by_row[f])
                             for f in self.fields])
        signatures = gids.unique()
        mapping = signatures.with_columns(
            pl.Series("finding", [self._finding_index(sig) for sig in signatures.iter_rows()], dtype=pl.UInt32)
        )
        finding = gids.join(mapping, on=list(self.fields), how="left", maintain_order="left")["finding"]
        rows = batch[ROW_COLUMN] if ROW_COLUMN in batch.columns else pl.int_range(0, batch.height, eager=True)
        return pl.DataFrame({
            "row": rows.cast(pl.Int64),
            "id": self._hash_missing_ids(batch, self._identities(staged), errors),
            "finding": finding.zip_with(errors.is_null(), pl.repeat(None, batch.height, dtype=pl.UInt32, eager=True)),
            "error": errors,
        })

    # ------------------------------------------------------------------ stable identity

    def _identity_exprs(self) -> list[pl.Expr]:
        """What identifies a record, strongest first (MAC, FCC ID, serial, asset id, IP); rows with
        none of those get a hash of their screened fields (_hash_missing_ids), so decisions and
        diffs can follow a record from run to run."""
        exprs: list[pl.Expr] = []
        if "mac" in self.identity:
            exprs.append(pl.when(pl.col(MAC_NUMBER).is_not_null()).then(pl.concat_str(pl.lit("mac:"), pl.col(MAC_HEX))))
        if "fcc_id" in self.identity:
            fcc = pl.col(self.identity["fcc_id"]).str.to_uppercase().str.replace_all(r"^(CONTAINS\s+)?FCC\s*ID\s*[:#.]?\s*|\s", "")
            exprs.append(pl.when(fcc.str.contains(r"^[A-Z0-9-]{4,19}$")).then(pl.lit("fcc:") + fcc))
        for name, prefix in (("serial", "serial:"), ("asset_id", "asset:"), ("ip", "ip:")):
            if name in self.identity:
                col = pl.col(self.identity[name]).str.strip_chars()
                safe = col.str.len_chars().is_between(1, 64) & ~col.str.contains(_UNSAFE_ID_CHAR)
                exprs.append(pl.when(safe).then(pl.lit(prefix) + col))
        return exprs

    def _identities(self, staged: pl.DataFrame) -> pl.Series:
        """Each row's stable id: its strongest identifier. Each weaker identifier is evaluated only
        on the rows still without one (in an inventory with MACs, that is few or none)."""
        ids = pl.repeat(None, staged.height, dtype=pl.String, eager=True)
        for expr in self._id_exprs:
            missing = ids.is_null()
            if missing.all():
                ids = staged.select(expr).to_series()
            elif missing.any():
                ids = ids.scatter(missing.arg_true(), staged.filter(missing).select(expr).to_series())
        return ids.alias("id")

    def _hash_missing_ids(self, batch: pl.DataFrame, ids: pl.Series, errors: pl.Series) -> pl.Series:
        missing = ids.is_null() & errors.is_null()
        if not missing.any():
            return ids
        columns = sorted(set(self.fields.values()) | set(self.identity.values()))
        keys = batch.filter(missing).select(pl.concat_str([pl.col(c).fill_null("") for c in columns], separator="\x1f"))[:, 0]
        hashed = {v: f"h:{hashlib.sha1(v.encode()).hexdigest()[:20]}" for v in keys.unique().to_list()}
        return ids.scatter(missing.arg_true(), keys.replace_strict(hashed, return_dtype=pl.String))

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

    def token_rows(self, finding: pl.Series, token: str | None = None) -> pl.Series:
        """Which rows' findings carry a per-row token (or this one), so their text is their own."""
        carries = self._carries_token if token is None else self._carries[token]
        if not carries:
            return pl.repeat(False, len(finding), dtype=pl.Boolean, eager=True)
        return pl.Series(carries, dtype=pl.Boolean).gather(finding.fill_null(0)) & finding.is_not_null()

    def fill_row_values(self, frame: pl.DataFrame, batch: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
        """Write each row's own values in place of the per-row tokens in the given text columns
        (`frame` and `batch` are row-aligned, `frame` has the `finding` column). Only rows whose
        finding carries a token are rewritten, token by token."""
        if not columns:
            return frame
        for token, expr in self.row_tokens.items():
            rows = self.token_rows(frame["finding"], token)
            if not rows.any():
                continue
            if rows.all():  # no rows to pick out and put back
                values = batch.select(expr.fill_null(""))[:, 0]
                frame = frame.with_columns(pl.col(c).str.replace_all(token, values, literal=True) for c in columns)
                continue
            subset = pl.concat([frame.filter(rows).select(columns), batch.filter(rows).select(expr.fill_null("").alias("__value"))],
                               how="horizontal").select(pl.col(c).str.replace_all(token, pl.col("__value"), literal=True) for c in columns)
            positions = rows.arg_true()
            frame = frame.with_columns([frame[c].scatter(positions, subset[c]) for c in columns])
        return frame

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


# What json.dumps(ensure_ascii=False) escapes (a quote, a backslash, control characters), and the token mark.
_NOT_PLAIN = re.compile(r'[\x00-\x1f"\\' + ROW_TOKEN_MARK + "]")


def _json_plain(value: str) -> bool:
    """Whether a value reads the same inside a JSON string and holds no token mark, so writing it
    in for its token is exact in every output format."""
    return _NOT_PLAIN.search(value) is None


def _group_frame(values: list[str], gids: list[int]) -> pl.DataFrame:
    return pl.DataFrame({"value": values, "gid": gids}, schema={"value": pl.String, "gid": pl.UInt32})


def error_object(row: int, message: str, kb_version: str) -> dict[str, object]:
    return {
        "row": row, "id": None, "verdict": Verdict.ERROR.value, "entity": None, "relation": None, "confidence": 0.0,
        "error": message, "regimes": [], "evidence": [], "conflicts": [], "kb_version": kb_version,
    }
