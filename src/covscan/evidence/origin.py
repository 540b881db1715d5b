"""Product category and country of production, for the Covered List's category entries
(foreign-produced UAS, consumer routers, power inverters, advanced robotic devices).

A category term on its own is not the thing: "drone propellers" and "case for drones" are
accessories, a bagpipe's drone reed and a woodworking router are other things, a toy drone is
excepted. categories.yaml lists, per category, the components the entry covers, the accessories and
homonyms it does not, and its exceptions; a term they rule out gives a note (confidence 0) saying
why, so the finding explains what decided. Its `not_equipment` words (a protection plan, a gift
card) give a note that the listing sells no equipment at all.

A category path ("Home & Kitchen > Vacuums & Floor Care > Robotic Vacuums") goes from the broad to
the specific, so its most specific level decides: a level below the term's that names a component or
an accessory says which the item is ("Drone Accessories > Batteries" is a battery, "... > Propellers"
a propeller), and a term of several words ("robotic vacuums", "fpv systems") names the thing itself,
so a broad department above it ("Home & Kitchen", "Toys & Games") does not re-read it as a homonym. A
single word ("drones", "routers", "robots") can still mean another thing, so a homonym anywhere in the
path re-reads it ("Musical Instruments > Bagpipes > Drones", "Tools > Woodworking > Routers").
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from covscan.evidence.base import EvidenceTuple
from covscan.kb import KnowledgeBase
from covscan.kb.loader import CategoryRules, CategoryTerm
from covscan.kb.supplement import supplement
from covscan.model import Evidence
from covscan.normalize import fold, tokens

FOREIGN, DOMESTIC, ASSEMBLED = "foreign", "domestic", "assembled-domestic"
# "<accessory> for <term>": how far before the term "for" may stand.
FOR_WINDOW = 3
AFTER_WINDOW = 2  # "<term> <accessory>": how far after the term the accessory may stand
_FOR = frozenset({"for", "fits", "compatible", "replacement"})
# Accessory words that say the item is some part or accessory, not which ("Drone Accessories"): the note they
# give is `.accessories`, and only a named accessory (propellers, a case) gives `.accessory`.
_SOME_ACCESSORY = frozenset({("accessory",), ("accessories",)})
_WITH = frozenset({"with", "w", "and", "plus", "including", "includes", "incl", "bundle"})


class Phrases:
    """Word sequences looked up by their first word, so a text is scanned once, not once per phrase."""

    def __init__(self, phrases: Sequence[tuple[str, ...]]) -> None:
        self._by_first: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for phrase in sorted(phrases, key=len, reverse=True):
            self._by_first[phrase[0]].append(phrase)

    def find(self, toks: tuple[str, ...], lo: int = 0, hi: int | None = None) -> tuple[str, ...] | None:
        """The first phrase (longest at a position) lying wholly within toks[lo:hi]."""
        hi = len(toks) if hi is None else min(hi, len(toks))
        for i in range(max(lo, 0), hi):
            for phrase in self._by_first.get(toks[i], ()):
                if i + len(phrase) <= hi and toks[i : i + len(phrase)] == phrase:
                    return phrase
        return None


@dataclass(frozen=True)
class _Rules:
    components: Phrases
    accessories: Phrases
    homonyms: Phrases
    exceptions: tuple[tuple[Phrases, Phrases, str, str, str], ...]  # when, unless, id, text, source

    @classmethod
    def of(cls, rules: CategoryRules) -> _Rules:
        return cls(Phrases(rules.components), Phrases(rules.accessories), Phrases(rules.homonyms),
                   tuple((Phrases(x.when), Phrases(x.unless), x.id, x.text, x.source) for x in rules.exceptions))


class CategoryMatcher:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.terms = sorted(kb.raw.categories, key=lambda t: -len(t.tokens))  # most specific first
        self.rules = {c: _Rules.of(r) for c, r in kb.raw.category_rules.items()}
        self._no_rules = _Rules.of(CategoryRules())
        # Terms by their first word, so a text is read once rather than once per term.
        self._starting: dict[str, list[tuple[int, CategoryTerm]]] = defaultdict(list)
        for order, term in enumerate(self.terms):
            self._starting[term.tokens[0]].append((order, term))
        # Words that say a listing sells no equipment (a protection plan, a gift card): categories.yaml not_equipment.
        self.not_equipment = [(Phrases(n.terms), n) for n in supplement(kb).not_equipment]
        not_equipment_words = {t for _, n in self.not_equipment for p in n.terms for t in p}
        # They begin a "term" for the free-text keys too (description.py), so a title's key keeps them.
        self.first_words = frozenset(self._starting) | {p[0] for _, n in self.not_equipment for p in n.terms}
        rules = kb.raw.category_rules.values()
        # The words of exceptions: those that bring one in ("toy"), and those that rule it out ("camera").
        self.exception_when = frozenset(t for r in rules for x in r.exceptions for p in x.when for t in p)
        self.exception_unless = frozenset(t for r in rules for x in r.exceptions for p in x.unless for t in p)
        # Every word that can change what a term means (free text is keyed on these, see description.py).
        self.vocabulary = frozenset(
            {t for term in self.terms for t in term.tokens} | set(_FOR) | set(_WITH)
            | {t for r in kb.raw.category_rules.values() for group in (r.components, r.accessories, r.homonyms) for p in group for t in p}
            | {t for r in kb.raw.category_rules.values() for x in r.exceptions for p in (*x.when, *x.unless) for t in p}
            | not_equipment_words
        )

    def evidence(self, text: str, field: str, dedicated: bool = False) -> EvidenceTuple:
        """The most specific term of each category found on word boundaries, or a note when the
        text shows it is an accessory, a homonym or an excepted item. In a dedicated category
        column a term counts one confidence level higher (low -> medium): the column says what it is;
        its rules are category-column.*, so fusion can tell it from a title. A category path
        ("Camera & Photo > Drone Accessories") is read a level at a time: words of a level above the
        term's do not make it a component or an accessory, those of a level below it do (the most
        specific level decides: "Drone Accessories > Batteries"); a homonym anywhere in the path
        (Toys & Games, Beekeeping) still tells what a one-word term is, one in the term's level or
        below it what a term of several words is ("Home & Kitchen" does not re-read "Robotic
        Vacuums"); an exception is brought in by a word anywhere in the path."""
        toks = tokens(text)
        levels = _levels(text) if dedicated else None
        if levels is not None and levels[-1][1] != len(toks):  # a separator inside a word: read it as one level
            levels = None
        found = sorted(
            (order, i) for i, tok in enumerate(toks) for order, term in self._starting.get(tok, ())
            if toks[i : i + len(term.tokens)] == term.tokens
        )
        best: dict[str, Evidence] = {}
        for order, start in found:
            term = self.terms[order]
            if term.category in best:
                continue
            matched = " ".join(term.tokens)
            lo, hi = (0, len(toks)) if levels is None else next((a, b) for a, b in levels if a <= start < b)
            below = [] if levels is None else [(a, b) for a, b in levels if a >= hi and b > a]
            # A term of several words in a path names the thing: the levels above it do not re-read it.
            homonyms_from = lo if levels is not None and len(term.tokens) > 1 else 0
            why = self._not_the_thing(toks, start, start + len(term.tokens), self.rules.get(term.category, self._no_rules), lo, hi,
                                      below, homonyms_from)
            prefix = "category-column" if dedicated else "category"
            if why is not None:
                rule, note, source = why
                best[term.category] = Evidence("category", field, text, target=term.category, matched=matched,
                                               rule=f"{prefix}.{term.category}.{rule}", source=source, note=note)
                continue
            level = "medium" if dedicated and term.confidence == "low" else term.confidence
            best[term.category] = Evidence(
                "category", field, text, target=term.category, entity=term.category, relation="category",
                matched=matched, rule=f"{prefix}.{term.category}",
                confidence=self.kb.fact(level) * self.kb.signal("category"), source=term.source,
            )
        if dedicated:  # the column names another kind of goods (Books, Beekeeping, Power Tools): no title term counts
            for category, rules in self.rules.items():
                if category not in best and (word := rules.homonyms.find(toks)) is not None:
                    best[category] = Evidence("category", field, text, target=category, matched=" ".join(word),
                                              rule=f"category-column.{category}.homonym", source="categories.yaml homonyms",
                                              note=f"the category {' '.join(word)!r} is another kind of goods than {self.kb.display_name(category)}")
        return tuple(best.values()) + self._not_equipment(toks, field, text, dedicated)

    def _not_equipment(self, toks: tuple[str, ...], field: str, text: str, dedicated: bool) -> EvidenceTuple:
        """A note when the text says the listing sells a plan or a card, not equipment; in a title, a
        term after "with", "plus"... is an extra that comes with the item ("drone with DJI Care Refresh")."""
        for phrases, what in self.not_equipment:
            if (word := phrases.find(toks)) is None:
                continue
            at = next(i for i in range(len(toks)) if toks[i : i + len(word)] == word)
            if not dedicated and any(t in _WITH for t in toks[:at]):
                continue
            prefix = "category-column" if dedicated else "category"
            return (Evidence("category", field, text, matched=" ".join(word), rule=f"{prefix}.not-equipment.{what.id}",
                             source=what.source, note=what.text),)
        return ()

    def _not_the_thing(self, toks: tuple[str, ...], start: int, end: int, rules: _Rules, lo: int = 0,
                       hi: int | None = None, below: Sequence[tuple[int, int]] = (),
                       homonyms_from: int = 0) -> tuple[str, str, str] | None:
        """(rule, note, source) when the term at toks[start:end] does not name an item the entry covers;
        components, accessories and the features that rule an exception out are looked for in
        toks[lo:hi] (the term's level of a category path) and in the levels `below` it, the most
        specific of which decides; homonyms in toks[homonyms_from:]."""
        hi = len(toks) if hi is None else hi
        term = " ".join(toks[start:end])
        if (word := rules.homonyms.find(toks, homonyms_from)) is not None:
            return "homonym", f"{' '.join(word)!r}: here {term!r} means something else", "categories.yaml homonyms"
        deepest = next((kind for a, b in reversed(below) if (kind := _head(toks, a, b, rules)) is not None), None)
        if deepest is None:
            # a component beside the term, not inside it ("fpv goggles carrying case" is a case)
            component = (rules.components.find(toks, max(lo, start - FOR_WINDOW), start)
                         or rules.components.find(toks, end, min(hi, end + AFTER_WINDOW + 1)))
            # "<term> <accessory>" is an accessory; "<term> with <accessory>" is the thing with one.
            after = next((i for i in range(end, min(end + AFTER_WINDOW + 1, hi)) if toks[i] in _WITH), min(hi, end + AFTER_WINDOW + 1))
            accessory = rules.accessories.find(toks, end, after)
            for_it = any(t in _FOR for t in toks[max(lo, start - FOR_WINDOW) : start])
            if accessory is None and for_it:
                accessory = rules.accessories.find(toks, lo, start)
            if accessory is None and not for_it and (accessory := _accessory_for(toks, lo, start, rules)) is not None:
                for_it = True
            if component is None and (accessory is not None or for_it):
                what = f"{' '.join(accessory)!r}" if accessory else "an item"
                rule = "for-item" if accessory is None else "accessories" if accessory in _SOME_ACCESSORY else "accessory"
                return (rule, f"{what} for {term}: a part or accessory the entry does not cover, not the item itself",
                        "categories.yaml accessories")
        elif deepest[0] == "accessory":
            return ("accessories" if deepest[1] in _SOME_ACCESSORY else "accessory",
                    f"{' '.join(deepest[1])!r} under {term}: a part or accessory the entry does not cover, not the item itself",
                    "categories.yaml accessories")
        for when, unless, xid, text, source in rules.exceptions:
            if when.find(toks) is not None and unless.find(toks, lo, max(hi, below[-1][1] if below else hi)) is None:
                return f"exception.{xid}", text, source
        return None


def _head(toks: tuple[str, ...], lo: int, hi: int, rules: _Rules) -> tuple[str, tuple[str, ...]] | None:
    """What a level of a category path names, by its last component or accessory (the head of the
    phrase: "Battery Cases" are cases): ("component" | "accessory", the words), or None."""
    last: tuple[int, str, tuple[str, ...]] | None = None
    for kind, phrases in (("component", rules.components), ("accessory", rules.accessories)):
        i = lo
        while i < hi and (word := phrases.find(toks, i, hi)) is not None:
            at = next(j for j in range(i, hi) if toks[j : j + len(word)] == word)
            if last is None or at + len(word) > last[0]:
                last = (at + len(word), kind, word)
            i = at + 1
    return None if last is None else (last[1], last[2])


def _accessory_for(toks: tuple[str, ...], lo: int, start: int, rules: _Rules) -> tuple[str, ...] | None:
    """The accessory of "<accessory> for|fits ... <term>", however many words (a brand, a model) stand
    between "for" and the term ("Wall Mount Bracket for eero Pro 6E Mesh Router"); not when "with"
    stands between them ("case for travel with a drone" sells the drone)."""
    for i in range(start - 1, lo - 1, -1):
        if toks[i] in _WITH:
            return None
        if toks[i] in _FOR:
            word = rules.accessories.find(toks, max(lo, i - FOR_WINDOW), i)
            if word is not None:
                return word
    return None


_LEVEL_SEPARATOR = re.compile(r"\s*(?:>|\||/|»|›|::)\s*")


def _levels(text: str) -> list[tuple[int, int]]:
    """Token ranges of the levels of a category path ("A > B > C"); the whole text is one level."""
    out, at = [], 0
    for part in _LEVEL_SEPARATOR.split(text):
        n = len(tokens(part))
        out.append((at, at + n))
        at += n
    return out or [(0, 0)]


class CategoryExtractor:
    def __init__(self, kb: KnowledgeBase, matcher: CategoryMatcher) -> None:
        self.matcher = matcher

    def extract(self, values: Sequence[str], field: str) -> list[EvidenceTuple]:
        return [self.matcher.evidence(v, field, dedicated=True) for v in values]


class HsCodeExtractor:
    """Harmonized System codes (8806.21, 8517.62.0020): the longest heading in categories.yaml that
    the code's digits begin with names the category, with that heading's confidence."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.codes = sorted(kb.raw.hs_codes, key=lambda h: -len(h.digits))

    def extract(self, values: Sequence[str], field: str) -> list[EvidenceTuple]:
        out: list[EvidenceTuple] = []
        for value in values:
            digits = re.sub(r"[\s.\-]", "", value.strip())
            code = next((h for h in self.codes if digits.isdigit() and digits.startswith(h.digits)), None)
            if code is None:
                out.append(())
                continue
            # A heading that also holds other goods (8517.62: switches and modems too) only corroborates a term.
            broad = ".broad" if code.confidence == "low" else ""
            out.append((Evidence(
                "category", field, value, target=code.category, entity=code.category, relation="category",
                matched=f"HS {code.digits[:4]}.{code.digits[4:]}".rstrip(".") + f" ({code.what})", rule=f"hs.{code.category}{broad}",
                confidence=self.kb.fact(code.confidence) * self.kb.signal("category"), source=code.source,
            ),))
        return out


@lru_cache(maxsize=1)
def iso_countries() -> dict[str, str]:
    """Normalised country names and codes (ISO 3166, from pycountry) -> alpha-2 code."""
    import pycountry

    out: dict[str, str] = {}
    for c in pycountry.countries:
        for name in (c.name, getattr(c, "official_name", None), getattr(c, "common_name", None), c.alpha_2, c.alpha_3):
            if name:
                out.setdefault(country_key(name), c.alpha_2)
        out.setdefault(country_key(c.name.split(",")[0]), c.alpha_2)  # "Taiwan, Province of China" -> Taiwan
    return out


def country_key(text: str) -> str:
    return " ".join(t for t in re.split(r"[^\w]+", fold(text)) if t and t != "_")


_MADE_IN = re.compile(r"^(?:made|manufactured|produced|product|designed|built|origin)(?: (?:in|of))? (?:the )?")


class CountryExtractor:
    """Country of production: the US (and its territories) is domestic, any other recognised country
    foreign; "assembled in USA" is only partly domestic; a value that names no country says nothing."""

    def __init__(self, kb: KnowledgeBase) -> None:
        raw = kb.raw
        self.domestic = {country_key(d) for d in raw.domestic_countries}
        self.unknown = {country_key(u) for u in raw.unknown_countries}
        self.assembled = [" ".join(m) for m in raw.assembled_markers]
        self.aliases = {country_key(name): code for name, code in raw.country_aliases.items()}

    def origin(self, value: str) -> tuple[str, str] | None:
        """(domestic | assembled-domestic | foreign, how it was read), or None for no country."""
        key = country_key(value)
        if key in self.unknown:
            return None
        for marker in self.assembled:
            if key.startswith(marker + " "):
                rest = key[len(marker) + 1 :].removeprefix("the ")
                found = self.origin(rest)
                if found and found[0] == DOMESTIC:
                    return ASSEMBLED, f"assembled in {rest}"
                return found
        if key in self.domestic:
            return DOMESTIC, "the United States"
        bare = _MADE_IN.sub("", key)
        if bare != key:
            return self.origin(bare)
        code = self.aliases.get(key) or iso_countries().get(key)
        if code is None and " " not in key and "/" not in value:
            return None
        if code is None:  # "China / Vietnam", "CN, TW": every part a country, any of them foreign
            parts = [p for p in re.split(r"\s*(?:/|,|;|\band\b|&|\+)\s*", value) if p.strip()]
            if len(parts) < 2:
                return None
            read = [self.origin(p) for p in parts]
            if any(r is None for r in read):
                return None
            foreign = [p for p, r in zip(parts, read) if r and r[0] == FOREIGN]
            return (FOREIGN, " / ".join(foreign)) if foreign else (DOMESTIC, "the United States")
        if code in ("US", "PR", "GU", "VI", "AS", "MP", "UM"):
            return DOMESTIC, "the United States"
        return FOREIGN, code

    def extract(self, values: Sequence[str], field: str) -> list[EvidenceTuple]:
        out: list[EvidenceTuple] = []
        for value in values:
            found = self.origin(value)
            if found is None:
                note = None if country_key(value) in self.unknown else "not a country covscan recognises; the record is treated as giving no country"
                out.append(() if note is None else (Evidence("origin", field, value, rule="origin.unrecognised", note=note,
                                                             source="ISO 3166 (pycountry); categories.yaml"),))
                continue
            origin, how = found
            out.append((Evidence("origin", field, value, matched=origin, rule=f"origin.{origin}", note=how,
                                 source="ISO 3166 (pycountry); categories.yaml domestic_countries"),))
        return out
