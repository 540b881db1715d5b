"""Every fingerprint rule matches its published example and leads to its entity; every observation
signal kind is read; every covered equipment producer is recognisable from the network."""
from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from covscan.engine import Engine
from covscan.evidence.base import EvidenceTuple
from covscan.kb import load
from covscan.observations import SERVICE_FIELDS, flatten
from covscan.sources.observations import ObservationSource

KB = load()
RULES = [rule for rules in KB.fingerprints.values() for rule in rules]
# A rule may name several signal kinds ("telnet_banner|ssh_banner"): its example is checked in each.
RULE_KINDS = [(rule, kind) for rule in RULES for kind in rule.label.split("|")]


def screen(*services: dict, mac: str | None = None):
    record = {"ip": "192.0.2.1", "services": list(services)} | ({"mac": mac} if mac else {})
    fields = ObservationSource.preset_fields
    engine = Engine(KB, fields)
    frame = pl.DataFrame({c: pl.Series(c, [v], dtype=pl.String) for c, v in zip(ObservationSource(Path("x")).columns, flatten(record))})
    return engine.concrete(engine.screen(frame)["finding"][0], dict(zip(ObservationSource(Path("x")).columns, flatten(record))))


@pytest.mark.parametrize(("rule", "kind"), RULE_KINDS, ids=[f"{r.key}-{k}" for r, k in RULE_KINDS])
def test_each_fingerprint_rule(rule, kind):
    finding = screen({"port": 1, "protocol": "tcp", kind: rule.example})
    resolution = KB.resolve(rule.node)
    assert finding.entity == resolution.entity
    assert any(e.rule == f"fingerprint.{rule.key}" for e in finding.evidence)
    expected = "review" if resolution.indirect or rule.confidence in ("low", "unverified") else {
        "unconditional": "covered", "use-limited": "conditional"}[KB.scope(resolution.entity)]
    assert finding.verdict.value == expected


def test_every_observation_signal_kind_is_read():
    examples = {
        "banner": "Hikvision IP camera httpd", "ftp_banner": "220 Huawei FTP server ready", "mdns": "ZTE-F670L._http._tcp.local.",
        "upnp_manufacturer": "Hikvision", "upnp_model": "DS-2CD2143G2-I", "snmp_sysobjectid": "1.3.6.1.4.1.3902.1",
        "onvif_scopes": ["onvif://www.onvif.org/name/HIKVISION", "onvif://www.onvif.org/hardware/DS-2CD2143G2-I"],
        "sadp": {"model": "DS-2CD2143G2-I"}, "dhip": {"DeviceType": "IPC-HDW5231R-ZE", "Vendor": "Dahua"},
    } | {kind: rule.example for rule, kind in RULE_KINDS}
    for kind in SERVICE_FIELDS:
        value = examples[kind]
        finding = screen({"port": 1, "protocol": "udp", kind: value})
        assert finding.entity is not None, kind
        assert any(e.signal == kind for e in finding.evidence), kind


@pytest.mark.parametrize(
    ("entity", "service"),
    [
        ("huawei", {"ssh_banner": "SSH-2.0-HUAWEI-1.5"}),
        ("zte", {"www_authenticate": 'Basic realm="cpe@zte.com"'}),
        ("hytera", {"snmp_sysdescr": "Hytera RD985 DMR Repeater V8.0"}),
        ("hikvision", {"http_server": "Hikvision-Webs"}),
        ("dahua", {"tls_issuer": "CN=Dahua Device NVR CA"}),
        ("kaspersky", {"http_title": "Kaspersky Security Center Web Console"}),
        ("dji", {"upnp_manufacturer": "DJI"}),
        ("autel", {"mdns": "Autel Robotics EVO Max 4T"}),
    ],
)
def test_every_covered_producer_is_recognisable_on_the_network(entity, service):
    assert screen({"port": 1, "protocol": "tcp"} | service).entity == entity


def test_conflicts_between_network_signals():
    random_mac = screen({"port": 80, "protocol": "tcp", "www_authenticate": 'Digest realm="Hikvision"'}, mac="02:5a:3c:00:00:17")
    assert (random_mac.entity, random_mac.verdict.value) == ("hikvision", "conditional")
    assert any(e.note and "locally administered" in e.note for e in random_mac.evidence)
    oem = screen({"port": 80, "protocol": "tcp", "http_server": "DVRDVS-Webs"}, mac="00:e0:4c:00:00:16")
    assert (oem.entity, oem.verdict.value) == ("hikvision", "review")
    agreed = screen({"port": 80, "protocol": "tcp", "http_server": "DVRDVS-Webs"}, {"port": 37020, "protocol": "udp", "sadp": {"model": "DS-7608NI-I2"}})
    assert agreed.verdict.value == "conditional"  # OEM-level signal, but the model agrees: Hikvision
    trap = screen({"port": 161, "protocol": "udp", "snmp_sysdescr": "H3C Comware Platform Software, Software Version 5.20.99"})
    assert trap.verdict.value == "clear"


def test_evidence_says_where_it_was_seen():
    finding = screen({"port": 8443, "protocol": "tcp", "tls_subject": "CN=www.hikvision.com,O=HIKVISION"})
    assert finding.evidence[0].field == "tls_subject 8443/tcp"


def test_extractor_reuses_work_for_repeated_banners():
    extractor = Engine(KB, ObservationSource.preset_fields).extractors["http_server"]
    values = ["80/tcp\x1fHikvision-Webs", "80/tcp\x1fHikvision-Webs\x1e8080/tcp\x1fnginx"]
    out: list[EvidenceTuple] = extractor.extract(values, "http_server")
    assert [len(x) for x in out] == [1, 1]


# Banners that name no company: a model number where the banner's form puts one, or the vendor's OS.
# Each is a published example (sources in fingerprints.csv and model_patterns.csv); the verdict says
# whether the form makes the model distinctive (covered) or it still needs corroboration (review).
@pytest.mark.parametrize(
    ("service", "entity", "verdict", "rule"),
    [
        ({"sip_user_agent": "F660/V2.22.2"}, "zte", "covered", "fingerprint.zte-sip-ont"),
        ({"sip_server": "F668/VT2.30.22P1T9"}, "zte", "covered", "fingerprint.zte-sip-ont"),
        ({"sip_user_agent": "ZXHN F670L V9.0"}, "zte", "covered", "model.zte-zxhn"),
        ({"telnet_banner": "F660 login:"}, "zte", "review", "model.zte-ont-bare"),
        ({"www_authenticate": 'Digest realm="HG8245H"'}, "huawei", "covered", "model.huawei-ont"),
        ({"www_authenticate": 'Basic realm="ZXHN H108L"'}, "zte", "covered", "model.zte-zxhn"),
        ({"http_title": "HG8245H"}, "huawei", "covered", "model.huawei-ont"),
        ({"snmp_sysdescr": "S5720-28X-SI-AC"}, "huawei", "covered", "model.huawei-s-full"),  # full model with Huawei's suffix grammar
        ({"ssh_banner": "SSH-2.0--"}, "huawei", "covered", "fingerprint.huawei-ssh-empty"),
        ({"ssh_banner": "SSH-1.99--"}, "huawei", "covered", "fingerprint.huawei-ssh-empty"),
        ({"ssh_banner": "SSH-2.0-VRP-3.3"}, "huawei", "covered", "fingerprint.huawei-ssh-vrp"),
        ({"ssh_banner": "SSH-1.99-DOPRA-1.5"}, "huawei", "covered", "fingerprint.huawei-dopra-ssh"),
        ({"telnet_banner": "Huawei Versatile Routing Platform Software, VRP (R) software, Version 5.170"}, "huawei", "covered", "fingerprint.huawei-vrp-text"),
        ({"telnet_banner": "Welcome to ZXR10 5250-28TC Switch of ZTE Corporation login:"}, "zte", "covered", "fingerprint.zte-welcome-cli"),
        ({"telnet_banner": "Welcome to ZXAN product C300 of ZTE Corporation Username:"}, "zte", "covered", "fingerprint.zte-welcome-cli"),
        ({"http_server": "CPE-SERVER/1.0 Supports only GET"}, "zte", "review", "fingerprint.zte-cpe-server"),
        ({"http_server": "IPWEBS/1.4.0"}, "huawei", "review", "fingerprint.huawei-ipwebs"),
    ],
)
def test_banners_without_a_company_name(service, entity, verdict, rule):
    finding = screen({"port": 1, "protocol": "tcp"} | service)
    assert (finding.entity, finding.verdict.value) == (entity, verdict), finding.explanation
    assert any(e.rule == rule for e in finding.evidence), [e.rule for e in finding.evidence]
    assert all(e.signal == next(iter(service)) for e in finding.evidence if e.entity)


@pytest.mark.parametrize(
    "service",
    [{"http_title": "Login"}, {"http_server": "nginx/1.22.1"}, {"sip_user_agent": "Linphone/5.0.0"},
     {"ssh_banner": "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3"}, {"www_authenticate": 'Digest realm="Login to 5J0ABC1234DEF"'},
     {"telnet_banner": "raspberrypi login:"}],
)
def test_ordinary_banners_stay_clear(service):
    assert screen({"port": 1, "protocol": "tcp"} | service).verdict.value == "clear"


@pytest.mark.parametrize(
    ("descr", "vendor"),
    [("Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(7)E8, RELEASE SOFTWARE (fc3)", "cisco"),
     ("H3C Comware Platform Software, Software Version 5.20, Release 2208", "h3c")],
)
def test_sysdescr_naming_another_vendor_overrules_a_covered_enterprise_number(descr, vendor):
    """1.3.6.1.4.1.2011.x is Huawei's enterprise number; a sysDescr of the same reply that plainly
    names Cisco (or H3C, which used Huawei's subtree as Huawei-3Com) overrules it: clear."""
    snmp = {"port": 161, "protocol": "udp", "snmp_sysobjectid": "1.3.6.1.4.1.2011.10.1.2", "snmp_sysdescr": descr}
    finding = screen(snmp)
    assert finding.verdict.value == "clear", finding.explanation
    assert [e.rule for e in finding.conflicts] == ["pen.2011"]  # the number is shown as overruled, not hidden
    assert "enterprise number for Huawei" in finding.explanation and "not enough on its own" in finding.explanation
    assert any(e.target == vendor for e in finding.evidence)
    pen = next(e for e in finding.evidence if e.rule == "pen.2011")
    assert pen.value == "1.3.6.1.4.1.2011.10.1.2" and "names" in (pen.note or "")
    # the number alone, or with a sysDescr that agrees, still decides
    assert screen(snmp | {"snmp_sysdescr": None}).verdict.value == "covered"
    vrp = "Huawei Versatile Routing Platform Software, VRP (R) software, Version 5.170"
    agreed = screen(snmp | {"snmp_sysdescr": vrp})
    assert agreed.verdict.value == "covered" and not agreed.conflicts
    # a sysDescr on another port does not speak for this reply's number
    apart = screen({"port": 161, "protocol": "udp", "snmp_sysobjectid": "1.3.6.1.4.1.2011.10.1.2"},
                   {"port": 1161, "protocol": "udp", "snmp_sysdescr": descr})
    assert apart.entity == "huawei"
