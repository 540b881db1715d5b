"""UDP discovery protocols, each a request to one target and the replies from that target only:
ONVIF WS-Discovery, SSDP (plus the device description it points to), mDNS, SIP OPTIONS,
Hikvision SADP and Dahua DHIP."""
from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
import struct
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import dns.message
import dns.rdatatype
from defusedxml.ElementTree import fromstring

from covscan.discover.http import request, split_response


class _Collector(asyncio.DatagramProtocol):
    """Keeps replies from addresses the caller accepts; everything else is dropped unread."""

    def __init__(self, accept: Callable[[str], bool]) -> None:
        self.accept = accept
        self.replies: list[tuple[str, bytes]] = []

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if self.accept(addr[0]):
            self.replies.append((addr[0], data))


async def exchange(destination: str, port: int, payload: bytes, timeout: float, accept: Callable[[str], bool]) -> list[tuple[str, bytes]]:
    """Send one datagram and collect the accepted replies for `timeout` seconds."""
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(lambda: _Collector(accept), local_addr=("0.0.0.0", 0))
    try:
        if ipaddress.ip_address(destination).is_multicast:
            sock = transport.get_extra_info("socket")
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)  # stay on the local segment
        transport.sendto(payload, (destination, port))
        await asyncio.sleep(timeout)
        return protocol.replies
    finally:
        transport.close()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml_text(data: bytes, wanted: tuple[str, ...]) -> dict[str, str]:
    """Text of the first element with each wanted local name (namespaces ignored)."""
    try:
        root = fromstring(data)
    except Exception:  # noqa: BLE001 - a device's malformed XML is simply no evidence
        return {}
    found: dict[str, str] = {}
    for elem in root.iter():
        name = _local(elem.tag)
        if name in wanted and name not in found and elem.text and elem.text.strip():
            found[name] = elem.text.strip()
    return found


@dataclass(frozen=True)
class UdpProtocol:
    """A discovery protocol: where it listens, what to send a target, how to read a reply."""

    name: str
    port: int
    group: str | None  # its standard multicast group (WS-Discovery, SSDP), used only with --multicast
    payload: Callable[[str], bytes]
    parse: Callable[[bytes], dict[str, Any]]


WSD_PROBE = """<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">
<s:Header><a:Action s:mustUnderstand="1">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>
<a:MessageID>uuid:{id}</a:MessageID><a:ReplyTo><a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>
<a:To s:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To></s:Header>
<s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body></s:Envelope>"""


def _wsd(reply: bytes) -> dict[str, Any]:
    fields = _xml_text(reply, ("Scopes", "XAddrs"))
    return {"service": "ws-discovery", "onvif_scopes": fields["Scopes"].split()} if "Scopes" in fields else {}


def _ssdp(reply: bytes) -> dict[str, Any]:
    _, headers, _ = split_response(b"HTTP/1.1 200 OK\r\n" + reply.split(b"\r\n", 1)[-1])
    found: dict[str, Any] = {"service": "ssdp"}
    if headers.get("server"):
        found["banner"] = headers["server"]
    if headers.get("location"):
        found["location"] = headers["location"]
    return found


async def upnp_description(ip: str, location: str, timeout: float, allowed: Callable[[str], bool]) -> dict[str, Any]:
    """The UPnP device description, fetched only from the target itself, never from a host it names."""
    url = urlsplit(location)
    if url.hostname != ip or not allowed(ip):
        return {}
    path = (url.path or "/") + (f"?{url.query}" if url.query else "")
    data, _ = await request(ip, url.port or 80, f"GET {path} HTTP/1.0\r\nHost: {ip}\r\nConnection: close\r\n\r\n".encode(), timeout)
    desc = _xml_text(split_response(data)[2], ("manufacturer", "modelName", "modelNumber", "friendlyName"))
    found: dict[str, Any] = {}
    if desc.get("manufacturer"):
        found["upnp_manufacturer"] = desc["manufacturer"]
    if desc.get("modelNumber") or desc.get("modelName"):
        found["upnp_model"] = desc.get("modelNumber") or desc["modelName"]
    return found


def _mdns(reply: bytes) -> dict[str, Any]:
    try:
        message = dns.message.from_wire(reply)
    except Exception:  # noqa: BLE001 - a malformed reply is no evidence
        return {}
    names: list[str] = []
    for rrset in (*message.answer, *message.additional):
        names += [rrset.name.to_text()] + [str(item) for item in rrset]
    return {"service": "mdns", "mdns": " ".join(dict.fromkeys(names))[:500]} if names else {}


def _sip_options(ip: str) -> bytes:
    branch = uuid.uuid4().hex[:16]
    return (
        f"OPTIONS sip:{ip} SIP/2.0\r\nVia: SIP/2.0/UDP 0.0.0.0:5060;branch=z9hG4bK{branch}\r\nMax-Forwards: 70\r\n"
        f"From: <sip:covscan@invalid>;tag={branch}\r\nTo: <sip:{ip}>\r\nCall-ID: {branch}@covscan\r\nCSeq: 1 OPTIONS\r\n"
        "Content-Length: 0\r\n\r\n"
    ).encode()


def _sip(reply: bytes) -> dict[str, Any]:
    _, headers, _ = split_response(reply)
    found: dict[str, Any] = {"service": "sip"}
    if headers.get("user-agent"):
        found["sip_user_agent"] = headers["user-agent"]
    if headers.get("server"):
        found["sip_server"] = headers["server"]
    return found if len(found) > 1 else {}


SADP_INQUIRY = '<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>{id}</Uuid><Types>inquiry</Types></Probe>'


def _sadp(reply: bytes) -> dict[str, Any]:
    f = _xml_text(reply, ("DeviceType", "DeviceDescription", "DeviceSN", "MAC", "SoftwareVersion"))
    if not f:
        return {}
    sadp = {"device_type": f.get("DeviceType"), "model": f.get("DeviceDescription"), "serial": f.get("DeviceSN"),
            "mac": f.get("MAC"), "firmware": f.get("SoftwareVersion")}
    return {"service": "sadp", "sadp": {k: v for k, v in sadp.items() if v}}


def dhip_packet(body: dict[str, Any], request_id: int = 1) -> bytes:
    """Dahua DHIP framing: a 32-byte header (0x20000000, "DHIP", session, id, lengths), then JSON."""
    payload = json.dumps(body).encode()
    return struct.pack("<I4sIIIIII", 0x20, b"DHIP", 0, request_id, len(payload), 0, len(payload), 0) + payload


def _dhip(reply: bytes) -> dict[str, Any]:
    start = reply.find(b"{")
    try:
        body = json.loads(reply[start:].split(b"\0", 1)[0]) if start >= 0 else None
    except json.JSONDecodeError:
        return {}
    info = body.get("params", {}).get("deviceInfo", {}) if isinstance(body, dict) else {}
    keep = {k: v for k, v in info.items() if isinstance(v, (str, int)) and k in ("DeviceType", "Vendor", "SerialNo", "Mac", "MachineName", "Version")} if isinstance(info, dict) else {}
    return {"service": "dhip", "dhip": keep} if keep else {}


PROTOCOLS = (
    UdpProtocol("ws-discovery", 3702, "239.255.255.250", lambda ip: WSD_PROBE.format(id=uuid.uuid4()).encode(), _wsd),
    UdpProtocol("ssdp", 1900, "239.255.255.250", lambda ip: b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: upnp:rootdevice\r\n\r\n", _ssdp),
    UdpProtocol("mdns", 5353, None, lambda ip: dns.message.make_query("_services._dns-sd._udp.local.", dns.rdatatype.PTR).to_wire(), _mdns),
    UdpProtocol("sip", 5060, None, _sip_options, _sip),
    UdpProtocol("sadp", 37020, None, lambda ip: SADP_INQUIRY.format(id=str(uuid.uuid4()).upper()).encode(), _sadp),
    UdpProtocol("dhip", 37810, None, lambda ip: dhip_packet({"method": "DHDiscover.search", "params": {"mac": "", "uni": 1}, "id": 1}), _dhip),
)
