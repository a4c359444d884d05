"""The time zones people may choose: plain Python, so settings can check TIME_ZONE with the same list."""

from __future__ import annotations

import functools
import zoneinfo

# Files in the system's zone database that are not places: "localtime" is a link to whatever zone
# the server runs in, "Factory" a placeholder. Neither may be offered, imported or stored.
NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})


@functools.cache
def time_zone_names() -> frozenset[str]:
    """The IANA zones people may choose (for lists and validation alike)."""
    return frozenset(zoneinfo.available_timezones() - NOT_PLACES)
