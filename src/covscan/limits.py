"""Explicit bounds on what covscan reads, so hostile or broken input is refused early with a clear
message instead of exhausting memory or time. Each bound is set with `covscan --limit NAME=VALUE`
(repeatable) or the COVSCAN_LIMITS environment variable ("name=value,name=value"); sizes take
KiB/MiB/GiB suffixes. The defaults are far above what real exports hold."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields, replace

KIB, MIB, GIB = 1 << 10, 1 << 20, 1 << 30


@dataclass(frozen=True)
class Limits:
    field_bytes: int = 16 * MIB  # one CSV/TSV field or one JSON string
    line_bytes: int = 64 * MIB  # one line of CSV/TSV, JSONL or an imported text format
    columns: int = 16_384  # columns of a table (Excel's own maximum)
    nesting: int = 64  # depth of nested JSON arrays and objects
    number_digits: int = 400  # longer integers are kept as text, not converted
    xlsx_part_bytes: int = 512 * MIB  # decompressed size of one part of a workbook (sheet, shared strings)
    xlsx_ratio: int = 200  # decompressed / compressed size of a workbook part (zip bombs)
    xlsx_strings_bytes: int = 128 * MIB  # decompressed shared strings, which are held in memory whole
    services_per_host: int = 131_072  # every TCP and UDP port of one host
    leases_per_file: int = 10_000_000  # dhcpd/dnsmasq lease blocks in one file


HELP = {
    "field_bytes": "bytes in one CSV/TSV field or JSON string",
    "line_bytes": "bytes in one line of CSV/TSV, JSONL or an imported text format",
    "columns": "columns in one table",
    "nesting": "depth of nested JSON arrays and objects, and of nmap XML elements",
    "number_digits": "digits of an integer converted as a number (longer ones stay text)",
    "xlsx_part_bytes": "decompressed bytes of one workbook part",
    "xlsx_ratio": "decompressed/compressed size ratio of a workbook part",
    "xlsx_strings_bytes": "decompressed bytes of a workbook's shared strings (held in memory)",
    "services_per_host": "services (ports) of one host in an observation or import",
    "leases_per_file": "lease blocks in one DHCP leases file",
}
_SIZE = re.compile(r"^\s*(\d+)\s*(|k|kib|kb|m|mib|mb|g|gib|gb)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": KIB, "kib": KIB, "kb": KIB, "m": MIB, "mib": MIB, "mb": MIB, "g": GIB, "gib": GIB, "gb": GIB}

_current = Limits()


def current() -> Limits:
    return _current


def parse(settings: list[str]) -> Limits:
    """Limits with the given "name=value" settings applied (names with - or _); ValueError names a bad one."""
    changes: dict[str, int] = {}
    known = {f.name for f in fields(Limits)}
    for item in settings:
        name, sep, value = item.partition("=")
        key = name.strip().lower().replace("-", "_")
        if not sep or key not in known:
            raise ValueError(f"--limit {item!r}: expected NAME=VALUE with NAME one of {', '.join(n.replace('_', '-') for n in sorted(known))}")
        match = _SIZE.match(value)
        if not match or int(match.group(1)) < 1:
            raise ValueError(f"--limit {item!r}: expected a positive whole number, optionally with KiB, MiB or GiB")
        changes[key] = int(match.group(1)) * _UNITS[match.group(2).lower()]
    return replace(Limits(), **changes)


def configure(settings: list[str]) -> Limits:
    """Set the process-wide limits from --limit settings, after those of COVSCAN_LIMITS."""
    global _current
    from_env = [s for s in os.environ.get("COVSCAN_LIMITS", "").split(",") if s.strip()]
    _current = parse(from_env + settings)
    return _current


def describe(name: str) -> str:
    """How to raise a limit, for the message that refuses input over it."""
    return f"(limit {name.replace('_', '-')}={getattr(_current, name):,}; raise it with --limit {name.replace('_', '-')}=N)"
