"""A minimal SNMP v2c agent answering GET for sysDescr.0 and sysObjectID.0 (hand-written BER)."""
from __future__ import annotations


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def tlv(tag: int, value: bytes) -> bytes:
    return bytes([tag]) + _length(len(value)) + value


def read(data: bytes, pos: int) -> tuple[int, bytes, int]:
    tag, length = data[pos], data[pos + 1]
    pos += 2
    if length & 0x80:
        size = length & 0x7F
        length = int.from_bytes(data[pos:pos + size], "big")
        pos += size
    return tag, data[pos:pos + length], pos + length


def encode_int(n: int) -> bytes:
    return tlv(0x02, n.to_bytes(max(1, (n.bit_length() + 8) // 8), "big", signed=True))


def encode_oid(oid: str) -> bytes:
    parts = [int(p) for p in oid.strip(".").split(".")]
    body = bytes([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        chunk = [p & 0x7F]
        p >>= 7
        while p:
            chunk.append(0x80 | (p & 0x7F))
            p >>= 7
        body += bytes(reversed(chunk))
    return tlv(0x06, body)


def decode_oid(body: bytes) -> str:
    parts = [body[0] // 40, body[0] % 40]
    value = 0
    for b in body[1:]:
        value = (value << 7) | (b & 0x7F)
        if not b & 0x80:
            parts.append(value)
            value = 0
    return ".".join(map(str, parts))


def respond(request: bytes, community: str, values: dict[str, tuple[str, str]]) -> bytes | None:
    """values: OID -> ("str" | "oid", value). None for a request we do not answer."""
    _, message, _ = read(request, 0)
    _, version, pos = read(message, 0)
    _, got_community, pos = read(message, pos)
    if got_community.decode(errors="replace") != community:
        return None
    tag, pdu, _ = read(message, pos)
    if tag != 0xA0:
        return None
    _, request_id, p = read(pdu, 0)
    _, _, p = read(pdu, p)
    _, _, p = read(pdu, p)
    _, binds, _ = read(pdu, p)
    out = b""
    q = 0
    while q < len(binds):
        _, bind, q = read(binds, q)
        _, oid_body, _ = read(bind, 0)
        oid = decode_oid(oid_body)
        kind, value = values.get(oid, ("none", ""))
        encoded = tlv(0x04, value.encode()) if kind == "str" else encode_oid(value) if kind == "oid" else b"\x80\x00"
        out += tlv(0x30, encode_oid(oid) + encoded)
    body = tlv(0x02, request_id) + encode_int(0) + encode_int(0) + tlv(0x30, out)
    return tlv(0x30, tlv(0x02, version) + tlv(0x04, got_community) + tlv(0xA2, body))
