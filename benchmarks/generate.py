"""Generate a realistic synthetic inventory for benchmarks.

Vendor strings repeat heavily (as in real asset databases) with case variants and typos; about 5%
of rows are covered equipment (names, model numbers, MAC blocks, FCC IDs), some rows are the known
lookalikes, some MACs are randomized. Deterministic for a given seed.

    python benchmarks/generate.py 1000000 /tmp/inventory-1m.csv
"""
from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

COVERED = [
    ("Huawei", ["HG8245H", "HG8145V5", "S5731-S24T4X", "E3372", "AR2200"], ["001882", "002568", "003DE1"], "QIS"),
    ("HUAWEI TECHNOLOGIES CO.,LTD", ["HN8055Q", "CE6870EI"], ["001E10"], "QIS"),
    ("ZTE Corporation", ["ZXHN F670L", "ZXA10 C320", "MF96U"], ["0015EB", "0019C6"], "SRQ"),
    ("Hikvision", ["DS-2CD2143G2-I", "DS-7608NI-I2", "DS-2DE4A425IWG"], ["00BC99", "040312", "04EECD"], "2ADTD"),
    ("Hikvison", ["DS-2CD2387G2-LU"], ["0CA64C"], ""),
    ("Dahua", ["IPC-HDW5231R-ZE", "DH-XVR5104H-I", "NVR4208-4KS2"], ["38AF29", "08EDED"], ""),
    ("Zhejiang Dahua Technology Co., Ltd.", ["IPC-HFW2831S-S-S2"], ["14A78B"], ""),
    ("Hytera", ["PD782G", "MD782"], ["6469BC"], "YAM"),
    ("EZVIZ", ["CS-C6N-A0-1C2WFR"], ["0CA64C"], ""),
    ("Amcrest", ["IP8M-2496EB"], ["9C8ECD"], ""),
]
OTHERS = [
    ("Cisco Systems", ["C9300-48P", "ISR4451-X", "C9200L-24T"], 9),
    ("Dell Inc.", ["Latitude 7440", "OptiPlex 7010", "PowerEdge R750"], 14),
    ("HP Inc", ["EliteBook 840", "LaserJet M404"], 10),
    ("Apple", ["iPhone 15", "MacBook Pro 14"], 10),
    ("Lenovo", ["ThinkPad T14", "ThinkCentre M70q"], 9),
    ("Axis Communications", ["P3245-LVE", "M3106-L"], 3),
    ("Juniper Networks", ["EX4300-48T", "SRX345"], 3),
    ("Ubiquiti", ["U6-Pro", "USW-24-POE"], 3),
    ("Samsung", ["Galaxy S24", "Galaxy Tab S9"], 5),
    ("Microsoft", ["Surface Pro 9"], 3),
    ("Netgear", ["GS308", "GS724T"], 2),
    ("Honeywell", ["HC30W"], 1),
    ("Aztech", ["DSL5001EN"], 0.3),
    ("H3C", ["S5120-28P-SI"], 0.3),
    ("Synology", ["DS920+", "DS918+"], 1),
    ("Juniper Systems", ["Mesa 3"], 0.2),
]
DESCRIPTIONS = ["Access switch", "Laptop", "Desktop", "IP camera", "NVR", "Printer", "Phone", "Router", "Server",
                "Wireless AP", "Tablet", "Thermostat", "DMR radio", "GPON ONT", "Firewall", "UPS"]


def _mac(rng: random.Random, prefix: str | None) -> str:
    if prefix is None:
        first = rng.randrange(256) & 0xFC  # globally administered, unicast
        digits = f"{first:02X}{rng.randrange(1 << 40):010X}"
    else:
        digits = prefix + f"{rng.randrange(1 << 24):06X}"
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2))


def _variant(rng: random.Random, name: str) -> str:
    r = rng.random()
    if r < 0.15:
        return name.upper()
    if r < 0.25:
        return name.lower()
    if r < 0.30:
        return name + " Inc."
    if r < 0.33:
        return f"{name} ({rng.choice(['EMEA', 'US', 'APAC'])})"
    return name


def generate(rows: int, path: Path, seed: int = 7, covered_share: float = 0.05) -> None:
    rng = random.Random(seed)
    weights = [w for _, _, w in OTHERS]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["asset_id", "vendor", "model", "mac", "fcc_id", "description", "location"])
        for i in range(rows):
            if rng.random() < covered_share:
                vendor, models, prefixes, grantee = rng.choice(COVERED)
                model = rng.choice(models)
                mac = _mac(rng, rng.choice(prefixes))
                fcc = f"{grantee}-{model.replace(' ', '')[:8]}" if grantee and rng.random() < 0.3 else ""
                if rng.random() < 0.3:
                    vendor = ""  # covered gear recorded without a vendor: MAC and model must find it
            else:
                vendor, models, _ = rng.choices(OTHERS, weights)[0]
                model = rng.choice(models)
                mac = _mac(rng, None) if rng.random() < 0.9 else "DA" + _mac(rng, None)[2:]
                fcc = ""
            w.writerow([f"A{i:08d}", _variant(rng, vendor) if vendor else "", model, mac, fcc,
                        rng.choice(DESCRIPTIONS), f"Site {rng.randrange(400)}"])


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]))
