"""Country names and codes as the lists write them, to ISO 3166-1 alpha-2. OFAC writes its own short
names ("Russia", "Korea, North", "Burma", "Palestinian"); the CSL writes codes. An exact index (not
pycountry's fuzzy search) so that a city, a postal code or an acronym is never taken for a country."""
from __future__ import annotations

import pycountry

# Names the lists use that pycountry does not know, and places with a code outside ISO 3166-1
# (Kosovo's XK is the user-assigned code the US Government and the EU use).
ALIASES = {
    "russia": "RU", "korea, north": "KP", "north korea": "KP", "korea, south": "KR", "south korea": "KR",
    "burma": "MM", "turkey": "TR", "iran": "IR", "syria": "SY", "taiwan": "TW", "hong kong": "HK", "macau": "MO",
    "macao": "MO", "kosovo": "XK", "palestinian": "PS", "palestinian authority": "PS", "west bank": "PS", "gaza": "PS",
    "region: gaza": "PS", "region: northern mali": "ML", "congo, democratic republic of the": "CD",
    "congo, republic of the": "CG", "the gambia": "GM", "gambia, the": "GM", "bahamas, the": "BS", "the bahamas": "BS",
    "cote d ivoire": "CI", "ivory coast": "CI", "brunei": "BN", "cape verde": "CV", "swaziland": "SZ",
    "macedonia": "MK", "macedonia, the former yugoslav republic of": "MK", "man, isle of": "IM",
    "micronesia, federated states of": "FM", "vatican city": "VA", "laos": "LA", "vietnam": "VN",
    "virgin islands, british": "VG", "virgin islands, u.s.": "VI", "czech republic": "CZ",
}
EXTRA_CODES = frozenset({"XK"})


def _index() -> dict[str, str]:
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                names[value.casefold()] = country.alpha_2
    return {**names, **ALIASES}


_NAMES = _index()
_CODES = frozenset(c.alpha_2 for c in pycountry.countries) | EXTRA_CODES


def country_code(text: str) -> str:
    """The alpha-2 code of a country name or code; "" when it names no country (or a region whose
    status the code would misstate: "Region: Crimea", "undetermined")."""
    text = text.strip()
    if len(text) == 2 and text.isupper():
        return text if text in _CODES else ""
    return _NAMES.get(text.casefold(), "")
