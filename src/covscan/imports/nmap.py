"""nmap XML (-oX): hosts, MAC addresses, open ports with service/version and NSE script output.

Parsed with defusedxml (entity expansion and external entities are refused) as a stream: each
<port> is read when it closes and every element is dropped once read, so memory holds one port's
subtree and one host's services (bounded by services_per_host), never the document."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from covscan import limits
from covscan.imports.base import Record, clean_mac, observation, port_number
from covscan.observations import EXCERPT_CHARS, excerpt, too_many_services
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


def _service(port: Element) -> dict[str, Any] | str | None:
    """The service of an open port, an error message for a port that is not a number, or None for
    a port that is not open."""
    state = port.find("state")
    if state is None or state.get("state") not in ("open", "open|filtered"):
        return None
    number = port_number(port.get("portid"))
    if number is None:
        return f"portid {excerpt(port.get('portid'))} is not a port number (0-65535); the host's other ports are imported"
    svc: dict[str, Any] = {"port": number, "protocol": port.get("protocol", "tcp")}
    service = port.find("service")
    if service is not None:
        svc["service"] = service.get("name")
        product = " ".join(x for x in (service.get("product"), service.get("version"), service.get("extrainfo")) if x)
        if product:
            banner = {"ssh": "ssh_banner", "telnet": "telnet_banner", "ftp": "ftp_banner", "rtsp": "rtsp_server", "sip": "sip_user_agent"}.get(svc["service"] or "", "banner")
            svc[banner] = product
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


@dataclass
class _Host:
    """What has been read of the open <host>: its number in the file, addresses, name, and the
    services and bad ports of its open ports (together at most services_per_host)."""

    number: int
    up: bool = True
    ip: str | None = None
    mac: str | None = None
    name: str | None = None
    services: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    over_limit: bool = False

    def read(self, elem: Element, parent: Element) -> None:
        """Take what is needed of an element of this host that has just closed."""
        if elem.tag == "port" and parent.tag == "ports":
            found = _service(elem)
            if found is None or self.over_limit:
                return
            if len(self.services) + len(self.errors) >= limits.current().services_per_host:
                self.over_limit = True
                self.services, self.errors = [], []
            elif isinstance(found, str):
                self.errors.append(found)
            else:
                self.services.append(found)
        elif elem.tag == "hostname" and parent.tag == "hostnames":
            self.name = self.name or elem.get("name")
        elif parent.tag != "host":
            return
        elif elem.tag == "status":
            self.up = elem.get("state") == "up"
        elif elem.tag == "address" and elem.get("addrtype") in ("ipv4", "ipv6"):
            self.ip = self.ip or elem.get("addr")
        elif elem.tag == "address" and elem.get("addrtype") == "mac":
            self.mac = clean_mac(elem.get("addr", ""))

    def records(self, started: str | None) -> list[Record]:
        where = f"host {self.number}"
        if not self.up:
            return []
        out: list[Record] = [(where, message) for message in self.errors]
        if self.over_limit:
            return [*out, (where, too_many_services())]
        if self.ip is None and self.mac is None:
            return [*out, (where, "a <host> with neither an IP nor a MAC address")]
        return [*out, (where, observation("nmap", self.ip, self.mac, self.name, self.services, started))]


def _events(path: Path) -> Iterator[tuple[str, Element]]:
    """iterparse's start and end events, with every way the XML can be unreadable as an InputError."""
    try:
        yield from iterparse(str(path), events=("start", "end"))
    except DefusedXmlException as exc:
        raise InputError(f"{path}: refused: the XML declares entities or external references ({exc.__class__.__name__})") from exc
    except ParseError as exc:
        line, column = exc.position
        raise InputError(f"{path}: not well-formed XML at line {line}, column {column}") from exc
    except (LookupError, ValueError) as exc:  # an encoding Python does not know, or a multi-byte one expat cannot use
        raise InputError(f"{path}: the XML cannot be decoded ({exc}); nmap writes UTF-8") from exc


def parse_nmap(path: Path) -> list[Record]:
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty; expected nmap XML (-oX)")
    records: list[Record] = []
    started: str | None = None
    stack: list[Element] = []  # the open elements, root first
    host: _Host | None = None
    hosts = in_port = 0
    levels = limits.current().nesting
    for event, elem in _events(path):
        if event == "start":
            if not stack:
                if elem.tag != "nmaprun":
                    raise InputError(f"{path}: XML root is <{elem.tag[:EXCERPT_CHARS]}>, not <nmaprun>; expected nmap -oX output")
                started = elem.get("startstr") or elem.get("start")
            elif len(stack) >= levels:
                raise InputError(f"{path}: XML elements nested more than {levels} deep {limits.describe('nesting')}")
            if elem.tag == "host" and len(stack) == 1:
                hosts += 1
                host = _Host(hosts)
            in_port += elem.tag == "port"
            stack.append(elem)
            continue
        stack.pop()
        in_port -= elem.tag == "port"
        if not stack:
            continue
        if elem.tag == "host" and len(stack) == 1 and host is not None:
            records.extend(host.records(started))
            host = None
        elif host is not None:
            host.read(elem, stack[-1])
        if not in_port:  # read: nothing outside a port is needed again
            stack[-1].remove(elem)
    return records
