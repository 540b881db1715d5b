"""Incremental rescans: cached evidence is reused, and a knowledge-base change re-resolves only
the fields whose knowledge-base files changed; results equal a fresh screen."""
from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl

from covscan.cache import EvidenceCache
from covscan.engine import Engine
from covscan.kb import KnowledgeBase
from covscan.kb.loader import load_raw

DATA = Path(__file__).parents[1] / "src" / "covscan" / "kb" / "data"
FRAME = pl.DataFrame({
    "vendor": ["Huawei", "Cisco", "Amcrest", None, "Hikvision"],
    "model": ["HG8245H", "C9300", "ZZ-9000", "DS-2CD2143G2-I", None],
    "mac": ["00:18:82:00:00:01", "00:00:0c:00:00:01", None, "3a:00:00:00:00:01", "44:19:b6:00:00:01"],
})
FIELDS = {"vendor": "vendor", "model": "model", "mac": "mac"}


def verdicts(engine: Engine) -> list[tuple[str, str | None]]:
    result = engine.screen(FRAME)
    return [(engine.findings[i].verdict.value, engine.findings[i].entity) for i in result["finding"]]


def test_second_run_resolves_nothing_and_agrees(kb, tmp_path):
    first = Engine(kb, FIELDS, cache=EvidenceCache(tmp_path, kb))
    expected = verdicts(first)
    first.save_cache()
    second = Engine(kb, FIELDS, cache=EvidenceCache(tmp_path, kb))
    assert verdicts(second) == expected
    # 4 vendors, 4 models, and 3 MAC keys (Huawei's and Hikvision's blocks, a locally administered
    # note; Cisco's block is named by no rule, so it has no key)
    assert second.extracted == 0 and second.cache.loaded == 11


def test_a_knowledge_base_change_re_resolves_only_affected_fields(kb, tmp_path):
    cache_dir = tmp_path / "cache"
    engine = Engine(kb, FIELDS, cache=EvidenceCache(cache_dir, kb))
    before = verdicts(engine)
    engine.save_cache()
    assert before[2] == ("review", "dahua")  # Amcrest with an unknown model: OEM only
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    patterns = data / "identifiers" / "model_patterns.csv"
    patterns.write_text(patterns.read_text() + 'amcrest-zz,dahua,"^ZZ-\\d{4}$",test pattern,ZZ-9000,high,no,test,\n')
    changed = KnowledgeBase(load_raw(data))
    rescan = Engine(changed, FIELDS, cache=EvidenceCache(cache_dir, changed))
    after = verdicts(rescan)
    assert rescan.extracted == 4  # only the model column's 4 distinct values
    assert after[2] == ("conditional", "dahua")
    assert after == verdicts(Engine(changed, FIELDS))  # same as a screen without the cache
