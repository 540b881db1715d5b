"""Extractors: normalisation of names, MACs, FCC IDs and registry numbers."""
from __future__ import annotations

import re

import polars as pl
import pytest

from covscan.normalize import FccId, parse_fcc_id, tokens


@pytest.mark.parametrize("mac", ["38:AF:29:12:34:56", "38-af-29-12-34-56", "38af.2912.3456", "38AF29123456", " 38:af:29:12:34:56 "])
def test_mac_in_any_common_notation(judge, mac):
    finding = judge(mac=mac)
    assert finding.entity == "dahua"
    assert finding.evidence[0].value == "38:AF:29:12:34:56"


@pytest.mark.parametrize("mac", ["3A:AF:29:12:34:56", "DA:A1:19:00:11:22", "02:18:82:AA:BB:CC"])
def test_locally_administered_mac_gives_no_vendor_evidence_and_says_so(judge, mac):
    finding = judge(mac=mac)
    assert finding.verdict.value == "clear"
    assert [e.note for e in finding.evidence if e.note] and "locally administered" in finding.evidence[0].note
    assert all(e.entity is None for e in finding.evidence)


def test_multicast_and_invalid_macs_are_notes(judge):
    assert "multicast" in judge(mac="01:00:5E:00:00:FB").evidence[0].note
    assert "not a MAC address" in judge(mac="not-a-mac").evidence[0].note


def test_mac_blocks_of_all_sizes(judge):
    assert judge(mac="AC:64:DD:51:00:01").entity == "zte"          # MA-M of Shanghai ZTE
    assert judge(mac="EC:5B:CD:E1:00:01").entity == "autel"        # MA-M of Autel Robotics USA
    norsat = judge(mac="70:B3:D5:0A:E1:23")                       # MA-S of Norsat
    assert norsat.entity == "hytera" and norsat.verdict.value == "conditional"  # Hytera subsidiary since 2017
    assert "MA-S" in norsat.evidence[0].matched


def test_mac_keys_for_a_whole_column(kb):
    """One vectorised pass gives each MAC the key its evidence depends on, whatever the notation."""
    import polars as pl

    from covscan.evidence.mac import MacExtractor
    from covscan.normalize import mac_columns, mac_hex_expr

    column = pl.Series("mac", [
        "00:18:82:12:34:56", "0018.8212.3456", "00-18-82-12-34-56", " 001882123456 ",  # Huawei MA-L, four notations
        "AC:64:DD:51:00:01",  # MA-M of Shanghai ZTE
        "AC:64:DD:11:00:01",  # the MA-M beside it, in the same /24, registered to JSC InfoTeCS
        "00:00:0C:00:00:01",  # Cisco: registered, but no rule names it
        "3A:00:00:00:00:01", "01:00:5E:00:00:FB", "not-a-mac", "-", "", None,
        "\t00:18:82:12:34:56\n", "+01882123456", "0018 8212 345g",  # stripped of other whitespace; a sign is not a digit
    ])
    hexed, numbers = mac_columns(column)
    assert hexed.equals(column.to_frame().select(mac_hex_expr("mac")).to_series())  # the one-pass form is the full one
    assert numbers.to_list() == [int(h, 16) if h and re.fullmatch("[0-9a-f]{12}", h) else None for h in hexed]
    keys = MacExtractor(kb).keys(hexed, numbers).to_list()
    assert keys == ["001882"] * 4 + ["AC64DD5", None, None, "laa", "group", "invalid", None, None, None, "001882", "invalid", "invalid"]
    assert MacExtractor(kb).keys(*mac_columns(pl.Series("mac", ["00:00:0C:00:00:01"] * 3))).to_list() == [None] * 3  # no candidate /24


def test_fcc_id_grantee_code_structure():
    assert parse_fcc_id("2ADTD-5604SD") == FccId("2ADTD", "-5604SD")  # the hyphen belongs to the product code
    assert parse_fcc_id("SRQ-Z233VL") == FccId("SRQ", "-Z233VL")
    assert parse_fcc_id("FCC ID: QISVOG-L29") == FccId("QIS", "VOG-L29")
    assert isinstance(parse_fcc_id("1ADTD-5604"), str)  # 0 and 1 never start a grantee code
    assert isinstance(parse_fcc_id("QIS"), str)


def test_fcc_ids_and_modules(judge):
    assert judge(fcc_id="SRQ-Z233VL").entity == "zte"
    assert judge(fcc_id="2ADTD-5604SD").entity == "hikvision"
    host = judge(description="Industrial router. Contains FCC ID: SRQ-MF296C")
    assert host.entity == "zte" and host.verdict.value == "covered"
    assert host.evidence[0].rule == "fcc_id.module" and "FCC 25-71" in host.evidence[0].note
    miss = judge(fcc_id="BCG-E3178A")
    assert miss.verdict.value == "clear"


def test_registry_numbers(judge):
    assert judge(sysobjectid="1.3.6.1.4.1.2011.2.23.96").entity == "huawei"
    assert judge(sysobjectid="enterprises.39165.1").entity == "hikvision"
    assert judge(usb_id="VID_12D1&PID_1506").entity == "huawei"
    assert judge(usb_id="PCI\\VEN_19E5&DEV_1822").entity == "huawei"
    assert judge(usb_id="19d2:0117").entity == "zte"


@pytest.mark.parametrize(
    "name",
    ["HUAWEI TECHNOLOGIES CO.,LTD", "Huawei Technologies Co., Ltd.", "ＨＵＡＷＥＩ", "华为技术有限公司", "Huawei Technologies Company", "huawei"],
)
def test_name_normalisation(judge, name):
    finding = judge(vendor=name)
    assert (finding.entity, finding.verdict.value) == ("huawei", "covered")


def test_tokens_drop_legal_forms_and_punctuation():
    assert tokens("Zhejiang Dahua Technology Co., Ltd.") == ("zhejiang", "dahua", "technology")
    assert tokens("ＨＩＫＶＩＳＩＯＮ") == ("hikvision",)


def test_glued_registry_spelling(judge):
    assert judge(vendor="ZHEJIANG DAHUA TECHNOLOGYCO.,LTD").entity == "dahua"


@pytest.mark.parametrize(("typo", "entity"), [("Hikvison", "hikvision"), ("Huawai", "huawei"), ("Dahau", "dahua"), ("Kapsersky", "kaspersky")])
def test_fuzzy_typos(judge, typo, entity):
    finding = judge(vendor=typo)
    assert finding.entity == entity
    assert any(e.rule and e.rule.endswith("fuzzy") for e in finding.evidence)


def test_fuzzy_does_not_invent_matches(judge):
    for name in ["Dahai Electric", "Hikoki", "Lorem", "Huaqin", "Jiangsu Dahua Machinery Co."]:
        assert judge(vendor=name).verdict.value == "clear", name


def test_standalone_names_only_count_alone(judge):
    assert judge(vendor="Dahua").entity == "dahua"
    assert judge(vendor="Dahua Co., Ltd.").entity == "dahua"
    assert judge(vendor="Jiangsu Dahua Machinery").verdict.value == "clear"


def test_free_text_mentions_of_compatibility_are_not_the_maker(judge):
    for text in ["Power adapter compatible with Hikvision cameras", "Replacement remote for Huawei routers", "Hikvision compatible wall mount"]:
        finding = judge(description=text)
        assert finding.verdict.value == "clear", text
        assert any(e.note and "not as the maker" in e.note for e in finding.evidence)


def test_model_numbers_inside_free_text(judge):
    finding = judge(description="4MP Dome Camera DS-2CD2143G2-I 2.8mm PoE")
    assert finding.entity == "hikvision"
    assert judge(description="router F660 spare").verdict.value == "clear"  # generic patterns need a dedicated field


def test_category_and_country(judge):
    assert judge(description="Quadruped robot dog", country="China").entity == "robotic-devices"
    assert judge(description="Wi-Fi router", country="US").verdict.value == "clear"
    assert judge(description="Wi-Fi router", country="CO").verdict.value == "covered"  # Colombia, not a legal form


def test_evidence_observed_as_copies_every_field():
    """observed_as is dataclasses.replace(value=...) written out for speed; it must copy every field."""
    import dataclasses

    from covscan.model import Evidence

    e = Evidence("name", "title", "Hikvision 4MP", target="hikvision", entity="hikvision", relation="parent",
                 matched="Hikvision", rule="name.in-longer", confidence=0.5, source="s", note="n", corroborate=True)
    assert len(dataclasses.fields(Evidence)) == 12, "a new Evidence field must be copied by observed_as (and set here)"
    assert e.observed_as("\u2063title\u2063") == dataclasses.replace(e, value="\u2063title\u2063")


def test_free_text_prefilter_and_evidence_keys_change_nothing(kb, monkeypatch):
    """Descriptions are screened for names, category terms and FCC ID labels only when a column-wide
    check says they may hold one, and texts with the same evidence key share one reading; neither
    may change what the matchers find, whatever the script, spelling, glue, legal form, negation,
    model number or FCC ID."""
    from covscan.evidence import build_extractors
    from covscan.evidence.description import DescriptionExtractor
    from covscan.evidence.names import NameMatcher

    findable = ["ＨＵＡＷＥＩ 4G router", "中兴通讯 路由器", "FCCID:QISVOG-L29 module", "hikvision_camera outdoor",
                "Dome camera DS-2CD2143G2-I", "consumer WiFi router", "Camera DRONE with gimbal", "zte",
                "Hikvision 4MP dome camera DS-2CD2143G2-I", "Hikvision 8MP dome camera DS-2CD2T47G2-L",
                "Hikvision 4MP Dome Camera", "Dahua 8MP bullet camera", "Lorex Dahua camera", "Lorex Dahua recorder",
                "Power adapter for Hikvision NVR", "Power adapter for Dahua NVR", "Hikvision compatible mount",
                "Huawei Technologies Co., Ltd. router", "Huawei Technologies router", "ZTE Corporation MF971 hotspot",
                "Mount kit, ZTE Corporation 4G modem", "Hikvision 4MP Dome Camera, white", "Hikvision 4MP Dome Camera, black",
                "Power supply from Hikvision NVR", "Power supply for Hikvision NVR", "Camera Dahua 4MP", "Camera Dahua outdoor",
                "Camera DS-2CD2143G2-IU", "Camera DS-2CD2347G2-LU", "DS-2CD2143G2-I", "DS-2CD2143G2-I,", " DS-2CD2143G2-I ",
                "Hotspot FCC ID: SRQ-MF296C", "Hotspot FCC ID: QISVOG-L29", "Hotspot, contains FCC ID: QISVOG-L29",
                "Mount for white steel Hikvision NVR", "Mount for black white steel Hikvision NVR",
                "Mount for big black white steel Hikvision NVR",
                # categories: components, accessories, homonyms and exceptions depend on where words stand
                "Hard case for drones, black", "Hard case for drones, grey", "Drone propellers 8 pack", "Drone battery 5000mAh",
                "Battery for drone, 3 pack", "Case with battery for drone", "Bagpipe drone reeds", "Mini toy drone for kids",
                "Toy drone for kids with HD camera", "Drone with camera and carrying case", "Plunge router for woodworking",
                "Car power inverter 12V", "Hybrid solar inverter WiFi", "Car power inverter with app", "The Huawei Story, paperback",
                "Junction box for Hikvision DS-2CD2143G2-I", "Junction box for the big Hikvision DS-2CD2143G2-I",
                "Hikvision DS-2CD2143G2-I junction box for wall", "Robot toy for kids", "Humanoid robot kit",
                "Drone case", "Drone with case", "Drone and case", "Inverter battery", "Inverter with battery",
                "Enterprise core router", "Wireless router for enterprise", "Huawei P40 case", "Huawei P40 case black",
                "Huawei P40 case black red", "Huawei P40 with case", "Huawei router B535 with case", "Hikvision DS-2CD2143G2-I case",
                "Hikvision DS-2CD2143G2-I with case"]
    plain = ["Cotton T-Shirt Blue XL #88", "Stainless steel water bottle 750ml", ""]
    extractor = build_extractors(kb)["description"]
    assert isinstance(extractor, DescriptionExtractor)
    reads = []
    match = NameMatcher.match
    monkeypatch.setattr(NameMatcher, "match", lambda self, text, free_text=False: reads.append(text) or match(self, text, free_text))
    screened = extractor.extract(findable + plain, "description")
    # one reading per evidence key: the second text of a key takes the first one's evidence
    assert "Huawei Technologies Co., Ltd. router" in reads and "Huawei Technologies router" not in reads
    assert "Hikvision 4MP Dome Camera, white" in reads and "Hikvision 4MP Dome Camera, black" not in reads
    monkeypatch.setattr(DescriptionExtractor, "_word_keys", lambda self, values: (pl.repeat(None, len(values), dtype=pl.String, eager=True), []))
    assert screened == extractor.extract(findable + plain, "description")
    assert all(screened[: len(findable)]) and not any(screened[len(findable):])


def test_model_numbers_in_text_are_found_with_or_without_the_text_prefilter(kb, monkeypatch):
    """Texts in which no specific model pattern matches anywhere skip the word-by-word search; the
    unanchored patterns that decide it must let through every text with a model number in it."""
    from covscan.evidence.models import ModelMatcher, unanchored

    assert unanchored(r"^(?:HIK\s+)?DS-[^$^]x$") == r"(?:HIK\s+)?DS-[^$^]x"
    assert unanchored(r"\Aab\z[]^$]\$|^c\Z") == r"ab[]^$]\$|c"
    texts = ["Camera DS-2CD2143G2-I", "(DS-2CD2143G2-I) dome", "HIKVISION DS-2CD2143G2-I, white", '"DS-7608NI-K2", NVR',
             "ds-2cd2347g2-lu outdoor", "Dome camera DS-2CD2143G2-IU;", "DS-2CD2143G2-I", "Cotton T-Shirt DS-2 XL", "plain title", ""]
    matcher = ModelMatcher(kb)
    found = matcher.hits(texts, in_text=True)
    monkeypatch.setattr(matcher, "_anywhere", "")  # an empty pattern lets every text through
    assert found == matcher.hits(texts, in_text=True)
    assert sorted(found) == [0, 1, 2, 3, 4, 5, 6]


def test_word_keys_worked_in_parts_are_the_same(kb, monkeypatch):
    """A long column's word keys are worked out in parts at once, one per polars thread; the parts
    joined are exactly the whole, FCC positions included."""
    import covscan.evidence.base as base
    from covscan.evidence import build_extractors

    extractor = build_extractors(kb)["description"]
    texts = pl.Series(["ＨＵＡＷＥＩ 4G router", "Hotspot FCC ID: SRQ-MF296C", "Mount for white steel Hikvision NVR", "",
                       "Cotton T-Shirt Blue XL #88", "Huawei Technologies Co., Ltd. router", "fcc", "Dahua 8MP bullet camera"] * 3)
    whole, fcc = extractor._word_keys(texts)
    monkeypatch.setattr(base, "PARTS_MIN_ROWS", 2)
    monkeypatch.setattr(base.pl, "thread_pool_size", lambda: 5)
    parts, fcc_parts = extractor._word_keys(texts)
    assert parts.equals(whole) and fcc_parts == fcc == [1, 6, 9, 14, 17, 22]
    calls = []
    collect_all = pl.collect_all
    monkeypatch.setattr(base.pl, "collect_all", lambda frames: calls.append(len(frames)) or collect_all(frames))
    extractor._word_keys(texts)
    assert calls == [5]
