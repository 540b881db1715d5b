"""Free text (descriptions, listing titles, notes): names, model numbers, FCC ID labels and
product categories, each weighed as free text rather than as a dedicated field."""
from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from covscan.evidence.base import EvidenceTuple
from covscan.evidence.fcc_id import FccIdExtractor
from covscan.evidence.models import ModelMatcher
from covscan.evidence.names import NameExtractor
from covscan.evidence.origin import CategoryMatcher


class DescriptionExtractor:
    def __init__(self, names: NameExtractor, models: ModelMatcher, fcc: FccIdExtractor, categories: CategoryMatcher) -> None:
        self.names, self.models, self.fcc, self.categories = names, models, fcc, categories
        self.first_words = sorted(names.matcher.first_words | categories.first_words)

    def extract(self, values: Sequence[str], field: str) -> list[EvidenceTuple]:
        model_hits = self.models.match(values, in_text=True)
        out: list[EvidenceTuple] = []
        for value, hits, candidate in zip(values, model_hits, self._candidates(values)):
            if not (candidate or hits):
                out.append(())
                continue
            found = [self.names.evidence(m, field, value, free_text=True) for m in self.names.matcher.match(value, free_text=True)]
            found += [self.models.evidence(p, field, value, text, in_text=True) for p, text in hits]
            found += self.fcc.in_text(value, field)
            found += self.categories.evidence(value, field)
            out.append(tuple(found))
        return out

    def _candidates(self, values: Sequence[str]) -> list[bool]:
        """Which values may hold a name, a category term or an FCC ID label, decided for the whole
        column at once: ASCII text whose words include the first word of a name or term, or "fcc";
        any other text (full-width letters, CJK names) goes to the matchers. The rest (most of a
        general marketplace's listings) need no reading in Python."""
        text = pl.Series(values, dtype=pl.String)
        lower = text.str.to_lowercase()
        words = lower.str.extract_all(r"[a-z0-9]+").list.eval(pl.element().is_in(self.first_words)).list.any()
        return (~text.str.contains(r"^[\x00-\x7f]*$") | lower.str.contains("fcc", literal=True) | words).to_list()
