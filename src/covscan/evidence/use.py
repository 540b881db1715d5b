"""The stated use of a record ("intended use" column), which resolves use-limited entries."""
from __future__ import annotations

from collections.abc import Sequence

from covscan.evidence.base import EvidenceTuple
from covscan.kb import KnowledgeBase
from covscan.model import Evidence, Use
from covscan.normalize import tokens

# Words that name each use; the first use whose words appear wins, the covered uses before "other".
USE_WORDS: dict[Use, tuple[str, ...]] = {
    Use.PUBLIC_SAFETY: ("public safety", "police", "fire", "ems", "911", "emergency", "law enforcement", "first responder"),
    Use.GOVERNMENT_FACILITY: ("government facility", "government", "federal", "courthouse", "military base"),
    Use.CRITICAL_INFRASTRUCTURE: ("critical infrastructure", "utility", "power plant", "substation", "water treatment", "pipeline", "grid", "dam", "airport", "port", "rail"),
    Use.NATIONAL_SECURITY: ("national security", "defense", "defence", "military", "intelligence"),
    Use.OTHER: ("other", "commercial", "retail", "office", "home", "residential", "consumer", "business", "private", "warehouse", "none"),
}


def parse_use(text: str) -> Use | None:
    toks = tokens(text.replace("-", " "))
    for use, words in USE_WORDS.items():
        if text.strip().lower() == use.value:
            return use
        for w in words:
            wt = tuple(w.split())
            if any(toks[i : i + len(wt)] == wt for i in range(len(toks) - len(wt) + 1)):
                return use
    return None


class UseExtractor:
    def __init__(self, kb: KnowledgeBase) -> None:
        pass

    def extract(self, values: Sequence[str], field: str) -> list[EvidenceTuple]:
        out: list[EvidenceTuple] = []
        for value in values:
            use = parse_use(value)
            if use is None:
                out.append((Evidence("use", field, value, note="stated use not recognised; use one of " + ", ".join(u.value for u in Use)),) if value.strip() else ())
            else:
                out.append((Evidence("use", field, value, matched=use.value, rule=f"use.{use.value}"),))
        return out
