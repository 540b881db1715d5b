"""Evidence extractors, one per signal kind, and which screening field each one reads."""
from __future__ import annotations

from typing import Any

from covscan.evidence.base import EvidenceTuple, Extractor
from covscan.evidence.content import ColumnKinds
from covscan.evidence.description import DescriptionExtractor
from covscan.evidence.fingerprints import ObservationExtractor
from covscan.evidence.fcc_id import FccIdExtractor
from covscan.evidence.mac import MacExtractor
from covscan.evidence.models import ModelExtractor, ModelMatcher
from covscan.evidence.names import NameExtractor, NameMatcher
from covscan.evidence.origin import CategoryExtractor, CategoryMatcher, CountryExtractor, HsCodeExtractor
from covscan.evidence.registries import PenExtractor, UsbExtractor
from covscan.evidence.use import UseExtractor, parse_use
from covscan.kb import KnowledgeBase
from covscan.observations import SERVICE_FIELDS

__all__ = ["EvidenceTuple", "Extractor", "SCREENING_FIELDS", "build_extractors", "column_kinds", "field_kind", "parse_use"]

# The fields a record can carry, in the order evidence is listed. Identity-only fields (serial,
# asset_id) carry no evidence; they give a finding its stable id.
SCREENING_FIELDS = (
    "vendor", "manufacturer", "brand", "model", "mac", "fcc_id", "sysobjectid", "usb_id",
    "software", "service_provider", "description", "category", "hs_code", "country", "use",
    "hostname", *(f for f in SERVICE_FIELDS if f != "snmp_sysobjectid"),
)
IDENTITY_FIELDS = ("mac", "fcc_id", "serial", "asset_id", "ip")
EXTRA_COLUMN = "#"  # "vendor#2": a second column of one kind, read by the same extractor


def field_kind(field: str) -> str:
    """The kind of a screening field: "vendor#2" reads a second vendor-like column as a vendor."""
    return field.split(EXTRA_COLUMN, 1)[0]


def column_kinds(kb: KnowledgeBase, extractors: dict[str, Extractor] | None = None) -> ColumnKinds:
    """What a column holds, judged from its values with the same matchers that screen them."""
    ex: dict[str, Any] = dict(extractors or build_extractors(kb))
    return ColumnKinds(kb, ex["vendor"].matcher, ex["model"].matcher, ex["category"].matcher, ex["country"], ex["description"])


def build_extractors(kb: KnowledgeBase) -> dict[str, Extractor]:
    names = NameMatcher(kb)
    models = ModelMatcher(kb)
    fcc = FccIdExtractor(kb)
    categories = CategoryMatcher(kb)
    vendor_names = NameExtractor(kb, names, "name")
    macs = MacExtractor(kb)
    pens = PenExtractor(kb)
    description = DescriptionExtractor(vendor_names, models, fcc, categories)
    observed = {kind: ObservationExtractor(kb, kind, vendor_names, models, macs, pens) for kind in SERVICE_FIELDS}
    observed["sysobjectid"] = observed.pop("snmp_sysobjectid")
    return observed | {
        "vendor": vendor_names,
        "manufacturer": vendor_names,
        "brand": vendor_names,
        "model": ModelExtractor(kb, models),
        "mac": macs,
        "fcc_id": fcc,
        "hostname": description,
        "usb_id": UsbExtractor(kb),
        "software": NameExtractor(kb, names, "software"),
        "service_provider": NameExtractor(kb, names, "service"),
        "description": description,
        "category": CategoryExtractor(kb, categories),
        "hs_code": HsCodeExtractor(kb),
        "country": CountryExtractor(kb),
        "use": UseExtractor(kb),
    }
