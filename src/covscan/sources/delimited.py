"""CSV, TSV and other delimited text in any common encoding.

Two ways to read, with the same result: polars reads batches at full speed for as long as the
lines they come from are proven well-formed (UTF-8, every line one record with the header's field
count), a chunk of the file at a time just ahead of the batch that needs it; from the first row
that is not proven on, the csv module reads row by row, so that a row whose field count differs
from the header, or whose bytes do not decode, becomes an error row naming the row, the line and
the column, and every other row is screened.
"""
from __future__ import annotations

import codecs
import csv
import io
import itertools
import sys
from collections import deque
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import polars as pl
from charset_normalizer import from_bytes

from covscan.engine import ERROR_COLUMN, ROW_COLUMN
from covscan.sources.base import BATCH_ROWS, TITLE_ROWS_MAX, BatchBuilder, InputError, header_index, unique_headers

SAMPLE_BYTES = 1 << 16
# Encodings tried when a file is not UTF-8: the legacy code pages inventories are exported in.
LEGACY_ENCODINGS = ["cp1252", "cp1250", "iso8859_15", "gb18030", "big5", "shift_jis", "euc_kr", "cp1251"]
LATIN_CODE_PAGES = frozenset({"cp1252", "cp1250", "iso8859_15", "cp1257", "cp775", "latin_1", "iso8859_2"})
REPLACEMENT = "\ufffd"
# How much of the file the line proof reads at a time (whole lines: the rest waits for the next read).
PROOF_BYTES = 1 << 24
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

    def __init__(self, path: Path, encoding: str | None = None, delimiter: str | None = None, header_row: int | None = None) -> None:
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
        self.fast_rows = 0  # rows the fast reader gave, before the exact reader took over (if it did)
        self._stream = self._open()
        self._reader = csv.reader(self._stream, delimiter=self.delimiter, strict=True)
        skip = header_row - 1 if header_row else self._title_rows(text)
        deque(itertools.islice(self._reader, skip), maxlen=0)
        header = next(self._reader, None)
        while header is not None and not any(h.strip() for h in header):
            header = next(self._reader, None)
        if header is None:
            raise InputError(f"{path}: no header row " + (f"at or after row {header_row}" if header_row else "(the file holds only blank lines)"))
        self.header_row = self._reader.line_num
        if REPLACEMENT in "".join(header) and _DecodeErrors.count:
            raise InputError(f"{path}: the header row is not valid {self.encoding}; pass --encoding (e.g. cp1252, gb18030)")
        self.columns = unique_headers(header)

    def _title_rows(self, text: str) -> int:
        """How many records come before the header, judged on the first rows of the sample (title,
        run date or filter lines that exports put above the header; see base.header_index)."""
        rows: list[list[str]] = []
        try:
            for row in csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=self.delimiter):
                rows.append(row)
                if sum(1 for r in rows if any(v.strip() for v in r)) >= TITLE_ROWS_MAX:
                    break
        except csv.Error:
            return 0
        nonblank = [i for i, r in enumerate(rows) if any(v.strip() for v in r)]
        return nonblank[header_index([rows[i] for i in nonblank])] if nonblank else 0

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

    def _line_proof(self) -> _LineProof | None:
        """A proof of the file's lines for the fast reader, or None when the file cannot have one:
        not UTF-8, a delimiter that is not one ASCII character, or a first line that is not the header."""
        if self.encoding not in ("utf-8", "utf-8-sig") or len(self.delimiter.encode()) != 1 or self.delimiter in '"\r\n':
            return None
        proof = _LineProof(self.path, self.delimiter, len(self.columns))
        if proof.through(1) and unique_headers(next(csv.reader([proof.first_line.lstrip("\ufeff")], delimiter=self.delimiter))) == self.columns:
            return proof
        proof.close()
        return None

    def batches(self, rows: int = BATCH_ROWS) -> Iterator[pl.DataFrame]:
        """polars' batches while their lines are proven well-formed, then the exact reader from the
        first row that is not (or whose batch polars could not read)."""
        self.fast_rows = 0
        try:
            proof = self._line_proof()
            if proof is not None:
                with proof:
                    yield from self._fast_batches(rows, proof)
                    if proof.complete(self.fast_rows + 1):
                        return
            yield from self._checked_batches(rows, skip=self.fast_rows)
        finally:
            self._stream.close()

    def _fast_batches(self, rows: int, proof: _LineProof) -> Iterator[pl.DataFrame]:
        try:
            for frame in pl.scan_csv(
                self.path, separator=self.delimiter, infer_schema=False, has_header=True, new_columns=self.columns,
            ).collect_batches(chunk_size=rows):
                done = self.fast_rows
                if not proof.through(done + frame.height + 1):  # line 1 is the header
                    return
                yield frame.with_columns(
                    pl.int_range(done, done + frame.height, dtype=pl.Int64).alias(ROW_COLUMN),
                    pl.lit(None, dtype=pl.String).alias(ERROR_COLUMN),
                )
                self.fast_rows += frame.height
                self._fast_position = min(proof.bytes_read, self.total)
        except (pl.exceptions.PolarsError, OSError):
            return  # a line the proof has not reached yet: the exact reader says what is wrong with it

    def _checked_batches(self, rows: int, skip: int = 0) -> Iterator[pl.DataFrame]:
        """Row by row with the csv module: every ragged, undecodable or unterminated row is an error
        row. The first `skip` rows, proven one line each, were read by the fast reader."""
        self._fast_position = None
        deque(itertools.islice(self._reader, skip), maxlen=0)
        builder = BatchBuilder(self.columns, first_row=skip)
        width = len(self.columns)
        errors_before = _DecodeErrors.count
        name = self.path.name
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


class _LineProof:
    """Proves a UTF-8 file's lines well-formed from the start, a chunk at a time, so the fast reader
    runs only ahead of what is proven: a line is well-formed when it is not blank, its bytes are
    UTF-8 without NUL, its quotes pair up (no quoted line break) and, quoted fields aside, it holds
    the header's number of delimiters. Each chunk is checked with a few numpy passes over one
    reused buffer. The proof stops at the first line that is not well-formed."""

    def __init__(self, path: Path, delimiter: str, fields: int) -> None:
        self._file = path.open("rb")
        self._delimiter = delimiter.encode()
        self._expected = fields - 1
        self._buffer = bytearray(PROOF_BYTES)
        self._mask = np.empty(PROOF_BYTES, dtype=bool)
        self._held = 0  # bytes at the start of the buffer that begin a line not yet read whole
        self.lines = 0  # lines proven from the start of the file
        self.bytes_read = 0
        self.broken = False  # the line after the proven ones is not well-formed
        self.eof = False
        self.first_line = ""  # once proven, the header

    def __enter__(self) -> _LineProof:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._file.close()

    def through(self, lines: int) -> bool:
        """Whether the file's first `lines` lines are proven well-formed (reading on as needed)."""
        while self.lines < lines and not (self.broken or self.eof):
            self._read()
        return self.lines >= lines

    def complete(self, lines: int) -> bool:
        """Whether the file holds exactly `lines` lines, all of them well-formed."""
        while not (self.broken or self.eof):
            self._read()
        return not self.broken and self.lines == lines

    def _read(self) -> None:
        if self._held == len(self._buffer):  # one line longer than the buffer
            self._buffer.extend(bytes(len(self._buffer)))
            self._mask = np.empty(len(self._buffer), dtype=bool)
        with memoryview(self._buffer) as view:
            got = self._file.readinto(view[self._held:])
        self.bytes_read += got
        size = self._held + got
        self.eof = got == 0
        whole = size if self.eof else self._buffer.rfind(b"\n", 0, size) + 1
        if whole:
            self._prove(whole)
        self._buffer[: size - whole] = self._buffer[whole:size]
        self._held = size - whole

    def _prove(self, size: int) -> None:
        """Prove the whole lines in the buffer's first `size` bytes (the last line may lack its line
        break only at the end of the file)."""
        buf = np.frombuffer(self._buffer, dtype=np.uint8, count=size)
        ends = self._positions(ord("\n"), size)
        if buf[-1] != ord("\n"):
            ends = np.append(ends, size)
        starts = np.concatenate(([0], ends[:-1] + 1))
        good = (ends > starts) & ~((ends - starts == 1) & (buf[starts] == ord("\r")))  # blank lines are not records
        delimiters = self._positions(self._delimiter[0], size)
        if self._buffer.find(b'"', 0, size) >= 0:
            delimiters, paired = self._outside_quotes(delimiters, starts, ends, size)
            good &= paired
        good &= self._delimiters_ok(delimiters, starts, ends)
        if self._buffer.find(b"\0", 0, size) >= 0:
            good[np.searchsorted(ends, self._positions(0, size))] = False
        if buf.max() >= 0x80:
            with memoryview(self._buffer) as view:
                try:
                    codecs.utf_8_decode(view[:size], None, True)
                except UnicodeDecodeError as exc:
                    good[np.searchsorted(ends, exc.start)] = False
        bad = np.flatnonzero(~good)
        if self.lines == 0 and good[0]:
            self.first_line = self._buffer[: ends[0]].decode("utf-8").rstrip("\r")
        self.lines += int(bad[0]) if len(bad) else len(ends)
        self.broken = bool(len(bad))

    def _outside_quotes(self, delimiters: np.ndarray, starts: np.ndarray, ends: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
        """The delimiters that are not inside a quoted field, and per line whether its quotes pair up
        (an odd number is a quoted line break or a stray quote, where the proof stops). Before the
        first such line, a delimiter lies inside a quoted field exactly when an odd number of quotes
        precede it (an escaped quote counts two); only delimiters on lines with a quote are looked at."""
        quotes = self._positions(ord('"'), size)
        line_of_quote = np.searchsorted(ends, quotes)
        paired = np.bincount(line_of_quote, minlength=len(ends)) % 2 == 0
        lines = np.unique(line_of_quote)
        first, last = np.searchsorted(delimiters, starts[lines]), np.searchsorted(delimiters, ends[lines])
        counts = last - first
        on_quoted_lines = np.repeat(first - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        outside = np.ones(len(delimiters), dtype=bool)
        outside[on_quoted_lines[np.searchsorted(quotes, delimiters[on_quoted_lines]) % 2 == 1]] = False
        return delimiters[outside], paired

    def _positions(self, byte: int, size: int) -> np.ndarray:
        """Where this byte occurs in the buffer's first `size` bytes (one reused mask, no new one)."""
        buf = np.frombuffer(self._buffer, dtype=np.uint8, count=size)
        return np.flatnonzero(np.equal(buf, byte, out=self._mask[:size]))

    def _delimiters_ok(self, delimiters: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Per line, whether it holds exactly the expected number of these delimiters. When the
        total is right, it is enough that the first and last of each line's share lie within it:
        every line then holds at least its share, so exactly. Otherwise each line's are counted."""
        e = self._expected
        if len(delimiters) == e * len(ends) and (
            e == 0 or ((delimiters[::e] >= starts).all() and (delimiters[e - 1::e] < ends).all())
        ):
            return np.ones(len(ends), dtype=bool)
        return np.searchsorted(delimiters, ends) - np.searchsorted(delimiters, starts) == e
