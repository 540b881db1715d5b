"""`covscan diff`: new, gone and changed findings between two runs, matched by stable id."""
from __future__ import annotations

import json

from conftest import read_jsonl, write_csv


def test_diff_between_two_inventory_screens(cli, tmp_path):
    before = write_csv(tmp_path / "before.csv", ["asset_id", "vendor", "model"],
                       [["A1", "Cisco", "C9300"], ["A2", "Huawei", "HG8245H"], ["A3", "Amcrest", "IP8M"], ["A4", "Axis", "P3245"]])
    after = write_csv(tmp_path / "after.csv", ["asset_id", "vendor", "model"],
                      [["A4", "Axis", "P3245"], ["A3", "Amcrest", "IPC-HDW5231R-ZE"], ["A1", "Cisco", "C9300"], ["A5", "ZTE", "MF96U"]])
    old, new = tmp_path / "old.jsonl", tmp_path / "new.jsonl"
    cli("screen", str(before), "-o", str(old), "-q")
    cli("screen", str(after), "-o", str(new), "-q")
    changes = tmp_path / "changes.jsonl"
    code, out, _ = cli("diff", str(old), str(new), "-o", str(changes))
    assert "1 new, 1 changed, 1 gone, 2 unchanged" in out
    by_id = {c["id"]: c for c in read_jsonl(changes)}
    assert by_id["asset:A5"]["change"] == "new" and by_id["asset:A5"]["entity"] == "zte"
    assert by_id["asset:A2"]["change"] == "gone" and by_id["asset:A2"]["old_verdict"] == "covered"
    assert (by_id["asset:A3"]["old_verdict"], by_id["asset:A3"]["verdict"]) == ("review", "conditional")
    assert code == 1  # a new covered finding
    assert cli("diff", str(old), str(new), "--fail-on", "never")[0] == 0
    assert cli("diff", str(new), str(new))[1].startswith("0 new, 0 changed, 0 gone")


def test_diff_refuses_other_files(cli, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"hello": 1}) + "\n")
    code, _, err = cli("diff", str(bad), str(bad))
    assert code == 2 and "not a covscan finding" in err
    code, _, err = cli("diff", str(tmp_path / "missing.jsonl"), str(bad))
    assert code == 2 and "no such file" in err


def test_screen_baseline_reports_changes(cli, tmp_path):
    first = write_csv(tmp_path / "a.csv", ["asset_id", "vendor"], [["A1", "Cisco"]])
    second = write_csv(tmp_path / "b.csv", ["asset_id", "vendor"], [["A1", "Cisco"], ["A2", "Huawei"]])
    old, new = tmp_path / "old.jsonl", tmp_path / "new.jsonl"
    cli("screen", str(first), "-o", str(old), "-q")
    code, _, err = cli("screen", str(second), "-o", str(new), "--baseline", str(old), "-q")
    assert code == 1 and "1 new, 0 changed, 0 gone" in err
    code, _, err = cli("screen", str(second), "--baseline", str(old), "-q")
    assert code == 2 and "add -o findings.jsonl" in err
