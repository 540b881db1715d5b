"""Which input column feeds which screening field: common header names, or --map field=column."""
from __future__ import annotations

import re
from collections.abc import Sequence

from covscan.evidence import IDENTITY_FIELDS, SCREENING_FIELDS
from covscan.sources.base import InputError

# Header names are compared lower-cased with everything but letters and digits removed.
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "vendor": ("vendor", "vendorname", "oem", "supplier name", "macvendor", "hwvendor"),
    "manufacturer": ("manufacturer", "manufacturername", "mfr", "mfg", "maker", "make", "producer", "mfrname"),
    "brand": ("brand", "brandname", "trademark", "label"),
    "model": ("model", "modelnumber", "modelno", "modelname", "partnumber", "partno", "pn", "mpn", "productmodel",
              "hardwaremodel", "hwmodel", "devicemodel", "model#", "part"),
    "mac": ("mac", "macaddress", "macaddr", "hwaddress", "hardwareaddress", "ethernetaddress", "physicaladdress", "ethmac"),
    "fcc_id": ("fccid", "fcc", "fccidentifier", "fccidnumber", "containsfccid", "modulefccid"),
    "sysobjectid": ("sysobjectid", "snmpsysobjectid", "objectid", "oid", "enterprisenumber", "pen"),
    "usb_id": ("usbid", "usbvendorid", "vid", "usbvid", "pcivendorid", "vendorid", "hardwareid", "deviceid"),
    "software": ("software", "softwarename", "application", "app", "program", "installedsoftware", "package",
                 "antivirus", "avproduct", "securitysoftware", "endpointprotection"),
    "service_provider": ("serviceprovider", "provider", "carrier", "isp", "telecomprovider", "circuitprovider",
                         "telecomcarrier", "serviceprovidername"),
    "description": ("description", "desc", "title", "producttitle", "productname", "productdescription",
                    "itemdescription", "item", "listingtitle", "name", "product", "devicename", "notes"),
    "category": ("category", "productcategory", "devicetype", "type", "assettype", "devicecategory", "class",
                 "producttype"),
    "country": ("countryoforigin", "coo", "origin", "madein", "countryofmanufacture", "countryofproduction",
                "manufacturingcountry", "country", "countryoforiginiso"),
    "use": ("use", "intendeduse", "usage", "purpose", "deployment", "enduse"),
    "serial": ("serial", "serialnumber", "sn", "serialno", "serial#"),
    "asset_id": ("assetid", "assettag", "asset", "assetnumber", "tag", "id", "inventoryid", "sku", "listingid"),
}
FIELDS = tuple(HEADER_NAMES)


def _key(header: str) -> str:
    return re.sub(r"[^0-9a-z#]", "", header.casefold())


def map_columns(columns: Sequence[str], overrides: dict[str, str], source: str) -> dict[str, str]:
    """Field -> column. Overrides win; each column feeds at most one field."""
    for field, column in overrides.items():
        if field not in FIELDS:
            raise InputError(f"--map {field}={column}: unknown field {field!r}; fields: {', '.join(FIELDS)}")
        if column not in columns:
            raise InputError(f"--map {field}={column}: {source} has no column {column!r}; columns: {', '.join(columns)}")
    mapping = dict(overrides)
    used = set(overrides.values())
    keyed = {_key(c): c for c in reversed(columns)}  # first column wins on equal keys
    for field, names in HEADER_NAMES.items():
        if field in mapping:
            continue
        for name in names:
            column = keyed.get(_key(name))
            if column is not None and column not in used:
                mapping[field] = column
                used.add(column)
                break
    if not any(f in SCREENING_FIELDS for f in mapping):
        readable = ", ".join(f for f in FIELDS if f not in IDENTITY_FIELDS or f == "mac")
        raise InputError(
            f"{source}: none of the columns ({', '.join(columns)}) is one covscan reads; name them "
            f"({readable}) or map them with --map field=column"
        )
    return mapping
