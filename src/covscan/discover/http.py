"""HTTP(S) and RTSP over asyncio streams: the headers, title, favicon and certificate a device shows."""
from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import ssl
from typing import Any

import mmh3
from cryptography import x509

MAX_BYTES = 65_536
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.I | re.S)


def _tls_context() -> ssl.SSLContext:
    """Devices use self-signed certificates; we read them, we do not trust them."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context


async def request(ip: str, port: int, payload: bytes, timeout: float, tls: bool = False) -> tuple[bytes, ssl.SSLObject | None]:
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(ip, port, ssl=_tls_context() if tls else None, server_hostname="" if tls else None), timeout
    )
    try:
        writer.write(payload)
        await writer.drain()
        data = b""
        while len(data) < MAX_BYTES:
            chunk = await asyncio.wait_for(reader.read(MAX_BYTES), timeout)
            if not chunk:
                break
            data += chunk
            if payload.startswith((b"OPTIONS", b"DESCRIBE")) and b"\r\n\r\n" in data:
                break
        return data, writer.get_extra_info("ssl_object")
    finally:
        writer.close()


def split_response(data: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 and lines[0].split()[1].isdigit() else 0
    headers: dict[str, str] = {}
    for line in lines[1:]:
        key, sep, value = line.partition(":")
        if sep:
            headers[key.strip().lower()] = value.strip()
    return status, headers, body


def certificate_names(ssl_object: ssl.SSLObject | None) -> dict[str, str]:
    if ssl_object is None:
        return {}
    der = ssl_object.getpeercert(binary_form=True)
    if not der:
        return {}
    cert = x509.load_der_x509_certificate(der)
    return {"tls_subject": cert.subject.rfc4514_string(), "tls_issuer": cert.issuer.rfc4514_string()}


async def http_probe(ip: str, port: int, timeout: float, tls: bool, strict: bool = False) -> dict[str, Any]:
    """GET / and the favicon. `strict` (a port of unknown protocol): a reply that is not HTTP is a
    ValueError, so the caller tries the next protocol."""
    get = f"GET / HTTP/1.0\r\nHost: {ip}\r\nUser-Agent: covscan\r\nConnection: close\r\n\r\n".encode()
    data, ssl_object = await request(ip, port, get, timeout, tls)
    if strict and not data.startswith(b"HTTP/"):
        raise ValueError(f"{ip}:{port} did not answer HTTP")
    status, headers, body = split_response(data)
    found: dict[str, Any] = {"service": "https" if tls else "http"}
    found |= certificate_names(ssl_object)
    if headers.get("server"):
        found["http_server"] = headers["server"]
    if headers.get("www-authenticate"):
        found["www_authenticate"] = headers["www-authenticate"]
    title = _TITLE.search(body)
    if title:
        found["http_title"] = " ".join(title.group(1).decode("utf-8", "replace").split())[:200]
    try:
        icon, _ = await request(ip, port, get.replace(b"GET / ", b"GET /favicon.ico "), timeout, tls)
        icon_status, _, icon_body = split_response(icon)
        if icon_status == 200 and icon_body:
            found["favicon_md5"] = hashlib.md5(icon_body).hexdigest()  # noqa: S324 - a fingerprint, not security
            found["favicon_mmh3"] = str(mmh3.hash(base64.encodebytes(icon_body)))
    except (OSError, asyncio.TimeoutError, ssl.SSLError):
        pass
    return found


async def rtsp_probe(ip: str, port: int, timeout: float, strict: bool = False) -> dict[str, Any]:
    url = f"rtsp://{ip}:{port}/"
    data, _ = await request(ip, port, f"OPTIONS {url} RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: covscan\r\n\r\n".encode(), timeout)
    if strict and not data.startswith(b"RTSP/"):
        raise ValueError(f"{ip}:{port} did not answer RTSP")
    _, headers, _ = split_response(data)
    parts = [headers.get("server", "")]
    try:
        data, _ = await request(ip, port, f"DESCRIBE {url} RTSP/1.0\r\nCSeq: 2\r\nAccept: application/sdp\r\nUser-Agent: covscan\r\n\r\n".encode(), timeout)
        parts.append(split_response(data)[1].get("www-authenticate", ""))
    except (OSError, asyncio.TimeoutError):
        pass
    text = " ".join(p for p in parts if p)
    return {"service": "rtsp", "rtsp_server": text} if text else {"service": "rtsp"}


async def banner_probe(ip: str, port: int, timeout: float, field: str, service: str) -> dict[str, Any]:
    """SSH, Telnet and FTP servers speak first; read what they say (Telnet option bytes removed)."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection(ip, port), timeout)
    try:
        data = b""
        try:
            while len(data) < 2048 and (b"\n" not in data or field == "telnet_banner"):
                chunk = await asyncio.wait_for(reader.read(1024), timeout / 2 if data else timeout)
                if not chunk:
                    break
                data += chunk
        except asyncio.TimeoutError:
            pass
    finally:
        writer.close()
    if field == "telnet_banner":
        data = re.sub(rb"\xff[\xfb-\xfe].|\xff.", b"", data, flags=re.S)
    text = " ".join(data.decode("utf-8", "replace").split())[:300]
    return {"service": service, field: text} if text else {"service": service}


_LOGIN_PROMPT = re.compile(r"(?:login|user\s?name|password)\s*:\s*$", re.I)


def classify_banner(found: dict[str, Any]) -> dict[str, Any] | None:
    """What a server that speaks first said on a port of unknown protocol, filed under the field
    its protocol uses (SSH, FTP, Telnet), or as a plain banner; None when it said nothing."""
    text = found.get("telnet_banner")
    if not text:
        return None
    if text.startswith("SSH-"):
        return {"service": "ssh", "ssh_banner": text.split(" ", 1)[0] if text.count("SSH-") > 1 else text}
    if re.match(r"^220[ -]", text):
        return {"service": "ftp", "ftp_banner": text}
    if _LOGIN_PROMPT.search(text):
        return {"service": "telnet", "telnet_banner": text}
    return {"service": "unknown", "banner": text}
