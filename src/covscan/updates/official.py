"""The official sources `covscan data update` reads: where each is published, how often it changes,
what a sane file of it looks like, and its parser. Data about the sources, kept apart from the code
that fetches and checks them (update.py)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from urllib.parse import urlencode

import polars as pl

from covscan.updates.formats import (
    covered_list_page,
    csl,
    fcc_grantees,
    federal_register,
    ieee,
    ofac_sdn,
)

MIB = 1 << 20


@dataclass(frozen=True)
class OfficialSource:
    name: str  # as given to `covscan data update NAME`
    title: str
    url: Callable[[date], str]  # the download for a given day (the Federal Register query looks back from it)
    filename: str  # the file's name in a `--from DIR` folder
    cadence: str  # how often the publisher changes it, in words
    stale_days: int  # a snapshot older than this is reported stale
    max_bytes: int  # a larger download is cut off and rejected
    parse: Callable[[bytes], pl.DataFrame]
    needs_review: bool = False  # a change is for a reviewer to read against the curated facts (page text, new documents)
    min_records: int = 1
    # A snapshot with fewer than this share of the previous one's records, or more than `growth` times its
    # bytes, is taken for a broken or wrong file and rejected.
    min_share: float = 0.5
    growth: float = 5.0


def _fixed(url: str) -> Callable[[date], str]:
    return lambda _day: url


# The Federal Register documents that can change what covscan knows, from the three agencies.
FEDERAL_REGISTER_TERMS = '"covered list" | "equipment authorization" | "entity list" | "1260H" | "Chinese military companies"'
FEDERAL_REGISTER_AGENCIES = ("federal-communications-commission", "industry-and-security-bureau", "defense-department")
FEDERAL_REGISTER_DAYS = 400


def federal_register_url(day: date) -> str:
    query = [("conditions[term]", FEDERAL_REGISTER_TERMS), ("conditions[publication_date][gte]", str(day - timedelta(days=FEDERAL_REGISTER_DAYS))),
             ("order", "newest"), ("per_page", "1000"),
             *(("conditions[agencies][]", a) for a in FEDERAL_REGISTER_AGENCIES),
             *(("fields[]", f) for f in ("document_number", "title", "type", "publication_date", "agencies", "html_url"))]
    return "https://www.federalregister.gov/api/v1/documents.json?" + urlencode(query)


SOURCES: dict[str, OfficialSource] = {s.name: s for s in (
    OfficialSource("ieee-ma-l", "IEEE MA-L (OUI) registry", _fixed("https://standards-oui.ieee.org/oui/oui.csv"), "oui.csv",
                   "continuous", 45, 64 * MIB, partial(ieee.parse, registry="MA-L"), min_records=1000),
    OfficialSource("ieee-ma-m", "IEEE MA-M registry", _fixed("https://standards-oui.ieee.org/oui28/mam.csv"), "mam.csv",
                   "continuous", 45, 32 * MIB, partial(ieee.parse, registry="MA-M"), min_records=100),
    OfficialSource("ieee-ma-s", "IEEE MA-S registry", _fixed("https://standards-oui.ieee.org/oui36/oui36.csv"), "oui36.csv",
                   "continuous", 45, 32 * MIB, partial(ieee.parse, registry="MA-S"), min_records=100),
    OfficialSource("fcc-grantees", "FCC equipment-authorization grantee registrations",
                   _fixed("https://opendata.fcc.gov/resource/3b3k-34jp.json?$limit=500000"), "fcc-grantees.json",
                   "irregular (copy stale since 2021)", 120, 256 * MIB, fcc_grantees.parse, min_records=100),
    OfficialSource("csl", "trade.gov Consolidated Screening List",
                   _fixed("https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv"), "consolidated.csv",
                   "daily", 7, 256 * MIB, csl.parse, min_records=100),
    OfficialSource("ofac-sdn", "OFAC Specially Designated Nationals list",
                   _fixed("https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN.CSV"), "sdn.csv",
                   "several times a week", 7, 128 * MIB, ofac_sdn.parse, min_records=100),
    OfficialSource("federal-register", "Federal Register: FCC, BIS and DoD documents on the covered lists",
                   federal_register_url, "federal-register.json", "business days", 7, 32 * MIB,
                   federal_register.parse, needs_review=True, min_share=0.0),
    OfficialSource("fcc-covered-list", "FCC Covered List page", _fixed("https://www.fcc.gov/supplychain/coveredlist"),
                   "coveredlist.html", "per public notice", 30, 16 * MIB,
                   covered_list_page.parse, needs_review=True, growth=20.0),
)}
