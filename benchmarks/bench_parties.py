"""Benchmark `covscan parties` on generated customer files against a list of the real CSL's size
(not a timed test).

The list: every entry of the real snapshots in ../shared/fixtures/lists (CSL 2023-11-30, OFAC SDN
2021-07, OFAC consolidated 2025-12), then entries made from their words until it has --entries
entries and about three names each (the posted CSL has about 20,000 entries and 60,000 names),
written as a CSL CSV. The parties: a customer master file (Customer Name, Street, City, Country)
in which --listed-share of the rows name a listed party, exactly or with a typo, a legal-form
change or words reordered, and the rest are made-up companies and people from the same words.

For each size it runs, each in its own process:
  covscan   covscan parties FILE --list LIST -o out.parquet  (reading the list and indexing it included)
  naive     per-row Python with rapidfuzz process.extractOne(name, every listed name, WRatio) on a
            sample of --naive-sample rows, extrapolated (what a straightforward script would do)
and prints parties/s, CPU seconds, parties per CPU-second (per core), and peak RSS.

    python benchmarks/bench_parties.py --rows 100000 1000000
"""
from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
FIXTURES = HERE.parent.parent / "shared" / "fixtures" / "lists"
LISTS = [FIXTURES / "csl_2023-11-30" / "consolidated.csv", FIXTURES / "ofac_sdn_2021-07", FIXTURES / "ofac_cons_2025-12"]
CSL_COLUMNS = ("_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,start_date,end_date,"
               "standard_order,license_requirement,license_policy,call_sign,vessel_type,gross_tonnage,gross_registered_tonnage,"
               "vessel_flag,vessel_owner,remarks,source_list_url,alt_names,citizenships,dates_of_birth,nationalities,"
               "places_of_birth,source_information_url,ids").split(",")
LEGAL = ["Co., Ltd.", "Ltd", "LLC", "Inc.", "Company Limited", "GmbH", "OOO", "JSC", "S.A.", "Corporation", ""]
CITIES = ["Beijing", "Shanghai", "Shenzhen", "Moscow", "Tehran", "Dubai", "Hong Kong", "Istanbul", "Chicago", "Berlin", "Mumbai"]
COUNTRIES = ["CN", "CN", "RU", "IR", "AE", "HK", "TR", "US", "DE", "IN", "China", "Russia"]
NAIVE = """
import csv, resource, sys, time
from rapidfuzz import fuzz, process
names = [n for n in open(sys.argv[1], encoding="utf-8").read().split("\\n") if n]
rows = [r["Customer Name"] for r in csv.DictReader(open(sys.argv[2], newline="", encoding="utf-8"))][: int(sys.argv[3])]
t = time.perf_counter()
for name in rows:
    process.extractOne(name, names, scorer=fuzz.WRatio, score_cutoff=90)
print(len(rows) / (time.perf_counter() - t), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def build_list(path: Path, entries: int, seed: int) -> tuple[list[str], list[str]]:
    """Write the benchmark list as a CSL CSV; return its names and its words."""
    sys.path.insert(0, str(HERE.parent / "src"))
    from covscan.lists import read_lists

    real = [e for s in read_lists(LISTS) for e in s.entries]
    rng = random.Random(seed)
    words = [w for e in real for n in e.names for w in n.replace(",", " ").split() if w.isalpha() and len(w) > 2]
    names: list[str] = []
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(CSL_COLUMNS)
        for i in range(entries):
            if i < len(real):
                e = real[i]
                name, aliases, address = e.name, list(e.aliases), "; ".join(a.text for a in e.addresses)
                source = e.list_name if " - " in e.list_name else "Specially Designated Nationals (SDN) - Treasury Department"
            else:
                name = " ".join(rng.sample(words, rng.randint(2, 4))) + " " + rng.choice(LEGAL)
                aliases = [" ".join(rng.sample(words, rng.randint(1, 3))) for _ in range(rng.randint(1, 3))]
                address, source = f"{rng.randint(1, 999)} {rng.choice(words)} Road, {rng.choice(CITIES)}, {rng.choice(COUNTRIES[:9])}", "Entity List (EL) - Bureau of Industry and Security"
            names += [name, *aliases]
            row = dict.fromkeys(CSL_COLUMNS, "")
            row.update(_id=f"bench-{i}", source=source, name=name, alt_names="; ".join(aliases), addresses=address)
            out.writerow(row.values())
    return names, words


def build_parties(path: Path, rows: int, names: list[str], words: list[str], listed_share: float, seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["Customer ID", "Customer Name", "Street", "City", "Country"])
        for i in range(rows):
            if rng.random() < listed_share:
                name = _variant(rng, rng.choice(names))
            elif rng.random() < 0.3:
                name = f"{rng.choice(words).title()} {rng.choice(words).title()}"  # a person
            else:
                name = " ".join(rng.sample(words, rng.randint(1, 3))) + " " + rng.choice(["Trading", "Technology", "Group", "Industries", ""]) + " " + rng.choice(LEGAL)
            out.writerow([f"C{i:08d}", name.strip(), f"{rng.randint(1, 999)} {rng.choice(words)} Street", rng.choice(CITIES), rng.choice(COUNTRIES)])


def _variant(rng: random.Random, name: str) -> str:
    kind = rng.randrange(4)
    if kind == 1 and len(name) > 8:
        i = rng.randrange(1, len(name) - 1)
        return name[:i] + name[i + 1:]
    if kind == 2:
        return f"{name} {rng.choice(LEGAL)}"
    if kind == 3:
        return " ".join(reversed(name.split()))
    return name


def measured(cmd: list[str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of a child process, and its standard output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        sys.exit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--listed-share", type=float, default=0.02)
    parser.add_argument("--naive-sample", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not FIXTURES.is_dir():
        sys.exit(f"the list fixtures are not at {FIXTURES}")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="covscan-bench-parties-") as tmp:
        work = Path(tmp)
        listed = work / "list.csv"
        names, words = build_list(listed, args.entries, args.seed)
        (work / "names.txt").write_text("\n".join(names), encoding="utf-8")
        print(f"list: {args.entries:,} entries, {len(names):,} names ({listed.stat().st_size / 2**20:.1f} MiB CSL CSV)")
        print(f"{'parties':>10} {'tool':>8} {'wall s':>8} {'CPU s':>8} {'parties/s':>10} {'per core/s':>11} {'peak RSS MiB':>13}")
        for rows in args.rows:
            parties = work / f"parties_{rows}.csv"
            build_parties(parties, rows, names, words, args.listed_share, args.seed)
            # ru_maxrss of RUSAGE_CHILDREN is the largest child so far: run the sizes smallest first
            # (the default order) for per-size peaks; the naive script reports its own.
            wall, cpu, rss, _ = measured([sys.executable, "-m", "covscan.cli", "parties", str(parties), "--list", str(listed),
                                          "-o", str(work / "out.parquet"), "--fail-on", "never", "-q"])
            print(f"{rows:>10,} {'covscan':>8} {wall:>8.1f} {cpu:>8.1f} {rows / wall:>10,.0f} {rows / cpu:>11,.0f} {rss:>13,.0f}")
            sample = min(args.naive_sample, rows)
            _, _, _, stdout = measured([sys.executable, "-c", NAIVE, str(work / "names.txt"), str(parties), str(sample)])
            rate, rss = map(float, stdout.split())
            print(f"{rows:>10,} {'naive':>8} {rows / rate:>8.0f} {'':>8} {rate:>10,.0f} {rate:>11,.0f} {rss:>13,.0f}   (extractOne WRatio on {sample:,} rows, extrapolated)")


if __name__ == "__main__":
    main()
