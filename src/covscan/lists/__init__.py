"""Readers of the official restricted-party list files: the trade.gov Consolidated Screening List
(CSV, TSV, JSON) and OFAC's SDN and consolidated non-SDN lists (the legacy CSV sets and the XML), all
turned into `ListEntry` objects, so that a matcher never needs to know which file a party came from.

The format is told by the content (and the file name where the content cannot say, as with OFAC's
companion files), not by the extension: `covscan data update` keeps its snapshots under hashed names."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from covscan.lists import csl, ofac
from covscan.lists.installed import installed_lists
from covscan.lists.model import Address, ListEntry, ListIdentifier
from covscan.lists.snapshot import ListSnapshot
from covscan.sources import InputError
from covscan.updates.formats import decoded

__all__ = ["Address", "InputError", "ListEntry", "ListIdentifier", "ListSnapshot", "installed_lists", "lists_in",
           "read_bytes", "read_list", "read_lists"]


def read_list(path: Path) -> ListSnapshot:
    """The list in `path`: a list file, or a folder holding one list (OFAC's legacy CSV set)."""
    path = Path(path)
    if path.is_dir():
        found = lists_in(path)
        if len(found) > 1:
            raise InputError(f"{path}: holds {len(found)} lists ({', '.join(p.name for p in found)}); name one of them")
        path = found[0]
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return read_bytes(path, data)


def read_lists(paths: Sequence[Path]) -> list[ListSnapshot]:
    """Every list in `paths`; a folder gives each list it holds."""
    out = []
    for path in map(Path, paths):
        for each in lists_in(path) if path.is_dir() else [path]:
            out.append(read_list(each))
    return out


def read_bytes(path: Path, data: bytes) -> ListSnapshot:
    """The list in `data`, read from `path` (which names it in messages and entries, and locates
    the companion files of an OFAC legacy CSV)."""
    body = data.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not body.strip(b"\x1a \t\r\n"):
        raise InputError(f"{path}: is empty")
    if body.startswith(b"<"):
        return ofac.read_xml(path, data)
    if body[:1] in (b"{", b"["):
        return csl.read_json(path, data)
    companion = ofac.primary_of(path.name)
    if companion:
        raise InputError(f"{path}: is a companion file of OFAC's legacy CSV set; read {companion} or the folder")
    text = decoded(data)
    first = text.partition("\n")[0].rstrip("\r")
    if csl.is_header(first):
        return csl.read_delimited(path, text)
    if ofac.is_legacy(path.name, first):
        return ofac.read_legacy(path, text)
    raise InputError(f"{path}: line 1: not a restricted-party list (neither a Consolidated Screening List export "
                     f"nor an OFAC list file): {first[:80]!r}")


def lists_in(folder: Path) -> list[Path]:
    """The list files in a folder, told by their names (OFAC's in any case): an OFAC legacy CSV set
    is its primary file (sdn.csv, cons_prim.csv), which reads its companions."""
    try:
        names = {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    except OSError as exc:
        raise InputError(f"{folder}: cannot be read ({exc.strerror or exc})") from None
    found = [names[n] for n in sorted(names) if n in ofac.PRIMARY_FILES or n in csl.FILES]
    if found:
        return found
    advanced = [names[n].name for n in sorted(names) if n in ofac.ADVANCED_FILES]
    if advanced:
        raise InputError(f"{folder}: holds only OFAC's advanced XML ({', '.join(advanced)}), which covscan does not read yet; "
                         "use sdn.xml or the CSV files (sdn.csv, alt.csv, add.csv, sdn_comments.csv)")
    shown = ", ".join(p.name for p in list(names.values())[:6]) or "nothing"
    raise InputError(f"{folder}: holds none of the list files covscan reads ({', '.join(sorted(ofac.PRIMARY_FILES | csl.FILES))}; "
                     f"with OFAC's alt.csv, add.csv and sdn_comments.csv or their cons_ forms); found {shown}")

