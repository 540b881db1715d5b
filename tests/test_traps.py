"""Each lookalike named in the core issue stays clear, and its covered twin is still found."""
from __future__ import annotations

import pytest


def _clear_because_lookalike(finding, of: str) -> None:
    assert finding.verdict.value == "clear" and finding.entity is None
    assert any(e.note and "lookalike" in e.note and of in e.note for e in finding.evidence), finding.evidence


@pytest.mark.parametrize("name", ["Aztech Electronics Pte Ltd", "Aztech Systems", "AZTECH"])
def test_aztech_is_not_zte(judge, name):
    _clear_because_lookalike(judge(vendor=name), "ZTE")


def test_naztec_is_not_zte(judge):
    _clear_because_lookalike(judge(vendor="Naztec, Inc."), "ZTE")


def test_ztex_is_not_zte(judge):
    _clear_because_lookalike(judge(vendor="ZTEX GmbH"), "ZTE")
    assert judge(usb_id="221a:0100").verdict.value == "clear"
    assert judge(vendor="ZTE").entity == "zte"


def test_shanghai_dahua_scale_factory_name_and_mac_block(judge):
    _clear_because_lookalike(judge(vendor="Shanghai Dahua Scale Factory"), "Dahua")
    finding = judge(mac="40:2C:76:10:00:01")  # MA-M /28 block inside another company's MA-L
    assert finding.verdict.value == "clear"
    assert any("MA-M 40:2C:76:1/28" in (e.matched or "") for e in finding.evidence)
    assert judge(mac="38:AF:29:12:34:56").entity == "dahua"


def test_wuxi_zhongxing_is_not_zte(judge):
    _clear_because_lookalike(judge(vendor="Wuxi Zhongxing Optoelectronics Technology Co.,Ltd."), "ZTE")
    assert judge(sysobjectid="1.3.6.1.4.1.29279.1").verdict.value == "clear"
    assert judge(sysobjectid="1.3.6.1.4.1.3902.1").entity == "zte"


def test_h3c_is_not_huawei(judge):
    _clear_because_lookalike(judge(vendor="New H3C Technologies Co., Ltd"), "Huawei")
    _clear_because_lookalike(judge(vendor="Huawei-3Com"), "Huawei")
    shared_naming = judge(vendor="H3C", model="S5120-28P-SI")  # S-series naming is shared with Huawei
    assert shared_naming.verdict.value == "clear"
    assert judge(vendor="Huawei", model="S5731-S24T4X").entity == "huawei"


@pytest.mark.parametrize("name", ["Hikari Co.,Ltd.", "Hikari Trading Co.,Ltd.", "Shenzhen Hikeen Technology CO.,LTD"])
def test_hikari_is_not_hikvision(judge, name):
    _clear_because_lookalike(judge(vendor=name), "Hikvision")


def test_juniper_systems_is_not_juniper_networks(judge):
    systems = judge(vendor="Juniper Systems")
    _clear_because_lookalike(systems, "Juniper Networks")
    networks = judge(vendor="Juniper Networks")
    assert networks.verdict.value == "clear"
    assert {e.target for e in networks.evidence} == {"juniper-networks"}
    assert {e.target for e in systems.evidence} == {"juniper-systems"}


def test_synology_ds920_is_not_a_hikvision_ds_model(judge):
    assert judge(model="DS920+").verdict.value == "clear"
    assert judge(vendor="Synology", model="DS920+").verdict.value == "clear"
    assert judge(model="DS-2CD2143G2-I").entity == "hikvision"


def test_zte_substrings_in_other_names_never_match(judge):
    for name in ["Shenztech Ltd", "Prizor Viztech Limited", "Rosenberger Hochfrequenztechnik", "Kaztek Systems"]:
        assert judge(vendor=name).verdict.value == "clear", name


def test_an_autel_scan_tool_is_not_autel_robotics(judge):
    """A bare "Autel" brand and the same word in the title are one ambiguous reading, not two:
    the product line (MaxiSys) names Autel Intelligent, so the listing is not covered."""
    found = judge(brand="Autel", description="Autel MaxiSys MS906 Pro Automotive Diagnostic Scan Tool", country="China")
    assert found.verdict.value != "covered"
    assert any(e.target == "autel-intelligent" for e in found.evidence)
