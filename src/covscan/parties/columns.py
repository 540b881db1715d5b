"""The columns of customer, supplier and order files: which one holds the party's name, address,
country, identifiers, and, on order lines, the item's ECCN or HTS code, the destination and the end use.

Headers are those of ERP and CRM exports (SAP business partners, Oracle and NetSuite vendor and
customer masters, Salesforce accounts, order-line extracts); a column whose header says nothing is
recognised by its values where they are unmistakable (ECCNs, ISO country codes, HTS codes).
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from covscan.sources.columns import Vocabulary

HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "name": ("name", "name1", "name2", "name3", "bpname1", "bpname2", "businesspartnername2", "partyname", "customername", "customer", "suppliername", "supplier", "vendorname",
             "vendor", "companyname", "company", "accountname", "account", "businesspartnername",
             "businesspartnername1", "bpname", "legalname", "registeredname", "organisation", "organization",
             "organizationname", "entityname", "entity", "counterparty", "counterpartyname", "consignee",
             "consigneename", "endusername", "enduser", "buyer", "buyername", "soldto", "soldtoname", "shipto",
             "shiptoname", "billto", "payee", "payeename", "beneficiary", "beneficiaryname", "fullname", "person",
             "contactname", "party", "tradingpartner", "partner", "partnername", "firm", "firmname",
             "customer/suppliername", "name/companyname"),
    "family_name": ("lastname", "surname", "familyname", "last", "nachname", "surnames", "lname", "apellido", "apellidos"),
    "given_name": ("firstname", "givenname", "givennames", "givenname(s)", "first", "forename", "forenames", "fname",
                   "middlename", "othernames", "vorname", "nombre"),
    "alias": ("alias", "aka", "alternatename", "alternativename", "tradename", "dba",
              "doingbusinessas", "formername", "localname", "nameinlocallanguage", "chinesename", "nativename",
              "namelocal", "companynamelocal", "shortname", "searchterm", "searchterm1"),
    "address": ("address", "street", "streetaddress", "address1", "addressline1", "addressline", "address2",
                "addressline2", "street1", "street2", "housenumberandstreet", "registeredaddress", "billingaddress",
                "shippingaddress", "fulladdress", "postaladdress", "mailingaddress", "billingstreet", "shippingstreet"),
    "city": ("city", "town", "town/city", "city/town", "locality", "billingcity", "shippingcity", "municipality"),
    "country": ("country", "countrycode", "countryregion", "country/region", "countryname", "billingcountry",
                "shippingcountry", "iso", "isocountry", "countryiso", "nationality", "citizenship", "land",
                "countryofregistration", "countryofincorporation", "domicile"),
    "identifier": ("taxid", "taxnumber", "taxno", "vat", "vatid", "vatnumber", "vatno", "registrationnumber",
                   "registrationno", "registrationno.", "companynumber", "companyregistrationnumber", "duns",
                   "dunsnumber", "lei", "uscc", "unifiedsocialcreditcode", "inn", "ogrn", "ein", "tin",
                   "nationalid", "passport", "passportnumber", "idnumber", "businessregistrationnumber", "crn",
                   "imo", "imonumber", "swift", "swiftcode", "bic"),
    "record_id": ("customerid", "customerno", "customernumber", "customer#", "customercode", "vendorid", "vendorno",
                  "vendornumber", "vendor#", "vendorcode", "supplierid", "supplierno", "suppliernumber", "supplier#",
                  "suppliercode", "accountid", "accountnumber", "accountno", "bpnumber", "businesspartner", "businesspartnernumber",
                  "businesspartner#", "partnerid", "partyid", "id", "recordid", "kunnr", "lifnr", "debtor", "creditor",
                  "orderid", "ordernumber", "orderno", "salesorder", "line", "lineid", "linenumber", "item", "itemno"),
    "date_of_birth": ("dateofbirth", "dob", "birthdate", "birthday", "dateofbirthddmmyyyy", "geburtsdatum",
                      "fechadenacimiento", "bornon"),
    "eccn": ("eccn", "exportcontrolclassificationnumber", "exportclassification", "eccncode", "classification",
             "exportcontrolnumber", "usml", "eccn/usml"),
    "hs_code": ("hscode", "htscode", "hts", "hs", "harmonizedcode", "harmonizedtariffcode", "tariffcode",
                "commoditycode", "htsus", "scheduleb", "htsnumber", "customscode"),
    "destination": ("destination", "destinationcountry", "shiptocountry", "countryofdestination", "ultimatedestination",
                    "shipcountry", "deliverycountry", "consigneecountry", "endusercountry"),
    "end_use": ("enduse", "intendeduse", "enduserstatement", "purpose", "application", "usage", "enduseractivity"),
}
HEADER_WORDS: tuple[tuple[str, frozenset[str]], ...] = (
    ("eccn", frozenset({"eccn"})),
    ("hs_code", frozenset({"hs", "hts", "harmonized", "tariff"})),
    ("destination", frozenset({"destination"})),
    ("identifier", frozenset({"tax", "vat", "registration", "duns", "lei", "passport"})),
    ("address", frozenset({"address", "street"})),
    ("city", frozenset({"city", "town"})),
    ("country", frozenset({"country", "nation"})),
    ("alias", frozenset({"alias", "aka", "dba"})),
    ("family_name", frozenset({"surname", "lastname"})),
    ("given_name", frozenset({"forename", "given", "firstname"})),
    ("date_of_birth", frozenset({"birth", "dob"})),
    ("record_id", frozenset({"id", "number", "no", "code", "num"})),
    ("name", frozenset({"name", "customer", "supplier", "vendor", "company", "partner", "party", "consignee"})),
)
# `name` may take a second column: SAP's Name 1 / Name 2 split one name over two fields.
PARTY_FIELDS = Vocabulary(HEADER_NAMES, HEADER_WORDS, multi=frozenset({"name", "alias", "address", "identifier", "given_name"}),
                          screening=frozenset({"name", "alias", "identifier", "family_name", "given_name"}))

_ECCN = re.compile(r"^\s*(?:[0-9][A-E][0-9]{3}(?:\.[a-z0-9.]+)?|EAR99)\s*$", re.I)
_HTS = re.compile(r"^\s*[0-9]{4}(?:\.?[0-9]{2}){1,3}\s*$")


def guess_party_column(column: str, values: Sequence[str]) -> tuple[str, str] | None:
    """A column whose values are ECCNs or HTS codes, whatever its header (three in four values)."""
    values = [v for v in values if v and v.strip()]
    if len(values) < 2:
        return None
    for kind, pattern, what in (("eccn", _ECCN, "ECCNs"), ("hs_code", _HTS, "HTS codes")):
        if sum(bool(pattern.match(v)) for v in values) >= 0.75 * len(values):
            return kind, what
    return None
