"""The trade.gov Consolidated Screening List: the CSV export (`consolidated.csv`), the same columns
tab-separated, and the JSON (`{"results": [...]}`). One row per entry of one of the thirteen lists it
consolidates (Entity List, SDN, MEU, ...), with the list in `source`.

The CSV flattens what the JSON keeps structured: multiple values are "; "-separated, an address is
one string with the country code last ("..., Beijing, 100033, CN"), an id is "type, number[, country]
[, issued][, expires]". Some exports repeat the header on line 2; that row is dropped."""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from covscan.lists.births import birth_date
from covscan.lists.countries import country_code
from covscan.lists.model import Address, ListEntry, ListIdentifier
from covscan.lists.ofac import classify, identifier, linked_to
from covscan.lists.snapshot import ListSnapshot, Rows
from covscan.sources import InputError
from covscan.updates.formats import decoded

FILES = frozenset({"consolidated.csv", "consolidated.tsv", "consolidated.json"})
REQUIRED = ("source", "name")
COLUMNS = frozenset({"_id", "id", "source", "entity_number", "type", "programs", "name", "addresses", "federal_register_notice",
                     "start_date", "license_requirement", "license_policy", "alt_names", "ids", "source_list_url"})
# Where the abbreviation a list's name gives is not the code covscan uses (the one OFAC's files get).
CODE_EXCEPTIONS = {"NS-PLC": "PLC", "NS-CMIC": "CMIC", "CAPTA": "CAP"}

_ABBREVIATION = re.compile(r"\(([^()]+)\)")
_DATE = re.compile(r"(?:\d{1,2} )?[A-Z][a-z]{2} \d{4}|\d{4}-\d{2}-\d{2}")
_SUCCESSORS = re.compile(r"[,;]?\s+and (?:any successor, sub-unit, or subsidiary thereof|its sub-units and successors)\s*$", re.IGNORECASE)
_INNER_QUESTION_MARK = re.compile(r"(?<=\w)\?(?=\w)")


@lru_cache(maxsize=256)
def list_code(source: str) -> str:
    """EL for "Entity List (EL) - Bureau of Industry and Security": the abbreviation in the list's
    name, without a trailing "List" ("NS-MBS List" is NS-MBS), so that a list the CSL adds later
    gets a code too; CODE_EXCEPTIONS for the few that differ. A name with none is its own code."""
    name = source.split(" - ")[0].strip() or source.strip()
    found = [f for f in (f.strip().removesuffix(" List").strip() for f in _ABBREVIATION.findall(name)) if f]
    if not found:
        return name
    return CODE_EXCEPTIONS.get(found[-1], found[-1])


def read(path: Path, data: bytes) -> ListSnapshot:
    """The CSL in whichever of its forms `data` is."""
    if data.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] in (b"{", b"["):
        return read_json(path, data)
    return read_delimited(path, decoded(data))


def is_header(line: str) -> bool:
    """A header with two of the CSL's columns: one that lacks a required column is still
    recognised, so that the error names the column rather than calling the file no list at all."""
    fields = {f.strip().strip('"').lower() for f in re.split(r"[\t,]", line)}
    return len(fields & COLUMNS) >= 2


def read_delimited(path: Path, text: str) -> ListSnapshot:
    """The CSV export, or its tab-separated form (unquoted unless its header is quoted, since a
    TSV writes a name's quotation marks as they are)."""
    first = text.partition("\n")[0]
    tsv = first.count("\t") > first.count(",")
    quoting = csv.QUOTE_MINIMAL if not tsv or first.startswith('"') else csv.QUOTE_NONE
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if tsv else ",", quoting=quoting)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error):
        raise InputError(f"{path}: line 1: no header") from None
    column = {name: i for i, name in enumerate(header)}
    missing = [c for c in REQUIRED if c not in column]
    if missing:
        raise InputError(f"{path}: line 1: not a Consolidated Screening List export: no column {', '.join(map(repr, missing))}")
    rows, entries, line = Rows(path), [], reader.line_num + 1
    last_line = text.count("\n") + 1  # a short record there is one the file ends inside: a cut download
    source_at = column["source"]
    try:
        for record in reader:
            if record and record[source_at:source_at + 1] != ["source"] and any(record):  # not a repeated header, not blank
                rows.seen += 1
                if len(record) != len(header):
                    rows.skip(f"line {line}", f"{len(record)} fields, not the {len(header)} of the header"
                                              + (" (the file ends inside it)" if reader.line_num == last_line else ""))
                else:
                    _add(rows, entries, f"line {line}", path, _flat(record, column))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(f"{path}: line {line}: cannot be read as {'TSV' if tsv else 'CSV'} ({exc})") from None
    return ListSnapshot(entries, "csl-tsv" if tsv else "csl-csv", path, "", rows.done())


def read_json(path: Path, data: bytes) -> ListSnapshot:
    try:
        document = json.loads(decoded(data))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise InputError(f"{path}: not a Consolidated Screening List JSON: nested too deep") from None
    records = document.get("results") if isinstance(document, dict) else document
    if not isinstance(records, list):
        raise InputError(f"{path}: not a Consolidated Screening List JSON: no \"results\" list")
    first = next((r for r in records if isinstance(r, dict)), None)
    if first is not None and not all(k in first for k in REQUIRED):
        raise InputError(f"{path}: record 1: not a Consolidated Screening List JSON: no "
                         + ", ".join(repr(k) for k in REQUIRED if k not in first))
    rows, entries = Rows(path), []
    for n, record in enumerate(records, 1):
        rows.seen += 1
        if not isinstance(record, dict):
            rows.skip(f"record {n}", f"a JSON {type(record).__name__}, not an object")
        else:
            _add(rows, entries, f"record {n}", path, _structured(record))
    return ListSnapshot(entries, "csl-json", path, "", rows.done())


# A record as both forms give it: the scalar fields by column name, and the multi-valued ones read.
Fields = tuple[Callable[[str], str], list[str], list[str], list[Address], list[ListIdentifier], list[str]]


def _flat(record: list[str], column: dict[str, int]) -> Fields:
    def get(name: str) -> str:
        at = column.get(name)
        return record[at].strip() if at is not None else ""

    addresses = [_flat_address(a) for a in _split(get("addresses"))]
    ids, countries = _ids(_flat_id(i) for i in _split(get("ids")))
    return get, _split(get("alt_names")), _split(get("programs")), addresses, ids, [
        *_split(get("nationalities")), *_split(get("citizenships")), *countries]


def _structured(record: dict) -> Fields:
    def get(name: str) -> str:
        value = record.get(name)
        return "; ".join(_strings(value)) if isinstance(value, list) else _text(value)

    addresses = [a for a in map(_json_address, _list(record.get("addresses"))) if a]
    ids, countries = _ids((_text(i.get("type")), _text(i.get("number")), _text(i.get("country")))
                          for i in _list(record.get("ids")) if isinstance(i, dict))
    return get, _strings(record.get("alt_names")), _strings(record.get("programs")), addresses, ids, [
        *_strings(record.get("nationalities")), *_strings(record.get("citizenships")), *countries]


def _add(rows: Rows, entries: list[ListEntry], where: str, path: Path, fields: Fields) -> None:
    get, alt_names, programs, addresses, identifiers, countries = fields
    name, source = get("name"), get("source")
    if not name or not source:
        rows.skip(where, "no name" if not name else "no source list")
        return
    code = list_code(source)
    call_sign = get("call_sign")
    if call_sign:
        identifiers.insert(0, ListIdentifier("Call Sign", call_sign))
    remarks = get("remarks")
    parent = linked_to(remarks)
    codes = [*(a.country_code for a in addresses), *map(country_code, countries), country_code(get("vessel_flag"))]
    entries.append(ListEntry(
        list_code=code, list_name=source, entry_id=get("_id") or get("id") or get("entity_number") or f"{code}:{name}",
        name=name, aliases=_aliases(name, alt_names), kind=get("type").lower(), programs=tuple(programs),
        addresses=tuple(addresses), identifiers=tuple(dict.fromkeys(identifiers)), countries=tuple(dict.fromkeys(c for c in codes if c)),
        births=tuple(dict.fromkeys(d for t in _split(get("dates_of_birth")) if (d := birth_date(t)))),
        license_requirement=get("license_requirement"), license_policy=get("license_policy"),
        federal_register_notice=get("federal_register_notice"), start_date=get("start_date"),
        source_list_url=get("source_list_url"), remarks=remarks, parent=parent, relation="linked to" if parent else "",
        source=str(path),
    ))


def _aliases(name: str, alt_names: list[str]) -> tuple[str, ...]:
    """The listed aliases, then cleaned forms of the names: the BIS lists write "?" for an
    apostrophe ("Xi?an") or a quotation mark ("OAO ?Zvezdochka?"), and some names end "and any
    successor, sub-unit, or subsidiary thereof", which no party's own name carries."""
    out = dict.fromkeys(alt_names)
    for text in (name, *alt_names):
        clean = text
        if "?" in clean:
            clean = " ".join(_INNER_QUESTION_MARK.sub("'", clean).replace("?", " ").split())
        if "successor" in clean.lower():
            clean = _SUCCESSORS.sub("", clean)
        if clean != text:
            out[clean] = None
    out.pop(name, None)
    return tuple(a for a in out if a)


def _flat_address(text: str) -> Address:
    last = text.rpartition(", ")[2]
    code = country_code(last)
    return Address(text, "", last if code else "", code)


def _json_address(item: object) -> Address | None:
    if not isinstance(item, dict):
        return None
    parts = [_text(item.get(k)) for k in ("address", "city", "state", "postal_code", "country")]
    text = ", ".join(p for p in parts if p)
    return Address(text, parts[1], parts[4], country_code(parts[4])) if text else None


def _flat_id(text: str) -> tuple[str, str, str]:
    """(kind, value, country) of "Passport, G 649385, 08 Sep 2006, 17 Jul 2011" or
    "Unified Social Credit Code (USCC), 9111000071093019X7, CN": the dates dropped, a trailing
    country code taken, the rest the value (a value may hold ", ")."""
    kind, _, rest = text.partition(", ")
    parts = rest.split(", ")
    while len(parts) > 1 and _DATE.fullmatch(parts[-1]):
        parts.pop()
    country = parts.pop() if len(parts) > 1 and len(parts[-1]) == 2 and country_code(parts[-1]) else ""
    return kind.strip(), ", ".join(parts).strip(), country


def _ids(items: Iterable[tuple[str, str, str]]) -> tuple[list[ListIdentifier], list[str]]:
    identifiers, countries = [], []
    for kind, value, country in items:
        role = classify(kind)
        if role == "id" and value:
            identifiers.append(identifier(kind, value, country))
        elif role == "country":
            countries.append(country or value)
    return identifiers, countries


def _split(text: str) -> list[str]:
    return [p for p in (p.strip() for p in text.split("; ")) if p] if text else []


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _strings(value: object) -> list[str]:
    """A JSON list of strings, or a string holding "; "-separated values."""
    if isinstance(value, str):
        return _split(value)
    return [t for t in map(_text, _list(value)) if t]


def _text(value: object) -> str:
    return str(value).strip() if value is not None and not isinstance(value, list | dict) else ""
