"""Normalisation shared by the knowledge base and the extractors.

Aliases and observed values go through the same functions, so "HUAWEI TECHNOLOGIES CO.,LTD",
"Huawei Technologies Co., Ltd." and "ＨＵＡＷＥＩ" all meet as the tokens ("huawei", "technologies").
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import polars as pl

# Legal forms are dropped before names are compared ("Hikvision Co., Ltd." == "Hikvision").
LEGAL_FORMS = frozenset(
    "co ltd inc corp corporation company limited llc plc gmbh ag sa sas bv nv pte pvt private oy ab "
    "srl spa kg lp llp incorporated ooo ao jsc".split()
)
# Words that say nothing about who made a thing; a `standalone` alias must be all that is left
# once these (and tokens with digits, such as "4mp") are set aside.
GENERIC_WORDS = frozenset(
    "technology technologies tech electronics electronic digital group international intl usa us america "
    "americas systems system network networks communication communications security software solutions "
    "products product device devices equipment camera cameras cctv nvr dvr ip the and of brand by made "
    "ptz dome bullet turret recorder video surveillance wifi wireless router switch phone modem".split()
)
_CJK_LEGAL = re.compile(r"(股份有限公司|有限责任公司|有限公司|公司)$")
_CJK = re.compile(r"[\u3400-\u9fff]")
_NON_WORD = re.compile(r"[^\w]+|_")


def valid_text(text: str) -> str:
    """Text that can be written as UTF-8: undecodable bytes carried as surrogates (a command-line
    argument, a file name) and lone surrogates (a JSON escape) become U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape" if all(0xDC80 <= ord(c) <= 0xDCFF for c in text if 0xD800 <= ord(c) <= 0xDFFF)
                           else "surrogatepass").decode("utf-8", "replace")


def fold(text: str) -> str:
    """NFKC + case fold: full-width letters, ligatures and case differences disappear."""
    return unicodedata.normalize("NFKC", text).casefold()


@lru_cache(maxsize=1 << 16)
def tokens(text: str) -> tuple[str, ...]:
    """Word tokens of a name: punctuation is a boundary, legal forms are dropped. Cached: free text
    goes through several matchers (names, categories, typos) in turn."""
    return tuple(t for t in _NON_WORD.split(fold(text)) if t and t not in LEGAL_FORMS)


def cjk_core(text: str) -> str:
    """The CJK characters of a name without its legal form (华为技术有限公司 -> 华为技术)."""
    chars = "".join(_CJK.findall(unicodedata.normalize("NFKC", text)))
    return _CJK_LEGAL.sub("", chars)


@lru_cache(maxsize=1 << 16)
def is_generic(token: str) -> bool:
    return token in GENERIC_WORDS or any(ch.isdigit() for ch in token)


# ----------------------------------------------------------------------------- MAC addresses

# Separators written between MAC digits; whitespace around the address is stripped first.
MAC_SEPARATORS = (":", "-", ".", " ")
# A MAC in normal form: exactly 12 hex digits (upper case from mac_hex, lower case from mac_hex_expr).
MAC_HEX12 = r"^[0-9A-Fa-f]{12}$"
_HEX12 = re.compile(MAC_HEX12)


def mac_hex(value: str) -> str | None:
    """12 upper-case hex digits, the display form, from any common notation (00:11:22.., 00-11..,
    0011.2233.4455, 001122334455)."""
    digits = value.strip().upper()
    for sep in MAC_SEPARATORS:
        digits = digits.replace(sep, "")
    return digits if _HEX12.match(digits) else None


def mac_hex_expr(column: str | pl.Expr, separators: tuple[str, ...] = MAC_SEPARATORS) -> pl.Expr:
    """mac_hex for a whole column, but in lower case, the form stable ids use: separators removed,
    not yet checked for 12 digits. Literal replacements, not a regex: this runs over every MAC of an
    inventory."""
    expr = (pl.col(column) if isinstance(column, str) else column).str.strip_chars()
    for sep in separators:
        expr = expr.str.replace_all(sep, "", literal=True)
    return expr.str.to_lowercase()


def mac_columns(values: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Each MAC in mac_hex_expr's form, and as a 48-bit number (null unless exactly 12 hex digits).
    One pass lower-cases and drops every separator; only the values that do not then read as 12
    hex digits (blank or odd ones, few) are done again with surrounding whitespace stripped. A value
    that does read as 12 hex digits needs no strip: spaces are separators, and any other whitespace
    would have kept it from 12 digits."""
    hexed = values.to_frame().select(
        pl.col(values.name).str.to_lowercase().str.replace_many(list(MAC_SEPARATORS), [""] * len(MAC_SEPARATORS))
    ).to_series()
    number = _mac_number(hexed)
    redo = (number.is_null() & (hexed != "")).fill_null(False)
    if redo.any():
        full = values.filter(redo).to_frame().select(mac_hex_expr(values.name)).to_series()
        positions = redo.arg_true()
        hexed, number = hexed.scatter(positions, full), number.scatter(positions, _mac_number(full))
    return hexed, number


def _mac_number(hexed: pl.Series) -> pl.Series:
    """12 hex digits as an integer (to_integer alone would also take a sign)."""
    digits = pl.col(hexed.name)
    return hexed.to_frame().select(
        pl.when((digits.str.len_bytes() == 12) & ~digits.str.starts_with("+"))
        .then(digits.str.to_integer(base=16, strict=False).cast(pl.UInt64))
    ).to_series()


def mac_display(hex12: str) -> str:
    return ":".join(hex12[i : i + 2] for i in range(0, 12, 2))


def mac_display_expr(hexed: pl.Expr) -> pl.Expr:
    """mac_display for a column in mac_hex_expr's form (valid MACs; other values pass unchanged)."""
    return hexed.str.to_uppercase().str.replace(r"^(..)(..)(..)(..)(..)(..)$", "$1:$2:$3:$4:$5:$6")


# ----------------------------------------------------------------------------- FCC IDs

_FCC_LABEL = re.compile(r"^\s*(?:contains\s+)?fcc\s*id\s*[:#.]?\s*", re.I)
_FCC_BODY = re.compile(r"^[A-Z0-9-]+$")


@dataclass(frozen=True, slots=True)
class FccId:
    grantee: str
    product: str

    def __str__(self) -> str:
        return self.grantee + self.product


def parse_fcc_id(value: str) -> FccId | str:
    """Split an FCC ID into grantee code and product code (47 CFR 2.926), or say why it is not one.

    A letter first means a 3-character grantee code (issued before 2013-05-01); a digit 2-9 first
    means a 5-character code. The hyphen belongs to the product code: 2ADTD-5604SD = 2ADTD + -5604SD.
    """
    text = _FCC_LABEL.sub("", value).strip().upper().replace(" ", "")
    if not text or not _FCC_BODY.match(text):
        return "contains characters an FCC ID cannot have"
    first = text[0]
    if first.isalpha():
        size = 3
    elif first in "23456789":
        size = 5
    else:
        return "an FCC grantee code never starts with 0 or 1"
    grantee, product = text[:size], text[size:]
    if len(grantee) < size or not product or len(product) > 14 or "--" in product:
        return "not a grantee code followed by a 1-14 character product code"
    return FccId(grantee, product)
