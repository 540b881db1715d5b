"""Free text (descriptions, listing titles, notes): names, model numbers, FCC ID labels and
product categories, each weighed as free text rather than as a dedicated field."""
from __future__ import annotations

from collections.abc import Sequence

from covscan.evidence.base import EvidenceTuple
from covscan.evidence.fcc_id import FccIdExtractor
from covscan.evidence.models import ModelMatcher
from covscan.evidence.names import NameExtractor
from covscan.evidence.origin import CategoryMatcher


class DescriptionExtractor:
    def __init__(self, names: NameExtractor, models: ModelMatcher, fcc: FccIdExtractor, categories: CategoryMatcher) -> None:
        self.names, self.models, self.fcc, self.categories = names, models, fcc, categories

    def extract(self, values: Sequence[str], field: str) -> list[EvidenceTuple]:
        model_hits = self.models.match(values, in_text=True)
        out: list[EvidenceTuple] = []
        for value, hits in zip(values, model_hits):
            found = [self.names.evidence(m, field, value, free_text=True) for m in self.names.matcher.match(value, free_text=True)]
            found += [self.models.evidence(p, field, value, text, in_text=True) for p, text in hits]
            found += self.fcc.in_text(value, field)
            found += self.categories.evidence(value, field)
            out.append(tuple(found))
        return out
