"""CSV, TSV and other delimited text in any common encoding.

Two ways to read, with the same result: when a streaming pre-scan proves the file well-formed
(UTF-8, every line with the header's field count), polars reads it in batches at full speed;
otherwise the csv module reads it row by row, so that a row whose field count differs from the
header, or whose bytes do not decode, becomes an error row naming the row, the line and the
column, and every other row is screened.
"""
from __future__ import annotations

import codecs
import csv
import io
import sys
from collections.abc import Iterator
from pathlib import Path

import polars as pl
from charset_normalizer import from_bytes

from covscan.engine import ERROR_COLUMN, ROW_COLUMN
from covscan.sources.base import BATCH_ROWS, BatchBuilder, InputError, unique_headers

SAMPLE_BYTES = 1 << 16
# Encodings tried when a file is not UTF-8: the legacy code pages inventories are exported in.
LEGACY_ENCODINGS = ["cp1252", "cp1250", "iso8859_15", "gb18030", "big5", "shift_jis", "euc_kr", "cp1251"]
LATIN_CODE_PAGES = frozenset({"cp1252", "cp1250", "iso8859_15", "cp1257", "cp775", "latin_1", "iso8859_2"})
REPLACEMENT = "\ufffd"
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class _DecodeErrors:
    """Counts undecodable byte runs; once any occurred, the reader checks each row for the replacement mark."""

    count = 0

    @classmethod
    def handler(cls, exc: UnicodeDecodeError) -> tuple[str, int]:
        cls.count += 1
        return REPLACEMENT, exc.end


codecs.register_error("covscan-count", _DecodeErrors.handler)


def detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        best = from_bytes(sample, cp_isolation=LEGACY_ENCODINGS).best()
        # Short samples cannot tell the Latin code pages apart; Windows-1252 is by far the most common.
        return "cp1252" if best is None or best.encoding in LATIN_CODE_PAGES else best.encoding


class DelimitedSource:
    unit = "bytes"

    def __init__(self, path: Path, encoding: str | None = None, delimiter: str | None = None) -> None:
        self.path = path
        self.total = path.stat().st_size
        if self.total == 0:
            raise InputError(f"{path}: the file is empty (0 bytes); expected a header row and data rows")
        with path.open("rb") as fh:
            sample = fh.read(SAMPLE_BYTES)
        self.encoding = encoding or detect_encoding(sample)
        try:
            codecs.lookup(self.encoding)
        except LookupError as exc:
            raise InputError(f"{path}: unknown encoding {self.encoding!r}") from exc
        text = sample.decode(self.encoding, errors="replace")
        self.delimiter = delimiter or self._sniff(text, path)
        self._binary: io.BufferedReader | None = None
        self._fast_position: int | None = None
        self._stream = self._open()
        self._reader = csv.reader(self._stream, delimiter=self.delimiter, strict=True)
        header = next(self._reader, None)
        while header is not None and not any(h.strip() for h in header):
            header = next(self._reader, None)
        if header is None:
            raise InputError(f"{path}: no header row (the file holds only blank lines)")
        if REPLACEMENT in "".join(header) and _DecodeErrors.count:
            raise InputError(f"{path}: the header row is not valid {self.encoding}; pass --encoding (e.g. cp1252, gb18030)")
        self.columns = unique_headers(header)

    @staticmethod
    def _sniff(text: str, path: Path) -> str:
        if path.suffix.lower() in (".tsv", ".tab"):
            return "\t"
        first = text.split("\n", 1)[0]
        try:
            return csv.Sniffer().sniff(first, delimiters=",;\t|").delimiter
        except csv.Error:
            return ","

    def _open(self) -> io.TextIOWrapper:
        self._binary = self.path.open("rb")
        return io.TextIOWrapper(self._binary, encoding=self.encoding, errors="covscan-count", newline="")

    def position(self) -> int:
        if self._fast_position is not None:
            return self._fast_position
        return self._binary.tell() if self._binary and not self._binary.closed else self.total

    def _well_formed_lines(self) -> int | None:
        """Line count when a streaming scan proves the file needs no row-by-row checks: UTF-8, no blank
        lines, no quoted line breaks, and every line with the header's number of fields. None otherwise."""
        if self.encoding not in ("utf-8", "utf-8-sig") or len(self.delimiter) != 1 or self.delimiter == '"':
            return None
        line = pl.col("line")
        quoted = line.str.contains('"', literal=True)
        delimiters = len(self.columns) - 1
        # Only lines with a quote need the (costly) regex that hides delimiters inside quoted fields.
        with_quotes = line.filter(quoted)
        try:
            check = pl.scan_csv(
                self.path, has_header=False, separator="\x00", quote_char=None, infer_schema=False, new_columns=["line"]
            ).select(
                lines=pl.len(),
                blank=line.is_null().any(),
                split_quotes=(with_quotes.str.count_matches('"', literal=True) % 2 == 1).any(),
                ragged=((line.str.count_matches(self.delimiter, literal=True) != delimiters) & ~quoted).any()
                | (with_quotes.str.replace_all(r'"(?:[^"]|"")*"', '""').str.count_matches(self.delimiter, literal=True) != delimiters).any(),
                first=line.first(),
            ).collect(engine="streaming")
        except (pl.exceptions.PolarsError, OSError):
            return None  # invalid UTF-8, NUL bytes, ...: the exact reader says where
        ok = not (check["blank"][0] or check["split_quotes"][0] or check["ragged"][0])
        header = next(csv.reader([(check["first"][0] or "").lstrip("\ufeff")], delimiter=self.delimiter), [])
        return int(check["lines"][0]) - 1 if ok and unique_headers(header) == self.columns else None

    def batches(self, rows: int = BATCH_ROWS) -> Iterator[pl.DataFrame]:
        data_lines = self._well_formed_lines()
        if data_lines is None:
            yield from self._checked_batches(rows)
            return
        self._stream.close()
        done = 0
        for frame in pl.scan_csv(
            self.path, separator=self.delimiter, infer_schema=False, has_header=True, new_columns=self.columns,
        ).collect_batches(chunk_size=rows):
            yield frame.with_columns(
                pl.int_range(done, done + frame.height, dtype=pl.Int64).alias(ROW_COLUMN),
                pl.lit(None, dtype=pl.String).alias(ERROR_COLUMN),
            )
            done += frame.height
            self._fast_position = int(self.total * done / max(data_lines, 1))

    def _checked_batches(self, rows: int) -> Iterator[pl.DataFrame]:
        """Row by row with the csv module: every ragged, undecodable or unterminated row is an error row."""
        builder = BatchBuilder(self.columns)
        width = len(self.columns)
        errors_before = _DecodeErrors.count
        name = self.path.name
        try:
            while True:
                start = self._reader.line_num + 1
                try:
                    row = next(self._reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    end = self._reader.line_num
                    runs_on = f"; a quote that is never closed makes it run on to line {end}" if end > start else ""
                    builder.add_error(f"{name} row {builder.next_row} (line {start}): unreadable CSV: {exc}{runs_on}")
                    continue
                if not row:
                    continue  # a blank line is not a record
                line = self._reader.line_num
                where = f"{name} row {builder.next_row} (line {start})"
                if _DecodeErrors.count != errors_before:  # decoding runs ahead of rows: check every row from now on
                    bad = next((self.columns[i] if i < width else f"field {i + 1}" for i, v in enumerate(row) if REPLACEMENT in v), None)
                    if bad is not None:
                        builder.add_error(f"{where}, column {bad!r}: bytes that are not valid {self.encoding}; pass --encoding to read it")
                        continue
                if len(row) != width:
                    if len(row) < width:
                        detail = f"{len(row)} fields but the header has {width}; column {self.columns[len(row)]!r} and after are missing"
                    else:
                        detail = f"{len(row)} fields but the header has {width}; extra field(s) after column {self.columns[-1]!r}"
                    if line > start:
                        detail += f"; a quote that is never closed makes this row run on to line {line}"
                    builder.add_error(f"{where}: {detail}")
                else:
                    builder.add([v if v != "" else None for v in row])
                if len(builder) >= rows:
                    yield builder.take()
            if len(builder):
                yield builder.take()
        finally:
            self._stream.close()
