"""FCC IDs: the grantee code names the applicant (47 CFR 2.926).

A grantee hit is strong evidence; a miss is not evidence of anything, because a white-label
product is certified under its brand owner's code. "Contains FCC ID: ..." labels name a module
inside a host device, which FCC 25-71 treats as covered equipment inside the host.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from covscan.evidence.base import EvidenceTuple, node_evidence
from covscan.kb import KnowledgeBase
from covscan.model import Evidence
from covscan.normalize import FccId, parse_fcc_id

FCC_ID_IN_TEXT = re.compile(r"\b(contains\s+)?fcc\s*id\s*[:#.]?\s*([A-Z0-9][A-Z0-9-]{3,18})", re.IGNORECASE)
_MODULE = "a module inside the host: since FCC 25-71 (effective 2025-12-26) a host containing a covered module cannot be newly authorized"


class FccIdExtractor:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    def extract(self, values: Sequence[str], field: str) -> list[EvidenceTuple]:
        out: list[EvidenceTuple] = []
        for value in values:
            module = value.strip().lower().startswith("contains")
            parsed = parse_fcc_id(value)
            if isinstance(parsed, str):
                out.append((Evidence("fcc_id", field, value, note=f"not an FCC ID: {parsed}"),) if value.strip() else ())
            else:
                out.append(self.evidence(parsed, field, value, module))
        return out

    def evidence(self, fcc: FccId, field: str, value: str, module: bool) -> EvidenceTuple:
        grantee = self.kb.grantees.get(fcc.grantee)
        if grantee is None:
            return ()
        note = _MODULE if module else grantee.note or None
        if grantee.confidence in ("low", "unverified"):
            note = f"grantee code {fcc.grantee} is {grantee.confidence}-confidence: {grantee.note or 'verify it in FCC GranteeSearch'}"
        return (node_evidence(
            self.kb, signal="fcc_id", field=field, value=str(fcc), node=grantee.node,
            fact_confidence=grantee.confidence, factor=self.kb.signal("fcc-module" if module else "fcc-id"),
            matched=f"grantee code {fcc.grantee} = {grantee.label}",
            rule="fcc_id.module" if module else "fcc_id.grantee", source=grantee.source, note=note,
        ),)

    def in_text(self, text: str, field: str) -> EvidenceTuple:
        """FCC IDs written out in free text ("FCC ID: QISVOG-L29", "Contains FCC ID: SRQ-MF296C")."""
        found: list[Evidence] = []
        for m in FCC_ID_IN_TEXT.finditer(text):
            parsed = parse_fcc_id(m.group(2))
            if isinstance(parsed, FccId):
                found += self.evidence(parsed, field, text, module=bool(m.group(1)))
        return tuple(found)
