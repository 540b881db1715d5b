"""Free text (descriptions, listing titles, notes): names, model numbers, FCC ID labels and
product categories, each weighed as free text rather than as a dedicated field.

Names and category terms depend only on a text's words, and only on some of them: the words of
names, terms and negations ("compatible with") as written, every other word only as generic or
not. So ASCII texts are reduced, column-wide in polars, to that *word key* ("axis communications ~x
vision wifi 6 router ~g ~g ~x new"); the Python matchers read one text per distinct key and the
others take its evidence with their own value. Two hundred thousand listing titles make a few
tens of thousands of keys.
"""
from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from covscan.evidence.base import EvidenceTuple
from covscan.evidence.fcc_id import FccIdExtractor
from covscan.evidence.models import ModelMatcher
from covscan.evidence.names import NOT_THE_MAKER_AFTER, NOT_THE_MAKER_BEFORE, NameExtractor
from covscan.evidence.origin import CategoryMatcher
from covscan.normalize import GENERIC_WORDS, LEGAL_FORMS

GENERIC, OTHER = "~g", "~x"  # word-key stand-ins for other words (never a word: words are [a-z0-9]+)


class DescriptionExtractor:
    def __init__(self, names: NameExtractor, models: ModelMatcher, fcc: FccIdExtractor, categories: CategoryMatcher) -> None:
        self.names, self.models, self.fcc, self.categories = names, models, fcc, categories
        self.first_words = sorted(names.matcher.first_words | categories.first_words)
        kb = names.kb
        self.key_words = sorted(
            {t for a in kb.aliases for t in a.tokens} | {t for term in categories.terms for t in term.tokens}
            | NOT_THE_MAKER_BEFORE | NOT_THE_MAKER_AFTER
        )

    def extract(self, values: Sequence[str], field: str) -> list[EvidenceTuple]:
        model_hits = self.models.match(values, in_text=True)
        by_key: dict[str, tuple[EvidenceTuple, EvidenceTuple]] = {}
        out: list[EvidenceTuple] = []
        for value, hits, key in zip(values, model_hits, self._word_keys(values)):
            if key is None and not hits:
                out.append(())
                continue
            if key and key in by_key:
                names, categories = (tuple(e.observed_as(value) for e in shared) for shared in by_key[key])
            else:
                names, categories = self._words(value, field)
                if key:
                    by_key[key] = names, categories
            found = [*names, *(self.models.evidence(p, field, value, text, in_text=True) for p, text in hits)]
            found += self.fcc.in_text(value, field)
            found += categories
            out.append(tuple(found))
        return out

    def _words(self, value: str, field: str) -> tuple[EvidenceTuple, EvidenceTuple]:
        """Evidence from the names and the category terms in a text."""
        names = tuple(self.names.evidence(m, field, value, free_text=True) for m in self.names.matcher.match(value, free_text=True))
        return names, self.categories.evidence(value, field)

    def _word_keys(self, values: Sequence[str]) -> list[str | None]:
        """Per value, decided for the whole column at once: None when it cannot hold a name, a
        category term or an FCC ID label (ASCII text none of whose words begins one, and no "fcc");
        "" for text the matchers must read as it is (anything non-ASCII: full-width letters, CJK
        names); otherwise its word key, the words normalize.tokens gives, each kept when a name,
        term or negation uses it, else GENERIC or OTHER as normalize.is_generic says."""
        word = pl.element()
        text = pl.Series(values, dtype=pl.String)
        lower = text.str.to_lowercase()
        words = lower.str.extract_all(r"[a-z0-9]+")
        ascii_text = text.str.contains(r"^[\x00-\x7f]*$")
        candidate = lower.str.contains("fcc", literal=True) | words.list.eval(word.is_in(self.first_words)).list.any()
        keys = words.list.eval(word.filter(~word.is_in(sorted(LEGAL_FORMS)))).list.eval(
            pl.when(word.is_in(self.key_words)).then(word)
            .when(word.is_in(sorted(GENERIC_WORDS)) | word.str.contains(r"\d")).then(pl.lit(GENERIC))
            .otherwise(pl.lit(OTHER))
        ).list.join(" ")
        return pl.select(pl.when(~ascii_text).then(pl.lit("")).when(candidate).then(keys)).to_series().to_list()
