"""A Federal Register API search response (`/api/v1/documents.json`): {"count", "results": [...]},
each result with document_number, title, type, publication_date, agencies and html_url. covscan
asks for the FCC, BIS and DoD documents that name the Covered List, equipment authorization, the
Entity List or section 1260H; each new one needs a reviewer's look."""
from __future__ import annotations

import json

import polars as pl

from covscan.updates.formats import SourceFormatError, decoded


def parse(data: bytes) -> pl.DataFrame:
    try:
        response = json.loads(decoded(data))
    except json.JSONDecodeError as exc:
        raise SourceFormatError(f"not a Federal Register API response: {exc}") from None
    results = response.get("results") if isinstance(response, dict) else None
    if not isinstance(results, list) or "count" not in response:
        raise SourceFormatError("not a Federal Register API response: no 'count' and 'results'")
    rows = []
    for n, doc in enumerate(results):
        if not isinstance(doc, dict) or not doc.get("document_number") or not doc.get("html_url"):
            raise SourceFormatError(f"not a Federal Register API response: result {n} has no document_number or html_url")
        agencies = "; ".join(str(a.get("name", "")) for a in doc.get("agencies") or [] if isinstance(a, dict))
        rows.append((str(doc["document_number"]), str(doc.get("title", "")), str(doc.get("type", "")),
                     str(doc.get("publication_date", "")), agencies, str(doc["html_url"])))
    frame = pl.DataFrame(rows, schema=["document_number", "title", "type", "publication_date", "agencies", "url"], orient="row")
    return frame.with_columns(
        key=pl.col("document_number"),
        summary=pl.col("publication_date") + " " + pl.col("type") + " " + pl.col("document_number") + ": " + pl.col("title"),
    ).unique("key", keep="first", maintain_order=True)
