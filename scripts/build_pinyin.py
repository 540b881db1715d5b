"""Write src/covscan/kb/data/identifiers/pinyin.csv: the pinyin of every Chinese name in the
knowledge base, as pypinyin reads it. covscan matches these readings in name fields; generating
them here spares every run loading pypinyin's phrase dictionary. Run after adding a Chinese name:

    python scripts/build_pinyin.py
"""
from __future__ import annotations

import csv
import io
from importlib import metadata
from pathlib import Path

from covscan.evidence.names import pinyin_names, pinyin_reading
from covscan.kb import KnowledgeBase
from covscan.kb.loader import load_raw

PATH = Path(__file__).resolve().parent.parent / "src/covscan/kb/data/identifiers/pinyin.csv"


def rows() -> list[dict[str, str]]:
    source = f"pypinyin {metadata.version('pypinyin')} lazy_pinyin (one reading; a name may have others)"
    names = sorted({a.cjk for a in pinyin_names(KnowledgeBase(load_raw()))})
    return [{"name": n, "pinyin": pinyin_reading(n), "confidence": "medium", "source": source} for n in names]


def render(readings: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, ["name", "pinyin", "confidence", "source"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(readings)
    return out.getvalue()


if __name__ == "__main__":
    PATH.write_text(render(rows()), encoding="utf-8")
    print(f"wrote {PATH}")
