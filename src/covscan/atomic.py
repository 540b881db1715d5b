"""Atomic output files: every file covscan writes (reports, cache files) is written under a
temporary name and renamed into place on commit, so a failed or interrupted run never leaves a
half-written file where the old one was.

A neutral module of its own (standard library only), so writers, the evidence cache and the CLI
can all use it without importing each other.
"""
from __future__ import annotations

import atexit
import os
import re
import tempfile
from pathlib import Path
from typing import IO, Any


class AtomicFile:
    """A file written under a temporary name beside its target and renamed into place on commit,
    so a crash or Ctrl-C never leaves a half-written report where the old one was. The temporary
    name carries the writing process's id: one left by a process that was killed outright (SIGKILL,
    a power cut) is removed by the next run that writes the same target."""

    def __init__(self, path: Path, binary: bool = False) -> None:
        self.path = path
        _remove_orphans(path)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
        self.tmp = Path(name)
        os.chmod(self.tmp, 0o666 & ~_umask())  # mkstemp creates 0600; reports get the usual permissions
        self.handle: IO[Any] = os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8", "newline": ""}))
        _UNFINISHED.add(self)

    def commit(self) -> None:
        self.handle.close()
        os.replace(self.tmp, self.path)
        _UNFINISHED.discard(self)

    def discard(self) -> None:
        self.handle.close()
        self.tmp.unlink(missing_ok=True)
        _UNFINISHED.discard(self)


_UNFINISHED: set[AtomicFile] = set()


@atexit.register
def discard_unfinished() -> None:
    """Remove the temporary files of outputs never committed, however the process is leaving
    (an interrupt before the writers started, an error between opening and writing)."""
    for file in list(_UNFINISHED):
        try:
            file.discard()
        except OSError:
            pass


def _remove_orphans(path: Path) -> None:
    """Temporary files for `path` whose writing process no longer exists."""
    pattern = re.compile(rf"^\.{re.escape(path.name)}\.(\d+)\.\w+\.tmp$")
    try:
        candidates = [(p, int(m.group(1))) for p in path.parent.iterdir() if (m := pattern.match(p.name))]
    except OSError:
        return
    for orphan, pid in candidates:
        if not _alive(pid):
            orphan.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process (or a number no process can have: then leave the file alone)
    return True


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
