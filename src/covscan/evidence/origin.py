"""Product category and country of production, for the Covered List's category entries
(foreign-produced UAS, consumer routers, power inverters, advanced robotic devices)."""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from covscan.evidence.base import EvidenceTuple
from covscan.kb import KnowledgeBase
from covscan.kb.loader import CategoryTerm
from covscan.model import Evidence
from covscan.normalize import fold, tokens

FOREIGN, DOMESTIC = "foreign", "domestic"


class CategoryMatcher:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.terms = sorted(kb.raw.categories, key=lambda t: -len(t.tokens))  # most specific first
        # Terms by their first word, so a text is read once rather than once per term.
        self._starting: dict[str, list[tuple[int, CategoryTerm]]] = defaultdict(list)
        for order, term in enumerate(self.terms):
            self._starting[term.tokens[0]].append((order, term))
        self.first_words = frozenset(self._starting)

    def evidence(self, text: str, field: str) -> EvidenceTuple:
        """The most specific term of each category found on word boundaries."""
        toks = tokens(text)
        found = {
            order for i, tok in enumerate(toks) for order, term in self._starting.get(tok, ())
            if toks[i : i + len(term.tokens)] == term.tokens
        }
        best: dict[str, Evidence] = {}
        for term in (self.terms[order] for order in sorted(found)):
            if term.category not in best:
                best[term.category] = Evidence(
                    "category", field, text, target=term.category, entity=term.category, relation="category",
                    matched=" ".join(term.tokens), rule=f"category.{term.category}",
                    confidence=self.kb.fact(term.confidence) * self.kb.signal("category"), source=term.source,
                )
        return tuple(best.values())


class CategoryExtractor:
    def __init__(self, kb: KnowledgeBase, matcher: CategoryMatcher) -> None:
        self.matcher = matcher

    def extract(self, values: Sequence[str], field: str) -> list[EvidenceTuple]:
        return [self.matcher.evidence(v, field) for v in values]


class CountryExtractor:
    """Country of production: the US is domestic, any other named country is foreign."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.domestic = kb.raw.domestic_countries
        self.unknown = kb.raw.unknown_countries

    def extract(self, values: Sequence[str], field: str) -> list[EvidenceTuple]:
        out: list[EvidenceTuple] = []
        for value in values:
            key = " ".join(t for t in re.split(r"[^\w]+", fold(value)) if t)
            if key in self.unknown:
                out.append(())
                continue
            origin = DOMESTIC if key in self.domestic else FOREIGN
            out.append((Evidence("origin", field, value, matched=origin, rule=f"origin.{origin}", source="categories.yaml domestic_countries"),))
        return out
