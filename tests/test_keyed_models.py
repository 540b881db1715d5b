"""A part list's model numbers hardly repeat, so the engine reads one per evidence key: the key must
part values whose evidence differs and join those whose evidence is the same but for the value."""
from __future__ import annotations

import json

import polars as pl

from covscan.engine import Engine
from covscan.evidence import build_extractors

MODELS = ["DS-2CD2143G2-I", "DS-2CD2387G2-LU", "IPC-HFW2831S-S-S2", "S5720-52X-SI-AC", "NE40E-X8",
          "ZXA10 C320", "kit (S5720-28X-LI-AC)", "kit (NE40E-X16)", "R7000P", "N10664-BK12", " DS-2CD2143G2-I "]


def test_keys_follow_the_patterns_matched(kb):
    extractor = build_extractors(kb)["model"]
    keys = extractor.evidence_keys(pl.Series(MODELS)).to_list()
    assert keys[0] == keys[1] == keys[10] != ""          # the same Hikvision pattern, whole
    assert keys[3] != keys[0] and keys[3] != ""           # a Huawei switch
    assert keys[6] != keys[7] and keys[6].startswith("(")  # a word inside: which word is part of the key
    assert keys[8] == keys[9] == ""                       # no pattern


def test_a_column_of_distinct_models_gets_the_findings_each_value_gets_alone(kb):
    # 30,000 distinct values make the engine read the column by key; each row must still come out
    # as it does when screened on its own.
    filler = [f"X{i:05d}-Q" for i in range(30_000)]
    column = MODELS + filler
    together = Engine(kb, {"model": "model"})
    result = together.screen(pl.DataFrame({"model": column}))["finding"].to_list()
    for i, value in enumerate(MODELS):
        alone = Engine(kb, {"model": "model"})
        index = alone.screen(pl.DataFrame({"model": [value]}))["finding"][0]
        expected = alone.concrete(index, {"model": value}).to_dict()
        got = together.concrete(result[i], {"model": value}).to_dict()
        assert json.dumps(got, sort_keys=True) == json.dumps(expected, sort_keys=True), value
