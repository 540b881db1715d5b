"""Matching one party against the lists: blocking, then a score built from explained features.

Blocking: every word of every listed name (and every run of two or three short words joined, so
"Hai Kang" meets "Haikang") is indexed, with its one-letter deletions and its form without doubled
letters, so a party meets only the names that share a word with it, allowing a typo. The weight of
the words each name shares is summed in numpy, an upper bound of its score drops the names that
cannot reach REVIEW, and only the best few are scored.

Scoring (each part is a feature in the output, with the words behind it; docs/parties.md has the figures):
- `name`: words aligned one to one regardless of order, each pair scored by an edit-distance
  similarity whose tolerance grows with word length; each word weighs by how rare it is across the
  lists (Technology, Trading, International count little). How much of the listed name is found
  counts more than how much of the party's name is explained, so "Huawei Technologies Co., Ltd.
  Beijing Branch" still matches "Huawei Technologies"; a one-word name must be most of the party's.
- `alias`: set when the best name is one of the entry's aliases.
- `country`: the party's country among the entry's countries corroborates; another contradicts, mildly.
- `address`: distinctive words of the party's address found in the entry's addresses confirm a
  partial name.
- `identifier`: a registration, tax or other number the entry lists decides.
- `date_of_birth`: the party's among the entry's corroborates; a listed person born in another
  year is most likely another person.
- `kind`: a name written with a legal form (a company) against a listed individual lowers the score.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pycountry
from rapidfuzz.distance import OSA

from covscan.lists.births import birth_agreement
from covscan.lists.model import ListEntry
from covscan.parties.names import NameForm, NameRules

# Thresholds, calibrated on the development set (tests/data/parties/dev): a score at or above
# MATCH is a match, at or above REVIEW a match to review.
MATCH = 0.88
REVIEW = 0.75
CANDIDATES = 10  # names fully scored per party, best first by the weight of the words they share
MERGE_MAX = 10  # words this short may be written joined or apart ("haikang weishi" / "haikangweishi")
NAME_OF_ENTRY = 0.65  # the share of the name score that comes from the listed name being found
COUNTRY_CORROBORATES = 0.03
COUNTRY_CONTRADICTS = 0.05
ADDRESS_CONFIRMS = 0.15  # times the share of the party's address words found in the listing's addresses
BIRTH_AGREES = 0.05  # times 1 for the same date, 0.5 for the same year
BIRTH_DIFFERS = 0.2  # a listed person born in another year is most likely another person
PLACE_WEIGHT = 0.1  # a party's word that repeats its own city or country ("Moscow Office")
MOST_ADDED = 0.23  # the most a country, an address and a date of birth add to a name's score (see _judge)
_ID_CHARS = re.compile(r"[^0-9A-Za-z]")


@dataclass(frozen=True, slots=True)
class Party:
    """What a row says about a party."""

    name: str
    address: str = ""
    city: str = ""
    country: str = ""  # ISO alpha-2 where it could be read, else as written
    identifiers: tuple[str, ...] = ()
    birth: str = ""  # date of birth, ISO (covscan.lists.births)


@dataclass(slots=True)
class PartyMatch:
    """One list entry a party matched, with the score and the features it was built from."""

    entry: ListEntry
    score: float
    matched_name: str
    features: dict[str, float]
    reasons: list[str] = field(default_factory=list)

    @property
    def explanation(self) -> str:
        return "; ".join(self.reasons)


def allowed_edits(length: int) -> int:
    """Typos forgiven in a word of this length: none up to three letters, one up to eight, two
    beyond. A typo in a word of four or five letters counts for little (SHORT_TYPO), so it can
    complete a longer name (Zadan Mustafa) but never make one on its own (Aztech is not Aztec)."""
    return 0 if length <= 3 else 1 if length <= 8 else 2


SHORT_TYPO = 0.6  # the similarity of a four- or five-letter word with one typo


DOUBLED_LETTERS = 0.9  # Hajji / Haji, Mohammed / Mohamed, Hassan / Hasan: one transliteration, two spellings


@lru_cache(maxsize=1 << 18)
def word_similarity(a: str, b: str) -> float:
    """1 for the same word; for a typo within the allowance, the edit-distance similarity; 0.9 for
    words that differ only by doubled letters; else 0."""
    if a == b:
        return 1.0
    if abs(len(a) - len(b)) > 2:
        return 0.0
    if a[0] == b[0] and len(a) > 3 and len(b) > 3 and _squeezed(a) == _squeezed(b):
        return DOUBLED_LETTERS
    shortest = min(len(a), len(b))
    if shortest <= 3:
        return 0.0
    distance = OSA.distance(a, b, score_cutoff=allowed_edits(shortest))
    if distance > allowed_edits(shortest):
        return 0.0
    if shortest <= 5:
        return SHORT_TYPO
    return 1.0 - distance / max(len(a), len(b))


_DOUBLED = re.compile(r"(.)\1+")


@lru_cache(maxsize=1 << 16)
def _squeezed(word: str) -> str:
    return _DOUBLED.sub(r"\1", word)


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _spans(tokens: Sequence[str]) -> list[tuple[str, int, int]]:
    """Each word as (text, start, end), plus runs of two or three adjacent short words joined."""
    out = [(t, i, i + 1) for i, t in enumerate(tokens)]
    for size in (2, 3):
        for i in range(len(tokens) - size + 1):
            run = tokens[i:i + size]
            if all(len(t) <= MERGE_MAX and t.isalpha() for t in run):
                out.append(("".join(run), i, i + size))
    return out


@dataclass(slots=True)
class _Words:
    """A name's words ready to align: each word and joined run with its weight, and the total weight."""

    spans: list[tuple[str, int, int, float]]
    total: float
    size: int


@dataclass(slots=True)
class _Name:
    entry: int
    text: str
    form: NameForm
    alias: bool
    source: str = ""  # where a name the list does not give comes from (party_cjk_names.yaml)
    words: _Words | None = None


class ListIndex:
    """The names of a set of list entries, indexed for blocking, with word weights from their frequency."""

    def __init__(self, entries: Sequence[ListEntry], rules: NameRules) -> None:
        self.entries = list(entries)
        self.rules = rules
        self.names: list[_Name] = []
        forms: dict[str, list[NameForm]] = {}  # the same name often stands in several lists (the CSL repeats the SDN)
        seen: set[tuple[int, tuple[str, ...]]] = set()
        for e, entry in enumerate(self.entries):
            known: list[tuple[str, str]] = []
            for n, text in enumerate(entry.names):
                if not text.strip():
                    continue
                for form in forms.get(text) or forms.setdefault(text, rules.forms(text)):
                    if (e, form.tokens) not in seen:
                        seen.add((e, form.tokens))
                        self.names.append(_Name(e, text, form, n > 0))
                        known += rules.known_names.get(form.tokens, ())
            for text, why in dict.fromkeys(known):  # its Chinese names, which the list does not give
                for form in rules.forms(text):
                    if (e, form.tokens) not in seen:
                        seen.add((e, form.tokens))
                        self.names.append(_Name(e, text, form, True, why))
        frequency = Counter(word for name in self.names for word in set(name.form.tokens))
        total = max(len(self.names), 1)
        self.unseen_weight = math.log(total + 1)
        self.weights = {w: math.log((total + 1) / (f + 0.5)) for w, f in frequency.items()}
        for weak in rules.weak:
            if weak in self.weights:
                self.weights[weak] *= 0.2
        postings: dict[str, list[int]] = defaultdict(list)
        for i, name in enumerate(self.names):
            name.words = self.words(name.form.tokens)
            for text, _, _, _ in name.words.spans:
                postings[text].append(i)
        self.postings = {word: np.array(ids, dtype=np.int32) for word, ids in postings.items()}
        self.exact: dict[tuple[str, ...], list[int]] = defaultdict(list)  # the same words: scored first, whatever their weight
        for i, name in enumerate(self.names):
            self.exact[name.form.tokens].append(i)
        self.exact = dict(self.exact)
        self.totals = np.array([name.words.total for name in self.names], dtype=np.float64)
        # Typos are looked up word by word: a one-letter deletion -> the listed words it comes from,
        # and a word without its doubled letters -> the listed words.
        self.near: dict[str, list[str]] = defaultdict(list)
        self.squeezed: dict[str, list[str]] = defaultdict(list)
        for word in frequency:
            if len(word) > 3:
                for d in _deletions(word):
                    self.near[d].append(word)
            if len(word) > 3:
                self.squeezed[_squeezed(word)].append(word)
        self.near = dict(self.near)
        self.squeezed = dict(self.squeezed)
        self.identifier_index: dict[str, list[int]] = defaultdict(list)  # a listed number, letters and digits only
        for e, entry in enumerate(self.entries):
            for ident in entry.identifiers:
                value = _ID_CHARS.sub("", ident.value).upper()
                if len(value) >= 6:
                    self.identifier_index[value].append(e)
        self.identifier_index = dict(self.identifier_index)
        self._address_cache: dict[int, frozenset[str]] = {}

    def weight(self, word: str) -> float:
        return self.weights.get(word, self.unseen_weight)

    def words(self, tokens: tuple[str, ...], places: frozenset[str] = frozenset()) -> _Words:
        """The words with their weights; a party's words that repeat its own city or country ("Moscow
        Office", "Beijing Branch") say where it is, not who, and weigh a tenth."""
        weights = [self.weight(t) * (PLACE_WEIGHT if t in places else 1.0) for t in tokens]
        spans = [(text, start, end, sum(weights[start:end])) for text, start, end in _spans(tokens)]
        return _Words(spans, sum(weights) or 1.0, len(tokens))

    # ------------------------------------------------------------------ blocking

    def _close_words(self, word: str) -> list[tuple[str, float]]:
        """Indexed words equal to `word` or within its typo allowance, with their similarity."""
        out = [(word, 1.0)] if word in self.postings else []
        seen = {word}
        if len(word) > 3:
            for other in self.squeezed.get(_squeezed(word), ()):
                if other not in seen:
                    seen.add(other)
                    out.append((other, DOUBLED_LETTERS))
        if len(word) > 3:
            for key in (word, *_deletions(word)):
                for other in self.near.get(key, ()):
                    if other not in seen:
                        seen.add(other)
                        similarity = word_similarity(word, other)
                        if similarity:
                            out.append((other, similarity))
            for d in _deletions(word):  # the party's word has one letter more than an indexed word
                if d in self.postings and d not in seen:
                    seen.add(d)
                    similarity = word_similarity(word, d)
                    if similarity:
                        out.append((d, similarity))
        return out

    def candidates(self, query: _Words) -> list[int]:
        """The names sharing enough weight of words with the query to reach REVIEW (with the most a
        country and address could add), best first, at most CANDIDATES. Vectorised: a word found
        in thousands of names (Trading, Technology) costs one array, not a Python loop."""
        arrays: list[np.ndarray] = []
        weights: list[float] = []
        for text, _, _, weight in query.spans:
            for word, similarity in self._close_words(text):
                arrays.append(self.postings[word])
                weights.append(weight * similarity)
        if not arrays:
            return []
        ids = np.concatenate(arrays)
        names, at = np.unique(ids, return_inverse=True)
        shared = np.bincount(at, weights=np.repeat(weights, [len(a) for a in arrays]))
        bound = (NAME_OF_ENTRY * np.minimum(1.0, shared / self.totals[names])
                 + (1 - NAME_OF_ENTRY) * np.minimum(1.0, shared / query.total))
        kept = np.flatnonzero(bound >= REVIEW - MOST_ADDED)
        if len(kept) > CANDIDATES:
            kept = kept[np.argpartition(-shared[kept], CANDIDATES - 1)[:CANDIDATES]]
        return names[kept[np.argsort(-shared[kept], kind="stable")]].tolist()

    # ------------------------------------------------------------------ scoring

    def name_score(self, query: _Words, listed: _Words) -> tuple[float, list[tuple[str, str, float]]]:
        """How well two names agree, 0..1, and the word pairs that agree (party word, listed word, similarity)."""
        pairs: list[tuple[float, int, int, int, int, str, str, float, float]] = []
        for qt, qs, qe, qw in query.spans:
            for ct, cs, ce, cw in listed.spans:
                if qe - qs > 1 and ce - cs > 1:
                    continue  # two joined runs say nothing a word-by-word alignment does not
                similarity = 1.0 if qt == ct else word_similarity(qt, ct)
                if similarity:
                    pairs.append((similarity, qs, qe, cs, ce, qt, ct, qw, cw))
        pairs.sort(key=lambda p: (p[0], p[2] - p[1] + p[4] - p[3]), reverse=True)
        used_q = [False] * query.size
        used_c = [False] * listed.size
        found_q = found_c = 0.0
        aligned: list[tuple[str, str, float]] = []
        for similarity, qs, qe, cs, ce, qt, ct, qw, cw in pairs:
            if any(used_q[qs:qe]) or any(used_c[cs:ce]):
                continue
            used_q[qs:qe] = [True] * (qe - qs)
            used_c[cs:ce] = [True] * (ce - cs)
            found_q += similarity * qw
            found_c += similarity * cw
            aligned.append((qt, ct, similarity))
        found_c, found_q = found_c / listed.total, found_q / query.total
        if listed.size == 1:  # a one-word name or alias (SUNRISE, YUSUF) must be most of the party's name
            return found_c * found_q, aligned
        return NAME_OF_ENTRY * found_c + (1 - NAME_OF_ENTRY) * found_q, aligned

    def match(self, party: Party, limit: int = 3) -> list[PartyMatch]:
        """The entries the party matches at or above REVIEW, best first (at most `limit`)."""
        places = _address_words(f"{party.city} {country_names(party.country)}")
        address = _address_words(f"{party.address} {party.city}")
        identifiers = {v for i in party.identifiers if (v := _ID_CHARS.sub("", i).upper())}
        scored = []
        for form in self.rules.forms(party.name):
            query = _Query(party, form, self.words(form.tokens, places), address, identifiers)
            exact = self.exact.get(form.tokens, [])
            for i in [*exact, *(i for i in self.candidates(query.words) if i not in exact)] if form.tokens else ():
                score, aligned = self.name_score(query.words, self.names[i].words)
                if score >= REVIEW - MOST_ADDED:
                    scored.append((score, i, aligned, query))
        scored.sort(key=lambda s: s[0], reverse=True)
        best: dict[int, PartyMatch] = {}
        for score, i, aligned, query in scored:
            if len(best) >= limit and score + MOST_ADDED < min(m.score for m in best.values()):
                break  # nothing further down can displace what is kept
            name = self.names[i]
            found = self._judge(query, name, score, aligned)
            if found is not None and (name.entry not in best or found.score > best[name.entry].score):
                best[name.entry] = found
        for entry in {e for v in identifiers if len(v) >= 6 for e in self.identifier_index.get(v, ())}:
            if entry not in best:
                best[entry] = self._identified(party, entry)
        return sorted(best.values(), key=lambda m: m.score, reverse=True)[:limit]

    def _judge(self, query: _Query, name: _Name, score: float, aligned: list[tuple[str, str, float]]) -> PartyMatch | None:
        """The name score with the other features applied; None below REVIEW (the explanation is
        written only for what is kept)."""
        entry = self.entries[name.entry]
        party = query.party
        features = {"name": round(score, 3)}
        if name.alias:
            features["alias"] = 1.0
        country = None if not entry.countries or len(party.country) != 2 else float(party.country in entry.countries)
        if country is not None:
            features["country"] = country
            # Lists give some addresses, not all (a bank's branches abroad): a mild contradiction.
            score += COUNTRY_CORROBORATES if country else -COUNTRY_CONTRADICTS
        address = None
        if query.address and entry.addresses:
            found = len(query.address & self._listed_address(name.entry))
            address = found / len(query.address)
            features["address"] = round(address, 3)
            if address >= 0.5 and found >= 2 and score >= REVIEW - MOST_ADDED:
                score += ADDRESS_CONFIRMS * address
        birth = birth_agreement(party.birth, entry.births)
        if birth is not None:
            features["date_of_birth"] = birth
            score += BIRTH_AGREES * birth if birth else -BIRTH_DIFFERS
        person = entry.kind == "individual" and query.form.organisation
        if person:
            features["kind"] = 0.0
            score -= 0.15
        identified = bool(query.identifiers) and any(_ID_CHARS.sub("", i.value).upper() in query.identifiers for i in entry.identifiers)
        if identified:
            features["identifier"] = 1.0
            score = max(score, 0.99)
        score = round(min(max(score, 0.0), 1.0), 3)
        if score < REVIEW:
            return None
        words = ", ".join(f"{a}={b}" if a == b else f"{a}~{b} ({s:.2f})" for a, b, s in aligned)
        reasons = [f"name {party.name!r} ~ {'alias' if name.alias else 'listed name'} {name.text!r}: {features['name']:.2f} (words {words or 'none'})"
                   + (f", a name the list does not give, from {name.source}" if name.source else "")]
        if country is not None:
            reasons.append(f"country {party.country} is the listing's" if country else
                           f"country {party.country} is not the listing's ({', '.join(entry.countries)})")
        if address is not None and address >= 0.5 and len(query.address & self._listed_address(name.entry)) >= 2 and features["name"] >= REVIEW - MOST_ADDED:
            reasons.append(f"address words found in the listing's address ({address:.2f})")
        if birth is not None:
            reasons.append(f"date of birth {party.birth} " + ("is the listing's" if birth == 1 else "has the listing's year" if birth else
                                                             f"is none of the listing's ({', '.join(entry.births)})"))
        if person:
            reasons.append("the party is written as a company, the listing is an individual")
        if identified:
            reasons.append("an identifier the listing gives is the party's")
        return PartyMatch(entry, score, name.text, features, reasons)

    def _listed_address(self, e: int) -> frozenset[str]:
        words = self._address_cache.get(e)
        if words is None:
            entry = self.entries[e]
            words = self._address_cache[e] = _address_words(" ".join(f"{a.text} {a.city}" for a in entry.addresses))
        return words

    def _identified(self, party: Party, e: int) -> PartyMatch:
        entry = self.entries[e]
        return PartyMatch(entry, 0.99, entry.name, {"name": 0.0, "identifier": 1.0},
                          [f"an identifier the listing gives is the party's; the names differ ({party.name!r} / {entry.name!r})"])


_NON_WORD = re.compile(r"[^\w]+")


# Words of nearly every address: they confirm nothing.
_ADDRESS_WORDS = frozenset("no street st road rd avenue ave lane building bldg floor fl room rm suite unit district "
                           "city province village town block house office tower plaza park the of and".split())


def _address_words(text: str) -> frozenset[str]:
    return frozenset(_NON_WORD.split(text.casefold())) - {""} - _ADDRESS_WORDS


@lru_cache(maxsize=512)
def country_names(code: str) -> str:
    """A country's names as words (CN: "china people s republic of china"), for PLACE_WEIGHT."""
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    if country is None:
        return ""
    return " ".join(filter(None, (country.name, getattr(country, "common_name", ""), getattr(country, "official_name", ""))))


@dataclass(slots=True)
class _Query:
    """A party prepared once for all its candidates."""

    party: Party
    form: NameForm
    words: _Words
    address: frozenset[str]
    identifiers: set[str]
