"""Party-name normalisation and matching: legal forms across languages, scripts, typos, word order,
weights, and the traps (lookalikes, common surnames, short words)."""
from __future__ import annotations

import pytest

from covscan.lists.model import Address, ListEntry, ListIdentifier
from covscan.parties.match import MATCH, REVIEW, SHORT_TYPO, ListIndex, Party, allowed_edits, word_similarity
from covscan.parties.names import load_name_rules


@pytest.fixture(scope="module")
def rules():
    return load_name_rules()


@pytest.mark.parametrize("written, tokens, legal", [
    ("HUAWEI TECHNOLOGIES CO.,LTD.", ("huawei", "technology"), ("co ltd",)),
    ("Huawei Technologies Company Limited", ("huawei", "technology"), ("company limited",)),
    ("华为技术有限公司", ("huawei", "technology"), ("有限公司",)),
    ("華為技術有限公司", ("huawei", "technology"), ("有限公司",)),
    ("杭州海康威视数字技术股份有限公司", ("hangzhou", "haikangweishi", "digital", "technology"), ("股份有限公司",)),
    ("ООО Ромашка", ("romashka",), ("ooo",)),
    ("OBSHCHESTVO S OGRANICHENNOI OTVETSTVENNOSTYU ROMASHKA", ("romashka",), ("obshchestvo s ogranichennoi otvetstvennostyu",)),
    ("Z.T.E. Corp", ("zte",), ("corp",)),
    ("Xi?an Electronic Engineering Research Institute", ("xian", "electronic", "engineering", "research", "institute"), ()),
    ("Banco Nacional de Cuba S.A.", ("banco", "nacional", "de", "cuba"), ("sa",)),  # "de" stays, weighing little
    ("China Telecom Corporation Limited - Beijing Branch", ("china", "telecom", "beijing"), ("corporation", "limited")),
    ("Société Générale", ("societe", "generale"), ()),
])
def test_name_forms(rules, written, tokens, legal):
    form = rules.form(written)
    assert form.tokens == tokens
    assert form.legal == legal


def test_a_form_that_is_an_ordinary_word_counts_only_at_an_edge(rules):
    assert rules.form("Tiger AS").legal == ("as",)  # Norwegian AS, last
    assert rules.form("AS Tallinna Vesi").legal == ("as",)  # Estonian AS, first
    inside = rules.form("Bread As Art Bakery")
    assert "as" in inside.tokens and not inside.legal


def test_a_name_made_only_of_legal_forms_keeps_its_words(rules):
    assert rules.form("Limited").tokens == ("limited",)


def test_cyrillic_reads_as_the_lists_romanise_it(rules):
    assert rules.form("Лаборатория Касперского").tokens == ("laboratoriya", "kasperskogo")
    assert rules.form("ЗАО Химпром").tokens == ("khimprom",)


@pytest.mark.parametrize("a, b, similarity", [
    ("huawei", "hauwei", 5 / 6),  # a swap in six letters
    ("aztech", "aztec", SHORT_TYPO),  # a typo in five letters counts for little
    ("construction", "constrution", 11 / 12),
    ("rosoboronexport", "rosoboroneksport", 14 / 16),
    ("telecom", "telecon", 6 / 7),
    ("li", "lu", 0.0),  # three letters or fewer forgive nothing
    ("mohammed", "mohamed", 0.9),  # a doubled letter
])
def test_typo_tolerance_scales_with_length(a, b, similarity):
    assert word_similarity(a, b) == pytest.approx(similarity)
    assert allowed_edits(3) == 0 and allowed_edits(5) == 1 and allowed_edits(8) == 1 and allowed_edits(12) == 2


def _entry(code, entry_id, name, aliases=(), kind="entity", countries=(), addresses=(), identifiers=()):
    return ListEntry(code, f"{code} list", entry_id, name, tuple(aliases), kind, countries=tuple(countries),
                     addresses=tuple(addresses), identifiers=tuple(identifiers))


@pytest.fixture(scope="module")
def index(rules):
    entries = [
        _entry("CMIC", "30882", "China Telecom Corporation Limited", ["CHINA TELECOM CO., LTD"], countries=["CN"],
               addresses=[Address("31 Jinrong Street, Xicheng District, Beijing, 100033, CN", country_code="CN")],
               identifiers=[ListIdentifier("USCC", "9111000071093019X7", "CN")]),
        _entry("EL", "e1", "Haji Khalil Construction Company", countries=["AF"]),
        _entry("SDN", "306", "BANCO NACIONAL DE CUBA", ["NATIONAL BANK OF CUBA"], countries=["CU"]),
        _entry("SDN", "9001", "LI, Wei", kind="individual", countries=["CN"]),
        _entry("SSI", "17013", "ROSOBORONEXPORT OAO", ["ROSOBORONEKSPORT", "ROSOBORONEXPORT JSC"], countries=["RU"]),
        _entry("EL", "e2", "Hangzhou Haikang Weishi Digital Technology Co., Ltd.", countries=["CN"]),
        _entry("EL", "e3", "Aztec Trading International", countries=["AE"]),
    ] + [_entry("EL", f"filler{i}", f"Filler{i} Technology International Trading Group") for i in range(30)]
    return ListIndex(entries, rules)


def _best(index, party):
    found = index.match(party)
    return (found[0].entry.entry_id, found[0].score) if found else (None, 0.0)


@pytest.mark.parametrize("party, entry", [
    (Party("China Telecom Corp Ltd"), "30882"),
    (Party("中国电信股份有限公司"), "30882"),
    (Party("Telecom China Corporation"), "30882"),  # word order
    (Party("Hajji Khalil Construction Co"), "e1"),  # a doubled letter is one transliteration spelt two ways
    (Party("National Bank of Cuba SA"), "306"),  # an alias
    (Party("Wei LI"), "9001"),
    (Party("Rosoboroneksport JSC"), "17013"),
    (Party("Hai Kang Wei Shi Digital Technology"), "e2"),  # pinyin written apart
    (Party("杭州海康威视数字技术股份有限公司"), "e2"),
])
def test_listed_parties_are_found(index, party, entry):
    found, score = _best(index, party)
    assert found == entry
    assert score >= REVIEW


@pytest.mark.parametrize("party", [
    Party("Telecom Italia S.p.A."),
    Party("Aztech Systems Ltd"),  # lookalike of Aztec: five letters forgive no typo
    Party("Li Ming"),  # a common surname, another person
    Party("Wang Wei"),
    Party("International Trading Group LLC"),  # only words frequent across the list
    Party("Cuba Libre Bar"),
])
def test_lookalikes_and_common_names_stay_clear(index, party):
    assert _best(index, party)[0] is None


def test_extra_words_a_master_file_adds_still_match(index):
    found, score = _best(index, Party("CHINA TELECOM CORPORATION LIMITED BEIJING BRANCH"))
    assert found == "30882" and score >= REVIEW


def test_country_corroborates_and_contradicts(index):
    same = index.match(Party("China Telecom", country="CN"))[0]
    other = index.match(Party("China Telecom", country="BR"))[0]
    assert same.features["country"] == 1.0 and other.features["country"] == 0.0
    assert same.score > other.score


def test_an_address_confirms_a_partial_name(index):
    bare = index.match(Party("China Telecom Americas"))
    placed = index.match(Party("China Telecom Americas", address="31 Jinrong Street", city="Beijing"))
    assert placed[0].features["address"] == 1.0
    assert placed[0].score > (bare[0].score if bare else 0)


def test_an_identifier_decides_even_when_the_names_differ(index):
    found = index.match(Party("CTC Holding", identifiers=("9111000071093019X7",)))
    assert found[0].entry.entry_id == "30882" and found[0].features["identifier"] == 1.0 and found[0].score >= MATCH


def test_a_company_against_a_listed_person_is_lowered(index):
    person = index.match(Party("Li Wei"))[0]
    company = index.match(Party("Li Wei Trading Co., Ltd."))
    assert not company or company[0].score < person.score


def test_every_match_explains_its_score(index):
    m = index.match(Party("National Bank of Cuba", country="CU"))[0]
    assert "alias" in m.features and "country" in m.features
    assert "NATIONAL BANK OF CUBA" in m.explanation and "country CU" in m.explanation


def test_a_chinese_name_has_a_translated_and_a_pinyin_form(rules):
    translated, spoken = rules.forms("中兴通讯股份有限公司")
    assert translated.tokens == ("zhongxing", "communication") and spoken.tokens == ("zhongxing", "tongxun")
    assert rules.forms("Huawei") == [rules.form("Huawei")]


def test_a_russian_name_has_a_romanised_and_an_english_form(rules):
    romanised, english = rules.forms("ОАО «Российские железные дороги»")
    assert romanised.tokens == ("rossiiskie", "zheleznye", "dorogi") and english.tokens == ("russian", "railways")
    assert english.legal == ("oao",)


def test_a_listed_chinese_organisation_is_found_by_its_chinese_name(rules):
    index = ListIndex([_entry("CMIC", "30949", "INSPUR GROUP CO., LTD.", countries=["CN"]),
                       _entry("EL", "x", "Inspiration Trading Group")], rules)
    found = index.match(Party("浪潮集团有限公司", city="济南", country="CN"))
    assert found and found[0].entry.entry_id == "30949" and found[0].score >= MATCH
    assert "party_cjk_names.yaml" in found[0].explanation and "medium" in found[0].explanation


def test_words_that_repeat_the_row_s_city_weigh_little(index):
    plain = index.match(Party("China Telecom Moscow"))
    placed = index.match(Party("China Telecom Moscow", city="Moscow"))
    assert placed and placed[0].score > (plain[0].score if plain else 0.0)


def test_a_one_word_alias_must_be_most_of_the_name(rules):
    index = ListIndex([_entry("SDN", "15905", "MARIA III", ["SUNRISE"], kind="vessel")], rules)
    assert not index.match(Party("Sunrise Medical LLC"))
    assert index.match(Party("SUNRISE"))[0].entry.entry_id == "15905"


@pytest.mark.parametrize("written, iso", [
    ("1962", "1962"), ("1980-02-08", "1980-02-08"), ("10 Dec 1948", "1948-12-10"), ("circa 1955", "1955"),
    ("12-Feb-1973", "1973-02-12"), ("01/09/1986", "1986"), ("Dec 1948", "1948"), ("unknown", ""),
])
def test_dates_of_birth_read_as_the_lists_and_files_write_them(written, iso):
    from covscan.lists.births import birth_date

    assert birth_date(written) == iso


def test_a_date_of_birth_corroborates_or_contradicts_a_listed_person(rules):
    index = ListIndex([_entry("SDN", "22623", "SUN, Wei", kind="individual", countries=["CN"])], rules)
    index.entries[0] = ListEntry("SDN", "SDN list", "22623", "SUN, Wei", (), "individual", births=("1982-07-01",))
    same = index.match(Party("Wei Sun", birth="1982-07-01"))[0]
    assert same.features["date_of_birth"] == 1.0 and "is the listing's" in same.explanation
    assert index.match(Party("Wei Sun", birth="1982"))[0].features["date_of_birth"] == 0.5
    other = index.match(Party("Wei Sun", birth="1990-03-03"))
    assert not other or (other[0].features["date_of_birth"] == 0.0 and other[0].score < same.score)
