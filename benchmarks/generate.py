"""Generate a realistic synthetic inventory for benchmarks.

Vendor strings repeat heavily (as in real asset databases) with case variants and typos; about 5%
of rows are covered equipment (names, model numbers, MAC blocks, FCC IDs, SNMP sysObjectIDs under
the maker's IANA enterprise number), some rows are the known lookalikes, some MACs are randomized.
Every identifier kind covscan reads from an inventory is there: MACs in the common notations
(colon, dash, Cisco dotted, bare), FCC IDs, sysObjectIDs, serial numbers, IP addresses and asset
ids, some of them blank.

A catalog (--catalog) is what a marketplace holds instead: listing titles that are nearly all
unique ("Hikvision 4MP Dome Camera DS-2CD2143G2-I, Outdoor - New"), a brand column that is often
blank, a category and a country of origin, so free text is what must be read. A distributor's
part list (--distributor) has a model and a description column whose values hardly repeat (about
77% and 95% distinct: part numbers with their variants, free-text descriptions that quote them).
Deterministic for a given seed.

    python benchmarks/generate.py 1000000 /tmp/inventory-1m.csv
    python benchmarks/generate.py --catalog 1000000 /tmp/catalog-1m.csv
    python benchmarks/generate.py --distributor 1000000 /tmp/parts-1m.csv
"""
from __future__ import annotations

import argparse
import csv
import random
import zlib
from pathlib import Path

# vendor as recorded, models, MAC blocks, FCC grantee code, IANA enterprise number (0: no SNMP agent)
COVERED = [
    ("Huawei", ["HG8245H", "HG8145V5", "S5731-S24T4X", "E3372", "AR2200"], ["001882", "002568", "003DE1"], "QIS", 2011),
    ("HUAWEI TECHNOLOGIES CO.,LTD", ["HN8055Q", "CE6870EI"], ["001E10"], "QIS", 2011),
    ("ZTE Corporation", ["ZXHN F670L", "ZXA10 C320", "MF96U"], ["0015EB", "0019C6"], "SRQ", 3902),
    ("Hikvision", ["DS-2CD2143G2-I", "DS-7608NI-I2", "DS-2DE4A425IWG"], ["00BC99", "040312", "04EECD"], "2ADTD", 39165),
    ("Hikvison", ["DS-2CD2387G2-LU"], ["0CA64C"], "", 39165),
    ("Dahua", ["IPC-HDW5231R-ZE", "DH-XVR5104H-I", "NVR4208-4KS2"], ["38AF29", "08EDED"], "", 37496),
    ("Zhejiang Dahua Technology Co., Ltd.", ["IPC-HFW2831S-S-S2"], ["14A78B"], "", 37496),
    ("Hytera", ["PD782G", "MD782"], ["6469BC"], "YAM", 40297),
    ("EZVIZ", ["CS-C6N-A0-1C2WFR"], ["0CA64C"], "", 0),
    ("Amcrest", ["IP8M-2496EB"], ["9C8ECD"], "", 0),
]
# vendor, models, weight, IANA enterprise number (0: no SNMP agent)
OTHERS = [
    ("Cisco Systems", ["C9300-48P", "ISR4451-X", "C9200L-24T"], 9, 9),
    ("Dell Inc.", ["Latitude 7440", "OptiPlex 7010", "PowerEdge R750"], 14, 0),
    ("HP Inc", ["EliteBook 840", "LaserJet M404"], 10, 0),
    ("Apple", ["iPhone 15", "MacBook Pro 14"], 10, 0),
    ("Lenovo", ["ThinkPad T14", "ThinkCentre M70q"], 9, 0),
    ("Axis Communications", ["P3245-LVE", "M3106-L"], 3, 368),
    ("Juniper Networks", ["EX4300-48T", "SRX345"], 3, 2636),
    ("Ubiquiti", ["U6-Pro", "USW-24-POE"], 3, 41112),
    ("Samsung", ["Galaxy S24", "Galaxy Tab S9"], 5, 0),
    ("Microsoft", ["Surface Pro 9"], 3, 0),
    ("Netgear", ["GS308", "GS724T"], 2, 0),
    ("Honeywell", ["HC30W"], 1, 0),
    ("Aztech", ["DSL5001EN"], 0.3, 0),
    ("H3C", ["S5120-28P-SI"], 0.3, 25506),
    ("Synology", ["DS920+", "DS918+"], 1, 0),
    ("Juniper Systems", ["Mesa 3"], 0.2, 0),
]
# Marketplace products: category, nouns used in titles, share of listings made in China
PRODUCTS = [
    ("camera", ["Dome Camera", "Bullet Camera", "PTZ Camera", "Doorbell Camera"], 0.8),
    ("recorder", ["NVR 8 Channel", "DVR 16 Channel", "PoE NVR"], 0.8),
    ("router", ["WiFi 6 Router", "Mesh WiFi System", "Travel Router", "4G LTE Router"], 0.7),
    ("drone", ["Camera Drone", "FPV Drone", "Mini Drone"], 0.9),
    ("accessory", ["USB-C Hub", "Wall Mount Bracket", "PoE Injector", "HDMI Cable"], 0.6),
    ("phone", ["Smartphone 128GB", "Rugged Phone", "Two-Way Radio"], 0.6),
]
CATALOG_BRANDS = ["TP-Link", "Netgear", "Reolink", "Wyze", "Anker", "Ubiquiti", "Axis Communications", "Lorex",
                  "Amcrest", "Samsung", "Motorola Solutions", "Aztech", "Synology", "Generic"]
SPECS = ["4MP", "8MP", "AX3000", "AX1800", "Gigabit", "2-Pack", "Outdoor", "Indoor", "Night Vision", "4K", "1080p"]
CONDITIONS = ["New", "Renewed", "Open Box", "Used - Like New"]
DESCRIPTIONS = ["Access switch", "Laptop", "Desktop", "IP camera", "NVR", "Printer", "Phone", "Router", "Server",
                "Wireless AP", "Tablet", "Thermostat", "DMR radio", "GPON ONT", "Firewall", "UPS"]


def _mac(rng: random.Random, prefix: str | None) -> str:
    """Mostly 00:11:22:33:44:55; some 00-11-22-33-44-55 (lower case), 0011.2233.4455 and bare digits."""
    if prefix is None:
        first = rng.randrange(256) & 0xFC  # globally administered, unicast
        digits = f"{first:02X}{rng.randrange(1 << 40):010X}"
    else:
        digits = prefix + f"{rng.randrange(1 << 24):06X}"
    r = rng.random()
    if r < 0.80:
        return ":".join(digits[i:i + 2] for i in range(0, 12, 2))
    if r < 0.88:
        return "-".join(digits[i:i + 2] for i in range(0, 12, 2)).lower()
    if r < 0.95:
        return ".".join(digits[i:i + 4] for i in range(0, 12, 4)).lower()
    return digits


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
    if r < 0.35 and len(name) > 4:  # a typo: two neighbouring letters swapped
        i = rng.randrange(1, len(name) - 2)
        return name[:i] + name[i + 1] + name[i] + name[i + 2:]
    return name


def _identifiers(rng: random.Random, i: int, pen: int, model: str) -> list[str]:
    """Serial number, IP address and (for gear with an SNMP agent, half the time) sysObjectID, which
    names the product under its maker's enterprise number, so one model has one."""
    serial = "".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", k=12)) if rng.random() < 0.9 else ""
    ip = f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}" if rng.random() < 0.8 else ""
    oid = f"1.3.6.1.4.1.{pen}.1.{zlib.crc32(model.encode()) % 5000}" if pen and rng.random() < 0.5 else ""
    return [serial, ip, oid]


def generate(rows: int, path: Path, seed: int = 7, covered_share: float = 0.05) -> None:
    rng = random.Random(seed)
    weights = [w for _, _, w, _ in OTHERS]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["asset_id", "vendor", "model", "mac", "fcc_id", "serial", "ip", "sysobjectid", "description", "location"])
        for i in range(rows):
            if rng.random() < covered_share:
                vendor, models, prefixes, grantee, pen = rng.choice(COVERED)
                model = rng.choice(models)
                mac = _mac(rng, rng.choice(prefixes))
                fcc = f"{grantee}-{model.replace(' ', '')[:8]}" if grantee and rng.random() < 0.3 else ""
                if rng.random() < 0.3:
                    vendor = ""  # covered gear recorded without a vendor: MAC and model must find it
            else:
                vendor, models, _, pen = rng.choices(OTHERS, weights)[0]
                model = rng.choice(models)
                mac = _mac(rng, None) if rng.random() < 0.9 else "DA" + _mac(rng, None)[2:]
                fcc = ""
            w.writerow([f"A{i:08d}", _variant(rng, vendor) if vendor else "", model, mac, fcc, *_identifiers(rng, i, pen, model),
                        rng.choice(DESCRIPTIONS), f"Site {rng.randrange(400)}"])


def generate_catalog(rows: int, path: Path, seed: int = 7, covered_share: float = 0.05) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["listing_id", "title", "brand", "category", "country_of_origin", "price", "seller"])
        for i in range(rows):
            category, nouns, made_in_china = rng.choice(PRODUCTS)
            if rng.random() < covered_share:
                brand, models, *_ = rng.choice(COVERED)
                model = rng.choice(models)
            else:
                brand, model = rng.choice(CATALOG_BRANDS), f"{rng.choice('ABCDEFGHKMRSTX')}{rng.randrange(100, 9999)}"
            title = f"{_variant(rng, brand)} {rng.choice(SPECS)} {rng.choice(nouns)} {model}, {rng.choice(SPECS)} - {rng.choice(CONDITIONS)}"
            if rng.random() < 0.3:  # a compatible accessory names another maker without being made by it
                title = f"{rng.choice(nouns)} Mount compatible with {brand} {model} #{rng.randrange(10**6)}"
            country = ("China" if rng.random() < made_in_china else rng.choice(["United States", "Taiwan", "Vietnam", "Mexico"])
                       ) if rng.random() < 0.7 else ""
            w.writerow([f"L{i:09d}", title, brand if rng.random() < 0.5 else "", category, country,
                        f"{rng.uniform(5, 900):.2f}", f"seller-{rng.randrange(20000)}"])


PART_NOUNS = ["Ethernet switch", "Patch cable", "SFP+ module", "Power supply", "Rack shelf", "IP camera", "Access point",
              "Fiber pigtail", "Surge protector", "Media converter", "Cable tie", "Fan tray", "Line card", "Antenna"]


def generate_parts(rows: int, path: Path, seed: int = 7, covered_share: float = 0.05) -> None:
    rng = random.Random(seed)
    makers = [v for v, *_ in OTHERS] + ["Belden", "Panduit", "CommScope", "Corning", "APC", "Tripp Lite", "Eaton"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["item_number", "manufacturer", "model", "description", "qty", "unit_price"])
        for i in range(rows):
            if rng.random() < covered_share:
                vendor, models, *_ = rng.choice(COVERED)
                model = rng.choice(models) + (f"-{rng.randrange(100):02d}" if rng.random() < 0.5 else "")
            else:
                vendor = rng.choice(makers)
                model = f"{rng.choice('ABCDEFGHJKLMNPRSTVWXZ')}{rng.randrange(15_000):05d}" + (
                    f"-{rng.choice(['BK', 'WH', 'GY', 'BL'])}{rng.randrange(1, 20)}" if rng.random() < 0.6 else "")
            description = (f"{rng.choice(PART_NOUNS)} {model} {rng.choice(SPECS)}, {rng.randrange(1, 500)} {rng.choice(['ft', 'm', 'pcs', 'W'])}"
                           + (f", lot {rng.randrange(10**6)}" if rng.random() < 0.5 else "")) if rng.random() < 0.95 else rng.choice(PART_NOUNS)
            w.writerow([f"P{i:09d}", vendor if rng.random() < 0.8 else "", model, description, rng.randrange(1, 100),
                        f"{rng.uniform(1, 3000):.2f}"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rows", type=int, help="how many rows (records or listings) to write")
    parser.add_argument("path", type=Path, help="the CSV file to write")
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--catalog", action="store_true", help="marketplace listings with free-text titles")
    kind.add_argument("--distributor", action="store_true", help="a part list whose models and descriptions hardly repeat")
    args = parser.parse_args()
    (generate_catalog if args.catalog else generate_parts if args.distributor else generate)(args.rows, args.path)


if __name__ == "__main__":
    main()
