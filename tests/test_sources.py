"""Readers: every format, every common encoding, and malformed input that gives a clear error
naming file, row and column, or an error row - never a traceback, never a lost row."""
from __future__ import annotations

import json
import zipfile

import openpyxl
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from covscan.sources import InputError, open_source, recognise_columns


def rows_of(path, **kw):
    source = open_source(path, **kw)
    frames = list(source.batches(rows=1000))
    return source, (pl.concat(frames) if frames else None)


def test_csv_with_common_headers(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("Manufacturer,Model Number,MAC Address,FCC ID,Asset Tag\nHuawei,HG8245H,00:18:82:00:00:01,,A1\n", encoding="utf-8")
    source, frame = rows_of(path)
    assert recognise_columns(source.columns, {}, "a.csv").fields == {
        "manufacturer": "Manufacturer", "model": "Model Number", "mac": "MAC Address", "fcc_id": "FCC ID", "asset_id": "Asset Tag"}
    assert frame.height == 1 and frame["__error__"].null_count() == 1


@pytest.mark.parametrize(("encoding", "delimiter"), [("utf-8", ";"), ("cp1252", ","), ("utf-16", "\t"), ("utf-8-sig", "|"), ("gb18030", ",")])
def test_delimiters_and_encodings_are_detected(tmp_path, encoding, delimiter):
    path = tmp_path / "e.csv"
    text = delimiter.join(["vendor", "description"]) + "\n" + delimiter.join(["Hikvision", "caméra dôme"]) + "\n"
    if encoding == "gb18030":
        text = text.replace("caméra dôme", "海康威视 摄像机")
    path.write_bytes(text.encode(encoding))
    source, frame = rows_of(path)
    assert source.columns == ["vendor", "description"]
    assert frame["description"][0] in ("caméra dôme", "海康威视 摄像机")


def test_tsv_extension(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text("vendor\tmodel\nZTE\tMF96U\n")
    _, frame = rows_of(path)
    assert frame.row(0)[:2] == ("ZTE", "MF96U")


def test_ragged_csv_rows_become_error_rows_naming_row_line_and_column(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("vendor,model,mac\nHuawei,HG8245H,00:18:82:00:00:01\nZTE,MF96U\nCisco,C9300,00:00:0C:00:00:01,extra\nDahua,NVR,\n")
    _, frame = rows_of(path)
    assert frame.height == 4  # nothing lost
    errors = frame["__error__"].to_list()
    assert errors[0] is None and errors[3] is None
    assert "ragged.csv row 1 (line 3)" in errors[1] and "column 'mac' and after are missing" in errors[1]
    assert "ragged.csv row 2 (line 4)" in errors[2] and "extra field(s) after column 'mac'" in errors[2]
    assert frame["__row__"].to_list() == [0, 1, 2, 3]


def test_line_proof_reads_delimiters_inside_quotes_as_text(tmp_path):
    """The fast reader is used only while the line proof shows every line has the header's field
    count; quoted delimiters and doubled quotes do not count, a quoted line's extra field does."""
    header = "vendor,model,mac\n"
    good = header + '"Zhejiang Dahua Technology Co., Ltd.",NVR4208,\n"say ""hi"", ok",x,y\nCisco,C9300,\n'
    path = tmp_path / "good.csv"
    path.write_text(good)
    source, frame = rows_of(path)
    assert source.fast_rows == 3
    assert frame["vendor"].to_list() == ["Zhejiang Dahua Technology Co., Ltd.", 'say "hi", ok', "Cisco"]
    for name, text in (("ragged.csv", good + '"Hikvision, Inc.",DS-2CD,,extra\n'), ("split.csv", good + 'Huawei,"HG\n8245H",\n')):
        path = tmp_path / name
        path.write_text(text)
        source, frame = rows_of(path)
        assert source.fast_rows == 0, name
        assert frame.height == 4  # the row-by-row reader: an error row for the ragged line, the split field kept whole
    assert "extra field(s)" in rows_of(tmp_path / "ragged.csv")[1]["__error__"][3]
    assert rows_of(tmp_path / "split.csv")[1]["model"][3] == "HG\n8245H"


def test_an_unclosed_quote_costs_only_its_own_row(tmp_path):
    """The quote never closes, so its record cannot be read; the lines after it are records of their own."""
    path = tmp_path / "quote.csv"
    path.write_text('vendor,model\nHuawei,"HG8245H\nZTE,MF96U\n')
    _, frame = rows_of(path)
    assert frame.height == 2
    assert "quote.csv row 0 (line 2)" in frame["__error__"][0] and "unexpected end of data" in frame["__error__"][0]
    assert frame["vendor"][1] == "ZTE" and frame["__error__"][1] is None


def test_bad_bytes_in_a_utf8_file_name_the_column(tmp_path):
    path = tmp_path / "mixed.csv"
    # UTF-8 text (with accents) well past the detection sample, then one row with stray Latin-1 bytes.
    rows = [b"vendor,model"] + [f"Vendor{i} caf\u00e9,M{i}".encode() for i in range(3000)] + [b"Hikvision,DS-2CD\xe9\xff", b"ZTE,F660"]
    path.write_bytes(b"\n".join(rows) + b"\n")
    _, frame = rows_of(path)
    assert frame.height == 3002
    bad = frame.filter(pl.col("__error__").is_not_null())
    assert bad.height == 1 and bad["__row__"][0] == 3000
    assert "column 'model'" in bad["__error__"][0] and "utf-8" in bad["__error__"][0]
    assert frame["vendor"][-1] == "ZTE"


def test_blank_lines_are_not_records(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text("vendor\n\nHuawei\n\n\nZTE\n")
    _, frame = rows_of(path)
    assert frame["vendor"].to_list() == ["Huawei", "ZTE"]


def test_empty_and_header_only_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty.csv: the file is empty"):
        open_source(empty)
    blank = tmp_path / "blank.csv"
    blank.write_text("\n\n")
    with pytest.raises(InputError, match="no header row"):
        open_source(blank)
    header = tmp_path / "header.csv"
    header.write_text("vendor,model\n")
    _, frame = rows_of(header)
    assert frame is None


def test_unknown_columns_and_bad_maps_are_clear_errors(tmp_path):
    with pytest.raises(InputError, match=r"none of the columns \(foo, bar\) is one covscan can read.*--map"):
        recognise_columns(["foo", "bar"], {}, "x.csv")
    with pytest.raises(InputError, match="x.csv has no column 'Maker'; columns: foo, bar"):
        recognise_columns(["foo", "bar"], {"vendor": "Maker"}, "x.csv")
    with pytest.raises(InputError, match="unknown field 'colour'"):
        recognise_columns(["foo"], {"colour": "foo"}, "x.csv")
    assert recognise_columns(["foo", "bar"], {"vendor": "foo"}, "x.csv").fields == {"vendor": "foo"}


def test_xlsx(tmp_path):
    path = tmp_path / "inv.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Vendor", "Model", "Qty"])
    sheet.append(["Hikvision", "DS-2CD2143G2-I", 3])
    sheet.append([None, None, None])
    sheet.append(["Dahua", "IPC-HDW5231R-ZE", 1.0, "stray value"])
    book.save(path)
    source, frame = rows_of(path)
    assert source.columns == ["Vendor", "Model", "Qty"]
    assert frame.height == 2 and frame["Qty"][0] == "3"
    assert "spreadsheet row 4" in frame["__error__"][1] and "column 4, which has no header" in frame["__error__"][1]


def test_zero_byte_and_corrupt_xlsx(tmp_path):
    zero = tmp_path / "zero.xlsx"
    zero.write_bytes(b"")
    with pytest.raises(InputError, match="zero.xlsx: the file is empty \\(0 bytes\\), not an XLSX workbook"):
        open_source(zero)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"this is not a zip file")
    with pytest.raises(InputError, match="bad.xlsx: not a readable XLSX workbook"):
        open_source(bad)
    hollow = tmp_path / "hollow.xlsx"
    with zipfile.ZipFile(hollow, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(InputError, match="not a readable XLSX workbook"):
        open_source(hollow)


def test_json_array_with_non_objects_gives_error_rows(tmp_path):
    path = tmp_path / "items.json"
    path.write_text(json.dumps([{"vendor": "Huawei", "tags": ["a", "b"]}, "Hikvision", 42, None, {"vendor": "ZTE"}]))
    _, frame = rows_of(path)
    assert frame.height == 5
    errors = frame["__error__"].to_list()
    assert errors[0] is None and errors[4] is None
    assert errors[1] == "items.json element 1: a string, expected an object with fields"
    assert "element 2: a number" in errors[2] and "element 3: null" in errors[3]
    assert frame["tags"][0] == '["a", "b"]'


def test_json_wrappers_and_bad_json(tmp_path):
    wrapped = tmp_path / "w.json"
    wrapped.write_text(json.dumps({"count": 1, "records": [{"vendor": "Dahua"}]}))
    _, frame = rows_of(wrapped)
    assert frame["vendor"].to_list() == ["Dahua"]
    broken = tmp_path / "broken.json"
    broken.write_text('[{"vendor": "Huawei",}]')
    with pytest.raises(InputError, match="broken.json: not valid JSON: .* line 1, column"):
        open_source(broken)
    scalars = tmp_path / "scalars.json"
    scalars.write_text('["a", "b"]')
    with pytest.raises(InputError, match="no element of the array is an object"):
        open_source(scalars)


def test_jsonl_bad_lines_are_error_rows(tmp_path):
    path = tmp_path / "obs.jsonl"
    path.write_text('{"vendor": "Huawei"}\n{"vendor": \n\n[1, 2]\n{"vendor": "ZTE"}\n')
    _, frame = rows_of(path)
    assert frame.height == 4
    errors = frame["__error__"].to_list()
    assert "obs.jsonl row 1 (line 2): not valid JSON" in errors[1]
    assert "obs.jsonl row 2 (line 4): an array, expected an object" in errors[2]
    assert frame["vendor"][3] == "ZTE"


def test_parquet_with_typed_and_nested_columns(tmp_path):
    path = tmp_path / "cat.parquet"
    table = pa.table({"vendor": ["Huawei", None], "price": [12.5, 3.0], "tags": [["a"], []]})
    pq.write_table(table, path)
    source, frame = rows_of(path)
    assert source.columns == ["vendor", "price", "tags"]
    assert frame["price"].to_list() == ["12.5", "3.0"] and frame["tags"][0] == '["a"]'
    corrupt = tmp_path / "corrupt.parquet"
    corrupt.write_bytes(b"PAR1 not really")
    with pytest.raises(InputError, match="not a readable Parquet file"):
        open_source(corrupt)


def test_missing_file_directory_and_unknown_extension(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        open_source(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="is a directory"):
        open_source(tmp_path)
    odd = tmp_path / "data.bin"
    odd.write_text("x")
    with pytest.raises(InputError, match="pass --format"):
        open_source(odd)


@pytest.mark.parametrize("name", ["examples/inventory.csv", "tests/data/labelled.csv"])
def test_fast_path_reads_exactly_what_the_checked_reader_reads(name):
    from pathlib import Path

    from covscan.sources.delimited import DelimitedSource

    path = Path(__file__).parents[1] / name
    fast = open_source(path)
    assert isinstance(fast, DelimitedSource)
    frame = pl.concat(list(fast.batches(rows=7)))
    assert fast.fast_rows == frame.height  # these files qualify for the polars reader throughout
    checked = open_source(path)
    assert frame.equals(pl.concat(list(checked._checked_batches(rows=7))))


def test_fast_path_is_refused_when_a_row_needs_checking(tmp_path):
    cases = {
        "ragged.csv": "vendor,model\nHuawei,HG8245H\nZTE\n",
        "blank.csv": "vendor,model\nHuawei,HG8245H\n\nZTE,MF96U\n",
        "multiline.csv": 'vendor,model\n"Huawei\nTechnologies",HG8245H\n',
        "latin1.csv": "vendor,model\nHuawei,caméra\n",
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_bytes(text.encode("latin-1" if name == "latin1.csv" else "utf-8"))
        source = open_source(path)
        list(source.batches())
        assert source.fast_rows == 0, name
    bom = tmp_path / "bom.csv"
    bom.write_bytes("\ufeffvendor,model\nHuawei,HG8245H\n".encode())
    source = open_source(bom)
    assert pl.concat(list(source.batches())).row(0)[:2] == ("Huawei", "HG8245H")
    assert source.fast_rows == 1


def fast_then_checked(path, rows):
    """What the source reads in batches of `rows`, checked against the exact reader alone; returns
    how many rows the fast reader gave and the frame."""
    source = open_source(path)
    frame = pl.concat(list(source.batches(rows=rows)))
    assert frame.equals(pl.concat(list(open_source(path)._checked_batches(rows=rows))))
    return source.fast_rows, frame


@pytest.mark.parametrize(("name", "bad"), [
    ("ragged", b"Cisco,C9300\n"),
    ("extra", b"Cisco,C9300,00:00:0C:00:00:01,extra\n"),
    ("split", b'Huawei,"HG\n8245H",\n'),
    ("split_whole", b'Huawei,HG8245H,"00:18\nx,y,z"\n'),  # each piece alone has the header's delimiters
    ("blank", b"\n"),
    ("latin1", b"Hikvision,cam\xe9ra,\n"),
    ("nul", b"Hikvision,DS\x00,\n"),
])
def test_fast_reader_hands_over_at_the_first_row_it_cannot_prove(tmp_path, name, bad):
    """Rows before the batch that holds a bad line come from polars; from that batch on the exact
    reader reads, so the result is the exact reader's, error rows and row numbers included. Lines
    are long enough that the bad one lies past the sample the encoding is detected from."""
    good = [f"Vendor {i},M{i}{'x' * 10_000},00:18:82:00:00:{i:02X}\n".encode() for i in range(20)]
    path = tmp_path / f"{name}.csv"
    path.write_bytes(b"vendor,model,mac\n" + b"".join(good[:7]) + bad + b"".join(good[7:]))
    fast_rows, frame = fast_then_checked(path, rows=3)
    # two whole batches before row 7; polars itself refuses a line with an extra field, and the rows
    # it read ahead with it, so it may hand over earlier
    assert fast_rows == 6 or (name == "extra" and fast_rows in (0, 3))
    assert frame["__row__"].to_list() == list(range(frame.height))
    assert frame["vendor"][-1] == "Vendor 19"
    if name in ("ragged", "extra", "latin1"):
        assert f"{name}.csv row 7 (line 9)" in frame["__error__"][7]


@pytest.mark.parametrize("ending", [b"\n", b"\r\n"])
def test_line_proof_across_chunk_boundaries(tmp_path, monkeypatch, ending):
    """Lines that straddle the proof's reads, lines longer than a read, quoted delimiters and
    escaped quotes, accents, a last line without a line break: every row is proven and read fast,
    exactly as the exact reader reads them."""
    from covscan.sources import delimited

    monkeypatch.setattr(delimited, "PROOF_BYTES", 37)
    lines = [b"vendor,model,mac"] + [
        (f'"Zhejiang Dahua, caf\u00e9 {i}",M{i},' if i % 3 == 0 else f"Vendor {i},M{i},00:18:82:00:00:{i:02X}").encode()
        for i in range(200)
    ]
    lines[50] = b'"A ""quoted"", very long vendor name, with commas, that no read of the proof holds whole",M49,'
    lines[51] = b"Vendor 50," + b"M" * 200 + b","
    path = tmp_path / "chunks.csv"
    path.write_bytes(ending.join(lines))
    fast_rows, frame = fast_then_checked(path, rows=16)
    assert fast_rows == frame.height == 200
    assert frame["vendor"][3] == "Zhejiang Dahua, caf\u00e9 3"
    assert frame["vendor"][49].startswith('A "quoted", very long') and frame["model"][50] == "M" * 200
    path.write_bytes(ending.join(lines) + ending + ending + ending)  # blank lines at the end are not records
    fast_rows, frame = fast_then_checked(path, rows=16)
    assert frame.height == 200 and fast_rows == 192


@pytest.mark.parametrize(("lines", "fields", "proven"), [
    ([b"a,b,c", b"1,2,3", b"4,5,6,7", b"8,9", b"1,2,3"], 3, 2),  # an extra field, then one short: the total is right
    ([b"a,b,c", b"1,2", b"4,5,6,7", b"1,2,3"], 3, 1),  # one short, then an extra field
    ([b"a,b,c", b'"x,y",2,3', b'1,"2,,",3', b"4,5,6"], 3, 4),  # delimiters in quoted fields do not count
    ([b"a,b,c", b'"x,y",2,3', b'1,"2,,"', b"4,5,6"], 3, 2),
    ([b"a", b"1", b"", b"2"], 1, 2),  # a single column: only a blank line breaks it
    ([b"a", b"1", b"\r", b"2"], 1, 2),
    ([b"a,b", b"1,2", b"3,\xff", b"4,5"], 2, 2),  # not UTF-8
])
def test_line_proof_stops_at_the_first_line_that_is_not_well_formed(tmp_path, lines, fields, proven):
    from covscan.sources.delimited import _LineProof

    path = tmp_path / "p.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    with _LineProof(path, ",", fields) as proof:
        assert proof.complete(len(lines)) == (proven == len(lines))
        assert proof.lines == proven


def test_first_batch_is_the_first_short_read_then_full_batches(tmp_path):
    """Column recognition waits for the first batch, so it is the lines of the first, short read
    (FIRST_PROOF_BYTES); the batches after it have the rows asked for, and every row is read as
    the exact reader reads it."""
    from covscan.sources import delimited

    path = tmp_path / "long.csv"
    lines = ["vendor,model,description"] + [f'Vendor {i},M-{i:06d},"part {i}, rev {i % 7}"' for i in range(300_000)]
    path.write_text("\n".join(lines) + "\n")
    source = open_source(path)
    sizes = [b.height for b in source.batches(rows=100_000)]
    first_read_lines = path.read_bytes()[: delimited.FIRST_PROOF_BYTES].count(b"\n") - 1  # less the header
    assert sizes[0] == first_read_lines < 100_000 and sizes[1:-1] == [100_000] * (len(sizes) - 2) and sum(sizes) == 300_000
    assert source.fast_rows == 300_000
    fast_then_checked(path, rows=100_000)
