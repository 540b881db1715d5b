"""Read the knowledge-base files, check them, and build the in-memory model.

Every check names the file and the entry, because the people who edit these files are reviewers
of legal facts, not Python programmers.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

CONFIDENCE_LEVELS = ("high", "medium", "low", "unverified")
RELATIONS_INHERITING = frozenset({"subsidiary", "affiliate", "brand"})
RELATIONS_REVIEW = frozenset({"oem", "former-subsidiary", "former-oem", "chip-supplier"})
SCOPES = frozenset({"unconditional", "use-limited", "software", "services", "category"})
CONTEXTS = ("general", "network-owner", "federal-contractor", "marketplace")


class KBError(ValueError):
    """A knowledge-base file is malformed; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class Regime:
    id: str
    name: str
    authority: str
    source: str
    date: str
    confidence: str
    effects: dict[str, str]
    relevant_in: tuple[str, ...]
    notes: tuple[dict[str, str], ...] = ()
    # Contexts where a listing under this regime alone makes a record `review` (a vendor that is
    # not on the Covered List but on the 1260H list, for a federal contractor).
    flags_in: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Entry:
    """One row of the FCC Covered List."""

    entry: int
    entity: str
    listed_as: str
    covered: str
    date_added: str
    basis: str
    scope: str
    regimes: tuple[str, ...]
    source: str
    confidence: str
    named_entities: tuple[str, ...] = ()
    exceptions: str | None = None
    notes: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Edge:
    to: str
    relation: str
    confidence: str
    source: str
    since: str | None = None
    until: str | None = None


@dataclass(frozen=True, slots=True)
class Alias:
    """A name of a node, normalised for matching."""

    name: str
    node: str
    tokens: tuple[str, ...]
    cjk: str
    confidence: str
    source: str
    standalone: bool
    # False for spelling variants made of common words or letters ("Hik Vision", "Z T E"): read in
    # name fields only, never in free text, where their words would be everywhere ("night vision").
    in_text: bool = True


@dataclass(slots=True)
class Node:
    """A company, brand or category in the graph, or a known non-covered vendor."""

    id: str
    name: str
    kind: str  # "covered-group" | "other-vendor" | "category"
    source: str
    confidence: str
    edges: list[Edge] = field(default_factory=list)
    memberships: list[dict[str, Any]] = field(default_factory=list)
    trap: bool = False
    lookalike_of: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Identifier:
    """A row of an identifier table (grantee code, PEN, USB id, MAC org rule, model pattern)."""

    kind: str
    key: str
    node: str
    confidence: str
    source: str
    label: str = ""
    pattern: re.Pattern[str] | None = None
    corroborate: bool = False
    note: str = ""
    example: str = ""


@dataclass(frozen=True, slots=True)
class CategoryTerm:
    category: str
    tokens: tuple[str, ...]
    confidence: str
    source: str


@dataclass(frozen=True, slots=True)
class CategoryException:
    """Items a category entry excepts, recognised by words unless other words rule them out."""

    id: str
    when: tuple[tuple[str, ...], ...]
    unless: tuple[tuple[str, ...], ...]
    text: str
    source: str
    confidence: str


@dataclass(frozen=True, slots=True)
class CategoryRules:
    """When a category term does not name the thing itself (categories.yaml explains each list)."""

    components: tuple[tuple[str, ...], ...] = ()
    accessories: tuple[tuple[str, ...], ...] = ()
    homonyms: tuple[tuple[str, ...], ...] = ()
    exceptions: tuple[CategoryException, ...] = ()


@dataclass(frozen=True, slots=True)
class HsCode:
    """A Harmonized System heading or subheading (digits only) that names a category."""

    digits: str
    category: str
    what: str
    confidence: str
    source: str


def _data_dir() -> Path:
    return Path(str(resources.files("covscan.kb") / "data"))


def require_keys(obj: dict[str, Any], keys: tuple[str, ...], where: str, optional: tuple[str, ...] | None = None) -> None:
    """Required keys must be present and non-empty; with `optional`, any other key is a mistake
    (in YAML flow style an unquoted comma silently turns the rest of a value into a new key)."""
    missing = [k for k in keys if obj.get(k) in (None, "")]
    if missing:
        raise KBError(f"{where}: missing {', '.join(missing)}")
    if optional is not None:
        unknown = sorted(set(obj) - set(keys) - set(optional))
        if unknown:
            raise KBError(f"{where}: unknown key(s) {', '.join(map(str, unknown))} (quote values that contain commas)")


def check_confidence(value: Any, where: str) -> str:
    if value not in CONFIDENCE_LEVELS:
        raise KBError(f"{where}: confidence {value!r} is not one of {', '.join(CONFIDENCE_LEVELS)}")
    return str(value)


def check_date(value: Any, where: str) -> str:
    text = str(value)
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
        raise KBError(f"{where}: date {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    if len(text) == 10:
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            raise KBError(f"{where}: date {text!r} is not a calendar date") from None
    return text


# libyaml's safe loader where PyYAML was built with it (about ten times faster), else the pure-Python one.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise KBError(f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or data.get("schema") != 1:
        raise KBError(f"{path.name}: expected a mapping with 'schema: 1'")
    return data


def _csv(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for i, row in enumerate(rows, start=2):
        require_keys(row, required, f"{path.name} line {i}")
        check_confidence(row["confidence"], f"{path.name} line {i}")
    return rows


@dataclass
class RawKB:
    """Everything read from disk, checked; the KnowledgeBase indexes it."""

    version: str
    regimes: dict[str, Regime]
    entries: list[Entry]
    covered_uses: tuple[str, ...]
    nodes: dict[str, Node]
    aliases: list[Alias]
    identifiers: dict[str, list[Identifier]]
    categories: list[CategoryTerm]
    domestic_countries: frozenset[str]
    unknown_countries: frozenset[str]
    scoring: dict[str, Any]
    file_digests: dict[str, str] = field(default_factory=dict)
    as_of: str = ""
    category_rules: dict[str, CategoryRules] = field(default_factory=dict)
    hs_codes: list[HsCode] = field(default_factory=list)
    assembled_markers: tuple[tuple[str, ...], ...] = ()
    country_aliases: dict[str, str] = field(default_factory=dict)
    pinyin: dict[str, str] = field(default_factory=dict)  # Chinese name -> its pinyin, syllables run together
    data_dir: Path | None = None  # where it was read from (kb/supplement.py reads its second stage there)


def load_raw(data_dir: Path | None = None) -> RawKB:
    from covscan.normalize import cjk_core, tokens

    root = data_dir or _data_dir()
    manifest = read_yaml(root / "manifest.yaml")
    # The party-screening rules (covscan parties) are read by their own modules but are part of the
    # knowledge base's version all the same.
    files = manifest["files"]["curated"] + manifest["files"]["identifiers"] + manifest["files"].get("parties", [])
    digest = hashlib.sha256()
    file_digests: dict[str, str] = {}
    for name in files:
        data = (root / name).read_bytes()
        digest.update(name.encode() + b"\0" + data)
        file_digests[name] = hashlib.sha256(data).hexdigest()
    version = f"{manifest['version']}+{digest.hexdigest()[:8]}"
    as_of = manifest.get("as_of")
    if not isinstance(as_of, str) or not as_of.strip():
        raise KBError("manifest.yaml: missing as_of (what the data is complete through, e.g. the Covered List scrape date)")

    regimes: dict[str, Regime] = {}
    for i, r in enumerate(read_yaml(root / "regimes.yaml")["regimes"]):
        where = f"regimes.yaml regime #{i + 1} ({r.get('id', '?')})"
        require_keys(r, ("id", "name", "authority", "source", "date", "confidence", "effects", "relevant_in"), where)
        missing = [c for c in CONTEXTS if c not in r["effects"]]
        if missing:
            raise KBError(f"{where}: effects lack {', '.join(missing)}")
        regimes[r["id"]] = Regime(
            r["id"], r["name"], r["authority"], r["source"], check_date(r["date"], where),
            check_confidence(r["confidence"], where), dict(r["effects"]), tuple(r["relevant_in"]),
            tuple(r.get("notes", ())), tuple(r.get("flags_in", ())),
        )

    covered = read_yaml(root / "covered_list.yaml")
    entries: list[Entry] = []
    for e in covered["entries"]:
        where = f"covered_list.yaml entry {e.get('entry', '?')}"
        require_keys(e, ("entry", "entity", "listed_as", "covered", "date_added", "basis", "scope", "regimes", "source", "confidence"), where, ("named_entities", "exceptions", "notes"))
        if e["scope"] not in SCOPES:
            raise KBError(f"{where}: scope {e['scope']!r} is not one of {', '.join(sorted(SCOPES))}")
        for rid in e["regimes"]:
            if rid not in regimes:
                raise KBError(f"{where}: unknown regime {rid!r}")
        entries.append(Entry(
            int(e["entry"]), e["entity"], e["listed_as"], e["covered"], check_date(e["date_added"], where),
            e["basis"], e["scope"], tuple(e["regimes"]), e["source"], check_confidence(e["confidence"], where),
            tuple(e.get("named_entities", ())), e.get("exceptions"), tuple(e.get("notes", ())),
        ))

    nodes: dict[str, Node] = {}
    aliases: list[Alias] = []

    def add_names(node: Node, names: list[Any], where: str) -> None:
        for n in names:
            spec = n if isinstance(n, dict) else {"name": n}
            require_keys(spec, ("name",), f"{where} name", ("confidence", "source", "standalone", "in_text"))
            name = str(spec["name"])
            alias = Alias(
                name, node.id, tokens(name), cjk_core(name),
                check_confidence(spec.get("confidence", node.confidence), f"{where} name {name!r}"),
                spec.get("source", node.source), bool(spec.get("standalone", False)), bool(spec.get("in_text", True)),
            )
            if not alias.tokens and not alias.cjk:
                raise KBError(f"{where}: name {name!r} is empty after normalisation")
            aliases.append(alias)

    def add_memberships(node: Node, memberships: Any, where: str) -> None:
        """Listings under other regimes; the same schema for covered groups and other vendors."""
        for m in memberships:
            require_keys(m, ("regime", "detail", "date", "source", "confidence"), f"{where} membership", ("until", "count"))
            check_confidence(m["confidence"], f"{where} membership")
            if m["regime"] not in regimes:
                raise KBError(f"{where}: membership names unknown regime {m['regime']!r}")
            node.memberships.append(dict(m))

    for e in read_yaml(root / "entities.yaml")["entities"]:
        where = f"entities.yaml entity {e.get('id', '?')}"
        require_keys(e, ("id", "name", "source", "confidence", "names"), where, ("edges", "memberships"))
        if e["id"] in nodes:
            raise KBError(f"{where}: duplicate id")
        node = Node(e["id"], e["name"], "covered-group", e["source"], check_confidence(e["confidence"], where))
        for edge in e.get("edges", ()):
            require_keys(edge, ("to", "relation", "confidence", "source"), f"{where} edge", ("since", "until"))
            if edge["relation"] not in RELATIONS_INHERITING | RELATIONS_REVIEW:
                raise KBError(f"{where}: relation {edge['relation']!r} is unknown")
            node.edges.append(Edge(
                edge["to"], edge["relation"], check_confidence(edge["confidence"], f"{where} edge"), edge["source"],
                str(edge["since"]) if "since" in edge else None, str(edge["until"]) if "until" in edge else None,
            ))
        add_memberships(node, e.get("memberships", ()), where)
        nodes[node.id] = node
        add_names(node, e["names"], where)

    for v in read_yaml(root / "other_vendors.yaml")["vendors"]:
        where = f"other_vendors.yaml vendor {v.get('id', '?')}"
        require_keys(v, ("id", "names", "source", "confidence"), where, ("trap", "lookalike_of", "reason", "memberships"))
        first = v["names"][0]
        node = Node(v["id"], str(first["name"] if isinstance(first, dict) else first), "other-vendor", v["source"],
                    check_confidence(v["confidence"], where),
                    trap=bool(v.get("trap")), lookalike_of=v.get("lookalike_of"), reason=v.get("reason"))
        if node.id in nodes:
            raise KBError(f"{where}: id also used in entities.yaml")
        add_memberships(node, v.get("memberships", ()), where)
        nodes[node.id] = node
        add_names(node, v["names"], where)

    cats = read_yaml(root / "categories.yaml")
    categories: list[CategoryTerm] = []
    category_rules: dict[str, CategoryRules] = {}
    hs_codes: list[HsCode] = []
    for c in cats["categories"]:
        where = f"categories.yaml category {c.get('id', '?')}"
        require_keys(c, ("id", "entry", "terms", "source"), where)
        nodes[c["id"]] = Node(c["id"], c["id"], "category", c["source"], "high")
        for t in c["terms"]:
            categories.append(CategoryTerm(c["id"], tokens(t["term"]), check_confidence(t["confidence"], where), c["source"]))
        category_rules[c["id"]], codes = _category_rules(c, where, tokens)
        hs_codes += codes

    entity_ids = {e.entity for e in entries} | {n for e in entries for n in e.named_entities}
    for node in nodes.values():
        for edge in node.edges:
            if edge.to not in nodes:
                raise KBError(f"entities.yaml entity {node.id}: edge to unknown entity {edge.to!r}")
    for e in entries:
        for eid in (e.entity, *e.named_entities):
            if eid not in nodes:
                raise KBError(f"covered_list.yaml entry {e.entry}: entity {eid!r} is not in entities.yaml or categories.yaml")
    for node in nodes.values():
        if node.kind == "covered-group" and not node.edges and node.id not in entity_ids:
            raise KBError(f"entities.yaml entity {node.id}: no edge and not a Covered List entity")

    identifiers = _load_identifiers(root, nodes)
    scoring = read_yaml(root / "scoring.yaml")
    return RawKB(
        version, regimes, entries, tuple(covered["covered_uses"]), nodes, aliases, identifiers, categories,
        frozenset(cats["domestic_countries"]), frozenset(cats["unknown_countries"]), scoring, file_digests,
        as_of.strip(),
        category_rules=category_rules, hs_codes=hs_codes,
        assembled_markers=tuple(tokens(m) for m in cats.get("assembled_markers", ())),
        country_aliases={str(k): str(v).upper() for k, v in (cats.get("country_aliases") or {}).items()},
        pinyin=_load_pinyin(root / "identifiers" / "pinyin.csv"), data_dir=root,
    )


def _load_pinyin(path: Path) -> dict[str, str]:
    """The pinyin readings of the knowledge base's Chinese names, generated by scripts/build_pinyin.py
    (reading them from pypinyin at run time cost 0.3-0.4 s of every run: its phrase dictionary)."""
    readings = {}
    for i, r in enumerate(_csv(path, ("name", "pinyin", "confidence", "source")), 2):
        if not r["pinyin"] or r["pinyin"] != r["pinyin"].casefold() or any(c.isspace() for c in r["pinyin"]):
            raise KBError(f"pinyin.csv line {i}: {r['pinyin']!r} is not lower-case pinyin without spaces")
        readings[r["name"]] = r["pinyin"]
    return readings


def _category_rules(c: dict[str, Any], where: str, tokens: Any) -> tuple[CategoryRules, list[HsCode]]:
    """A category's components, accessories, homonyms, exceptions and HS codes, checked."""
    require_keys(c, ("id", "entry", "terms", "source"), where,
             optional=("components", "accessories", "homonyms", "exceptions", "hs_codes", "hs_source"))

    def phrases(key: str, obj: dict[str, Any] = c) -> tuple[tuple[str, ...], ...]:
        found = tuple(tokens(str(w)) for w in obj.get(key) or ())
        if any(not f for f in found):
            raise KBError(f"{where}: an empty word in {key}")
        return found

    exceptions = []
    for x in c.get("exceptions") or ():
        xwhere = f"{where} exception {x.get('id', '?')}"
        require_keys(x, ("id", "when", "text", "source", "confidence"), xwhere, optional=("unless",))
        exceptions.append(CategoryException(x["id"], phrases("when", x), phrases("unless", x), x["text"], x["source"],
                                            check_confidence(x["confidence"], xwhere)))
    codes = []
    for h in c.get("hs_codes") or ():
        digits = re.sub(r"\D", "", str(h.get("code", "")))
        if len(digits) < 4:
            raise KBError(f"{where}: HS code {h.get('code')!r} needs at least 4 digits")
        codes.append(HsCode(digits, c["id"], str(h.get("what", "")), check_confidence(h.get("confidence"), where),
                            str(c.get("hs_source") or c["source"])))
    return CategoryRules(phrases("components"), phrases("accessories"), phrases("homonyms"), tuple(exceptions)), codes


def _load_identifiers(root: Path, nodes: dict[str, Node]) -> dict[str, list[Identifier]]:
    ids: dict[str, list[Identifier]] = {}

    def check_node(node: str, where: str) -> str:
        if node not in nodes:
            raise KBError(f"{where}: entity {node!r} is not in entities.yaml or other_vendors.yaml")
        return node

    path = root / "identifiers"
    for i, r in enumerate(_csv(path / "grantee_codes.csv", ("code", "entity", "grantee_name", "confidence", "source")), 2):
        where = f"grantee_codes.csv line {i}"
        if not re.fullmatch(r"[A-Z][A-Z0-9]{2}|[2-9][A-Z0-9]{4}", r["code"]):
            raise KBError(f"{where}: {r['code']!r} is not a 3- or 5-character grantee code")
        ids.setdefault("grantee", []).append(Identifier("grantee", r["code"], check_node(r["entity"], where), r["confidence"], r["source"], r["grantee_name"], note=r.get("note") or ""))
    for i, r in enumerate(_csv(path / "pen.csv", ("pen", "entity", "iana_org", "confidence", "source")), 2):
        where = f"pen.csv line {i}"
        ids.setdefault("pen", []).append(Identifier("pen", str(int(r["pen"])), check_node(r["entity"], where), r["confidence"], r["source"], r["iana_org"]))
    for i, r in enumerate(_csv(path / "usb_ids.csv", ("bus", "vendor_id", "entity", "registry_name", "confidence", "source")), 2):
        where = f"usb_ids.csv line {i}"
        if not re.fullmatch(r"[0-9a-f]{4}", r["vendor_id"]):
            raise KBError(f"{where}: vendor id {r['vendor_id']!r} is not 4 lower-case hex digits")
        ids.setdefault("usb", []).append(Identifier("usb", f"{r['bus']}:{r['vendor_id']}", check_node(r["entity"], where), r["confidence"], r["source"], r["registry_name"]))
    for i, r in enumerate(_csv(path / "model_patterns.csv", ("id", "entity", "pattern", "what", "confidence", "corroborate", "source")), 2):
        where = f"model_patterns.csv line {i} ({r['id']})"
        pattern = _compile(r["pattern"], where)
        for example in filter(None, (x.strip() for x in r.get("examples", "").split(";"))):
            if not pattern.fullmatch(example):
                raise KBError(f"{where}: example {example!r} does not match its own pattern")
        if r["corroborate"] not in ("yes", "no"):
            raise KBError(f"{where}: corroborate must be yes or no")
        ids.setdefault("model", []).append(Identifier("model", r["id"], check_node(r["entity"], where), r["confidence"], r["source"], r["what"], pattern, r["corroborate"] == "yes", r.get("caveats") or "", r.get("examples") or ""))
    for i, r in enumerate(_csv(path / "mac_org_rules.csv", ("id", "pattern", "entity", "confidence", "source")), 2):
        where = f"mac_org_rules.csv line {i} ({r['id']})"
        ids.setdefault("mac_org", []).append(Identifier("mac_org", r["id"], check_node(r["entity"], where), r["confidence"], r["source"], r["pattern"], _compile(r["pattern"], where), note=r.get("note") or ""))
    for i, r in enumerate(_csv(path / "fingerprints.csv", ("id", "signal", "pattern", "entity", "confidence", "source")), 2):
        where = f"fingerprints.csv line {i} ({r['id']})"
        pattern = _compile(r["pattern"], where)
        if not r.get("example") or not pattern.search(r["example"]):
            raise KBError(f"{where}: needs an example that its pattern matches")
        ids.setdefault("fingerprint", []).append(Identifier("fingerprint", r["id"], check_node(r["entity"], where), r["confidence"], r["source"], r["signal"], pattern, note=r.get("note") or "", example=r["example"]))
    return ids


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise KBError(f"{where}: bad regular expression: {exc}") from exc
