"""The restricted-party list entry every reader produces and every matcher reads: one shape for the
Consolidated Screening List, OFAC's files and the knowledge base's own parties, so a new list format
is one new reader and nothing else changes."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Address:
    """An address as the list gives it; `country_code` is ISO 3166-1 alpha-2 where it can be read."""

    text: str
    city: str = ""
    country: str = ""
    country_code: str = ""


@dataclass(frozen=True, slots=True)
class ListIdentifier:
    """A registration, tax, passport or other number the list gives for the party."""

    kind: str
    value: str
    country: str = ""


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One listed party.

    `list_code` is the short code of the list (EL, SDN, MEU, UVL, DPL, CMIC, ..., or KB for the
    knowledge base's own parties); `entry_id` identifies the entry within its list across
    snapshots (the CSL `_id`, OFAC's entity number, the knowledge-base node id). `countries` are the
    ISO alpha-2 codes of the entry's addresses, nationalities and citizenships. `parent` names the
    listed entity an affiliate or subsidiary entry belongs to, with `relation` saying how.
    `source` is the file (or knowledge-base file) it was read from, `as_of` the list's date where known.
    """

    list_code: str
    list_name: str
    entry_id: str
    name: str
    aliases: tuple[str, ...] = ()
    kind: str = ""  # entity | individual | vessel | aircraft | "" (not given)
    programs: tuple[str, ...] = ()
    addresses: tuple[Address, ...] = ()
    identifiers: tuple[ListIdentifier, ...] = ()
    countries: tuple[str, ...] = ()
    births: tuple[str, ...] = ()  # dates of birth, ISO (YYYY-MM-DD, or YYYY where only the year is given)
    license_requirement: str = ""
    license_policy: str = ""
    federal_register_notice: str = ""
    start_date: str = ""
    source_list_url: str = ""
    remarks: str = ""
    parent: str = ""
    relation: str = ""
    confidence: str = "high"  # how sure the entry itself is (knowledge-base parties carry their own)
    source: str = ""
    as_of: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        """The primary name, then the aliases."""
        return (self.name, *self.aliases)
