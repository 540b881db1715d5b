"""CSV, TSV and other delimited text in any common encoding.

Two ways to read, with the same result: polars parses the lines of a UTF-8 file for as long as they
are proven well-formed (every line one record with the header's field count), a chunk of the file at
a time, from the very bytes the proof read, so it never sees a line that is not proven; from the
first batch with a line that is not proven on, the csv module reads record by record, so that a
record whose field count differs from the header, whose bytes do not decode or that is over a limit
(covscan.limits) becomes an error row naming the row, the line and the column, and every other row
is screened. A file that cannot be read at all (binary data, a header that cannot be read, more
columns than the limit, an encoding that does not make text) is refused whole with InputError.
"""
from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections import deque
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import polars as pl
from charset_normalizer import from_bytes

from covscan import limits
from covscan.model import ERROR_COLUMN, ROW_COLUMN
from covscan.sources.base import (
    BATCH_ROWS,
    TITLE_ROWS_MAX,
    BatchBuilder,
    InputError,
    header_index,
    text_encoding,
    unique_headers,
)

SAMPLE_BYTES = 1 << 16
# Encodings tried when a file is not UTF-8: the legacy code pages inventories are exported in.
LEGACY_ENCODINGS = ["cp1252", "cp1250", "iso8859_15", "gb18030", "big5", "shift_jis", "euc_kr", "cp1251"]
LATIN_CODE_PAGES = frozenset({"cp1252", "cp1250", "iso8859_15", "cp1257", "cp775", "latin_1", "iso8859_2"})
# Checked longest first: the UTF-32LE mark begins with the UTF-16LE one.
BYTE_ORDER_MARKS = [(codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
                    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]
REPLACEMENT = "\ufffd"
# Control characters that no text export holds (tab, line breaks, form feed and vertical tab aside);
# a sample of which more than BINARY_SHARE are such characters is binary data.
CONTROLS = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\n\r\f\v")
BINARY_SHARE = 0.05
# How much of the file the line proof reads at a time (whole lines: the rest waits for the next read),
# and at first: the first batch, which column recognition waits for before anything runs in parallel,
# is this first read's lines (enough rows to sample, and to tell a column whose values never repeat).
PROOF_BYTES = 1 << 24
FIRST_PROOF_BYTES = 1 << 21
# Text one batch holds at most: a file of long lines is read in batches of fewer rows.
BATCH_BYTES = 1 << 26


class _DecodeErrors:
    """Counts undecodable byte runs; once any occurred, the reader checks each row for the replacement mark."""

    count = 0

    @classmethod
    def handler(cls, exc: UnicodeDecodeError) -> tuple[str, int]:
        cls.count += 1
        return REPLACEMENT, exc.end


codecs.register_error("covscan-count", _DecodeErrors.handler)


def detect_encoding(sample: bytes) -> str:
    """By the byte-order mark; UTF-16/32 without one by where its NUL bytes fall; UTF-8 when the
    sample decodes as UTF-8; else the likeliest legacy code page."""
    for mark, name in BYTE_ORDER_MARKS:
        if sample.startswith(mark):
            return name
    wide = _wide_without_mark(sample)
    if wide:
        return wide
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        best = from_bytes(sample, cp_isolation=LEGACY_ENCODINGS).best()
        # Short samples cannot tell the Latin code pages apart; Windows-1252 is by far the most common.
        return "cp1252" if best is None or best.encoding in LATIN_CODE_PAGES else best.encoding


def _wide_without_mark(sample: bytes) -> str | None:
    """UTF-16 or UTF-32 text without a byte-order mark, or None. The high bytes of ASCII characters
    (delimiters, line breaks, digits) are NUL: in UTF-32LE the last two bytes of every four, in
    UTF-16LE a good share of the odd bytes and almost none of the even ones (and the other way round
    for big-endian). The sample must then decode."""
    size = len(sample) // 4 * 4
    if not size:
        return None
    share = (np.frombuffer(sample, dtype=np.uint8, count=size).reshape(-1, 4) == 0).mean(axis=0)
    odd, even = share[1] + share[3], share[0] + share[2]
    if min(share[2], share[3]) > 0.9 and share[0] < 0.5:
        name = "utf-32-le"
    elif min(share[0], share[1]) > 0.9 and share[3] < 0.5:
        name = "utf-32-be"
    elif odd > 0.2 and even * 8 < odd:
        name = "utf-16-le"
    elif even > 0.2 and odd * 8 < even:
        name = "utf-16-be"
    else:
        return None
    try:
        codecs.getincrementaldecoder(name)().decode(sample[:size], final=False)
    except UnicodeDecodeError:
        return None
    return name


def _unreadable(exc: csv.Error) -> str:
    """What the csv module found wrong with a record, to follow "row N (line L)"."""
    if "field limit" in str(exc):
        return f": a field longer than {limits.current().field_bytes:,} characters {limits.describe('field_bytes')}"
    return f": unreadable CSV: {exc}"


def _too_long() -> str:
    """What is wrong with a record that holds a line over the line_bytes limit."""
    return f": a line longer than {limits.current().line_bytes:,} characters {limits.describe('line_bytes')}"


class DelimitedSource:
    unit = "bytes"

    def __init__(self, path: Path, encoding: str | None = None, delimiter: str | None = None, header_row: int | None = None) -> None:
        self.path = path
        self.total = path.stat().st_size
        if self.total == 0:
            raise InputError(f"{path}: the file is empty (0 bytes); expected a header row and data rows")
        if delimiter is not None and (len(delimiter) != 1 or delimiter in '"\r\n'):
            tab = " (for a tab pass a real one, --delimiter $'\\t', or --format tsv)" if delimiter == "\\t" else ""
            raise InputError(f"{path}: the delimiter must be one character other than a quote or a line break, not {delimiter!r}{tab}")
        with path.open("rb") as fh:
            sample = fh.read(SAMPLE_BYTES)
        self.encoding = self._encoding(encoding, sample)
        text = self._decode_sample(sample)
        self.delimiter = delimiter or self._sniff(text, path)
        csv.field_size_limit(limits.current().field_bytes)  # process-wide: the csv module has no per-reader limit
        self._binary: io.BufferedReader | None = None
        self._fast_position: int | None = None
        self.fast_rows = 0  # rows the fast reader gave, before the exact reader took over (if it did)
        self._width: int | None = None  # the header's field count, once it is read
        self._record: list[str | None] = []  # the lines of the record being read (None: a line over the limit)
        self._stream = self._open()
        self._reader = csv.reader(self._lines(), delimiter=self.delimiter, strict=True)
        self._records = self._read_records()
        self.columns = self._header(header_row, text)
        self._width = len(self.columns)

    def _encoding(self, given: str | None, sample: bytes) -> str:
        """The encoding given (if it is a text encoding) or detected. The utf-16 and utf-32 decoders
        need a byte-order mark; without one the NUL pattern tells the byte order (else little-endian,
        which Windows writes)."""
        if given is None:
            return detect_encoding(sample)
        name = text_encoding(self.path, given)
        if name in ("utf-16", "utf-32") and not any(sample.startswith(m) for m, n in BYTE_ORDER_MARKS if n == name):
            wide = _wide_without_mark(sample)
            return wide if wide and wide.startswith(name) else f"{name}-le"
        return name

    def _decode_sample(self, sample: bytes) -> str:
        """The sample as text; a codec that cannot decode it even with replacements, or text that is
        mostly control characters (binary data: an archive, an image, a database), is refused here,
        before anything else is read."""
        try:
            text = codecs.getincrementaldecoder(self.encoding)(errors="replace").decode(sample, final=len(sample) == self.total)
        except UnicodeError as exc:
            raise InputError(f"{self.path}: cannot be read as {self.encoding}: {exc}; pass --encoding") from exc
        controls = len(text) - len(text.translate(CONTROLS))
        if controls > BINARY_SHARE * len(text):
            raise InputError(f"{self.path}: binary data, not text: {controls / len(text):.0%} of the first {len(sample):,} bytes "
                             f"are NUL or other control characters; expected CSV or TSV text (pass --format if it is another format)")
        return text

    def _header(self, header_row: int | None, text: str) -> list[str]:
        """The header's names: the first non-blank record after the title rows (or at --header-row).
        A header that cannot be read, or has more columns than the limit, refuses the file."""
        skip = header_row - 1 if header_row else self._title_rows(text)
        deque(itertools.islice(self._records, skip), maxlen=0)
        for line, header, problem in self._records:
            if problem:
                raise InputError(f"{self.path}: the header row (line {line}){problem}")
            if any(h.strip() for h in header):
                break
        else:
            raise InputError(f"{self.path}: no header row " + (f"at or after row {header_row}" if header_row else "(the file holds only blank lines)"))
        if len(header) > limits.current().columns:
            raise InputError(f"{self.path}: the header row (line {line}) has {len(header):,} columns, more than covscan reads {limits.describe('columns')}")
        self.header_row = line
        return unique_headers(header)

    def _title_rows(self, text: str) -> int:
        """How many records come before the header, judged on the first rows of the sample (title,
        run date or filter lines that exports put above the header; see base.header_index)."""
        rows: list[list[str]] = []
        nonblank: list[int] = []
        try:
            for row in csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=self.delimiter):
                if any(v.strip() for v in row):
                    nonblank.append(len(rows))
                rows.append(row)
                if len(nonblank) >= TITLE_ROWS_MAX:
                    break
        except csv.Error:
            return 0
        return nonblank[header_index([rows[i] for i in nonblank])] if nonblank else 0

    @staticmethod
    def _sniff(text: str, path: Path) -> str:
        """Tab for .tsv/.tab files, else whichever of , ; tab | the first line holds most of outside
        quotes (a comma when it holds none): one pass, where csv.Sniffer's regexes take quadratic time
        on a long line of quotes."""
        if path.suffix.lower() in (".tsv", ".tab"):
            return "\t"
        outside = io.StringIO(text, newline=None).readline().split('"')[::2]
        counts = {d: sum(part.count(d) for part in outside) for d in ",;\t|"}
        best = max(counts, key=counts.__getitem__)
        return best if counts[best] else ","

    def _open(self) -> io.TextIOWrapper:
        self._binary = self.path.open("rb")
        return io.TextIOWrapper(self._binary, encoding=self.encoding, errors="covscan-count", newline="")

    def position(self) -> int:
        if self._fast_position is not None:
            return self._fast_position
        return self._binary.tell() if self._binary and not self._binary.closed else self.total

    def _lines(self) -> Iterator[str]:
        """The text's lines, ends kept, for the csv module (which ends a line at CR, LF or CRLF alike),
        each kept in self._record until its record is read, so that a broken record can be read again
        line by line. A line over the line_bytes limit (in characters) is read on to its end but not
        kept: it stands as an empty line, None in the record, and its record becomes an error row."""
        limit = limits.current().line_bytes
        readline, record = self._stream.readline, self._record
        while line := readline(limit):
            if len(line) == limit and line[-1] not in "\r\n":
                while (rest := readline(limit)) and len(rest) == limit and rest[-1] not in "\r\n":
                    pass
                record.append(None)
                yield "\n"
            else:
                record.append(line)
                yield line

    def _read_records(self) -> Iterator[tuple[int, list[str], str]]:
        """Each record as (its first line, its fields, "" or what is wrong with it to follow "row N
        (line L)"); a blank line is a record of no fields (it counts for --header-row, not as a row).
        Once the header is known, a broken record that a quote makes run on over several lines stands
        for its first line only, and the lines after it are read on their own: a stray quote costs one
        row, not the rest of the file (and each line is read at most twice, so reading stays linear)."""
        reader, record = self._reader, self._record
        errors_before = _DecodeErrors.count
        while True:
            record.clear()
            start = reader.line_num + 1
            try:
                row, problem = next(reader), ""
            except StopIteration:
                return
            except csv.Error as exc:
                row, problem = [], _unreadable(exc)
            except UnicodeError as exc:  # a codec that fails even with an error handler (e.g. punycode)
                raise InputError(f"{self.path}: line {start} cannot be read as {self.encoding}: {exc}") from exc
            if None in record:
                row, problem = [], _too_long()
            elif not problem:
                if len(row) == self._width and _DecodeErrors.count == errors_before:
                    yield start, row, ""
                    continue
                problem = self._check(row, errors_before) if row else ""
            end = reader.line_num
            if problem and end > start:
                problem += f"; a quote that is never closed makes it run on to line {end}"
                if self._width:
                    yield start, [], problem + "; the lines after this one are read on their own"
                    for number, line in enumerate(record[1:], start + 1):
                        yield number, *self._read_alone(line, errors_before)
                    continue
            yield start, row, problem

    def _read_alone(self, line: str | None, errors_before: int) -> tuple[list[str], str]:
        """One line read as a record of its own (a quote it opens closes on it or not at all)."""
        if line is None:
            return [], _too_long()
        try:
            row = next(csv.reader([line], delimiter=self.delimiter, strict=True), [])
        except csv.Error as exc:
            return [], _unreadable(exc)
        return row, self._check(row, errors_before) if row else ""

    def _check(self, row: list[str], errors_before: int) -> str:
        """What is wrong with a parsed record ("" when nothing): bytes that did not decode (decoding
        runs ahead of rows, so once any failed every row is looked at), or, after the header, a field
        count other than the header's."""
        width = self._width
        if _DecodeErrors.count != errors_before:
            bad = next((i for i, v in enumerate(row) if REPLACEMENT in v), None)
            if bad is not None:
                column = self.columns[bad] if width and bad < width else f"field {bad + 1}"
                return f", column {column!r}: bytes that are not valid {self.encoding}; pass --encoding to read it"
        if width and len(row) < width:
            return f": {len(row)} fields but the header has {width}; column {self.columns[len(row)]!r} and after are missing"
        if width and len(row) > width:
            return f": {len(row)} fields but the header has {width}; extra field(s) after column {self.columns[-1]!r}"
        return ""

    def _line_proof(self) -> _LineProof | None:
        """A proof of the file's lines for the fast reader, or None when the file cannot have one:
        not UTF-8, a delimiter that is not one ASCII character, or a first line that is not the header."""
        if self.encoding not in ("utf-8", "utf-8-sig") or len(self.delimiter.encode()) != 1:
            return None
        proof = _LineProof(self.path, self.delimiter, len(self.columns))
        if proof.through(1) and unique_headers(next(csv.reader([proof.first_line], delimiter=self.delimiter))) == self.columns:
            return proof
        proof.close()
        return None

    def batches(self, rows: int = BATCH_ROWS) -> Iterator[pl.DataFrame]:
        """polars' batches while their lines are proven well-formed, then the exact reader from the
        first row of the batch that holds a line that is not (or that polars could not read)."""
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
        """The proven lines as polars parses them, a proof chunk at a time, in batches of `rows` (fewer
        when their text passes BATCH_BYTES; the first batch is the first, smaller chunk's lines). A last, partial batch only when the whole file is proven:
        otherwise the exact reader reads it, with the line that is not proven."""
        pending: list[pl.DataFrame] = []
        held = size = 0
        try:
            for block, lines in proof.blocks():
                frame = pl.read_csv(block, has_header=False, new_columns=self.columns, separator=self.delimiter,
                                    infer_schema=False, null_values=[""])
                if frame.shape != (lines, len(self.columns)):
                    return
                pending.append(frame)
                held, size = held + lines, size + len(block)
                # The first batch: the first short read's lines, while nothing is known to be wrong.
                while held >= rows or size >= BATCH_BYTES or (held and not self.fast_rows and proof.short_first and not proof.broken):
                    batch, take = pl.concat(pending), min(rows, held)
                    pending = [batch.slice(take)] if held > take else []
                    size, held = size * (held - take) // held, held - take
                    yield self._numbered(batch.slice(0, take), proof)
        except pl.exceptions.PolarsError:
            return  # the exact reader says what is wrong with these lines
        if held and not proof.broken:
            yield self._numbered(pl.concat(pending), proof)

    def _numbered(self, frame: pl.DataFrame, proof: _LineProof) -> pl.DataFrame:
        done = self.fast_rows
        self.fast_rows += frame.height
        self._fast_position = min(proof.bytes_read, self.total)
        return frame.with_columns(
            pl.int_range(done, done + frame.height, dtype=pl.Int64).alias(ROW_COLUMN),
            pl.lit(None, dtype=pl.String).alias(ERROR_COLUMN),
        )

    def _checked_batches(self, rows: int, skip: int = 0) -> Iterator[pl.DataFrame]:
        """Record by record with the csv module: every ragged, undecodable, unterminated or over-limit
        record is an error row. The first `skip` rows, proven one line each, were read by the fast
        reader. A batch ends at `rows` rows or BATCH_BYTES of the file, whichever comes first."""
        self._fast_position = None
        deque(itertools.islice(self._records, skip), maxlen=0)
        builder = BatchBuilder(self.columns, first_row=skip)
        name, tell = self.path.name, self._binary.tell
        flush_at = tell() + BATCH_BYTES
        for line, row, problem in self._records:
            if problem:
                builder.add_error(f"{name} row {builder.next_row} (line {line}){problem}")
            elif row:
                builder.add([v or None for v in row])
            if len(builder) >= rows or tell() >= flush_at:
                yield builder.take()
                flush_at = tell() + BATCH_BYTES
        if len(builder):
            yield builder.take()


class _LineProof:
    """Proves a UTF-8 file's lines well-formed from the start, a chunk at a time, and hands the
    proven lines on (blocks) for polars to parse, so polars reads nothing that is not proven. A line
    is well-formed when it is not blank, holds no lone CR (which the csv module takes for a line end,
    polars for text), is no longer than the field_bytes limit, its bytes are UTF-8 without NUL, its
    quotes pair up (no quoted line break) and stand where a field begins or ends (or are doubled),
    and, quoted fields aside, it holds the header's number of delimiters. Each chunk is checked with
    a few numpy passes over one reused buffer. The proof stops at the first line that is not
    well-formed, or at a line longer than the field_bytes limit without reading it whole."""

    def __init__(self, path: Path, delimiter: str, fields: int) -> None:
        self._file = path.open("rb")
        if self._file.read(len(codecs.BOM_UTF8)) != codecs.BOM_UTF8:  # polars never sees the header, so never a mark
            self._file.seek(0)
        self._delimiter = delimiter.encode()
        self._expected = fields - 1
        self._longest = limits.current().field_bytes
        self._buffer = bytearray(PROOF_BYTES)
        self._mask = np.empty(PROOF_BYTES, dtype=bool)
        self._held = 0  # bytes at the start of the buffer that begin a line not yet read whole
        self._block = (b"", 0)  # proven lines after the first not yet handed on, and how many
        self.lines = 0  # lines proven from the start of the file
        self.bytes_read = self._file.tell()
        self.broken = False  # the line after the proven ones is not well-formed
        self.eof = False
        self.first_line = ""  # once proven, the header
        self.short_first = False  # the first lines were read FIRST_PROOF_BYTES at a time

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

    def blocks(self) -> Iterator[tuple[bytes, int]]:
        """The proven lines after the first (the header), whole lines a read at a time, each block with
        its number of lines, up to the first line that is not well-formed."""
        while True:
            if self._block[1]:
                block, self._block = self._block, (b"", 0)
                yield block
            if self.broken or self.eof:
                return
            self._read()

    def _read(self) -> None:
        if self._held == len(self._buffer):  # one line longer than the buffer
            if self._held > self._longest:
                self.broken = True
                return
            self._buffer.extend(bytes(len(self._buffer)))
            self._mask = np.empty(len(self._buffer), dtype=bool)
        with memoryview(self._buffer) as view:
            first = not self.lines and self._held < FIRST_PROOF_BYTES < len(self._buffer)  # a longer first line reads on as usual
            self.short_first |= first
            got = self._file.readinto(view[self._held:FIRST_PROOF_BYTES] if first else view[self._held:])
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
        break only at the end of the file), and keep the proven ones for blocks()."""
        buf = np.frombuffer(self._buffer, dtype=np.uint8, count=size)
        newlines = self._positions(ord("\n"), size)
        ends = newlines if buf[-1] == ord("\n") else np.append(newlines, size)
        starts = np.concatenate(([0], ends[:-1] + 1))
        good = (ends > starts) & ~((ends - starts == 1) & (buf[starts] == ord("\r")))  # blank lines are not records
        good &= ends - starts <= self._longest
        delimiters = self._positions(self._delimiter[0], size)
        if self._buffer.find(b'"', 0, size) >= 0:
            delimiters, quotes_ok = self._outside_quotes(delimiters, starts, ends, size)
            good &= quotes_ok
        good &= self._delimiters_ok(delimiters, starts, ends)
        if self._buffer.find(b"\r", 0, size) >= 0:
            good[np.searchsorted(ends, self._lone_returns(newlines, size))] = False
        if self._buffer.find(b"\0", 0, size) >= 0:
            good[np.searchsorted(ends, self._positions(0, size))] = False
        if buf.max() >= 0x80:
            # A record that begins with U+FEFF: polars would drop it as a byte-order mark at the start
            # of the block it parses, so the exact reader keeps it (the file's own mark is line 1's).
            long = np.flatnonzero(ends - starts >= 3)
            at = starts[long]
            marked = long[(buf[at] == 0xEF) & (buf[at + 1] == 0xBB) & (buf[at + 2] == 0xBF)]
            good[marked[marked > 0] if self.lines == 0 else marked] = False
            with memoryview(self._buffer) as view:
                try:
                    codecs.utf_8_decode(view[:size], None, True)
                except UnicodeDecodeError as exc:
                    good[np.searchsorted(ends, exc.start)] = False
        bad = np.flatnonzero(~good)
        proven = int(bad[0]) if len(bad) else len(ends)
        first = 0
        if self.lines == 0 and proven:
            self.first_line = self._buffer[: ends[0]].decode("utf-8").rstrip("\r")
            first = 1
        if proven > first:
            begin = int(ends[first - 1]) + 1 if first else 0
            with memoryview(self._buffer) as view:
                self._block = (bytes(view[begin: min(int(ends[proven - 1]) + 1, size)]), proven - first)
        self.lines += proven
        self.broken = bool(len(bad))

    def _outside_quotes(self, delimiters: np.ndarray, starts: np.ndarray, ends: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
        """The delimiters that are not inside a quoted field, and per line whether its quotes are in
        order: they pair up (an odd number is a quoted line break or a stray quote) and each opening
        quote begins a field and each closing one ends it, unless it is one of a doubled pair (a quote
        inside an unquoted field, or text after a closing quote, the csv module and polars read apart).
        Before the first line that is not in order, a quote opens a quoted field exactly when an even
        number of quotes precede it (an escaped quote counts two), and a delimiter lies inside one
        exactly when an odd number do; only delimiters on lines with a quote are looked at."""
        buf = np.frombuffer(self._buffer, dtype=np.uint8, count=size)
        quotes = self._positions(ord('"'), size)
        line_of_quote = np.searchsorted(ends, quotes)
        in_order = np.bincount(line_of_quote, minlength=len(ends)) % 2 == 0
        doubled = np.diff(quotes) == 1
        before, after = buf[np.maximum(quotes - 1, 0)], buf[np.minimum(quotes + 1, size - 1)]
        delimiter = self._delimiter[0]
        opens_field = (quotes == 0) | (before == ord("\n")) | (before == delimiter) | np.concatenate(([False], doubled))
        ends_field = (quotes == size - 1) | (after == ord("\n")) | (after == ord("\r")) | (after == delimiter) | np.concatenate((doubled, [False]))
        opening = np.arange(len(quotes)) % 2 == 0
        in_order[line_of_quote[np.where(opening, ~opens_field, ~ends_field)]] = False
        lines = line_of_quote[np.concatenate(([True], np.diff(line_of_quote) != 0))]  # sorted: unique without np.unique's sort
        first, last = np.searchsorted(delimiters, starts[lines]), np.searchsorted(delimiters, ends[lines])
        counts = last - first
        on_quoted_lines = np.repeat(first - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        outside = np.ones(len(delimiters), dtype=bool)
        outside[on_quoted_lines[np.searchsorted(quotes, delimiters[on_quoted_lines]) % 2 == 1]] = False
        return delimiters[outside], in_order

    def _lone_returns(self, newlines: np.ndarray, size: int) -> np.ndarray:
        """Where a CR stands that is not the first half of a CRLF. Counting them against the CRLF line
        ends is enough for the common case (a CRLF file): none."""
        buf = np.frombuffer(self._buffer, dtype=np.uint8, count=size)
        line_ends = np.count_nonzero(buf[newlines[newlines > 0] - 1] == ord("\r"))
        if np.count_nonzero(np.equal(buf, ord("\r"), out=self._mask[:size])) == line_ends:
            return newlines[:0]
        returns = self._positions(ord("\r"), size)
        return returns[(returns == size - 1) | (buf[np.minimum(returns + 1, size - 1)] != ord("\n"))]

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
