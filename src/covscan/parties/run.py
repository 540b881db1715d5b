"""Opening a party file for screening: its columns found, the lists read and indexed, an engine
that screen.Screen runs batch by batch into the same writers as `covscan screen`."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from covscan.kb import KnowledgeBase
from covscan.model import PARTY_VERDICTS
from covscan.parties.columns import PARTY_FIELDS, guess_party_column
from covscan.parties.engine import ORDER_FIELDS, PartyEngine, PartySettings
from covscan.parties.export import load_export_rules
from covscan.parties.lists import ListCatalogue, open_catalogue
from covscan.parties.match import ListIndex
from covscan.parties.names import load_name_rules
from covscan.report import RunInfo
from covscan.screen import Screen, SampledSource, covscan_version
from covscan.sources import open_source
from covscan.sources.columns import recognise_columns


def open_parties(path: Path, lists: Sequence[Path], kb: KnowledgeBase, settings: PartySettings = PartySettings(), *,
                 fmt: str | None = None, encoding: str | None = None, delimiter: str | None = None, sheet: str | None = None,
                 overrides: dict[str, str] | None = None, header_row: int | None = None,
                 catalogue: ListCatalogue | None = None) -> Screen:
    """Open a customer, supplier or order file; `lists` are list files or folders (none: the installed lists)."""
    source = SampledSource(open_source(path, fmt, encoding=encoding, delimiter=delimiter, sheet=sheet, header_row=header_row))
    mapping = recognise_columns(source.columns, overrides or {}, str(path), guess=guess_party_column,
                                samples=source.sample(source.columns), vocabulary=PARTY_FIELDS)
    catalogue = catalogue or open_catalogue(lists, kb)
    index = ListIndex(catalogue.entries, load_name_rules())
    order_line = any(f.split("#")[0] in ORDER_FIELDS for f in mapping.fields)
    engine = PartyEngine(index, catalogue, mapping.fields, kb, settings, load_export_rules() if order_line else None)
    info = RunInfo(
        input=str(path), kb_version=kb.version, context=settings.context.value, use=None, fields=mapping.fields,
        ignored_columns=[c for c in source.columns if c not in mapping.fields.values()], covscan_version=covscan_version(),
        column_reasons=mapping.reasons, unread_evidence=mapping.unread_evidence, kb_as_of=kb.as_of,
        header_row=source.header_row, verdicts=PARTY_VERDICTS, lists=catalogue.summary(),
    )
    return Screen(source, mapping.fields, engine, info)
