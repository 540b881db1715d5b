"""A self-contained HTML report people can act on: warnings about evidence left unread at the top,
a summary that accounts for every row, the columns read and why, then each finding that needs
attention, most severe first, with its evidence and the regimes that apply.

The file works offline with no external files. A small inline script filters the findings (by
verdict, entity and text); without JavaScript everything is shown. A Content-Security-Policy allows
only this report's own script and style (by hash), so nothing else in the page can run or load.
Everything taken from the input is HTML-escaped.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections import Counter
from html import escape
from pathlib import Path
from typing import Any

import polars as pl

from covscan.model import Finding, Verdict
from covscan.atomic import AtomicFile
from covscan.report.base import RunInfo, Summary, decision_text
from covscan.report.findings import FindingTable

MAX_SHOWN = 5000
COLORS = {"covered": "#c0392b", "match": "#c0392b", "conditional": "#e67e22", "review": "#d4ac0d", "clear": "#27ae60", "error": "#7f8c8d"}
CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1200px;color:#222;padding:0 1em}
h1{margin-bottom:.2em} .meta{color:#555} table{border-collapse:collapse;width:100%;margin:1em 0}
th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top} th{background:#f4f4f4}
.badge{color:#fff;border-radius:3px;padding:1px 6px;font-size:12px;white-space:nowrap}
""" + "".join(f".v-{v}{{background:{c}}}" for v, c in COLORS.items()) + """
.cards{display:flex;gap:1em;flex-wrap:wrap} .card{border:1px solid #ddd;border-radius:6px;padding:.6em 1em;min-width:8em}
.card b{font-size:22px;display:block} details{margin:.2em 0} code{font-size:12px}
.small{font-size:12px;color:#555} .decision{margin:0 0 4px;padding:2px 6px;background:#eef4ff;border-left:3px solid #36c} [hidden]{display:none!important}
.warn{border:2px solid #c0392b;background:#fdecea;border-radius:6px;padding:.6em 1em;margin:1em 0}
.warn h2{margin:.1em 0 .3em;font-size:17px;color:#a93226} .warn ul{margin:.2em 0;padding-left:1.4em}
.ok{border:1px solid #27ae60;background:#eafaf1;border-radius:6px;padding:.4em 1em;margin:1em 0}
#filters{border:1px solid #ddd;border-radius:6px;padding:.5em 1em;margin:.5em 0;display:flex;gap:1.2em;flex-wrap:wrap;align-items:center}
#filters label{white-space:nowrap}
"""
# Filters the findings table in place: rows carry data-verdict and data-entity; the text filter
# matches a row's text (its record values, explanation and evidence). The controls start hidden
# so a reader without JavaScript sees every finding and no controls that do nothing.
SCRIPT = """
(function(){
var f=document.getElementById('filters');if(!f)return;f.hidden=false;
var rows=[].slice.call(document.querySelectorAll('#findings>tbody>tr'));
var boxes=[].slice.call(f.querySelectorAll('input[name=verdict]'));
var ent=document.getElementById('f-entity'),txt=document.getElementById('f-text'),count=document.getElementById('f-count');
var text=rows.map(function(r){return r.textContent.toLowerCase();});
function apply(){
var on={};boxes.forEach(function(b){on[b.value]=b.checked;});
var e=ent.value,q=txt.value.trim().toLowerCase(),n=0;
rows.forEach(function(r,i){
var show=!!on[r.getAttribute('data-verdict')]&&(!e||r.getAttribute('data-entity')===e)&&(!q||text[i].indexOf(q)>=0);
r.hidden=!show;if(show)n++;});
count.textContent=n+' of '+rows.length+' listed findings shown';}
f.addEventListener('input',apply);f.addEventListener('change',apply);apply();
})();
"""


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


CSP = f"default-src 'none'; script-src '{_sha256(SCRIPT)}'; style-src '{_sha256(CSS)}'; img-src 'none'; form-action 'none'; base-uri 'none'"


def _or(verdicts: tuple[str, ...]) -> str:
    return ", ".join(verdicts[:-1]) + f" or {verdicts[-1]}" if len(verdicts) > 1 else "".join(verdicts)


def badge(verdict: str) -> str:
    return f'<span class="badge v-{escape(verdict)}">{escape(verdict)}</span>'


def spreadsheet_row(row: int, header_row: int) -> int:
    """The row number a user sees: the spreadsheet row (header_row + 1 + row) or, with no header
    row (JSON, observations), the record number counted from 1."""
    return header_row + 1 + row if header_row > 0 else row + 1


# One listed row: (row, id, finding index or None for an error row, error message, the row's mapped fields)
Listed = tuple[int, str, "int | None", "str | None", dict[str, Any]]


class HtmlWriter:
    def __init__(self, path: Path, info: RunInfo) -> None:
        self.file = AtomicFile(path)
        self.info = info
        self.engine: FindingTable | None = None
        # Up to MAX_SHOWN rows of each listed verdict, in input order: after sorting by severity the
        # first MAX_SHOWN of them are listed, whatever order the input had them in.
        # The run's verdicts, most severe first: all are counted, those but clear listed, those but
        # clear and error charted.
        self.verdicts = info.verdicts
        self.listed_verdicts = tuple(v for v in info.verdicts if v != Verdict.CLEAR.value)
        self.shown = tuple(v for v in self.listed_verdicts if v != Verdict.ERROR.value)
        self.kept: dict[str, list[Listed]] = {v: [] for v in self.listed_verdicts}
        self.seen: Counter[str] = Counter()

    def write(self, batch: pl.DataFrame, result: pl.DataFrame, engine: FindingTable) -> None:
        self.engine = engine
        verdicts = pl.Series([engine.findings[i].verdict.value if i is not None else "error" for i in result["finding"]], dtype=pl.String)
        keep = verdicts.is_in(list(self.listed_verdicts))
        if not keep.any():
            return
        columns = list(dict.fromkeys(self.info.fields.values()))
        inputs = [f"__input_{i}" for i in range(len(columns))]  # input columns may be named like result columns (id, row)
        picked = pl.concat([result, batch.select(pl.col(c).alias(a) for c, a in zip(columns, inputs)), verdicts.alias("__verdict").to_frame()],
                           how="horizontal").filter(keep)
        for verdict in self.listed_verdicts:
            rows = picked.filter(pl.col("__verdict") == verdict)
            self.seen[verdict] += rows.height
            kept = self.kept[verdict]
            for values in rows.head(max(MAX_SHOWN - len(kept), 0)).iter_rows(named=True):
                fields = {c: values[a] for c, a in zip(columns, inputs) if values[a] is not None}
                kept.append((values["row"], values["id"] or "", values["finding"], values["error"], fields))

    def close(self, summary: Summary) -> None:
        self.file.handle.write(self.render(summary))
        self.file.commit()

    def abort(self) -> None:
        self.file.discard()

    # ------------------------------------------------------------------ what is listed

    def listed(self) -> list[tuple[str, Listed]]:
        """The findings listed, most severe first (covered, conditional, review, error), input order within each."""
        out = [(v, item) for v in self.listed_verdicts for item in self.kept[v]]
        return out[:MAX_SHOWN]

    def not_listed(self) -> Counter[str]:
        listed = Counter(v for v, _ in self.listed())
        return Counter({v: self.seen[v] - listed[v] for v in self.listed_verdicts if self.seen[v] - listed[v]})

    # ------------------------------------------------------------------ rendering

    def render(self, summary: Summary) -> str:
        info = self.info
        listed = self.listed()
        parts = [
            "<!doctype html><html lang=en><head><meta charset=utf-8>",
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            '<meta name="viewport" content="width=device-width,initial-scale=1">',
            f"<title>covscan report: {escape(info.input)}</title><style>{CSS}</style></head><body>",
            "<h1>covscan report</h1>",
            f'<p class=meta>Input <code>{escape(info.input)}</code> · context <b>{escape(info.context)}</b>'
            f" · use <b>{escape(info.use or 'not stated')}</b> · knowledge base <code>{escape(info.kb_version)}</code>"
            f", as of <b>{escape(info.kb_as_of or 'not recorded')}</b>"
            f" · covscan {escape(info.covscan_version)} · {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC</p>",
            f"<p class=meta id=lists>Screened against {escape(info.lists)}</p>" if info.lists else "",
            self._warnings(summary),
            self._summary(summary),
            "<h2>By entity</h2>",
            self._chart(summary),
            self._entity_table(summary),
            self._columns(),
            self._findings_intro(summary, listed),
            self._filters(listed),
            self._findings(listed),
            f"<script>{SCRIPT}</script></body></html>",
        ]
        return "".join(parts)

    def _warnings(self, summary: Summary) -> str:
        items = [f"<li>{escape(message)}</li>" for message in self.info.unread_evidence]
        errors = summary.by_verdict.get(Verdict.ERROR.value, 0)
        if errors:
            items.append(f"<li>{errors:,} row{'s' if errors != 1 else ''} could not be read: listed below with verdict "
                         "<b>error</b> and the reason; they were not screened.</li>")
        if not items:
            return ""
        title = "Evidence may have been missed" if self.info.unread_evidence else "Rows not screened"
        return f'<div class=warn role=alert id=warnings><h2>⚠ {title}</h2><ul>{"".join(items)}</ul></div>'

    def _summary(self, summary: Summary) -> str:
        counts = {v: summary.by_verdict.get(v, 0) for v in self.verdicts}
        total = sum(counts.values())
        cards = "".join(f'<div class=card id=count-{v}>{badge(v)}<b>{counts[v]:,}</b></div>' for v in self.verdicts)
        sums = " + ".join(f"{counts[v]:,} {v}" for v in self.verdicts)
        if total == summary.rows:
            check = f'<p class=ok id=examined>Every row was examined: <b>{summary.rows:,}</b> rows screened = {sums}.</p>'
        else:  # never expected: say so rather than hide it
            check = f'<p class=warn id=examined>{summary.rows:,} rows screened but the verdicts add up to {total:,} ({sums}).</p>'
        return f'<h2>Summary</h2><div class="cards" id=summary>{cards}</div>{check}'

    def _columns(self) -> str:
        info = self.info
        rows = []
        for field_name, column in info.fields.items():
            reason = info.column_reasons.get(column, "")
            rows.append(f"<tr><td>{escape(field_name)}</td><td><code>{escape(column)}</code></td><td>{escape(reason or 'not recorded')}</td></tr>")
        table = ("<table id=columns-read><thead><tr><th>field</th><th>column</th><th>how it was chosen</th></tr></thead><tbody>"
                 + "".join(rows) + "</tbody></table>") if rows else "<p>No columns were read.</p>"
        unread = ", ".join(f"<code>{escape(c)}</code>" for c in info.ignored_columns) or "none"
        if info.header_row > 0:
            numbering = f"Row numbers below are spreadsheet rows: the header is row {info.header_row:,}, the first data row is row {info.header_row + 1:,}."
        else:
            numbering = "The input has no header row: numbers below count records from 1."
        return (f"<h2>Columns</h2>{table}<p id=columns-unread>Columns not read: {unread}.</p>"
                f"<p class=small>{numbering}</p>")

    def _findings_intro(self, summary: Summary, listed: list[tuple[str, Listed]]) -> str:
        missing = self.not_listed()
        clear = summary.by_verdict.get(Verdict.CLEAR.value, 0)
        text = (f"<h2>Findings</h2><p class=small id=listed>Rows with verdict {_or(self.listed_verdicts)}, most severe first: "
                f"{len(listed):,} listed. {clear:,} clear row{'s are' if clear != 1 else ' is'} counted above, not listed."
                " Open a row for its evidence and the regimes that apply.</p>")
        if missing:
            total = sum(missing.values())
            detail = ", ".join(f"{n:,} {v}" for v, n in missing.items())
            text += (f"<p class=warn id=not-listed><b>{total:,} finding{'s were' if total != 1 else ' was'} not listed</b> "
                     f"({detail}): this report lists the first {MAX_SHOWN:,}; the JSONL, CSV, XLSX or Parquet output has every row.</p>")
        return text

    def _filters(self, listed: list[tuple[str, Listed]]) -> str:
        if not listed:
            return ""
        engine = self.engine
        present = [v for v in self.listed_verdicts if any(verdict == v for verdict, _ in listed)]
        entities = sorted({engine.findings[i].entity for _, (_, _, i, _, _) in listed if i is not None and engine.findings[i].entity} if engine else set())
        boxes = "".join(f'<label><input type=checkbox name=verdict value="{v}" checked> {badge(v)}</label>' for v in present)
        options = '<option value="">all entities</option>' + "".join(f'<option value="{escape(e)}">{escape(e)}</option>' for e in entities)
        return (f'<div id=filters hidden>{boxes}<label>entity <select id=f-entity>{options}</select></label>'
                '<label>text <input type=search id=f-text placeholder="model, MAC, explanation…"></label>'
                '<span class=small id=f-count></span></div>')

    def _chart(self, summary: Summary) -> str:
        entities = sorted(summary.by_entity, key=lambda e: -sum(summary.by_entity[e].get(v, 0) for v in self.shown))
        entities = [e for e in entities if any(summary.by_entity[e].get(v, 0) for v in self.shown)]
        if not entities:
            return f"<p>No {_or(self.shown)} findings.</p>"
        top = max(sum(summary.by_entity[e].get(v, 0) for v in self.shown) for e in entities)
        bar_h, width, label_w = 22, 700, 160
        svg = [f'<svg role="img" aria-label="findings by entity" width="{label_w + width + 80}" height="{bar_h * len(entities) + 30}" xmlns="http://www.w3.org/2000/svg">']
        for i, entity in enumerate(entities):
            y, x = i * bar_h + 4, label_w
            svg.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="13">{escape(entity)}</text>')
            total = 0
            for v in self.shown:
                n = summary.by_entity[entity].get(v, 0)
                if n:
                    w = max(1.0, width * n / top)
                    svg.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h - 6}" fill="{COLORS[v]}"><title>{escape(entity)}: {n:,} {v}</title></rect>')
                    x += w
                    total += n
            svg.append(f'<text x="{x + 6:.1f}" y="{y + 15}" font-size="12">{total:,}</text>')
        legend_y = bar_h * len(entities) + 22
        for j, v in enumerate(self.shown):
            svg.append(f'<rect x="{label_w + j * 120}" y="{legend_y - 10}" width="12" height="12" fill="{COLORS[v]}"/><text x="{label_w + j * 120 + 16}" y="{legend_y}" font-size="12">{v}</text>')
        svg.append("</svg>")
        return "".join(svg)

    def _entity_table(self, summary: Summary) -> str:
        verdicts = tuple(v for v in self.verdicts if v != Verdict.ERROR.value)
        rows = ["<table id=entities><thead><tr><th>entity</th>" + "".join(f"<th>{v}</th>" for v in verdicts) + "</tr></thead><tbody>"]
        for entity, counts in sorted(summary.by_entity.items()):
            rows.append(f"<tr><td>{escape(entity)}</td>" + "".join(f"<td>{counts.get(v, 0):,}</td>" for v in verdicts) + "</tr>")
        rows.append("</tbody></table>")
        return "".join(rows)

    def _findings(self, listed: list[tuple[str, Listed]]) -> str:
        if not listed:
            return "<p>None: no row needs attention.</p>"
        label = "row" if self.info.header_row > 0 else "record"
        out = [f"<table id=findings><thead><tr><th>{label}</th><th>verdict</th><th>entity</th><th>conf.</th><th>record</th><th>why</th></tr></thead><tbody>"]
        header_row = self.info.header_row
        for verdict, (row, ident, index, error, fields) in listed:
            shown_row = spreadsheet_row(row, header_row)
            record = "<br>".join(f"<span class=small>{escape(k)}</span> {escape(str(v))}" for k, v in fields.items())
            number = f'<td title="output row {row}">{shown_row:,}'
            if index is None or self.engine is None:
                out.append(f'<tr data-verdict="error" data-entity="">{number}</td><td>{badge(Verdict.ERROR.value)}</td><td></td><td></td>'
                           f"<td>{record}</td><td>{escape(error or '')}</td></tr>")
                continue
            f = self.engine.concrete(index, fields)
            out.append(
                f'<tr data-verdict="{escape(f.verdict.value)}" data-entity="{escape(f.entity or "")}">'
                f"{number}<br><span class=small>{escape(ident)}</span></td><td>{badge(f.verdict.value)}</td>"
                f"<td>{escape(f.entity or '')}<br><span class=small>{escape(f.relation or '')}</span></td>"
                f"<td>{f.confidence:.2f}</td><td>{record}</td><td>{self._decision(f)}{escape(f.explanation)}{self._details(f)}</td></tr>"
            )
        out.append("</tbody></table>")
        return "".join(out)

    @staticmethod
    def _decision(f: Finding) -> str:
        """A team's decision above the explanation: settled ones plain, those that need a look marked."""
        text = decision_text(f.decision)
        if text is None:
            return ""
        mark = "decided" if f.decision and f.decision.get("settles") else "decision needs a look"
        return f"<p class=decision><b>{mark}:</b> {escape(text)}</p>"

    @staticmethod
    def _details(f: Finding) -> str:
        ev = "".join(
            f"<tr><td>{escape(e.signal)}</td><td>{escape(e.field)}</td><td><code>{escape(e.value)}</code></td>"
            f"<td>{escape(e.matched or '')}{'<br><i>' + escape(e.note) + '</i>' if e.note else ''}</td><td>{escape(e.rule or '')}</td>"
            f"<td>{e.confidence:.2f}</td><td class=small>{escape(e.source or '')}</td></tr>"
            for e in f.evidence
        )
        regimes = "".join(f"<li><b>{escape(r.name)}</b>: {escape(r.effect)} <span class=small>({escape(r.authority)})</span></li>" for r in f.regimes)
        return (
            "<details><summary>evidence and regimes</summary><table><tr><th>signal</th><th>field</th><th>value</th>"
            f"<th>matched</th><th>rule</th><th>conf.</th><th>source</th></tr>{ev}</table>"
            f"{'<ul>' + regimes + '</ul>' if regimes else ''}</details>"
        )
