"""`covscan discover` against real network stacks: simulated devices in network namespaces the
test creates, probed across the namespace boundary; the real nmap against the same devices; and
proof (packet capture plus a listening sentinel) that nothing outside the targets is contacted."""
from __future__ import annotations

import ipaddress
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "netlab"))
from conftest import read_jsonl  # noqa: E402
from lab import DEVICES, PREFIX, TARGETS, Lab, available  # noqa: E402

from covscan.discover.targets import Scope  # noqa: E402
from covscan.sources import InputError  # noqa: E402

REASON = available()
IN_CI = bool(os.environ.get("CI"))
needs_lab = pytest.mark.skipif(REASON is not None and not IN_CI, reason=f"network lab: {REASON}")
COVSCAN = [sys.executable, "-m", "covscan.cli"]
# Devices that serve only on ports outside the default list (see devices.py), and those ports.
ODD = {suffix: device for suffix, device in DEVICES.items() if "ports" in device}


def needs_tool(tool: str, why: str) -> pytest.MarkDecorator:
    """Skip when a system tool is missing on a developer's machine; in CI (CI=true, whose .ci/run
    installs nmap, tcpdump and iproute2) a missing tool is a failure, raised by `require`."""
    return pytest.mark.skipif(shutil.which(tool) is None and not IN_CI,
                              reason=f"{tool} is not installed ({why}); install it to run this test, CI always does")


def require(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is not installed, and CI must run this test (.ci/run installs it)")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if REASON:
        pytest.fail(f"network lab unavailable in CI: {REASON}")
    with Lab(tmp_path_factory.mktemp("netlab")) as running:
        yield running


@pytest.fixture(scope="module")
def scan(lab, tmp_path_factory):
    """One discovery of the whole target range, captured with tcpdump when it is installed."""
    folder = tmp_path_factory.mktemp("scan")
    findings, observations, pcap = folder / "findings.jsonl", folder / "obs.jsonl", folder / "scan.pcap"
    dump = lab.capture(pcap) if shutil.which("tcpdump") else None
    started = time.monotonic()
    result = lab.in_scanner(*COVSCAN, "discover", TARGETS, "--snmp-community", "lab-community", "--timeout", "1.0",
                            "-o", str(findings), "--observations", str(observations))
    elapsed = time.monotonic() - started
    if dump is not None:
        time.sleep(0.5)
        dump.terminate()
        dump.wait(5)
    print(f"discover {TARGETS}: {elapsed:.1f} s")
    return result, findings, observations, pcap if dump is not None else None


def _destinations(pcap: Path) -> set[str]:
    out = subprocess.run(["tcpdump", "-n", "-r", str(pcap)], capture_output=True, text=True).stdout
    found = set()
    for line in out.splitlines():
        parts = line.split(" > ")
        if len(parts) == 2:
            dst = parts[1].split(":")[0]
            found.add(".".join(dst.split(".")[:4]))
    return found


@needs_lab
def test_discover_finds_every_covered_device_and_clears_the_rest(lab, scan):
    result, findings, observations, _ = scan
    assert result.returncode == 1, result.stderr  # covered devices were found
    by_ip = {r["id"]: r for r in read_jsonl(findings)}
    records = {r["ip"]: r for r in read_jsonl(observations)}
    for suffix, device in DEVICES.items():
        ip = f"{PREFIX}.{suffix}"
        if suffix in ODD:
            assert ip not in records, f"{device['name']} serves only on ports outside the defaults"
            continue
        assert ip in records, f"{device['name']} did not answer"
        finding = next(f for f in by_ip.values() if f["id"] in (f"mac:{device['mac'].replace(':', '')}", f"ip:{ip}"))
        entity, verdict = device["expect"]
        assert (finding["entity"], finding["verdict"]) == (entity, verdict), (device["name"], finding["explanation"])
    # every signal kind the lab serves was observed
    kinds = {k for r in records.values() for s in r["services"] for k in s}
    assert kinds >= {"http_server", "www_authenticate", "http_title", "tls_subject", "tls_issuer", "rtsp_server", "ssh_banner",
                     "telnet_banner", "snmp_sysdescr", "snmp_sysobjectid", "sip_user_agent", "upnp_manufacturer", "upnp_model",
                     "onvif_scopes", "sadp", "dhip", "mdns"}
    assert records[f"{PREFIX}.11"]["mac"] == DEVICES[11]["mac"]
    # nothing outside the targets: the sentinel heard nothing
    assert lab.hits.read_text() == ""


@needs_lab
@needs_tool("tcpdump", "it records every packet the scanner sends")
def test_discover_sends_packets_only_to_the_targets(lab, scan):
    require("tcpdump")
    _, _, _, pcap = scan
    targets = ipaddress.ip_network(TARGETS)
    outside = {d for d in _destinations(pcap) if ipaddress.ip_address(d) not in targets}
    assert not outside, f"packets to addresses outside the targets: {outside}"


@needs_lab
def test_open_ports_outside_the_default_list_are_identified_by_what_answers(lab, tmp_path):
    """HTTP on 18080 and a telnet login prompt on 2323: the protocol probes run on any open port
    whose number says nothing, and what answered is screened like any other banner."""
    suffix, device = next(iter(ODD.items()))
    ip = f"{PREFIX}.{suffix}"
    ports = sorted(device["ports"].values())
    findings, observations = tmp_path / "f.jsonl", tmp_path / "obs.jsonl"
    result = lab.in_scanner(*COVSCAN, "discover", ip, "--ports", ",".join(map(str, [*ports, 80])), "--timeout", "1.0",
                            "-o", str(findings), "--observations", str(observations))
    assert result.returncode == 1, result.stderr
    (record,) = read_jsonl(observations)
    services = {s["port"]: s for s in record["services"] if s["protocol"] == "tcp"}
    assert set(services) == set(ports)  # 80 is closed there: not recorded
    http = services[device["ports"]["http"]]
    assert (http["service"], http["http_server"], http["http_title"]) == ("http", device["http"]["server"], "F660")
    assert http["www_authenticate"] == device["http"]["auth"]
    telnet = services[device["ports"]["telnet"]]
    assert (telnet["service"], telnet["telnet_banner"]) == ("telnet", "F660 Login:")
    (finding,) = read_jsonl(findings)
    assert (finding["entity"], finding["verdict"]) == device["expect"], finding["explanation"]
    assert lab.hits.read_text() == ""


@needs_lab
@needs_tool("tcpdump", "it records every packet the scanner sends")
def test_multicast_is_opt_in_and_only_reaches_the_standard_groups(lab, tmp_path):
    require("tcpdump")
    pcap = tmp_path / "mcast.pcap"
    dump = lab.capture(pcap)
    result = lab.in_scanner(*COVSCAN, "discover", f"{PREFIX}.11-13", "--multicast", "--timeout", "0.5", "-q")
    time.sleep(0.5)
    dump.terminate()
    dump.wait(5)
    assert result.returncode in (0, 1), result.stderr
    allowed = {f"{PREFIX}.11", f"{PREFIX}.12", f"{PREFIX}.13", "239.255.255.250"}
    assert _destinations(pcap) <= allowed
    assert lab.hits.read_text() == ""


@needs_lab
@needs_tool("nmap", "the test screens real nmap XML")
def test_real_nmap_output_imports_and_screens(lab, tmp_path):
    require("nmap")
    xml = tmp_path / "nmap.xml"
    hosts = f"{PREFIX}.11-23"
    result = lab.in_scanner("nmap", "-n", "-sV", "--version-light", "-p", "22,23,80,443,554",
                            "--script", "http-server-header,http-title,http-auth,ssl-cert,banner", "-oX", str(xml), hosts)
    assert result.returncode == 0, result.stderr
    findings = tmp_path / "f.jsonl"
    screened = subprocess.run([*COVSCAN, "screen", "--from", "nmap", str(xml), "-o", str(findings), "-q"], capture_output=True, text=True)
    assert screened.returncode in (0, 1), screened.stderr
    rows = {r["id"]: r for r in read_jsonl(findings)}
    expected = {11: "hikvision", 12: "dahua", 13: "huawei", 14: "zte", 15: "hytera", 21: None, 22: None, 23: None}
    for suffix, entity in expected.items():
        row = rows[f"mac:{DEVICES[suffix]['mac'].replace(':', '')}"]
        assert row["entity"] == entity, (DEVICES[suffix]["name"], row["explanation"])
    assert lab.hits.read_text() == ""


def test_targets_are_parsed_and_bounded():
    scope = Scope(["10.0.0.0/30", "10.0.1.5", "10.0.2.1-3", "10.0.3.250-10.0.3.251"])
    assert [str(h) for h in scope.hosts] == ["10.0.0.1", "10.0.0.2", "10.0.1.5", "10.0.2.1", "10.0.2.2", "10.0.2.3", "10.0.3.250", "10.0.3.251"]
    assert scope.allows("10.0.2.2") and not scope.allows("10.0.2.4") and not scope.allows("not-an-ip")
    for bad in ("printer.local", "10.0.0.300", "10.0.0.9-10.0.0.1"):
        with pytest.raises(InputError):
            Scope([bad])
    with pytest.raises(InputError, match="more than 256"):
        Scope(["10.0.0.0/16"], max_hosts=256)


def test_probes_refuse_addresses_outside_the_scope():
    import asyncio

    from covscan.discover.runner import DiscoverOptions, Discovery

    discovery = Discovery(Scope(["127.0.0.1"]), DiscoverOptions())

    async def attempt() -> None:
        await discovery._guarded("127.0.0.2", lambda: asyncio.sleep(0))

    with pytest.raises(PermissionError):
        asyncio.run(attempt())
    assert discovery.sent == 0
