"""Every input a fuzzer ever crashed a reader or importer with, replayed: each must now pass its
target (a clean InputError or well-formed rows), and the sample seeds must too."""
from __future__ import annotations

from pathlib import Path

import pytest

from fuzz_targets import REGRESSIONS, TARGETS, seeds

SAVED = sorted(p for p in REGRESSIONS.glob("*/*") if p.is_file() and p.parent.name in TARGETS)


@pytest.mark.parametrize("path", SAVED, ids=[f"{p.parent.name}/{p.name}" for p in SAVED])
def test_a_saved_crash_input_no_longer_crashes(path: Path) -> None:
    TARGETS[path.parent.name](path.read_bytes())


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_the_seeds_pass_their_target(target: str) -> None:
    found = seeds(target)
    assert found and all(found)
    for seed in found:
        TARGETS[target](seed)
