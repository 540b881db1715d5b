"""JSON (an array of objects, or an object holding one) and JSON Lines (one object per line).

An element that is not an object, or a line that is not JSON, becomes an error row naming its
position; nested values are kept as JSON text.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from covscan.sources.base import BATCH_ROWS, BatchBuilder, InputError, to_text

_KEY_SCAN = 1000  # JSONL: columns are the keys seen in the first lines


def _cell(value: Any) -> str | None:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else to_text(value)


def _type_name(value: Any) -> str:
    return {str: "a string", int: "a number", float: "a number", bool: "a boolean", list: "an array", type(None): "null"}.get(type(value), type(value).__name__)


def _keys(objects: list[Any]) -> list[str]:
    keys: dict[str, None] = {}
    for obj in objects:
        if isinstance(obj, dict):
            keys.update(dict.fromkeys(map(str, obj)))
    return list(keys)


class JsonSource:
    unit = "rows"

    def __init__(self, path: Path, encoding: str | None = None) -> None:
        self.path = path
        if path.stat().st_size == 0:
            raise InputError(f"{path}: the file is empty (0 bytes); expected a JSON array of objects")
        try:
            data = json.loads(path.read_text(encoding=encoding or "utf-8-sig"))
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: not valid {encoding or 'UTF-8'} text at byte {exc.start}; pass --encoding") from exc
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from exc
        if isinstance(data, dict):
            lists = [k for k, v in data.items() if isinstance(v, list)]
            if len(lists) != 1:
                raise InputError(f"{path}: expected a JSON array of objects, or an object holding exactly one array (found keys: {', '.join(map(str, data)) or 'none'})")
            data = data[lists[0]]
        if not isinstance(data, list):
            raise InputError(f"{path}: expected a JSON array of objects, found {_type_name(data)}")
        self._items = data
        self.total: int | None = len(data)
        self.columns = _keys(data)
        if not self.columns:
            raise InputError(f"{path}: no element of the array is an object with fields; expected e.g. [{{\"vendor\": \"...\", \"model\": \"...\"}}]")
        self._done = 0

    def position(self) -> int:
        return self._done

    def batches(self, rows: int = BATCH_ROWS) -> Iterator[pl.DataFrame]:
        builder = BatchBuilder(self.columns)
        for i, item in enumerate(self._items):
            if isinstance(item, dict):
                builder.add([_cell(item.get(c)) for c in self.columns])
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
        self.total: int | None = path.stat().st_size
        if self.total == 0:
            raise InputError(f"{path}: the file is empty (0 bytes); expected one JSON object per line")
        self.encoding = encoding or "utf-8-sig"
        head: list[Any] = []
        with path.open("rb") as fh:
            for raw in fh:
                if len(head) >= _KEY_SCAN:
                    break
                try:
                    head.append(json.loads(raw))
                except (json.JSONDecodeError, UnicodeDecodeError):
                    continue
        self.columns = _keys(head)
        if not self.columns:
            raise InputError(f"{path}: none of the first {_KEY_SCAN} lines is a JSON object; expected one object per line")
        self._fh = None

    def position(self) -> int:
        return self._fh.tell() if self._fh is not None and not self._fh.closed else self.total or 0

    def batches(self, rows: int = BATCH_ROWS) -> Iterator[pl.DataFrame]:
        builder = BatchBuilder(self.columns)
        with self.path.open("rb") as self._fh:
            for line_no, raw in enumerate(self._fh, start=1):
                if not raw.strip():
                    continue
                where = f"{self.path.name} row {builder.next_row} (line {line_no})"
                try:
                    item = json.loads(raw.decode(self.encoding))
                except UnicodeDecodeError as exc:
                    builder.add_error(f"{where}: bytes that are not valid {self.encoding} at position {exc.start}")
                    continue
                except json.JSONDecodeError as exc:
                    builder.add_error(f"{where}: not valid JSON: {exc.msg} at column {exc.colno}")
                    continue
                if isinstance(item, dict):
                    builder.add([_cell(item.get(c)) for c in self.columns])
                else:
                    builder.add_error(f"{where}: {_type_name(item)}, expected an object with fields")
                if len(builder) >= rows:
                    yield builder.take()
            if len(builder):
                yield builder.take()
