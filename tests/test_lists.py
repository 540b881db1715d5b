"""The list readers against the real list files: counts, real entries field by field, the same
entries from every format, and the broken files a download or a user can produce."""
from __future__ import annotations

import csv
import io
import json
import shutil
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from covscan.lists import InputError, ListEntry, installed_lists, read_list, read_lists
from covscan.lists.countries import country_code
from covscan.lists.csl import list_code
from covscan.lists.model import Address, ListIdentifier
from covscan.lists.ofac import consolidated_code
from covscan.updates.store import DataStore
from covscan.updates.update import update

from conftest import DATA

SAMPLES = DATA / "lists"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "lists"
CSL = SHARED / "csl_2023-11-30" / "consolidated.csv"
SDN = SHARED / "ofac_sdn_2021-07"
CONS = SHARED / "ofac_cons_2025-12"
real = pytest.mark.skipif(not SHARED.is_dir(), reason=f"the real list snapshots ({SHARED}) are not beside the repository")


def by_id(entries: list[ListEntry]) -> dict[str, ListEntry]:
    return {e.entry_id: e for e in entries}


def comparable(entry: ListEntry) -> ListEntry:
    """The entry without what differs by form: the file, the date, the remarks (the XML's hold
    only what its structured lists do not) and the address's city (the legacy CSV has one
    City/State/Province/Postal Code field, the XML and JSON the city alone)."""
    return replace(entry, source="", as_of="", remarks="", addresses=tuple(replace(a, city="") for a in entry.addresses))


# ---------------------------------------------------------------------------------------- the real CSL


@real
def test_csl_counts_per_list_match_the_snapshot():
    listed = read_list(CSL)
    assert listed.format == "csl-csv" and listed.as_of == ""
    # The README's counts, but for the last SDN row: the snapshot ends inside it (cut mid-address).
    assert Counter(e.list_code for e in listed.entries) == {
        "SDN": 1737, "EL": 919, "DPL": 577, "SSI": 288, "UVL": 186, "ISN": 144, "DTC": 142, "PLC": 78, "MEU": 71,
        "CMIC": 68, "NS-MBS": 14, "FSE": 1, "CAP": 1}
    assert listed.warnings == [f"{CSL}: line 4233: 8 fields, not the 29 of the header (the file ends inside it); skipped"]
    assert not any(e.name == "name" or e.list_name == "source" for e in listed.entries)  # the repeated header
    assert {e.list_name for e in listed.entries if e.list_code == "EL"} == {"Entity List (EL) - Bureau of Industry and Security"}


@real
def test_csl_china_telecom_field_by_field():
    entry = by_id(read_list(CSL).entries)["30882"]
    assert entry.list_code == "CMIC" and entry.list_name.startswith("Non-SDN Chinese Military-Industrial Complex Companies List (CMIC)")
    assert entry.name == "China Telecom Corporation Limited" and entry.kind == "entity"
    assert entry.aliases == ("CHINA TELECOM", "CHINA TELECOM CO., LTD", "CHINA TELECOM CORP LTD")
    assert entry.programs == ("CMIC-EO13959",)
    assert entry.addresses == (Address("31 Jinrong Street, Xicheng District, Beijing, 100033, CN", "", "CN", "CN"),)
    assert entry.identifiers[0] == ListIdentifier("Unified Social Credit Code (USCC)", "9111000071093019X7", "CN")
    assert ListIdentifier("ISIN", "US1694261033") in entry.identifiers
    kinds = {i.kind for i in entry.identifiers}
    assert not kinds & {"Issuer Name", "Target Type", "Equity Ticker", "Listing Date (CMIC)"}  # descriptions, not identifiers
    assert entry.countries == ("CN",)
    assert entry.source_list_url == "https://www.treasury.gov/ofac/downloads/sanctions/1.0/cons_advanced.xml"
    assert entry.source == str(CSL)


@real
def test_csl_bis_and_sdn_rows():
    entries = read_list(CSL).entries
    meu = by_id(entries)["dcc742038bcb47f1bf9e805ef279484d"]
    assert (meu.list_code, meu.kind, meu.federal_register_notice, meu.start_date) == ("MEU", "", "85 FR 83799", "2020-12-23")
    assert meu.license_requirement == "For any item subject to the EAR listed in supplement no. 2 to part 744."
    assert meu.countries == ("CN",) and meu.addresses[0].text == "Tian Wang te Zi #1, Baqiao District, Xian, China, CN"
    zawahiri = by_id(entries)["2676"]
    assert zawahiri.kind == "individual" and zawahiri.identifiers == (ListIdentifier("Passport", "19820215"), ListIdentifier("Passport", "1084010", "EG"))
    vtb = by_id(entries)["17013"]
    assert vtb.list_code == "SSI" and vtb.programs == ("UKRAINE-EO13662", "RUSSIA-EO14024") and len(vtb.addresses) > 5
    xian = next(e for e in entries if e.name.startswith("Xi?an Research Institute"))
    assert "Xi'an Research Institute of Navigation Technology" in xian.aliases  # the cleaned alias; the name as listed
    linked = [e for e in entries if e.parent]
    assert linked and all(e.relation == "linked to" and not e.parent.endswith((")", ".")) for e in linked)


@real
def test_csl_reads_twenty_thousand_entries_in_well_under_two_seconds(tmp_path):
    """The real CSL has about 20,000 entries: the snapshot's rows five times over, as CSV and JSON."""
    rows = list(csv.reader(CSL.open(encoding="utf-8", newline="")))
    header, good = rows[0], rows[2:-1] * 5
    big = tmp_path / "consolidated.csv"
    with big.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out, quoting=csv.QUOTE_ALL).writerows([header, *good])
    many = {"alt_names", "programs", "citizenships", "nationalities", "dates_of_birth", "places_of_birth"}
    records = [{("id" if k == "_id" else k): (v.split("; ") if k in many else v) for k, v in zip(header, row)} for row in good]
    for record in records:
        record["addresses"] = [{"address": a, "country": a.rpartition(", ")[2]} for a in record["addresses"].split("; ")]
        record["ids"] = [dict(zip(("type", "number", "country"), i.split(", "))) for i in record["ids"].split("; ")]
    (tmp_path / "consolidated.json").write_text(json.dumps({"results": records}), encoding="utf-8")
    for path in (big, tmp_path / "consolidated.json"):
        start = time.perf_counter()
        listed = read_list(path)
        elapsed = time.perf_counter() - start
        assert len(listed.entries) == len(good) == 21130 and not listed.warnings
        assert elapsed < 1.5, f"{path.name}: {elapsed:.2f} s"


# ---------------------------------------------------------------------------------------- the real OFAC files


@real
def test_sdn_legacy_set_joins_aliases_addresses_and_comments():
    listed = read_list(SDN)
    assert listed.format == "ofac-legacy-csv" and listed.path == SDN / "sdn.csv" and not listed.warnings
    entries = by_id(listed.entries)
    assert len(entries) == 8976 and {e.list_code for e in listed.entries} == {"SDN"}
    assert Counter(e.kind for e in listed.entries) == {"individual": 4620, "entity": 3673, "vessel": 406, "aircraft": 277}
    alt = list(csv.reader(io.StringIO((SDN / "alt.csv").read_text(encoding="utf-8").rstrip("\x1a"))))
    assert len(alt) == 11910 and all(row[3] in entries[row[0]].names for row in alt)  # 4 repeat the name
    add = list(csv.reader(io.StringIO((SDN / "add.csv").read_text(encoding="utf-8").rstrip("\x1a"))))
    assert len(add) == 13837
    assert sum(len(e.addresses) for e in listed.entries) == sum(1 for r in add if any(v.strip() != "-0-" for v in r[2:5]))

    bank = entries["306"]
    assert (bank.name, bank.kind, bank.programs) == ("BANCO NACIONAL DE CUBA", "entity", ("CUBA",))
    assert bank.aliases == ("NATIONAL BANK OF CUBA", "BNC")  # alt.csv's, then the weak a.k.a. of the Remarks
    assert bank.addresses[0] == Address("Zweierstrasse 35, Zurich CH-8022, Switzerland", "Zurich CH-8022", "Switzerland", "CH")
    assert bank.countries == ("CH", "ES", "JP", "PA")
    assert bank.list_name == "Specially Designated Nationals and Blocked Persons List (SDN)"
    assert bank.source_list_url == "https://ofac.treasury.gov/specially-designated-nationals-and-blocked-persons-list-sdn-human-readable-lists"

    tian = entries["28263"]  # Remarks continued in sdn_comments.csv
    assert tian.remarks.endswith("a.k.a. 'snowsjohn'; Linked To: LAZARUS GROUP.")
    assert tian.aliases == ("tianyinyin0404", "snowsjohn") and tian.parent == "LAZARUS GROUP"
    assert ListIdentifier("Identification Number", "321284198607120616", "CN") in tian.identifiers
    assert tian.countries == ("CN",) and tian.programs == ("DPRK3", "CYBER2")

    project = entries["25691"]
    assert project.identifiers == (ListIdentifier("Tax ID No.", "7842144503", "RU"), ListIdentifier("Registration Number", "1177847378279", "RU"))
    assert project.aliases[0] == "LLC SOUTHERN PROJECT" and project.addresses[0].country_code == "RU"


@real
def test_consolidated_list_codes_come_from_the_programs():
    listed = read_list(CONS)
    assert listed.path == CONS / "cons_prim.csv" and len(listed.entries) == 442 and not listed.warnings
    assert Counter(e.list_code for e in listed.entries) == {"SSI": 286, "PLC": 78, "CMIC": 68, "NS-MBS": 9, "CAP": 1}
    entries = by_id(listed.entries)
    huawei = entries["30947"]
    assert (huawei.name, huawei.list_code, huawei.programs) == ("HUAWEI TECHNOLOGIES CO., LTD.", "CMIC", ("CMIC-EO13959",))
    assert huawei.identifiers == (ListIdentifier("Unified Social Credit Code (USCC)", "914403001922038216", "CN"),)
    assert huawei.addresses[0].country_code == "CN" and huawei.countries == ("CN",)
    assert huawei.source_list_url == "https://ofac.treasury.gov/consolidated-sanctions-list-non-sdn-lists"
    assert entries["32087"].parent == "HUAWEI TECHNOLOGIES CO., LTD"  # Huawei Investment & Holding, linked to it
    hikvision = entries["30946"]
    assert "HIKVISION" in hikvision.aliases and hikvision.list_name == "Non-SDN Chinese Military-Industrial Complex Companies List (NS-CMIC List)"
    assert entries["17014"].list_code == "SSI" and entries["17014"].remarks.endswith("a.k.a. 'RUSAG'.")  # with cons_comments.csv
    assert entries["15268"].list_code == "CAP" and entries["31695"].list_code == "NS-MBS"
    assert entries["9639"].list_code == "PLC" and entries["9639"].kind == "individual"


@real
def test_a_single_sdn_csv_reads_its_siblings_and_alone_says_what_is_missing(tmp_path):
    assert len(read_list(SDN / "sdn.csv").entries[0].aliases) == 1
    alone = tmp_path / "sdn.csv"
    shutil.copy(SDN / "sdn.csv", alone)
    listed = read_list(alone)
    assert len(listed.entries) == 8976 and not any(e.addresses for e in listed.entries)
    assert [w.split(": ", 1)[1] for w in listed.warnings] == [
        "no alt.csv beside it: its aliases are not read", "no add.csv beside it: its addresses are not read",
        "no sdn_comments.csv beside it: its remarks continuations are not read"]


# ---------------------------------------------------------------------------------------- one entry, every form


def test_csl_csv_tsv_and_json_give_the_same_entries():
    csv_, tsv, js = (read_list(SAMPLES / f"csl_sample.{ext}") for ext in ("csv", "tsv", "json"))
    assert (csv_.format, tsv.format, js.format) == ("csl-csv", "csl-tsv", "csl-json")
    assert len(csv_.entries) == 10 and not (csv_.warnings or tsv.warnings or js.warnings)
    assert [replace(e, source="") for e in csv_.entries] == [replace(e, source="") for e in tsv.entries]
    assert [comparable(e) for e in csv_.entries] == [comparable(e) for e in js.entries]
    telecom = by_id(js.entries)["30882"]
    assert telecom.addresses == (Address("31 Jinrong Street, Xicheng District, Beijing, 100033, CN", "Beijing", "CN", "CN"),)
    person = next(e for e in js.entries if e.name.startswith("ARRIOLA MARQUEZ"))
    assert person.kind == "individual" and person.countries and person.identifiers
    sinobright = next(e for e in js.entries if e.name.startswith("Sinobright"))
    assert sinobright.list_code == "ISN" and sinobright.aliases == ("Sinobright Import and Export Company",)
    assert next(e for e in js.entries if e.list_code == "DPL").name == "I. ASH"


def test_sdn_xml_and_legacy_csv_give_the_same_entries():
    xml, legacy = read_list(SAMPLES / "sdn_sample.xml"), read_list(SAMPLES / "ofac_sdn_sample")
    assert (xml.format, xml.as_of, legacy.format, legacy.as_of) == ("ofac-xml", "2021-07-07", "ofac-legacy-csv", "")
    assert not xml.warnings and not legacy.warnings
    assert sorted(map(comparable, xml.entries), key=lambda e: e.entry_id) == sorted(map(comparable, legacy.entries), key=lambda e: e.entry_id)
    entries = by_id(xml.entries)
    assert entries["7203"].name == "AOUADI, Mohamed Ben Belgacem" and entries["7203"].aliases == ("AOUADI, Mohamed Ben Belkacem",)
    assert ListIdentifier("Passport", "L 191609") in entries["7203"].identifiers and entries["7203"].countries == ("IT", "TN")
    assert entries["4234"].kind == "vessel" and entries["4234"].identifiers == (ListIdentifier("Call Sign", "CL2685"),)
    assert entries["4234"].countries == ("CU",) and entries["4234"].addresses == ()
    assert entries["15431"].kind == "aircraft" and entries["15431"].parent == "POUYA AIR"
    assert {i.kind for i in entries["15431"].identifiers} == {"Aircraft Construction Number (also called L/N or S/N or F/N)",
                                                              "Aircraft Manufacturer's Serial Number (MSN)"}
    assert entries["306"].addresses[0].city == "Zurich" and all(e.as_of == "2021-07-07" for e in xml.entries)
    assert "Gender" not in {i.kind for i in entries["28263"].identifiers}


def test_the_older_xml_namespace_and_none_read_alike(tmp_path):
    text = (SAMPLES / "sdn_sample.xml").read_text(encoding="utf-8")
    new = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML"
    for name, namespace in (("old.xml", ' xmlns="http://tempuri.org/sdnList.xsd"'), ("none.xml", "")):
        (tmp_path / name).write_text(text.replace(f' xmlns="{new}"', namespace), encoding="utf-8")
        assert read_list(tmp_path / name).entries == [replace(e, source=str(tmp_path / name)) for e in read_list(SAMPLES / "sdn_sample.xml").entries]


def test_upper_case_legacy_names_and_a_consolidated_xml(tmp_path):
    for name in ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"):
        shutil.copy(SAMPLES / "ofac_sdn_sample" / name, tmp_path / name.upper())
    listed = read_list(tmp_path)
    assert listed.path.name == "SDN.CSV" and len(listed.entries) == 7 and not listed.warnings
    assert by_id(listed.entries)["306"].aliases == ("NATIONAL BANK OF CUBA", "BNC")
    consolidated = tmp_path / "other" / "consolidated.xml"
    consolidated.parent.mkdir()
    consolidated.write_text((SAMPLES / "sdn_sample.xml").read_text(encoding="utf-8").replace("<program>CUBA</program>", "<program>NS-PLC</program>"))
    codes = {e.entry_id: e.list_code for e in read_list(consolidated.parent).entries}
    assert codes["306"] == "PLC" and codes["7203"] == "NS-MBS"


def test_read_lists_reads_every_list_of_a_folder(tmp_path):
    shutil.copytree(SAMPLES / "ofac_sdn_sample", tmp_path, dirs_exist_ok=True)
    shutil.copy(SAMPLES / "sdn_sample.xml", tmp_path / "sdn.xml")
    with pytest.raises(InputError, match=r"holds 2 lists \(sdn.csv, sdn.xml\); name one of them"):
        read_list(tmp_path)
    formats = [s.format for s in read_lists([tmp_path, SAMPLES / "csl_sample.json"])]
    assert formats == ["ofac-legacy-csv", "ofac-xml", "csl-json"]


# ---------------------------------------------------------------------------------------- codes, countries, remarks


def test_list_codes_come_from_the_abbreviation():
    assert list_code("Entity List (EL) - Bureau of Industry and Security") == "EL"
    assert list_code("Military End User (MEU) List - Bureau of Industry and Security") == "MEU"
    assert list_code("Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department") == "NS-MBS"
    assert list_code("Palestinian Legislative Council List (NS-PLC List) - Treasury Department") == "PLC"
    assert list_code("Capta List (CAP) - Treasury Department") == "CAP"
    assert list_code("Some New Restrictions List (SNRL) - Another Department") == "SNRL"  # a list added later
    assert consolidated_code(("UKRAINE-EO13662", "RUSSIA-EO14024")) == "SSI"
    assert consolidated_code(("SDGT", "NS-PLC")) == "PLC" and consolidated_code(("NS-CMIC-EO13959",)) == "CMIC"
    assert consolidated_code(("CAATSA - RUSSIA",)) == "NS-MBS" and consolidated_code(("FSE-IR",)) == "FSE"


@pytest.mark.parametrize(("text", "code"), [
    ("Russia", "RU"), ("Iran", "IR"), ("Korea, North", "KP"), ("Burma", "MM"), ("Taiwan", "TW"), ("Hong Kong", "HK"),
    ("Macau", "MO"), ("Kosovo", "XK"), ("XK", "XK"), ("CN", "CN"), ("Turkey", "TR"), ("Congo, Democratic Republic of the", "CD"),
    ("Switzerland", "CH"), ("Czech Republic", "CZ"), ("Region: Crimea", ""), ("undetermined", ""), ("Medellin", ""),
    ("ZZ", ""), ("GRU", ""), ("CAN", ""),
])
def test_country_codes(text, code):
    assert country_code(text) == code


def test_identifiers_and_countries_from_legacy_remarks(tmp_path):
    remarks = ("DOB 1969; nationality Saudi Arabia; citizen Yemen; Passport B 960789; alt. Passport G 649385 (Yemen) issued 08 Sep 2006 "
               "expires 17 Jul 2011; Gender Male; Website www.example.ru; Executive Order 13662 Directive Determination - Subject to Directive 1; "
               "a.k.a. 'ABU X'; f.k.a. 'OLD NAME'; Linked To: ISLAMIC REVOLUTIONARY GUARD CORPS (IRGC)-QODS FORCE; Linked To: HIZBALLAH.")
    (tmp_path / "sdn.csv").write_text(f'1,"X, Y","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"{remarks}"\n')
    entry = read_list(tmp_path / "sdn.csv").entries[0]
    assert entry.identifiers == (ListIdentifier("Passport", "B 960789"), ListIdentifier("Passport", "G 649385", "YE"),
                                 ListIdentifier("Website", "www.example.ru"))
    assert entry.countries == ("SA", "YE") and entry.aliases == ("ABU X", "OLD NAME")
    assert entry.parent == "ISLAMIC REVOLUTIONARY GUARD CORPS (IRGC)-QODS FORCE" and entry.remarks == remarks


# ---------------------------------------------------------------------------------------- broken and foreign files


HEADER = (SAMPLES / "csl_sample.csv").read_text(encoding="utf-8").split("\n", 1)[0]


@pytest.mark.parametrize(("name", "data", "message"), [
    ("consolidated.csv", b"", "consolidated.csv: is empty"),
    ("sdn.csv", b"\r\n\x1a", "sdn.csv: is empty"),
    ("consolidated.csv", (HEADER + "\n" + HEADER + "\n").encode(), "consolidated.csv: has no entries"),
    ("consolidated.json", b'{"results": []}', "consolidated.json: has no entries"),
    ("consolidated.csv", b'"_id","name","alt_names"\n"1","ACME",""\n', "consolidated.csv: line 1: not a Consolidated Screening List export: no column 'source'"),
    ("parties.csv", b"name,country\nACME,CN\n", "parties.csv: line 1: not a restricted-party list"),
    ("list.xlsx", b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xff\xfe", "list.xlsx: line 1: not a restricted-party list"),
    ("sdn.csv", b"<html>Service unavailable</html>\n", "sdn.csv: not an OFAC list XML: the root element is <html>"),
    ("sdn.xml", b'<?xml version="1.0"?>\n<sdnList>\n  <sdnEntry><uid>1</uid>\n</sdnList>\n', "sdn.xml: line 4, column 2: not well-formed XML"),
    ("sdn.xml", b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "b">]>\n<sdnList>&a;</sdnList>', "sdn.xml: refused: the XML declares a DTD, entities or external references (EntitiesForbidden)"),
    ("SDN_ADVANCED.XML", b'<?xml version="1.0"?>\n<Sanctions xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADVANCED_XML"><DateOfIssue/></Sanctions>',
     "is OFAC's advanced XML (as SDN_ADVANCED.XML, cons_advanced.xml), which covscan does not read yet"),
    ("consolidated.json", b'{"results": [{"name": "ACME"', "consolidated.json: line 1, column 29: not valid JSON"),
    ("federal-register.json", b'{"count": 1, "results": [{"document_number": "2024-1"}]}', "federal-register.json: record 1: not a Consolidated Screening List JSON"),
    ("sdn.csv", b'1,"A",-0- ,"CUBA"\n2,"B",-0- ,"CUBA"\n', "sdn.csv: 2 of 2 records are malformed (first: line 1: 4 fields, not the 12 of an OFAC primary row; skipped)"),
    ("alt.csv", b'36,12,"aka","AERO-CARIBBEAN",-0- \n', "alt.csv: is a companion file of OFAC's legacy CSV set; read sdn.csv or the folder"),
])
def test_a_file_that_is_not_a_list_is_an_error_naming_it(tmp_path, name, data, message):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(InputError) as raised:
        read_list(tmp_path / name)
    assert message in str(raised.value) and str(tmp_path) in str(raised.value)


def test_one_malformed_row_is_skipped_with_a_warning_naming_file_and_line(tmp_path):
    lines = (SAMPLES / "ofac_sdn_sample" / "sdn.csv").read_bytes().split(b"\r\n")
    lines.insert(2, b'999,"BROKEN ROW",-0- ,"CUBA"')
    (tmp_path / "sdn.csv").write_bytes(b"\r\n".join(lines))
    shutil.copy(SAMPLES / "ofac_sdn_sample" / "alt.csv", tmp_path / "alt.csv")
    (tmp_path / "add.csv").write_bytes(b'36,25,-0- ,"Havana","Cuba",-0- \r\n77777,1,"x","y","Cuba",-0- \r\n36,26,"only four"\r\n36,27,-0- ,-0- ,-0- ,-0- \r\n')
    (tmp_path / "sdn_comments.csv").write_bytes(b"")
    listed = read_list(tmp_path)
    assert len(listed.entries) == 7
    assert listed.warnings == [
        f"{tmp_path / 'sdn.csv'}: line 3: 4 fields, not the 12 of an OFAC primary row; skipped",
        f"{tmp_path / 'add.csv'}: line 3: 3 fields, not the 6 of an OFAC add row; skipped",
        f"{tmp_path / 'add.csv'}: 1 rows name an entity the primary file does not hold (line 2 (77777)); not read",
    ]
    assert by_id(listed.entries)["36"].addresses == (Address("Havana, Cuba", "Havana", "Cuba", "CU"),)

    csl_lines = (SAMPLES / "csl_sample.csv").read_text(encoding="utf-8").split("\n")
    csl_lines.insert(4, '"x","Entity List (EL) - Bureau of Industry and Security","","",""')
    csl_lines.insert(5, '"y","Entity List (EL) - Bureau of Industry and Security","","","","","","","","","","","","","","","","","","","","","","","","","","",""')
    (tmp_path / "consolidated.csv").write_text("\n".join(csl_lines), encoding="utf-8")
    listed = read_list(tmp_path / "consolidated.csv")
    assert len(listed.entries) == 10 and listed.warnings == [
        f"{tmp_path / 'consolidated.csv'}: line 5: 5 fields, not the 29 of the header; skipped",
        f"{tmp_path / 'consolidated.csv'}: line 6: no name; skipped"]


def test_cp1252_bytes_are_read(tmp_path):
    (tmp_path / "sdn.csv").write_bytes('1,"CAFÉ DEL MAR, S.A.",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"a.k.a. \'CAFÉ\'."\r\n'.encode("cp1252"))
    (tmp_path / "add.csv").write_bytes('1,1,"Calle Peñas 3","Bogotá","Colombia",-0- \r\n'.encode("cp1252"))
    entry = read_list(tmp_path / "sdn.csv").entries[0]
    assert entry.name == "CAFÉ DEL MAR, S.A." and entry.aliases == ("CAFÉ",)
    assert entry.addresses == (Address("Calle Peñas 3, Bogotá, Colombia", "Bogotá", "Colombia", "CO"),)
    rows = (SAMPLES / "csl_sample.tsv").read_text(encoding="utf-8").replace("Atlas Sanatgaran", "Atlas Sanatgarán")
    (tmp_path / "consolidated.tsv").write_bytes(rows.encode("cp1252"))
    assert "Atlas Sanatgarán" in [e.name for e in read_list(tmp_path / "consolidated.tsv").entries]


def test_a_folder_without_list_files_is_an_error(tmp_path):
    (tmp_path / "inventory.xlsx").write_bytes(b"x")
    (tmp_path / "alt.csv").write_bytes(b"")
    with pytest.raises(InputError, match=r"holds none of the list files covscan reads .*found (inventory.xlsx, alt.csv|alt.csv, inventory.xlsx)"):
        read_list(tmp_path)
    (tmp_path / "SDN_ADVANCED.XML").write_bytes(b"<Sanctions/>")
    with pytest.raises(InputError, match="holds only OFAC's advanced XML \\(SDN_ADVANCED.XML\\), which covscan does not read yet"):
        read_lists([tmp_path])
    with pytest.raises(InputError, match="no such file"):
        read_list(tmp_path / "missing.csv")


def test_json_records_that_are_not_objects_or_have_no_name_are_skipped(tmp_path):
    records = json.loads((SAMPLES / "csl_sample.json").read_text(encoding="utf-8"))["results"]
    (tmp_path / "consolidated.json").write_text(json.dumps([*records, "oops", {**records[0], "name": None}]), encoding="utf-8")
    listed = read_list(tmp_path / "consolidated.json")
    assert len(listed.entries) == 10 and listed.warnings == [
        f"{tmp_path / 'consolidated.json'}: record 11: a JSON str, not an object; skipped",
        f"{tmp_path / 'consolidated.json'}: record 12: no name; skipped"]


# ---------------------------------------------------------------------------------------- installed lists


def test_installed_lists_read_the_active_versions_raw_files(tmp_path):
    store = DataStore(tmp_path / "data")
    assert installed_lists(store) == []
    result = update(store, ("csl", "ofac-sdn"), from_dir=DATA / "updates")
    assert [o.status for o in result.outcomes] == ["updated", "updated"]
    csl_list, sdn_list = installed_lists(store)
    day = store.active().snapshots["csl"].day
    assert (csl_list.format, sdn_list.format) == ("csl-csv", "ofac-legacy-csv")
    assert csl_list.path.parent == store.root / "snapshots" / "csl" and csl_list.as_of == day
    assert len(csl_list.entries) == 403 and {e.as_of for e in csl_list.entries} == {day}
    assert by_id(csl_list.entries)["30882"].name == "China Telecom Corporation Limited"
    assert len(sdn_list.entries) == 400 and by_id(sdn_list.entries)["36"].name == "AEROCARIBBEAN AIRLINES"
    assert any("keeps OFAC's sdn.csv without alt.csv" in w for w in sdn_list.warnings)
    (store.root / "active").write_text("2020.01.01-0000000000\n")
    with pytest.raises(InputError, match="no usable knowledge-data version '2020.01.01-0000000000'"):
        installed_lists(store)
