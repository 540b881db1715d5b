"""Hostile input to the importers and to observation records (issue 14): every case of the
independent corpus that hung or crashed, with its exact outcome now — a one-line message naming
the file (exit 2, no traceback), or error records for the broken lines while the rest is imported.
Big cases run `covscan` in a subprocess with a 60 s bound (completion, not speed) and a 1 GiB
bound on peak memory; Hypothesis mutates the sample files of every importer."""
from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import pytest
from conftest import covscan_bounded
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import read_jsonl
from covscan import limits, observations
from covscan.imports import IMPORTERS
from covscan.sources import InputError

SAMPLES = Path(__file__).parent / "data" / "imports"
SOFTWARE_HEADER = "#separator \\x09\n#fields\tts\thost\thost_p\tsoftware_type\tunparsed_version\n"


@pytest.fixture(autouse=True)
def default_limits():
    """A test that passes --limit in-process leaves no changed limits behind."""
    yield
    limits.configure([])


def covscan(*args: str) -> subprocess.CompletedProcess[str]:
    """The command in its own process: within 60 s and 1 GiB of its own (conftest.covscan_bounded)."""
    return covscan_bounded(*args)


def lease(i: int, closed: bool = True) -> str:
    return (f"lease 10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255} {{\n  starts 2 2026/11/24 09:00:01;\n"
            f"  hardware ethernet 44:19:b6:{i >> 16 & 255:02x}:{i >> 8 & 255:02x}:{i & 255:02x};\n"
            f'  client-hostname "h{i}";\n' + ("}\n" if closed else ""))


def nmap_host(ports: list[str], address: str = "192.0.2.5") -> str:
    body = "".join(f'<port protocol="tcp" portid="{p}"><state state="open"/><service name="http"/></port>' for p in ports)
    return f'<host><status state="up"/><address addr="{address}" addrtype="ipv4"/><ports>{body}</ports></host>'


def nmap_xml(*hosts: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<nmaprun scanner="nmap">\n{"".join(hosts)}\n</nmaprun>\n'


def imported(cli, tmp_path: Path, fmt: str, content: str | bytes, *options: str) -> tuple[int, list[dict], list[str]]:
    """Exit code, records written and error lines of `covscan [options] import fmt` on content."""
    path = tmp_path / "input.txt"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    out = tmp_path / "obs.jsonl"
    code, _, err = cli(*options, "import", fmt, str(path), "-o", str(out))
    assert "Traceback" not in err
    return code, read_jsonl(out) if out.exists() else [], [line for line in err.splitlines() if line.startswith("input.txt ")]


# ------------------------------------------------------------------ hangs and memory


def test_dhcpd_leases_of_100000_lines(tmp_path):
    path = tmp_path / "dhcpd.leases"
    path.write_text("".join(lease(i) for i in range(20_000)))  # 5 lines each
    proc = covscan("import", "dhcpd", str(path), "-o", str(tmp_path / "obs.jsonl"))
    assert proc.returncode == 0 and "wrote 20,000 observation records" in proc.stderr
    last = read_jsonl(tmp_path / "obs.jsonl")[-1]
    assert last == {"ip": "10.0.78.31", "mac": "44:19:b6:00:4e:1f", "hostname": "h19999", "source": "dhcpd",
                    "seen_at": "2026/11/24 09:00:01", "services": []}


def test_dhcpd_leases_with_30000_unclosed_blocks(tmp_path):
    path = tmp_path / "dhcpd.leases"
    path.write_text("".join(lease(i, closed=False) for i in range(30_000)))
    proc = covscan("import", "dhcpd", str(path))
    assert proc.returncode == 2
    assert proc.stderr.strip().endswith(f"error: {path}: no dhcpd lease blocks found (line 1: lease 10.0.0.0: no closing '}}' "
                                        "before the next lease at line 5); is this the right format?")
    path.write_text("".join(lease(i, closed=False) for i in range(30_000)) + lease(30_000))
    proc = covscan("import", "dhcpd", str(path), "-o", str(tmp_path / "obs.jsonl"))
    errors = [line for line in proc.stderr.splitlines() if "no closing" in line]
    assert proc.returncode == 2 and len(errors) == 30_000
    assert errors[0] == "dhcpd.leases line 1: lease 10.0.0.0: no closing '}' before the next lease at line 5"
    assert errors[-1] == "dhcpd.leases line 119997: lease 10.0.117.47: no closing '}' before the next lease at line 120001"
    assert [r["ip"] for r in read_jsonl(tmp_path / "obs.jsonl")] == ["10.0.117.48"]


def test_nmap_host_with_65535_open_ports(tmp_path):
    path = tmp_path / "nmap.xml"
    path.write_text(nmap_xml(nmap_host([str(p) for p in range(1, 65536)])))
    proc = covscan("import", "nmap", str(path), "-o", str(tmp_path / "obs.jsonl"))
    assert proc.returncode == 0
    [record] = read_jsonl(tmp_path / "obs.jsonl")
    assert [s["port"] for s in record["services"]] == list(range(1, 65536))


def test_zeek_software_log_of_one_host_with_65535_ports(tmp_path):
    path = tmp_path / "software.log"
    path.write_text(SOFTWARE_HEADER + "".join(f"1.0\t192.0.2.5\t{p}\tHTTP::SERVER\tWebs/{p}\n" for p in range(1, 65536)))
    proc = covscan("import", "zeek-software", str(path), "-o", str(tmp_path / "obs.jsonl"))
    assert proc.returncode == 0
    [record] = read_jsonl(tmp_path / "obs.jsonl")
    assert len(record["services"]) == 65_535 and record["services"][-1] == {"port": 65535, "protocol": "tcp", "http_server": "Webs/65535"}


def test_observation_record_with_100000_services(tmp_path):
    """Each (port, value) kept once in a dict, not by scanning a list: flatten was quadratic. Favicon
    hashes, whose evidence is a rule lookup, keep this about the record, not about evidence cost."""
    path = tmp_path / "obs.jsonl"
    services = [{"port": p % 65536, "protocol": "tcp" if p < 65536 else "udp", "favicon_md5": f"{p:032x}"} for p in range(100_000)]
    path.write_text(json.dumps({"ip": "192.0.2.5", "services": services}) + "\n")
    proc = covscan("screen", str(path), "-o", str(tmp_path / "f.jsonl"), "-q")
    [finding] = read_jsonl(tmp_path / "f.jsonl")
    assert proc.returncode == 0 and finding["verdict"] == "clear"


def test_screening_hosts_with_many_service_texts(tmp_path):
    log = tmp_path / "software.log"
    log.write_text(SOFTWARE_HEADER + "".join(f"1.0\t192.0.2.5\t{p}\tHTTP::SERVER\tWebs\n" for p in range(1, 65536)))
    proc = covscan("screen", "--from", "zeek-software", str(log), "-o", str(tmp_path / "f.jsonl"), "-q")
    assert proc.returncode == 0 and read_jsonl(tmp_path / "f.jsonl")[0]["verdict"] == "clear"
    path = tmp_path / "obs.jsonl"
    services = [{"port": p % 65536, "protocol": "tcp" if p < 65536 else "udp", "banner": f"server {p}"} for p in range(100_000)]
    path.write_text(json.dumps({"ip": "192.0.2.5", "services": services}) + "\n")
    proc = covscan("screen", str(path), "-o", str(tmp_path / "f.jsonl"), "-q")
    assert proc.returncode == 0 and read_jsonl(tmp_path / "f.jsonl")[0]["verdict"] == "clear"


@pytest.mark.parametrize("tail", ["-Gi1a" * 36_000, "1" * 180_000 + "x", "1/" * 90_000 + "x", "4419.b611." * 18_000])
def test_mac_table_line_of_180_kb(cli, tmp_path, tail):
    """Ports are matched against whole tokens: no regex is searched through the line."""
    code, records, errors = imported(cli, tmp_path, "mac-table", f"  10    4419.b611.2233    DYNAMIC     Gi1/0/5\n  20    0019.c60a.0b0c    DYNAMIC     {tail}\n")
    assert code == 0 and errors == []
    assert [(r["mac"], r["source"]) for r in records] == [("44:19:b6:11:22:33", "mac-table port Gi1/0/5"), ("00:19:c6:0a:0b:0c", "mac-table port ?")]


def test_line_over_the_limit_is_an_error_record_and_reading_goes_on(cli, tmp_path):
    content = "1795551601 44:19:b6:11:22:33 192.0.2.5 cam *\n" + "x" * 5000 + "\n1795551602 38:af:29:12:34:56 192.0.2.11 nvr *\n"
    code, records, errors = imported(cli, tmp_path, "dnsmasq", content, "--limit", "line-bytes=1KiB")
    assert code == 2 and [r["ip"] for r in records] == ["192.0.2.5", "192.0.2.11"]
    assert errors == ["input.txt line 2: the line is too long to read (limit line-bytes=1,024; raise it with --limit line-bytes=N)"]


def test_text_is_streamed_a_line_at_a_time(tmp_path):
    """A 200 MB line (over the default 64 MiB line limit) is skipped, not held."""
    path = tmp_path / "arp.txt"
    with path.open("w") as fh:
        fh.write("  192.0.2.5    44-19-b6-11-22-33   dynamic\n")
        for _ in range(200):
            fh.write("y" * (1 << 20))
        fh.write("\n  192.0.2.11   38-af-29-12-34-56   dynamic\n")
    proc = covscan("import", "arp", str(path), "-o", str(tmp_path / "obs.jsonl"))
    assert proc.returncode == 2 and "arp.txt line 2: the line is too long to read (limit line-bytes=67,108,864" in proc.stderr
    assert [r["ip"] for r in read_jsonl(tmp_path / "obs.jsonl")] == ["192.0.2.5", "192.0.2.11"]


def test_binary_data_is_told_from_a_bounded_sample(cli, tmp_path):
    code, _, err = cli("import", "arp", str(tmp_path / "none.txt"))
    assert code == 2 and "none.txt: no such file" in err
    binary = tmp_path / "early.txt"
    binary.write_bytes(b"192.0.2.5 \0" + b"x" * 10_000)
    code, _, err = cli("import", "arp", str(binary))
    assert code == 2 and f"{binary}: binary data; expected `arp -a` output (text)" in err
    code, records, errors = imported(cli, tmp_path, "arp", b"  192.0.2.5    44-19-b6-11-22-33   dynamic\n" * 200 + b"\0 late\n")
    assert code == 2 and len(records) == 200 and errors == ["input.txt line 201: not an `arp -a` line: '\\x00 late'"]


# ------------------------------------------------------------------ limits


def test_services_per_host_limit(cli, tmp_path):
    code, records, errors = imported(cli, tmp_path, "nmap", nmap_xml(nmap_host([str(p) for p in range(1, 12)]), nmap_host(["22"], "192.0.2.6")),
                                     "--limit", "services-per-host=10")
    assert code == 2 and [r["ip"] for r in records] == ["192.0.2.6"]
    assert errors == ["input.txt host 1: too many services for one host (limit services-per-host=10; raise it with --limit services-per-host=N)"]
    log = SOFTWARE_HEADER + "".join(f"1.0\t192.0.2.5\t{p}\tHTTP::SERVER\tWebs\n" for p in range(1, 12)) + "1.0\t192.0.2.6\t22\tSSH::SERVER\tSSH-2.0\n"
    code, records, errors = imported(cli, tmp_path, "zeek-software", log, "--limit", "services-per-host=10")
    assert code == 2 and [r["ip"] for r in records] == ["192.0.2.6"]
    assert errors == ["input.txt line 3: too many services for one host (limit services-per-host=10; raise it with --limit services-per-host=N)"]
    obs = tmp_path / "obs.jsonl"
    obs.write_text(json.dumps({"ip": "192.0.2.5", "services": [{"port": p} for p in range(11)]}) + "\n")
    code, _, _ = cli("--limit", "services-per-host=10", "screen", str(obs), "-o", str(tmp_path / "f.jsonl"), "-q")
    [row] = read_jsonl(tmp_path / "f.jsonl")
    assert code == 2 and row["verdict"] == "error"
    assert row["error"] == ("obs.jsonl row 0 (line 1): not an observation record: too many services for one host "
                            "(limit services-per-host=10; raise it with --limit services-per-host=N)")


def test_leases_per_file_limit(cli, tmp_path):
    code, records, errors = imported(cli, tmp_path, "dhcpd", "".join(lease(i) for i in range(3)), "--limit", "leases-per-file=2")
    assert code == 2 and len(records) == 2
    assert errors == [("input.txt line 11: more lease blocks than the limit; the rest of the file is not imported "
                       "(limit leases-per-file=2; raise it with --limit leases-per-file=N)")]


def test_json_within_nesting_and_digit_limits(cli, tmp_path):
    deep = '{"host": "192.0.2.9", "x": ' + "[" * 100_000 + "]" * 100_000 + "}\n"
    good = '{"host": "192.0.2.5", "host_p": 80, "unparsed_version": "Webs", "n": ' + "9" * 5000 + "}\n"
    code, records, errors = imported(cli, tmp_path, "zeek-software", deep + good)
    assert code == 2 and [r["ip"] for r in records] == ["192.0.2.5"]
    assert errors == ["input.txt line 1: arrays and objects nested more than 64 deep (limit nesting=64; raise it with --limit nesting=N)"]
    code, records, _ = imported(cli, tmp_path, "zeek-dhcp", '{"mac": "44:19:b6:11:22:33", "host_name": "cam\\ud800"}\n')
    assert code == 0 and records[0]["hostname"] == "cam\ufffd"  # a lone surrogate cannot be written out
    obs = tmp_path / "obs.jsonl"
    obs.write_text('{"ip": "192.0.2.5", "services": []}\n' + '{"ip": "192.0.2.6", "services": ' + "[" * 65 + "]" * 65 + "}\n")
    cli("screen", str(obs), "-o", str(tmp_path / "f.jsonl"), "-q")
    rows = read_jsonl(tmp_path / "f.jsonl")
    assert rows[1]["error"] == "obs.jsonl row 1 (line 2): arrays and objects nested more than 64 deep (limit nesting=64; raise it with --limit nesting=N)"


# ------------------------------------------------------------------ nmap


def test_nmap_port_that_is_not_a_number(cli, tmp_path):
    code, records, errors = imported(cli, tmp_path, "nmap", nmap_xml(nmap_host(["http", "22", "²", "70000"]), nmap_host(["80"], "192.0.2.6")))
    assert code == 2
    assert [(r["ip"], [s["port"] for s in r["services"]]) for r in records] == [("192.0.2.5", [22]), ("192.0.2.6", [80])]
    assert errors == [f"input.txt host 1: portid {bad!r} is not a port number (0-65535); the host's other ports are imported" for bad in ("http", "²", "70000")]


@pytest.mark.parametrize(("encoding", "reason"), [("x-bogus", "unknown encoding: x-bogus"), ("shift_jis", "multi-byte encodings are not supported")])
def test_nmap_unknown_declared_encoding(cli, tmp_path, encoding, reason):
    path = tmp_path / "scan.xml"
    path.write_text(nmap_xml(nmap_host(["80"])).replace("UTF-8", encoding))
    code, _, err = cli("import", "nmap", str(path))
    assert code == 2 and "Traceback" not in err
    assert err.strip().endswith(f"{path}: the XML cannot be decoded ({reason}); nmap writes UTF-8")


def test_nmap_is_streamed_and_still_defused(cli, tmp_path):
    """Elements outside the port being read are dropped as they close; entity declarations are still refused."""
    many = "".join(nmap_host(["80"], f"10.0.{i >> 8}.{i & 255}") for i in range(2000))
    code, records, _ = imported(cli, tmp_path, "nmap", nmap_xml(many))
    assert code == 0 and len(records) == 2000
    path = tmp_path / "bomb.xml"
    path.write_text('<?xml version="1.0"?><!DOCTYPE nmaprun [<!ENTITY a "aaaa">]><nmaprun>&a;</nmaprun>')
    with pytest.raises(InputError, match="refused: the XML declares entities"):
        IMPORTERS["nmap"][0](path)
    path.write_text("<nmaprun>" + "<x>" * 100 + "</x>" * 100 + "</nmaprun>")
    with pytest.raises(InputError, match=r"XML elements nested more than 64 deep \(limit nesting=64"):
        IMPORTERS["nmap"][0](path)


# ------------------------------------------------------------------ Zeek


@pytest.mark.parametrize("header", ["#separator \\x", "#separator", "#separator ", "#separator \\q09"])
def test_zeek_separator_that_is_empty_or_badly_escaped(cli, tmp_path, header):
    code, _, err = cli("import", "zeek-software", str(write(tmp_path, f"{header}\n#fields\tts\thost\n1\t192.0.2.5\n")))
    value = header.partition(" ")[2].strip()
    assert code == 2 and "Traceback" not in err
    assert err.strip().endswith(f"line 1: the #separator header {value!r} is not a separator; expected e.g. #separator \\x09")


def test_zeek_without_separator_header_is_tab_separated(cli, tmp_path):
    code, records, errors = imported(cli, tmp_path, "zeek-software", "#fields\tts\thost\thost_p\tunparsed_version\n1.0\t192.0.2.5\t80\tWebs\n")
    assert code == 0 and errors == [] and records[0]["services"] == [{"port": 80, "protocol": "tcp", "banner": "Webs"}]


def test_zeek_port_that_is_a_superscript_digit(cli, tmp_path):
    log = SOFTWARE_HEADER + "1.0\t192.0.2.5\t²\tHTTP::SERVER\tWebs\n1.0\t192.0.2.6\t80\tHTTP::SERVER\tWebs\n"
    code, records, errors = imported(cli, tmp_path, "zeek-software", log)
    assert code == 2 and [r["ip"] for r in records] == ["192.0.2.6"]
    assert errors == ["input.txt line 3: host_p '²' is not a port number"]


def test_zeek_host_given_as_a_json_list(cli, tmp_path):
    log = '{"host": ["192.0.2.5"], "host_p": 80, "unparsed_version": "Webs"}\n{"host": "192.0.2.6", "host_p": 80, "unparsed_version": "Webs"}\n'
    code, records, errors = imported(cli, tmp_path, "zeek-software", log)
    assert code == 2 and [r["ip"] for r in records] == ["192.0.2.6"]
    assert errors == ["input.txt line 1: host ['192.0.2.5'] is not text"]
    code, records, errors = imported(cli, tmp_path, "zeek-dhcp", '{"mac": {"a": 1}}\n{"mac": "44:19:b6:11:22:33"}\n')
    assert code == 2 and len(records) == 1 and errors == ["input.txt line 1: mac {'a': 1} is not text"]


# ------------------------------------------------------------------ runZero


def test_runzero_csv_field_over_128_kib(cli, tmp_path):
    content = f'address,mac,hw\n192.0.2.5,44:19:b6:11:22:33,"{"x" * 140_000}"\n192.0.2.6,00:19:c6:0a:0b:0c,ZTE\n'
    code, records, errors = imported(cli, tmp_path, "runzero", content)
    assert code == 0 and errors == [] and [r["ip"] for r in records] == ["192.0.2.5", "192.0.2.6"]
    assert records[0]["services"][0]["banner"] == "hw: " + "x" * 140_000
    code, records, errors = imported(cli, tmp_path, "runzero", content, "--limit", "field-bytes=64KiB")
    assert code == 2 and [r["ip"] for r in records] == ["192.0.2.6"]
    assert errors == ["input.txt line 2: a field over the limit (limit field-bytes=65,536; raise it with --limit field-bytes=N)"]


def write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "input.txt"
    path.write_text(content)
    return path


# ------------------------------------------------------------------ mutations of the samples

SAMPLE_OF = {
    "nmap": ["nmap.xml"], "ip-neigh": ["ip_neigh.txt"], "arp": ["arp_windows.txt", "arp_linux.txt"],
    "mac-table": ["cisco_mac_table.txt", "juniper_mac_table.txt", "aruba_mac_table.txt"], "dhcpd": ["dhcpd.leases"],
    "dnsmasq": ["dnsmasq.leases"], "zeek-dhcp": ["zeek_dhcp.log", "zeek_dhcp.json"], "zeek-software": ["zeek_software.log"],
    "runzero": ["runzero.csv", "runzero.jsonl"],
}
JUNK = [
    b"\0", b"\xff\xfe\xfd", b"\xc2\xb2", b"lease 10.0.0.9 {", b"}", b"{", b'"', b"#separator \\x", b"#separator", b"#fields\tts\thost",
    b'{"host": ["x"], "host_p": true}', b'{"host_name": "\\udc00", "mac": "00:11:22:33:44:55"}', b'{"addresses": {"a": [1]}, "macs": 7}', b"[" * 200, b"9" * 5000, b"\\x41\t\t\t",
    b'<port protocol="tcp" portid="\xc2\xb2"><state state="open"/></port>', b"<host>", b"</nmaprun>", b"<!ENTITY x 'y'>",
    b"-Gi1a" * 200, b"1 dev " + b"x" * 300 + b" lladdr", b"(1.1.1.1) at", b"4419.b611.22", b'a,"b\n', b"\r", b"\x1e\x1f\x85",
]
MUTATION = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 1 << 16), st.integers(1, 255)),
    st.tuples(st.just("cut"), st.integers(0, 1 << 16), st.just(0)),
    st.tuples(st.just("line"), st.integers(0, 1 << 16), st.one_of(st.sampled_from(JUNK), st.binary(max_size=100))),
)


def mutate(data: bytes, mutations: list[tuple[str, int, int | bytes]]) -> bytes:
    for kind, at, arg in mutations:
        at %= len(data) + 1
        if kind == "flip" and at < len(data):
            data = data[:at] + bytes([data[at] ^ int(arg)]) + data[at + 1:]
        elif kind == "cut":
            data = data[:at]
        elif kind == "line":
            start = data.rfind(b"\n", 0, at) + 1
            data = data[:start] + bytes(arg) + b"\n" + data[start:]
    return data


@pytest.mark.parametrize("fmt", sorted(SAMPLE_OF))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.integers(0, 2), mutations=st.lists(MUTATION, min_size=1, max_size=6))
def test_mutated_samples_give_records_or_input_errors(fmt, which, mutations):
    names = SAMPLE_OF[fmt]
    data = mutate((SAMPLES / names[which % len(names)]).read_bytes(), mutations)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / names[which % len(names)]
        path.write_bytes(data)
        try:
            records = IMPORTERS[fmt][0](path)
        except InputError as exc:
            assert str(exc).startswith(str(path)) and "\n" not in str(exc)
            return
    for where, obj in records:
        assert isinstance(where, str) and isinstance(obj, (dict, str))
        if isinstance(obj, dict):  # a record the importer gives out can be written, and `covscan screen` accepts it
            json.dumps(obj, ensure_ascii=False).encode()
            assert observations.problems(obj) == []
            observations.flatten(obj)
