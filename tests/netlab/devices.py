"""Simulated devices for the discovery tests, run inside a network namespace the test creates.

Each device binds its own address (a macvlan with its own MAC) and answers like the real thing
would on the protocols covscan probes: HTTP(S), RTSP, SSH/Telnet banners, SIP, SNMP, ONVIF
WS-Discovery, SSDP/UPnP, mDNS, Hikvision SADP and Dahua DHIP. A sentinel address outside the
targets listens on every probed port and logs anything it receives.

    python devices.py --prefix 10.77.0 --sentinel 10.77.1.40 --log hits.log --certs DIR
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import re
import ssl
import struct
import sys
from pathlib import Path

import dns.message
import dns.rrset
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

sys.path.insert(0, str(Path(__file__).parent))
from snmpagent import respond as snmp_respond  # noqa: E402

COMMUNITY = "lab-community"
HIK_SCOPES = ("onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/Profile/Streaming "
              "onvif://www.onvif.org/name/HIKVISION onvif://www.onvif.org/hardware/DS-2CD2143G2-I onvif://www.onvif.org/location/city/hangzhou")

# suffix -> device; "expect" is what covscan should conclude (entity, verdict)
DEVICES: dict[int, dict] = {
    11: {"name": "hikvision-camera", "mac": "44:19:b6:00:00:11", "expect": ("hikvision", "conditional"),
         "http": {"server": "Hikvision-Webs", "auth": 'Digest realm="Hikvision", qop="auth", nonce="4e5468694e7a6b354d6a63364e54597a"', "title": "Login"},
         "https": {"cert": {"CN": "www.hikvision.com", "OU": "DVRNVR", "O": "HIKVISION", "L": "HangZhou", "C": "CN"}},
         "rtsp": {"server": "", "auth": 'Digest realm="Hikvision", nonce="a1b2c3"'},
         "wsd": HIK_SCOPES,
         "sadp": {"DeviceType": "138153", "DeviceDescription": "DS-2CD2143G2-I", "DeviceSN": "DS-2CD2143G2-I20231001AAWRJ12345678", "MAC": "44-19-b6-00-00-11", "SoftwareVersion": "V5.7.3build 220112"}},
    12: {"name": "dahua-nvr", "mac": "38:af:29:00:00:12", "expect": ("dahua", "conditional"),
         "http": {"server": "", "title": "WEB SERVICE"},
         "https": {"cert": {"CN": "NVR4208-4KS2", "O": "Dahua"}, "issuer": {"CN": "Dahua Device NVR CA", "O": "Dahua"}},
         "rtsp": {"server": "Dahua Rtsp Server", "auth": 'Digest realm="Login to 5J0ABC1234DEF", nonce="f00"'},
         "wsd": "onvif://www.onvif.org/name/Dahua onvif://www.onvif.org/hardware/NVR4208-4KS2 onvif://www.onvif.org/type/NetworkVideoTransmitter",
         "dhip": {"DeviceType": "NVR4208-4KS2", "Vendor": "Dahua", "SerialNo": "5J0ABC1234DEF", "Mac": "38:af:29:00:00:12", "MachineName": "NVR"}},
    13: {"name": "huawei-ont", "mac": "00:25:68:00:00:13", "expect": ("huawei", "covered"),
         "http": {"server": "", "auth": 'Basic realm="HuaweiHomeGateway"', "title": "HG8245H"},
         "ssh": "SSH-2.0-HUAWEI-1.5",
         "snmp": {"1.3.6.1.2.1.1.1.0": ("str", "Huawei Versatile Routing Platform Software, VRP (R) software, Version 5.170 (HG8245H V300R019C10)"),
                  "1.3.6.1.2.1.1.2.0": ("oid", "1.3.6.1.4.1.2011.6.128.1.1")},
         "sip": "HUAWEI-EchoLife HG8245H"},
    14: {"name": "zte-router", "mac": "00:19:c6:00:00:14", "expect": ("zte", "covered"),
         "http": {"server": "Mini web server 1.0 ZTE corp 2005.", "auth": 'Basic realm="cpe@zte.com"', "title": "F670L"},
         "telnet": "\r\nF670L\r\nLogin: ",
         "ssdp": {"manufacturer": "ZTE", "modelName": "ZXHN F670L", "friendlyName": "ZXHN F670L"}},
    15: {"name": "hytera-repeater", "mac": "64:69:bc:00:00:15", "expect": ("hytera", "conditional"),
         "http": {"server": "GoAhead-Webs", "title": "Hytera RD985 Repeater"},
         "snmp": {"1.3.6.1.2.1.1.1.0": ("str", "Hytera RD985 DMR Repeater V8.0"), "1.3.6.1.2.1.1.2.0": ("oid", "1.3.6.1.4.1.40297.1.2.3")}},
    16: {"name": "rebranded-dvr", "mac": "00:e0:4c:00:00:16", "expect": ("hikvision", "review"),
         "http": {"server": "DVRDVS-Webs", "title": "DVR Web Client"}},
    17: {"name": "random-mac-camera", "mac": "02:5a:3c:00:00:17", "expect": ("hikvision", "conditional"),
         "http": {"server": "", "auth": 'Digest realm="Hikvision", qop="auth", nonce="abc"', "title": "Login"}},
    21: {"name": "axis-camera", "mac": "ac:cc:8e:00:00:21", "expect": (None, "clear"),
         "http": {"server": "Apache/2.4.57 (Unix)", "title": "AXIS"},
         "rtsp": {"server": "GStreamer RTSP server", "auth": ""},
         "wsd": "onvif://www.onvif.org/name/AXIS onvif://www.onvif.org/hardware/P3245-LVE onvif://www.onvif.org/type/video_encoder"},
    22: {"name": "cisco-switch", "mac": "00:1b:54:00:00:22", "expect": (None, "clear"),
         "ssh": "SSH-2.0-Cisco-1.25",
         "snmp": {"1.3.6.1.2.1.1.1.0": ("str", "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(7)E8, RELEASE SOFTWARE (fc3)"),
                  "1.3.6.1.2.1.1.2.0": ("oid", "1.3.6.1.4.1.9.1.1208")}},
    # Only on ports outside covscan's default list: found when --ports names them, and identified
    # by what answers (HTTP on 18080, a telnet login prompt on 2323), not by the port number.
    18: {"name": "zte-ont-odd-ports", "mac": "02:11:22:00:00:18", "expect": ("zte", "covered"), "ports": {"http": 18080, "telnet": 2323},
         "http": {"server": "Mini web server 1.0 ZTE corp 2005.", "auth": 'Basic realm="cpe@zte.com"', "title": "F660"},
         "telnet": "\r\nF660\r\n\rLogin: "},
    23: {"name": "linux-host", "mac": "b8:27:eb:00:00:23", "expect": (None, "clear"),
         "ssh": "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3",
         "http": {"server": "nginx/1.22.1", "title": "Welcome to nginx!"},
         "mdns": ["_ssh._tcp.local.", "_http._tcp.local."]},
}
SENTINEL_TCP = (21, 22, 23, 80, 443, 554, 2323, 5060, 8000, 8080, 8443, 18080, 37777)
SENTINEL_UDP = (161, 1900, 3702, 5060, 5353, 37020, 37810)


# ---------------------------------------------------------------------------- TCP services

def http_response(device: dict, ip: str, path: str, https: bool) -> bytes:
    spec = device.get("http", {})
    if path.startswith("/description.xml") and "ssdp" in device:
        s = device["ssdp"]
        body = (f'<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><device>'
                f'<friendlyName>{s["friendlyName"]}</friendlyName><manufacturer>{s["manufacturer"]}</manufacturer>'
                f'<modelName>{s["modelName"]}</modelName></device></root>').encode()
        return b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    if path.startswith("/favicon.ico"):
        return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
    body = f"<html><head><title>{spec.get('title', '')}</title></head><body></body></html>".encode()
    status = "401 Unauthorized" if spec.get("auth") else "200 OK"
    headers = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", "Content-Type: text/html", "Connection: close"]
    if spec.get("server"):
        headers.append(f"Server: {spec['server']}")
    if spec.get("auth"):
        headers.append(f"WWW-Authenticate: {spec['auth']}")
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + body


def make_http(device: dict, ip: str, https: bool):
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            path = head.split(b" ", 2)[1].decode() if head.count(b" ") >= 2 else "/"
            writer.write(http_response(device, ip, path, https))
            await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.TimeoutError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()
    return handle


def make_rtsp(device: dict):
    spec = device["rtsp"]

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
                cseq = re.search(rb"CSeq:\s*(\d+)", head)
                lines = ["RTSP/1.0 200 OK" if head.startswith(b"OPTIONS") or not spec["auth"] else "RTSP/1.0 401 Unauthorized",
                         f"CSeq: {cseq.group(1).decode() if cseq else 0}"]
                if spec["server"]:
                    lines.append(f"Server: {spec['server']}")
                if head.startswith(b"OPTIONS"):
                    lines.append("Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN")
                elif spec["auth"]:
                    lines.append(f"WWW-Authenticate: {spec['auth']}")
                writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
                await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.TimeoutError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()
    return handle


def make_banner(text: str, telnet: bool = False):
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        data = text.encode()
        if telnet:
            data = b"\xff\xfb\x01\xff\xfb\x03" + data  # WILL ECHO, WILL SUPPRESS-GO-AHEAD
        writer.write(data if telnet else data + b"\r\n")
        try:
            await writer.drain()
            await asyncio.wait_for(reader.read(100), 3)
        except (asyncio.TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()
    return handle


def certificate(names: dict, issuer: dict | None, folder: Path, label: str) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    oids = {"CN": NameOID.COMMON_NAME, "O": NameOID.ORGANIZATION_NAME, "OU": NameOID.ORGANIZATIONAL_UNIT_NAME, "L": NameOID.LOCALITY_NAME, "C": NameOID.COUNTRY_NAME}
    name = lambda d: x509.Name([x509.NameAttribute(oids[k], v) for k, v in d.items()])  # noqa: E731
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name(names)).issuer_name(name(issuer or names)).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / f"{label}.crt", folder / f"{label}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context


# ---------------------------------------------------------------------------- UDP services

class Udp(asyncio.DatagramProtocol):
    def __init__(self, answer) -> None:
        self.answer = answer

    def connection_made(self, transport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr) -> None:
        reply = self.answer(data)
        if reply:
            self.transport.sendto(reply, addr)


def wsd_answer(scopes: str):
    def answer(data: bytes) -> bytes | None:
        if b"Probe" not in data:
            return None
        relates = re.search(rb"<a:MessageID>(.*?)</a:MessageID>", data)
        return (f'<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" '
                f'xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery">'
                f'<SOAP-ENV:Header><wsa:RelatesTo>{(relates.group(1).decode() if relates else "")}</wsa:RelatesTo></SOAP-ENV:Header>'
                f"<SOAP-ENV:Body><d:ProbeMatches><d:ProbeMatch><d:Types>dn:NetworkVideoTransmitter</d:Types>"
                f"<d:Scopes>{scopes}</d:Scopes><d:XAddrs>http://device/onvif/device_service</d:XAddrs>"
                f"</d:ProbeMatch></d:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>").encode()
    return answer


def ssdp_answer(ip: str):
    def answer(data: bytes) -> bytes | None:
        if not data.startswith(b"M-SEARCH"):
            return None
        return (f"HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nLOCATION: http://{ip}:80/description.xml\r\n"
                f"SERVER: Linux/3.10 UPnP/1.0 Portable SDK for UPnP devices/1.6.19\r\nST: upnp:rootdevice\r\nUSN: uuid:1234::upnp:rootdevice\r\n\r\n").encode()
    return answer


def sadp_answer(fields: dict):
    def answer(data: bytes) -> bytes | None:
        if b"<Types>inquiry</Types>" not in data:
            return None
        uuid = re.search(rb"<Uuid>(.*?)</Uuid>", data)
        inner = "".join(f"<{k}>{v}</{k}>" for k, v in fields.items())
        return f'<?xml version="1.0" encoding="UTF-8"?><ProbeMatch><Uuid>{uuid.group(1).decode() if uuid else ""}</Uuid><Types>inquiry</Types>{inner}</ProbeMatch>'.encode()
    return answer


def dhip_answer(info: dict):
    def answer(data: bytes) -> bytes | None:
        if data[4:8] != b"DHIP" or b"DHDiscover.search" not in data:
            return None
        body = json.dumps({"method": "client.notifyDevInfo", "params": {"deviceInfo": info}, "mac": info.get("Mac", "")}).encode()
        return struct.pack("<I4sIIIIII", 0x20, b"DHIP", 0, 0, len(body), 0, len(body), 0) + body
    return answer


def sip_answer(agent: str):
    def answer(data: bytes) -> bytes | None:
        if not data.startswith(b"OPTIONS"):
            return None
        via = re.search(rb"Via: [^\r\n]*", data)
        return (b"SIP/2.0 200 OK\r\n" + (via.group(0) if via else b"") + f"\r\nUser-Agent: {agent}\r\nAllow: INVITE, ACK, OPTIONS, BYE\r\nContent-Length: 0\r\n\r\n".encode())
    return answer


def snmp_answer(values: dict):
    def answer(data: bytes) -> bytes | None:
        try:
            return snmp_respond(data, COMMUNITY, values)
        except (IndexError, ValueError):
            return None
    return answer


def mdns_answer(services: list[str]):
    def answer(data: bytes) -> bytes | None:
        try:
            query = dns.message.from_wire(data)
        except Exception:  # noqa: BLE001
            return None
        response = dns.message.make_response(query)
        response.answer.append(dns.rrset.from_text("_services._dns-sd._udp.local.", 120, "IN", "PTR", *services))
        return response.to_wire()
    return answer


# ---------------------------------------------------------------------------- assembly

async def serve(prefix: str, sentinel: str, log: Path, certs: Path) -> None:
    loop = asyncio.get_running_loop()
    servers = []
    for suffix, device in DEVICES.items():
        ip = f"{prefix}.{suffix}"
        port = {"http": 80, "https": 443, "rtsp": 554, "ssh": 22, "telnet": 23} | device.get("ports", {})
        if "http" in device:
            servers.append(await asyncio.start_server(make_http(device, ip, False), ip, port["http"]))
        if "https" in device:
            spec = device["https"]
            context = certificate(spec["cert"], spec.get("issuer"), certs, device["name"])
            servers.append(await asyncio.start_server(make_http(device, ip, True), ip, port["https"], ssl=context))
        if "rtsp" in device:
            servers.append(await asyncio.start_server(make_rtsp(device), ip, port["rtsp"]))
        if "ssh" in device:
            servers.append(await asyncio.start_server(make_banner(device["ssh"]), ip, port["ssh"]))
        if "telnet" in device:
            servers.append(await asyncio.start_server(make_banner(device["telnet"], telnet=True), ip, port["telnet"]))
        udp = {3702: wsd_answer(device["wsd"]) if "wsd" in device else None,
               1900: ssdp_answer(ip) if "ssdp" in device else None,
               37020: sadp_answer(device["sadp"]) if "sadp" in device else None,
               37810: dhip_answer(device["dhip"]) if "dhip" in device else None,
               5060: sip_answer(device["sip"]) if "sip" in device else None,
               161: snmp_answer(device["snmp"]) if "snmp" in device else None,
               5353: mdns_answer(device["mdns"]) if "mdns" in device else None}
        for port, answer in udp.items():
            if answer:
                await loop.create_datagram_endpoint(lambda a=answer: Udp(a), local_addr=(ip, port))

    hits = log.open("a", buffering=1)

    async def tcp_hit(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer, local = writer.get_extra_info("peername"), writer.get_extra_info("sockname")
        hits.write(f"tcp {peer[0]} -> {local[0]}:{local[1]}\n")
        writer.close()

    def udp_hit(port: int):
        def answer(data: bytes) -> None:
            hits.write(f"udp -> {sentinel}:{port} ({len(data)} bytes)\n")
        return answer

    for port in SENTINEL_TCP:
        servers.append(await asyncio.start_server(tcp_hit, sentinel, port))
    for port in SENTINEL_UDP:
        await loop.create_datagram_endpoint(lambda p=port: Udp(udp_hit(p)), local_addr=(sentinel, port))
    print("ready", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--sentinel", required=True)
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--certs", type=Path, required=True)
    args = parser.parse_args()
    asyncio.run(serve(args.prefix, args.sentinel, args.log, args.certs))


if __name__ == "__main__":
    main()
