"""The lists `covscan data update` installed: the raw files of the active knowledge-data version's
`csl` and `ofac-sdn` snapshots (the version itself keeps only summaries), read like any list file.

The update fetches OFAC's SDN.CSV alone, without alt.csv, add.csv and sdn_comments.csv, so the
installed SDN entries have no aliases or addresses from OFAC and their Remarks may be cut short;
the CSL's SDN rows carry both, which is why the CSL is the fuller installed source."""
from __future__ import annotations

from dataclasses import replace

from covscan.lists import csl, ofac
from covscan.lists.snapshot import ListSnapshot
from covscan.sources import InputError
from covscan.updates.store import DataStore

# The official sources that are restricted-party lists, with the reader of each one's files.
READERS = {"csl": csl.read, "ofac-sdn": ofac.read}


def installed_lists(store: DataStore | None = None) -> list[ListSnapshot]:
    """Each list of the active knowledge-data version, its entries dated by the file where it
    says, else by the day it was fetched; [] with no version active."""
    store = store or DataStore()
    try:
        version = store.active()
    except LookupError as exc:
        raise InputError(str(exc)) from None
    if version is None:
        return []
    out = []
    for source, read in READERS.items():
        snapshot = version.snapshots.get(source)
        if snapshot is None:
            continue
        path = store.root / "snapshots" / source / snapshot.file
        try:
            listed = read(path, path.read_bytes())
        except OSError as exc:
            raise InputError(f"{path}: the {source} snapshot of version {version.name} cannot be read ({exc.strerror or exc})") from None
        as_of = listed.as_of or snapshot.day
        warnings = list(listed.warnings)
        if source == "ofac-sdn":
            warnings.append(f"{path}: `covscan data update` keeps OFAC's sdn.csv without alt.csv, add.csv and "
                            "sdn_comments.csv: these entries have no aliases or addresses and their remarks may be cut short")
        out.append(replace(listed, entries=[replace(e, as_of=as_of) for e in listed.entries], as_of=as_of, warnings=warnings))
    return out
