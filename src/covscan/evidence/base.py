"""The extractor interface and the helpers every extractor shares."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

import polars as pl

from covscan.kb import KnowledgeBase
from covscan.model import Evidence

EvidenceTuple = tuple[Evidence, ...]
# A column shorter than this is worked on whole: splitting it costs more than it saves.
PARTS_MIN_ROWS = 50_000


class Extractor(Protocol):
    """Turns distinct values of one input field into evidence, one tuple per value, in order.

    Extractors see each distinct value once per batch (the engine deduplicates), so they may do
    per-value Python work, but should vectorise whatever runs over every value.
    """

    def extract(self, values: Sequence[str], field: str) -> list[EvidenceTuple]: ...


@runtime_checkable
class KeyedExtractor(Extractor, Protocol):
    """An extractor that can also say, for a whole column at once, which values share evidence:
    values with one key get the same evidence, each naming itself (a null key: read the value on
    its own). The engine then reads one value per key of a column whose values hardly repeat."""

    def evidence_keys(self, values: pl.Series) -> pl.Series: ...


def collect_in_parts(frame: pl.DataFrame, plan: Callable[[pl.LazyFrame], pl.LazyFrame]) -> pl.DataFrame:
    """plan(frame) collected on one part of a long frame per polars thread at once, parts in order:
    polars runs most string kernels on one thread, and a core is often free while a batch is
    screened (listing titles: the writer waits for the next one)."""
    parts = pl.thread_pool_size()
    if frame.height < PARTS_MIN_ROWS or parts < 2:
        return plan(frame.lazy()).collect()
    step = -(-frame.height // parts)
    return pl.concat(pl.collect_all([plan(frame.slice(start, step).lazy()) for start in range(0, frame.height, step)]))


def node_evidence(
    kb: KnowledgeBase,
    *,
    signal: str,
    field: str,
    value: str,
    node: str,
    fact_confidence: str,
    factor: float,
    matched: str,
    rule: str,
    source: str,
    corroborate: bool = False,
    note: str | None = None,
) -> Evidence:
    """Evidence that `value` names knowledge-base node `node`, scored through the graph.

    A covered company's or brand's confidence is the fact's confidence times the signal's factor
    times how surely the graph links the node to its Covered List entity. A known non-covered
    vendor yields evidence with no entity: it explains a clear verdict and counts against weak
    covered signals.
    """
    resolution = kb.resolve(node)
    base = kb.fact(fact_confidence) * factor
    if resolution is None:
        vendor = kb.nodes[node]
        if note is None and vendor.trap:
            note = f"known lookalike of {kb.display_name(vendor.lookalike_of)}, not a covered vendor: {vendor.reason}"
        elif note is None and vendor.kind == "other-vendor":
            note = "known vendor that is not on the Covered List"
        return Evidence(signal, field, value, target=node, matched=matched, rule=rule,
                        confidence=round(base, 4), source=source, note=note, corroborate=corroborate)
    if resolution.edge_source and resolution.relation != "parent":
        source = f"{source}; link to {kb.display_name(resolution.entity)}: {resolution.edge_source}"
    return Evidence(
        signal, field, value, target=node, entity=resolution.entity, relation=resolution.relation,
        matched=matched, rule=rule, confidence=round(base * kb.edge(resolution.edge_confidence), 4),
        source=source, note=note, corroborate=corroborate,
    )
