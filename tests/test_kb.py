"""The knowledge base holds every Covered List entry with provenance, and refuses malformed data."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from covscan.kb import KBError
from covscan.kb.loader import CONFIDENCE_LEVELS, load_raw

# Every Covered List entry in the shared reference (regulatory.md 2.2 and the 2026 update).
EXPECTED_ENTRIES = {
    1: ("huawei", "2021-03-12", "unconditional"),
    2: ("zte", "2021-03-12", "unconditional"),
    3: ("hytera", "2021-03-12", "use-limited"),
    4: ("hikvision", "2021-03-12", "use-limited"),
    5: ("dahua", "2021-03-12", "use-limited"),
    6: ("kaspersky", "2022-03-25", "software"),
    7: ("china-mobile", "2022-03-25", "services"),
    8: ("china-telecom", "2022-03-25", "services"),
    9: ("pacific-networks", "2022-09-20", "services"),
    10: ("china-unicom", "2022-09-20", "services"),
    11: ("kaspersky", "2024-07-23", "software"),
    12: ("uas", "2025-12-22", "category"),
    13: ("routers", "2026-03-23", "category"),
    14: ("digitalsystem", "2026-07-07", "services"),
    15: ("power-inverters", "2026-07-28", "category"),
    16: ("robotic-devices", "2026-07-28", "category"),
}
DATA = Path(__file__).parents[1] / "src" / "covscan" / "kb" / "data"


def test_every_covered_list_entry_is_present_with_provenance(kb):
    got = {e.entry: (e.entity, e.date_added, e.scope) for e in kb.entries}
    assert got == EXPECTED_ENTRIES
    for e in kb.entries:
        assert e.source and e.confidence in CONFIDENCE_LEVELS and e.covered and e.basis
        assert all(r in kb.regimes for r in e.regimes)


def test_uas_entry_names_dji_and_autel(kb):
    uas = next(e for e in kb.entries if e.entry == 12)
    assert set(uas.named_entities) == {"dji", "autel"}
    assert kb.scope("dji") == "unconditional" and kb.scope("uas") == "category"


def test_every_regime_says_what_it_does_in_each_context(kb):
    for regime in kb.regimes.values():
        assert set(regime.effects) >= {"general", "network-owner", "federal-contractor", "marketplace"}
        assert regime.relevant_in and regime.source and regime.authority


def test_every_name_edge_and_identifier_has_source_and_confidence(kb):
    for alias in kb.aliases:
        assert alias.source and alias.confidence in CONFIDENCE_LEVELS, alias
    for node in kb.nodes.values():
        for edge in node.edges:
            assert edge.source and edge.confidence in CONFIDENCE_LEVELS
    for table in (kb.grantees, kb.pens, kb.usb):
        for ident in table.values():
            assert ident.source and ident.confidence in CONFIDENCE_LEVELS


def test_unverified_facts_are_not_promoted(kb):
    assert kb.grantees["SVN"].confidence == "low"
    assert kb.grantees["Q78"].confidence == "unverified"
    assert kb.grantees["2APV2"].confidence == "low"
    assert kb.grantees["QIS"].confidence == kb.grantees["2ADTD"].confidence == "high"
    hytera_cjk = next(a for a in kb.aliases if a.name == "海能达通信股份有限公司")
    assert hytera_cjk.confidence == "unverified"


def test_entity_graph_links_brands_to_parents(kb):
    cases = {
        "ezviz": ("hikvision", "brand"), "hilook": ("hikvision", "brand"), "hikmicro": ("hikvision", "affiliate"),
        "annke": ("hikvision", "oem"), "lts": ("hikvision", "oem"), "prama-hikvision": ("hikvision", "affiliate"),
        "huacheng": ("dahua", "brand"), "amcrest": ("dahua", "oem"), "lorex": ("dahua", "former-subsidiary"),
        "hisilicon": ("huawei", "chip-supplier"), "huawei-device": ("huawei", "subsidiary"),
        "sepura": ("hytera", "subsidiary"), "powertrunk": ("hytera", "subsidiary"), "comnet": ("pacific-networks", "subsidiary"),
    }
    for node, (entity, relation) in cases.items():
        r = kb.resolve(node)
        assert (r.entity, r.relation) == (entity, relation), node
    assert kb.resolve("aztech") is None
    lorex = kb.nodes["lorex"].edges[0]
    assert (lorex.since, lorex.until) == ("2018", "2022-11-24")


def test_entity_list_memberships_carry_dates_and_counts(kb):
    huawei = {(m["date"] if isinstance(m["date"], str) else m["date"].isoformat(), m.get("count")) for m in kb.nodes["huawei"].memberships if m["regime"] == "bis_entity_list"}
    assert {(str(d), c) for d, c in huawei} == {("2019-05-16", 68), ("2019-08-19", 46), ("2020-08-17", 38)}
    assert any(m["regime"] == "bis_entity_list" for m in kb.nodes["hikvision"].memberships)


def test_mac_registry_has_all_three_block_sizes(kb):
    counts = kb.mac_registry.counts()
    assert counts[24] > 30_000 and counts[28] > 4_000 and counts[36] > 5_000
    sizes = {b.bits for b in kb.mac_registry.blocks_for({"kaspersky", "norsat", "huawei"})}
    assert sizes == {24, 28, 36}


def test_kb_version_changes_with_content(tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    before = load_raw(copy).version
    path = copy / "scoring.yaml"
    path.write_text(path.read_text() + "\n# edited\n")
    assert load_raw(copy).version != before


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("covered_list.yaml", "scope: unconditional", "scope: everything", "covered_list.yaml entry 1: scope 'everything'"),
        ("covered_list.yaml", "    confidence: high\n", "    confidence: sure\n", "confidence 'sure'"),
        ("entities.yaml", "edges: [{to: hikvision, relation: brand, confidence: high,", "edges: [{to: hikvisionx, relation: brand, confidence: high,", "edge to unknown entity 'hikvisionx'"),
        ("entities.yaml", 'source: "regulatory notes 2.2 entry 4 and 3.3"}', "source: regulatory notes, with a comma}", "unknown key(s) with a comma"),
        ("identifiers/grantee_codes.csv", "2ADTD,hikvision", "1ADTD,hikvision", "grantee_codes.csv line 4: '1ADTD'"),
        ("identifiers/model_patterns.csv", "DS-2CD2143G2-I,high", "DS-2XX2143G2-I,high", "does not match its own pattern"),
        ("regimes.yaml", "      marketplace: Sales to federal buyers (e.g. GSA Advantage) are barred under Part A.\n", "", "effects lack marketplace"),
    ],
)
def test_malformed_kb_files_are_refused_with_file_and_entry(tmp_path, file, old, new, message):
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    target = copy / file
    text = target.read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(KBError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_raw(copy)


def test_parsed_mac_registry_is_cached_per_registry_version_and_rules(kb, tmp_path, monkeypatch):
    from covscan.kb.mac_registry import MacRegistry

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    fresh = MacRegistry(kb.mac_org_rules)
    assert len(list((tmp_path / "covscan").glob("mac-registry-*.parquet"))) == 1
    cached = MacRegistry(kb.mac_org_rules)
    assert cached.counts() == fresh.counts()
    block = cached.lookup("402C76100001")
    assert block.org == "Shanghai Dahua Scale Factory" and block.rule.node == "shanghai-dahua-scale"
    MacRegistry(kb.mac_org_rules[1:])  # a different rule set gets its own cache file
    assert len(list((tmp_path / "covscan").glob("mac-registry-*.parquet"))) == 2
