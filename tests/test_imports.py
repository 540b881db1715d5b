"""Imports of other tools' output: each format round-trips from a real-looking sample, and malformed
files give clear errors (a located error row, or a one-line message), never a traceback."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import read_jsonl
from covscan.imports import IMPORTERS
from covscan.sources import InputError

SAMPLES = Path(__file__).parent / "data" / "imports"
CASES = [
    ("nmap", "nmap.xml", {"44:19:b6:11:22:33": "hikvision", "00:19:c6:0a:0b:0c": "zte", "b8:27:eb:01:02:03": None}),
    ("ip-neigh", "ip_neigh.txt", {"44:19:b6:11:22:33": "hikvision", "00:19:c6:0a:0b:0c": "zte", "3a:af:29:12:34:56": None}),
    ("arp", "arp_windows.txt", {"44:19:b6:11:22:33": "hikvision", "38:af:29:12:34:56": "dahua", "00:00:0c:9f:f0:01": None}),
    ("arp", "arp_linux.txt", {"44:19:b6:11:22:33": "hikvision", "08:ed:ed:01:01:01": "dahua"}),
    ("mac-table", "cisco_mac_table.txt", {"44:19:b6:11:22:33": "hikvision", "00:19:c6:0a:0b:0c": "zte", "40:2c:76:10:00:01": None}),
    ("mac-table", "juniper_mac_table.txt", {"44:19:b6:11:22:33": "hikvision", "38:af:29:12:34:56": "dahua", "00:1b:54:11:11:11": None}),
    ("mac-table", "aruba_mac_table.txt", {"44:19:b6:11:22:33": "hikvision", "00:19:c6:0a:0b:0c": "zte", "ac:cc:8e:12:34:56": None}),
    ("dhcpd", "dhcpd.leases", {"44:19:b6:11:22:33": "hikvision", "00:3d:e1:aa:bb:cc": "huawei", "00:1b:54:11:11:12": None}),
    ("dnsmasq", "dnsmasq.leases", {"44:19:b6:11:22:33": "hikvision", "38:af:29:12:34:56": "dahua", "ac:cc:8e:12:34:56": None}),
    ("zeek-dhcp", "zeek_dhcp.log", {"44:19:b6:11:22:33": "hikvision", "00:19:c6:0a:0b:0c": "zte"}),
    ("zeek-dhcp", "zeek_dhcp.json", {"44:19:b6:11:22:33": "hikvision", "38:af:29:12:34:56": "dahua"}),
    ("zeek-software", "zeek_software.log", {"192.0.2.5": "hikvision", "192.0.2.40": "huawei", "192.0.2.41": "huawei", "192.0.2.7": None}),
    ("runzero", "runzero.jsonl", {"44:19:b6:11:22:33": "hikvision", "08:ed:ed:01:01:01": "dahua", "ac:cc:8e:12:34:56": None}),
    ("runzero", "runzero.csv", {"44:19:b6:11:22:33": "hikvision", "00:19:c6:0a:0b:0c": "zte"}),
]


@pytest.mark.parametrize(("fmt", "name", "expected"), CASES, ids=[c[1] for c in CASES])
def test_import_round_trips_and_screens(cli, tmp_path, fmt, name, expected):
    observations = tmp_path / "obs.jsonl"
    code, _, err = cli("import", fmt, str(SAMPLES / name), "-o", str(observations))
    assert code == 0, err
    records = read_jsonl(observations)
    assert all(r["source"].startswith(fmt.split("-")[0]) and isinstance(r["services"], list) for r in records)
    direct, via_file = tmp_path / "direct.jsonl", tmp_path / "via.jsonl"
    cli("screen", "--from", fmt, str(SAMPLES / name), "-o", str(direct), "-q")
    cli("screen", str(observations), "-o", str(via_file), "-q")
    assert direct.read_text() == via_file.read_text()  # import then screen == screen --from
    findings = read_jsonl(direct)
    by_key = {}
    for record, finding in zip(records, findings):
        by_key[record.get("mac") or record.get("ip")] = finding
    for key, entity in expected.items():
        assert by_key[key]["entity"] == entity, (key, by_key[key]["explanation"])


def test_nmap_details(tmp_path):
    records = [r for _, r in IMPORTERS["nmap"][0](SAMPLES / "nmap.xml")]
    cam = records[0]
    assert cam["ip"] == "192.0.2.5" and cam["hostname"] == "cam-lobby.example.internal"
    http = next(s for s in cam["services"] if s["port"] == 80)
    assert http["http_server"] == "Hikvision-Webs"
    tls = next(s for s in cam["services"] if s["port"] == 443)
    assert tls["tls_subject"] == "CN=www.hikvision.com,O=HIKVISION,OU=DVRNVR,C=CN"
    zte = records[1]
    assert next(s for s in zte["services"] if s["port"] == 80)["www_authenticate"] == "Basic realm=cpe@zte.com"
    assert len(records) == 3  # the host that is down is not a device


def test_nmap_xml_is_parsed_safely(tmp_path):
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE nmaprun [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><nmaprun>&b;</nmaprun>')
    with pytest.raises(InputError, match="refused: the XML declares entities"):
        IMPORTERS["nmap"][0](bomb)
    external = tmp_path / "ext.xml"
    external.write_text('<?xml version="1.0"?><!DOCTYPE nmaprun [<!ENTITY x SYSTEM "file:///etc/passwd">]><nmaprun>&x;</nmaprun>')
    with pytest.raises(InputError, match="refused"):
        IMPORTERS["nmap"][0](external)
    broken = tmp_path / "broken.xml"
    broken.write_text('<?xml version="1.0"?>\n<nmaprun>\n<host><address addr="1.2.3.4"</host>')
    with pytest.raises(InputError, match="not well-formed XML at line 3"):
        IMPORTERS["nmap"][0](broken)
    other = tmp_path / "other.xml"
    other.write_text("<rss></rss>")
    with pytest.raises(InputError, match="not <nmaprun>"):
        IMPORTERS["nmap"][0](other)


@pytest.mark.parametrize(
    ("fmt", "content", "message"),
    [
        ("ip-neigh", "192.0.2.5 dev eth0 lladdr 44:19:b6:11:22:33 REACHABLE\ngarbage line here\n", "line 2: not an `ip neigh` line"),
        ("arp", "  192.0.2.5    44-19-b6-11-22-33   dynamic\n  what is this\n", "line 2: not an `arp -a` line"),
        ("dnsmasq", "1795551601 44:19:b6:11:22:33 192.0.2.5 cam *\n1795551601 zz:19:b6 192.0.2.6\n", "line 2: not a dnsmasq lease line"),
        ("zeek-dhcp", "#separator \\x09\n#fields\tts\tmac\tassigned_addr\n1.0\t44:19:b6:11:22:33\t192.0.2.5\n2.0\tonly-two\n", "line 4: 2 fields but the #fields header has 3"),
        ("runzero", '{"addresses": ["192.0.2.5"], "macs": ["44:19:b6:11:22:33"]}\n{"addresses": [\n', "line 2: not valid JSON"),
        ("mac-table", "  10    4419.b611.2233    DYNAMIC     Gi1/0/5\n  10    4419.b611.22zz    DYNAMIC     Gi1/0/6\n", "line 2: a MAC-like value"),
    ],
)
def test_bad_lines_become_located_error_rows(cli, tmp_path, fmt, content, message):
    path = tmp_path / "in.txt"
    path.write_text(content)
    code, out, err = cli("import", fmt, str(path), "-o", str(tmp_path / "obs.jsonl"))
    assert code == 2 and message in err and "Traceback" not in err
    assert len(read_jsonl(tmp_path / "obs.jsonl")) == 1  # the good line is kept
    findings = tmp_path / "f.jsonl"
    cli("screen", "--from", fmt, str(path), "-o", str(findings), "-q")
    rows = read_jsonl(findings)
    assert [r["verdict"] for r in rows][-1] == "error" and message.split(": ", 1)[1] in rows[-1]["error"]


@pytest.mark.parametrize("fmt", sorted(IMPORTERS))
def test_empty_and_wrong_files_are_clear_errors(cli, tmp_path, fmt):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    code, _, err = cli("import", fmt, str(empty))
    assert code == 2 and "error:" in err and "Traceback" not in err
    wrong = tmp_path / "wrong.txt"
    wrong.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0binary")
    code, _, err = cli("screen", "--from", fmt, str(wrong))
    assert code == 2 and "error:" in err and "Traceback" not in err


def test_unknown_import_format(cli, tmp_path):
    code, _, err = cli("import", "pcap", str(SAMPLES / "nmap.xml"))
    assert code == 2 and "unknown import format 'pcap'" in err
