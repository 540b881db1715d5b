"""Decisions that persist: `covscan decide` records one against a run's output, `--decisions`
shows it beside the finding, a settled finding fails no run, an expired decision or a changed
finding counts again, and a decision whose id no row has any more is listed with likely rows."""
from __future__ import annotations

import datetime as dt

import pytest
import yaml

from conftest import read_jsonl, write_csv
from covscan.decisions import DecisionBook, DecisionError, load_decisions

HEADER = ["asset_id", "manufacturer", "model", "description"]
ROWS = [["A-1", "ZTE Corporation", "ZXA10 C320", "OLT"], ["A-2", "Cisco", "C9300-48P", "switch"], ["A-3", "Huawei", "S5720-52X-SI-AC", "switch"]]


@pytest.fixture()
def run(cli, tmp_path):
    """Screen a small inventory (optionally with a decisions file): exit code, JSONL rows, stderr."""
    def go(rows=ROWS, *options: str) -> tuple[int, list[dict], str]:
        source = write_csv(tmp_path / "inventory.csv", HEADER, rows)
        out = tmp_path / "findings.jsonl"
        code, _, err = cli("screen", str(source), "-o", str(out), "-o", str(tmp_path / "findings.csv"), "-q", *options)
        return code, read_jsonl(out) if out.exists() else [], err
    return go


def decide(cli, tmp_path, finding_id: str, *options: str, source: str = "findings.jsonl") -> tuple[int, str, str]:
    return cli("decide", finding_id, "--from", str(tmp_path / source), "--decisions", str(tmp_path / "decisions.yaml"), *options)


def test_decide_records_what_it_was_made_on_and_keeps_the_earlier_decision(cli, tmp_path, run):
    code, rows, _ = run()
    assert code == 1 and rows[0]["id"] == "asset:A-1" and rows[0]["verdict"] == "covered"
    code, out, _ = decide(cli, tmp_path, "asset:A-1", "--state", "replaced", "--why", "Removed in the 2026 swap", "--by", "alice")
    assert code == 0, out
    d = load_decisions(tmp_path / "decisions.yaml")["asset:A-1"]
    assert (d.state, d.by, d.verdict, d.entity) == ("replaced", "alice", "covered", "zte")
    assert d.kb_version == rows[0]["kb_version"] and "ZXA10 C320" in d.evidence
    # from the CSV output too (no knowledge-base version per row: the current one)
    code, out, _ = decide(cli, tmp_path, "asset:A-1", "--state", "replaced", "--why", "Removed 2026-11-20", "--by", "bob", source="findings.csv")
    assert code == 0 and "history" in out
    again = load_decisions(tmp_path / "decisions.yaml")["asset:A-1"]
    assert again.by == "bob" and again.history[0]["by"] == "alice" and "ZXA10 C320" in again.evidence


def test_decide_refuses_what_it_cannot_record(cli, tmp_path, run):
    run()
    code, _, err = decide(cli, tmp_path, "asset:NOPE", "--state", "replaced", "--why", "x")
    assert code == 2 and "no row has id 'asset:NOPE'" in err
    code, _, err = decide(cli, tmp_path, "asset:A-1", "--state", "replaced", "--why", "x", "--expires", "next year")
    assert code == 2 and "YYYY-MM-DD" in err
    code, _, err = decide(cli, tmp_path, "asset:A-1", "--state", "replaced", "--why", "   ")
    assert code == 2 and "--why" in err
    assert not (tmp_path / "decisions.yaml").exists()


def test_a_settled_finding_is_shown_and_fails_no_run(cli, tmp_path, run):
    run()
    for finding_id in ("asset:A-1", "asset:A-3"):
        assert decide(cli, tmp_path, finding_id, "--state", "false-positive", "--why", "lab spare, never deployed")[0] == 0
    code, rows, err = run(ROWS, "--decisions", str(tmp_path / "decisions.yaml"))
    assert code == 0, err  # every covered row is settled
    assert rows[0]["verdict"] == "covered"  # shown as decided, not hidden
    assert rows[0]["decision"]["state"] == "false-positive" and rows[0]["decision"]["status"] == "active"
    assert "decision" not in rows[1]
    code, _, _ = run(ROWS)  # without the file the same rows fail the run
    assert code == 1


def test_an_expired_decision_brings_the_finding_back(cli, tmp_path, run):
    run()
    decide(cli, tmp_path, "asset:A-1", "--state", "accepted-risk", "--why", "waiver", "--expires", "2026-01-31")
    decide(cli, tmp_path, "asset:A-3", "--state", "accepted-risk", "--why", "waiver", "--expires", "2999-12-31")
    code, rows, err = run(ROWS, "--decisions", str(tmp_path / "decisions.yaml"))
    assert rows[0]["decision"]["status"] == "expired" and "2026-01-31" in rows[0]["decision"]["why"]
    assert rows[2]["decision"]["status"] == "active"
    assert code == 1 and "count again" in err
    flat = (tmp_path / "findings.csv").read_text(encoding="utf-8")
    assert "accepted-risk (expired: lapsed on 2026-01-31" in flat


def test_a_finding_changed_under_a_new_knowledge_base_is_flagged_for_re_review(cli, tmp_path, run):
    run()
    decide(cli, tmp_path, "asset:A-1", "--state", "false-positive", "--why", "not ZTE")
    path = tmp_path / "decisions.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # as if it had been decided under an older knowledge base that judged the row differently
    data["decisions"][0].update(verdict="review", kb_version="2026.01.01+0ld")
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    code, rows, err = run(ROWS, "--decisions", str(path))
    decision = rows[0]["decision"]
    assert decision["status"] == "re-review" and not decision["settles"]
    assert "2026.01.01+0ld" in decision["why"] and "now covered zte" in decision["why"]
    assert code == 1 and "count again" in err


def test_an_orphaned_decision_is_listed_with_the_row_most_like_it(cli, tmp_path, run):
    """Rows without an identifier get a hash of their screened fields: editing one orphans its decision."""
    header, rows = ["manufacturer", "model"], [["ZTE", "ZXA10 C320"], ["Cisco", "C9300-48P"]]
    source = write_csv(tmp_path / "plain.csv", header, rows)
    cli("screen", str(source), "-o", str(tmp_path / "findings.jsonl"), "-q")
    first = read_jsonl(tmp_path / "findings.jsonl")[0]["id"]
    assert first.startswith("h:")
    decide(cli, tmp_path, first, "--state", "replaced", "--why", "swapped")
    write_csv(source, header, [["ZTE Corporation", "ZXA10 C320"], ["Cisco", "C9300-48P"]])  # the vendor cell edited
    code, _, err = cli("screen", str(source), "-o", str(tmp_path / "again.jsonl"), "-q", "--decisions", str(tmp_path / "decisions.yaml"))
    new_id = read_jsonl(tmp_path / "again.jsonl")[0]["id"]
    assert new_id != first and code == 1
    assert "match no row" in err and first in err and f"likely {new_id} (row 1" in err


@pytest.mark.parametrize(("text", "message"), [
    ("schema: 1\ndecisions:\n  - {id: a, state: ignored, justification: x, by: me, at: '2026-01-01', verdict: covered, kb_version: v}\n",
     "decision 1: state 'ignored' is not one of"),
    ("schema: 1\ndecisions:\n  - {id: a, state: replaced, by: me, at: '2026-01-01', verdict: covered, kb_version: v}\n", "decision 1: missing justification"),
    ("schema: 1\ndecisions:\n" + "  - {id: a, state: replaced, justification: x, by: me, at: '2026-01-01', verdict: covered, kb_version: v}\n" * 2,
     "decision 2: id 'a' is decided twice"),
    ("schema: 1\ndecisions:\n  - {id: a, state: replaced, justification: x, by: me, at: '2026-01-01', verdict: covered, kb_version: v, expires: soon}\n",
     "expires 'soon' is not a date"),
    ("decisions: [\n", "not a readable decisions file"),
    ("- just a list\n", "expected 'schema: 1'"),
])
def test_a_bad_decisions_file_is_refused_with_its_entry_named(cli, tmp_path, run, text, message):
    path = tmp_path / "decisions.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DecisionError, match=message):
        load_decisions(path)
    code, _, err = run(ROWS, "--decisions", str(path))
    assert code == 2 and message.split(":")[0] in err and "Traceback" not in err


def test_decisions_expiring_soon_are_listed(tmp_path):
    path = tmp_path / "decisions.yaml"
    soon, later = dt.date.today() + dt.timedelta(days=5), dt.date.today() + dt.timedelta(days=90)
    path.write_text(yaml.safe_dump({"schema": 1, "decisions": [
        {"id": i, "state": "accepted-risk", "justification": "x", "by": "me", "at": "2026-01-01", "verdict": "covered", "kb_version": "v",
         "expires": d.isoformat()} for i, d in (("soon", soon), ("later", later))]}), encoding="utf-8")
    book = DecisionBook(load_decisions(path), "v", {})
    assert [d.id for d in book.expiring()] == ["soon"]


def test_a_party_match_can_be_decided_too(cli, tmp_path):
    """The knowledge base's own parties are always screened, so no list is needed here."""
    source = write_csv(tmp_path / "customers.csv", ["Customer ID", "Customer Name", "Country"],
                       [["C-1", "Huawei Technologies Co., Ltd.", "China"], ["C-2", "Acme Widgets Inc.", "United States"]])
    out = tmp_path / "findings.jsonl"
    code, _, _ = cli("parties", str(source), "-o", str(out), "-q")
    assert code == 1
    assert decide(cli, tmp_path, read_jsonl(out)[0]["id"], "--state", "accepted-risk", "--why", "licensed (BIS licence D123456)")[0] == 0
    code, _, err = cli("parties", str(source), "-o", str(out), "-q", "--decisions", str(tmp_path / "decisions.yaml"))
    assert code == 0, err
    assert read_jsonl(out)[0]["decision"]["state"] == "accepted-risk"
