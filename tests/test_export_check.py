"""The export check (covscan/parties/export.py) against the labelled order lines, and the checks that
keep export_controls.yaml reviewable: a malformed rule is rejected with its id named, and every rule
has labelled lines that exercise it."""
from __future__ import annotations

import copy
import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from covscan.kb.loader import KBError
from covscan.parties.export import (
    ANSWERS,
    ExportRules,
    OrderLine,
    PartyListing,
    load_export_rules,
    normalize_eccn,
    normalize_hts,
)

LINES = Path(__file__).parent / "data" / "parties" / "order_lines.csv"
RULES = Path(__file__).parents[1] / "src" / "covscan" / "kb" / "data" / "export_controls.yaml"
DEFAULT_DATE = dt.date(2026, 12, 1)  # the labels are written for this date unless a line gives its own


def _rows() -> list[dict[str, str]]:
    with LINES.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _ids(text: str) -> set[str]:
    return {t for t in text.split(";") if t}


def _listings(row: dict[str, str]) -> list[PartyListing]:
    if not row["party_list_code"]:
        return []
    return [PartyListing(row["party_list_code"], row["party_name"], row["party_id"] or row["line_id"], row["party_verdict"],
                         row["party_license_requirement"], row["party_license_policy"], row["party_frn"],
                         row["party_relation"], row["party_parent"])]


def _check(row: dict[str, str]):
    line = OrderLine(row["eccn"], row["hts"], row["destination"], row["end_use"])
    on = dt.date.fromisoformat(row["on"]) if row["on"] else DEFAULT_DATE
    return load_export_rules().check(line, _listings(row), on)


def _data() -> dict[str, Any]:
    return yaml.safe_load(RULES.read_text(encoding="utf-8"))


def _rule(data: dict[str, Any], rule_id: str) -> dict[str, Any]:
    return next(r for r in data["rules"] if r["id"] == rule_id)


# ---------------------------------------------------------------------------------------- labelled set


def test_labelled_set_is_large_enough_and_well_formed():
    rows = _rows()
    assert len(rows) >= 40
    assert len({r["line_id"] for r in rows}) == len(rows)
    known = {rule.id for rule in load_export_rules().rules}
    for r in rows:
        assert r["expected_license_required"] in ANSWERS, r["line_id"]
        assert _ids(r["expected_rules"]) | _ids(r["negative_for"]) <= known, r["line_id"]
        assert not _ids(r["expected_rules"]) & _ids(r["negative_for"]), r["line_id"]


@pytest.mark.parametrize("row", _rows(), ids=lambda r: r["line_id"])
def test_labelled_line(row):
    result = _check(row)
    assert (result.license_required, {h.id for h in result.rules}) == (
        row["expected_license_required"], _ids(row["expected_rules"])), (row["note"], result.notes)


def test_every_rule_has_a_positive_and_a_negative_line():
    """Fails when a rule is added to export_controls.yaml without labelled lines for it."""
    rows = _rows()
    positive = set().union(*(_ids(r["expected_rules"]) for r in rows))
    negative = set().union(*(_ids(r["negative_for"]) for r in rows))
    rules = {r.id for r in load_export_rules().rules}
    assert not rules - positive, f"rules without a positive labelled line: {sorted(rules - positive)}"
    assert not rules - negative, f"rules without a negative labelled line: {sorted(rules - negative)}"


# ---------------------------------------------------------------------------------------- decisions


def test_review_match_gives_at_most_likely_with_a_note():
    listing = PartyListing("EL", "Huawei Technologies Co., Ltd.", "x", "review", "For all items subject to the EAR.")
    result = load_export_rules().check(OrderLine("EAR99", "", "CN"), [listing], DEFAULT_DATE)
    assert result.license_required == "likely"
    assert any("needs review" in n for n in result.notes)


def test_entity_list_takes_the_entry_text():
    listing = PartyListing("EL", "Example Ltd.", "x", "match", "For all items subject to the EAR. (See §744.11 of the EAR)",
                           "Presumption of denial.", "80 FR 69852")
    hit = next(h for h in load_export_rules().check(OrderLine("EAR99", "", "HK"), [listing], DEFAULT_DATE).rules if h.id == "entity_list")
    assert (hit.requirement, hit.policy, hit.answer) == ("For all items subject to the EAR. (See §744.11 of the EAR)", "Presumption of denial.", "yes")
    assert hit.citation.endswith("entry: 80 FR 69852")


def test_unverified_rules_never_give_a_firm_answer():
    rules = load_export_rules()
    for line in (OrderLine("EAR99", "", "IR"), OrderLine("3A090.a", "", "CN"), OrderLine("EAR99", "", "CN", "supercomputer")):
        result = rules.check(line, [], DEFAULT_DATE)
        assert result.license_required == "likely"
        assert all(h.answer != "yes" for h in result.rules if h.confidence == "unverified")
        assert any("rests on unverified facts" in n for n in result.notes)
    sdn = rules.check(OrderLine("EAR99", "", "AE"), [PartyListing("SDN", "Example Bank", "1", "match")], DEFAULT_DATE)
    assert "not an EAR licence" in sdn.rules[0].requirement


def test_several_listings_take_the_strongest_answer():
    listings = [PartyListing("CMIC", "Example Aerospace", "c", "match"), PartyListing("EL", "Example Aerospace", "e", "match")]
    result = load_export_rules().check(OrderLine("EAR99", "", "CN"), listings, DEFAULT_DATE)
    assert result.license_required == "yes"
    assert {h.id for h in result.rules} == {"entity_list", "ofac_cmic"}


def test_to_dict_is_plain_data():
    result = load_export_rules().check(OrderLine("3A090", "", "CN"), [], DEFAULT_DATE).to_dict()
    assert result["license_required"] == "likely"
    assert {"id", "name", "citation", "effective", "requirement", "policy", "confidence", "source", "why", "answer"} <= set(result["rules"][0])
    yaml.safe_dump(result)  # only plain types


def test_kb_party_reads_memberships_from_the_graph_given():
    """A KB party's listings come from its node's memberships and its parents' (here an injected graph)."""
    from covscan.kb.loader import Edge, Node

    parent = Node("acme", "Acme Corp.", "covered-group", "s", "high",
                  memberships=[{"regime": "bis_entity_list", "detail": "d", "date": "2020-01-01", "source": "s", "confidence": "high"}])
    child = Node("acme-sub", "Acme Sub", "covered-group", "s", "high", edges=[Edge("acme", "subsidiary", "high", "s")])
    rules = ExportRules(_data(), nodes=lambda: {"acme": parent, "acme-sub": child})
    own = rules.check(OrderLine("EAR99", "", "DE"), [PartyListing("KB", "Acme Corp.", "acme", "match")], DEFAULT_DATE)
    assert {h.id for h in own.rules} == {"entity_list", "kb_covered_party"} and own.license_required == "yes"
    sub = rules.check(OrderLine("EAR99", "", "DE"), [PartyListing("KB", "Acme Sub", "acme-sub", "match", relation="subsidiary", parent="Acme Corp.")],
                      dt.date(2025, 10, 15))
    assert {h.id for h in sub.rules} == {"affiliates_rule_subsidiary", "kb_covered_party"} and sub.license_required == "likely"


def test_bad_verdict_is_refused():
    with pytest.raises(ValueError, match="verdict"):
        load_export_rules().check(OrderLine("EAR99", "", "DE"), [PartyListing("EL", "X", "1", "maybe")], DEFAULT_DATE)


# ---------------------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize(("text", "expected"), [
    ("3A090.a", "3A090.a"), ("3a090a", "3A090.a"), (" 3A090 . A ", "3A090.a"), ("5a992.c", "5A992.c"),
    ("3B001.f.1.b.2", "3B001.f.1.b.2"), ("3b001f1b2", "3B001.f.1.b.2"), ("5A992.z", "5A992.z"),
    ("EAR99", "EAR99"), ("ear 99", "EAR99"), ("ear-99", "EAR99"), ("0Y521", "0Y521"),
])
def test_normalize_eccn(text, expected):
    assert normalize_eccn(text) == expected


@pytest.mark.parametrize("text", ["NLR", "3A09", "ZZ999", "EAR 98", ""])
def test_normalize_eccn_refuses(text):
    with pytest.raises(ValueError):
        normalize_eccn(text)


@pytest.mark.parametrize(("text", "expected"), [("8542.31.0000", "8542310000"), ("854231", "854231"), ("8542 31 00", "85423100")])
def test_normalize_hts(text, expected):
    assert normalize_hts(text) == expected


@pytest.mark.parametrize("text", ["85", "8542.31.0000.99", "84x2"])
def test_normalize_hts_refuses(text):
    with pytest.raises(ValueError):
        normalize_hts(text)


def test_eccn_patterns_match_by_paragraph_prefix():
    rules = load_export_rules()

    def hit_ids(eccn: str) -> set[str]:
        return {h.id for h in rules.check(OrderLine(eccn, "", "CN"), [], DEFAULT_DATE).rules}

    assert "adv_computing_2022" in hit_ids("3a090a")  # 3A090 covers 3A090.a
    assert "hbm_sme_2024" in hit_ids("3A090.c.1") and "hbm_sme_2024" not in hit_ids("3A090.a")
    assert "adv_computing_2022" not in hit_ids("3A001.a")


def test_hts_prefix_match():
    rules = load_export_rules()
    ids = {h.id for h in rules.check(OrderLine("", "8542.31.0000", "CN"), [], DEFAULT_DATE).rules}
    assert "hts_semiconductor_hint" in ids
    ids = {h.id for h in rules.check(OrderLine("", "8541.10", "CN"), [], DEFAULT_DATE).rules}
    assert "hts_semiconductor_hint" not in ids


@pytest.mark.parametrize(("text", "expected"), [
    ("CN", "CN"), ("cn", "CN"), ("CHN", "CN"), ("China", "CN"), ("People's Republic of China", "CN"), ("PRC", "CN"),
    ("Hong Kong", "HK"), ("HKG", "HK"), ("Hong Kong SAR", "HK"), ("Macau", "MO"), ("Macao", "MO"), ("MAC", "MO"),
    ("Russia", "RU"), ("Russian Federation", "RU"), ("Iran", "IR"), ("Korea, North", "KP"), ("North Korea", "KP"),
    ("South Korea", "KR"), ("Germany", "DE"), ("Crimea", "UA"), ("Burma", "MM"),
    ("Korea", None), ("Congo", None), ("Atlantis", None), ("", None),
])
def test_country_reading(text, expected):
    assert load_export_rules().country(text) == expected


def test_end_use_reading():
    rules = load_export_rules()
    assert rules.read_end_uses("wafer fab for advanced-node logic") == {"advanced_ic_production"}
    assert rules.read_end_uses("PLA Navy") == {"military"}
    assert rules.read_end_uses("fabric dyeing") == frozenset()  # "fab" only as a whole word
    assert rules.read_end_uses("university research") == {"civil"}


# ---------------------------------------------------------------------------------------- validation


def test_installed_rules_load():
    assert len(load_export_rules().rules) >= 20


@pytest.mark.parametrize("key", ["source", "confidence", "effective"])
def test_rule_without_provenance_is_rejected_naming_it(key):
    data = _data()
    del _rule(data, "denied_persons")[key]
    with pytest.raises(KBError, match=rf"rule 'denied_persons': missing {key}"):
        ExportRules(data)


@pytest.mark.parametrize(("change", "message"), [
    (lambda r: r.update(reviewed="x"), r"rule 'denied_persons': unknown key\(s\) reviewed"),
    (lambda r: r["applies_when"].update(party_in=["DPL"]), r"rule 'denied_persons' applies_when: unknown condition\(s\) party_in"),
    (lambda r: r.update(outcome=True), r"rule 'denied_persons' outcome: True is not an answer - quote"),
    (lambda r: r.update(confidence="sure"), r"rule 'denied_persons': confidence 'sure'"),
    (lambda r: r.update(effective="2020-02-30"), r"rule 'denied_persons' effective: date '2020-02-30' is not a calendar date"),
    (lambda r: r.update(effective="2020"), r"rule 'denied_persons' effective: date '2020' must be a full date"),
    (lambda r: r["applies_when"].update(destination_in=["nowhere"]), r"rule 'denied_persons' applies_when: unknown country group"),
    (lambda r: r["applies_when"].update(eccn_in=["3A9"]), r"rule 'denied_persons' applies_when: '3A9' is not an ECCN"),
    (lambda r: r["applies_when"].update(party_name_matches=["("]), r"rule 'denied_persons' applies_when party_name_matches: bad regular"),
    (lambda r: r.update(facts=[{"text": "t", "confidence": "high"}]), r"rule 'denied_persons' fact #1: missing source"),
])
def test_malformed_rule_is_rejected_naming_it(change, message):
    data = _data()
    change(_rule(data, "denied_persons"))
    with pytest.raises(KBError, match=message):
        ExportRules(data)


def test_duplicate_rule_and_unknown_top_level_key_are_rejected():
    data = _data()
    data["rules"].append(copy.deepcopy(_rule(data, "denied_persons")))
    with pytest.raises(KBError, match="rule 'denied_persons': id must be unique"):
        ExportRules(data)
    data = _data()
    data["rule"] = []
    with pytest.raises(KBError, match=r"unknown key\(s\) rule"):
        ExportRules(data)


def test_load_from_a_path(tmp_path):
    path = tmp_path / "export_controls.yaml"
    data = _data()
    del _rule(data, "ofac_sdn")["source"]
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(KBError, match="rule 'ofac_sdn': missing source"):
        load_export_rules(path)


def test_general_knowledge_is_never_promoted():
    """A rule or country-group member sourced from general knowledge (not the reference documents) is unverified."""
    data = _data()
    for r in data["rules"]:
        if "general knowledge" in r["source"]:
            assert r["confidence"] == "unverified", r["id"]
        for f in r.get("facts") or ():
            if "general knowledge" in f["source"]:
                assert f["confidence"] == "unverified", r["id"]
    for g in data["country_groups"]:
        for m in g["members"]:
            if "general knowledge" in m["source"]:
                assert m["confidence"] == "unverified", (g["id"], m["country"])
