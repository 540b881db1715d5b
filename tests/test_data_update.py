"""`covscan data update / status / diff / use` against real-format files: from a folder, and
downloaded from an HTTPS server on loopback (a trustme CA) that also serves broken files."""
from __future__ import annotations

import csv
import io
import json
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from covscan.cli import app
from covscan.kb.mac_registry import MacRegistry
from covscan.updates.official import SOURCES
from covscan.updates.store import DataStore

from conftest import DATA

trustme = pytest.importorskip("trustme", reason="trustme (a test dependency) makes the loopback server's certificate")

FIXTURES = DATA / "updates"
# A block no registry assigns (synthetic, tests only): once the IEEE file gives it to Huawei, its MACs are Huawei's.
NEW_HUAWEI_ORG = "Huawei Technologies Co.,Ltd"
NEW_GRANTEE = "2BZQX"  # synthetic grantee code, registered in the test file to Huawei Device
HUAWEI_DEVICE = "Huawei Device Co., Ltd."


def _unassigned_prefix() -> str:
    """A universally administered, unicast /24 no block of the installed registry covers."""
    taken = {p[:6] for p in MacRegistry.manuf_blocks()["prefix"].to_list()}
    return next(f"{n:06X}" for n in range(0x3C0000, 0x400000) if not (n >> 16) & 0x03 and f"{n:06X}" not in taken)


NEW_PREFIX = _unassigned_prefix()


def ieee_csv(registry: str, digits: int, extra: list[tuple[str, str]] = (), keep: float = 1.0) -> bytes:
    """The installed registry's blocks of one size in the IEEE CSV layout (plus `extra` blocks)."""
    blocks = MacRegistry.manuf_blocks().filter(pl.col("prefix").str.len_chars() == digits)
    rows = list(blocks.head(int(blocks.height * keep)).iter_rows()) + list(extra)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Registry", "Assignment", "Organization Name", "Organization Address"])
    writer.writerows([registry, prefix, org, "Somewhere 1 Street CN 518129"] for prefix, org in rows)
    return out.getvalue().encode()


def grantees_json(extra: list[tuple[str, str]] = ()) -> bytes:
    """Grantee registrations in the open-data JSON layout: synthetic codes for real org names (the
    installed registry's), and `extra`."""
    orgs = MacRegistry.manuf_blocks()["org"].unique(maintain_order=True).head(300).to_list()
    records = [{"grantee_code": f"Z{n:04d}", "grantee_name": org, "country": "United States", "date_received": "2019-01-01T00:00:00.000"}
               for n, org in enumerate(orgs)]
    records += [{"grantee_code": code, "grantee_name": name, "country": "China", "date_received": "2026-10-01T00:00:00.000"} for code, name in extra]
    return json.dumps(records).encode()


def source_folder(path: Path, changed: dict[str, bytes] | None = None) -> Path:
    """A --from folder with every official file, those named in `changed` as given there."""
    path.mkdir(parents=True, exist_ok=True)
    files = {
        "oui.csv": ieee_csv("MA-L", 6, [(NEW_PREFIX, NEW_HUAWEI_ORG)]),
        "mam.csv": ieee_csv("MA-M", 7),
        "oui36.csv": ieee_csv("MA-S", 9),
        "fcc-grantees.json": grantees_json([(NEW_GRANTEE, HUAWEI_DEVICE)]),
        **{f.name: f.read_bytes() for f in FIXTURES.iterdir() if f.suffix != ".md"},
    }
    files.update(changed or {})
    for name, data in files.items():
        (path / name).write_bytes(data)
    return path


@pytest.fixture()
def covscan():
    """Run the CLI in this process; the result keeps standard output and error apart."""
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture()
def data_dir(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "covscan-data"
    monkeypatch.setenv("COVSCAN_DATA_DIR", str(root))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return root


@pytest.fixture(scope="module")
def official_files(tmp_path_factory) -> Path:
    return source_folder(tmp_path_factory.mktemp("official"))


def active(root: Path) -> str:
    return (root / "active").read_text().strip()


def test_update_from_a_folder_makes_a_version_that_screens_use(covscan, data_dir, official_files, tmp_path):
    result = covscan("data", "update", "--from", str(official_files))
    assert result.exit_code == 0, result.output
    version = active(data_dir)
    assert version in result.stdout
    for source in ("ieee-ma-l", "ieee-ma-m", "ieee-ma-s", "fcc-grantees", "csl", "ofac-sdn", "federal-register", "fcc-covered-list"):
        assert f"updated   {source}" in result.stderr
    status = covscan("data", "status")
    assert status.exit_code == 0 and version in status.stdout and "IEEE registries" in status.stdout
    assert "never fetched" not in status.stdout and "current" in status.stdout

    inventory = tmp_path / "inv.csv"
    mac = ":".join(NEW_PREFIX[i:i + 2] for i in (0, 2, 4)) + ":12:34:56"
    inventory.write_text(f"asset,mac,fcc id\nA1,{mac},\nA2,,{NEW_GRANTEE}-AB123\nA3,00:00:0C:00:00:01,\n")
    out, page = tmp_path / "f.json", tmp_path / "f.html"
    screened = covscan("screen", str(inventory), "-o", str(out), "-o", str(page), "--fail-on", "never")
    assert screened.exit_code == 0, screened.output
    doc = json.loads(out.read_text())
    assert version in json.dumps(doc["run"])  # the report names the data version that judged it
    day = DataStore(data_dir).active().snapshots["csl"].day
    assert f"knowledge-data version {version}" in page.read_text() and f"csl {day}" in page.read_text()
    findings = {f["row"]: f for f in doc["findings"]}
    assert [findings[r]["verdict"] for r in sorted(findings)] == ["covered", "covered", "clear"]
    assert findings[min(findings)]["entity"] == "huawei" and NEW_PREFIX[:2] in json.dumps(findings[min(findings)]["evidence"])
    assert "FCC grantee registration" in json.dumps(findings[sorted(findings)[1]]["evidence"])


def test_a_generated_grantee_code_lets_an_unnamed_column_be_read_as_fcc_ids(covscan, data_dir, official_files, tmp_path):
    """Column recognition by content knows the codes a version adds: a column headed "ref" holding
    FCC IDs of that grantee is read as FCC IDs."""
    assert covscan("data", "update", "--from", str(official_files)).exit_code == 0
    inventory = tmp_path / "inv.csv"
    inventory.write_text("asset,ref\n" + "".join(f"A{i},{NEW_GRANTEE}-M{i:03d}\n" for i in range(30)))
    out = tmp_path / "f.jsonl"
    result = covscan("screen", str(inventory), "-o", str(out), "--fail-on", "never")
    assert result.exit_code == 0 and "fcc_id='ref'" in result.output, result.output
    assert {json.loads(line)["verdict"] for line in out.read_text().splitlines()} == {"covered"}


def test_without_a_version_the_same_mac_is_not_huawei(covscan, data_dir, tmp_path):
    inventory = tmp_path / "inv.csv"
    inventory.write_text(f"asset,mac\nA1,{':'.join(NEW_PREFIX[i:i + 2] for i in (0, 2, 4))}:12:34:56\n")
    out = tmp_path / "f.json"
    assert covscan("screen", str(inventory), "-o", str(out), "--fail-on", "never").exit_code == 0
    assert json.loads(out.read_text())["findings"][0]["verdict"] != "covered"


def test_screen_baseline_after_an_update_lists_exactly_the_findings_it_changed_and_why(covscan, data_dir, official_files, tmp_path):
    inventory = tmp_path / "inv.csv"
    mac = ":".join(NEW_PREFIX[i:i + 2] for i in (0, 2, 4)) + ":00:00:01"
    inventory.write_text(f"asset,mac,vendor\nA1,{mac},\nA2,00:18:82:00:00:01,\nA3,,Cisco\nA4,,ZTE\n")
    before, after = tmp_path / "before.jsonl", tmp_path / "after.jsonl"
    assert covscan("screen", str(inventory), "-o", str(before), "--fail-on", "never").exit_code == 0
    assert covscan("data", "update", "--from", str(official_files)).exit_code == 0
    result = covscan("screen", str(inventory), "-o", str(after), "--baseline", str(before), "--fail-on", "never")
    assert result.exit_code == 0, result.output
    assert "0 new, 1 changed, 0 gone findings" in result.stderr
    changed = [line for line in result.stderr.splitlines() if line.startswith("  changed")]
    assert len(changed) == 1 and f"changed row 1 (mac:{NEW_PREFIX.lower()}000001): clear -> covered huawei" in changed[0]
    assert f"now MA-L {':'.join(NEW_PREFIX[i:i + 2] for i in (0, 2, 4))}/24 registered to '{NEW_HUAWEI_ORG}'" in changed[0]
    assert f"ieee-ma-l of {DataStore(data_dir).active().snapshots['ieee-ma-l'].day}" in changed[0]


def test_same_files_again_change_nothing_and_use_rolls_back(covscan, data_dir, official_files, tmp_path):
    assert covscan("data", "update", "--from", str(official_files)).exit_code == 0
    first = active(data_dir)
    again = covscan("data", "update", "--from", str(official_files))
    assert again.exit_code == 0 and "unchanged" in again.stderr and active(data_dir) == first
    changed = source_folder(tmp_path / "later", {"sdn.csv": (FIXTURES / "sdn.csv").read_bytes().replace(b"AEROCARIBBEAN AIRLINES", b"AEROCARIBBEAN AIRLINES S.A.")})
    assert covscan("data", "update", "--from", str(changed)).exit_code == 0
    second = active(data_dir)
    assert second != first
    diff = covscan("data", "diff", "--all")
    assert diff.exit_code == 0 and "ofac-sdn amended: AEROCARIBBEAN AIRLINES S.A. (SDN, CUBA) (was AEROCARIBBEAN AIRLINES (SDN, CUBA))" in diff.stdout
    assert "ofac-sdn: 1 amended" in diff.stderr
    assert covscan("data", "use", first).exit_code == 0 and active(data_dir) == first
    assert covscan("data", "use", "builtin").exit_code == 0 and active(data_dir) == "builtin"
    missing = covscan("data", "use", "2020.01.01-0000000000")
    assert missing.exit_code == 2 and first in missing.stderr


def test_first_version_diff_against_the_embedded_data_names_the_new_covered_block(covscan, data_dir, official_files):
    assert covscan("data", "update", "--from", str(official_files)).exit_code == 0
    diff = covscan("data", "diff")
    assert diff.exit_code == 0
    assert f"ieee-ma-l added: {NEW_PREFIX} {NEW_HUAWEI_ORG} [Huawei" in diff.stdout
    assert f"fcc-grantees added: {NEW_GRANTEE} {HUAWEI_DEVICE} [Huawei" in diff.stdout
    lines = [json.loads(line) for line in covscan("data", "diff", "--json").stdout.splitlines()]
    assert any(c["source"] == "ieee-ma-l" and c["kind"] == "added" and c["key"] == NEW_PREFIX and c["covered"].startswith("Huawei") for c in lines)


def test_covered_list_page_change_and_new_federal_register_document_need_review(covscan, data_dir, official_files, tmp_path):
    assert covscan("data", "update", "--from", str(official_files)).exit_code == 0
    page = (FIXTURES / "coveredlist.html").read_bytes().replace(b"Routers produced in a foreign country",
                                                                 b"Routers produced in a foreign country, except routers granted a Conditional Approval")
    register = json.loads((FIXTURES / "federal-register.json").read_text())
    register["results"].insert(0, {"document_number": "2026-99999", "title": "Protecting against national security threats: Covered List update",
                                   "type": "Rule", "publication_date": "2026-11-30", "agencies": [{"name": "Federal Communications Commission"}],
                                   "html_url": "https://www.federalregister.gov/documents/2026/11/30/2026-99999/covered-list-update"})
    register["count"] = 3
    later = source_folder(tmp_path / "later", {"coveredlist.html": page, "federal-register.json": json.dumps(register).encode()})
    updated = covscan("data", "update", "--from", str(later))
    assert updated.exit_code == 0 and "3 change(s) to the Covered List page or new Federal Register documents need review" in updated.stderr
    diff = covscan("data", "diff").stdout
    assert ("needs review: fcc-covered-list added: Routers produced in a foreign country, except routers granted a Conditional Approval "
            "(March 23, 2026) https://www.fcc.gov/supplychain/coveredlist") in diff
    assert "needs review: fcc-covered-list removed: Routers produced in a foreign country (March 23, 2026)" in diff
    assert ("needs review: federal-register added: 2026-11-30 Rule 2026-99999: Protecting against national security threats: "
            "Covered List update https://www.federalregister.gov/documents/2026/11/30/2026-99999/covered-list-update") in diff
    assert "2024-13695" not in diff  # documents already seen are not new


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("oui.csv", b"Registry,Assignment\nMA-L,001882\n", "not an IEEE registry CSV: no column 'Organization Name'"),
    ("consolidated.csv", b"name,country\nACME,CN\n", "not a Consolidated Screening List CSV: no column 'source'"),
    ("sdn.csv", b"<html>Service unavailable</html>\n", "not an OFAC SDN CSV: line 1 has 1 fields"),
    ("federal-register.json", b'{"errors": ["bad request"]}', "not a Federal Register API response"),
    ("coveredlist.html", b"<html><body>Access denied</body></html>", "not the FCC Covered List page: no element with id 'covered-list'"),
    ("fcc-grantees.json", b"[]", "0 records, fewer than the 100"),
])
def test_a_broken_file_keeps_the_previous_version_with_a_one_line_reason(covscan, data_dir, official_files, tmp_path, name, data, reason):
    assert covscan("data", "update", "--from", str(official_files)).exit_code == 0
    good = active(data_dir)
    broken = source_folder(tmp_path / "broken", {name: data})
    result = covscan("data", "update", "--from", str(broken))
    assert result.exit_code == 1
    rejected = [line for line in result.stderr.splitlines() if line.startswith("rejected")]
    assert len(rejected) == 1 and reason in rejected[0], result.stderr
    assert active(data_dir) == good and "unchanged" in result.stdout


def test_first_update_with_only_broken_files_leaves_the_embedded_data(covscan, data_dir, tmp_path):
    folder = tmp_path / "only"
    folder.mkdir()
    (folder / "oui.csv").write_bytes(ieee_csv("MA-L", 6)[:5000])  # cut mid-file: far fewer blocks than a registry holds
    result = covscan("data", "update", "--from", str(folder), "ieee-ma-l")
    assert result.exit_code == 1 and "rejected  ieee-ma-l" in result.stderr and "fewer than the 1,000" in result.stderr
    assert not (data_dir / "active").exists() and "builtin" in result.stdout


def test_a_checksum_file_is_checked(covscan, data_dir, official_files, tmp_path):
    folder = source_folder(tmp_path / "sums")
    (folder / "SHA256SUMS").write_text(f"{'0' * 64}  sdn.csv\n")
    result = covscan("data", "update", "--from", str(folder), "ofac-sdn")
    assert result.exit_code == 1 and "its SHA-256 is not the one SHA256SUMS gives" in result.stderr


def test_unknown_source_is_an_input_error(covscan, data_dir):
    result = covscan("data", "update", "ieee")
    assert result.exit_code == 2 and "unknown source ieee" in result.stderr and "ieee-ma-l" in result.stderr


# ---------------------------------------------------------------------------------------- over HTTPS


class _Official(BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}
    mode: dict[str, str] = {}  # file name: how to serve it badly

    def do_GET(self) -> None:  # noqa: N802 - the http.server interface
        name = self.path.rsplit("/", 1)[-1]
        how = self.mode.get(name, "")
        if how == "redirect-http":
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:1/{name}")
            self.end_headers()
            return
        if name not in self.files or how == "404":
            self.send_error(404, "Not Found")
            return
        body = self.files[name]
        if how == "hang":
            time.sleep(3)
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if how == "truncated":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.shutdown(2)
            return
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:  # a client that refuses the certificate, or gives up
        pass


@pytest.fixture()
def https_server(tmp_path, official_files):
    """Serves the official files at https://127.0.0.1:PORT/<name>; returns (base URL, CA file)."""
    ca = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    _Official.files = {f.name: f.read_bytes() for f in official_files.iterdir()}
    _Official.mode = {}
    server = _QuietServer(("127.0.0.1", 0), _Official)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}/mirror", ca_file
    server.shutdown()
    server.server_close()


def test_download_over_https_makes_a_version(covscan, data_dir, https_server):
    base, ca = https_server
    result = covscan("data", "update", "--mirror", base, "--ca-bundle", str(ca))
    assert result.exit_code == 0, result.output
    version = DataStore(data_dir).active()
    assert version is not None and set(version.snapshots) >= {"ieee-ma-l", "csl", "federal-register"}
    assert version.snapshots["csl"].origin == f"{base}/consolidated.csv"


def test_the_system_trust_store_does_not_trust_the_test_ca(covscan, data_dir, https_server):
    base, _ = https_server
    result = covscan("data", "update", "--mirror", base, "ofac-sdn")
    assert result.exit_code == 1 and "rejected  ofac-sdn: 127.0.0.1" in result.stderr and "CERTIFICATE_VERIFY_FAILED" in result.stderr


@pytest.mark.parametrize(("how", "reason"), [
    ("404", "HTTP 404 Not Found"),
    ("hang", "timed out after 1 s"),
    ("truncated", "truncated"),
    ("redirect-http", "redirected to a non-HTTPS address"),
])
def test_a_failed_download_keeps_the_previous_version(covscan, data_dir, https_server, how, reason):
    base, ca = https_server
    assert covscan("data", "update", "--mirror", base, "--ca-bundle", str(ca), "ofac-sdn").exit_code == 0
    good = active(data_dir)
    _Official.mode = {"sdn.csv": how}
    _Official.files["sdn.csv"] = _Official.files["sdn.csv"].replace(b"CUBA", b"CUBA ")  # a new file, were it whole
    result = covscan("data", "update", "--mirror", base, "--ca-bundle", str(ca), "--timeout", "1", "ofac-sdn")
    assert result.exit_code == 1 and reason in result.stderr, result.stderr
    assert active(data_dir) == good


def test_far_larger_or_far_smaller_files_are_not_taken(covscan, data_dir, https_server):
    base, ca = https_server
    assert covscan("data", "update", "--mirror", base, "--ca-bundle", str(ca), "ofac-sdn", "ieee-ma-l").exit_code == 0
    good = active(data_dir)
    sdn = _Official.files["sdn.csv"]
    _Official.files["sdn.csv"] = sdn * 10  # ten times the size (the same records again)
    _Official.files["oui.csv"] = ieee_csv("MA-L", 6, keep=0.1)  # 90% of the blocks gone
    result = covscan("data", "update", "--mirror", base, "--ca-bundle", str(ca), "ofac-sdn", "ieee-ma-l")
    assert result.exit_code == 1
    assert "more than 5 times the previous snapshot's" in result.stderr
    assert "a drop of 90% is taken for a broken file" in result.stderr
    assert active(data_dir) == good
    forced = covscan("data", "update", "--mirror", base, "--ca-bundle", str(ca), "--force", "ieee-ma-l")
    assert forced.exit_code == 0 and active(data_dir) != good


def test_plain_http_is_refused(covscan, data_dir):
    result = covscan("data", "update", "--mirror", "http://127.0.0.1:9/", "csl")
    assert result.exit_code == 1 and "not an HTTPS address" in result.stderr


def test_a_partial_version_folder_is_never_active(data_dir, official_files):
    """A version is renamed into place whole; a staging folder left by a killed run is not a version."""
    store = DataStore(data_dir)
    (data_dir / "versions" / ".2026.12.02-abc.123.tmp").mkdir(parents=True)
    assert store.versions() == []


def test_status_warns_of_a_snapshot_older_than_its_source_changes(covscan, data_dir, official_files):
    assert covscan("data", "update", "--from", str(official_files)).exit_code == 0
    manifest = DataStore(data_dir).active().path / "manifest.json"
    doc = json.loads(manifest.read_text())
    doc["snapshots"]["csl"]["fetched"] = "2026-01-02T03:04:05+00:00"  # the daily list, fetched long ago
    manifest.write_text(json.dumps(doc))
    status = covscan("data", "status")
    assert status.exit_code == 0
    rows = {line.split()[0]: line for line in status.stdout.splitlines() if line.split() and line.split()[0] in SOURCES}
    assert "stale" in rows["csl"] and "2026-01-02" in rows["csl"] and " 0 d " in rows["ofac-sdn"]
    assert "stale" not in rows["ofac-sdn"] and "current" in rows["ofac-sdn"]
    assert "covscan data update fetches the official files again" in status.stdout


@pytest.mark.parametrize("data", [
    b"\x00" * 4096, b'"never closed,\n' * 50, b"[" * 100_000, b"\xff\xfe\xfa garbage \x81" * 200, b"{}", b"<" * 10_000,
])
def test_each_parser_refuses_hostile_bytes_with_a_reason_never_a_traceback(data):
    from covscan.updates.official import SOURCES
    from covscan.updates.update import Rejected, check

    for source in SOURCES.values():
        with pytest.raises(Rejected) as refused:
            check(source, data, None)
        assert str(refused.value) and "\n" not in str(refused.value), source.name
