"""Fusion: legal scope, use and context, relations, conflicts and regimes."""
from __future__ import annotations

from covscan.model import Context, Use


def test_huawei_and_zte_equipment_is_covered_for_any_use(judge):
    for record in ({"vendor": "Huawei"}, {"model": "ZXHN F670L"}, {"fcc_id": "QISVOG-L29"}):
        finding = judge(stated_use=Use.OTHER, **record)
        assert finding.verdict.value == "covered"
        assert "whatever the use" in finding.explanation


def test_use_limited_entries_are_conditional_until_the_use_is_stated(judge):
    assert judge(vendor="Hikvision").verdict.value == "conditional"
    assert judge(vendor="Hytera").verdict.value == "conditional"
    assert judge(vendor="Dahua", stated_use=Use.PUBLIC_SAFETY).verdict.value == "covered"
    other = judge(vendor="Dahua", stated_use=Use.OTHER)
    assert other.verdict.value == "clear" and other.entity is None
    assert "outside the four covered uses" in other.explanation
    assert other.conflicts and other.conflicts[0].entity == "dahua"  # the evidence is kept for the auditor


def test_a_use_column_overrides_the_option_per_row(judge):
    assert judge(vendor="Hikvision", use="Police headquarters").verdict.value == "covered"
    assert judge(vendor="Hikvision", use="retail store").verdict.value == "clear"
    assert judge(Context.GENERAL, Use.OTHER, vendor="Hikvision", use="national security").verdict.value == "covered"


def test_marketplace_context_applies_the_authorization_freeze_whatever_the_use(judge):
    finding = judge(ctx=Context.MARKETPLACE, vendor="Hikvision")
    assert finding.verdict.value == "covered"
    assert "frozen" in finding.explanation
    ids = [r.id for r in finding.regimes]
    assert "fcc_equipment_authorization" in ids and "ndaa_889" not in ids


def test_context_changes_which_regimes_are_listed(judge):
    contractor = judge(ctx=Context.FEDERAL_CONTRACTOR, vendor="Huawei")
    ids = [r.id for r in contractor.regimes]
    assert "ndaa_889" in ids and "fcc_equipment_authorization" not in ids
    assert "1 business day" in next(r.effect for r in contractor.regimes if r.id == "ndaa_889")
    kaspersky = judge(ctx=Context.FEDERAL_CONTRACTOR, software="Kaspersky Endpoint Security")
    assert "far_52_204_23" in [r.id for r in kaspersky.regimes]


def test_subsidiaries_and_brands_inherit_and_oem_partners_give_review(judge):
    ezviz = judge(vendor="EZVIZ")
    assert (ezviz.entity, ezviz.relation, ezviz.verdict.value) == ("hikvision", "subsidiary", "conditional")
    amcrest = judge(vendor="Amcrest")
    assert (amcrest.entity, amcrest.relation, amcrest.verdict.value) == ("dahua", "oem", "review")
    lorex = judge(vendor="Lorex")
    assert (lorex.relation, lorex.verdict.value) == ("former-subsidiary", "review")
    chip = judge(model="Hi3516EV200")
    assert (chip.entity, chip.relation, chip.verdict.value) == ("huawei", "chip-supplier", "review")


def test_oem_brand_with_a_parent_model_is_the_parent(judge):
    finding = judge(vendor="Amcrest", model="IPC-HDW5231R-ZE")
    assert (finding.entity, finding.relation, finding.verdict.value) == ("dahua", "parent", "conditional")


def test_conflicts_are_resolved_by_strength_and_shown(judge):
    finding = judge(vendor="HiLook", model="IPC-HDW5231R-ZE")  # brand says Hikvision, model says Dahua
    assert finding.entity == "dahua"
    assert {e.entity for e in finding.conflicts} == {"hikvision"}
    assert finding.confidence < judge(model="IPC-HDW5231R-ZE").confidence
    assert "conflicting evidence" in finding.explanation


def test_known_vendor_overrules_a_generic_model_pattern(judge):
    assert judge(vendor="Linksys", model="E4200").verdict.value == "clear"
    assert judge(model="E3372").verdict.value == "review"
    assert judge(vendor="Huawei", model="E3372").verdict.value == "covered"


def test_carriers_are_services(judge):
    service = judge(service_provider="China Telecom Americas")
    assert (service.entity, service.verdict.value) == ("china-telecom", "covered")
    device = judge(vendor="China Telecom", model="TEWA-708G")
    assert device.verdict.value == "review" and "services, not equipment" in device.explanation


def test_kaspersky_software_and_embedding_equipment(judge):
    assert judge(software="Kaspersky Endpoint Security 12").verdict.value == "covered"
    embedded = judge(description="UTM firewall appliance with integrated Kaspersky anti-virus engine")
    assert (embedded.entity, embedded.verdict.value) == ("kaspersky", "covered")


def test_category_entries_need_the_country_of_production(judge):
    assert judge(category="drone", country="China").entity == "uas"
    assert judge(category="drone", country="China").verdict.value == "covered"
    domestic = judge(category="drone", country="United States")
    assert domestic.verdict.value == "clear" and "only foreign-produced" in domestic.explanation
    assert judge(category="drone").verdict.value == "review"
    dji = judge(vendor="DJI")
    assert (dji.entity, dji.verdict.value, dji.entry) == ("dji", "covered", 12)


def test_finding_carries_evidence_with_provenance(judge):
    finding = judge(vendor="Hikvision", mac="04:03:12:AA:10:01", fcc_id="2ADTD-5604SD")
    assert finding.confidence > 0.95 and finding.entry == 4
    signals = {e.signal for e in finding.evidence}
    assert signals == {"name", "mac", "fcc_id"}
    for e in finding.evidence:
        assert e.source and e.rule and e.matched and e.field
