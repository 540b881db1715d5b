"""Active discovery of the targets the user names (see runner.Discovery)."""
from covscan.discover.runner import DEFAULT_PORTS, DiscoverOptions, discover
from covscan.discover.snmp import SnmpCredentials
from covscan.discover.targets import Scope

__all__ = ["DEFAULT_PORTS", "DiscoverOptions", "Scope", "SnmpCredentials", "discover"]
