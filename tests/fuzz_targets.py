"""What the fuzzers feed: one target per reader and importer, each taking the bytes of a file.

A target passes when the reader either refuses the file with InputError (a clear message) or reads
it into well-formed batches (row numbers 0..n-1 in order, an error column) or records ((where,
dict) or (where, message)). Anything else it raises is a crash. scripts/fuzz.py runs these under
atheris for a fixed time; every input that ever crashed one is kept under tests/data/fuzz/TARGET/
and replayed by tests/test_fuzz_regressions.py."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from covscan.engine import ERROR_COLUMN, ROW_COLUMN
from covscan.imports import IMPORTERS
from covscan.sources import InputError, open_source

DATA = Path(__file__).parent / "data"
REGRESSIONS = DATA / "fuzz"
# Tabular readers by format, with the file suffix they are opened under.
READERS = {"csv": ".csv", "tsv": ".tsv", "xlsx": ".xlsx", "json": ".json", "jsonl": ".jsonl", "parquet": ".parquet"}


def _as_file(data: bytes, suffix: str, check: Callable[[Path], None]) -> None:
    fd, name = tempfile.mkstemp(suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        check(Path(name))
    finally:
        os.unlink(name)


def read_table(fmt: str) -> Callable[[bytes], None]:
    def target(data: bytes) -> None:
        def check(path: Path) -> None:
            try:
                source = open_source(path, fmt)
                expected = 0
                for batch in source.batches(1000):
                    rows = batch[ROW_COLUMN].to_list()
                    assert rows == list(range(expected, expected + batch.height)), "row numbers skip or repeat"
                    assert ERROR_COLUMN in batch.columns and set(source.columns) <= set(batch.columns), "a batch lacks its columns"
                    expected += batch.height
            except InputError:
                pass
        _as_file(data, READERS[fmt], check)
    return target


def run_importer(name: str) -> Callable[[bytes], None]:
    parse = IMPORTERS[name][0]

    def target(data: bytes) -> None:
        def check(path: Path) -> None:
            try:
                records = parse(path)
            except InputError:
                return
            for where, record in records:
                assert isinstance(where, str) and isinstance(record, (dict, str)), (where, record)
        _as_file(data, ".txt", check)
    return target


def read_party_list(name: str) -> Callable[[bytes], None]:
    """A restricted-party list file under its official name (the readers tell the format by content
    and by name): refused with InputError, or entries each with a name and an id."""
    from covscan.lists import read_bytes

    def target(data: bytes) -> None:
        try:
            listed = read_bytes(Path(tempfile.gettempdir()) / "covscan-fuzz-none" / name, data)
        except InputError:
            return
        for entry in listed.entries:
            assert entry.name.strip() and entry.entry_id and entry.list_code, entry
    return target


# Party-list readers: the file name each is read under, and its seed in tests/data/lists.
LIST_FILES = {"list-csl-csv": ("consolidated.csv", "csl_sample.csv"), "list-csl-json": ("consolidated.json", "csl_sample.json"),
              "list-ofac-csv": ("sdn.csv", "ofac_sdn_sample/sdn.csv"), "list-ofac-xml": ("sdn.xml", "sdn_sample.xml")}
IMPORT_SAMPLES = {"nmap": "nmap.xml", "ip-neigh": "ip_neigh.txt", "arp": "arp_*.txt", "mac-table": "*_mac_table.txt",
                  "dhcpd": "dhcpd.leases", "dnsmasq": "dnsmasq.leases", "zeek-dhcp": "zeek_dhcp.*", "zeek-software": "zeek_software.log",
                  "runzero": "runzero.*"}
TARGETS: dict[str, Callable[[bytes], None]] = {
    **{f"read-{fmt}": read_table(fmt) for fmt in READERS},
    **{f"import-{name}": run_importer(name) for name in IMPORTERS},
    **{target: read_party_list(name) for target, (name, _) in LIST_FILES.items()},
}


def seeds(target: str) -> list[bytes]:
    """Real sample files to start from: the import samples in tests/data/imports, and for the
    tabular readers the first rows of the labelled set in each format."""
    if target in LIST_FILES:
        return [(DATA / "lists" / LIST_FILES[target][1]).read_bytes()]
    if target.startswith("import-"):
        return [p.read_bytes() for p in sorted((DATA / "imports").glob(IMPORT_SAMPLES[target.removeprefix("import-")]))]
    import io

    import polars as pl

    frame = pl.read_csv(DATA / "labelled.csv", infer_schema=False, n_rows=12)
    fmt = target.removeprefix("read-")
    out = io.BytesIO()
    if fmt in ("csv", "tsv"):
        frame.write_csv(out, separator="," if fmt == "csv" else "\t")
    elif fmt == "json":
        frame.write_json(out)
    elif fmt == "jsonl":
        frame.write_ndjson(out)
    elif fmt == "parquet":
        frame.write_parquet(out)
    else:
        frame.write_excel(out)
    return [out.getvalue()]
