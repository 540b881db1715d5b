"""Free text (descriptions, listing titles, notes): names, model numbers, FCC ID labels and
product categories, each weighed as free text rather than as a dedicated field.

What a text says depends on little of it: the words of names, category terms and negations
("compatible with") as written; of every other word, only how far it sets those apart and whether
it is generic; and the model numbers and FCC IDs in it. ASCII texts are reduced to that *evidence
key*, the words column-wide in polars ("AXIS COMMUNICATIONS Night Vision WiFi 6 Router R891,
2-Pack - New" is "~~|axis communications ~ vision wifi 6 router ~ ~ ~ new"), and texts with one
key have the same evidence, each naming itself. A quarter of a million listing titles make about
four thousand keys, so the Python matchers read one text per key.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import polars as pl

from covscan.evidence.base import EvidenceTuple, collect_in_parts
from covscan.evidence.fcc_id import FCC_ID_IN_TEXT, FccIdExtractor
from covscan.evidence.models import ModelMatcher
from covscan.evidence.names import (ABOUT_THE_MAKER, ACCESSORY_AT_END, NOT_THE_MAKER_AFTER, NOT_THE_MAKER_BEFORE, WITH_WORDS,
                                    NameExtractor, not_the_product)
from covscan.evidence.origin import CategoryMatcher
from covscan.kb.loader import Identifier
from covscan.normalize import GENERIC_WORDS, LEGAL_FORMS, tokens

GENERIC, OTHER = "~", "~~"  # word-key stand-ins for other words (words are [a-z0-9]+)
NOTHING_TO_NAME = "-"  # the word key of text with no word that begins a name or term
# Marks written before a word in a word key (see DescriptionExtractor.__init__); never in the final key.
CATEGORY_GENERIC, CATEGORY_OTHER, UNLESS_GENERIC, UNLESS_OTHER, TERM, EXCEPTION = (chr(c) for c in range(1, 7))
MARKS = CATEGORY_GENERIC + CATEGORY_OTHER + UNLESS_GENERIC + UNLESS_OTHER + TERM + EXCEPTION
ModelHits = list[tuple[Identifier, str]]


# A word key in which a word that negates a maker stands ("for", "compatible", a book...).
NEGATION_MARK = re.compile(r"\b(?:" + "|".join(sorted(NOT_THE_MAKER_BEFORE | NOT_THE_MAKER_AFTER | ABOUT_THE_MAKER | ACCESSORY_AT_END)) + r")\b")


def _after_negation(toks: tuple[str, ...], model_text: str) -> bool:
    """A model number within three words after "for", "compatible", "replaces"... names what an
    accessory fits ("Junction box for Hikvision DS-2CD2143G2-I"), not the thing sold."""
    first = tokens(model_text)[:1]
    starts = [i for i, t in enumerate(toks) if first and t == first[0]]
    return any(NOT_THE_MAKER_BEFORE.intersection(toks[max(0, i - 3) : i]) for i in starts)


class DescriptionExtractor:
    def __init__(self, names: NameExtractor, models: ModelMatcher, fcc: FccIdExtractor, categories: CategoryMatcher) -> None:
        self.names, self.models, self.fcc, self.categories = names, models, fcc, categories
        self.first_words = sorted(names.matcher.first_words | categories.first_words)
        name_words = ({t for aliases in names.matcher.in_text.values() for a in aliases for t in a.tokens}
                      | NOT_THE_MAKER_BEFORE | NOT_THE_MAKER_AFTER | ABOUT_THE_MAKER | ACCESSORY_AT_END | WITH_WORDS)
        self.key_words = sorted(name_words | categories.vocabulary)
        self._pattern_index = {id(p): i for i, (p, _) in enumerate(models.patterns)}
        # Each word as its word key writes it: itself, GENERIC, or nothing for a legal form (normalize.tokens).
        # The words that only qualify a category term (accessories, components, homonyms, exceptions)
        # matter only in texts with a word that begins a term, and the words that rule an exception out
        # ("camera" for a toy drone) only where a word that brings it in ("toy") stands; elsewhere
        # keeping them would split texts that share evidence into many keys. So such words are written
        # with a mark in front (as are the words that begin a term or an exception), and a text that
        # lacks the mark they depend on gets them as the other words they then are (GENERIC or OTHER).
        category_only = categories.vocabulary - name_words
        unless_only = categories.exception_unless - name_words - (categories.vocabulary - categories.exception_unless)

        def written(w: str) -> str:
            generic = w in GENERIC_WORDS or any(c.isdigit() for c in w)
            mark = (UNLESS_GENERIC if generic else UNLESS_OTHER) if w in unless_only else (
                (CATEGORY_GENERIC if generic else CATEGORY_OTHER) if w in category_only else "")
            return mark + (TERM if w in categories.first_words else "") + (EXCEPTION if w in categories.exception_when else "") + w

        word_map = dict.fromkeys(GENERIC_WORDS, GENERIC) | {w: written(w) for w in self.key_words} | dict.fromkeys(LEGAL_FORMS)
        self._word_map_from, self._word_map_to = list(word_map), list(word_map.values())
        # Whether a text holds a word (a run of [a-z0-9], as normalize.tokens splits) that begins a name or term.
        self._any_first_word = "(?:^|[^a-z0-9])(?:" + "|".join(map(re.escape, self.first_words)) + ")(?:[^a-z0-9]|$)"
        # Literal rewrites of the marked words (each followed by the space the key is padded with):
        # Aho-Corasick in one pass, where a regex per mark took several.
        marked = {written(w): w for w in category_only}
        self._as_other = {
            kind: ([f"{m} " for m, w in marked.items() if w in words], [f"{GENERIC if m[0] in (CATEGORY_GENERIC, UNLESS_GENERIC) else OTHER} "
                                                                        for m, w in marked.items() if w in words])
            for kind, words in (("no term", category_only), ("no exception", unless_only))
        }

    def extract(self, values: Sequence[str], field: str) -> list[EvidenceTuple]:
        column = pl.Series(values, dtype=pl.String)
        model_hits, (words, with_fcc) = self.models.hits(column, in_text=True), self._word_keys(column)
        may_name = (words != NOTHING_TO_NAME).fill_null(True).to_list()
        by_key: dict[str, tuple[str, EvidenceTuple]] = {}
        out: list[EvidenceTuple] = []
        for i, (value, key) in enumerate(zip(values, self._keys(column, model_hits, words, with_fcc).to_list())):
            if key is not None and key in by_key:
                read, evidence = by_key[key]
                out.append(tuple(e.observed_as(value) if e.value == read else e for e in evidence))
                continue
            evidence = self._read(value, field, model_hits.get(i, []), may_name[i])
            if key is not None:
                by_key[key] = value, evidence
            out.append(evidence)
        return out

    def evidence_keys(self, values: pl.Series) -> pl.Series:
        """Per value, what its evidence depends on besides the value itself: values with one key
        have the same evidence, each naming itself. Null for a value to be read on its own."""
        return self._keys(values, self.models.hits(values, in_text=True), *self._word_keys(values))

    def _read(self, value: str, field: str, hits: ModelHits, may_name: bool) -> EvidenceTuple:
        """One text's evidence: names, model numbers, FCC IDs, category terms. `may_name` is False
        when the column-wide check found no word that begins a name or term, and no "fcc"."""
        if not (may_name or hits):
            return ()
        names = self.names.matcher.match(value, free_text=True) if may_name else []
        toks = tokens(value)
        about = not_the_product(toks)  # a book about a company, a case for its phone
        found = [self.names.evidence(m, field, value, free_text=True, about=about) for m in names]
        categories = self.categories.evidence(value, field) if may_name else ()
        of_category = {e.target for e in categories}
        found += [self.models.evidence(p, field, value, text, in_text=True, negated=about or _after_negation(toks, text))
                  for p, text in hits if not p.corroborate or self.models.kb.category_naming(p.node) in of_category]
        if may_name:
            found += self.fcc.in_text(value, field)
            found += categories
        return tuple(found)

    def _keys(self, values: pl.Series, model_hits: dict[int, ModelHits], words: pl.Series, with_fcc: list[int]) -> pl.Series:
        """Evidence keys: the word key (see _word_keys) alone, or, for the few texts with model
        numbers or FCC IDs, the word key with those (written as a tuple, which no word key looks like)."""
        special = sorted(model_hits.keys() | set(with_fcc))
        keys = []
        for i, word, value in zip(special, words.gather(special).to_list(), values.gather(special).to_list()):
            if word is None:
                keys.append(None)
                continue
            # Whether each model number is negated ("mount for DS-2CD...", a book) depends on where it
            # stands, which the word key does not say: so the key says it.
            toks = tokens(value) if NEGATION_MARK.search(value.casefold()) else ()
            about = not_the_product(toks)
            models = tuple((self._pattern_index[id(p)], text, text.strip() == value.strip(), about or _after_negation(toks, text))
                           for p, text in model_hits.get(i, ()))
            fcc = tuple((bool(m.group(1)), m.group(2)) for m in FCC_ID_IN_TEXT.finditer(value)) if word != NOTHING_TO_NAME else ()
            keys.append(repr((word, models, fcc)))
        return words.scatter(special, pl.Series(keys, dtype=pl.String)) if special else words

    def _word_keys(self, text: pl.Series) -> tuple[pl.Series, list[int]]:
        """Per value, decided for the whole column at once: null for text the matchers must read
        as it is (anything non-ASCII: full-width letters, CJK names); NOTHING_TO_NAME for ASCII text
        that cannot hold a name, a category term or an FCC ID label (none of its words begins one,
        and no "fcc"); otherwise its word key, the words normalize.tokens gives, each kept when a
        name, term or negation uses it, else GENERIC, at most three in a row, with an OTHER mark in
        front when any is not generic (normalize.is_generic). Also the positions of the values that
        mention "fcc"."""
        keyed = collect_in_parts(text.to_frame("text"), self._word_key_plan)
        return keyed["key"], keyed["fcc"].arg_true().to_list()

    def _word_key_plan(self, texts: pl.LazyFrame) -> pl.LazyFrame:
        word, text, words, keys = pl.element(), pl.col("text"), pl.col("words"), pl.col("keys")
        lower = text.str.to_lowercase()

        texts = texts.with_columns(
            fcc=lower.str.contains("fcc", literal=True),
            candidate=lower.str.contains(self._any_first_word),
            ascii=text.str.len_bytes() == text.str.len_chars(),  # UTF-8: one byte per character
        ).with_columns(candidate=pl.col("fcc") | pl.col("candidate"))
        # Only candidates get a word key: in a distributor's part list nine texts in ten hold no word that
        # begins a name or term, and splitting them into words cost most of the time.
        texts = texts.with_columns(
            words=pl.when(pl.col("candidate")).then(lower).str.extract_all(r"[a-z0-9]+").list.eval(word.replace_strict(
                self._word_map_from, self._word_map_to, return_dtype=pl.String,
                # a word with a digit (words are [a-z0-9]+; an exact search, a third faster than the Unicode \d)
                default=pl.when(word.str.contains_any(list("0123456789"))).then(pl.lit(GENERIC)).otherwise(pl.lit(OTHER)),
            ).drop_nulls()),
        ).with_columns(keys=words.list.join(" "))

        padded = keys + " "
        keys = (pl.when(~keys.str.contains(TERM, literal=True)).then(padded.str.replace_many(*self._as_other["no term"]))
                .when(~keys.str.contains(EXCEPTION, literal=True)).then(padded.str.replace_many(*self._as_other["no exception"]))
                .otherwise(padded).str.replace_many(list(MARKS), [""] * len(MARKS)).str.strip_chars_end(" "))
        # Of other words, what matters is how far apart they set the words kept (up to three: the
        # negation window) and whether any is not generic (a `standalone` name needs the rest generic).
        spaced = keys.str.replace_all(OTHER, GENERIC, literal=True).str.replace_all(r"~(?: ~){3,}", "~ ~ ~")
        marked = pl.when(keys.str.contains(OTHER, literal=True)).then(OTHER + "|" + spaced).otherwise(spaced)
        return texts.select(
            key=pl.when(pl.col("ascii")).then(pl.when(pl.col("candidate")).then(marked).otherwise(pl.lit(NOTHING_TO_NAME))),
            fcc=pl.col("fcc") & pl.col("ascii"),
        )
