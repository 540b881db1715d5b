"""Which input column feeds which screening field.

Three ways, in order: `--map field=column`; the header (a broad list of the names that asset
managers, CMDBs, network tools, ERP purchase lines, endpoint managers and marketplace templates
write, then rules on the header's words: "Device Manufacturer" is a manufacturer, "Mfr Part #" a
part number); and the content of the columns left over, sampled from the first rows (MACs, FCC
IDs, sysObjectIDs, known company names, model numbers, countries, HS codes, free text that names a
covered company). A column whose values look like evidence is read whatever its header; one that
cannot be read (its kind already has a column) is reported with the --map that would read it.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from covscan.evidence import SCREENING_FIELDS, field_kind
from covscan.sources.base import InputError

# Header names are compared lower-cased with everything but letters, digits and # removed.
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "vendor": ("vendor", "vendorname", "oem", "macvendor", "hwvendor", "hardwarevendor", "devicevendor",
               "vendor/manufacturer", "company", "companyname", "organization", "organisation", "macoui", "oui",
               "publisher", "softwarepublisher", "softwarevendor", "developer", "publishername"),
    "manufacturer": ("manufacturer", "manufacturername", "mfr", "mfg", "maker", "make", "producer", "mfrname",
                     "devicemanufacturer", "hardwaremanufacturer", "systemmanufacturer", "mfgname", "manufacturedby",
                     "manuf", "manufacture"),
    "brand": ("brand", "brandname", "trademark", "label", "productbrand", "marque"),
    "model": ("model", "modelnumber", "modelno", "modelname", "partnumber", "partno", "pn", "mpn", "productmodel",
              "hardwaremodel", "hwmodel", "devicemodel", "model#", "part", "mfrpart#", "mfrpartnumber", "mfrpn",
              "mfgpart#", "mfgpartnumber", "manufacturerpartnumber", "manufacturerpart#", "vendorpart#",
              "vendorpartnumber", "modelid", "systemmodel", "producttypeid", "modelcode"),
    "mac": ("mac", "macaddress", "macaddr", "hwaddress", "hardwareaddress", "ethernetaddress", "physicaladdress", "ethmac",
            "wifimac", "wlanmac", "primarymac", "macaddresses"),
    "fcc_id": ("fccid", "fcc", "fccidentifier", "fccidnumber", "containsfccid", "modulefccid", "fccidno"),
    "sysobjectid": ("sysobjectid", "snmpsysobjectid", "objectid", "oid", "enterprisenumber", "pen", "snmpoid"),
    "usb_id": ("usbid", "usbvendorid", "vid", "usbvid", "pcivendorid", "vendorid", "hardwareid", "deviceid", "pnpdeviceid"),
    "software": ("software", "softwarename", "application", "app", "program", "installedsoftware", "package",
                 "antivirus", "avproduct", "securitysoftware", "endpointprotection", "applicationname", "displayname",
                 "programname", "appname", "productname/software", "softwaretitle", "title/software", "agent",
                 "antivirusproduct", "epp", "edr", "installedapplication", "packagename"),
    "service_provider": ("serviceprovider", "provider", "carrier", "isp", "telecomprovider", "circuitprovider",
                         "telecomcarrier", "serviceprovidername", "supplier", "suppliername", "supplier/vendor",
                         "payee", "contractor", "subcontractor"),
    "description": ("description", "desc", "title", "producttitle", "productname", "productdescription",
                    "itemdescription", "item", "listingtitle", "name", "product", "devicename", "notes",
                    "assetdescription", "itemname", "linedescription", "longdescription", "shortdescription",
                    "comments", "comment", "remarks", "details", "summary", "cidescription", "assetname"),
    "hostname": ("hostname", "host", "ciname", "fqdn", "dnsname", "computername", "computer", "nodename", "sysname"),
    "category": ("category", "productcategory", "devicetype", "type", "assettype", "devicecategory", "class",
                 "producttype", "itemtype", "modelcategory", "cimclass", "assetclass", "devicerole", "department",
                 "itemcategory", "commoditycategory"),
    "hs_code": ("hscode", "htscode", "hts", "hs", "harmonizedcode", "harmonizedtariffcode", "tariffcode",
                "commoditycode", "htsus", "scheduleb", "htsnumber", "hscodes", "customscode", "harmonizedsystemcode"),
    "country": ("countryoforigin", "coo", "origin", "madein", "countryofmanufacture", "countryofproduction",
                "manufacturingcountry", "country", "countryoforiginiso", "country/regionoforigin", "origincountry",
                "productioncountry", "countryofassembly"),
    "use": ("use", "intendeduse", "usage", "purpose", "deployment", "enduse"),
    "serial": ("serial", "serialnumber", "sn", "serialno", "serial#", "serialnum", "servicetag"),
    "asset_id": ("assetid", "assettag", "asset", "assetnumber", "tag", "id", "inventoryid", "sku", "listingid",
                 "asset#", "ponumber", "po", "line", "linenumber", "ci", "sysid", "uuid", "recordid", "itemnumber",
                 "itemno", "item#", "sku#", "stocknumber", "catalognumber", "ponumber/line", "polineid"),
}
FIELDS = tuple(HEADER_NAMES)
# The kinds that may take more than one column (a purchase line's Supplier and Mfr Name, a CMDB's
# Hardware Vendor and Device Manufacturer): the second is "vendor#2" and so on, read like the first.
NAME_SLOTS = ("vendor", "manufacturer", "brand")
MULTI = frozenset({*NAME_SLOTS, "model", "software", "service_provider", "description", "hostname", "category", "hs_code"})
# When no header name fits: the words of a header, first rule first ("Mfr Part #" is a part number).
HEADER_WORDS: tuple[tuple[str, frozenset[str]], ...] = (
    ("mac", frozenset({"mac"})),
    ("fcc_id", frozenset({"fcc"})),
    ("serial", frozenset({"serial"})),
    ("hs_code", frozenset({"hs", "hts", "harmonized", "tariff"})),
    ("country", frozenset({"country", "origin"})),
    ("model", frozenset({"model", "part", "pn", "mpn"})),
    ("software", frozenset({"software", "application", "program", "antivirus"})),
    ("service_provider", frozenset({"carrier", "supplier", "provider", "isp"})),
    ("manufacturer", frozenset({"manufacturer", "mfr", "mfg", "maker", "make"})),
    ("vendor", frozenset({"vendor", "company", "oem", "publisher"})),
    ("brand", frozenset({"brand"})),
    ("category", frozenset({"category", "type", "class"})),
    ("description", frozenset({"description", "title", "name", "notes", "product", "item", "comments"})),
)


def _key(header: str) -> str:
    return re.sub(r"[^0-9a-z#]", "", header.casefold())


@dataclass(frozen=True)
class Vocabulary:
    """The fields one mode reads and the headers that name them: `names` by full header, `words`
    by a header's words (first rule first), `multi` the kinds that may take several columns (name
    kinds fill each other's free slots first), `screening` the kinds of which a file needs one."""

    names: dict[str, tuple[str, ...]]
    words: tuple[tuple[str, frozenset[str]], ...]
    multi: frozenset[str]
    screening: frozenset[str]
    name_slots: tuple[str, ...] = ()

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(self.names)

    @cached_property
    def by_key(self) -> dict[str, str]:
        return {_key(n): f for f, names in self.names.items() for n in names}

    def header_field(self, header: str, by_words: bool = True) -> str | None:
        """The field a header names, by its full name or, failing that (and `by_words`), by its words."""
        found = self.by_key.get(_key(header))
        if found or not by_words:
            return found
        words = set(re.findall(r"[a-z]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", header).casefold()))
        return next((f for f, vocabulary in self.words if words & vocabulary), None)


EQUIPMENT = Vocabulary(HEADER_NAMES, HEADER_WORDS, MULTI, frozenset(SCREENING_FIELDS), NAME_SLOTS)


def header_field(header: str) -> str | None:
    """The equipment field a header names."""
    return EQUIPMENT.header_field(header)


@dataclass
class ColumnMap:
    """Field -> column, why each column was chosen, and what was left unread that looks like evidence."""

    fields: dict[str, str]
    reasons: dict[str, str] = field(default_factory=dict)
    unread_evidence: list[str] = field(default_factory=list)


# Given a column's sampled values: the kind they hold and why, or None.
ContentGuess = Callable[[str, Sequence[str]], "tuple[str, str] | None"]


def recognise_columns(columns: Sequence[str], overrides: dict[str, str], source: str, *,
                      guess: ContentGuess | None = None, samples: dict[str, list[str]] | None = None,
                      vocabulary: Vocabulary = EQUIPMENT) -> ColumnMap:
    """Overrides win; then headers; then, for the columns left, their content. Each column feeds at
    most one field; a kind that already has a column takes the next as field#2 (multi kinds)."""
    fields, multi = vocabulary.fields, vocabulary.multi
    for fname, column in overrides.items():
        kind = field_kind(fname)
        if kind not in fields or (kind != fname and (kind not in multi or not fname.partition("#")[2].isdigit())):
            example = f" (a second column of {', '.join(sorted(multi))} as e.g. {sorted(multi)[0]}#2)" if multi else ""
            raise InputError(f"--map {fname}={column}: unknown field {fname!r}; fields: {', '.join(fields)}{example}")
        if column not in columns:
            raise InputError(f"--map {fname}={column}: {source} has no column {column!r}; columns: {', '.join(columns)}")
    result = ColumnMap(dict(overrides), {c: "--map" for c in overrides.values()})
    left = [c for c in columns if c not in result.fields.values()]
    # Full header names first, then headers read by their words: "Customer Name" is the name even
    # when "Customer ID" stands before it.
    for by_words in (False, True):
        for column in list(left):
            kind = vocabulary.header_field(column, by_words)
            if kind is not None and _assign(result, kind, column, "header", vocabulary):
                left.remove(column)
    if guess is not None and samples:
        for column in left:
            values = samples.get(column) or []
            found = guess(column, values) if values else None
            if found is None:
                continue
            kind, why = found
            if not _assign(result, kind, column, f"content: {why}", vocabulary):
                how = (f"read it too with --map {kind}#9={column!r}" if kind in multi
                       else f"screen it in a second run with --map {kind}={column!r}")
                result.unread_evidence.append(
                    f"column {column!r} looks like {kind} ({why}) but {kind} is read from {result.fields.get(kind)!r}; {how}")
    if not any(field_kind(f) in vocabulary.screening for f in result.fields):
        readable = ", ".join(f for f in fields if f in vocabulary.screening)
        raise InputError(
            f"{source}: none of the columns ({', '.join(columns[:20])}{f' and {len(columns) - 20:,} more' if len(columns) > 20 else ''}) "
            "is one covscan can read, by its header or by its "
            f"values; name them ({readable}) or map them with --map field=column"
        )
    return result


def _assign(result: ColumnMap, kind: str, column: str, reason: str, vocabulary: Vocabulary) -> bool:
    """Give `column` to the first free slot of `kind`: names fill vendor, manufacturer, brand, then vendor#2..."""
    name_slots = vocabulary.name_slots
    slots = [kind] if kind not in name_slots else [kind, *(s for s in name_slots if s != kind)]
    if kind in vocabulary.multi:
        slots += [f"{kind}#{n}" for n in range(2, 10)]
    free = next((s for s in slots if s not in result.fields), None)
    if free is None:
        return False
    result.fields[free] = column
    result.reasons[column] = reason
    return True
