"""nmap XML (-oX): hosts, MAC addresses, open ports with service/version and NSE script output.

Parsed with defusedxml: entity expansion and external entities are refused."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import parse

from covscan.imports.base import Record, clean_mac, observation
from covscan.sources.base import InputError

# NSE script id -> observation field
SCRIPT_FIELDS = {
    "http-server-header": "http_server", "http-title": "http_title", "banner": "banner", "snmp-sysdescr": "snmp_sysdescr",
    "sip-methods": "sip_server", "rtsp-methods": "rtsp_server", "http-favicon": "banner",
}


def _dn(elem: Element | None) -> str | None:
    """An ssl-cert subject/issuer table as "CN=..,O=..,OU=..", the way certificates are usually printed."""
    if elem is None:
        return None
    keys = {"commonName": "CN", "organizationName": "O", "organizationalUnitName": "OU", "localityName": "L", "countryName": "C"}
    parts = [f"{keys[e.get('key', '')]}={e.text}" for e in elem.findall("elem") if e.get("key") in keys and e.text]
    return ",".join(parts) or None


def _service(port: Element) -> dict[str, Any] | None:
    state = port.find("state")
    if state is None or state.get("state") not in ("open", "open|filtered"):
        return None
    svc: dict[str, Any] = {"port": int(port.get("portid", "0")), "protocol": port.get("protocol", "tcp")}
    service = port.find("service")
    if service is not None:
        svc["service"] = service.get("name")
        product = " ".join(x for x in (service.get("product"), service.get("version"), service.get("extrainfo")) if x)
        if product:
            field = {"ssh": "ssh_banner", "telnet": "telnet_banner", "ftp": "ftp_banner", "rtsp": "rtsp_server", "sip": "sip_user_agent"}.get(svc["service"] or "", "banner")
            svc[field] = product
    for script in port.findall("script"):
        sid, output = script.get("id", ""), (script.get("output") or "").strip()
        if sid == "ssl-cert":
            svc["tls_subject"] = _dn(script.find("table[@key='subject']"))
            svc["tls_issuer"] = _dn(script.find("table[@key='issuer']"))
        elif sid == "http-auth":
            realm = re.search(r"(?:Digest|Basic)\s+realm=\S+.*", output)
            svc["www_authenticate"] = realm.group(0) if realm else output
        elif sid == "http-favicon":
            md5 = re.search(r"\b[0-9a-f]{32}\b", output)
            if md5:
                svc["favicon_md5"] = md5.group(0)
        elif sid in SCRIPT_FIELDS and output:
            svc.setdefault(SCRIPT_FIELDS[sid], output)
    return {k: v for k, v in svc.items() if v not in (None, "")}


def parse_nmap(path: Path) -> list[Record]:
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty; expected nmap XML (-oX)")
    try:
        root = parse(str(path)).getroot()
    except DefusedXmlException as exc:
        raise InputError(f"{path}: refused: the XML declares entities or external references ({exc.__class__.__name__})") from exc
    except ParseError as exc:
        line, column = exc.position
        raise InputError(f"{path}: not well-formed XML at line {line}, column {column}") from exc
    if root.tag != "nmaprun":
        raise InputError(f"{path}: XML root is <{root.tag}>, not <nmaprun>; expected nmap -oX output")
    started = root.get("startstr") or root.get("start")
    records: list[Record] = []
    for i, host in enumerate(root.findall("host")):
        status = host.find("status")
        if status is not None and status.get("state") != "up":
            continue
        ip = mac = None
        for addr in host.findall("address"):
            if addr.get("addrtype") in ("ipv4", "ipv6") and ip is None:
                ip = addr.get("addr")
            elif addr.get("addrtype") == "mac":
                mac = clean_mac(addr.get("addr", ""))
        name = host.find("hostnames/hostname")
        services = [s for s in (_service(p) for p in host.findall("ports/port")) if s]
        where = f"host {i + 1}"
        if ip is None and mac is None:
            records.append((where, "a <host> with neither an IP nor a MAC address"))
            continue
        records.append((where, observation("nmap", ip, mac, name.get("name") if name is not None else None, services, started)))
    return records
