"""Columns understood, never silently dropped: the header families of real exports are read by
header, columns with unforeseen headers by their values, title rows above the header are skipped,
and evidence left unread is reported with the --map that would read it."""
from __future__ import annotations

import subprocess
import sys

import openpyxl
import pytest
from conftest import read_jsonl, write_csv

from covscan.engine import ScreenSettings
from covscan.evidence import column_kinds
from covscan.screen import open_screen
from covscan.sources import InputError, recognise_columns
from covscan.sources.columns import header_field

COVSCAN = [sys.executable, "-m", "covscan.cli"]


@pytest.mark.parametrize(("header", "kind"), [
    ("Application Name", "software"), ("DisplayName", "software"), ("Publisher", "vendor"), ("Supplier", "service_provider"),
    ("Mfr Part #", "model"), ("Manufacturer Part Number", "model"), ("Hardware Vendor", "vendor"),
    ("Device Manufacturer", "manufacturer"), ("Company", "vendor"), ("Country/Region of Origin", "country"),
    ("Country of Origin", "country"), ("HS Code", "hs_code"), ("HTS Code", "hs_code"), ("Model ID", "model"),
    ("CI Name", "hostname"), ("Asset Description", "description"), ("Item Description", "description"),
    ("Listing Title", "description"), ("Product Type", "category"), ("Serial Number", "serial"),
    ("Wi-Fi MAC", "mac"), ("Carrier", "service_provider"), ("Supplier Name", "service_provider"),
    ("Vendor Part Number", "model"), ("Manufacturer (OEM)", "manufacturer"), ("Circuit Provider", "service_provider"),
])
def test_header_families(header, kind):
    assert header_field(header) == kind


def test_several_columns_of_one_kind_are_all_read():
    fields = recognise_columns(["Hardware Vendor", "Device Manufacturer", "Company", "Supplier", "Publisher",
                                "Model ID", "Mfr Part #"], {}, "x.csv").fields
    assert set(fields.values()) == {"Hardware Vendor", "Device Manufacturer", "Company", "Supplier", "Publisher", "Model ID", "Mfr Part #"}
    assert fields["model"] == "Model ID" and fields["model#2"] == "Mfr Part #"


def test_columns_are_recognised_by_their_values(kb):
    guess = column_kinds(kb).guess
    assert guess("c1", ["00:18:82:00:00:01", "AC-64-DD-51-00-02", "b8:27:eb:01:02:03"])[0] == "mac"
    assert guess("c2", ["Huawei", "Cisco Systems", "Juniper Networks", "Dell"])[0] == "vendor"
    assert guess("c3", ["DS-2CD2143G2-I", "C9300-48P", "EX4300-48T", "S5720-52X-SI-AC"])[0] == "model"
    assert guess("c4", ["China", "Vietnam", "USA", "Taiwan"])[0] == "country"
    assert guess("c5", ["1.3.6.1.4.1.2011.2.23.1", "1.3.6.1.4.1.9.1.1208"])[0] == "sysobjectid"
    assert guess("c6", ["8806.22.0000", "8471.30.0100", "8517.62.0090"])[0] == "hs_code"
    assert guess("c7", ["Replaced the old Huawei BTS last spring", "New cabling for rack 4"])[0] == "description"
    assert guess("c8", ["12.50", "3", "2024-01-01"]) is None
    assert guess("c9", ["Rock Springs", "Green River", "Casper"]) is None


def test_software_inventory_with_its_own_headers_is_screened(tmp_path):
    src = write_csv(tmp_path / "sw.csv", ["Computer", "DisplayName", "Publisher", "DisplayVersion"], [
        ["PC1", "Kaspersky Endpoint Security for Windows", "AO Kaspersky Lab", "11.11"],
        ["PC2", "Kaspersky Security Center 14 Network Agent", "Kaspersky", "14.2"],
        ["PC3", "Google Chrome", "Google LLC", "120.0"],
        ["PC4", "UltraAV", "Pango", "1.0"],
    ])
    out = tmp_path / "f.jsonl"
    proc = subprocess.run([*COVSCAN, "screen", str(src), "-o", str(out), "-q"], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert [(r["verdict"], r["entity"]) for r in read_jsonl(out)] == [
        ("covered", "kaspersky"), ("covered", "kaspersky"), ("clear", None), ("clear", None)]


def test_carriers_in_a_supplier_column_and_models_in_mfr_part(tmp_path):
    src = write_csv(tmp_path / "po.csv", ["PO Number", "Supplier", "Mfr Part #", "Item Description"], [
        ["PO-1", "China Telecom Americas", "", "International MPLS circuit, 100 Mbps"],
        ["PO-2", "CDW Government", "S5720-52X-SI-AC", "52-port switch"],
        ["PO-3", "CDW Government", "C9300-48P-A", "Catalyst switch"],
    ])
    out = tmp_path / "f.jsonl"
    subprocess.run([*COVSCAN, "screen", str(src), "-o", str(out), "-q"], capture_output=True, text=True)
    assert [(r["verdict"], r["entity"]) for r in read_jsonl(out)] == [
        ("covered", "china-telecom"), ("covered", "huawei"), ("clear", None)]


def test_unforeseen_headers_are_read_by_content_and_said_so(tmp_path):
    src = write_csv(tmp_path / "odd.csv", ["Ref", "Thing", "Where"], [
        ["1", "Huawei", "Rock Springs"], ["2", "Cisco", "Casper"], ["3", "Dell", "Laramie"]])
    proc = subprocess.run([*COVSCAN, "screen", str(src), "-o", str(tmp_path / "f.jsonl")], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "'Thing' was read for what its values hold" in proc.stdout
    screen = open_screen(src, _kb(), ScreenSettings())
    assert screen.info.column_reasons["Thing"].startswith("content:") and screen.fields["vendor"] == "Thing"


def test_evidence_left_unread_is_reported_with_the_map_that_reads_it(tmp_path):
    rows = [["Huawei", "00:18:82:00:00:01", "00:18:82:00:00:02"], ["Cisco", "00:1B:54:00:00:01", "00:1B:54:00:00:02"]]
    src = write_csv(tmp_path / "macs.csv", ["Vendor", "MAC Address", "Second Port"], rows)
    screen = open_screen(src, _kb(), ScreenSettings())
    assert screen.info.unread_evidence and "--map mac='Second Port'" in screen.info.unread_evidence[0]
    with pytest.raises(InputError, match="unknown field 'mac#2'"):  # one MAC column a run; names, models, text take more
        recognise_columns(["MAC Address", "Second Port"], {"mac#2": "Second Port"}, "macs.csv")
    proc = subprocess.run([*COVSCAN, "screen", str(src), "-o", str(tmp_path / "f.jsonl"), "-q"], capture_output=True, text=True)
    assert "warning:" in proc.stderr and "Second Port" in proc.stderr  # even with --quiet


def test_a_file_with_nothing_to_screen_is_an_input_error(tmp_path):
    src = write_csv(tmp_path / "none.csv", ["Qty", "Price"], [["1", "2.50"], ["3", "4.00"]])
    proc = subprocess.run([*COVSCAN, "screen", str(src)], capture_output=True, text=True)
    assert proc.returncode == 2 and "by its header or by its values" in proc.stderr and "Traceback" not in proc.stderr
    with pytest.raises(InputError):
        open_screen(src, _kb(), ScreenSettings())


def test_title_rows_above_the_header_are_skipped(tmp_path):
    csv_path = tmp_path / "t.csv"
    csv_path.write_text("Asset report\nGenerated 2026-11-30\n\nHardware Vendor,Model ID,Site\nHuawei,BBU3900,A\nCisco,C9300,B\n")
    screen = open_screen(csv_path, _kb(), ScreenSettings())
    assert screen.source.columns == ["Hardware Vendor", "Model ID", "Site"] and screen.info.header_row == 4
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["Inventory export"], [], ["Device Manufacturer", "Mfr Part #", "Country/Region of Origin"], ["ZTE", "ZXSDR B8200", "China"]):
        sheet.append(row)
    xlsx = tmp_path / "t.xlsx"
    book.save(xlsx)
    screen = open_screen(xlsx, _kb(), ScreenSettings())
    assert screen.source.columns == ["Device Manufacturer", "Mfr Part #", "Country/Region of Origin"] and screen.info.header_row == 3
    out = tmp_path / "x.jsonl"
    subprocess.run([*COVSCAN, "screen", str(xlsx), "-o", str(out), "-q"], capture_output=True, text=True)
    assert [r["entity"] for r in read_jsonl(out)] == ["zte"]
    explicit = open_screen(csv_path, _kb(), ScreenSettings(), header_row=5)  # --header-row names the row
    assert explicit.source.columns == ["Huawei", "BBU3900", "A"]


def test_eval_never_reads_label_columns(tmp_path):
    src = write_csv(tmp_path / "l.csv", ["Thing", "expected_verdict", "expected_entity", "label_note"],
                    [["Dell", "clear", "", "a Huawei lookalike note"], ["Huawei", "covered", "huawei", ""]])
    proc = subprocess.run([*COVSCAN, "eval", str(src)], capture_output=True, text=True)
    assert proc.returncode == 0 and "precision 1.000, recall 1.000" in proc.stdout


def _kb():
    from covscan.kb import load

    return load()
