"""SNMP sysDescr.0 and sysObjectID.0 with the credentials the user gives (v2c community or v3 user)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pysnmp.hlapi.v3arch.asyncio import (
    CommunityData,
    ContextData,
    ObjectIdentity,
    ObjectType,
    SnmpEngine,
    UdpTransportTarget,
    UsmUserData,
    get_cmd,
    usmAesCfb128Protocol,
    usmHMACSHAAuthProtocol,
)

SYS_DESCR, SYS_OBJECT_ID = "1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0"


@dataclass(frozen=True)
class SnmpCredentials:
    community: str | None = None
    user: str | None = None
    auth_key: str | None = None
    priv_key: str | None = None

    def auth(self) -> CommunityData | UsmUserData | None:
        if self.user:
            return UsmUserData(
                self.user, self.auth_key, self.priv_key,
                authProtocol=usmHMACSHAAuthProtocol if self.auth_key else None,
                privProtocol=usmAesCfb128Protocol if self.priv_key else None,
            )
        if self.community:
            return CommunityData(self.community, mpModel=1)
        return None


async def snmp_probe(ip: str, timeout: float, credentials: SnmpCredentials, engine: SnmpEngine) -> dict[str, Any]:
    auth = credentials.auth()
    if auth is None:
        return {}
    target = await UdpTransportTarget.create((ip, 161), timeout=timeout, retries=0)
    error, status, _, binds = await get_cmd(engine, auth, target, ContextData(), ObjectType(ObjectIdentity(SYS_DESCR)), ObjectType(ObjectIdentity(SYS_OBJECT_ID)))
    if error or status:
        return {}
    found: dict[str, Any] = {"service": "snmp"}
    for oid, value in binds:
        if str(oid) == SYS_DESCR:
            found["snmp_sysdescr"] = " ".join(str(value).split())
        elif str(oid) == SYS_OBJECT_ID:
            found["snmp_sysobjectid"] = str(value)
    return found
