"""What a column holds, told from a sample of its values rather than its header.

A software inventory's "DisplayName", a purchase line's "Supplier", a CMDB's "Hardware Vendor"
under a header nobody foresaw: the values say what they are. Each test below reads the sample
with the same matchers that screen it, so a column is recognised as vendor names because
covscan knows the names in it, as model numbers because its model patterns match, and so on.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from covscan.evidence.description import DescriptionExtractor
from covscan.evidence.models import ModelMatcher
from covscan.evidence.names import NameMatcher
from covscan.evidence.origin import CategoryMatcher, CountryExtractor
from covscan.kb import KnowledgeBase
from covscan.normalize import mac_hex, parse_fcc_id

SAMPLE_VALUES = 500  # distinct values looked at per column
_OID = re.compile(r"^\.?1\.3\.6\.1\.4\.1\.\d+(?:\.\d+)*$")
_USB = re.compile(r"^(?:usb|pci)?[\\: ]?(?:vid_)?[0-9a-f]{4}[:&_ ](?:pid_)?[0-9a-f]{4}$", re.I)
_HS = re.compile(r"^\d{4}(?:[.\s]?\d{2}){0,3}$")
_NUMERIC = re.compile(r"^[\d\s.,:/+\-$€£%()]*$")  # amounts, dates, quantities, phone numbers
_MODEL_LIKE = re.compile(r"^(?=[^ ]*\d)(?=[^ ]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9\-/._()+#]{2,31}(?: [A-Za-z0-9\-/._()+#]{1,12}){0,2}$")


def _pct(share: float) -> str:
    return f"{share:.0%} of sampled values"


class ColumnKinds:
    """guess(column, values) -> (field, why) or None."""

    def __init__(self, kb: KnowledgeBase, names: NameMatcher, models: ModelMatcher, categories: CategoryMatcher,
                 countries: CountryExtractor, description: DescriptionExtractor) -> None:
        self.names, self.models, self.categories = names, models, categories
        self.countries, self.description = countries, description
        self.grantees = set(kb.grantees)  # with the codes of the active knowledge-data version
        self.hs_prefixes = tuple(h.digits for h in kb.raw.hs_codes)

    def guess(self, column: str, values: Sequence[str]) -> tuple[str, str] | None:
        sample = list(dict.fromkeys(v.strip() for v in values if v and v.strip()))[:SAMPLE_VALUES]
        if not sample:
            return None
        n = len(sample)

        def share(test: object) -> float:
            return sum(1 for v in sample if test(v)) / n  # type: ignore[operator]

        if (s := share(mac_hex)) >= 0.8:
            return "mac", f"{_pct(s)} are MAC addresses"
        if (s := share(_OID.match)) >= 0.8:
            return "sysobjectid", f"{_pct(s)} are SNMP enterprise OIDs"
        if (s := share(_USB.match)) >= 0.8:
            return "usb_id", f"{_pct(s)} are USB/PCI vendor:product ids"
        digits = [re.sub(r"\D", "", v) for v in sample if _HS.match(v)]
        if len(digits) >= 0.8 * n and (sum("." in v for v in sample) >= 0.3 * n or any(d.startswith(self.hs_prefixes) for d in digits)):
            return "hs_code", f"{_pct(len(digits) / n)} are HS/HTS codes"
        if share(_NUMERIC.match) >= 0.8:
            return None  # amounts, dates, quantities
        fcc = [p for p in map(parse_fcc_id, sample) if not isinstance(p, str)]
        if len(fcc) >= 0.8 * n and sum("-" in v for v in sample) >= 0.5 * n and any(p.grantee in self.grantees for p in fcc):
            return "fcc_id", f"{_pct(len(fcc) / n)} are FCC IDs, some of covered grantees"
        if (s := share(self.countries.origin)) >= 0.6:
            return "country", f"{_pct(s)} are countries"
        words = sum(len(v.split()) for v in sample) / n
        if words <= 5:
            named = [v for v in sample if any(m.kind == "exact" for m in self.names.match(v))]
            if len(named) >= max(1, 0.2 * n):
                return "vendor", f"{_pct(len(named) / n)} are company names covscan knows (e.g. {named[0]!r})"
            hits = self.models.hits(sample, in_text=False)
            model_like = share(_MODEL_LIKE.match)
            if hits and model_like >= 0.5:
                example = sample[next(iter(hits))]
                return "model", f"{_pct(model_like)} look like model numbers, {len(hits)} match known patterns (e.g. {example!r})"
            terms = [v for v in sample if self.categories.evidence(v, column)]
            if len(terms) >= max(1, 0.2 * n):
                return "category", f"{_pct(len(terms) / n)} name product categories (e.g. {terms[0]!r})"
        found = self.description.extract(sample, column)
        named = [v for v, ev in zip(sample, found) if any(e.entity and e.confidence > 0 for e in ev)]
        if named:
            return "description", f"free text that names covered producers or categories (e.g. {named[0]!r})"
        return None
