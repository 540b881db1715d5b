"""The shipped pinyin readings are what pypinyin reads for every Chinese name in the knowledge base
(regenerate with scripts/build_pinyin.py), and a run that matches names loads no pypinyin."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_pinyin_file_is_current() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import build_pinyin
    finally:
        sys.path.pop(0)
    assert build_pinyin.PATH.read_text(encoding="utf-8") == build_pinyin.render(build_pinyin.rows()), (
        "identifiers/pinyin.csv is stale: run python scripts/build_pinyin.py")


def test_name_matching_reads_pinyin_from_the_data_file() -> None:
    code = ("import sys, polars as pl; from covscan.kb import load; from covscan.engine import Engine; "
            "e = Engine(load(), {'vendor': 'vendor'}); i = e.screen(pl.DataFrame({'vendor': ['Haikang Weishi']}))['finding'][0]; "
            "print(e.findings[i].verdict.value, e.findings[i].entity); print('pypinyin' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "conditional hikvision"
    assert out[1] == "False"
