"""Reports people can act on: the HTML report (order, counts, warnings, columns, row numbers,
escaping, offline filtering), the XLSX summary and autofilter (no formulas from input), and
`covscan diff -o -` writing nothing but JSONL to standard output."""
from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest

from conftest import read_jsonl, write_csv
from covscan.engine import ScreenSettings
from covscan.report import html as html_report
from covscan.report.html import HtmlWriter
from covscan.report.xlsx import XlsxWriter
from covscan.screen import open_screen

SEVERITY = ["covered", "conditional", "review", "error"]
SCRIPT_XSS = "<script>alert(1)</script>"
ATTR_XSS = '"><img src=x onerror=alert(1)>'
UNREAD = "column 'Notes <b onmouseover=alert(2)>' looks like MAC addresses but was not read: add --map mac='Notes <b onmouseover=alert(2)>'"


def inventory(tmp_path: Path, name: str = "inv.csv") -> Path:
    """Rows in an order unlike the severity order, with an error row and hostile values."""
    import csv
    import io

    rows = [
        ["A0", "Cisco", "C9300", "switch", FORMULA_LIKE[0]],          # clear
        ["A1", "Amcrest", "IP8M", SCRIPT_XSS, FORMULA_LIKE[1]],       # review
        ["A2", "Axis", "P3245", "camera", FORMULA_LIKE[2]],           # clear
        ["A3", "Huawei", "HG8245H", ATTR_XSS, FORMULA_LIKE[3]],       # covered
        None,                                                         # error: too many fields
        ["A5", "Amcrest", "IPC-HDW5231R-ZE", "camera", FORMULA_LIKE[4]],  # conditional
        ["A6", "ZTE", "MF96U", "hotspot", FORMULA_LIKE[5]],           # covered
    ]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)
    w.writerow(["asset_id", "vendor", "model", "description", "ledger"])
    for row in rows:
        if row is None:
            buf.write("A4,broken,row,with,too,many\n")
        else:
            w.writerow(row)
    src = tmp_path / name
    src.write_text(buf.getvalue(), encoding="utf-8", newline="")
    return src


FORMULA_LIKE = ['=HYPERLINK("http://x.test","y")', "+1+2", "-3", "@SUM(A1)", "\tx", "\rcr"]


def screen(kb, src: Path, writer_factory, **info):
    run = open_screen(src, kb, ScreenSettings())
    for key, value in info.items():
        setattr(run.info, key, value)
    writer = writer_factory(run)
    return run.run([writer]), writer


class Parsed(HTMLParser):
    """Every element and attribute of the page, its text, and the findings table's top-level rows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.rows: list[dict] = []  # top-level rows of #findings: attributes and the first cell's text
        self._stack: list[str] = []
        self._in: str | None = None
        self._findings_depth: int | None = None
        self._table_depth = 0
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag in ("script", "style"):
            self._in = tag
        if tag == "table":
            self._table_depth += 1
            if a.get("id") == "findings":
                self._findings_depth = self._table_depth
        if tag == "tr" and self._findings_depth == self._table_depth and "data-verdict" in a:
            self.rows.append({"attrs": a, "cells": []})
        if tag == "td" and self.rows and self._findings_depth == self._table_depth:
            self._cell = []
            self.rows[-1]["cells"].append(self._cell)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._in = None
        if tag == "table":
            if self._findings_depth == self._table_depth:
                self._findings_depth = None
            self._table_depth -= 1

    def handle_data(self, data):
        if self._in == "script":
            self.scripts.append(data)
        elif self._in == "style":
            self.styles.append(data)
        else:
            self.text.append(data)
            if self._cell is not None and self._findings_depth == self._table_depth:
                self._cell.append(data)


def parse(text: str) -> Parsed:
    p = Parsed()
    p.feed(text)
    p.close()
    return p


def html_of(kb, tmp_path: Path, name: str = "inv.csv", **info) -> tuple[str, object]:
    out = tmp_path / "report.html"
    summary, _ = screen(kb, inventory(tmp_path, name), lambda run: HtmlWriter(out, run.info), **info)
    return out.read_text(encoding="utf-8"), summary


# ---------------------------------------------------------------------------------------- HTML


def test_html_lists_findings_most_severe_first_and_counts_every_row(kb, tmp_path):
    text, summary = html_of(kb, tmp_path)
    page = parse(text)
    verdicts = [r["attrs"]["data-verdict"] for r in page.rows]
    assert verdicts == ["covered", "covered", "conditional", "review", "error"]
    assert verdicts == sorted(verdicts, key=SEVERITY.index)
    assert "clear" not in verdicts
    numbers = [int(r["cells"][0][0].replace(",", "")) for r in page.rows]
    assert numbers[:2] == sorted(numbers[:2])  # input order within a verdict
    # the summary accounts for every row, clear and error included
    assert summary.rows == 7
    for verdict, n in {"covered": 2, "conditional": 1, "review": 1, "clear": 2, "error": 1}.items():
        assert re.search(rf'id=count-{verdict}>.*?<b>{n}</b>', text), verdict
    assert "Every row was examined: <b>7</b> rows screened" in text
    assert "2 clear rows are counted above, not listed" in text


def test_html_row_numbers_are_the_spreadsheet_rows(kb, tmp_path):
    def first_cells(**info):
        page = parse(html_of(kb, tmp_path, **info)[0])
        return {r["cells"][0][1] if len(r["cells"][0]) > 1 else r["attrs"]["data-verdict"]: int(r["cells"][0][0]) for r in page.rows}

    # data row 3 (A3, Huawei) is spreadsheet row 5 under a header on row 1, row 7 under one on row 3
    assert first_cells(header_row=1)["asset:A3"] == 5
    assert first_cells(header_row=3)["asset:A3"] == 7
    assert first_cells(header_row=3)["error"] == 8      # data row 4
    assert first_cells(header_row=0)["asset:A3"] == 4   # no header row: record numbers from 1
    assert "<th>record</th>" in html_of(kb, tmp_path, header_row=0)[0]


def test_html_warns_about_unread_evidence_at_the_top_and_shows_columns(kb, tmp_path):
    reasons = {"vendor": "header", "model": "header", "description": "content: looks like product descriptions"}
    text, _ = html_of(kb, tmp_path, unread_evidence=[UNREAD], column_reasons=reasons, kb_as_of="2026-11-25")
    page = parse(text)
    warn = text.index('<div class=warn role=alert id=warnings>')
    assert warn < text.index("<h2>Summary</h2>") < text.index("<table id=findings>")
    assert UNREAD in "".join(page.text)
    assert "content: looks like product descriptions" in "".join(page.text)
    columns_read = text[text.index("<table id=columns-read>"):text.index("</table>", text.index("<table id=columns-read>"))]
    assert "<td>vendor</td><td><code>vendor</code></td><td>header</td>" in columns_read
    assert "Columns not read: <code>ledger</code>" in text
    assert "as of <b>2026-11-25</b>" in text and kb.version in text
    assert "1 row could not be read" in text[warn:text.index("</div>", warn)]


def test_html_without_warnings_has_no_warning_box(kb, tmp_path):
    src = write_csv(tmp_path / "ok.csv", ["vendor"], [["Cisco"], ["Huawei"]])
    out = tmp_path / "ok.html"
    screen(kb, src, lambda run: HtmlWriter(out, run.info))
    text = out.read_text()
    assert "role=alert" not in text and "Every row was examined: <b>2</b>" in text


def test_html_escapes_everything_taken_from_the_input(kb, tmp_path):
    name = '<img src=x onerror=alert(3)>.csv'
    reasons = {"description": f"content: {SCRIPT_XSS}"}
    text, _ = html_of(kb, tmp_path, name=name, unread_evidence=[UNREAD], column_reasons=reasons)
    page = parse(text)
    allowed = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "code", "b", "i", "div", "span", "ul", "li",
               "svg", "text", "rect", "table", "thead", "tbody", "tr", "th", "td", "br", "details", "summary", "label",
               "input", "select", "option", "script"}
    assert {tag for tag, _ in page.tags} <= allowed
    assert [tag for tag, _ in page.tags].count("script") == 1 and page.scripts == [html_report.SCRIPT]
    assert not [tag for tag, _ in page.tags if tag == "img"]
    for tag, attrs in page.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        assert not [v for v in attrs.values() if v and "alert(" in v], (tag, attrs)
    seen = "".join(page.text)
    for payload in (SCRIPT_XSS, ATTR_XSS, name, "Notes <b onmouseover=alert(2)>"):
        assert payload in seen, payload   # shown, as text
    assert "<script>alert" not in text and "<img" not in text


def test_html_is_self_contained_and_its_script_and_style_are_the_only_ones_allowed(kb, tmp_path):
    text, _ = html_of(kb, tmp_path)
    page = parse(text)
    assert not re.search(r'(src|href)\s*=\s*"?(https?:)?//', text)   # nothing fetched from anywhere
    csp = next(a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")

    def digest(s: str) -> str:
        return "sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()

    assert "default-src 'none'" in csp
    assert f"script-src '{digest(page.scripts[0])}'" in csp and f"style-src '{digest(''.join(page.styles))}'" in csp
    assert not [a for t, a in page.tags if "style" in a]   # inline style attributes would be blocked
    # without JavaScript: the filter controls stay hidden and every finding is shown
    filters = next(a for t, a in page.tags if a.get("id") == "filters")
    assert "hidden" in filters
    assert page.rows and not [r for r in page.rows if "hidden" in r["attrs"]]


def test_html_filter_script_filters_by_verdict_entity_and_text(kb, tmp_path):
    """Runs the page's script against a minimal DOM in node (skipped without node)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    page = parse(html_of(kb, tmp_path)[0])
    rows = [{"verdict": r["attrs"]["data-verdict"], "entity": r["attrs"]["data-entity"],
             "text": " ".join("".join(c) for c in r["cells"])} for r in page.rows]
    harness = """
const rows = ROWS.map(r => ({hidden: false, textContent: r.text, getAttribute: n => n === 'data-verdict' ? r.verdict : r.entity}));
const boxes = ['covered','conditional','review','error'].map(v => ({value: v, checked: true}));
const handlers = [];
const el = {
  filters: {hidden: true, querySelectorAll: () => boxes, addEventListener: (e, h) => handlers.push(h)},
  'f-entity': {value: ''}, 'f-text': {value: ''}, 'f-count': {textContent: ''}};
global.document = {getElementById: id => el[id], querySelectorAll: sel => sel === '#findings>tbody>tr' ? rows : []};
const shown = () => rows.map((r, i) => r.hidden ? null : i).filter(i => i !== null);
const out = {};
SCRIPT
out.start = [el.filters.hidden, shown(), el['f-count'].textContent];
boxes[0].checked = false; handlers[0](); out.noCovered = shown();
boxes[0].checked = true; el['f-entity'].value = 'zte'; handlers[0](); out.zte = shown();
el['f-entity'].value = ''; el['f-text'].value = '  HG8245H '; handlers[0](); out.text = shown();
console.log(JSON.stringify(out));
""".replace("ROWS", json.dumps(rows)).replace("SCRIPT", html_report.SCRIPT)
    script = tmp_path / "harness.js"
    script.write_text(harness)
    result = json.loads(subprocess.run([node, str(script)], capture_output=True, text=True, check=True, timeout=60).stdout)
    everything = list(range(len(rows)))
    assert result["start"] == [False, everything, f"{len(rows)} of {len(rows)} listed findings shown"]
    assert result["noCovered"] == [i for i, r in enumerate(rows) if r["verdict"] != "covered"]
    assert result["zte"] == [i for i, r in enumerate(rows) if r["entity"] == "zte"] != []
    assert result["text"] == [i for i, r in enumerate(rows) if "hg8245h" in r["text"].lower()] != []


def test_html_caps_the_list_and_says_how_many_were_not_listed(kb, tmp_path, monkeypatch):
    monkeypatch.setattr(html_report, "MAX_SHOWN", 2)
    text, _ = html_of(kb, tmp_path)
    page = parse(text)
    # the two covered rows come after review and error rows in the input, yet they are the ones listed
    assert [r["attrs"]["data-verdict"] for r in page.rows] == ["covered", "covered"]
    assert "<b>3 findings were not listed</b> (1 conditional, 1 review, 1 error)" in text
    assert "lists the first 2;" in text


# ---------------------------------------------------------------------------------------- XLSX


def xlsx_of(kb, tmp_path: Path, neutralise: bool = True, **info):
    out = tmp_path / "report.xlsx"
    summary, _ = screen(kb, inventory(tmp_path), lambda run: XlsxWriter(out, run.source.columns, run.info, neutralise), **info)
    return openpyxl.load_workbook(out), summary


@pytest.mark.parametrize("neutralise", [True, False])
def test_xlsx_never_writes_input_as_formulas(kb, tmp_path, neutralise):
    """Text cells are strings, never formulas; by default those a spreadsheet would evaluate once
    edited also get a leading ', and with raw cells they are kept exactly."""
    book, _ = xlsx_of(kb, tmp_path, neutralise)
    sheet = book["findings"]
    header = [c.value for c in sheet[1]]
    notes = header.index("ledger")
    cells = {sheet.cell(row=r, column=notes + 1).value: sheet.cell(row=r, column=notes + 1).data_type for r in range(2, sheet.max_row + 1)}
    for value in FORMULA_LIKE:
        written = "'" + value if neutralise else value
        # a carriage return is stored escaped as _x000D_ (as the format requires); openpyxl reads it back so
        stored = written if written in cells else written.replace("\r", "_x000D_")
        assert cells.get(stored) == "s", (value, cells)
    for ws in book.worksheets:
        formulas = [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
        assert formulas == [], (ws.title, formulas)


def test_xlsx_findings_sheet_has_an_autofilter_on_its_header(kb, tmp_path):
    book, summary = xlsx_of(kb, tmp_path)
    sheet = book["findings"]
    width = len([c for c in sheet[1] if c.value is not None])
    assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(width)}{summary.rows + 1}"
    assert sheet.freeze_panes == "A2"


def test_xlsx_summary_sheet_holds_plain_values(kb, tmp_path):
    book, summary = xlsx_of(kb, tmp_path, unread_evidence=[UNREAD], kb_as_of="2026-11-25",
                            column_reasons={"vendor": "header", "description": "content: looks like product descriptions"})
    ws = book["summary"]
    assert book.sheetnames == ["findings", "summary"]
    rows = [tuple(c.value for c in row) for row in ws.iter_rows()]
    facts = {r[0]: r[1] for r in rows if r and r[0] is not None}
    assert facts["WARNING: evidence not read"] == UNREAD
    assert rows[0][:2] == ("WARNING: evidence not read", UNREAD)   # first thing on the sheet
    assert "1 row(s) could not be read" in facts["WARNING: rows not read"]
    assert facts["rows screened"] == summary.rows == 7
    assert (facts["covered"], facts["conditional"], facts["review"], facts["clear"], facts["error"]) == (2, 1, 1, 2, 1)
    assert facts["knowledge base version"] == kb.version and facts["knowledge base as of"] == "2026-11-25"
    assert facts["columns not read"] == "ledger"
    by_entity = {r[0]: r[1:6] for r in rows[rows.index(("entity", "covered", "conditional", "review", "clear", "error")) + 1:]}
    assert by_entity["huawei"] == (1, 0, 0, 0, 0) and by_entity["zte"] == (1, 0, 0, 0, 0)
    assert by_entity["all rows"] == (2, 1, 1, 2, 1)
    reason = next(r for r in rows if r[0] == "description")
    assert reason[1:3] == ("description", "content: looks like product descriptions")
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type in ("s", "n"), (cell.coordinate, cell.value)
            assert not (isinstance(cell.value, str) and cell.value.startswith("=")), cell.coordinate


# ---------------------------------------------------------------------------------------- diff -o -


def two_runs(cli, tmp_path: Path) -> tuple[Path, Path]:
    before = write_csv(tmp_path / "before.csv", ["asset_id", "vendor", "model"],
                       [["A1", "Cisco", "C9300"], ["A2", "Huawei", "HG8245H"], ["A3", "Amcrest", "IP8M"]])
    after = write_csv(tmp_path / "after.csv", ["asset_id", "vendor", "model"],
                      [["A3", "Amcrest", "IPC-HDW5231R-ZE"], ["A1", "Cisco", "C9300"], ["A5", "ZTE", "MF96U"]])
    old, new = tmp_path / "old.jsonl", tmp_path / "new.jsonl"
    cli("screen", str(before), "-o", str(old), "-q")
    cli("screen", str(after), "-o", str(new), "-q")
    return old, new


def test_diff_to_stdout_writes_only_jsonl(cli, tmp_path):
    old, new = two_runs(cli, tmp_path)
    code, stdout, stderr = cli("diff", str(old), str(new), "-o", "-")
    changes = [json.loads(line) for line in stdout.splitlines()]
    assert code == 1 and len(changes) == 3 and all(isinstance(c, dict) for c in changes)
    assert {c["change"] for c in changes} == {"new", "gone", "changed"}
    assert "1 new, 1 changed, 1 gone" in stderr and "Changes" in stderr
    # the same changes as -o FILE writes
    target = tmp_path / "changes.jsonl"
    cli("diff", str(old), str(new), "-o", str(target))
    assert read_jsonl(target) == changes


def test_diff_to_stdout_in_a_real_process(cli, tmp_path):
    old, new = two_runs(cli, tmp_path)
    proc = subprocess.run([sys.executable, "-m", "covscan.cli", "diff", str(old), str(new), "-o", "-", "--fail-on", "never"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines and all(isinstance(json.loads(line), dict) for line in lines)
    assert "1 new, 1 changed, 1 gone" in proc.stderr
