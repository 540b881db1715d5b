"""The Dask engine on a real distributed.LocalCluster (2 workers) gives byte-identical JSONL to
the local engine, on the labelled set, on a generated 1,000,000-row inventory and on a generated
catalog of listing titles (whose evidence names each title by a row token)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from distributed import Client, LocalCluster

from covscan import dask as covscan_dask

ROOT = Path(__file__).parents[1]
LABELLED = ROOT / "tests" / "data" / "labelled.csv"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    scratch = tmp_path_factory.mktemp("dask")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, local_directory=str(scratch)) as cluster, Client(cluster) as c:
        yield c


def local_jsonl(path: Path, out: Path) -> bytes:
    subprocess.run([sys.executable, "-m", "covscan.cli", "screen", str(path), "-o", str(out), "-q"], check=False)
    return out.read_bytes()


def dask_jsonl(path: Path, client, blocksize: str) -> bytes:
    ddf = covscan_dask.read(str(path), blocksize=blocksize)
    result = covscan_dask.screen(ddf)
    return b"".join(("\n".join(part["line"]) + "\n").encode() for part in covscan_dask.ordered_partitions(result, client) if len(part))


def test_labelled_set_identical_across_partitions(client, tmp_path):
    expected = local_jsonl(LABELLED, tmp_path / "local.jsonl")
    got = dask_jsonl(LABELLED, client, blocksize="8KB")  # many small partitions
    assert got == expected and expected.count(b"\n") == 402


def test_million_rows_identical(client, tmp_path):
    source = tmp_path / "inventory.csv"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "1000000", str(source)], check=True)
    expected = local_jsonl(source, tmp_path / "local.jsonl")
    got = dask_jsonl(source, client, blocksize="16MB")
    assert expected.count(b"\n") == 1_000_000
    assert got == expected


def test_catalog_identical_across_partitions(client, tmp_path):
    """Partitions of about 600 listings stay below TOKENIZE_MIN and fuse title by title, where the
    local engine's one batch names titles by row tokens and shares findings; the lines must be the same."""
    source = tmp_path / "catalog.csv"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--catalog", "60000", str(source)], check=True)
    expected = local_jsonl(source, tmp_path / "local.jsonl")
    got = dask_jsonl(source, client, blocksize="64KB")
    assert expected.count(b"\n") == 60_000
    assert got == expected


def test_cli_with_a_scheduler_address_and_a_glob(client, tmp_path):
    for i, rows in enumerate((["vendor,model", "Huawei,HG8245H", "Cisco,C9300"], ["vendor,model", "Hikvision,DS-2CD2143G2-I"])):
        (tmp_path / f"part-{i}.csv").write_text("\n".join(rows) + "\n")
    out = tmp_path / "f.jsonl"
    proc = subprocess.run([sys.executable, "-m", "covscan.cli", "screen", str(tmp_path / "part-*.csv"), "--engine", "dask",
                           "--scheduler", client.scheduler.address, "-o", str(out), "-q"], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    lines = out.read_text().splitlines()
    assert [line.split(',"verdict":"')[1].split('"')[0] for line in lines] == ["covered", "clear", "conditional"]
    assert [int(line.split(",")[0].split(":")[1]) for line in lines] == [0, 1, 2]


def test_dask_engine_refuses_other_outputs(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "covscan.cli", "screen", str(LABELLED), "--engine", "dask", "-o", str(tmp_path / "x.html")],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "writes one JSONL file" in proc.stderr
