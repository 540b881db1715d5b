"""Party names in one comparable form, whatever script and conventions they were written in.

"HUAWEI TECHNOLOGIES CO.,LTD.", "Huawei Technologies Company Limited" and 华为技术有限公司 all become the
words ("huawei", "technology") with the legal form set aside; "ООО Ромашка" becomes ("romashka",)
with the legal form "ooo". The rules are data (kb/data/party_names.yaml): legal forms per
jurisdiction, words a master file adds ("Beijing Branch"), the English of Chinese company-name
words, and the Cyrillic romanisation the OFAC lists use. Chinese characters outside those words are
read as pinyin (pypinyin, with readings in context), one word per run of characters.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from covscan.kb.loader import KBError

DATA_FILE = Path(__file__).resolve().parents[1] / "kb" / "data" / "party_names.yaml"
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_DOTTED = re.compile(r"\b(?:\w\.){2,}(?:\w\b)?")  # S.A., L.L.C., Z.T.E (the dots go, the letters stay)
_APOSTROPHE = re.compile(r"(?<=\w)['’`?](?=\w)")  # O'Brien; the BIS lists write "?" for an apostrophe
_NON_WORD = re.compile(r"[^\w]+|_")


@dataclass(frozen=True, slots=True)
class NameForm:
    """A name ready to compare: its words in order, the legal forms and scripts it was written with."""

    tokens: tuple[str, ...]
    legal: tuple[str, ...] = ()
    scripts: frozenset[str] = frozenset()

    @property
    def joined(self) -> str:
        return "".join(self.tokens)

    @property
    def organisation(self) -> bool:
        """Written with a legal form, so a company rather than a person."""
        return bool(self.legal)


class NameRules:
    """The rules of party_names.yaml, compiled once."""

    def __init__(self, data: dict[str, Any]) -> None:
        forms = data["legal_forms"]
        self.edge_only = {tuple(f.split()) for f in forms.get("edge_only", ())}
        legal = {tuple(str(f).split()) for group, items in forms.items() for f in items}
        self._legal = _by_first_word(legal)
        self._qualifiers = _by_first_word({tuple(str(q).split()) for q in data["qualifiers"]})
        self.weak = frozenset(data["weak_words"])
        self.english = {str(k): str(v) for k, v in data["english_forms"].items()}
        self._cjk: dict[str, tuple[str, tuple[str, ...]]] = {}
        for word in data["cjk_legal_forms"]:
            self._cjk[word] = ("legal", (word,))
        for word in data["cjk_qualifiers"]:
            self._cjk[word] = ("qualifier", ())
        for word, english in data["cjk_terms"].items():
            self._cjk[str(word)] = ("term", tuple(english))
        self._cjk_longest = max(map(len, self._cjk), default=1)
        self._cyrillic = str.maketrans({k: v for k, v in data["cyrillic"].items()})

    def form(self, text: str) -> NameForm:
        """The comparable form of one name (see the module docstring)."""
        text = unicodedata.normalize("NFKC", text).casefold()
        scripts: set[str] = set()
        legal: list[str] = []
        if _HAN.search(text):
            scripts.add("han")
            text = _HAN.sub(lambda m: " " + " ".join(self._han_words(m.group(), legal)) + " ", text)
        if _CYRILLIC.search(text):
            scripts.add("cyrillic")
            text = text.translate(self._cyrillic)
        text = _APOSTROPHE.sub("", text)
        text = _DOTTED.sub(lambda m: m.group().replace(".", ""), text)
        text = _strip_marks(text.replace("&", " and "))
        words = [w for w in _NON_WORD.split(text) if w]
        kept = self._without_forms(words, legal)
        tokens = tuple(self.english.get(w, w) for w in kept if w not in self.weak)
        return NameForm(tokens or tuple(words), tuple(legal), frozenset(scripts))

    def _han_words(self, run: str, legal: list[str]) -> list[str]:
        """A run of Chinese characters as words: known words by their English (longest first at each
        place), legal forms set aside, the characters between them as one pinyin word each."""
        out: list[str] = []
        pending = ""
        i = 0
        while i < len(run):
            for size in range(min(self._cjk_longest, len(run) - i), 0, -1):
                found = self._cjk.get(run[i:i + size])
                if found:
                    break
            else:
                pending += run[i]
                i += 1
                continue
            if pending:
                out.append(pinyin(pending))
                pending = ""
            kind, words = found
            if kind == "legal":
                legal.extend(words)
            elif kind == "term":
                out.extend(words)
            i += size
        if pending:
            out.append(pinyin(pending))
        return out

    def _without_forms(self, words: list[str], legal: list[str]) -> list[str]:
        """The words less legal forms and qualifiers (each a word sequence); a form that is an
        ordinary word elsewhere counts only first or last."""
        kept: list[str] = []
        i = 0
        while i < len(words):
            hit = _sequence_at(words, i, self._qualifiers)
            if hit:
                i += len(hit)
                continue
            hit = _sequence_at(words, i, self._legal)
            if hit and (hit not in self.edge_only or i == 0 or i + len(hit) == len(words)):
                legal.append(" ".join(hit))
                i += len(hit)
                continue
            kept.append(words[i])
            i += 1
        return kept


def _by_first_word(sequences: set[tuple[str, ...]]) -> dict[str, list[tuple[str, ...]]]:
    """Word sequences indexed by their first word, longest first."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for seq in sorted(sequences, key=len, reverse=True):
        out.setdefault(seq[0], []).append(seq)
    return out


def _sequence_at(words: list[str], i: int, table: dict[str, list[tuple[str, ...]]]) -> tuple[str, ...] | None:
    for seq in table.get(words[i], ()):
        if tuple(words[i:i + len(seq)]) == seq:
            return seq
    return None


def _strip_marks(text: str) -> str:
    """Accents off (é -> e, ü -> u), letters of every script kept."""
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@lru_cache(maxsize=65536)
def pinyin(han: str) -> str:
    """Chinese characters as pinyin without tones, syllables run together (华为 -> huawei); pypinyin
    is imported on the first Chinese name only (its phrase dictionary takes a third of a second)."""
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(han, style=Style.NORMAL, errors="ignore"))


@lru_cache(maxsize=1)
def load_name_rules(path: Path = DATA_FILE) -> NameRules:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return NameRules(data)
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
        raise KBError(f"{path.name}: {exc}") from None
