"""Model-number patterns: each example matches its own pattern in both regex engines, distinctive
patterns leave other vendors' models alone, and distinctive full models decide in a lookup."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import polars as pl
import pytest

CSV = Path(__file__).parents[1] / "src" / "covscan" / "kb" / "data" / "identifiers" / "model_patterns.csv"
ROWS = list(csv.DictReader(CSV.open(encoding="utf-8")))
DISTINCTIVE = [r for r in ROWS if r["corroborate"] == "no"]


def anchored(row: dict) -> str:
    return f"(?i)^(?:{row['pattern']})$"


def examples(row: dict) -> list[str]:
    return [x.strip() for x in row["examples"].split(";") if x.strip()]


def test_pattern_ids_are_unique_and_the_table_stays_small():
    ids = [r["id"] for r in ROWS]
    assert len(ids) == len(set(ids))
    assert len(ROWS) < 150


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["id"])
def test_every_example_matches_in_python_and_polars(row):
    ex = examples(row)
    assert ex, f"{row['id']} has no examples"
    assert row["confidence"] in ("high", "medium", "low", "unverified")
    assert row["source"].strip()
    for e in ex:
        assert re.fullmatch(row["pattern"], e, re.IGNORECASE), (row["id"], e)
    hits = pl.Series(ex, dtype=pl.String).str.contains(anchored(row)).to_list()
    assert all(hits), (row["id"], [e for e, h in zip(ex, hits) if not h])


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["id"])
def test_no_lookaround_or_backreferences(row):
    assert not re.search(r"\(\?<?[=!]|\\[1-9]", row["pattern"]), row["id"]


# Other makers' model numbers, including look-alikes of the covered grammars.
COUNTER_EXAMPLES = [
    # H3C / FS / DCN / Ruijie switches (S-number shapes close to Huawei's)
    "S5120-28P-SI", "S5130S-28P-EI", "S5500-28C-EI", "S5560-30C-EI", "S6850-56HF", "S7503E", "S6300-42QF",
    "S5750E-28X-SI", "S3700-24T4F", "S5800-48F4S", "S3900-24T4S", "RG-S5750-24GT4SFP",
    # Cisco, Juniper, Arista, HPE/Aruba, Nokia, Ericsson, Ciena
    "C9300-48P", "WS-C2960X-48FPD-L", "ASR1001-X", "ASA5505", "AIR-AP1832I-B-K9", "ISR4331/K9", "N9K-C93180YC-EX",
    "Juniper EX4300-48T", "EX4300-48T", "MX204", "DCS-7050SX-64", "HP E2620-24", "JL256A", "AP-505", "IAP-305",
    "Nokia 7750 SR-7", "7750 SR-7", "Ericsson RBS 6601", "RBS 6601", "RRUS 11", "Radio 4415", "AIR 6449", "Ciena 3930",
    # consumer networking
    "Netgear R7000", "R7000", "R8000", "R8500", "TP-Link Archer C7", "Archer AX6000", "TL-WR841N", "EAP245", "AC1200",
    "D-Link DES-1210-28", "DES-1210-28", "DGS-1100-08", "Synology DS920+", "DS920+", "DS918+", "Linksys E4200", "E4200",
    "Ubiquiti U6-Pro", "U6-Pro", "USW-24-POE", "UVC-G3", "MikroTik RB4011iGS+", "NBG-418N",
    # phones and tablets
    "Samsung SM-G991U", "SM-G991U", "Apple A2403", "A2403", "iPhone 13 Pro", "XQ-BC72", "TA-1053", "XT2041-3", "CPH2173",
    "M2007J3SG", "GM1913", "iPad mini 2", "TB-X606F",
    # cameras and security not made by the covered groups
    "AXIS P3245-LVE", "Axon Body 3", "Axon Fleet 3", "WV-S2131L", "XNV-8080R", "Arlo Pro 4", "Ring Stick Up Cam",
    # drones and radios from other makers; storage that shares words
    "Skydio X10", "Skydio 2+", "Parrot Anafi", "Anafi USA", "Motorola APX 8000", "DP4800e", "XPR 7550", "TYT MD-380",
    "Samsung 970 EVO Plus", "970 EVO Plus", "860 EVO",
    # Autel Intelligent Technology car diagnostics (a different company, not covered)
    "Autel MaxiSys MS906BT", "MaxiSys MS906BT", "MaxiSys Ultra", "MaxiCOM MK808", "MaxiCheck MX808", "MaxiTPMS TS508",
    "MaxiCharger AC Wallbox", "Autel MaxiIM IM508", "MaxiSys MS919",
    # other security software
    "Norton 360 Deluxe", "Bitdefender Total Security", "ESET Endpoint Security", "Sophos Intercept X", "McAfee Total Protection",
]


def test_distinctive_patterns_leave_other_vendors_alone():
    values = pl.Series(COUNTER_EXAMPLES, dtype=pl.String)
    found = {r["id"]: [v for v, h in zip(COUNTER_EXAMPLES, values.str.contains(anchored(r)).to_list()) if h] for r in DISTINCTIVE}
    assert {k: v for k, v in found.items() if v} == {}


def test_counter_examples_give_no_covered_verdict(judge):
    decided = {v: f.verdict.value for v in COUNTER_EXAMPLES if (f := judge(model=v)).verdict.value in ("covered", "conditional")}
    assert decided == {}


DECIDING = {
    "S5720-52X-SI-AC": "huawei", "S5735-L24T4S-A": "huawei", "S12700E-8": "huawei", "NE40E-X8": "huawei",
    "NE40E-X16A": "huawei", "BBU5900": "huawei", "OptiX RTN 950": "huawei", "MA5608T": "huawei",
    "AirEngine 5760-10": "huawei", "ELS-NX9": "huawei", "ZXSDR B8200": "zte", "MC801A": "zte",
    "DS-2TD2617-10/PA": "hikvision", "DS-K1T105E/M": "hikvision", "PFS3005-5ET-L": "dahua", "DHI-ASI7213X": "dahua",
    "Mavic 3 Pro": "dji", "Matrice 300 RTK": "dji", "EVO Max 4T": "autel", "Kaspersky Endpoint Security for Windows": "kaspersky",
}


@pytest.mark.parametrize("value,entity", DECIDING.items())
def test_distinctive_full_models_decide(judge, value, entity):
    finding = judge(model=value)
    assert finding.verdict.value in ("covered", "conditional"), (value, finding.verdict.value)
    assert finding.entity == entity


@pytest.mark.parametrize("value", ["S5720", "NE40E", "B535", "Mini 3 Pro", "KES 11", "ABC-L29"])
def test_bare_or_generic_models_need_corroboration(judge, value):
    assert judge(model=value).verdict.value in ("review", "clear")


def test_lookup_cli_decides_distinctive_models(cli):
    code, out, _ = cli("lookup", "--as", "model", "S5720-52X-SI-AC", "NE40E-X8", "ZXSDR B8200", "DS-2TD2617-10/PA", "Mavic 3 Pro")
    assert code == 1  # lookup exits 1 when a value is covered (--fail-on covered)
    first_lines = [line for line in out.splitlines() if line and not line.startswith(" ")]
    assert len(first_lines) == 5
    assert all(": covered" in line or ": conditional" in line for line in first_lines), first_lines
