"""Model and part numbers matched against the knowledge base's model-number patterns.

Each pattern runs once over all distinct values as a vectorised polars regex. A value is tried
whole first; failing that, its words are tried one by one, but only against patterns specific
enough to stand alone (a bare "F660" or "E3372" inside free text proves nothing). Names of several
words ("Mavic 3 Pro", "Avata 2") are found as phrases in free text: those of the specific patterns,
and those of a maker that a category entry names (DJI's "Mini 4 Pro"), which count only where the
text is of that category (DescriptionExtractor).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
import re

import numpy as np
import polars as pl

from covscan.evidence.base import EvidenceTuple, node_evidence
from covscan.kb import KnowledgeBase
from covscan.kb.loader import Identifier
from covscan.model import Evidence

WORD_SEPARATORS = r"[ ,;()\[\]\"']"  # a value with one of these may hold a model number as one of its words


class ModelMatcher:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.patterns = [(p, f"(?i)^(?:{ascii_classes(p.pattern.pattern)})$") for p in kb.models if p.pattern]
        self.specific = [(p, rx) for p, rx in self.patterns if not p.corroborate]
        self.phrases = [(p, rx, rf"(?i)\b(?:{unanchored(ascii_classes(p.pattern.pattern))})\b")
                        for p, rx in self.patterns if _names_phrases(p) and (not p.corroborate or kb.category_naming(p.node))]
        # One pass of all specific patterns together sets aside the words none of them can match,
        # and, unanchored, the texts in which none can match a word (nearly all listing titles).
        self._any_specific = "(?i)^(?:" + "|".join(f"(?:{ascii_classes(p.pattern.pattern)})" for p, _ in self.specific) + ")$"
        # And all patterns together set aside the whole values none can match (most part numbers), so
        # each pattern runs only over the few that one of them does.
        self._any_whole = "(?i)^(?:" + "|".join(f"(?:{ascii_classes(p.pattern.pattern)})" for p, _ in self.patterns) + ")$"
        self._anywhere = "(?i)" + "|".join(f"(?:{unanchored(ascii_classes(p.pattern.pattern))})" for p, _ in self.specific)
        self._any_phrase = "(?i)" + "|".join(inside.removeprefix("(?i)") for _, _, inside in self.phrases)
        # The names of ordinary words count only in a text of the maker's category, so only texts with a
        # word that begins one of its terms are searched for them (a literal search, before any regex).
        by_category = [(p, inside) for p, _, inside in self.phrases if p.corroborate]
        self._category_phrase = "(?i)" + "|".join(inside.removeprefix("(?i)") for _, inside in by_category)
        self._category_words = sorted({t.tokens[0] for t in kb.raw.categories if t.category in {kb.category_naming(p.node) for p, _ in by_category}})

    def match(self, values: Sequence[str], in_text: bool) -> list[list[tuple[Identifier, str]]]:
        """For each value, the (pattern, matched text) pairs."""
        found = self.hits(values, in_text)
        return [found.get(i, []) for i in range(len(values))]

    def hits(self, values: Sequence[str], in_text: bool) -> dict[int, list[tuple[Identifier, str]]]:
        """The (pattern, matched text) pairs of the values that have any, by position: a column of
        a million listing titles has hits in a few of them."""
        out: dict[int, list[tuple[Identifier, str]]] = defaultdict(list)
        if not len(values):
            return out
        whole = pl.DataFrame({"i": range(len(values)), "v": pl.Series(values, dtype=pl.String).str.strip_chars()})
        if not in_text:
            for i, v, which in _each_match(whole.filter(pl.col("v").str.contains(self._any_whole)), self.patterns):
                out[i].append((self.patterns[which][0], v))
        pending = whole.filter(~pl.col("i").is_in(list(out))) if out else whole
        phrased = pending.clear()
        if in_text:
            of_category = (pending.filter(pl.col("v").str.contains_any(self._category_words, ascii_case_insensitive=True))
                           .filter(pl.col("v").str.contains(self._category_phrase)) if self._category_words else phrased)
            pending = pending.filter(pl.col("v").str.contains(self._anywhere))
            phrased = self._with_phrases(pl.concat([pending, of_category]).unique("i", maintain_order=True))
        else:  # a value of one word without the characters stripped from words was tried whole above
            pending = pending.filter(pl.col("v").str.contains(WORD_SEPARATORS))
        words = (
            pending.with_columns(pl.col("v").str.split(" "))
            .explode("v")
            .with_columns(pl.col("v").str.strip_chars(",;()[]\"'"))
            .filter(pl.col("v").str.len_chars() >= 4)
            .filter(pl.col("v").str.contains(self._any_specific))
        )
        for i, v, which in _each_match(words.unique(maintain_order=True), self.specific):
            pattern = self.specific[which][0]
            if all(p.key != pattern.key for p, _ in out[i]):
                out[i].append((pattern, v))
        if in_text:
            for i, v, pattern in self._phrase_hits(phrased):
                if all(p.key != pattern.key for p, _ in out[i]):
                    out[i].append((pattern, v))
        return dict(out)

    def _with_phrases(self, texts: pl.DataFrame) -> pl.DataFrame:
        """The texts with a phrase of several words none of whose words a specific pattern matches
        alone (those are found word by word: "Hikvision DS-2CD2143G2-I")."""
        spans = (texts.select("i", pl.col("v").str.extract_all(self._any_phrase)).explode("v")
                 .filter(pl.col("v").str.contains(r"\s"))
                 .filter(~pl.col("v").str.split(" ").list.eval(pl.element().str.contains(self._any_specific)).list.any()))
        return texts.filter(pl.col("i").is_in(spans["i"].implode()))

    def _phrase_hits(self, texts: pl.DataFrame) -> list[tuple[int, str, Identifier]]:
        """(i, phrase, pattern) for each name of several words that a phrase pattern matches whole
        inside a text (the texts are the few in which some phrase of several words stands)."""
        if not texts.height:
            return []
        found = pl.concat([
            texts.lazy().select("i", pl.col("v").str.extract_all(inside), pl.lit(n).alias("n")).explode("v")
            .filter(pl.col("v").str.contains(r"\s") & pl.col("v").str.contains(rx)).unique(maintain_order=True)
            for n, (_, rx, inside) in enumerate(self.phrases)
        ]).collect()
        return [(i, v, self.phrases[n][0]) for i, v, n in found.iter_rows()]

    def evidence(self, pattern: Identifier, field: str, value: str, matched_text: str, in_text: bool,
                 negated: bool = False) -> Evidence:
        whole = matched_text.strip() == value.strip()
        factor = 0.0 if negated else self.kb.signal("model" if whole and not in_text else "model-in-text")
        return node_evidence(
            self.kb, signal="model", field=field, value=value, node=pattern.node,
            fact_confidence=pattern.confidence, factor=factor,
            matched=f"{pattern.label} ({pattern.key})" + ("" if whole else f": {matched_text}"),
            rule=f"model.{pattern.key}", source=pattern.source, corroborate=pattern.corroborate,
            note="named as what an accessory fits, or as a subject, not as the item sold" if negated else (pattern.note or None),
        )


def _each_match(frame: pl.DataFrame, patterns: list[tuple[Identifier, str]]) -> list[tuple[int, str, int]]:
    """(i, v, pattern index) for every pattern that matches each row of (i, v), in pattern order:
    all patterns in one select (one pass of polars' threads, not one query per pattern)."""
    if not frame.height:
        return []
    flags = frame.select([pl.col("v").str.contains(rx).alias(str(n)) for n, (_, rx) in enumerate(patterns)]).to_numpy()
    rows, which = flags.nonzero()
    ids, texts = frame["i"].to_list(), frame["v"].to_list()
    return sorted(((ids[r], texts[r], int(w)) for r, w in zip(rows, which)), key=lambda t: t[2])


def _names_phrases(pattern: Identifier) -> bool:
    """Whether a pattern's examples include a name of several words that no word of it matches
    alone ("Mavic 3 Pro", not "Hikvision DS-2CD2143G2-I"): such names are looked for as phrases."""
    rx = re.compile(pattern.pattern.pattern, re.IGNORECASE) if pattern.pattern else None
    return rx is not None and any(len(words := example.split()) > 1 and not any(rx.fullmatch(w) for w in words)
                                  for example in pattern.example.split(";"))


def ascii_classes(pattern: str) -> str:
    """\\w and \\d as their ASCII classes: model numbers are ASCII, and the Unicode classes make
    the regex engine's automaton so large that one pass over all patterns together took 20x longer
    than over each alone (0.9 s against 0.04 s for 250,000 part numbers). A class inside a class is
    a union in the regex syntax polars uses."""
    return pattern.replace(r"\w", "[0-9A-Za-z_]").replace(r"\d", "[0-9]")


def unanchored(pattern: str) -> str:
    """A regex without its anchors (^, $, \\A, \\Z, \\z outside character classes): it matches wherever the
    original matches a whole word, and more, so a text it does not match holds no such word."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            if pattern[i + 1 : i + 2] not in ("A", "Z", "z") or in_class:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            start = i + 1 + (pattern[i + 1 : i + 2] == "^")
            start += pattern[start : start + 1] == "]"  # a ] first in a class is literal
            out.append(pattern[i:start])
            i = start
            continue
        elif c in "^$":
            i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


class ModelExtractor:
    """Model-number fields. Also a KeyedExtractor: a distributor's part numbers hardly repeat, but the
    evidence of one depends only on which patterns it matches and, for a word inside it, which word."""

    def __init__(self, kb: KnowledgeBase, matcher: ModelMatcher) -> None:
        self.matcher = matcher
        self._pattern_index = {id(p): i for i, (p, _) in enumerate(matcher.patterns)}

    def evidence_keys(self, values: pl.Series) -> pl.Series:
        """"" for a value that matches no pattern; else which patterns it matches whole (a bit per
        pattern, column-wide: a part list has ten thousand such values in a batch), or, for a value
        of several words with no whole match, which patterns match which word (as hits() finds them)."""
        keys = pl.repeat("", len(values), dtype=pl.String, eager=True)
        stripped = values.str.strip_chars()
        whole = stripped.str.contains(self.matcher._any_whole).fill_null(False)
        if whole.any():
            at = whole.arg_true()
            flags = stripped.gather(at).to_frame("v").select(
                pl.col("v").str.contains(rx).alias(str(n)) for n, (_, rx) in enumerate(self.matcher.patterns)).to_numpy()
            keys = keys.scatter(at, pl.Series([row.tobytes().hex() for row in np.packbits(flags, axis=1)], dtype=pl.String))
        words = (~whole & stripped.str.contains(WORD_SEPARATORS)).fill_null(False)
        if words.any():
            at = words.arg_true()
            hits = self.matcher.hits(values.gather(at), in_text=False)
            found = [repr(tuple((self._pattern_index[id(p)], t) for p, t in hits[i])) if i in hits else "" for i in range(len(at))]
            keys = keys.scatter(at, pl.Series(found, dtype=pl.String))
        return keys

    def extract(self, values: Sequence[str], field: str) -> list[EvidenceTuple]:
        out: list[EvidenceTuple] = [()] * len(values)  # most part numbers match nothing: no Python work for them
        for i, hits in self.matcher.hits(values, in_text=False).items():
            out[i] = tuple(self.matcher.evidence(p, field, values[i], text, in_text=False) for p, text in hits)
        return out
