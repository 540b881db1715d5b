"""JSON (an array of objects, or an object holding one) and JSON Lines (one object per line).

An element that is not an object, or a line that is not JSON, becomes an error row naming its
position; nested values are kept as JSON text. Neither is read whole: a JSON Lines file a line at a
time (a line over line_bytes is an error row), a JSON document an element at a time, twice: once
at open to check it and collect its columns (the keys of all its objects), once for the rows. So
memory is bounded by the longest element, not by the file.

Values are read within the limits: integers longer than number_digits stay text, arrays and
objects nested deeper than nesting make a line an error row (and refuse a document), and a lone
surrogate escape ("\\ud800", which no output can encode) becomes U+FFFD.
"""
from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, NoReturn

import polars as pl

from covscan import limits
from covscan.sources.bounded import bounded_lines, deeper_than, json_decoder, line_too_long, replace_surrogates, too_deep
from covscan.sources.base import (
    BATCH_ROWS,
    BatchBuilder,
    InputError,
    check_width,
    text_encoding,
    to_text,
    unique_headers,
)

_KEY_SCAN = 1000  # JSONL: columns are the keys seen in the first lines
_CHUNK = 1 << 20  # bytes of a JSON document decoded at a time
_NEAR_END = 8  # a parse that stops this close to the end of the text read so far may just be cut off
_SPACE = re.compile(r"[ \t\n\r]*")


def _cell(value: Any) -> str | None:
    if isinstance(value, (dict, list)):
        return replace_surrogates(json.dumps(value, ensure_ascii=False))
    return replace_surrogates(value) if isinstance(value, str) else to_text(value)


def _type_name(value: Any) -> str:
    return {str: "a string", int: "a number", float: "a number", bool: "a boolean", list: "an array", type(None): "null"}.get(type(value), type(value).__name__)


class _Columns:
    """Column names from the keys of objects: each key as a column name (unique, no surrogates), and
    the key itself to look values up by."""

    def __init__(self) -> None:
        self.keys: dict[str, None] = {}

    def add(self, obj: dict[str, Any], path: Path) -> None:
        before = len(self.keys)
        self.keys.update(dict.fromkeys(obj))
        if len(self.keys) != before:
            check_width(path, len(self.keys), "a table of its objects' keys")

    def names(self) -> list[str]:
        return unique_headers([replace_surrogates(k) for k in self.keys])

    def row(self, obj: dict[str, Any]) -> list[str | None]:
        return [_cell(obj.get(k)) for k in self.keys]


class _Document:
    """A JSON document read a piece at a time: the elements of its top-level array, or of each array
    that an object at its top holds. Malformed JSON raises InputError naming the line and column."""

    def __init__(self, path: Path, fh: IO[bytes], encoding: str) -> None:
        self.path, self._fh, self.encoding = path, fh, encoding
        self._decoder = codecs.getincrementaldecoder(encoding)()
        self._json = json_decoder()
        self._element_chars = limits.current().line_bytes
        self._levels = limits.current().nesting
        self.text, self.at, self.eof = "", 0, False
        self._bytes = 0  # bytes decoded so far
        self._lines, self._column = 0, 0  # newlines in the text dropped so far, characters after the last
        self.top: str | None = None  # what the document is: "[", "{", or the type name of a scalar
        self.keys: list[str] = []  # of the object at the top, when there is one
        self.arrays: list[str | None] = []  # the keys of that object which hold an array; [None] for an array

    def elements(self) -> Iterator[tuple[str | None, Any]]:
        """(key of the array in the object at the top, or None for a top-level array; element)."""
        self.top = self._peek()
        if self.top == "[":
            self.arrays.append(None)
            yield from ((None, item) for item in self._array(1))
        elif self.top == "{":
            yield from self._object()
        elif self.top == "":
            self._fail("Expecting value")
        else:
            self.top = _type_name(self._value(0))
        if self._peek():
            self._fail("Extra data")

    def _object(self) -> Iterator[tuple[str, Any]]:
        self.at += 1
        if self._peek() == "}":
            self.at += 1
            return
        while True:
            if self._peek() != '"':
                self._fail("Expecting property name enclosed in double quotes")
            key = self._value(1)
            if self._peek() != ":":
                self._fail("Expecting ':' delimiter")
            self.at += 1
            self.keys.append(key)
            if self._peek() == "[":
                self.arrays.append(key)
                yield from ((key, item) for item in self._array(2))
            else:
                self._value(1)
            if self._closed("}"):
                return

    def _array(self, depth: int) -> Iterator[Any]:
        """The elements of the array at the read position, which is `depth` levels deep."""
        self.at += 1
        if self._peek() == "]":
            self.at += 1
            return
        while True:
            self._peek()
            yield self._value(depth)
            if self._closed("]"):
                return

    def _closed(self, close: str) -> bool:
        """After an element: True past the container's closing bracket, False past the comma before the next."""
        found = self._peek()
        if found not in (close, ","):
            self._fail("Expecting ',' delimiter")
        self.at += 1
        return found == close

    def _value(self, depth: int) -> Any:
        """The JSON value at the read position, inside `depth` levels of arrays and objects; more
        text is read while the value may go on past what has been read."""
        while True:
            start = self.at
            try:
                value, end = self._json.raw_decode(self.text, start)
            except json.JSONDecodeError as exc:
                if not self.eof and (exc.pos >= len(self.text) - _NEAR_END or exc.msg.startswith("Unterminated string")):
                    self._more()
                    continue
                self.at = exc.pos
                self._fail(exc.msg)
            except RecursionError as exc:
                raise InputError(f"{self.path}: at {self._where(start)}: {too_deep()}") from exc
            if end >= len(self.text) - _NEAR_END and not self.eof:
                self._more()  # a number, or what follows the value, may be cut off
                continue
            levels = self._levels - depth
            if (self.text.count("[", start, end) + self.text.count("{", start, end) > levels) and deeper_than(value, levels):
                raise InputError(f"{self.path}: at {self._where(start)}: {too_deep()}")
            self.at = end
            return value

    def _peek(self) -> str:
        """The next character that is not white space ("" at the end), at the read position."""
        while True:
            self.at = _SPACE.match(self.text, self.at).end()
            if self.at < len(self.text):
                return self.text[self.at]
            if self.eof:
                return ""
            self._more()

    def _more(self) -> None:
        """Read on: drop the text before the read position, then decode at least as much again as
        is left (so re-parsing a long value costs linear time) and at least a chunk."""
        dropped = self.text[:self.at]
        newlines = dropped.count("\n")
        self._lines += newlines
        self._column = len(dropped) - dropped.rfind("\n") - 1 if newlines else self._column + len(dropped)
        self.text, self.at = self.text[self.at:], 0
        if len(self.text) > self._element_chars:
            raise InputError(f"{self.path}: the value at {self._where(0)} is longer than {self._element_chars:,} characters "
                             f"{limits.describe('line_bytes')}")
        want = max(_CHUNK, len(self.text))
        pending = len(self._decoder.getstate()[0])
        raw = self._fh.read(want)
        try:
            self.text += self._decoder.decode(raw, final=not raw)
        except UnicodeDecodeError as exc:
            raise InputError(f"{self.path}: not valid {self.encoding} text at byte {self._bytes - pending + exc.start:,}; pass --encoding") from exc
        self._bytes += len(raw)
        self.eof = not raw

    def _where(self, at: int) -> str:
        newlines = self.text.count("\n", 0, at)
        column = at - self.text.rfind("\n", 0, at) if newlines else self._column + at + 1
        return f"line {self._lines + newlines + 1}, column {column}"

    def _fail(self, message: str) -> NoReturn:
        raise InputError(f"{self.path}: not valid JSON: {message} at {self._where(self.at)}")


class JsonSource:
    unit = "rows"

    def __init__(self, path: Path, encoding: str | None = None) -> None:
        self.path = path
        self.encoding = text_encoding(path, encoding) if encoding else "utf-8-sig"
        if path.is_file() and path.stat().st_size == 0:
            raise InputError(f"{path}: the file is empty (0 bytes); expected a JSON array of objects")
        self._columns, counts = _Columns(), dict[str | None, int]()
        with path.open("rb") as fh:  # the first reading: check the document, find its columns and count its rows
            document = _Document(path, fh, self.encoding)
            for key, item in document.elements():
                counts[key] = counts.get(key, 0) + 1
                if isinstance(item, dict):
                    self._columns.add(item, path)
        if document.top not in ("[", "{"):
            raise InputError(f"{path}: expected a JSON array of objects, found {document.top}")
        if len(document.arrays) != 1:
            raise InputError(f"{path}: expected a JSON array of objects, or an object holding exactly one array (found keys: {', '.join(document.keys) or 'none'})")
        self._array = document.arrays[0]
        self.total: int | None = counts.get(self._array, 0)
        self.columns = self._columns.names()
        if not self.columns:
            raise InputError(f"{path}: no element of the array is an object with fields; expected e.g. [{{\"vendor\": \"...\", \"model\": \"...\"}}]")
        self._done = 0

    def position(self) -> int:
        return self._done

    def batches(self, rows: int = BATCH_ROWS) -> Iterator[pl.DataFrame]:
        builder = BatchBuilder(self.columns)
        with self.path.open("rb") as fh:
            items = (item for key, item in _Document(self.path, fh, self.encoding).elements() if key == self._array)
            for i, item in enumerate(items):
                if isinstance(item, dict):
                    builder.add(self._columns.row(item))
                else:
                    builder.add_error(f"{self.path.name} element {i}: {_type_name(item)}, expected an object with fields")
                self._done = i + 1
                if len(builder) >= rows:
                    yield builder.take()
        if len(builder):
            yield builder.take()


class JsonLinesSource:
    unit = "bytes"

    def __init__(self, path: Path, encoding: str | None = None) -> None:
        self.path = path
        regular = path.is_file()
        self.total: int | None = path.stat().st_size if regular else None
        if regular and self.total == 0:
            raise InputError(f"{path}: the file is empty (0 bytes); expected one JSON object per line")
        self.encoding = text_encoding(path, encoding) if encoding else "utf-8-sig"
        self._json, self._levels = json_decoder(), limits.current().nesting
        self._columns = _Columns()
        with path.open("rb") as fh:
            for line_no, raw in enumerate(bounded_lines(fh), start=1):
                if line_no > _KEY_SCAN:
                    break
                if raw is None:  # not skipped: the next newline may never come (/dev/zero)
                    if not self._columns.keys:
                        raise InputError(f"{path}: line {line_no} is too long to read {limits.describe('line_bytes')}, and no line before it is a JSON object")
                    break
                item, _ = self._parse(raw)
                if isinstance(item, dict):
                    self._columns.add(item, path)
        self.columns = self._columns.names()
        if not self.columns:
            raise InputError(f"{path}: none of the first {_KEY_SCAN} lines is a JSON object; expected one object per line")
        self._fh: IO[bytes] | None = None

    def _parse(self, raw: bytes) -> tuple[Any, str | None]:
        """A line's JSON value, or None and the reason it has none (or is nested too deeply)."""
        try:
            item = self._json.decode(raw.decode(self.encoding))
        except UnicodeDecodeError as exc:
            return None, f"bytes that are not valid {self.encoding} at position {exc.start}"
        except json.JSONDecodeError as exc:
            return None, f"not valid JSON: {exc.msg} at column {exc.colno}"
        except RecursionError:
            return None, too_deep()
        if raw.count(b"[") + raw.count(b"{") > self._levels and deeper_than(item, self._levels):
            return None, too_deep()
        return item, None

    def position(self) -> int:
        return self._fh.tell() if self._fh is not None and not self._fh.closed else self.total or 0

    def batches(self, rows: int = BATCH_ROWS) -> Iterator[pl.DataFrame]:
        builder = BatchBuilder(self.columns)
        with self.path.open("rb") as self._fh:
            for line_no, raw in enumerate(bounded_lines(self._fh), start=1):
                if raw is not None and not raw.strip():
                    continue
                where = f"{self.path.name} row {builder.next_row} (line {line_no})"
                item, problem = (None, line_too_long()) if raw is None else self._parse(raw)
                if problem:
                    builder.add_error(f"{where}: {problem}")
                elif isinstance(item, dict):
                    builder.add(self._columns.row(item))
                else:
                    builder.add_error(f"{where}: {_type_name(item)}, expected an object with fields")
                if len(builder) >= rows:
                    yield builder.take()
            if len(builder):
                yield builder.take()
