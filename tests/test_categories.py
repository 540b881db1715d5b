"""Category entries know the thing from its accessories, homonyms and exceptions; countries of
production are read with their domestic forms; the audit's behavioural findings hold."""
from __future__ import annotations

import pytest

from covscan.model import Context


def verdict(finding) -> tuple[str, str | None]:
    return finding.verdict.value, finding.entity


@pytest.mark.parametrize(("title", "country", "expected"), [
    ("DJI-style foldable drone with 4K camera and GPS", "China", ("covered", "uas")),
    ("Intelligent flight battery for drone", "China", ("covered", "uas")),         # a critical component
    ("Brushless motor 2207 for FPV drone", "China", ("covered", "uas")),
    ("Hard shell carrying case for drones", "China", ("clear", None)),
    ("Drone propellers, 8 pack", "China", ("clear", None)),
    ("Landing pad for drones, 75 cm waterproof", "China", ("clear", None)),
    ("Highland bagpipe drone reeds, set of 3", "United Kingdom", ("clear", None)),
    ("Mini toy drone for kids, easy to fly", "China", ("clear", None)),             # DA 26-588 toy drones
    ("Toy drone for kids with HD camera and app control", "China", ("covered", "uas")),  # not a toy by the criteria
    ("Quadcopter", "Made in USA", ("clear", None)),
    ("Quadcopter", "Assembled in USA", ("review", "uas")),
    ("Quadcopter", "Puerto Rico", ("clear", None)),
    ("Quadcopter", "Domestic", ("clear", None)),
    ("Quadcopter", "PRC", ("covered", "uas")),
    ("Quadcopter", "CN", ("covered", "uas")),
    ("Quadcopter", "", ("review", "uas")),
    ("Portable travel router, pocket size", "China", ("covered", "routers")),
    ("Plunge router 2.25 HP for woodworking", "China", ("clear", None)),
    ("1/4 inch shank router bit set, 15 pieces", "China", ("clear", None)),
    ("CNC router 3018 engraving machine", "China", ("clear", None)),
    ("Hybrid solar inverter 5kW with WiFi monitoring", "China", ("covered", "power-inverters")),
    ("Inverter air conditioner 12000 BTU mini split", "China", ("clear", None)),
    ("Portable inverter generator 2200W", "China", ("clear", None)),
    ("Car power inverter 300W 12V DC to 110V AC", "China", ("clear", None)),
    ("Humanoid robot for research, 1.3 m", "China", ("covered", "robotic-devices")),
    ("Robot toy for kids, remote control", "China", ("clear", None)),
    ("Drone with carrying case and 4K camera", "China", ("covered", "uas")),   # a drone with a case is a drone
    ("Quadcopter frame kit 250mm", "China", ("clear", None)),
    ("Inverter battery 150Ah tubular", "India", ("clear", None)),
    ("Hybrid inverter with battery, 5 kW, WiFi", "China", ("covered", "power-inverters")),
    ("Enterprise core router, 19 inch rackmount", "China", ("clear", None)),    # not consumer-grade
    ("Window cleaning robot", "China", ("clear", None)),
])
def test_catalog_titles(judge, title, country, expected):
    found = judge(description=title, country=country) if country else judge(description=title)
    assert verdict(found) == expected, found.explanation


def test_explanations_name_what_decided(judge):
    domestic = judge(description="Quadcopter", country="Made in USA")
    assert "Made in USA" in domestic.explanation and "United States" in domestic.explanation
    assert "produced in Made in USA" not in domestic.explanation
    case = judge(description="Hard shell carrying case for drones", country="China")
    assert "accessory" in case.explanation
    toy = judge(description="Mini toy drone for kids", country="China")
    assert "DA 26-588" in toy.explanation


def test_category_column_and_hs_codes(judge):
    assert verdict(judge(category="Routers", country="Vietnam")) == ("covered", "routers")  # a category column says what it is
    assert verdict(judge(category="Drone Accessories", country="China")) == ("clear", None)
    assert verdict(judge(hs_code="8806.22.0000", country="China")) == ("covered", "uas")
    # 8517.62 also holds switches and modems: alone it decides nothing, beside a router term it corroborates
    assert verdict(judge(hs_code="8517.62.0090", country="China")) == ("clear", None)
    assert verdict(judge(hs_code="8517.62.0090", description="Dual band router", country="China")) == ("covered", "routers")
    assert verdict(judge(hs_code="6109.10", country="China")) == ("clear", None)


@pytest.mark.parametrize(("fields", "expected"), [
    ({"description": "The Huawei Story, paperback"}, ("clear", None)),
    ({"description": "Junction box for Hikvision DS-2CD2143G2-I dome camera"}, ("clear", None)),
    ({"description": "Hikvision DS-2CD2143G2-I 4MP dome camera"}, ("conditional", "hikvision")),
    ({"description": "Huawei P40 Pro phone case, black"}, ("clear", None)),     # an accessory for the named product
    ({"description": "Huawei Watch GT 3 strap"}, ("clear", None)),
    ({"description": "Hikvision DS-2CD2143G2-I dome camera with cover"}, ("conditional", "hikvision")),
    ({"vendor": "Autel Intelligent Technology Corp., Ltd.", "model": "MaxiSys MS906BT"}, ("clear", None)),
    ({"vendor": "Autel Robotics", "model": "EVO II Pro V3"}, ("covered", "autel")),
    ({"vendor": "大华银行"}, ("clear", None)),
    ({"vendor": "中兴商业"}, ("clear", None)),
    ({"vendor": "大华"}, ("conditional", "dahua")),
    ({"vendor": "中兴"}, ("covered", "zte")),
    ({"vendor": "HW"}, ("review", "huawei")),
    ({"vendor": "Haikang Weishi"}, ("conditional", "hikvision")),                     # pinyin of 海康威视
    ({"vendor": "HANGZHOU HAIKANG WEISHI SHUZI JISHU GUFEN YOUXIAN GONGSI"}, ("conditional", "hikvision")),
    ({"vendor": "Zhongxing Tongxun"}, ("covered", "zte")),
    ({"vendor": "Shenzhen Dajiang Chuangxin Keji Youxian Gongsi"}, ("review", "dji")),  # from a medium name, so low
    ({"vendor": "Laboratoriya Kasperskogo"}, ("covered", "kaspersky")),
    ({"vendor": "Zhejiang Dahua Jishu Gufen Youxian Gongsi"}, ("conditional", "dahua")),
    ({"vendor": "Shanghai Dahua Chengshi"}, ("clear", None)),  # pinyin is matched whole, never inside other names
    ({"description": "HW replacement, 2 TB disk"}, ("clear", None)),  # a short standalone name never counts in free text
])
def test_names_and_traps(judge, fields, expected):
    found = judge(**fields)
    assert verdict(found) == expected, found.explanation


def test_tp_link_carries_the_1260h_regime_for_a_federal_contractor(judge):
    contractor = judge(Context.FEDERAL_CONTRACTOR, vendor="TP-Link", model="TL-SG108")
    assert contractor.verdict.value == "review" and "dod_1260h" in [r.id for r in contractor.regimes]
    assert "2026-06-30" in contractor.explanation
    assert judge(vendor="TP-Link", model="TL-SG108").verdict.value == "clear"  # informational elsewhere
    huawei = judge(Context.FEDERAL_CONTRACTOR, vendor="Huawei")
    assert {"ndaa_889", "dod_1260h"} <= {r.id for r in huawei.regimes}  # a covered entity's own listings too


def test_only_current_sourced_listings_become_regimes(judge):
    """ZTE Corporation left the Entity List in 2017, and no listing of Hytera was found: neither
    gets the Entity List regime; Huawei and DJI, which are listed, do."""
    ids = {name: {r.id for r in judge(vendor=name).regimes} for name in ("ZTE", "Hytera", "Huawei", "DJI")}
    assert "bis_entity_list" not in ids["ZTE"] | ids["Hytera"]
    assert {"bis_entity_list", "dod_1260h"} <= ids["Huawei"] and {"bis_entity_list", "ofac_ns_cmic"} <= ids["DJI"]


def test_the_title_says_what_the_category_column_holds(judge):
    """A column or an HS code names the kind of goods; a title that shows an accessory, a homonym or an
    excepted item overrules it, and a column naming other goods rules the category out."""
    pad = judge(description="PGYTECH Drone Landing Pad 65cm, Foldable", category="Electronics > Camera & Photo > Drone Accessories > Landing Pads", country="China")
    assert verdict(pad) == ("clear", None)
    palm = judge(description="Bosch Colt 1 HP Variable Speed Palm Router with Edge Guide", category="Tools & Home Improvement > Power Tools > Routers", country="China")
    assert verdict(palm) == ("clear", None)
    book = judge(description="Drone Warfare: Killing by Remote Control", category="Books > History > Military", country="United States")
    assert verdict(book) == ("clear", None)
    reeds = judge(description="Tanpura drone box with sruti control", category="Musical Instruments > World", country="India")
    assert verdict(reeds) == ("clear", None)
    # a category path is read a level at a time: "Camera & Photo" does not make a drone term a component
    assert verdict(judge(category="Camera & Photo > Drone Accessories", country="China")) == ("clear", None)
    # the title's own drone still counts under a drone category
    assert verdict(judge(description="Foldable GPS drone with 4K camera", category="Toys & Games > Drones", country="China")) == ("covered", "uas")
    # a mobile robot with sensors, a network link and navigation meets the robotic-device definition
    assert verdict(judge(description="Robot Vacuum with LiDAR Navigation and App Control", country="China")) == ("covered", "robotic-devices")
