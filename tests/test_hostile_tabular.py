"""The XLSX, JSON, JSON Lines and Parquet readers against hostile and broken input (issue 14): a
clear one-line refusal naming the file (and row or line), or one output row per input row with
the broken ones marked error; never a traceback, a panic, a hang or unbounded memory. Every file
is made here; damaged workbooks are valid ones with zip members rewritten."""
from __future__ import annotations

import decimal
import functools
import json
import math
import os
import re
import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter
from conftest import covscan_bounded, errors_of, read_jsonl, refused, screen_to_jsonl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from covscan import limits
from covscan.sources import InputError, jsonfile, open_source
from covscan.sources.base import to_text

GIB = 1 << 30
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
# Text a workbook can hold: no surrogates, no control characters (XML forbids most), not a formula.
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12).filter(lambda t: not t.startswith("="))
@pytest.fixture(autouse=True)
def default_limits():
    """A --limit given to an in-process run stays set for the process: put the defaults back."""
    yield
    limits.configure([])


HYPOTHESIS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


# ------------------------------------------------------------------------------------- harness


def run_bounded(path: Path, *options: str, limit: str | None = None, outputs: Path | None = None) -> tuple[int, list[dict] | None, str]:
    """`covscan [--limit limit] screen path [options]` in a child process, within 60 s and 1 GiB of its
    own (conftest.covscan_bounded); the exit code, the output rows and stderr. Output goes beside the
    input, or to `outputs`."""
    out = (outputs or path.parent) / (path.name + ".jsonl")
    proc = covscan_bounded(*(("--limit", limit) if limit else ()), "screen", str(path), "-o", str(out), "-q", *options)
    return proc.returncode, read_jsonl(out) if out.exists() else None, proc.stderr


def frame_of(path: Path, **options: str) -> pl.DataFrame:
    source = open_source(path, **options)
    return pl.concat(list(source.batches(rows=7)))


# ---------------------------------------------------------------------------------------- XLSX


def workbook(path: Path, rows: int = 3) -> Path:
    """A valid workbook as Excel writes one (shared strings, a dimension): Vendor, Model, Qty."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Inv")
    sheet.write_row(0, 0, ["Vendor", "Model", "Qty"])
    for i in range(rows):
        sheet.write_row(i + 1, 0, ["ZTE" if i % 2 else "Huawei", f"DS-{i}", i])
    book.close()
    return path


def rewrite(path: Path, member: str, change) -> Path:
    """The workbook with one zip member rewritten by change(bytes) (removed when it gives None)."""
    with zipfile.ZipFile(path) as old:
        parts = {info.filename: old.read(info) for info in old.infolist()}
    parts[member] = change(parts[member])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in parts.items():
            if data is not None:
                new.writestr(name, data)
    return path


def sub(pattern: bytes, replacement: bytes):
    return lambda data: re.sub(pattern, replacement, data, count=1, flags=re.DOTALL)


@pytest.mark.parametrize(("member", "change", "needle"), [
    ("xl/workbook.xml", lambda d: d[: len(d) // 2], "ParseError"),
    ("xl/styles.xml", lambda d: d[: len(d) // 2], "ParseError"),
    ("xl/styles.xml", sub(rb'numFmtId="0"', b'numFmtId="zz"'), "TypeError"),  # oddly styled
    (STRINGS, lambda d: d[: len(d) // 2], "ParseError"),
    (STRINGS, lambda d: None, "KeyError"),  # the part the manifest names is missing
    ("[Content_Types].xml", lambda d: d[:40], "ParseError"),
    ("xl/workbook.xml", sub(rb"<sheets>", b"<sheets><!DOCTYPE x [<!ENTITY a 'a'>]>"), "ParseError"),
])
def test_damaged_workbook_parts_are_refused(cli, tmp_path, member, change, needle):
    path = rewrite(workbook(tmp_path / "damaged.xlsx"), member, change)
    refused(cli, path, "not a readable XLSX workbook", needle)


@pytest.mark.parametrize(("member", "change"), [
    ("xl/workbook.xml", sub(rb"<sheets>.*</sheets>", b"<sheets/>")),
    (SHEET, lambda d: None),  # the workbook names a sheet whose part is missing
])
def test_workbook_without_worksheets_is_refused(cli, tmp_path, member, change):
    path = rewrite(workbook(tmp_path / "hollow.xlsx"), member, change)
    refused(cli, path, "the workbook has no worksheet")


def test_sheet_cut_short_is_refused_naming_the_last_row_read(cli, tmp_path):
    """The XML of a sheet cannot be read past a break, so the file is refused, not half screened."""
    path = rewrite(workbook(tmp_path / "cut.xlsx", rows=40), SHEET, lambda d: d[: d.index(b'<row r="30"') + 12])
    refused(cli, path, "sheet 'Inv' is damaged after spreadsheet row 29", "ParseError")


@pytest.mark.parametrize(("change", "needle"), [
    (sub(rb'<c r="A3" t="s"><v>\d+</v>', b'<c r="A3" t="s"><v>99</v>'), "cell A3 cannot be read (IndexError"),  # no such shared string
    (sub(rb'<c r="C3"><v>1</v>', b'<c r="C3"><v>1x</v>'), "cell C3 cannot be read (ValueError"),
    (sub(rb'<c r="C3"><v>1</v>', b'<c r="C3" t="b"><v>yes</v>'), "cell C3 cannot be read (ValueError"),
    (sub(rb'<c r="C3"><v>1</v>', b'<c r="C3" s="bold"><v>1</v>'), "cell C3 cannot be read (ValueError"),
    (sub(rb'<c r="C3"><v>1</v>', b'<c r="C3"><v>' + b"9" * 5000 + b"</v>"), "cell C3 cannot be read (ValueError"),
    (sub(rb'<c r="C3"', b'<c r="3C"'), "cell 3C cannot be read (ValueError"),
    (sub(rb'<row r="3"', b'<row r="3.5"'), "the row number '3.5' is not a number"),
])
def test_cells_that_cannot_be_read_make_error_rows(cli, tmp_path, change, needle):
    path = rewrite(workbook(tmp_path / "cells.xlsx"), SHEET, change)
    code, rows, _ = screen_to_jsonl(cli, path)
    assert code == 2 and len(rows) == 3
    errors = errors_of(rows)
    assert list(errors) == [1] and errors[1].startswith("cells.xlsx sheet 'Inv' row 1 (spreadsheet row 3): ") and needle in errors[1]
    assert rows[2]["entity"] == "huawei"  # the next row is screened


def test_header_cell_that_cannot_be_read_refuses_the_sheet(cli, tmp_path):
    """Not skipped as if it were a title row, which would make the first data row the header."""
    path = rewrite(workbook(tmp_path / "head.xlsx"), SHEET, sub(rb'<c r="B1" t="s"><v>1</v>', b'<c r="B1" t="s"><v>99</v>'))
    refused(cli, path, "the header row (spreadsheet row 1) cannot be read: cell B1 cannot be read (IndexError")


def test_understated_dimension_loses_no_rows(cli, tmp_path):
    path = rewrite(workbook(tmp_path / "dim.xlsx", rows=6), SHEET, sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:C2"'))
    code, rows, _ = screen_to_jsonl(cli, path)
    assert code == 1 and len(rows) == 6 and not errors_of(rows)
    assert frame_of(path)["Model"].to_list() == [f"DS-{i}" for i in range(6)]


def test_whole_sheet_dimension_and_far_rows_take_time_for_the_cells_only(tmp_path):
    """A1:XFD1048576 is not padded out, a row numbered 4,000,000,000 is not reached by counting, and
    a value in column XFD is an error row, not 16,384 cells per row."""
    def change(data: bytes) -> bytes:
        data = sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"')(data)
        data = data.replace(b'<row r="3"', b'<row r="1048576"').replace(b'<row r="4"', b'<row r="4000000000"')
        return data.replace(b'<c r="C2">', b'<c r="XFD2"><v>7</v></c><c r="C2">')
    path = rewrite(workbook(tmp_path / "vast.xlsx"), SHEET, change)
    code, rows, _ = run_bounded(path)
    assert code == 2 and len(rows) == 3
    assert errors_of(rows) == {0: "vast.xlsx sheet 'Inv' row 0 (spreadsheet row 2): a value in column 16384, which has no header"}
    assert frame_of(path)["Model"].to_list() == [None, "DS-1", "DS-2"]


@functools.cache
def bomb_part(member: str, original: bytes) -> tuple[bytes, int, int]:
    """A raw deflate stream of about 1.5 MB that inflates to 1.5 GiB of `member`, with its CRC and
    size: one 1 MiB block repeated after a full flush, so that making it is quick."""
    if member == STRINGS:
        head, tail = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">', b"</sst>"
        unit = b"<si><t>bomb</t></si>"
    else:
        cut = original.index(b"</sheetData>")
        head, tail, unit = original[:cut], original[cut:], b'<row><c t="inlineStr"><is><t>bomb</t></is></c></row>'
    block, count = unit * ((1 << 20) // len(unit)), 1536
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    first, repeat = deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH), deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(head)
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    return first + repeat * count + deflate.compress(tail) + deflate.flush(), zlib.crc32(tail, crc), len(head) + len(block) * count + len(tail)


def bomb_workbook(path: Path, member: str, declared: int | None = None) -> Path:
    """The workbook with `member` inflating to 1.5 GiB; its zip directory declares the true size,
    or `declared` (a lie). Written member by member, as zipfile cannot store a ready-made stream."""
    with zipfile.ZipFile(workbook(path)) as old:
        parts = {info.filename: old.read(info) for info in old.infolist()}
    records, directory, offset = [], [], 0
    for name, data in parts.items():
        if name == member:
            packed, crc, size = bomb_part(member, data)
            size = declared or size
        else:
            packer = zlib.compressobj(6, zlib.DEFLATED, -15)
            packed, crc, size = packer.compress(data) + packer.flush(), zlib.crc32(data), len(data)
        encoded = name.encode()
        records.append(struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(packed), size, len(encoded), 0) + encoded + packed)
        directory.append(struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, len(packed), size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
        offset += len(records[-1])
    listing = b"".join(directory)
    path.write_bytes(b"".join(records) + listing + struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(listing), offset, 0))
    return path


@pytest.mark.parametrize("member, message", [
    (STRINGS, r"its shared strings would inflate to 1,610,\d{3},\d{3} bytes, which covscan would hold in memory \(limit xlsx-strings-bytes=134,217,728"),
    (SHEET, rf"part {SHEET} would inflate to 1,610,\d{{3}},\d{{3}} bytes, more than covscan reads \(limit xlsx-part-bytes=536,870,912"),
])
def test_zip_bomb_is_refused_before_anything_is_inflated(tmp_path, member, message):
    path = bomb_workbook(tmp_path / "bomb.xlsx", member)
    code, rows, err = run_bounded(path)
    assert code == 2 and rows is None
    assert re.search(rf"{path}: " + message, err), err


def test_zip_bomb_under_the_part_limit_is_refused_by_its_ratio(tmp_path):
    path = bomb_workbook(tmp_path / "ratio.xlsx", SHEET)
    code, rows, err = run_bounded(path, limit="xlsx-part-bytes=4GiB")
    assert code == 2 and rows is None
    assert re.search(rf"{path}: part {SHEET} would inflate \d+-fold \([\d,]+ bytes to 1,610,[\d,]+\), as a zip bomb does \(limit xlsx-ratio=200", err), err


@pytest.mark.parametrize("member", [STRINGS, SHEET])
def test_zip_bomb_whose_directory_lies_is_cut_at_the_declared_size(tmp_path, member):
    """Declared as 1 MB (no higher ratio than a real part): zipfile stops inflating there, so the
    part is cut short and refused as damaged; memory never sees the 1.5 GiB."""
    path = bomb_workbook(tmp_path / "liar.xlsx", member, declared=1_000_000)
    code, rows, err = run_bounded(path)
    assert code == 2 and rows is None and err.startswith(f"error: {path}: ")
    assert "not a readable XLSX workbook" in err or "sheet 'Inv' is damaged after spreadsheet row" in err


def test_header_of_100_000_cells_is_refused_by_the_columns_limit(tmp_path):
    """Memory holds at most `columns` cells of a row; time is linear in the cells (a million take
    about 20 s, nearly all of it in the XML parser openpyxl uses)."""
    cells = b"".join(b'<c t="inlineStr"><is><t>h%d</t></is></c>' % i for i in range(100_000))
    path = rewrite(workbook(tmp_path / "wide.xlsx"), SHEET, sub(rb'<row r="1".*?</row>', b'<row r="1">' + cells + b"</row>"))
    code, rows, err = run_bounded(path)
    assert code == 2 and rows is None
    assert f"{path}: sheet 'Inv': the header row (spreadsheet row 1) cannot be read: more than 16,384 cells hold values (limit columns=16,384" in err


def test_header_spread_wider_than_the_columns_limit_is_refused(cli, tmp_path):
    """Two cells, but 26 columns: the width counts, not the number of cells."""
    path = rewrite(workbook(tmp_path / "sparse.xlsx"), SHEET, sub(rb'<c r="C1"', b'<c r="Z1"'))
    refused(cli, path, "the header row (sheet 'Inv' row 1) has 26 columns, more than covscan reads (limit columns=10", limit="columns=10")


@settings(HYPOTHESIS, max_examples=12)  # openpyxl takes a tenth of a second per workbook
@given(rows=st.lists(st.tuples(TEXT.filter(str.strip), TEXT | st.none(), st.integers(-10**15, 10**15) | st.none(),
                               st.floats(-1e300, 1e300) | st.none()), min_size=1, max_size=20))
def test_random_workbooks_read_back_cell_for_cell(tmp_path, rows):
    path = tmp_path / "random.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["id", "text", "int", "float"])
    for row in rows:
        book.active.append(list(row))
    book.save(path)
    frame = frame_of(path)
    assert frame.height == len(rows) and frame["__error__"].null_count() == len(rows)
    # openpyxl writes an empty string as an empty cell, and a float to 16 digits only
    assert frame.select("id", "text", "int").rows() == [tuple(None if v == "" else to_text(v) for v in row[:3]) for row in rows]
    assert all(text is None if value is None else math.isclose(float(text), value, rel_tol=1e-15)
               for text, (*_, value) in zip(frame["float"], rows))


# ----------------------------------------------------------------------------- JSON, JSON Lines


def test_json_document_nested_past_the_limit_is_refused(cli, tmp_path):
    for depth, name in ((1000, "deep.json"), (64, "just.json")):  # 64 levels inside the array and its object: 66 in all
        path = tmp_path / name
        path.write_text('[{"vendor": "ZTE"},\n {"a": ' + "[" * depth + "]" * depth + "}]")
        refused(cli, path, "at line 2, column 2: arrays and objects nested more than 64 deep (limit nesting=64")
    fits = tmp_path / "fits.json"
    fits.write_text('[{"vendor": "ZTE"}, {"a": ' + "[" * 62 + "]" * 62 + "}]")
    assert frame_of(fits)["a"][1] == "[" * 62 + "]" * 62


def test_jsonl_line_nested_past_the_limit_is_an_error_row(cli, tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text('{"vendor": "ZTE"}\n{"a": ' + "[" * 1000 + "]" * 1000 + '}\n{"a": ' + "[" * 64 + "]" * 64 + '}\n{"vendor": "Huawei"}\n')
    code, rows, _ = screen_to_jsonl(cli, path)
    assert code == 2 and len(rows) == 4
    message = "arrays and objects nested more than 64 deep (limit nesting=64"
    errors = errors_of(rows)
    assert list(errors) == [1, 2] and errors[1].startswith("deep.jsonl row 1 (line 2): " + message) and message in errors[2]
    assert [rows[0]["entity"], rows[3]["entity"]] == ["zte", "huawei"]


@pytest.mark.parametrize("name", ["lone.json", "lone.jsonl"])
def test_lone_surrogates_become_replacement_characters(cli, tmp_path, name):
    records = ['{"vendor": "ZTE\\ud800", "model": "MF\\udc0096U", "tags": ["\\ud83d"]}', '{"vendor": "Huawei", "\\udfff": 1}']
    path = tmp_path / name
    path.write_text("[" + ",".join(records) + "]" if name.endswith(".json") else "\n".join(records))
    code, rows, _ = screen_to_jsonl(cli, path)
    assert code == 1 and len(rows) == 2 and not errors_of(rows)
    frame = frame_of(path)
    assert frame.columns[:4] == ["vendor", "model", "tags", "\ufffd"]
    assert frame.row(0)[:4] == ("ZTE\ufffd", "MF\ufffd96U", '["\ufffd"]', None) and frame.row(1)[:4] == ("Huawei", None, None, "1")


@pytest.mark.parametrize("name", ["long.json", "long.jsonl"])
def test_integers_of_thousands_of_digits_stay_text(cli, tmp_path, name):
    digits = "9" * 5000
    records = ['{"vendor": "ZTE", "serial": ' + digits + ', "qty": -' + digits[:400] + "}", '{"vendor": "Huawei", "qty": 3}']
    path = tmp_path / name
    path.write_text("[" + ",".join(records) + "]" if name.endswith(".json") else "\n".join(records))
    code, rows, _ = screen_to_jsonl(cli, path)
    assert code == 1 and len(rows) == 2 and not errors_of(rows)
    frame = frame_of(path)
    assert frame["serial"].to_list() == [digits, None] and frame["qty"].to_list() == ["-" + digits[:400], "3"]


def test_dev_zero_as_jsonl_is_refused_after_one_bounded_line(tmp_path):
    code, rows, err = run_bounded(Path("/dev/zero"), "--format", "jsonl", outputs=tmp_path)
    assert code == 2 and rows is None
    assert err.startswith("error: /dev/zero: line 1 is too long to read (limit line-bytes=67,108,864") and "no line before it is a JSON object" in err


def test_jsonl_line_of_a_gigabyte_is_an_error_row_and_reading_goes_on(tmp_path):
    """The 1.1 GiB line (a sparse run of NULs) is skipped in pieces, never held."""
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as fh:
        fh.write(b'{"vendor": "ZTE"}\n{"vendor": "')
        fh.seek(1100 << 20, os.SEEK_CUR)
        fh.write(b'"}\n{"vendor": "Huawei"}\n')
    code, rows, _ = run_bounded(path)
    assert code == 2 and len(rows) == 3
    assert errors_of(rows) == {1: "huge.jsonl row 1 (line 2): the line is too long to read (limit line-bytes=67,108,864; raise it with --limit line-bytes=N)"}
    assert [rows[0]["entity"], rows[2]["entity"]] == ["zte", "huawei"]


def test_json_element_longer_than_the_line_limit_is_refused(cli, tmp_path):
    path = tmp_path / "long.json"
    path.write_text('[{"vendor": "ZTE"},\n{"vendor": "' + "x" * (3 << 20) + '"}]')
    refused(cli, path, "the value at line 2, column 1 is longer than 1,048,576 characters (limit line-bytes=1,048,576",
            limit="line-bytes=1MiB")


@pytest.mark.parametrize("name", ["wide.json", "wide.jsonl"])
def test_objects_with_a_million_keys_are_refused_by_the_columns_limit(cli, tmp_path, name):
    """Refused as soon as the keys seen pass the limit: the 17th of a thousand objects of a thousand keys."""
    path = tmp_path / name
    records = [json.dumps({f"k{i}": i for i in range(start, start + 1000)}) for start in range(0, 1_000_000, 1000)]
    path.write_text("[" + ",\n".join(records) + "]" if name.endswith(".json") else "\n".join(records))
    refused(cli, path, "a table of its objects' keys has 17,000 columns, more than covscan reads (limit columns=16,384")


def test_broken_json_documents_name_line_and_column(tmp_path):
    for text, message in (('[{"a": 1},\n {"a": 2}\n {"a": 3}]', "Expecting ',' delimiter at line 3, column 2"),
                          ('[{"a": 1}] {}', "Extra data at line 1, column 12"),
                          ('{"records": [{"a": 1}], "other": [1]}', "exactly one array (found keys: records, other)"),
                          ("  \n ", "Expecting value at line 2, column 2"),
                          ('"text"', "found a string")):
        path = tmp_path / "broken.json"
        path.write_text(text)
        with pytest.raises(InputError, match=re.escape(message)):
            open_source(path)


JSON_VALUES = st.none() | st.booleans() | st.integers(-10**30, 10**30) | st.floats(allow_nan=False, allow_infinity=False) | \
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@HYPOTHESIS
@given(rows=st.lists(st.dictionaries(st.sampled_from(["vendor", "model", "n", " spaced "]), JSON_VALUES, min_size=1), min_size=1, max_size=15),
       indent=st.sampled_from([None, 0, 2]), ascii_only=st.booleans(), wrapped=st.booleans(), chunk=st.integers(1, 64))
def test_random_json_documents_read_back_value_for_value(tmp_path, rows, indent, ascii_only, wrapped, chunk):
    """Read in chunks of a few bytes, so that values, escapes and numbers are cut at every place."""
    path = tmp_path / "random.json"
    document = {"meta": {"n": len(rows)}, "records": rows} if wrapped else rows
    path.write_text(json.dumps(document, indent=indent, ensure_ascii=ascii_only), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jsonfile, "_CHUNK", chunk)
        source = open_source(path)
        frame = pl.concat(list(source.batches(rows=4)))
    keys = list(dict.fromkeys(k for row in rows for k in row))
    assert source.total == frame.height == len(rows) and source.columns == [k.strip() for k in keys]
    assert frame.select(source.columns).rows() == [tuple(to_text(row.get(k)) for k in keys) for row in rows]


@HYPOTHESIS
@given(rows=st.lists(st.dictionaries(st.sampled_from(["vendor", "model", "n"]), JSON_VALUES, min_size=1), min_size=1, max_size=15))
def test_random_json_lines_read_back_value_for_value(tmp_path, rows):
    path = tmp_path / "random.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    source = open_source(path)
    frame = pl.concat(list(source.batches(rows=4)))
    assert frame.height == len(rows) and frame["__error__"].null_count() == len(rows)
    assert frame.select(source.columns).rows() == [tuple(to_text(row.get(k)) for k in source.columns) for row in rows]


# ------------------------------------------------------------------------------------- Parquet


def test_parquet_values_polars_cannot_take_are_read_as_text(tmp_path):
    """Binaries, decimal256, dates and times out of range, durations, bytes that are not UTF-8 in
    a string column, and those inside lists and structs: text, with no panic on stderr."""
    bad_utf8 = pa.Array.from_buffers(pa.string(), 2, [None, pa.py_buffer(struct.pack("<3i", 0, 3, 5)), pa.py_buffer(b"ZTE\xff\xfe")])
    extreme = pa.array([-(2**63) + 1, 2**63 - 1], pa.int64())
    table = pa.table({
        "vendor": ["Huawei", "ZTE"],
        "blob": pa.array([b"HG8245H", b"\x00\xff"], pa.binary()),
        "fixed": pa.array([b"ab", b"\xff\xff"], pa.binary(2)),
        "price": pa.array([decimal.Decimal("1.50"), None], pa.decimal256(60, 2)),
        "day": pa.array([-(2**31), 0], pa.int32()).cast(pa.date32()),
        "at": extreme.cast(pa.timestamp("ms")),
        "took": extreme.cast(pa.duration("s")),
        "model": bad_utf8,
        "nested": pa.array([{"raw": b"\xff", "at": 2**63 - 1}, None], pa.struct([("raw", pa.binary()), ("at", pa.int64())])).cast(
            pa.struct([("raw", pa.binary()), ("at", pa.timestamp("ms"))])),
        "tags": pa.array([["a", "b"], []], pa.list_(pa.string())),
    })
    path = tmp_path / "types.parquet"
    pq.write_table(table, path)
    code, rows, _ = run_bounded(path)
    assert code == 1 and len(rows) == 2 and not errors_of(rows)
    frame = frame_of(path)
    assert frame.row(0, named=True) | {"__row__": 0} == {
        "vendor": "Huawei", "blob": "HG8245H", "fixed": "ab", "price": "1.50", "day": "<value out of range: -2147483648>",
        "at": "<value out of range: -9223372036854775807>", "took": "-9223372036854775807", "model": "ZTE",
        "nested": '{"raw": "ff", "at": "<value out of range: 9223372036854775807>"}', "tags": '["a", "b"]',
        "__row__": 0, "__error__": None}
    assert frame.row(1)[:9] == ("ZTE", "00ff", "ffff", None, "1970-01-01", "<value out of range: 9223372036854775807>",
                                "9223372036854775807", "\ufffd\ufffd", None)


def test_parquet_duplicate_blank_and_internal_column_names_are_kept_apart(cli, tmp_path):
    path = tmp_path / "names.parquet"
    pq.write_table(pa.Table.from_arrays([pa.array(["Huawei"]), pa.array(["ZTE"]), pa.array(["x"]), pa.array(["y"]), pa.array(["z"])],
                                        names=["vendor", "vendor", "", "__row__", "__error__"]), path)
    code, rows, _ = screen_to_jsonl(cli, path)
    assert code == 1 and len(rows) == 1 and not errors_of(rows)
    frame = frame_of(path)
    assert frame.row(0, named=True) == {"vendor": "Huawei", "vendor_2": "ZTE", "column_3": "x", "__row___2": "y", "__error___2": "z",
                                        "__row__": 0, "__error__": None}


def test_parquet_with_corrupt_pages_is_refused_naming_the_rows_read(cli, tmp_path):
    path = tmp_path / "corrupt.parquet"
    pq.write_table(pa.table({"vendor": ["Huawei"] * 1000, "model": [f"m{i}" for i in range(1000)]}), path, compression="none")
    data = bytearray(path.read_bytes())
    data[200:2200] = bytes((b * 7 + 3) % 256 for b in data[200:2200])
    path.write_bytes(bytes(data))
    refused(cli, path, "cannot be read after row 0 (OSError")


def test_parquet_schema_wider_than_the_columns_limit_is_refused(cli, tmp_path):
    path = tmp_path / "wide.parquet"
    pq.write_table(pa.table({f"c{i}": pa.array([], pa.int8()) for i in range(20_000)}), path)
    refused(cli, path, "the schema has 20,000 columns, more than covscan reads (limit columns=16,384")


@HYPOTHESIS
@given(rows=st.lists(st.tuples(st.text(st.characters(blacklist_categories=("Cs",)), max_size=12) | st.none(),
                               st.integers(-(2**63), 2**63 - 1) | st.none(),
                               st.floats(allow_nan=False, allow_infinity=False) | st.none()), min_size=1, max_size=20))
def test_random_parquet_tables_read_back_value_for_value(tmp_path, rows):
    path = tmp_path / "random.parquet"
    texts, ints, floats = zip(*rows)
    pq.write_table(pa.table({"text": pa.array(texts, pa.string()), "int": pa.array(ints, pa.int64()), "float": pa.array(floats, pa.float64())}), path)
    frame = frame_of(path)
    assert frame.height == len(rows) and frame["__error__"].null_count() == len(rows)
    assert frame["text"].to_list() == list(texts) and frame["int"].to_list() == [None if v is None else str(v) for v in ints]
    assert [None if v is None else float(v) for v in frame["float"]] == list(floats)
