"""Network observations: banners, headers, certificates, discovery replies.

Each service value is read three ways: the knowledge base's fingerprint rules for its signal kind
(e.g. `Server: DNVRS-Webs`, `realm="cpe@zte.com"`), the company and brand names it mentions
(with the same trap handling as vendor fields), and model numbers inside it. Structured values
are taken apart first: ONVIF scopes name a manufacturer and hardware, SADP and DHIP replies carry
a model, a vendor and a MAC, UPnP descriptions a manufacturer and a model.
"""
from __future__ import annotations

import json
import re
from dataclasses import replace
from collections.abc import Callable, Sequence
from urllib.parse import unquote

from covscan.evidence.base import EvidenceTuple, node_evidence
from covscan.evidence.mac import MacExtractor
from covscan.evidence.models import ModelMatcher
from covscan.evidence.names import NameExtractor
from covscan.evidence.registries import PenExtractor
from covscan.kb import KnowledgeBase
from covscan.model import Evidence
from covscan.observations import split_parts

_SCOPE = re.compile(r"onvif://www\.onvif\.org/(name|hardware|mfr|manufacturer|model|type|location)/(\S+)", re.I)
# Keys of SADP / DHIP replies that carry a model number, a maker's name or a MAC.
MODEL_KEYS = ("model", "devicetype", "device_type", "devicedescription", "description", "devicemodel", "hardware")
VENDOR_KEYS = ("vendor", "manufacturer", "brand", "oem")
MAC_KEYS = ("mac", "macaddress", "mac_address")


class ObservationExtractor:
    """One extractor per observation field; `kind` is the signal kind (http_server, onvif_scopes, ...)."""

    def __init__(self, kb: KnowledgeBase, kind: str, names: NameExtractor, models: ModelMatcher, macs: MacExtractor, pens: PenExtractor) -> None:
        self.kb, self.kind = kb, kind
        self.names, self.models, self.macs, self.pens = names, models, macs, pens
        self.rules = kb.fingerprints.get(kind, [])
        handlers: dict[str, Callable[[str, str], list[Evidence]]] = {
            "onvif_scopes": self._onvif, "sadp": self._discovery_reply, "dhip": self._discovery_reply,
            "upnp_manufacturer": self._name, "upnp_model": self._model, "snmp_sysobjectid": self._pen,
            "favicon_md5": self._rules_only, "favicon_mmh3": self._rules_only,
        }
        self.handler = handlers.get(kind, self._text)

    def extract(self, values: Sequence[str], field: str) -> list[EvidenceTuple]:
        cache: dict[tuple[str, str], list[Evidence]] = {}
        out: list[EvidenceTuple] = []
        for value in values:
            found: list[Evidence] = []
            for where, text in split_parts(value):
                label = f"{self.kind} {where}" if where else field
                if (label, text) not in cache:
                    # Whatever matched inside it (a name, a model, a MAC), the signal is what was observed.
                    cache[(label, text)] = [replace(e, signal=self.kind) for e in self.handler(text, label)]
                found += cache[(label, text)]
            out.append(tuple(found))
        return out

    # ------------------------------------------------------------------ handlers

    def _fingerprints(self, text: str, field: str) -> list[Evidence]:
        return [
            node_evidence(
                self.kb, signal=self.kind, field=field, value=text, node=rule.node, fact_confidence=rule.confidence,
                factor=1.0, matched=f"fingerprint {rule.key} ({rule.pattern.pattern if rule.pattern else ''})",
                rule=f"fingerprint.{rule.key}", source=rule.source, note=rule.note or None,
            )
            for rule in self.rules if rule.pattern and rule.pattern.search(text)
        ]

    def _rules_only(self, text: str, field: str) -> list[Evidence]:
        return self._fingerprints(text.strip().lower(), field)

    def _text(self, text: str, field: str) -> list[Evidence]:
        """A curated rule is the more specific reading of a text ("Dahua Rtsp Server" is Dahua
        firmware, which OEM cameras run too), so names are only read where no rule matched."""
        found = self._fingerprints(text, field)
        if not found:
            found += [self.names.evidence(m, field, text, free_text=True) for m in self.names.matcher.match(text, free_text=True)]
        found += [self.models.evidence(p, field, text, t, in_text=True) for p, t in self.models.match([text], in_text=True)[0]]
        return found

    def _name(self, text: str, field: str) -> list[Evidence]:
        return list(self.names.extract([text], field)[0])

    def _model(self, text: str, field: str) -> list[Evidence]:
        return [self.models.evidence(p, field, text, t, in_text=False) for p, t in self.models.match([text], in_text=False)[0]]

    def _pen(self, text: str, field: str) -> list[Evidence]:
        return list(self.pens.extract([text], field)[0])

    def _onvif(self, text: str, field: str) -> list[Evidence]:
        """ONVIF WS-Discovery scopes: onvif://www.onvif.org/name/<maker or product>, /hardware/<model>."""
        found: list[Evidence] = []
        for category, raw in _SCOPE.findall(text):
            value = unquote(raw).replace("_", " ").strip()
            where = f"{field} {category.lower()}"
            if category.lower() in ("name", "mfr", "manufacturer"):
                found += self._name(value, where)
                found += self._model(value, where)
            elif category.lower() in ("hardware", "model"):
                found += self._model(value, where) or self._name(value, where)
        return found

    def _discovery_reply(self, text: str, field: str) -> list[Evidence]:
        """A parsed SADP or DHIP reply: the protocol itself, then its model, vendor and MAC fields."""
        found = self._fingerprints(text, field)
        try:
            reply = json.loads(text)
        except json.JSONDecodeError:
            return found
        if not isinstance(reply, dict):
            return found
        flat = {str(k).lower(): str(v) for k, v in reply.items() if isinstance(v, (str, int))}
        for key in MODEL_KEYS:
            if key in flat:
                found += self._model(flat[key], f"{field} {key}")
        for key in VENDOR_KEYS:
            if key in flat:
                found += self._name(flat[key], f"{field} {key}")
        for key in MAC_KEYS:
            if key in flat:
                found += [e for e in self.macs.extract([flat[key]], f"{field} {key}")[0] if e.entity or e.target]
        return found
