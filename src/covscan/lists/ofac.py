"""OFAC's list files: the SDN list and the consolidated non-SDN lists, in the legacy CSV sets
(sdn.csv, alt.csv, add.csv, sdn_comments.csv; cons_prim.csv, cons_alt.csv, cons_add.csv,
cons_comments.csv) and in the XML that shares their schema (sdn.xml, consolidated.xml).

The legacy CSV has no header and writes `-0-` for an empty field; it cuts a long Remarks field and
carries the rest in the comments file. Its identifiers and nationalities live only in Remarks
("Tax ID No. 7744001497 (Russia); nationality Russia"), so they are read from there for the kinds
below, which OFAC's XML gives as structured ids; weak a.k.a.s likewise ("a.k.a. 'BNC'"), which the
XML and the CSL list among the aliases. The advanced XML (SDN_ADVANCED.XML, cons_advanced.xml) is
another schema, refused by name rather than misread."""
from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as DefusedET

from covscan.lists.births import birth_date
from covscan.lists.countries import country_code
from covscan.lists.model import Address, ListEntry, ListIdentifier
from covscan.lists.snapshot import ListSnapshot, Rows
from covscan.sources import InputError
from covscan.updates.formats import decoded

SDN_URL = "https://ofac.treasury.gov/specially-designated-nationals-and-blocked-persons-list-sdn-human-readable-lists"
CONSOLIDATED_URL = "https://ofac.treasury.gov/consolidated-sanctions-list-non-sdn-lists"
LIST_NAMES = {
    "SDN": "Specially Designated Nationals and Blocked Persons List (SDN)",
    "SSI": "Sectoral Sanctions Identifications (SSI) List",
    "CMIC": "Non-SDN Chinese Military-Industrial Complex Companies List (NS-CMIC List)",
    "PLC": "Non-SDN Palestinian Legislative Council List (NS-PLC List)",
    "NS-MBS": "Non-SDN Menu-Based Sanctions List (NS-MBS List)",
    "CAP": "Correspondent Account or Payable-Through Account Sanctions List (CAPTA List)",
    "FSE": "Foreign Sanctions Evaders (FSE) List",
}
# A consolidated entry's list from its programs (see consolidated_code): program prefix, list code.
CONSOLIDATED_RULES = (("CMIC", "CMIC"), ("PLC", "PLC"), ("UKRAINE-EO13662", "SSI"), ("561", "CAP"), ("FSE", "FSE"))

# The legacy sets by primary file; the XML files share the SDN schema.
LEGACY_SETS = {"sdn.csv": ("alt.csv", "add.csv", "sdn_comments.csv"),
               "cons_prim.csv": ("cons_alt.csv", "cons_add.csv", "cons_comments.csv")}
PRIMARY_FILES = frozenset({*LEGACY_SETS, "sdn.xml", "consolidated.xml"})
ADVANCED_FILES = frozenset({"sdn_advanced.xml", "cons_advanced.xml"})
FIELDS = {"primary": 12, "alt": 5, "add": 6, "comments": 2}

# Identifier kinds read from the legacy Remarks, the longest first so that "Registration Number"
# is not read as "Registration" with the value "Number ...".
REMARK_ID_KINDS = sorted((
    "Passport", "Diplomatic Passport", "British National Overseas Passport", "Stateless Person Passport",
    "National ID No.", "Personal ID Card", "Kenyan ID No.", "Moroccan Personal ID No.", "Bosnian Personal ID No.",
    "National Foreign ID Number", "Travel Document Number", "Immigration No.", "Public Security and Immigration No.",
    "Cedula No.", "NIT #", "RUC #", "RIF #", "C.U.R.P.", "R.F.C.", "RFC", "C.U.I.T.", "D.N.I.", "SSN", "US FEIN",
    "Tax ID No.", "Paraguayan tax identification number", "Italian Fiscal Code", "V.A.T. Number", "Electoral Registry No.",
    "Credencial electoral", "Driver's License No.", "Registration ID", "Registration Number", "Public Registration Number",
    "Business Registration Number", "Business Registration Document #", "Commercial Registry Number", "Company Number",
    "UK Company Number", "Certificate of Incorporation Number", "C.R. No.", "Folio Mercantil No.", "Matricula Mercantil No",
    "Trade License No.", "Registered Charity No.", "Government Gazette Number", "Unified Social Credit Code (USCC)",
    "Legal Entity Number", "LE Number", "D-U-N-S Number", "SWIFT/BIC", "BIK (RU)", "ISIN", "Identification Number",
    "Vessel Registration Identification", "MMSI", "Aircraft Manufacturer's Serial Number (MSN)", "Aircraft Tail Number",
    "Aircraft Construction Number (also called L/N or S/N or F/N)", "Aircraft Mode S Transponder Code", "Serial No.",
    "License", "Website", "Email Address", "Phone Number",
), key=len, reverse=True)
_REMARK_ID = re.compile(
    r"(?:alt\. )?(?P<kind>" + "|".join(map(re.escape, REMARK_ID_KINDS)) + r"|Digital Currency Address - \w+) "
    r"(?P<value>.+?)(?: \((?P<country>[^()]+)\))?(?: (?:issued|expires) .*)?")
_REMARK_COUNTRY = re.compile(r"(?:alt\. )?(?:nationality|citizen|Nationality of Registration) (.+)")
_REMARK_AKA = re.compile(r"[afn]\.k\.a\.,? '(.+)'")
_REMARK_BIRTH = re.compile(r"(?:^|; )(?:alt\. )?DOB ([^;]+)")  # "DOB 10 Dec 1948", "alt. DOB circa 1955"
# Structured id kinds (the XML's, the CSL's) that describe rather than identify the party.
_DESCRIPTIVE = re.compile(r"date|directive|information|sanction|prohibited|determination|gender|type|issuer name|"
                          r"nationality|flag|aircraft model|aircraft operator|equity ticker|caatsa|[:-]$", re.IGNORECASE)
_LINKED_TO = re.compile(r"Linked To: ([^;]+)")


@lru_cache(maxsize=1024)
def classify(kind: str) -> str:
    """What a structured id of this kind is to an entry: "id", "country" (a vessel's nationality of
    registration) or "" (a directive, a date, a gender: remarks, not identifiers)."""
    if kind.startswith("Nationality of Registration"):
        return "country"
    return "" if _DESCRIPTIVE.search(kind) else "id"


def identifier(kind: str, value: str, country: str) -> ListIdentifier:
    """The identifier with its country as an alpha-2 code where the name is known, else as written."""
    return ListIdentifier(kind, value, country_code(country) or country)


def linked_to(remarks: str) -> str:
    """The first party OFAC says this one is linked to ("Linked To: BANK ROSSIYA" in the legacy
    Remarks, "(Linked To: HIZBALLAH)" in the XML's and the CSL's), the trailing period and the
    bracket that close the remarks dropped so that every source names it alike."""
    found = _LINKED_TO.search(remarks) if "Linked To: " in remarks else None
    if found is None:
        return ""
    name = found[1].strip().rstrip(".")
    if name.endswith(")") and name.count(")") > name.count("("):
        name = name[:-1]
    return name.strip().rstrip(".")


def consolidated_code(programs: tuple[str, ...]) -> str:
    """The list of an entry of OFAC's consolidated (non-SDN) files, which carry no list column: the
    first rule of CONSOLIDATED_RULES a program starts with, once an "NS-" prefix is dropped
    (CMIC-EO13959 or NS-CMIC: CMIC; NS-PLC: PLC, even beside SDGT; UKRAINE-EO13662, the sectoral
    directives: SSI, even beside RUSSIA-EO14024; 561-Related: CAPTA, coded CAP as in the CSL;
    FSE-*: FSE). An entry under none (RUSSIA-EO14024, CAATSA - RUSSIA, BURMA-EO14014, ...) is on the
    menu-based list, NS-MBS. This is how the CSL files the same entries, but for those also on the
    SDN list (SDGT with NS-PLC), which the CSL lists under SDN."""
    for prefix, code in CONSOLIDATED_RULES:
        if any(p.upper().removeprefix("NS-").startswith(prefix) for p in programs):
            return code
    return "NS-MBS"


def read(path: Path, data: bytes) -> ListSnapshot:
    """The OFAC list in whichever of its forms `data` is."""
    if data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
        return read_xml(path, data)
    return read_legacy(path, decoded(data))


def primary_of(name: str) -> str:
    """The primary file of the legacy set a companion file (alt.csv, ...) belongs to; "" for others."""
    name = name.lower()
    return next((primary for primary, companions in LEGACY_SETS.items() if name in companions), "")


def is_legacy(name: str, first_line: str) -> bool:
    """A legacy primary file, by its name or by a first row of twelve fields led by an entity number."""
    if name.lower() in LEGACY_SETS:
        return True
    try:
        fields = next(csv.reader([first_line]), [])
    except csv.Error:  # a stray carriage return or NUL: not a list line
        return False
    return len(fields) == FIELDS["primary"] and fields[0].strip().isdigit()


# ---------------------------------------------------------------------------------------- legacy CSV


def read_legacy(path: Path, text: str) -> ListSnapshot:
    """The legacy set whose primary file is `path`, with the companions beside it (any case). The
    file name says which list it is: cons_prim.csv the consolidated one, any other the SDN list."""
    consolidated = path.name.lower().startswith("cons_")
    rows = Rows(path)
    primary = {}
    for line, record in _records(path, text):
        if line == 1 and record[0].lower() == "ent_num":  # a header some re-exports add
            continue
        rows.seen += 1
        problem = _malformed(record, "primary")
        if problem:
            rows.skip(f"line {line}", problem)
            continue
        primary.setdefault(record[0], record)
    warnings = rows.done()
    aliases, addresses, comments = defaultdict(list), defaultdict(list), defaultdict(str)
    companions = LEGACY_SETS.get(path.name.lower(), ())
    beside = _files_beside(path) if companions else {}
    for kind, name in zip(("alt", "add", "comments"), companions):
        if name in beside:
            warnings += _read_companion(beside[name], kind, primary, aliases, addresses, comments)
        else:
            warnings.append(f"{path}: no {name} beside it: its {_WHAT[kind]} are not read")
    entries = [_legacy_entry(path, record, aliases[ent], addresses[ent], comments[ent], consolidated)
               for ent, record in primary.items()]
    return ListSnapshot(entries, "ofac-legacy-csv", path, "", warnings)


_WHAT = {"alt": "aliases", "add": "addresses", "comments": "remarks continuations"}


def _files_beside(path: Path) -> dict[str, Path]:
    """The files in the folder of `path` by their lower-case names (OFAC publishes SDN.CSV, ALT.CSV, ...)."""
    try:
        return {p.name.lower(): p for p in path.parent.iterdir() if p.is_file()}
    except OSError as exc:
        raise InputError(f"{path.parent}: cannot be read ({exc.strerror or exc})") from None


def _read_companion(path: Path, kind: str, primary: dict[str, list[str]], aliases: dict[str, list[str]],
                    addresses: dict[str, list[Address]], comments: dict[str, str]) -> list[str]:
    try:
        text = decoded(path.read_bytes())
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    rows = Rows(path)
    orphans = []
    for line, record in _records(path, text):
        rows.seen += 1
        problem = _malformed(record, kind)
        if problem:
            rows.skip(f"line {line}", problem)
        elif record[0] not in primary:
            orphans.append(f"line {line} ({record[0]})")
        elif kind == "alt":
            if record[3]:
                aliases[record[0]].append(record[3])
        elif kind == "add":
            address = _address([record[2], record[3]], record[3], record[4])
            if address:
                addresses[record[0]].append(address)
        else:
            comments[record[0]] += record[1]
    warnings = rows.done(empty_ok=True)
    if orphans:
        warnings.append(f"{path}: {len(orphans):,} rows name an entity the primary file does not hold "
                        f"({', '.join(orphans[:3])}{', ...' if len(orphans) > 3 else ''}); not read")
    return warnings


def _records(path: Path, text: str) -> Iterator[tuple[int, list[str]]]:
    """(first line, fields) of each row, `-0-` read as empty; the DOS end-of-file mark is dropped."""
    reader = csv.reader(io.StringIO(text.rstrip("\x1a\r\n"), newline=""))
    line = 1
    try:
        for record in reader:
            if record and record != ["\x1a"]:
                yield line, ["" if (v := value.strip()) == "-0-" else v for value in record]
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(f"{path}: line {line}: cannot be read as CSV ({exc})") from None


def _malformed(record: list[str], kind: str) -> str:
    if len(record) != FIELDS[kind]:
        return f"{len(record)} fields, not the {FIELDS[kind]} of an OFAC {kind} row"
    if not record[0].isdigit():
        return f"entity number {record[0][:20]!r} is not a number"
    if kind == "primary" and not record[1]:
        return "no name"
    return ""


def _legacy_entry(path: Path, record: list[str], aliases: list[str], addresses: list[Address], more: str,
                  consolidated: bool) -> ListEntry:
    ent, name, kind, program, _title, call_sign, _vtype, _tonnage, _grt, flag, _owner, remarks = record
    remarks += more
    programs = tuple(p.strip("[] ") for p in program.split("] [") if p.strip("[] "))
    identifiers, countries, weak = _from_remarks(remarks)
    if call_sign:
        identifiers.insert(0, ListIdentifier("Call Sign", call_sign))
    return _entry(path, ent, name, kind or "entity", programs, [*aliases, *weak], addresses, identifiers,
                  [*(a.country_code for a in addresses), country_code(flag), *countries], remarks, consolidated, "",
                  [birth_date(d) for d in _REMARK_BIRTH.findall(remarks)])


def _from_remarks(remarks: str) -> tuple[list[ListIdentifier], list[str], list[str]]:
    """The identifiers, nationality and citizenship countries, and weak a.k.a.s the Remarks give."""
    identifiers, countries, aliases = [], [], []
    for item in remarks.split("; "):
        item = item.strip().rstrip(".")
        if m := _REMARK_ID.fullmatch(item):
            identifiers.append(identifier(m["kind"], m["value"], m["country"] or ""))
        elif m := _REMARK_COUNTRY.fullmatch(item):
            countries.append(country_code(m[1]))
        elif m := _REMARK_AKA.fullmatch(item):
            aliases.append(m[1])
    return identifiers, countries, aliases


# ---------------------------------------------------------------------------------------- XML


def read_xml(path: Path, data: bytes) -> ListSnapshot:
    """sdn.xml or consolidated.xml, streamed, whatever its namespace (OFAC has used two)."""
    rows = Rows(path)
    entries, as_of = [], ""
    consolidated = path.name.lower().startswith("cons")
    try:
        events = DefusedET.iterparse(io.BytesIO(data), events=("start", "end"))
        _, root = next(events)
        _check_root(path, _local(root.tag))
        for event, element in events:
            if event != "end":
                continue
            tag = _local(element.tag)
            if tag == "Publish_Date":
                as_of = _iso_date(element.text or "")
            elif tag == "sdnEntry":
                rows.seen += 1
                entry = _xml_entry(path, element, consolidated, as_of)
                if isinstance(entry, str):
                    rows.skip(f"sdnEntry {rows.seen}", entry)
                else:
                    entries.append(entry)
                root.clear()
    except ParseError as exc:
        line, column = exc.position
        raise InputError(f"{path}: line {line}, column {column}: not well-formed XML ({str(exc).split(':')[0]})") from None
    except defusedxml.DefusedXmlException as exc:
        raise InputError(f"{path}: refused: the XML declares a DTD, entities or external references ({exc.__class__.__name__})") from None
    return ListSnapshot(entries, "ofac-xml", path, as_of, rows.done())


def _check_root(path: Path, tag: str) -> None:
    if tag == "sdnList":
        return
    if tag == "Sanctions":
        raise InputError(f"{path}: is OFAC's advanced XML (as SDN_ADVANCED.XML, cons_advanced.xml), which covscan does not read yet; "
                         "use sdn.xml or the CSV files (sdn.csv, alt.csv, add.csv, sdn_comments.csv)")
    raise InputError(f"{path}: not an OFAC list XML: the root element is <{tag}>, not <sdnList>")


def _xml_entry(path: Path, element: Element, consolidated: bool, as_of: str) -> ListEntry | str:
    """The entry, or why it cannot be one."""
    fields = _children(element)
    uid, last = _text(fields, "uid"), _text(fields, "lastName")
    if not uid or not last:
        return f"no {'uid' if not uid else 'lastName'}"
    programs = tuple(t for p in _items(fields, "programList") if (t := (p.text or "").strip()))
    aliases = [_name(_children(aka)) for aka in _items(fields, "akaList")]
    addresses = [a for item in _items(fields, "addressList") if (a := _xml_address(_children(item)))]
    identifiers, countries = [], []
    vessel = _children(fields["vesselInfo"]) if "vesselInfo" in fields else {}
    if _text(vessel, "callSign"):
        identifiers.append(ListIdentifier("Call Sign", _text(vessel, "callSign")))
    for item in _items(fields, "idList"):
        parts = _children(item)
        kind, value, country = _text(parts, "idType"), _text(parts, "idNumber"), _text(parts, "idCountry")
        role = classify(kind)
        if role == "id" and value:
            identifiers.append(identifier(kind, value, country))
        elif role == "country":
            countries.append(country_code(value or country))
    for list_name in ("nationalityList", "citizenshipList"):
        countries += [country_code(_text(_children(item), "country")) for item in _items(fields, list_name)]
    kind = _text(fields, "sdnType").lower()
    births = [birth_date(_text(_children(item), "dateOfBirth")) for item in _items(fields, "dateOfBirthList")]
    return _entry(path, uid, _name(fields), kind, programs, aliases, addresses, identifiers,
                  [*(a.country_code for a in addresses), country_code(_text(vessel, "vesselFlag")), *countries],
                  _text(fields, "remarks"), consolidated, as_of, births)


def _xml_address(parts: dict[str, Element]) -> Address | None:
    city = _text(parts, "city")
    locality = ", ".join(t for t in (city, _text(parts, "stateOrProvince")) if t)
    locality = " ".join(t for t in (locality, _text(parts, "postalCode")) if t)  # as the legacy CSV's "City/State/Province/Postal Code"
    return _address([*(_text(parts, f"address{n}") for n in (1, 2, 3)), locality], city, _text(parts, "country"))


def _name(parts: dict[str, Element]) -> str:
    """"lastName, firstName" as the legacy CSV writes an individual; an entity has a lastName only."""
    return ", ".join(t for t in (_text(parts, "lastName"), _text(parts, "firstName")) if t)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _children(element: Element) -> dict[str, Element]:
    return {_local(child.tag): child for child in element}


def _items(fields: dict[str, Element], name: str) -> list[Element]:
    return list(fields[name]) if name in fields else []


def _text(fields: dict[str, Element], name: str) -> str:
    element = fields.get(name)
    return (element.text or "").strip() if element is not None else ""


def _iso_date(text: str) -> str:
    """OFAC's MM/DD/YYYY as YYYY-MM-DD; anything else as written."""
    month, _, rest = text.strip().partition("/")
    day, _, year = rest.partition("/")
    if month.isdigit() and day.isdigit() and year.isdigit() and len(year) == 4:
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return text.strip()


# ---------------------------------------------------------------------------------------- both


def _address(lines: list[str], city: str, country: str) -> Address | None:
    """The address as one line, as the CSL writes it: its lines, the locality, the country."""
    text = ", ".join(t for t in (*lines, country) if t)
    return Address(text, city, country, country_code(country)) if text else None


def _entry(path: Path, ent: str, name: str, kind: str, programs: tuple[str, ...], aliases: list[str],
           addresses: list[Address], identifiers: list[ListIdentifier], countries: list[str], remarks: str,
           consolidated: bool, as_of: str, births: list[str] = ()) -> ListEntry:
    code = consolidated_code(programs) if consolidated else "SDN"
    parent = linked_to(remarks)
    return ListEntry(
        list_code=code, list_name=LIST_NAMES[code], entry_id=ent, name=name,
        aliases=tuple(dict.fromkeys(a for a in aliases if a and a != name)), kind=kind, programs=programs,
        addresses=tuple(addresses), identifiers=tuple(dict.fromkeys(identifiers)),
        countries=tuple(dict.fromkeys(c for c in countries if c)), births=tuple(dict.fromkeys(b for b in births if b)),
        source_list_url=CONSOLIDATED_URL if consolidated else SDN_URL,
        remarks=remarks, parent=parent, relation="linked to" if parent else "", source=str(path), as_of=as_of,
    )
