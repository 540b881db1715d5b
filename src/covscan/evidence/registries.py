"""Registry numbers: SNMP sysObjectID enterprise numbers (IANA PEN) and USB/PCI vendor IDs."""
from __future__ import annotations

import re
from collections.abc import Sequence

from covscan.evidence.base import EvidenceTuple, node_evidence
from covscan.kb import KnowledgeBase
from covscan.kb.loader import Identifier
from covscan.model import Evidence

_PEN = re.compile(r"^\.?(?:(?:iso|1)\.(?:org|3)\.(?:dod|6)\.(?:internet|1)\.(?:private|4)\.(?:enterprises|1)|enterprises)\.(\d+)|^(\d+)$", re.I)
_PCI = re.compile(r"(?:pci\\)?ven_([0-9a-f]{4})", re.I)
_USB = re.compile(r"^(?:usb\\)?(?:vid_|0x)?([0-9a-f]{4})(?:[:&_]|$)", re.I)


def _registry_evidence(kb: KnowledgeBase, ident: Identifier, signal: str, field: str, value: str, what: str) -> Evidence:
    return node_evidence(
        kb, signal=signal, field=field, value=value, node=ident.node, fact_confidence=ident.confidence,
        factor=kb.signal(signal), matched=f"{what} {ident.key} = {ident.label}", rule=f"{signal}.{ident.key}",
        source=ident.source,
    )


class PenExtractor:
    """sysObjectID 1.3.6.1.4.1.<PEN>.… (or a bare enterprise number)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    def extract(self, values: Sequence[str], field: str) -> list[EvidenceTuple]:
        out: list[EvidenceTuple] = []
        for value in values:
            m = _PEN.match(value.strip())
            ident = self.kb.pens.get(str(int(m.group(1) or m.group(2)))) if m else None
            out.append((_registry_evidence(self.kb, ident, "pen", field, value, "IANA enterprise number"),) if ident else ())
        return out


class UsbExtractor:
    """USB "12d1:1506" / "VID_12D1&PID_1506" or PCI "PCI\\VEN_19E5&DEV_…" vendor IDs."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    def extract(self, values: Sequence[str], field: str) -> list[EvidenceTuple]:
        out: list[EvidenceTuple] = []
        for value in values:
            text = value.strip()
            pci = _PCI.search(text)
            usb = None if pci else _USB.match(text)
            key = f"pci:{pci.group(1).lower()}" if pci else f"usb:{usb.group(1).lower()}" if usb else None
            ident = self.kb.usb.get(key) if key else None
            out.append((_registry_evidence(self.kb, ident, "usb", field, value, "vendor ID"),) if ident else ())
        return out
