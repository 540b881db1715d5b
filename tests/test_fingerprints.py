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


def screen(*services: dict, mac: str | None = None):
    record = {"ip": "192.0.2.1", "services": list(services)} | ({"mac": mac} if mac else {})
    fields = ObservationSource.preset_fields
    engine = Engine(KB, fields)
    frame = pl.DataFrame({c: pl.Series(c, [v], dtype=pl.String) for c, v in zip(ObservationSource(Path("x")).columns, flatten(record))})
    return engine.concrete(engine.screen(frame)["finding"][0], dict(zip(ObservationSource(Path("x")).columns, flatten(record))))


@pytest.mark.parametrize("rule", RULES, ids=[r.key for r in RULES])
def test_each_fingerprint_rule(rule):
    finding = screen({"port": 1, "protocol": "tcp", rule.label: rule.example})
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
    } | {rule.label: rule.example for rule in RULES}
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
