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
    # The KB audit of 2026-12-01 (#14) verified Hytera's Chinese name with sources; facts it marks L stay L.
    hytera_cjk = next(a for a in kb.aliases if a.name == "海能达通信股份有限公司")
    assert hytera_cjk.confidence == "high" and "audit" in hytera_cjk.source
    by_name = {a.name: a for a in kb.aliases}
    assert by_name["卡巴斯基"].confidence == "low"
    assert by_name["大华银行"].confidence == "low"
    dfars = [n for n in kb.regimes["dod_1260h"].notes if "DFARS" in n["text"]]
    assert dfars and all(n["confidence"] == "unverified" for n in dfars)


def test_entity_graph_links_brands_to_parents(kb):
    cases = {
        "ezviz": ("hikvision", "subsidiary"), "hilook": ("hikvision", "brand"), "hikmicro": ("hikvision", "subsidiary"),
        "annke": ("hikvision", "oem"), "lts": ("hikvision", "oem"), "prama-hikvision": ("hikvision", "affiliate"),
        "huacheng": ("dahua", "former-subsidiary"), "amcrest": ("dahua", "oem"), "lorex": ("dahua", "former-subsidiary"),
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
        ("entities.yaml", "edges: [{to: hikvision, relation: brand, confidence: medium,", "edges: [{to: hikvisionx, relation: brand, confidence: medium,", "edge to unknown entity 'hikvisionx'"),
        ("entities.yaml", 'source: "regulatory notes 2.2 entry 4 and 3.3"}', "source: regulatory notes, with a comma}", "unknown key(s) with a comma"),
        ("identifiers/grantee_codes.csv", "2ADTD,hikvision", "1ADTD,hikvision", "grantee_codes.csv line 4: '1ADTD'"),
        ("identifiers/model_patterns.csv", "DS-2CD2143G2-I,high", "DS-2XX2143G2-I,high", "does not match its own pattern"),
        ("regimes.yaml", "      marketplace: Sales to federal buyers (e.g. GSA Advantage) are barred under Part A.\n", "", "effects lack marketplace"),
        ("other_vendors.yaml", "{regime: dod_1260h, detail: \"listed as TP-Link", "{regime: dod_1260x, detail: \"listed as TP-Link",
         "other_vendors.yaml vendor tp-link: membership names unknown regime 'dod_1260x'"),
        ("other_vendors.yaml", "date: 2026-06-08, source: \"DoD 1260H list (media.defense.gov PDFs) via OpenSanctions us_dod_chinese_milcorps sanctions.csv (KB audit 2026-12-01 #4, #12)\", confidence: high}",
         "date: 2026-06-08, source: \"x\", confidence: sure}", "other_vendors.yaml vendor tp-link membership: confidence 'sure'"),
        ("manifest.yaml", "as_of:", "asof:", "manifest.yaml: missing as_of"),
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


# ---------------------------------------------------------------- KB audit of 2026-12-01 (data-level behaviour)


def _regime_dates(node, regime):
    return {str(m["date"]) for m in node.memberships if m["regime"] == regime}


def test_autel_intelligent_is_a_separate_non_covered_vendor_on_the_1260h_list(kb):
    node = kb.nodes["autel-intelligent"]
    assert node.kind == "other-vendor" and node.trap and node.lookalike_of == "autel"
    assert kb.resolve("autel-intelligent") is None
    assert _regime_dates(node, "dod_1260h") == {"2026-06-08"}
    for name in ("道通科技", "Autel Intelligent Technology Corp., Ltd."):
        assert {a.node for a in kb.aliases if a.name == name} == {"autel-intelligent"}
    for name in ("道通智能", "道通智能航空", "深圳市道通智能航空技术股份有限公司"):
        assert {a.node for a in kb.aliases if a.name == name} == {"autel"}


def test_bare_autel_is_too_weak_to_decide(kb):
    bare = next(a for a in kb.aliases if a.name == "Autel")
    assert bare.node == "autel" and bare.standalone and bare.confidence == "low"
    assert kb.fact(bare.confidence) < kb.scoring["decide_at"]
    robotics = next(a for a in kb.aliases if a.name == "Autel Robotics")
    assert robotics.confidence == "high"


def test_other_vendors_carry_1260h_memberships(kb):
    for vendor, date in {"tp-link": "2026-06-08", "unitree": "2026-06-08", "quectel": "2025-01-07", "baicells": "2025-01-07"}.items():
        node = kb.nodes[vendor]
        assert node.kind == "other-vendor" and kb.resolve(vendor) is None
        assert _regime_dates(node, "dod_1260h") == {date}, vendor
        assert all(m["source"] and m["confidence"] in CONFIDENCE_LEVELS for m in node.memberships)


def test_huacheng_is_a_former_subsidiary_not_a_brand(kb):
    edge = kb.nodes["huacheng"].edges[0]
    assert (edge.to, edge.relation, edge.until) == ("dahua", "former-subsidiary", "2025-03-03")
    assert kb.resolve("huacheng").indirect
    assert {a.node for a in kb.aliases if a.name in ("乐橙", "华橙", "Imou")} == {"huacheng"}


def test_dod_1260h_applies_to_federal_contractors(kb):
    regime = kb.regimes["dod_1260h"]
    assert "federal-contractor" in regime.relevant_in
    effect = regime.effects["federal-contractor"]
    assert "2026-06-30" in effect and "2027-06-30" in effect
    assert _regime_dates(kb.nodes["huawei-holding"], "dod_1260h") == {"2021-06-03"}
    assert kb.resolve("huawei-holding").entity == "huawei"


def test_dji_listings_and_grantee_codes(kb):
    dji = kb.nodes["dji"]
    assert _regime_dates(dji, "bis_entity_list") == {"2020-12-18"}
    assert _regime_dates(dji, "ofac_ns_cmic") == {"2021-12-16"}
    assert kb.grantees["SS3"].node == "dji" and kb.grantees["SS3"].confidence == "high"
    assert kb.grantees["2ANDR"].confidence == kb.grantees["2AGNT"].confidence == "medium"
    assert kb.resolve(kb.grantees["2AGNT"].node).entity == "autel"


def test_kaspersky_entry_11_text_and_entity_list_rule(kb):
    entry = next(e for e in kb.entries if e.entry == 11)
    assert "equipment" not in entry.covered and entry.confidence == "high"
    assert "covered_list.json" not in entry.source
    el = [m for m in kb.nodes["kaspersky"].memberships if m["regime"] == "bis_entity_list"]
    assert el and el[0]["confidence"] == "high" and "2024-13695" in el[0]["source"]


def test_uas_and_router_exceptions_are_current(kb):
    uas = next(e for e in kb.entries if e.entry == 12)
    assert "Toy Drones" in uas.exceptions and "DA 26-588" in uas.exceptions and "2029-01-01" in uas.exceptions
    routers = next(e for e in kb.entries if e.entry == 13)
    assert "2029-01-01" in routers.exceptions and "2027-03-01" not in routers.exceptions.split("previously")[0]


def test_ownership_corrections(kb):
    cisco = {a.name for a in kb.aliases if a.node == "cisco"}
    nokia = {a.name for a in kb.aliases if a.node == "nokia"}
    assert "Linksys" not in cisco and not any("Alcatel" in n for n in nokia)
    assert kb.nodes["linksys"].kind == "other-vendor"
    assert kb.resolve("norsat").relation == "subsidiary" and kb.nodes["norsat"].edges[0].since == "2017-07-20"
    assert kb.resolve("teltronic").entity == "hytera"
    assert kb.resolve("luminys").relation == "former-subsidiary"
    assert kb.resolve("ctexcel").entity == "china-telecom" and kb.scope("china-telecom") == "services"
    assert kb.resolve("futurewei").entity == "huawei"
    # DJI licensee: a sec. 1709(a)(1) contractual vehicle (KB audit 2026-12-01 #23, M), covered like an affiliate
    assert kb.resolve("anzu").relation == "affiliate" and kb.resolve("anzu").edge_confidence == "medium"


def test_ambiguous_short_names_are_standalone(kb):
    by_name = {a.name: a for a in kb.aliases}
    for name in ("中兴", "中興", "大华", "大華", "海康", "萤石", "华橙", "乐橙", "HW", "Honor", "Red Magic"):
        assert by_name[name].standalone, name
    for name in ("华为", "中兴通讯", "海康威视", "大华股份", "海能达", "大疆"):
        assert not by_name[name].standalone, name
    assert by_name["HW"].confidence in ("low", "unverified")
    for trap, lookalike in {"uob": "dahua", "dahua-cpa": "dahua", "zhongxing-commercial": "zte", "ultraav": "kaspersky"}.items():
        assert kb.nodes[trap].trap and kb.nodes[trap].lookalike_of == lookalike


def test_services_only_carriers_record_the_parent_group_1260h_listing(kb):
    for carrier in ("china-mobile", "china-telecom", "china-unicom"):
        assert kb.scope(carrier) == "services"
        assert _regime_dates(kb.nodes[carrier], "dod_1260h") == {"2021-06-03"}
    assert kb.resolve("china-mobile-group").entity == "china-mobile"


def test_manifest_states_what_the_data_is_complete_through(kb):
    assert kb.version.startswith("2026.12.02+")
    assert "2026-08-20" in kb.as_of and "1260H" in kb.as_of and "unverified" in kb.as_of
