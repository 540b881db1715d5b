"""`covscan screen`: the output contract, every output format, exit codes, atomic writes."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import polars as pl

from conftest import read_jsonl, write_csv

from covscan.kb import load

EXAMPLE = Path(__file__).parents[1] / "examples" / "inventory.csv"
REQUIRED = {"row", "id", "verdict", "entity", "confidence", "regimes", "evidence", "kb_version"}


def test_jsonl_contract_one_object_per_row_in_order(cli, tmp_path):
    out = tmp_path / "f.jsonl"
    code, _, _ = cli("screen", str(EXAMPLE), "-o", str(out), "-q")
    rows = read_jsonl(out)
    with EXAMPLE.open(newline="") as fh:
        n = sum(1 for _ in csv.DictReader(fh))
    assert code == 1 and len(rows) == n
    assert [r["row"] for r in rows] == list(range(n))
    for r in rows:
        assert REQUIRED <= set(r)
        assert (r["entity"] is None) == (r["verdict"] == "clear")
        assert 0 <= r["confidence"] <= 1
    by_asset = {r["id"]: r for r in rows}
    assert by_asset["mac:0018824a1001"]["verdict"] == "covered"


def test_error_rows_keep_their_place_and_exit_2(cli, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("vendor,model\nHuawei,HG8245H\nbroken row,with,too,many\nAxis,P3245\n")
    out = tmp_path / "f.jsonl"
    code, _, err = cli("screen", str(src), "-o", str(out), "-q")
    rows = read_jsonl(out)
    assert code == 2
    assert [r["verdict"] for r in rows] == ["covered", "error", "clear"]
    assert rows[1]["row"] == 1 and "in.csv row 1 (line 3)" in rows[1]["error"]


def test_exit_codes_follow_fail_on(cli, tmp_path):
    clean = write_csv(tmp_path / "clean.csv", ["vendor"], [["Cisco"], ["Axis"]])
    hik = write_csv(tmp_path / "hik.csv", ["vendor"], [["Hikvision"]])
    assert cli("screen", str(clean), "-q")[0] == 0
    assert cli("screen", str(hik), "-q")[0] == 0                      # conditional < covered
    assert cli("screen", str(hik), "-q", "--fail-on", "conditional")[0] == 1
    assert cli("screen", str(hik), "-q", "--use", "public-safety")[0] == 1
    assert cli("screen", str(hik), "-q", "--fail-on", "never", "--use", "public-safety")[0] == 0


def test_usage_and_input_errors_exit_2_without_traceback(cli, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    code, out, err = cli("screen", str(empty))
    assert code == 2 and "the file is empty" in err and "Traceback" not in err + out
    unknown = write_csv(tmp_path / "u.csv", ["colour", "size"], [["red", "L"]])
    code, _, err = cli("screen", str(unknown))
    assert code == 2 and "none of the columns (colour, size)" in err
    code, _, err = cli("screen", str(unknown), "--map", "vendor=Colour")
    assert code == 2 and "has no column 'Colour'" in err
    code, _, err = cli("screen", str(unknown), "--map", "vendor")
    assert code == 2 and "expected field=column" in err
    code, _, err = cli("screen", str(unknown), "--map", "vendor=colour", "-o", str(tmp_path / "x.pdf"))
    assert code == 2 and "--output-format" in err


def test_map_option_reads_other_column_names(cli, tmp_path):
    src = write_csv(tmp_path / "odd.csv", ["Hersteller", "Typ"], [["Hikvision", "DS-2CD2143G2-I"]])
    out = tmp_path / "f.jsonl"
    cli("screen", str(src), "--map", "vendor=Hersteller", "--map", "model=Typ", "-o", str(out), "-q")
    row = read_jsonl(out)[0]
    assert row["entity"] == "hikvision" and {e["field"] for e in row["evidence"]} == {"Hersteller", "Typ"}


def test_every_output_format(cli, tmp_path):
    outs = {ext: tmp_path / f"f.{ext}" for ext in ("jsonl", "json", "csv", "xlsx", "html", "parquet")}
    args = [a for p in outs.values() for a in ("-o", str(p))]
    code, stdout, _ = cli("screen", str(EXAMPLE), *args, "--context", "federal-contractor")
    assert code == 1 and "wrote" in stdout
    doc = json.loads(outs["json"].read_text())
    assert doc["run"]["context"] == "federal-contractor" and len(doc["findings"]) == doc["summary"]["rows"] == 25
    flat = pl.read_csv(outs["csv"])
    assert {"asset_id", "verdict", "entity", "explanation", "evidence"} <= set(flat.columns) and flat.height == 25
    assert flat.filter(pl.col("asset_id") == "CAM-0201")["verdict"][0] == "covered"  # intended_use column
    columnar = pl.read_parquet(outs["parquet"])
    assert columnar.height == 25 and columnar.columns == flat.columns
    assert columnar.filter(pl.col("asset_id") == "CAM-0203")["entity"][0] == "dahua"
    book = openpyxl.load_workbook(outs["xlsx"], read_only=True)
    assert book.sheetnames == ["findings", "summary"]
    assert sum(1 for _ in book["findings"].iter_rows()) == 26
    html = outs["html"].read_text()
    assert html.startswith("<!doctype html>") and "<svg" in html and "CAM-0203" in html
    assert "NDAA FY2019 section 889" in html


def test_header_only_input_gives_empty_reports_with_their_columns(cli, tmp_path):
    """No data rows: every report is still valid and names its columns (Parquet used to be 0 bytes)."""
    src = tmp_path / "header.csv"
    src.write_text("asset_id,vendor,mac\n")
    outs = {ext: tmp_path / f"f.{ext}" for ext in ("jsonl", "csv", "xlsx", "parquet")}
    code, stdout, _ = cli("screen", str(src), *[a for p in outs.values() for a in ("-o", str(p))])
    assert code == 0 and "0 rows screened" in stdout
    columns = ["asset_id", "vendor", "mac", "row", "id", "verdict", "entity", "relation", "confidence", "entry",
               "regimes", "explanation", "evidence", "decision"]
    assert outs["jsonl"].read_text() == ""
    assert outs["csv"].read_text().splitlines() == [",".join(columns)]
    columnar = pl.read_parquet(outs["parquet"])
    assert columnar.height == 0 and columnar.columns == columns
    rows = list(openpyxl.load_workbook(outs["xlsx"], read_only=True)["findings"].iter_rows(values_only=True))
    assert rows == [tuple(columns)]


def test_parquet_holds_the_same_cells_as_csv_across_batches(cli, tmp_path):
    """Parquet's dictionary-encoded finding columns, error rows and per-row MACs match the CSV."""
    lines = ["asset_id,vendor,model,mac"]
    for i in range(2500):
        lines.append([f"A{i},Cisco,C9300,00:00:0C:00:{i // 256:02X}:{i % 256:02X}",
                      f"A{i},,HG8245H,00:18:82:00:{i // 256:02X}:{i % 256:02X}",
                      f"A{i},Dahua,IPC-HDW5231R-ZE,",
                      f"A{i},too,many,fields,here"][i % 4])
    src = tmp_path / "mixed.csv"
    src.write_text("\n".join(lines) + "\n")
    csv_out, parquet_out = tmp_path / "f.csv", tmp_path / "f.parquet"
    code, _, _ = cli("screen", str(src), "-o", str(csv_out), "-o", str(parquet_out), "--batch-rows", "1000", "-q")
    assert code == 2  # the input has error rows
    flat = pl.read_csv(csv_out, infer_schema=False)
    columnar = pl.read_parquet(parquet_out).select(pl.all().cast(pl.String))
    assert columnar.height == flat.height == 2500
    assert columnar.equals(flat)
    huawei = columnar.filter(pl.col("asset_id") == "A1")
    assert huawei["verdict"][0] == "covered" and "00:18:82:00:00:01" in huawei["evidence"][0]
    assert columnar.filter(pl.col("verdict") == "error").height == 625
    import pyarrow.parquet as pq

    row_chunk = pq.ParquetFile(parquet_out).metadata.row_group(0).column(columnar.columns.index("row"))
    assert row_chunk.path_in_schema == "row" and "DELTA_BINARY_PACKED" in row_chunk.encodings


def test_stdout_jsonl(tmp_path):
    src = write_csv(tmp_path / "s.csv", ["vendor"], [["ZTE"]])
    proc = subprocess.run([sys.executable, "-m", "covscan.cli", "screen", str(src), "-o", "-", "-q"], capture_output=True, text=True)
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["entity"] == "zte"


def test_failed_run_leaves_no_partial_file_and_keeps_the_old_one(cli, tmp_path, monkeypatch):
    from covscan.report import xlsx

    monkeypatch.setattr(xlsx, "EXCEL_MAX_ROWS", 10)
    out = tmp_path / "big.xlsx"
    out.write_bytes(b"previous report")
    code, _, err = cli("screen", str(EXAMPLE), "-o", str(out), "-q")
    assert code == 2 and "XLSX holds at most" in err and "no output file was written" in err
    assert out.read_bytes() == b"previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["big.xlsx"]


def test_stable_ids_survive_reruns_and_batch_sizes(cli, tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    cli("screen", str(EXAMPLE), "-o", str(a), "-q")
    cli("screen", str(EXAMPLE), "-o", str(b), "-q", "--batch-rows", "1000")
    assert a.read_text() == b.read_text()
    ids = [r["id"] for r in read_jsonl(a)]
    assert ids[0] == "mac:0018824a1001" and all(ids)


def test_each_row_is_identified_by_its_strongest_identifier(tmp_path, kb):
    """MAC, then FCC ID, then serial, then asset id; a hash of the screened fields when none is
    usable; none for an error row. Batches of 3 mix rows with and without MACs, and hold a batch
    with no MAC at all."""
    src = tmp_path / "ids.csv"
    src.write_text(
        "asset_id,vendor,mac,fcc_id,serial\n"
        "A1,Huawei,00-18-82-4A-10-01,QISHG8245H,S1\n"  # MAC wins
        "A2,Huawei,not-a-mac,FCC ID: QIS HG8245H,S2\n"  # FCC ID (label and space dropped)
        "A3,Dell,,,SN 3\n"  # the serial has a space: the asset id
        "A4,Dell,,,S4\n"  # serial
        "has space,Dell,,,\n"  # nothing usable: a hash
        "A6,Dell,,\n"  # ragged: an error row
        "A7,ZTE,0015.EB12.3456,,\n",
        encoding="utf-8",
    )
    from covscan.engine import ScreenSettings
    from covscan.report.jsonlines import JsonLinesWriter
    from covscan.screen import open_screen

    out = tmp_path / "ids.jsonl"
    open_screen(src, kb, ScreenSettings()).run([JsonLinesWriter(out)], batch_rows=3)
    ids = [r["id"] for r in read_jsonl(out)]
    assert ids[:5] == ["mac:0018824a1001", "fcc:QISHG8245H", "asset:A3", "serial:S4", ids[4]]
    assert ids[4].startswith("h:") and ids[5] is None and ids[6] == "mac:0015eb123456"


def test_small_batches_give_the_same_output(tmp_path, kb):
    from covscan.engine import ScreenSettings
    from covscan.report.jsonlines import JsonLinesWriter
    from covscan.screen import open_screen

    texts = []
    for batch_rows in (3, 100_000):
        out = tmp_path / f"{batch_rows}.jsonl"
        screen = open_screen(EXAMPLE, kb, ScreenSettings())
        screen.run([JsonLinesWriter(out)], batch_rows=batch_rows)
        texts.append(out.read_text())
    assert texts[0] == texts[1]


def test_each_distinct_value_is_extracted_once(kb, tmp_path):
    from covscan.engine import Engine

    rows = 30_000
    frame = pl.DataFrame({"vendor": ["Huawei", "Cisco", "Aztech"] * (rows // 3), "model": ["HG8245H", "C9300", "X"] * (rows // 3)})
    engine = Engine(kb, {"vendor": "vendor", "model": "model"})
    calls: list[int] = []
    original = engine.extractors["vendor"].extract
    engine.extractors["vendor"] = type("Spy", (), {"extract": lambda self, values, field: calls.append(len(values)) or original(values, field)})()
    result = engine.screen(frame)
    engine.screen(frame)
    assert calls == [3]  # three distinct vendors, and nothing again for the second batch
    assert len(engine.findings) == 3 and result.height == rows


def test_lookup(cli):
    code, out, _ = cli("lookup", "38:AF:29:12:34:56", "QISVOG-L29", "DS-2CD2143G2-I", "Aztech", "Kaspersky Endpoint Security")
    assert code == 1
    assert "38:AF:29:12:34:56 (as mac): conditional - dahua" in out
    assert "QISVOG-L29 (as fcc_id, model, vendor): covered - huawei" in out
    assert "DS-2CD2143G2-I (as model, vendor): conditional - hikvision" in out
    assert "Aztech (as model, vendor): clear" in out and "lookalike" in out
    code, out, _ = cli("lookup", "--json", "China Telecom Americas", "--as", "service")
    assert json.loads(out)["verdict"] == "covered"
    assert cli("lookup", "Cisco")[0] == 0


def test_kb_commands(cli):
    code, out, _ = cli("kb", "list")
    assert code == 0 and all(name in out for name in ("huawei", "digitalsystem", "robotic-devices", "routers"))
    code, out, _ = cli("kb", "show", "hikvision")
    assert code == 0 and "Covered List entry 4" in out and "ezviz" in out and "2ADTD" in out and "MAC blocks" in out
    code, out, _ = cli("kb", "show", "EZVIZ")
    assert code == 0 and "subsidiary of Hangzhou Hikvision" in out
    code, out, _ = cli("kb", "why", "2ADTD")
    assert code == 0 and "2ADTD" in out and "fcc.report" in out
    code, out, _ = cli("kb", "why", "402C761")
    assert "Shanghai Dahua Scale Factory" in out and "not covered" in out
    code, out, _ = cli("kb", "search", "hik")
    assert code == 0 and "hikari" in out and "hikvision" in out
    assert cli("kb", "show", "nonexistent-thing")[0] == 1
    code, out, _ = cli("kb", "validate")
    assert code == 0 and "16 Covered List entries" in out


def test_help_and_version(cli):
    code, out, _ = cli("--help")
    assert code == 0 and "screen" in out and "lookup" in out
    code, out, _ = cli("screen", "--help")
    assert code == 0 and "--fail-on" in out and "--map" in out
    code, out, _ = cli("--version")
    assert code == 0 and f"knowledge base {load().version}" in out


def _listing_titles(path: Path, rows: int) -> Path:
    """Listing titles that hardly repeat, including ones a JSON string must escape or that hold the
    row-token mark, so they cannot be written in for a token."""
    brands = ["Hikvision", "Dahua", "Huawei", "ZTE", "Axis Communications", "Netgear", ""]
    odd = ['12" monitor for Hikvision NVR', "Dahua\tcamera", "ZTE back\\slash router", "Huawei \u2063title\u2063 modem",
           "华为 路由器 AX3", "Hikvision DS-2CD2143G2-I \u00e9dition"]
    lines = [["listing_id", "title"]]
    for i in range(rows):
        title = odd[i // 50 % len(odd)] + f" #{i}" if i % 50 == 0 else f"{brands[i % len(brands)]} 4MP Dome Camera Model {i} - New"
        lines.append([f"L{i}", title])
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(lines)
    return path


def _tokens_against_per_value(cli, monkeypatch, kb, src: Path, fields: dict[str, str], batch_rows: int) -> tuple[Path, int, int]:
    """Screen `src` with row tokens and with per-value fusion (TOKENIZE_MIN out of reach) and assert
    that every output format is byte for byte the same. Returns the JSONL, and the findings an
    engine made over the same batches with tokens and per value."""
    import covscan.engine as engine_module
    from covscan.engine import Engine

    batch = pl.read_csv(src, infer_schema=False)
    outputs, findings = {}, {}
    for label, minimum in (("tokens", engine_module.TOKENIZE_MIN), ("per value", 10**9)):
        monkeypatch.setattr(engine_module, "TOKENIZE_MIN", minimum)
        outputs[label] = [src.with_name(f"{label}.{ext}") for ext in ("jsonl", "csv", "parquet")]
        code, _, _ = cli("screen", str(src), *[a for p in outputs[label] for a in ("-o", str(p))], "--batch-rows", str(batch_rows), "-q")
        assert code == 1
        engine = Engine(kb, fields)
        for start in range(0, batch.height, batch_rows):
            engine.screen(batch.slice(start, batch_rows))
        findings[label] = len(engine.findings)
    tokens, per_value = outputs["tokens"], outputs["per value"]
    assert tokens[0].read_bytes() == per_value[0].read_bytes()
    assert tokens[1].read_bytes() == per_value[1].read_bytes()
    assert pl.read_parquet(tokens[2]).equals(pl.read_parquet(per_value[2]))
    return tokens[0], findings["tokens"], findings["per value"]


def test_titles_that_do_not_repeat_share_findings_and_output_is_unchanged(cli, tmp_path, monkeypatch, kb):
    """Evidence from values that hardly repeat names them by a row token, so values with the same
    matches share one finding; every output format is byte for byte what per-value fusion writes."""
    src = _listing_titles(tmp_path / "titles.csv", 4000)
    jsonl, with_tokens, per_value = _tokens_against_per_value(cli, monkeypatch, kb, src, {"description": "title", "asset_id": "listing_id"}, 2500)
    assert per_value > 3000 and with_tokens < 200
    rows = read_jsonl(jsonl)
    assert rows[8]["evidence"][0]["value"] == "Dahua 4MP Dome Camera Model 8 - New"
    assert rows[0]["evidence"][0]["value"] == '12" monitor for Hikvision NVR #0'
    assert rows[50]["evidence"][0]["value"] == "Dahua\tcamera #50"
    assert "\u2063" not in jsonl.read_text(encoding="utf-8").replace("\u2063title\u2063 modem", "")


def test_titles_are_read_once_per_evidence_key_over_the_whole_run(tmp_path, monkeypatch, kb):
    """A title is read only when its evidence key is new to the run: a later batch whose titles
    differ only in words the key leaves out reads none of them again, only the titles that must be
    read on their own (non-ASCII, or text a JSON string escapes)."""
    from covscan.engine import Engine
    from covscan.evidence.description import DescriptionExtractor

    batch = pl.read_csv(_listing_titles(tmp_path / "titles.csv", 5000), infer_schema=False)
    reads: list[str] = []
    extract = DescriptionExtractor.extract
    monkeypatch.setattr(DescriptionExtractor, "extract", lambda self, values, field: reads.extend(values) or extract(self, values, field))
    engine = Engine(kb, {"description": "title", "asset_id": "listing_id"})
    engine.screen(batch.slice(0, 2500))
    first = len(reads)
    reads.clear()
    engine.screen(batch.slice(2500, 2500))
    assert first > 50 and sorted(int(title.rsplit("#", 1)[1]) for title in reads) == list(range(2500, 5000, 50))


def test_titles_that_never_recur_are_keyed_row_by_row_with_the_same_output(cli, tmp_path, monkeypatch):
    """Once a keyed field's values are known not to recur, later batches key its rows directly,
    without finding distinct values and joining them back; blank, repeated and odd titles included,
    every format is byte for byte what the per-value path writes."""
    import covscan.engine as engine_module

    src = _listing_titles(tmp_path / "titles.csv", 4000)
    with src.open("a", encoding="utf-8") as fh:
        fh.write('L4000,\nL4001,"  "\nL4002,Dahua 4MP Dome Camera Model 8 - New\nL4003,"Dahua\tcamera #50"\n')
    row_by_row = []
    keyed = engine_module.Engine._row_group_ids
    monkeypatch.setattr(engine_module.Engine, "_row_group_ids", lambda self, *a: row_by_row.append(a[0]) or keyed(self, *a))
    outputs = {}
    for label, minimum in (("by row", 500), ("by value", engine_module.UNREPEATED_MIN)):
        monkeypatch.setattr(engine_module, "UNREPEATED_MIN", minimum)
        outputs[label] = [tmp_path / f"{label}.{ext}" for ext in ("jsonl", "csv", "parquet")]
        code, _, _ = cli("screen", str(src), *[a for p in outputs[label] for a in ("-o", str(p))], "--batch-rows", "1000", "-q")
        assert code == 1
        if label == "by row":
            assert row_by_row == ["description"] * 4  # the first batch finds the titles do not recur
    by_row, by_value = outputs["by row"], outputs["by value"]
    assert by_row[0].read_bytes() == by_value[0].read_bytes() and by_row[1].read_bytes() == by_value[1].read_bytes()
    assert pl.read_parquet(by_row[2]).equals(pl.read_parquet(by_value[2]))
    rows = read_jsonl(by_row[0])
    assert len(rows) == 4004 and rows[4000]["verdict"] == rows[4001]["verdict"] == "clear"
    assert rows[4002]["evidence"][0]["value"] == "Dahua 4MP Dome Camera Model 8 - New" and rows[4003]["evidence"][0]["value"] == "Dahua\tcamera #50"


def test_writers_given_slices_of_a_batch_write_the_same_files(cli, tmp_path, monkeypatch):
    """Writers take a batch whose rows carry their own text (listing titles) in slices; every
    format is the same whatever the slice, and Parquet gets one row group per slice. A batch
    without such rows goes whole."""
    import pyarrow.parquet as pq

    import covscan.screen as screen_module

    src = _listing_titles(tmp_path / "titles.csv", 4000)
    outputs = {}
    for label, rows in (("sliced", 700), ("whole", 10**9)):
        monkeypatch.setattr(screen_module, "WRITE_ROWS", rows)
        outputs[label] = [tmp_path / f"{label}.{ext}" for ext in ("jsonl", "csv", "parquet", "xlsx")]
        code, _, _ = cli("screen", str(src), *[a for p in outputs[label] for a in ("-o", str(p))], "--batch-rows", "2500", "-q")
        assert code == 1
    sliced, whole = outputs["sliced"], outputs["whole"]
    assert sliced[0].read_bytes() == whole[0].read_bytes() and sliced[1].read_bytes() == whole[1].read_bytes()
    assert pl.read_parquet(sliced[2]).equals(pl.read_parquet(whole[2]))
    assert (pq.ParquetFile(sliced[2]).num_row_groups, pq.ParquetFile(whole[2]).num_row_groups) == (4 + 3, 2)
    cells = [list(openpyxl.load_workbook(p, read_only=True)["findings"].iter_rows(values_only=True)) for p in (sliced[3], whole[3])]
    assert cells[0] == cells[1] and len(cells[0]) == 4001
    monkeypatch.setattr(screen_module, "WRITE_ROWS", 700)
    vendors = write_csv(tmp_path / "vendors.csv", ["vendor"], [["Huawei"], ["Cisco"]] * 2000)
    code, _, _ = cli("screen", str(vendors), "-o", str(tmp_path / "vendors.parquet"), "--batch-rows", "2500", "-q")
    assert code == 1 and pq.ParquetFile(tmp_path / "vendors.parquet").num_row_groups == 2


def test_many_valued_field_keeps_findings_bounded_and_output_unchanged(cli, tmp_path, monkeypatch, kb):
    """A field whose values repeat within a batch but are many over the run (thousands of
    sysObjectIDs) switches to row tokens once TOKENIZE_MIN of its values have had their own evidence,
    so findings stop multiplying; every output format is byte for byte what per-value fusion writes."""
    vendors = ["Huawei", "Cisco", "ZTE Corporation", "", "Juniper Networks"]
    lines = [["asset_id", "vendor", "sysobjectid"]]
    for i in range(12_000):  # each batch of 3,000 rows: 1,000 distinct OIDs
        pen = (2011, 3902, 9, 39165)[i % 4]
        lines.append([f"A{i}", vendors[i % 5], f"1.3.6.1.4.1.{pen}.2.{i // 3000 * 1000 + i % 1000}" if i % 9 else "1.3.6.1.4.1.2011\""])
    src = tmp_path / "oids.csv"
    with src.open("w", newline="") as fh:
        csv.writer(fh).writerows(lines)
    fields = {"vendor": "vendor", "sysobjectid": "sysobjectid", "asset_id": "asset_id"}
    jsonl, with_tokens, per_value = _tokens_against_per_value(cli, monkeypatch, kb, src, fields, 3000)
    assert per_value > 4000 and with_tokens < 1100
    rows = read_jsonl(jsonl)
    assert rows[11_999]["evidence"][-1]["value"] == "1.3.6.1.4.1.39165.2.3999" and rows[11_999]["verdict"] == "conditional"
    assert "\u2063" not in jsonl.read_text(encoding="utf-8")


def test_blank_values_found_column_wide_are_what_python_strips():
    """Values are blank column-wide exactly when str.strip() empties them, \\x1c-\\x1f included
    (Rust's whitespace leaves those out, and a SADP reply of any bytes is evidence)."""
    import sys

    from covscan.engine import BLANK

    assert set(BLANK) == {chr(i) for i in range(sys.maxunicode + 1) if chr(i).isspace()}
    values = ["", " ", "\x1c\x1d", "\x1f\u3000", "\u2028x", " a ", "\x85", "\ufeff"]
    assert (pl.Series(values).str.strip_chars(BLANK) == "").to_list() == [not v.strip() for v in values]
