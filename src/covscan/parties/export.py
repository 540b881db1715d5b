"""The export check of an order line: which export-control rules apply to it and what they require.

The rules are data (kb/data/export_controls.yaml), reviewed like the rest of the knowledge base, each
with its citation, dates, source and confidence; this module reads and checks them and evaluates their
conditions with a small interpreter. The one use of a listing's own text: a rule marked `from_entry`
takes the requirement, policy and FR citation from the matched entry, as the CSL gives them for the
Entity List.

How a line is answered (`license_required`, in the order no < unknown < likely < yes):
- each rule in force on the check date whose conditions hold gives its outcome, kept within the bounds
  its confidence allows (an unverified fact makes neither a firm yes nor a firm no) and, for a party
  matched only as `review`, at most `likely`;
- the line gets the strongest of those answers; a listing that no rule covers, or a date before the
  period the rules describe, gives at least `unknown`;
- with no rule applying the answer is `no`. That happens only when the party is clear, the item is
  classified EAR99, the destination was read and is on no encoded list, and no red-flag end use is
  stated: missing item data and an unreadable destination are rules themselves (answer `unknown`), so
  they decide only lines nothing stronger decides. A listed party whose requirement covers all items is
  still `yes` without item data.

A knowledge-base party (list code KB) is read through entities.yaml: its own current memberships of the
regimes named in `kb_memberships` count as listings, and so do its parent's through a subsidiary,
affiliate or brand edge.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from covscan.evidence.origin import country_key, iso_countries
from covscan.kb.loader import (
    CONFIDENCE_LEVELS,
    KBError,
    Node,
    check_confidence,
    check_date,
    require_keys,
    read_yaml,
)
from covscan.lists.countries import country_code as list_country_code

ANSWERS = ("no", "unknown", "likely", "yes")  # weakest first: a line's answer is the strongest of its rules'
RELATIONS = ("listed", "subsidiary", "affiliate")
VERDICTS = ("match", "review")
FILE = "export_controls.yaml"

_TOP_KEYS = ("schema", "as_of", "covers_from", "answer_bounds", "review_match", "country_aliases", "ambiguous_countries",
             "country_groups", "end_uses", "kb_memberships", "kb_parent_relations", "rules")
_RULE_KEYS = ("id", "name", "citation", "effective", "confidence", "source", "outcome", "requirement", "applies_when")
_RULE_OPTIONAL = ("policy", "until", "phases", "facts", "from_entry")
_PARTY_KEYS = frozenset({"party_on", "party_relation", "party_name_matches", "party_text_matches"})
_LIST_KEYS = frozenset({"party_on", "party_relation", "party_name_matches", "party_text_matches", "eccn_in", "eccn_not_in",
                        "hts_prefix_in", "destination_in", "destination_not_in", "end_use_in"})
_BOOL_KEYS = frozenset({"eccn_missing", "destination_missing"})
_ECCN = re.compile(r"(\d[A-EY]\d{3})((?:[A-Z]+|\d+)*)")


def normalize_eccn(text: str) -> str:
    """The canonical ECCN: base upper-case, paragraphs lower-case and dotted ("3a090a", "3A090.A" and
    " 3A090 .a" are all "3A090.a"; "ear 99" is "EAR99"). ValueError when it is not an ECCN."""
    compact = re.sub(r"[\s.\-_]", "", text).upper()
    if compact == "EAR99":
        return "EAR99"
    m = _ECCN.fullmatch(compact)
    if not m:
        raise ValueError(f"{text!r} is not an ECCN (e.g. 3A090.a, 5A992.c or EAR99)")
    return ".".join([m.group(1), *(p.lower() for p in re.findall(r"[A-Z]+|\d+", m.group(2)))])


def normalize_hts(text: str) -> str:
    """HTS / Schedule B digits without dots or spaces ("8542.31.0000" is "8542310000"); rules match
    them by prefix. ValueError when they are not 4 to 10 digits."""
    digits = re.sub(r"[\s.\-]", "", text)
    if not re.fullmatch(r"\d{4,10}", digits, re.ASCII):
        raise ValueError(f"{text!r} is not an HTS code (4 to 10 digits, dots optional)")
    return digits


# ---------------------------------------------------------------------------------------- interface


@dataclass(frozen=True)
class PartyListing:
    """What the name matcher found for the line's party."""

    list_code: str  # EL, MEU, UVL, DPL, SDN, CMIC, SSI, ... or KB (knowledge-base party)
    entry_name: str
    entry_id: str
    verdict: str  # "match" or "review" (how sure the name match is)
    license_requirement: str = ""
    license_policy: str = ""
    federal_register_notice: str = ""
    relation: str = ""  # "" for the listed party itself; "subsidiary"/"affiliate" for an unlisted affiliate of a listed entity
    parent: str = ""  # the listed parent's name for such affiliates


@dataclass(frozen=True)
class OrderLine:
    eccn: str = ""
    hts: str = ""
    destination: str = ""
    end_use: str = ""


@dataclass
class RuleHit:
    """A rule that applies to the line; `answer` is what it gives after the confidence and review caps."""

    id: str
    name: str
    citation: str
    effective: str
    requirement: str
    policy: str
    confidence: str
    source: str
    why: str
    answer: str


@dataclass
class ExportCheck:
    license_required: str  # yes | likely | no | unknown
    rules: list[RuleHit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"license_required": self.license_required, "rules": [asdict(r) for r in self.rules], "notes": list(self.notes)}


# ---------------------------------------------------------------------------------------- the rules as read


@dataclass(frozen=True)
class _Phase:
    start: dt.date
    end: dt.date | None
    outcome: str
    confidence: str
    source: str
    note: str


@dataclass(frozen=True)
class _EntryText:
    all_items: tuple[re.Pattern[str], ...]
    narrower: tuple[re.Pattern[str], ...]
    narrower_outcome: str


@dataclass(frozen=True)
class _Rule:
    id: str
    name: str
    citation: str
    effective: dt.date
    until: dt.date | None
    confidence: str
    source: str
    outcome: str
    requirement: str
    policy: str
    when: dict[str, Any]
    phases: tuple[_Phase, ...]
    from_entry: _EntryText | None

    @property
    def about_party(self) -> bool:
        return "party_on" in self.when

    def state(self, on: dt.date) -> _Phase | None:
        """The rule's outcome and confidence on a date, or None when it is not in force."""
        if on < self.effective or (self.until and on > self.until):
            return None
        if not self.phases:
            return _Phase(self.effective, self.until, self.outcome, self.confidence, self.source, "")
        return next((p for p in self.phases if p.start <= on and (p.end is None or on <= p.end)), None)

    def covers(self, view: _View) -> bool:
        """Whether the rule's party conditions hold for this listing."""
        w = self.when
        if view.list_code not in w["party_on"] or view.relation not in w["party_relation"]:
            return False
        if "party_name_matches" in w and not any(p.search(view.name) for p in w["party_name_matches"]):
            return False
        return "party_text_matches" not in w or any(p.search(view.text) for p in w["party_text_matches"])


@dataclass(frozen=True)
class _View:
    """A listing as the rules see it: a PartyListing, or a listing read from a KB party's memberships."""

    list_code: str
    relation: str
    name: str
    parent: str
    verdict: str
    confidence: str
    listing: PartyListing
    basis: str = ""

    @property
    def text(self) -> str:
        e = self.listing
        return f"{e.license_requirement} {e.license_policy} {e.federal_register_notice}"

    def describe(self) -> str:
        how = "" if self.verdict == "match" else ", uncertain name match"
        on = "in the knowledge base" if self.list_code == "KB" else f"on {self.list_code}"
        said = (f"the party matches the entry {self.name!r} {on}" if self.relation == "listed"
                else f"the party {self.name!r} is a {self.relation} of {self.parent or 'a listed party'!r}, which is {on}")
        return said + how + (f" (read from {self.basis})" if self.basis else "")


@dataclass(frozen=True)
class _Line:
    eccn: str | None
    hts: str | None
    country: str | None
    end_uses: frozenset[str]


def _rank(answer: str) -> int:
    return ANSWERS.index(answer)


def _weakest(confidences: Sequence[str]) -> str:
    return max(confidences, key=CONFIDENCE_LEVELS.index)


def _date(value: Any, where: str) -> dt.date:
    text = check_date(value, where)
    if len(text) != 10:
        raise KBError(f"{where}: date {text!r} must be a full date YYYY-MM-DD")
    return dt.date.fromisoformat(text)


def _loose_date(value: Any) -> dt.date:
    """A KB membership or edge date (YYYY, YYYY-MM or YYYY-MM-DD) as its first day."""
    text = str(value)
    return dt.date.fromisoformat(text + "-01-01"[len(text) - 4:] if len(text) < 10 else text)


def _answer(value: Any, where: str) -> str:
    if isinstance(value, bool):
        raise KBError(f"{where}: {value!r} is not an answer - quote \"yes\" and \"no\" (unquoted, YAML reads them as true/false)")
    if value not in ANSWERS:
        raise KBError(f"{where}: {value!r} is not one of {', '.join(ANSWERS)}")
    return str(value)


def _words(text: str) -> str:
    return " ".join(t for t in re.split(r"[^\w]+", text.casefold()) if t)


class ExportRules:
    """The export-control rules, read and checked once; `check` answers an order line."""

    def __init__(self, data: Mapping[str, Any], nodes: Callable[[], Mapping[str, Node]] | None = None) -> None:
        """`data` is the parsed export_controls.yaml; `nodes` gives the knowledge-base graph for KB parties
        (default: the installed knowledge base, read on the first KB party)."""
        unknown = sorted(set(data) - set(_TOP_KEYS))
        if unknown:
            raise KBError(f"{FILE}: unknown key(s) {', '.join(map(str, unknown))}")
        require_keys(dict(data), ("as_of", "covers_from", "answer_bounds", "review_match", "country_groups", "end_uses", "rules"), FILE)
        self.as_of = _date(data["as_of"], f"{FILE} as_of")
        self.covers_from = _date(data["covers_from"], f"{FILE} covers_from")
        self.bounds = self._read_bounds(data["answer_bounds"])
        self.review_cap = _answer(data["review_match"], f"{FILE} review_match")
        self.aliases = {country_key(k): str(v) for k, v in (data.get("country_aliases") or {}).items()}
        self.ambiguous = frozenset(country_key(a) for a in data.get("ambiguous_countries") or ())
        self.groups = self._read_groups(data["country_groups"])
        self.end_uses = self._read_end_uses(data["end_uses"])
        self.kb_memberships = {str(k): str(v) for k, v in (data.get("kb_memberships") or {}).items()}
        self.kb_parent_relations = {str(k): str(v) for k, v in (data.get("kb_parent_relations") or {}).items()}
        bad = sorted(set(self.kb_parent_relations.values()) - set(RELATIONS))
        if bad:
            raise KBError(f"{FILE} kb_parent_relations: {', '.join(bad)} not one of {', '.join(RELATIONS)}")
        self.rules = self._read_rules(data["rules"])
        self._nodes_of = nodes
        self._nodes: Mapping[str, Node] | None = None

    # ------------------------------------------------------------------ reading and checking

    @staticmethod
    def _read_bounds(raw: Any) -> dict[str, tuple[int, int]]:
        where = f"{FILE} answer_bounds"
        if not isinstance(raw, dict) or set(raw) != set(CONFIDENCE_LEVELS):
            raise KBError(f"{where}: needs exactly {', '.join(CONFIDENCE_LEVELS)}")
        out = {}
        for level, pair in raw.items():
            if not isinstance(pair, list) or len(pair) != 2:
                raise KBError(f"{where} {level}: expected [weakest, strongest]")
            lo, hi = (_rank(_answer(a, f"{where} {level}")) for a in pair)
            if lo > hi:
                raise KBError(f"{where} {level}: weakest {pair[0]!r} is stronger than strongest {pair[1]!r}")
            out[level] = (lo, hi)
        return out

    @staticmethod
    def _read_groups(raw: Any) -> dict[str, tuple[str, dict[str, tuple[str, str]]]]:
        groups: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {}
        for g in raw:
            where = f"{FILE} country group {g.get('id', '?')!r}"
            require_keys(g, ("id", "name", "members"), where, ())
            members: dict[str, tuple[str, str]] = {}
            for m in g["members"]:
                require_keys(m, ("country", "confidence", "source"), f"{where} member", ())
                code = str(m["country"])
                if not re.fullmatch(r"[A-Z]{2}", code):
                    raise KBError(f"{where}: {code!r} is not an ISO alpha-2 code (quote NO for Norway)")
                members[code] = (check_confidence(m["confidence"], f"{where} member {code}"), str(m["source"]))
            if g["id"] in groups:
                raise KBError(f"{where}: duplicate id")
            groups[g["id"]] = (str(g["name"]), members)
        return groups

    @staticmethod
    def _read_end_uses(raw: Any) -> dict[str, tuple[str, tuple[str, ...]]]:
        out = {}
        for eid, spec in raw.items():
            require_keys(spec, ("name", "terms"), f"{FILE} end use {eid!r}", ())
            out[str(eid)] = (str(spec["name"]), tuple(dict.fromkeys(_words(t) for t in (eid, *spec["terms"]))))
        return out

    def _read_rules(self, raw: Any) -> tuple[_Rule, ...]:
        rules: list[_Rule] = []
        seen: set[str] = set()
        for i, r in enumerate(raw):
            where = f"{FILE} rule {r.get('id') or '#' + str(i + 1)!r}"
            require_keys(r, _RULE_KEYS, where, _RULE_OPTIONAL)
            if not re.fullmatch(r"[a-z0-9_]+", str(r["id"])) or r["id"] in seen:
                raise KBError(f"{where}: id must be unique lower_snake_case")
            seen.add(r["id"])
            for j, f in enumerate(r.get("facts") or ()):
                require_keys(f, ("text", "source", "confidence"), f"{where} fact #{j + 1}", ())
                check_confidence(f["confidence"], f"{where} fact #{j + 1}")
            effective = _date(r["effective"], f"{where} effective")
            until = _date(r["until"], f"{where} until") if r.get("until") else None
            phases = tuple(self._read_phase(p, f"{where} phase #{j + 1}") for j, p in enumerate(r.get("phases") or ()))
            rules.append(_Rule(
                str(r["id"]), str(r["name"]), str(r["citation"]), effective, until,
                check_confidence(r["confidence"], where), str(r["source"]), _answer(r["outcome"], f"{where} outcome"),
                str(r["requirement"]), str(r.get("policy") or ""), self._read_conditions(r["applies_when"], where), phases,
                self._read_entry_text(r["from_entry"], where) if r.get("from_entry") else None,
            ))
        return tuple(rules)

    @staticmethod
    def _read_phase(p: Any, where: str) -> _Phase:
        require_keys(p, ("from", "outcome", "confidence", "source"), where, ("until", "note"))
        return _Phase(_date(p["from"], where), _date(p["until"], where) if p.get("until") else None,
                      _answer(p["outcome"], where), check_confidence(p["confidence"], where), str(p["source"]), str(p.get("note") or ""))

    @staticmethod
    def _read_entry_text(spec: Any, where: str) -> _EntryText:
        require_keys(spec, ("all_items", "narrower_outcome"), f"{where} from_entry", ("narrower",))
        compile_all = ExportRules._patterns
        return _EntryText(compile_all(spec["all_items"], f"{where} from_entry"), compile_all(spec.get("narrower") or (), f"{where} from_entry"),
                          _answer(spec["narrower_outcome"], f"{where} from_entry"))

    @staticmethod
    def _patterns(values: Any, where: str) -> tuple[re.Pattern[str], ...]:
        try:
            return tuple(re.compile(str(v), re.IGNORECASE) for v in values)
        except re.error as exc:
            raise KBError(f"{where}: bad regular expression: {exc}") from exc

    def _read_conditions(self, raw: Any, where: str) -> dict[str, Any]:
        where = f"{where} applies_when"
        if not isinstance(raw, dict) or not raw:
            raise KBError(f"{where}: expected a mapping of conditions")
        unknown = sorted(set(raw) - _LIST_KEYS - _BOOL_KEYS)
        if unknown:
            raise KBError(f"{where}: unknown condition(s) {', '.join(map(str, unknown))}")
        if set(raw) & _PARTY_KEYS and "party_on" not in raw:
            raise KBError(f"{where}: party conditions need party_on")
        when: dict[str, Any] = {}
        for key, value in raw.items():
            if key in _BOOL_KEYS:
                if not isinstance(value, bool):
                    raise KBError(f"{where}: {key} must be true or false")
                when[key] = value
                continue
            if not isinstance(value, list) or not value:
                raise KBError(f"{where}: {key} must be a non-empty list")
            values = [str(v) for v in value]
            if key in ("party_name_matches", "party_text_matches"):
                when[key] = self._patterns(values, f"{where} {key}")
            elif key in ("eccn_in", "eccn_not_in"):
                try:
                    when[key] = tuple(tuple(normalize_eccn(v).split(".")) for v in values)
                except ValueError as exc:
                    raise KBError(f"{where}: {exc}") from None
            elif key == "hts_prefix_in":
                try:
                    when[key] = tuple(normalize_hts(v) for v in values)
                except ValueError as exc:
                    raise KBError(f"{where}: {exc}") from None
            elif key in ("destination_in", "destination_not_in"):
                missing = [v for v in values if v not in self.groups]
                if missing:
                    raise KBError(f"{where}: unknown country group(s) {', '.join(missing)}")
                when[key] = tuple(values)
            elif key == "end_use_in":
                missing = [v for v in values if v not in self.end_uses]
                if missing:
                    raise KBError(f"{where}: unknown end use(s) {', '.join(missing)}")
                when[key] = frozenset(values)
            elif key == "party_relation":
                bad = [v for v in values if v not in RELATIONS]
                if bad:
                    raise KBError(f"{where}: party_relation {', '.join(bad)} not one of {', '.join(RELATIONS)}")
                when[key] = frozenset(values)
            else:
                when[key] = frozenset(values)
        if "party_on" in when:
            when.setdefault("party_relation", frozenset({"listed"}))
        return when

    # ------------------------------------------------------------------ reading a line

    def country(self, text: str) -> str | None:
        """ISO alpha-2 code of a destination given as an alpha-2 or alpha-3 code or a name; None when it
        names no country or an ambiguous one ("Korea", "Congo")."""
        key = country_key(text)
        if not key or key in self.ambiguous:
            return None
        return self.aliases.get(key) or list_country_code(text.strip()) or iso_countries().get(key)

    def read_end_uses(self, text: str) -> frozenset[str]:
        """The end-use ids a stated end use names (its id, or any of its terms as whole words)."""
        padded = f" {_words(text)} "
        return frozenset(eid for eid, (_, terms) in self.end_uses.items() if any(f" {t} " in padded for t in terms))

    def _read_line(self, line: OrderLine, notes: list[str]) -> _Line:
        eccn = hts = country = None
        if line.eccn.strip():
            try:
                eccn = normalize_eccn(line.eccn)
            except ValueError as exc:
                notes.append(f"ECCN not read: {exc}; the item is treated as not classified")
        if line.hts.strip():
            try:
                hts = normalize_hts(line.hts)
            except ValueError as exc:
                notes.append(f"HTS not read: {exc}")
        if line.destination.strip():
            country = self.country(line.destination)
            if country is None:
                notes.append(f"destination {line.destination!r} is not a country covscan can read unambiguously; it is treated as not given")
        end_uses = self.read_end_uses(line.end_use) if line.end_use.strip() else frozenset()
        if line.end_use.strip() and not end_uses:
            checked = sorted({e for r in self.rules for e in r.when.get("end_use_in", ())})
            known = ", ".join(self.end_uses[e][0] for e in checked)
            notes.append(f"end use {line.end_use!r} is not one covscan recognises; it checks only for: {known}")
        return _Line(eccn, hts, country, end_uses)

    # ------------------------------------------------------------------ KB parties

    def _views(self, listings: Sequence[PartyListing], on: dt.date, notes: list[str]) -> list[_View]:
        """The listings as the rules see them. A relation other than subsidiary (affiliate, brand, oem,
        former-subsidiary) counts as an affiliate: a link whose ownership share covscan does not know."""
        views: list[_View] = []
        for listing in listings:
            if listing.verdict not in VERDICTS:
                raise ValueError(f"listing {listing.entry_name!r}: verdict {listing.verdict!r} is not one of {', '.join(VERDICTS)}")
            relation = {"": "listed", "subsidiary": "subsidiary"}.get(listing.relation, "affiliate")
            views.append(_View(listing.list_code, relation, listing.entry_name, listing.parent, listing.verdict, "high", listing))
            if listing.list_code == "KB":
                views.extend(self._kb_views(listing, on, notes))
        return views

    def _kb_views(self, listing: PartyListing, on: dt.date, notes: list[str]) -> list[_View]:
        """Listings a KB party has through its own memberships and its parents' (subsidiary, affiliate, brand edges)."""
        if self._nodes is None:
            self._nodes = self._nodes_of() if self._nodes_of else _installed_nodes()
        node = self._nodes.get(listing.entry_id)
        if node is None:
            notes.append(f"knowledge-base party {listing.entry_id!r} is not in the knowledge base; its memberships were not read")
            return []
        out: dict[tuple[str, str, str], _View] = {}
        sources = [(node, "listed", "", "high")]
        for edge in node.edges:
            parent = self._nodes.get(edge.to)
            live = (edge.since is None or _loose_date(edge.since) <= on) and (edge.until is None or _loose_date(edge.until) > on)
            if parent and live and edge.relation in self.kb_parent_relations:
                sources.append((parent, self.kb_parent_relations[edge.relation], parent.name, edge.confidence))
        for holder, relation, parent_name, link_confidence in sources:
            for m in holder.memberships:
                code = self.kb_memberships.get(m["regime"])
                current = _loose_date(m["date"]) <= on and (not m.get("until") or _loose_date(m["until"]) > on)
                if code is None or not current or m["confidence"] in ("low", "unverified"):
                    continue
                confidence = _weakest((m["confidence"], link_confidence))
                basis = f"entities.yaml: {holder.id} {m['regime']} since {m['date']}, {m['detail']}; {m['source']}"
                out.setdefault((code, relation, parent_name), _View(code, relation, listing.entry_name or node.name, parent_name,
                                                                    listing.verdict, confidence, listing, basis))
        return list(out.values())

    # ------------------------------------------------------------------ the check

    def check(self, line: OrderLine, listings: Sequence[PartyListing] = (), on: dt.date | None = None) -> ExportCheck:
        """Which rules apply to the line for these listings of its party, on `on` (default: today)."""
        on = on or dt.date.today()
        notes: list[str] = []
        facts = self._read_line(line, notes)
        views = self._views(listings, on, notes)
        hits: dict[str, RuleHit] = {}
        covered: set[int] = set()
        for rule in self.rules:
            state = rule.state(on)
            if state is None:
                continue
            targets: list[tuple[int, _View | None]] = list(enumerate(views)) if rule.about_party else [(-1, None)]
            for i, view in targets:
                if view is not None:
                    if not rule.covers(view):
                        continue
                    covered.add(i)
                hit = self._hit(rule, state, facts, view)
                if hit and (rule.id not in hits or _rank(hit.answer) > _rank(hits[rule.id].answer)):
                    hits[rule.id] = hit
        floor = "no"
        for i, view in enumerate(views):
            if i not in covered:
                notes.append(f"no rule in {FILE} covers a {view.relation} party on {view.list_code} ({view.name!r}): review it; the answer is at least unknown")
                floor = "unknown"
        if on < self.covers_from:
            notes.append(f"the check date {on} is before {self.covers_from}, the start of the period the rules describe: earlier rules are not encoded")
            floor = "unknown"
        if on > self.as_of:
            notes.append(f"the rules are complete through {self.as_of}; changes after it are not known")
        for listing in listings:
            if listing.verdict == "review":
                notes.append(f"the party's match with {listing.list_code} entry {listing.entry_name!r} needs review (uncertain name match); "
                             f"rules it triggers give at most {self.review_cap}")
        for hit in hits.values():
            if hit.confidence in ("low", "unverified"):
                notes.append(f"{hit.id} rests on {hit.confidence} facts ({hit.source}); it can give at most {ANSWERS[self.bounds[hit.confidence][1]]}")
        answer = max([h.answer for h in hits.values()] + [floor], key=_rank)
        return ExportCheck(answer, list(hits.values()), notes)

    def _hit(self, rule: _Rule, state: _Phase, facts: _Line, view: _View | None) -> RuleHit | None:
        """The rule's hit when its item, destination and end-use conditions hold, else None."""
        w = rule.when
        why: list[str] = [view.describe()] if view else []
        confidences = [state.confidence] + ([view.confidence] if view else [])
        if "eccn_missing" in w:
            if w["eccn_missing"] != (facts.eccn is None):
                return None
            why.append("no readable ECCN was given" if facts.eccn is None else f"the item is classified {facts.eccn}")
        if "eccn_in" in w:
            found = _eccn_pattern(facts.eccn, w["eccn_in"])
            if not found:
                return None
            why.append(f"ECCN {facts.eccn} falls under {found}")
        if "eccn_not_in" in w:
            if facts.eccn is None or _eccn_pattern(facts.eccn, w["eccn_not_in"]):
                return None
            why.append(f"ECCN {facts.eccn} is a controlled classification")
        if "hts_prefix_in" in w:
            prefix = next((p for p in w["hts_prefix_in"] if facts.hts and facts.hts.startswith(p)), None)
            if prefix is None:
                return None
            why.append(f"HTS {facts.hts} is under heading {prefix}")
        if "destination_missing" in w:
            if w["destination_missing"] != (facts.country is None):
                return None
            why.append("no readable destination was given" if facts.country is None else f"the destination is {facts.country}")
        if "destination_in" in w:
            groups = [g for g in w["destination_in"] if facts.country in self.groups[g][1]]
            if not groups:
                return None
            group = min(groups, key=lambda g: CONFIDENCE_LEVELS.index(self.groups[g][1][str(facts.country)][0]))
            confidences.append(self.groups[group][1][str(facts.country)][0])
            why.append(f"destination {facts.country} is in {self.groups[group][0]}")
        if "destination_not_in" in w:
            if facts.country is None or any(facts.country in self.groups[g][1] for g in w["destination_not_in"]):
                return None
            why.append(f"destination {facts.country} is outside {', '.join(self.groups[g][0] for g in w['destination_not_in'])}")
        if "end_use_in" in w:
            named = sorted(facts.end_uses & w["end_use_in"])
            if not named:
                return None
            why.append("the stated end use reads as " + ", ".join(self.end_uses[e][0] for e in named))
        outcome, requirement, policy, citation = state.outcome, rule.requirement, rule.policy, rule.citation
        if rule.from_entry and view is not None:
            entry = view.listing
            if entry.license_requirement.strip() and not view.basis:
                requirement = entry.license_requirement.strip()
                policy = entry.license_policy.strip() or policy
                text = entry.license_requirement
                covers_all = any(p.search(text) for p in rule.from_entry.all_items) and not any(p.search(text) for p in rule.from_entry.narrower)
                outcome = outcome if covers_all else rule.from_entry.narrower_outcome
                why.append("its entry's own requirement " + ("covers all items" if covers_all else "names fewer than all items; read it against the item"))
            else:
                why.append("the entry gives no licence text, so the generic requirement applies")
            if entry.federal_register_notice.strip() and not view.basis:
                citation += f"; entry: {entry.federal_register_notice.strip()}"
        if state.note:
            why.append(state.note)
        confidence = _weakest(confidences)
        lo, hi = self.bounds[confidence]
        answer = ANSWERS[min(max(_rank(outcome), lo), hi)]
        if view is not None and view.verdict == "review" and _rank(answer) > _rank(self.review_cap):
            answer = self.review_cap
        source = rule.source if state.source == rule.source else f"{rule.source}; this period: {state.source}"
        return RuleHit(rule.id, rule.name, citation, rule.effective.isoformat(), requirement, policy, confidence, source,
                       "; ".join(why) or "it applies to every line", answer)


def _eccn_pattern(eccn: str | None, patterns: Sequence[tuple[str, ...]]) -> str | None:
    """The first pattern the ECCN falls under (by paragraph prefix), dotted; None for none."""
    if eccn is None:
        return None
    parts = tuple(eccn.split("."))
    return next((".".join(p) for p in patterns if parts[: len(p)] == p), None)


def _installed_nodes() -> Mapping[str, Node]:
    from covscan.kb.loader import load_raw

    return load_raw().nodes


@lru_cache(maxsize=4)
def load_export_rules(path: Path | str | None = None) -> ExportRules:
    """The rules of export_controls.yaml (the installed file by default), read and checked once."""
    file = Path(path) if path else Path(str(resources.files("covscan.kb") / "data" / FILE))
    return ExportRules(read_yaml(file))
