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
from covscan.kb.loader import Identifier
from covscan.model import Evidence
from covscan.observations import CONTEXT_SEP, split_parts

_SCOPE = re.compile(r"onvif://www\.onvif\.org/(name|hardware|mfr|manufacturer|model|type|location)/(\S+)", re.I)
# Keys of SADP / DHIP replies that carry a model number, a maker's name or a MAC.
MODEL_KEYS = ("model", "devicetype", "device_type", "devicedescription", "description", "devicemodel", "hardware")
VENDOR_KEYS = ("vendor", "manufacturer", "brand", "oem")
MAC_KEYS = ("mac", "macaddress", "mac_address")
# Where banners of a known shape put a model number: the words before a login prompt, an
# authentication realm, the product of a `product/version` or `product Vversion` token, a short
# title or sysDescr. What stands there is read with every model pattern, the generic ones too
# (which then need corroboration: a bare "F660" before "Login:" is review, not a verdict).
_PROMPT = re.compile(r"(?:^|\s)(\S+(?:\s\S+)?)\s+(?:login|user\s?name)\s*:\s*$", re.I)
_REALM = re.compile(r"\brealm=\"?([^\",]{2,40})", re.I)
_PRODUCT = re.compile(r"^([^/\s]+(?:\s[^/\s]+)?)/\S+")
_TRAILING_VERSION = re.compile(r"^(.+?)\s+V?\d+(?:\.\d+)+\S*$")
SLOT_READERS: dict[str, tuple[str, ...]] = {
    "telnet_banner": ("prompt",), "banner": ("prompt", "product"), "ftp_banner": ("prompt",),
    "www_authenticate": ("realm",), "rtsp_server": ("realm", "product"), "http_server": ("product",),
    "sip_user_agent": ("product", "whole"), "sip_server": ("product", "whole"),
    "http_title": ("whole",), "snmp_sysdescr": ("whole",),
}
SHORT_WORDS = 3  # a title or sysDescr of at most this many words may be just a model
# When a sysDescr plainly names a vendor that is not covered, a covered vendor's enterprise number
# in the same reply keeps this share of its confidence and needs corroboration: the other vendor's
# name overrules it.
PEN_CONTRADICTED = 0.5


def model_slots(kind: str, text: str) -> list[str]:
    """The places in a banner of kind `kind` where a model number would stand, most specific first."""
    text = " ".join(text.split())
    out: list[str] = []
    for reader in SLOT_READERS.get(kind, ()):
        if reader == "prompt" and (m := _PROMPT.search(text)):
            words = m.group(1).split()
            out += [" ".join(words), words[-1]]
        elif reader == "realm" and (m := _REALM.search(text)):
            realm = m.group(1).strip()
            out += [realm] + ([realm.split()[-1]] if len(realm.split()) == 2 else [])
        elif reader == "product":
            if m := _PRODUCT.match(text):
                out += [m.group(1), m.group(1).split()[-1]]
        elif reader == "whole":
            if m := _TRAILING_VERSION.match(text):
                out.append(m.group(1))
            if len(text.split()) <= SHORT_WORDS and "/" not in text:
                out.append(text)
    return list(dict.fromkeys(s.strip(" \"'") for s in out if len(s.strip(" \"'")) >= 3))


class ObservationExtractor:
    """One extractor per observation field; `kind` is the signal kind (http_server, onvif_scopes, ...)."""

    def __init__(self, kb: KnowledgeBase, kind: str, names: NameExtractor, models: ModelMatcher, macs: MacExtractor, pens: PenExtractor) -> None:
        self.kb, self.kind = kb, kind
        self.names, self.models, self.macs, self.pens = names, models, macs, pens
        # A rule's signal may name several kinds ("telnet_banner|ssh_banner"): vendor-OS strings
        # such as VRP or ZXR10 show up in whichever banner the device offers.
        self.rules = [rule for key, rules in kb.fingerprints.items() if kind in key.split("|") for rule in rules]
        # sysObjectID values may carry the sysDescr of the same reply (see observations.flatten).
        self.sysdescr = ObservationExtractor(kb, "snmp_sysdescr", names, models, macs, pens) if kind == "snmp_sysobjectid" else None
        handlers: dict[str, Callable[[str, str], list[Evidence]]] = {
            "onvif_scopes": self._onvif, "sadp": self._discovery_reply, "dhip": self._discovery_reply,
            "upnp_manufacturer": self._name, "upnp_model": self._model, "snmp_sysobjectid": self._pen,
            "favicon_md5": self._rules_only, "favicon_mmh3": self._rules_only,
        }
        self.handler = handlers.get(kind, self._text)
        self._models: dict[str, list[tuple[Identifier, str]]] = {}  # model hits of the texts being extracted

    def extract(self, values: Sequence[str], field: str) -> list[EvidenceTuple]:
        cache: dict[tuple[str, str], list[Evidence]] = {}
        out: list[EvidenceTuple] = []
        parts = [list(split_parts(value)) for value in values]
        if self.handler == self._text:  # model numbers of every distinct text in two queries, not two per text
            self._models = self._model_hits(list(dict.fromkeys(text for found in parts for _, text in found)))
        for found_parts in parts:
            found: list[Evidence] = []
            for where, text in found_parts:
                label = f"{self.kind} {where}" if where else field
                if (label, text) not in cache:
                    # Whatever matched inside it (a name, a model, a MAC), the signal is what was observed,
                    # except that a sysDescr naming a vendor that is not covered is the device's own
                    # description of its maker: it counts against weak covered evidence like a vendor field.
                    cache[(label, text)] = [
                        e if self.kind == "snmp_sysdescr" and e.signal == "name" and e.entity is None else replace(e, signal=self.kind)
                        for e in self.handler(text, label)
                    ]
                found += cache[(label, text)]
            out.append(tuple(found))
        self._models = {}
        return out

    def _model_hits(self, texts: list[str]) -> dict[str, list[tuple[Identifier, str]]]:
        """Per text, the model numbers in it and in its model slots (SIP agents, realms: see
        model_slots), each pattern once, the text's own first."""
        found = dict(zip(texts, self.models.match(texts, in_text=True)))
        slots = [(text, slot) for text in texts for slot in model_slots(self.kind, text)]
        for (text, _), hits in zip(slots, self.models.match([slot for _, slot in slots], in_text=False)):
            for pattern, matched in hits:
                if all(pattern.key != p.key for p, _ in found[text]):
                    found[text].append((pattern, matched))
        return found

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
        models = self._models[text] if text in self._models else self._model_hits([text])[text]
        found += [self.models.evidence(p, field, text, t, in_text=True) for p, t in models]
        return found

    def _name(self, text: str, field: str) -> list[Evidence]:
        return list(self.names.extract([text], field)[0])

    def _model(self, text: str, field: str) -> list[Evidence]:
        return [self.models.evidence(p, field, text, t, in_text=False) for p, t in self.models.match([text], in_text=False)[0]]

    def _pen(self, text: str, field: str) -> list[Evidence]:
        """An enterprise number, checked against the sysDescr of the same reply when there is one:
        1.3.6.1.4.1.2011.x under "Cisco IOS Software, C2960X ..." (or H3C's Comware, which used
        Huawei's subtree in the Huawei-3Com years) is not Huawei on the number's word alone."""
        oid, _, descr = text.partition(CONTEXT_SEP)
        found = list(self.pens.extract([oid], field)[0])
        if not descr or self.sysdescr is None or not any(e.entity for e in found):
            return found
        said = self.sysdescr._text(descr, field)
        others = [e for e in said if e.entity is None and e.target and e.confidence > 0]
        if not others:
            return found
        out = []
        for e in found:
            if e.entity and not any(s.entity == e.entity for s in said):
                named = self.kb.display_name(others[0].target)
                # It needs corroboration now: against the other vendor's name alone it is overruled.
                e = replace(e, confidence=round(e.confidence * PEN_CONTRADICTED, 4), corroborate=True,
                            note=f"the sysDescr of the same reply names {named} ({descr[:80]!r}): the enterprise number alone does not decide")
            out.append(e)
        return out

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
