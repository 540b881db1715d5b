"""Company, brand, software and service-provider names.

Three stages, each run only on what the previous one left: exact alias lookup of the whole
normalised value, alias search on word boundaries inside longer names (longest match wins, so
"Shanghai Dahua Scale Factory" is that trap and never Dahua), then fuzzy matching of single
distinctive words with rapidfuzz for typos ("Hikvison"). Short or common names (`standalone`
aliases such as "Dahua" or "Lorex") count only when they are all that the value says.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from covscan.evidence.base import EvidenceTuple, node_evidence
from covscan.kb import KnowledgeBase
from covscan.kb.loader import Alias
from covscan.model import Evidence
from covscan.normalize import cjk_core, fold, is_generic, tokens

# Words before a name that say the record is not made by that company ("adapter for Hikvision").
NOT_THE_MAKER_BEFORE = frozenset(
    "for compatible replaces replacement replacing replace works alternative vs versus not non unlike instead "
    "fits fit supports support without".split()
)
NOT_THE_MAKER_AFTER = frozenset("compatible compatibility alternative replacement style clone lookalike".split())
# A listing that ends with one of these ("Huawei P40 Pro case") sells an accessory for the named
# product, not the product; "... with case" does not count.
ACCESSORY_AT_END = frozenset("case cases cover covers protector skin skins holster strap straps band bands sleeve pouch film".split())
WITH_WORDS = frozenset("with w and plus including includes incl bundle".split())
# Words in free text that make a company the subject, not the maker ("The Huawei Story, paperback").
ABOUT_THE_MAKER = frozenset(
    "about book books paperback hardcover ebook kindle novel biography memoir audiobook dvd poster tshirt shirt "
    "mug sticker stickers magazine".split()
)
FUZZY_MIN_LENGTH = 5
SHORT_NAME = 3  # a standalone name this short ("HW") counts only as a whole value, never in free text  # five-letter names ("dahua") only forgive a swap of two letters


@dataclass(frozen=True, slots=True)
class NameMatch:
    alias: Alias
    start: int
    end: int
    kind: str  # exact | in-longer | standalone-in-text | fuzzy
    negated: bool = False


class NameMatcher:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.by_first: dict[str, list[Alias]] = {}
        self.exact: dict[tuple[str, ...], list[Alias]] = {}
        self.cjk: list[Alias] = [a for a in kb.aliases if len(a.cjk) >= 2]
        # Free text is searched only for the names it can hold (not "Hik Vision", not "HW").
        self.in_text: dict[str, list[Alias]] = {}
        for alias in kb.aliases:
            if alias.tokens:
                self.by_first.setdefault(alias.tokens[0], []).append(alias)
                self.exact.setdefault(alias.tokens, []).append(alias)
                if alias.in_text and not (alias.standalone and len(alias.tokens[0]) <= SHORT_NAME):
                    self.in_text.setdefault(alias.tokens[0], []).append(alias)
        self._pinyin: dict[str, list[Alias]] | None = None  # built on first need: pypinyin takes 0.3 s to load
        other_words = {a.tokens[0] for a in kb.aliases if kb.nodes[a.node].kind == "other-vendor" and len(a.tokens) == 1}
        self.fuzzy_aliases = [
            a for a in kb.aliases
            if len(a.tokens) == 1 and len(a.tokens[0]) >= FUZZY_MIN_LENGTH and a.tokens[0].isascii()
            and kb.nodes[a.node].kind == "covered-group" and a.tokens[0] not in other_words
        ]
        self.fuzzy_words = [a.tokens[0] for a in self.fuzzy_aliases]
        self.first_words = frozenset(self.in_text)  # a name in free text starts with one of these words

    def match(self, text: str, free_text: bool = False) -> list[NameMatch]:
        toks = tokens(text)
        found: list[NameMatch] = []
        if toks and toks in self.exact and not free_text:
            found = [NameMatch(a, 0, len(toks), "exact") for a in self.exact[toks]]
        else:
            starting = self.in_text if free_text else self.by_first
            for i, tok in enumerate(toks):
                for alias in starting.get(tok, ()):
                    end = i + len(alias.tokens)
                    if toks[i:end] != alias.tokens:
                        continue
                    rest = toks[:i] + toks[end:]
                    only_generic = all(is_generic(t) for t in rest)
                    if alias.standalone and not only_generic:
                        if not free_text:
                            continue
                        # A title that starts with the brand ("Dahua 8MP bullet camera") names the maker.
                        kind = "in-longer" if i == 0 else "standalone-in-text"
                    else:
                        kind = "exact" if only_generic and not free_text else "in-longer"
                    found.append(NameMatch(alias, i, end, kind, free_text and _negated(toks, i, end)))
        if self.cjk and not text.isascii():  # CJK names cannot occur in ASCII text
            found += self._cjk(text, free_text)
        elif not found and not free_text and toks:
            if self._pinyin is None:
                self._pinyin = _pinyin_aliases(self.kb)
            found = [NameMatch(a, 0, len(toks), "exact") for a in self._pinyin.get(_without_pinyin_legal_form("".join(toks)), ())]
        return _longest(found)

    def _cjk(self, text: str, free_text: bool) -> list[NameMatch]:
        """CJK names, which have no word boundaries: inside the text, except `standalone` ones
        (大华, 中兴: ordinary words in other names), which must be the whole value's CJK core; a
        name inside a longer matched name (大华 in 大华银行) gives way to it."""
        folded, core = fold(text), cjk_core(text)
        hits = [a for a in self.cjk if (core == a.cjk and not free_text) if a.standalone] + [
            a for a in self.cjk if not a.standalone and a.cjk in folded]
        kept = [a for a in hits if not any(a.cjk != b.cjk and a.cjk in b.cjk for b in hits)]
        return [NameMatch(a, -1, -1, "exact" if core == a.cjk and not free_text else "in-longer") for a in kept]

    def fuzzy(self, texts: Sequence[str]) -> dict[str, list[NameMatch]]:
        """One-typo (two for long words) matches of distinctive single-word names, batched with rapidfuzz."""
        words = sorted({t for text in texts for t in tokens(text) if len(t) >= FUZZY_MIN_LENGTH and not is_generic(t)})
        if not words or not self.fuzzy_words:
            return {}
        distances = process.cdist(words, self.fuzzy_words, scorer=OSA.distance, score_cutoff=2, workers=-1)
        best: dict[str, Alias] = {}
        for wi, word in enumerate(words):
            for ai, alias_word in enumerate(self.fuzzy_words):
                d = int(distances[wi, ai])
                if 0 < d <= _allowed_typos(word, alias_word) and word[0] == alias_word[0] and word not in best:
                    best[word] = self.fuzzy_aliases[ai]
        out: dict[str, list[NameMatch]] = {}
        for text in texts:
            toks = tokens(text)
            hits = [
                NameMatch(best[t], i, i + 1, "fuzzy") for i, t in enumerate(toks)
                if t in best and (not best[t].standalone or all(is_generic(r) for r in toks[:i] + toks[i + 1:]))
            ]
            if hits:
                out[text] = hits
        return out


# Legal forms as pinyin, written after a name ("... Gufen Youxian Gongsi" = 股份有限公司).
_PINYIN_LEGAL = ("gufenyouxiangongsi", "youxianzerengongsi", "youxiangongsi", "gongsi", "jituan")


def _without_pinyin_legal_form(joined: str) -> str:
    for form in _PINYIN_LEGAL:
        if joined.endswith(form) and len(joined) > len(form):
            return joined[: -len(form)]
    return joined


def _pinyin_aliases(kb: KnowledgeBase) -> dict[str, list[Alias]]:
    """Each Chinese name written in pinyin, its syllables run together ("Haikang Weishi",
    "HAIKANGWEISHI" and "Hai Kang Wei Shi" all join to haikangweishi), matched as a whole name-field
    value only, one confidence level below the Chinese name it comes from (pypinyin picks a reading).
    The readings come from identifiers/pinyin.csv; a name missing there is read by pypinyin."""
    ascii_names = {"".join(a.tokens) for a in kb.aliases if a.name.isascii()}
    out: dict[str, list[Alias]] = {}
    for alias in pinyin_names(kb):
        joined = kb.raw.pinyin.get(alias.cjk) or pinyin_reading(alias.cjk)
        if joined in ascii_names or not joined.isascii():
            continue  # already an alias (华为 is Huawei), or a character pypinyin cannot read
        out.setdefault(joined, []).append(Alias(
            f"{joined} (pinyin of {alias.name})", alias.node, (joined,), "", _LOWER.get(alias.confidence, "unverified"),
            f"{alias.source}; pinyin by pypinyin", alias.standalone, in_text=False))
    return out


def pinyin_names(kb: KnowledgeBase) -> list[Alias]:
    """The aliases written in Chinese characters only, whose pinyin is matched too."""
    return [a for a in kb.aliases if a.cjk and not any(c.isascii() and c.isalpha() for c in a.name)]


def pinyin_reading(cjk: str) -> str:
    """A Chinese name's pinyin as pypinyin reads it, syllables run together, lower case ("Shenzhen",
    not "Shenzhenshi": 市 and 省 are dropped)."""
    from pypinyin import lazy_pinyin  # loads a phrase dictionary: 0.3-0.4 s

    return "".join(lazy_pinyin(cjk.replace("市", "").replace("省", ""))).casefold()


_LOWER = {"high": "medium", "medium": "low", "low": "unverified", "unverified": "unverified"}


def not_the_product(toks: tuple[str, ...]) -> bool:
    """A text about a company (a book, a T-shirt) or selling an accessory for its product: names and
    model numbers in it are not the maker of the thing sold. Looks at most three words from the end,
    which free-text evidence keys keep exactly (description.py)."""
    if ABOUT_THE_MAKER.intersection(toks):
        return True
    return bool(ACCESSORY_AT_END.intersection(toks[-2:])) and not WITH_WORDS.intersection(toks[-3:-1])


def _allowed_typos(word: str, alias_word: str) -> int:
    if len(alias_word) == FUZZY_MIN_LENGTH:
        return 1 if sorted(word) == sorted(alias_word) else 0
    return 1 if len(alias_word) < 9 else 2


def _negated(toks: tuple[str, ...], start: int, end: int) -> bool:
    before = set(toks[max(0, start - 3) : start])
    after = set(toks[end : end + 2])
    return bool(before & NOT_THE_MAKER_BEFORE or after & NOT_THE_MAKER_AFTER)


def _longest(matches: list[NameMatch]) -> list[NameMatch]:
    """Keep the longest non-overlapping matches; CJK matches (span -1) stand on their own."""
    kept: list[NameMatch] = []
    taken: set[int] = set()
    for m in sorted(matches, key=lambda m: (-(m.end - m.start), m.start)):
        span = set(range(m.start, m.end))
        if m.start >= 0 and span & taken:
            continue
        taken |= span
        if not any(k.alias.node == m.alias.node and k.start == m.start for k in kept):
            kept.append(m)
    return kept


_KIND_FACTOR = {"exact": "name", "in-longer": "name-in-longer", "fuzzy": "name-fuzzy"}


class NameExtractor:
    """Names in a vendor, manufacturer, brand, software or service-provider field."""

    def __init__(self, kb: KnowledgeBase, matcher: NameMatcher, signal: str = "name") -> None:
        self.kb, self.matcher, self.signal = kb, matcher, signal

    def extract(self, values: Sequence[str], field: str) -> list[EvidenceTuple]:
        results = [self.matcher.match(v) for v in values]
        fuzzy = self.matcher.fuzzy([v for v, r in zip(values, results) if not r])
        return [
            tuple(self.evidence(m, field, v, free_text=False) for m in (r or fuzzy.get(v, [])))
            for v, r in zip(values, results)
        ]

    def evidence(self, m: NameMatch, field: str, value: str, free_text: bool, about: bool = False) -> Evidence:
        if free_text:
            factor = self.kb.signal("description") * (0.5 if m.kind == "standalone-in-text" else 1.0)
        else:
            factor = self.kb.signal(_KIND_FACTOR[m.kind])
        factor *= self.kb.signal(self.signal) if self.signal in ("software", "service") else 1.0
        note = None
        if m.negated:
            factor, note = 0.0, "named as a compatible or replaced product, not as the maker"
        elif about:
            factor, note = 0.0, "named as the subject of a book or merchandise, or as what an accessory is for, not as the maker"
        elif m.kind == "fuzzy":
            note = f"one or two typos away from {m.alias.name!r}"
        elif m.kind == "standalone-in-text":
            note = f"{m.alias.name!r} is a common word; in free text it needs corroboration"
        return node_evidence(
            self.kb, signal=self.signal, field=field, value=value, node=m.alias.node,
            fact_confidence=m.alias.confidence, factor=factor, matched=m.alias.name,
            rule=f"{self.signal}.{m.kind}", source=m.alias.source, note=note,
        )
