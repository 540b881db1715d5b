"""A self-contained HTML report: run information, a summary by entity and verdict with a chart,
then each finding with its evidence and the regimes that apply. No scripts, no external files."""
from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path

import polars as pl

from covscan.engine import Engine
from covscan.model import Finding, Verdict
from covscan.report.base import AtomicFile, RunInfo, Summary

MAX_SHOWN = 5000
SHOWN_VERDICTS = ("covered", "conditional", "review")
COLORS = {"covered": "#c0392b", "conditional": "#e67e22", "review": "#d4ac0d", "clear": "#27ae60", "error": "#7f8c8d"}
CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1200px;color:#222;padding:0 1em}
h1{margin-bottom:.2em} .meta{color:#555} table{border-collapse:collapse;width:100%;margin:1em 0}
th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top} th{background:#f4f4f4}
.badge{color:#fff;border-radius:3px;padding:1px 6px;font-size:12px;white-space:nowrap}
.cards{display:flex;gap:1em;flex-wrap:wrap} .card{border:1px solid #ddd;border-radius:6px;padding:.6em 1em;min-width:8em}
.card b{font-size:22px;display:block} details{margin:.2em 0} code{font-size:12px}
.small{font-size:12px;color:#555}
"""


def badge(verdict: str) -> str:
    return f'<span class="badge" style="background:{COLORS.get(verdict, "#555")}">{escape(verdict)}</span>'


class HtmlWriter:
    def __init__(self, path: Path, info: RunInfo) -> None:
        self.file = AtomicFile(path)
        self.info = info
        self.shown: list[tuple[int, str, Finding | None, str | None, dict[str, str | None]]] = []
        self.hidden = 0

    def write(self, batch: pl.DataFrame, result: pl.DataFrame, engine: Engine) -> None:
        verdicts = pl.Series([engine.findings[i].verdict.value if i is not None else "error" for i in result["finding"]])
        keep = verdicts.is_in(list(SHOWN_VERDICTS) + ["error"])
        columns = list(dict.fromkeys(self.info.fields.values()))
        picked = pl.concat([result, batch.select(columns)], how="horizontal").filter(keep)
        for values in picked.iter_rows(named=True):
            if len(self.shown) >= MAX_SHOWN:
                self.hidden += 1
                continue
            fields = {c: values[c] for c in columns if values[c] is not None}
            finding = engine.concrete(values["finding"], values) if values["finding"] is not None else None
            self.shown.append((values["row"], values["id"] or "", finding, values["error"], fields))

    def close(self, summary: Summary) -> None:
        self.file.handle.write(self.render(summary))
        self.file.commit()

    def abort(self) -> None:
        self.file.discard()

    # ------------------------------------------------------------------ rendering

    def render(self, summary: Summary) -> str:
        info = self.info
        parts = [
            "<!doctype html><html lang=en><head><meta charset=utf-8>",
            f"<title>covscan report: {escape(info.input)}</title><style>{CSS}</style></head><body>",
            "<h1>covscan report</h1>",
            f'<p class=meta>Input <code>{escape(info.input)}</code> · {summary.rows:,} rows · context <b>{escape(info.context)}</b>'
            f" · use <b>{escape(info.use or 'not stated')}</b> · knowledge base <code>{escape(info.kb_version)}</code>"
            f" · covscan {escape(info.covscan_version)} · {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC</p>",
            '<div class="cards">',
        ]
        for v in ("covered", "conditional", "review", "clear", "error"):
            parts.append(f'<div class=card>{badge(v)}<b>{summary.by_verdict.get(v, 0):,}</b></div>')
        parts.append("</div><h2>By entity</h2>")
        parts.append(self._chart(summary))
        parts.append(self._entity_table(summary))
        parts.append(f"<h2>Findings</h2><p class=small>Rows with verdict covered, conditional, review or error"
                     f"{f'; the first {MAX_SHOWN:,} are shown and {self.hidden:,} more are in the JSONL/CSV output' if self.hidden else ''}."
                     " Open a row for its evidence and the regimes that apply.</p>")
        parts.append(self._findings())
        parts.append(f"<p class=small>Columns read: {escape(', '.join(f'{k}={v}' for k, v in info.fields.items()))}"
                     f"{'; not read: ' + escape(', '.join(info.ignored_columns)) if info.ignored_columns else ''}.</p></body></html>")
        return "".join(parts)

    def _chart(self, summary: Summary) -> str:
        entities = sorted(summary.by_entity, key=lambda e: -sum(summary.by_entity[e].get(v, 0) for v in SHOWN_VERDICTS))
        entities = [e for e in entities if any(summary.by_entity[e].get(v, 0) for v in SHOWN_VERDICTS)]
        if not entities:
            return "<p>No covered, conditional or review findings.</p>"
        top = max(sum(summary.by_entity[e].get(v, 0) for v in SHOWN_VERDICTS) for e in entities)
        bar_h, width, label_w = 22, 700, 160
        svg = [f'<svg role="img" aria-label="findings by entity" width="{label_w + width + 80}" height="{bar_h * len(entities) + 30}" xmlns="http://www.w3.org/2000/svg">']
        for i, entity in enumerate(entities):
            y, x = i * bar_h + 4, label_w
            svg.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="13">{escape(entity)}</text>')
            total = 0
            for v in SHOWN_VERDICTS:
                n = summary.by_entity[entity].get(v, 0)
                if n:
                    w = max(1.0, width * n / top)
                    svg.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h - 6}" fill="{COLORS[v]}"><title>{escape(entity)}: {n:,} {v}</title></rect>')
                    x += w
                    total += n
            svg.append(f'<text x="{x + 6:.1f}" y="{y + 15}" font-size="12">{total:,}</text>')
        legend_y = bar_h * len(entities) + 22
        for j, v in enumerate(SHOWN_VERDICTS):
            svg.append(f'<rect x="{label_w + j * 120}" y="{legend_y - 10}" width="12" height="12" fill="{COLORS[v]}"/><text x="{label_w + j * 120 + 16}" y="{legend_y}" font-size="12">{v}</text>')
        svg.append("</svg>")
        return "".join(svg)

    def _entity_table(self, summary: Summary) -> str:
        verdicts = ("covered", "conditional", "review", "clear")
        rows = ["<table><tr><th>entity</th>" + "".join(f"<th>{v}</th>" for v in verdicts) + "</tr>"]
        for entity, counts in sorted(summary.by_entity.items()):
            rows.append(f"<tr><td>{escape(entity)}</td>" + "".join(f"<td>{counts.get(v, 0):,}</td>" for v in verdicts) + "</tr>")
        rows.append("</table>")
        return "".join(rows)

    def _findings(self) -> str:
        if not self.shown:
            return "<p>None.</p>"
        out = ["<table><tr><th>row</th><th>verdict</th><th>entity</th><th>conf.</th><th>record</th><th>why</th></tr>"]
        for row, ident, f, error, fields in self.shown:
            record = "<br>".join(f"<span class=small>{escape(k)}</span> {escape(str(v))}" for k, v in fields.items())
            if f is None:
                out.append(f"<tr><td>{row}</td><td>{badge(Verdict.ERROR.value)}</td><td></td><td></td><td>{record}</td><td>{escape(error or '')}</td></tr>")
                continue
            out.append(
                f"<tr><td>{row}<br><span class=small>{escape(ident)}</span></td><td>{badge(f.verdict.value)}</td>"
                f"<td>{escape(f.entity or '')}<br><span class=small>{escape(f.relation or '')}</span></td>"
                f"<td>{f.confidence:.2f}</td><td>{record}</td><td>{escape(f.explanation)}{self._details(f)}</td></tr>"
            )
        out.append("</table>")
        return "".join(out)

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
