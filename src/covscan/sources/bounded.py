"""Reading text and JSON within the limits (covscan.limits), shared by the readers and importers:
lines never held past line_bytes, JSON never nested past nesting, integers past number_digits kept
as text, lone surrogates (which no output can encode) replaced."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import IO, Any

from covscan import limits

_SKIP_CHUNK = 1 << 20  # an over-long line is skipped in pieces of this size, never held whole
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # of a UTF-16 surrogate, in JSON text


def bounded_lines(fh: IO[bytes]) -> Iterator[bytes | None]:
    """The raw lines of a binary file without their line ends; None for a line over line_bytes, which
    is then skipped to the next newline in pieces so that memory stays within the limit. None comes
    before the skipping, so a reader that stops there never waits for a newline that may not come."""
    limit = limits.current().line_bytes
    while raw := fh.readline(limit + 1):
        if raw.endswith(b"\n") or len(raw) <= limit:
            yield raw.rstrip(b"\r\n")
            continue
        yield None
        while (rest := fh.readline(_SKIP_CHUNK)) and not rest.endswith(b"\n"):
            pass


def line_too_long() -> str:
    return f"the line is too long to read {limits.describe('line_bytes')}"


def replace_surrogates(text: str) -> str:
    """Text with each lone surrogate (from a "\\ud800" escape) replaced by U+FFFD."""
    return text if text.isascii() else _SURROGATE.sub("\ufffd", text)


def json_decoder() -> json.JSONDecoder:
    """A decoder that keeps integers longer than number_digits as their text: int() refuses those
    over 4,300 digits, and a number that long is an identifier, not a quantity."""
    digits = limits.current().number_digits
    return json.JSONDecoder(parse_int=lambda text: int(text) if len(text) <= digits else text)


def deeper_than(value: Any, levels: int) -> bool:
    """Whether arrays and objects nest more than `levels` deep in value; level by level, not recursive."""
    level = [value] if isinstance(value, (dict, list)) else []
    for _ in range(levels):
        level = [c for v in level for c in (v.values() if isinstance(v, dict) else v) if isinstance(c, (dict, list))]
        if not level:
            return False
    return bool(level)


def too_deep() -> str:
    return f"arrays and objects nested more than {limits.current().nesting} deep {limits.describe('nesting')}"


def parse_json(text: str) -> Any:
    """One JSON value within the limits; ValueError carries the message for an error row or record."""
    levels = limits.current().nesting
    try:
        value = json_decoder().decode(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc.msg} at column {exc.colno}") from exc
    except RecursionError as exc:
        raise ValueError(too_deep()) from exc
    if text.count("[") + text.count("{") > levels and deeper_than(value, levels):
        raise ValueError(too_deep())
    return _without_surrogates(value) if _SURROGATE_ESCAPE.search(text) else value


def _without_surrogates(value: Any) -> Any:
    """Recursive: the value is already known to be within the nesting limit."""
    if isinstance(value, str):
        return replace_surrogates(value)
    if isinstance(value, list):
        return [_without_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {replace_surrogates(k): _without_surrogates(v) for k, v in value.items()}
    return value
