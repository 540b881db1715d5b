"""Screening batches of party rows: each distinct party once, its matches turned into a finding.

PartyEngine has the members report.findings.FindingTable names, so the writers of `screen` (JSONL,
CSV, XLSX, HTML, Parquet) write party runs too, and screen.Screen runs it batch by batch. Its JSONL
is the party contract: one object per row with `verdict` (match | review | clear | error) and the
`matches`, best first, each with its list, entry, score, per-feature scores and explanation.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import polars as pl

from covscan.kb import KnowledgeBase
from covscan.kb.loader import RELATIONS_REVIEW
from covscan.lists.births import birth_date
from covscan.lists.knowledge_base import LIST_CODE
from covscan.lists.model import ListEntry
from covscan.model import ERROR_COLUMN, ROW_COLUMN, Context, Evidence, Finding, RegimeHit, Verdict
from covscan.parties.export import ExportRules, OrderLine, PartyListing, load_export_rules
from covscan.parties.lists import ListCatalogue
from covscan.parties.match import MATCH, REVIEW, ListIndex, Party, PartyMatch

# Order-line fields: a row with any of them gets an export check.
ORDER_FIELDS = ("eccn", "hs_code", "destination", "end_use")
PARTY_FIELDS = ("name", "family_name", "given_name", "alias", "address", "city", "country", "identifier", "date_of_birth")
KEY_FIELDS = (*PARTY_FIELDS, *ORDER_FIELDS)  # a row's finding depends on these and on nothing else
SCREENED = ("name", "family_name", "given_name", "alias", "identifier")  # a row needs one of these to be screened
_BLANK = " \t\r\n\u00a0\u3000"


@dataclass(frozen=True)
class PartySettings:
    context: Context = Context.GENERAL
    limit: int = 3  # matches listed per row


class PartyEngine:
    """Matches each row's party against the lists (see covscan.parties.match) and, for order lines,
    checks the export rules; findings are kept per distinct (party, line), in first-seen order."""

    def __init__(self, index: ListIndex, catalogue: ListCatalogue, fields: Mapping[str, str], kb: KnowledgeBase,
                 settings: PartySettings = PartySettings(), export_rules: ExportRules | None = None) -> None:
        self.index = index
        self.catalogue = catalogue
        self.fields = dict(fields)
        self.kb = kb
        self.settings = settings
        self.export_rules = export_rules if any(f.split("#")[0] in ORDER_FIELDS for f in self.fields) else None
        self.findings: list[Finding] = []
        self.finding_json: list[str] = []
        self._by_key: dict[tuple[str, ...], int] = {}
        self._shared: dict[bool, int] = {}  # the one finding of every clear row (and of every empty one)

    # ------------------------------------------------------------------ FindingTable

    def screen(self, batch: pl.DataFrame) -> pl.DataFrame:
        """Return `row`, `id`, `finding` (index into self.findings; null for error rows) and `error`.
        A row with values but no name, alias or identifier to screen is an error row that says so."""
        errors = batch[ERROR_COLUMN] if ERROR_COLUMN in batch.columns else pl.repeat(None, batch.height, dtype=pl.String, eager=True)
        values = batch.select(
            pl.concat_str([pl.col(c).cast(pl.String).fill_null("") for c in self._columns(kind)], separator="\x1f")
            .str.strip_chars(_BLANK).alias(kind) if self._columns(kind) else pl.lit("").alias(kind)
            for kind in KEY_FIELDS
        )
        filled = values.select(pl.col(KEY_FIELDS).str.replace_all("\x1f", "").str.strip_chars(_BLANK) != "")
        screenable = filled.select(pl.any_horizontal(SCREENED)).to_series()
        anything = filled.select(pl.any_horizontal(pl.all())).to_series()
        unscreened = pl.lit(f"no party name to screen: {self._named_columns()} empty in this row")
        errors = batch.select(pl.when(errors.is_null() & anything & ~screenable).then(unscreened).otherwise(errors)).to_series()
        distinct = values.unique(keep="first", maintain_order=True)
        index = [self._finding(tuple(row)) for row in distinct.iter_rows()]
        mapping = distinct.with_columns(pl.Series("finding", index, dtype=pl.UInt32))
        finding = values.join(mapping, on=values.columns, how="left", nulls_equal=True, maintain_order="left")["finding"]
        rows = batch[ROW_COLUMN] if ROW_COLUMN in batch.columns else pl.int_range(0, batch.height, eager=True)
        keyed = values.select(pl.concat_str(pl.all(), separator="\x1e")).to_series()
        hashed = {v: f"h:{hashlib.sha1(v.encode()).hexdigest()[:20]}" for v in keyed.unique().to_list()}
        ids = keyed.replace_strict(hashed, return_dtype=pl.String)
        if self._columns("record_id"):  # the file's own customer or supplier number, when it has one
            own = batch[self._columns("record_id")[0]].cast(pl.String).str.strip_chars(_BLANK)
            ids = pl.select(pl.when(own.str.len_chars().is_between(1, 64)).then(pl.lit("record:") + own).otherwise(ids)).to_series()
        ok = errors.is_null()
        return pl.DataFrame({
            "row": rows.cast(pl.Int64),
            "id": ids.zip_with(ok, pl.repeat(None, batch.height, dtype=pl.String, eager=True)),
            "finding": finding.zip_with(ok, pl.repeat(None, batch.height, dtype=pl.UInt32, eager=True)),
            "error": errors,
        })

    def _named_columns(self) -> str:
        columns = [c for k in SCREENED for c in self._columns(k)]
        return " and ".join(repr(c) for c in columns) if columns else "no name column"

    def jsonl_lines(self, batch: pl.DataFrame, result: pl.DataFrame) -> pl.Series:
        bodies = pl.Series("body", self.finding_json, dtype=pl.String)
        frame = result.with_columns(body=bodies.gather(result["finding"].fill_null(0)) if self.finding_json else pl.lit(""))
        line = pl.concat_str([pl.lit('{"row":'), pl.col("row").cast(pl.String), pl.lit(',"id":"'), pl.col("id"), pl.lit('",'), pl.col("body")])
        lines = frame.select(pl.when(pl.col("error").is_null()).then(line).alias("line"))["line"]
        errors = {i: json.dumps({"row": row, "id": None, "verdict": Verdict.ERROR.value, "error": msg, "matches": [], "regimes": []},
                                ensure_ascii=False, separators=(",", ":"))
                  for i, (row, msg) in enumerate(result.select("row", "error").iter_rows()) if msg is not None}
        return lines.scatter(list(errors), list(errors.values())) if errors else lines

    def token_rows(self, finding: pl.Series, token: str | None = None) -> pl.Series:
        """Party findings carry no per-row tokens: each distinct party has its own finding."""
        return pl.repeat(False, len(finding), dtype=pl.Boolean, eager=True)

    def fill_row_values(self, frame: pl.DataFrame, batch: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
        return frame

    def concrete(self, index: int, row: dict[str, str | None]) -> Finding:
        return self.findings[index]

    def save_cache(self) -> None:
        """Nothing is cached between party runs (reading the lists is what takes time, not matching)."""

    # ------------------------------------------------------------------ one party

    def _columns(self, kind: str) -> list[str]:
        return [c for f, c in self.fields.items() if f.split("#")[0] == kind]

    def _finding(self, key: tuple[str, ...]) -> int:
        found = self._by_key.get(key)
        if found is not None:
            return found
        value = dict(zip(KEY_FIELDS, key))
        party = Party(value["name"].replace("\x1f", " "), value["address"].replace("\x1f", " "), value["city"].replace("\x1f", " "),
                      party_country(value["country"].split("\x1f")[0]), tuple(v for v in value["identifier"].split("\x1f") if v.strip()),
                      birth_date(value["date_of_birth"]))
        parts = [p for p in value["name"].split("\x1f") if p.strip()]
        person = " ".join(p for p in (value["family_name"], *value["given_name"].split("\x1f")) if p.strip())
        if not party.name.strip() and person:  # a person's name in surname and given-name columns
            party = replace(party, name=person)
        # The name as the columns join it, each column of it alone (SAP's Name 1 / Name 2), the aliases.
        names = list(dict.fromkeys(n for n in (party.name, *(parts if len(parts) > 1 else ()), person, *value["alias"].split("\x1f"))
                                   if n.strip()))
        matches = self._matches(party, names)
        line = OrderLine(*(value[f].split("\x1f")[0] for f in ORDER_FIELDS)) if self.export_rules else None
        shared = line is None and not matches  # every clear party row reads alike: one finding for all of them
        empty = not names and not party.identifiers
        if shared and empty in self._shared:
            return self._shared[empty]
        finding, body = self._judge(party, names, matches, line)
        self.findings.append(finding)
        self.finding_json.append(body)
        index = len(self.findings) - 1
        if shared:
            self._shared[empty] = index
        else:  # memory holds the flagged parties (a few in a hundred), not every clear one
            self._by_key[key] = index
        return index

    def annotated(self, index: int, decision: dict[str, Any]) -> int:
        """A new finding: finding `index` with a team's decision beside it (covscan.decisions)."""
        self.findings.append(replace(self.findings[index], decision=decision))
        self.finding_json.append(self.finding_json[index][:-1] + ',"decision":' + json.dumps(decision, ensure_ascii=False, separators=(",", ":")) + "}")
        return len(self.findings) - 1

    def _matches(self, party: Party, names: Sequence[str]) -> list[PartyMatch]:
        """The best matches of any of the party's names (its name and the aliases a file gives)."""
        best: dict[tuple[str, str], PartyMatch] = {}
        for name in names or [""]:
            query = replace(party, name=name)
            for m in self.index.match(query, self.settings.limit):
                key = (m.entry.list_code, m.entry.entry_id)
                if key not in best or m.score > best[key].score:
                    best[key] = m
        return sorted(best.values(), key=lambda m: m.score, reverse=True)[: self.settings.limit]

    def _judge(self, party: Party, names: Sequence[str], matches: list[PartyMatch], line: OrderLine | None) -> tuple[Finding, str]:
        verdicts = [self._verdict(m) for m in matches]
        verdict = max(verdicts, key=lambda v: v.rank, default=Verdict.CLEAR)
        best = matches[0] if matches else None
        if not names and not party.identifiers:
            explanation = "an empty row: nothing to screen"
        elif best is None:
            explanation = f"no listed party scored {REVIEW:.2f} or more against {self.catalogue.size()}"
        else:
            affiliation = self._affiliation(best.entry)
            explanation = (f"{verdict.value}: {best.entry.name} on {best.entry.list_name} ({best.entry.list_code} {best.entry.entry_id}), "
                           f"score {best.score:.2f}: {best.explanation}" + (f"; {affiliation}" if affiliation else ""))
        regimes = self._regimes(matches)
        export = self.export_rules.check(line, [self._listing(m, v) for m, v in zip(matches, verdicts)]) if line and self.export_rules else None
        finding = Finding(verdict, best.entry.name if best else None, best.entry.list_code if best else None,
                          best.score if best else 0.0, explanation, regimes, self._evidence(party, best) if best else [])
        body: dict[str, Any] = {
            "verdict": verdict.value, "entity": finding.entity, "list": finding.relation, "confidence": round(finding.confidence, 3),
            "explanation": explanation,
            "matches": [self._match_dict(m, v) for m, v in zip(matches, verdicts)],
            "regimes": [r.to_dict() for r in regimes],
        }
        if export is not None:
            body["export_check"] = export.to_dict()
            finding.explanation += f"; export check: licence required {export.license_required}"
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        return finding, text[1:]  # the row and id go first (see jsonl_lines)

    def _verdict(self, m: PartyMatch) -> Verdict:
        """A match at or above MATCH is `match`, unless it only links the party to a listed entity
        (a subsidiary, affiliate or former subsidiary in the knowledge base that is not listed itself): `review`."""
        if m.score < MATCH:
            return Verdict.REVIEW
        if m.entry.relation and (m.entry.relation in RELATIONS_REVIEW or not self._listed_itself(m.entry)):
            return Verdict.REVIEW
        return Verdict.MATCH

    def _listed_itself(self, entry: ListEntry) -> bool:
        """A knowledge-base party with a listing of its own (a Covered List entry, a 1260H row), not only through its parent."""
        node = self.kb.nodes.get(entry.entry_id)
        return entry.list_code != LIST_CODE or bool(node and (node.memberships or node.id in self.kb.entries_by_entity))

    def _affiliation(self, entry: ListEntry) -> str:
        if not entry.parent:
            return ""
        if entry.list_code != LIST_CODE:  # the list's own remark ("Linked To: ...")
            return f"{entry.relation or 'linked to'} {entry.parent} (the list's remarks)"
        text = f"{entry.relation} of {entry.parent} in the knowledge base"
        if self._listed_itself(entry):
            return text
        return f"{text}, not listed itself; {self.catalogue.affiliates_rule}"

    def _regimes(self, matches: list[PartyMatch]) -> list[RegimeHit]:
        hits: dict[str, RegimeHit] = {}
        for m in matches:
            for hit in self.catalogue.regimes(m.entry, self.settings.context):
                hits.setdefault(hit.id, hit)
        return list(hits.values())

    def _listing(self, m: PartyMatch, verdict: Verdict) -> PartyListing:
        e = m.entry
        return PartyListing(e.list_code, e.name, e.entry_id, verdict.value, e.license_requirement, e.license_policy,
                            e.federal_register_notice, e.relation if not self._listed_itself(e) else "", e.parent)

    def _match_dict(self, m: PartyMatch, verdict: Verdict) -> dict[str, Any]:
        e = m.entry
        out: dict[str, Any] = {
            "list": e.list_code, "list_name": e.list_name, "name": e.name, "entry_id": e.entry_id, "score": m.score,
            "verdict": verdict.value, "matched_name": m.matched_name, "features": m.features, "explanation": m.explanation,
            "programs": list(e.programs), "license_requirement": e.license_requirement, "license_policy": e.license_policy,
            "federal_register_notice": e.federal_register_notice, "source_list_url": e.source_list_url,
        }
        if e.parent:
            out.update(parent=e.parent, relation=e.relation, affiliation=self._affiliation(e))
        if e.list_code == LIST_CODE:
            out["confidence"] = e.confidence
        return out

    def _evidence(self, party: Party, m: PartyMatch) -> list[Evidence]:
        column = self._columns("name")[0] if self._columns("name") else "name"
        out = [Evidence("party-name", column, party.name, target=m.entry.entry_id, entity=m.entry.name, relation=m.entry.list_code,
                        matched=m.matched_name, rule=f"party.{m.entry.list_code}", confidence=m.score,
                        source=m.entry.source_list_url or m.entry.source, note=m.explanation)]
        observed = {"date_of_birth": party.birth, "country": party.country, "address": f"{party.address} {party.city}".strip(), "identifier": ", ".join(party.identifiers)}
        for feature, value in observed.items():
            if feature in m.features:
                where = self._columns(feature)
                out.append(Evidence(f"party-{feature}", where[0] if where else feature, value, matched=m.entry.list_code,
                                    rule=f"party.{feature}", confidence=m.features[feature], source=m.entry.source_list_url))
        return out


def party_country(text: str) -> str:
    """A country as written in a master file (CN, CHN, China, P.R. China, People's Republic of China)
    as its ISO alpha-2 code, read as the export check reads destinations; "" when it names no country
    or an ambiguous one (it then corroborates nothing)."""
    return (load_export_rules().country(text) or "") if text.strip() else ""
