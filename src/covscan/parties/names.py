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
CJK_NAMES_FILE = DATA_FILE.with_name("party_cjk_names.yaml")
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
    def organisation(self) -> bool:
        """Written with a legal form, so a company rather than a person."""
        return bool(self.legal)


class NameRules:
    """The rules of party_names.yaml, compiled once."""

    def __init__(self, data: dict[str, Any]) -> None:
        forms = data["legal_forms"]
        self.edge_only = {tuple(str(f).split()) for group in ("edge_only", "vessels") for f in forms.get(group, ())}
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
        self._russian = _by_first_word({tuple(str(k).split()) for k in data.get("cyrillic_terms", {})})
        self._russian_words = {tuple(str(k).split()): tuple(v) for k, v in data.get("cyrillic_terms", {}).items()}
        # The words of a listed name -> other names it is known by, each with where that comes from.
        self.known_names: dict[tuple[str, ...], list[tuple[str, str]]] = {}

    def add_known_names(self, data: dict[str, Any], source: str) -> None:
        """Other names of listed parties (party_cjk_names.yaml), by the words of the listed name."""
        why = f"{source}: {data['source']} ({data['confidence']})"
        for item in data["names"]:
            self.known_names.setdefault(self.form(item["listed"]).tokens, []).extend((str(n), why) for n in item["cjk"])

    def forms(self, text: str) -> list[NameForm]:
        """The name's comparable forms: one, or for a name in Chinese characters two, its known words
        in English (华为技术 -> huawei technology) and all in pinyin (中兴通讯 -> zhongxing tongxun),
        as a master file may write either."""
        first = self.form(text)
        if "han" in first.scripts:
            second = self.form(text, translate=False)
        elif "cyrillic" in first.scripts:
            legal = list(first.legal)
            second = NameForm(tuple(self._without_forms(list(self._translated(first.tokens)), legal)) or first.tokens, tuple(legal), first.scripts)
        else:
            return [first]
        return [first] if second.tokens == first.tokens else [first, second]

    def _translated(self, tokens: tuple[str, ...]) -> tuple[str, ...]:
        """Romanised Russian words in English where the table knows them."""
        out: list[str] = []
        i = 0
        while i < len(tokens):
            hit = _sequence_at(list(tokens), i, self._russian)
            if hit:
                out.extend(self._russian_words[hit])
                i += len(hit)
            else:
                out.append(tokens[i])
                i += 1
        return tuple(out)

    def form(self, text: str, translate: bool = True) -> NameForm:
        """The comparable form of one name (see the module docstring)."""
        text = unicodedata.normalize("NFKC", text).casefold()
        scripts: set[str] = set()
        legal: list[str] = []
        if _HAN.search(text):
            scripts.add("han")
            text = _HAN.sub(lambda m: " " + " ".join(self._han_words(m.group(), legal, translate)) + " ", text)
        if _CYRILLIC.search(text):
            scripts.add("cyrillic")
            text = text.translate(self._cyrillic)
        text = _APOSTROPHE.sub("", text)
        text = _DOTTED.sub(lambda m: m.group().replace(".", ""), text)
        text = _strip_marks(text.replace("&", " and "))
        words = [w for w in _NON_WORD.split(text) if w]
        kept = self._without_forms(words, legal)
        tokens = tuple(self.english.get(w, w) for w in kept)  # weak words stay, weighing little (ListIndex)
        return NameForm(tokens or tuple(words), tuple(legal), frozenset(scripts))

    def _han_words(self, run: str, legal: list[str], translate: bool = True) -> list[str]:
        """A run of Chinese characters as words: known words by their English (longest first at each
        place; by their pinyin unless `translate`), legal forms set aside, the characters between
        them as one pinyin word each."""
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
                out.extend(words if translate else [pinyin(run[i:i + size])])
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
def load_name_rules(path: Path = DATA_FILE, cjk_path: Path = CJK_NAMES_FILE) -> NameRules:
    for file in (path, cjk_path):
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
            if file == path:
                rules = NameRules(data)
            else:
                rules.add_known_names(data, file.name)
        except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
            raise KBError(f"{file.name}: {exc}") from None
    return rules
