"""Observation records: what a network scan, an import or a discovery saw of one host.

    {"ip": "10.0.0.5", "mac": "44:19:b6:..", "hostname": "cam-lobby", "source": "discover", "seen_at": "2026-11-25T17:00:00Z",
     "services": [{"port": 80, "protocol": "tcp", "service": "http", "http_server": "Hikvision-Webs", ...}, ...]}

For screening, a record becomes one row: each service field becomes a column holding every
service's value as "<port>/<protocol>\\x1f<value>", joined with "\\x1e", so the engine can
deduplicate and each extractor can say on which port it saw what.
"""
from __future__ import annotations

import json
from typing import Any

from covscan import limits

TOP_FIELDS = ("ip", "mac", "hostname", "source", "seen_at")
# Service fields holding text that fingerprint rules and name matching read.
TEXT_FIELDS = (
    "banner", "http_server", "http_title", "www_authenticate", "tls_subject", "tls_issuer", "rtsp_server", "ssh_banner",
    "telnet_banner", "ftp_banner", "snmp_sysdescr", "sip_user_agent", "sip_server", "dhcp_vendor_class", "mdns",
)
EXACT_FIELDS = ("favicon_md5", "favicon_mmh3")
SERVICE_FIELDS = (*TEXT_FIELDS, *EXACT_FIELDS, "snmp_sysobjectid", "upnp_manufacturer", "upnp_model", "onvif_scopes", "sadp", "dhip")
PART_SEP, VALUE_SEP = "\x1e", "\x1f"
# Joins a sysObjectID to the sysDescr of the same reply, so the two can be weighed together.
CONTEXT_SEP = "\x1d"
COLUMNS = (*TOP_FIELDS, *SERVICE_FIELDS)
PROBLEMS_SHOWN = 5  # a record with thousands of bad services is told by its first few
EXCERPT_CHARS = 80  # of a bad value quoted in a message


def excerpt(value: Any) -> str:
    """A bad value as a message quotes it: repr, cut to EXCERPT_CHARS, so one huge value cannot flood the output."""
    return repr(value.strip()[:EXCERPT_CHARS]) if isinstance(value, str) else repr(value)[:EXCERPT_CHARS]


def too_many_services() -> str:
    """For a host over services_per_host (an import or an observation record)."""
    return f"too many services for one host {limits.describe('services_per_host')}"


def is_observation(obj: Any) -> bool:
    return isinstance(obj, dict) and isinstance(obj.get("services"), list) and ("ip" in obj or "mac" in obj)


def problems(obj: Any) -> list[str]:
    """What keeps a record from being an observation record (empty when it is one); at most
    PROBLEMS_SHOWN of them, and a count of the rest."""
    if not isinstance(obj, dict):
        return ["not an object"]
    found = []
    if not obj.get("ip") and not obj.get("mac"):
        found.append("needs 'ip' or 'mac'")
    services = obj.get("services", [])
    if not isinstance(services, list):
        return found + ["'services' must be a list"]
    if len(services) > limits.current().services_per_host:
        return found + [too_many_services()]
    for i, svc in enumerate(services):
        found += _service_problems(i, svc)
    if len(found) > PROBLEMS_SHOWN:
        found[PROBLEMS_SHOWN:] = [f"and {len(found) - PROBLEMS_SHOWN:,} more"]
    return found


def _service_problems(i: int, svc: Any) -> list[str]:
    """What is wrong with services[i]."""
    if not isinstance(svc, dict):
        return [f"services[{i}] is not an object"]
    found = []
    port = svc.get("port")
    if "port" in svc and not (isinstance(port, int) and not isinstance(port, bool) and 0 <= port <= 65535):
        found.append(f"services[{i}].port {excerpt(port)} is not a port number")
    if "onvif_scopes" in svc and not isinstance(svc["onvif_scopes"], list):
        found.append(f"services[{i}].onvif_scopes must be a list")
    for key in ("sadp", "dhip"):
        if key in svc and not isinstance(svc[key], dict):
            found.append(f"services[{i}].{key} must be an object")
    return found


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, list):
        return " ".join(map(str, value))
    return str(value).replace(PART_SEP, " ").replace(VALUE_SEP, " ").replace(CONTEXT_SEP, " ")


def flatten(obj: dict[str, Any]) -> list[str | None]:
    """One row in COLUMNS order. A value seen twice on the same port is kept once, in a dict used as
    an ordered set: a list scanned per value made a host with many services quadratic."""
    parts: dict[str, dict[str, None]] = {}
    for svc in obj.get("services") or ():
        where = f"{svc.get('port', '-')}/{svc.get('protocol', 'tcp')}"
        for key in SERVICE_FIELDS:
            value = svc.get(key)
            if value not in (None, "", [], {}):
                text = _text(value)
                if key == "snmp_sysobjectid" and svc.get("snmp_sysdescr"):
                    text += CONTEXT_SEP + _text(svc["snmp_sysdescr"])
                parts.setdefault(key, {})[f"{where}{VALUE_SEP}{text}"] = None
    row: list[str | None] = [None if obj.get(k) in (None, "") else str(obj[k]) for k in TOP_FIELDS]
    row += [PART_SEP.join(parts[k]) if k in parts else None for k in SERVICE_FIELDS]
    return row


def split_parts(value: str) -> list[tuple[str, str]]:
    """(where, value) pairs of a flattened column; plain values (not from services) have where ''."""
    out = []
    for part in value.split(PART_SEP):
        where, sep, text = part.partition(VALUE_SEP)
        out.append((where, text) if sep else ("", part))
    return out
