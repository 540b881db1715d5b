"""`covscan parties` end to end, on the real list snapshots: the output contract, the writers, exit
codes, column recognition, rows that cannot be screened, and the run without lists."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from tests.conftest import read_jsonl, write_csv

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "lists"
CSL = FIXTURES / "csl_2023-11-30" / "consolidated.csv"
SDN = FIXTURES / "ofac_sdn_2021-07"
CONS = FIXTURES / "ofac_cons_2025-12"
LISTS = ("--list", str(CSL), "--list", str(SDN), "--list", str(CONS))
needs_fixtures = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"the list snapshots are not at {FIXTURES}")
MATCH_KEYS = {"list", "name", "entry_id", "score", "features", "explanation", "programs", "license_requirement",
              "license_policy", "federal_register_notice", "source_list_url"}


@pytest.fixture()
def customers(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "customers.csv", ["Customer ID", "Customer Name", "Street", "City", "Country"], [
        ["C1", "China Telecom Corp Ltd", "31 Jinrong Street", "Beijing", "CN"],
        ["C2", "Telecom Italia S.p.A.", "Via Gaetano Negri 1", "Milano", "IT"],
        ["C3", "华为技术有限公司", "", "Shenzhen", "China"],
        ["C4", "Hajji Khalil Constrution Company", "Wazir Akbar Khan", "Kabul", "AF"],
        ["C5", "Aztech Systems Ltd", "", "Singapore", "SG"],
        ["C6", "", "12 Main Street", "Springfield", "US"],
        ["C7", "Futurewei Technologies Inc", "", "Plano", "US"],
    ])


@needs_fixtures
def test_the_done_when_command_writes_the_contract(cli, customers, tmp_path):
    out = tmp_path / "hits.jsonl"
    code, _, err = cli("parties", str(customers), *LISTS, "-o", str(out))
    rows = read_jsonl(out)
    assert code == 2  # row C6 has an address but no name: an error row, reported
    assert [r["row"] for r in rows] == list(range(7))
    verdicts = {r["id"]: r["verdict"] for r in rows}
    assert verdicts == {"record:C1": "match", "record:C2": "clear", "record:C3": "match", "record:C4": "match",
                        "record:C5": "clear", None: "error", "record:C7": "review"}
    telecom = rows[0]["matches"][0]
    assert MATCH_KEYS <= set(telecom)
    assert telecom["list"] == "CMIC" and telecom["entry_id"] == "30882" and 0 <= telecom["score"] <= 1
    assert telecom["features"]["name"] == 1.0 and telecom["features"]["country"] == 1.0
    assert "China Telecom Corporation Limited" in telecom["explanation"]
    assert [r["id"] for r in rows[0]["regimes"]] == ["ofac_ns_cmic"]
    assert rows[3]["matches"][0]["list"] == "EL" and rows[3]["matches"][0]["license_policy"] == "Presumption of denial."
    assert "no party name" in rows[5]["error"] and "Customer Name" in rows[5]["error"]
    futurewei = rows[6]["matches"][0]
    assert futurewei["list"] == "KB" and futurewei["relation"] == "subsidiary" and "Affiliates Rule" in futurewei["affiliation"]


@needs_fixtures
def test_matches_are_best_first_and_clear_rows_say_what_was_checked(cli, customers, tmp_path):
    out = tmp_path / "hits.jsonl"
    cli("parties", str(customers), *LISTS, "-o", str(out), "--matches", "5")
    for row in read_jsonl(out):
        scores = [m["score"] for m in row.get("matches", [])]
        assert scores == sorted(scores, reverse=True)
        if row["verdict"] == "clear":
            assert not row["matches"] and "entries of 3 lists" in row["explanation"]


@needs_fixtures
@pytest.mark.parametrize("fail_on, code", [("match", 1), ("review", 1), ("never", 0)])
def test_exit_codes_follow_fail_on(cli, tmp_path, fail_on, code):
    path = write_csv(tmp_path / "suppliers.csv", ["Supplier Name", "Country"], [["BANCO NACIONAL DE CUBA", "CU"], ["Acme Widgets", "US"]])
    assert cli("parties", str(path), *LISTS, "-o", str(tmp_path / "o.jsonl"), "--fail-on", fail_on, "-q")[0] == code
    clean = write_csv(tmp_path / "clean.csv", ["Supplier Name"], [["Acme Widgets"]])
    assert cli("parties", str(clean), *LISTS, "-o", str(tmp_path / "c.jsonl"), "-q")[0] == 0


@needs_fixtures
def test_every_writer_writes_a_party_run(cli, customers, tmp_path):
    outputs = [tmp_path / f"hits.{ext}" for ext in ("csv", "parquet", "xlsx", "html", "json")]
    args = [a for p in outputs for a in ("-o", str(p))]
    cli("parties", str(customers), *LISTS, *args, "-q")
    flat = pl.read_csv(outputs[0], infer_schema=False)
    assert flat["verdict"].to_list() == ["match", "clear", "match", "match", "clear", "error", "review"]
    assert flat["entity"][0] == "China Telecom Corporation Limited" and flat["relation"][0] == "CMIC"
    assert pl.read_parquet(outputs[1])["verdict"].to_list() == flat["verdict"].to_list()
    sheet = openpyxl.load_workbook(outputs[2]).worksheets
    summary = {r[0]: r[1] for r in sheet[1].iter_rows(values_only=True) if r and r[0]}
    assert summary["match"] == 3 and summary["review"] == 1 and "screened against" in summary
    html = outputs[3].read_text(encoding="utf-8")
    assert 'id=count-match' in html and "China Telecom Corporation Limited" in html and "id=lists" in html
    assert json.loads(outputs[4].read_text(encoding="utf-8"))


def test_without_lists_it_says_so_and_screens_the_knowledge_base_parties(cli, tmp_path):
    path = write_csv(tmp_path / "vendors.csv", ["Vendor Name"], [["Huawei Technologies Co., Ltd."], ["Hangzhou Hikvision Digital Technology Co., Ltd."], ["Acme"]])
    out = tmp_path / "o.jsonl"
    code, stdout, err = cli("parties", str(path), "-o", str(out), "-q")
    assert "no restricted-party list is installed" in err
    rows = read_jsonl(out)
    assert rows[0]["verdict"] == "match" and rows[0]["matches"][0]["list"] == "KB" and rows[0]["matches"][0]["entry_id"] == "huawei"
    assert {"fcc_covered_list", "ndaa_889"} <= {r["id"] for r in rows[0]["regimes"]}
    assert rows[1]["matches"][0]["entry_id"] == "hikvision"
    assert rows[2]["verdict"] == "clear" and code == 1


def test_columns_are_found_by_header_and_map(cli, tmp_path):
    path = write_csv(tmp_path / "bp.csv", ["BP Number", "Business Partner Name 1", "Land"], [["1001", "ZTE Corporation", "CN"]])
    out = tmp_path / "o.jsonl"
    code, stdout, _ = cli("parties", str(path), "-o", str(out))
    assert "name='Business Partner Name 1'" in stdout and "country='Land'" in stdout
    assert read_jsonl(out)[0]["matches"][0]["entry_id"] == "zte"
    odd = write_csv(tmp_path / "odd.csv", ["Col A", "Col B"], [["x", "ZTE Corporation"]])
    assert cli("parties", str(odd), "-o", str(out), "-q")[0] == 2  # nothing names a party: an input error
    assert cli("parties", str(odd), "-o", str(out), "-q", "--map", "name=Col B")[0] == 1


def test_a_file_without_a_name_column_is_refused_with_a_hint(cli, tmp_path):
    path = write_csv(tmp_path / "nums.csv", ["Amount", "Date"], [["12", "2026-01-01"]])
    code, _, err = cli("parties", str(path), "-o", str(tmp_path / "o.jsonl"))
    assert code == 2 and "nums.csv" in err and "--map" in err and "Traceback" not in err


def test_a_bad_list_is_refused_naming_the_file(cli, customers, tmp_path):
    bad = tmp_path / "list.csv"
    bad.write_text("this,is,not\na,list,file\n", encoding="utf-8")
    code, _, err = cli("parties", str(customers), "--list", str(bad), "-o", str(tmp_path / "o.jsonl"))
    assert code == 2 and "list.csv" in err and "Traceback" not in err
    assert not (tmp_path / "o.jsonl").exists()


def test_help_teaches(cli):
    code, stdout, _ = cli("parties", "--help")
    text = " ".join(stdout.replace("│", " ").split())
    assert code == 0 and "--list" in text and "Example" in text and "export check" in text


def test_without_list_it_screens_the_lists_data_update_installed(cli, tmp_path, monkeypatch):
    from tests.test_data_update import source_folder

    monkeypatch.setenv("COVSCAN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert cli("data", "update", "--from", str(source_folder(tmp_path / "official")))[0] == 0
    path = write_csv(tmp_path / "customers.csv", ["Customer Name", "Country"], [["China Telecom Corp., Ltd.", "CN"], ["Acme", "US"]])
    out = tmp_path / "o.jsonl"
    code, _, err = cli("parties", str(path), "-o", str(out), "-q")
    rows = read_jsonl(out)
    assert "no restricted-party list is installed" not in err
    assert rows[0]["matches"][0]["entry_id"] == "30882" and rows[0]["matches"][0]["list"] == "CMIC"
    assert rows[1]["verdict"] == "clear" and code == 1


@needs_fixtures
def test_order_lines_get_an_export_check(cli, tmp_path):
    path = write_csv(tmp_path / "orders.csv", ["Order No", "Ship To Name", "Ship To Country", "ECCN", "End Use"], [
        ["1", "Haji Khalil Construction Company", "AF", "EAR99", ""],
        ["2", "Acme Widgets GmbH", "DE", "EAR99", ""],
        ["3", "Acme Widgets GmbH", "DE", "", ""],
    ])
    out = tmp_path / "o.jsonl"
    code, stdout, _ = cli("parties", str(path), *LISTS, "-o", str(out))
    assert "eccn='ECCN'" in stdout and "destination='Ship To Country'" in stdout
    listed, clean, unknown = (r["export_check"] for r in read_jsonl(out))
    assert listed["license_required"] == "yes" and "entity_list" in {r["id"] for r in listed["rules"]}
    assert any("77 FR 25055" in r["citation"] for r in listed["rules"])  # the entry's own notice
    assert clean["license_required"] == "no" and unknown["license_required"] == "unknown"


@needs_fixtures
def test_a_kyc_file_with_split_names_and_dates_of_birth(cli, tmp_path):
    path = write_csv(tmp_path / "kyc.csv", ["Client Ref", "Surname", "Given Name(s)", "Date of Birth"], [
        ["K1", "Abbas", "Abu", "10 Dec 1948"],
        ["K2", "Abbas", "Abu", "1990-01-01"],
    ])
    out = tmp_path / "o.jsonl"
    _, stdout, _ = cli("parties", str(path), "--list", str(SDN), "-o", str(out), "--fail-on", "never")
    assert "family_name='Surname'" in stdout and "date_of_birth='Date of Birth'" in stdout
    born, other = read_jsonl(out)
    assert born["matches"][0]["name"] == "ABBAS, Abu" and born["matches"][0]["features"]["date_of_birth"] == 1.0
    assert not other["matches"] or other["matches"][0]["score"] < born["matches"][0]["score"]
