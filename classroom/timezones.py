"""Times in the school's time zone: teachers type and read dates there, the database keeps UTC."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; treat them as the UTC they were stored as."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def school_zone(name: str | None) -> tzinfo:
    """The time zone teachers type dates in (a config setting); UTC when unset or unknown."""
    if not name or name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def zone_name() -> str:
    """The configured SCHOOL_TIMEZONE, as shown next to every date."""
    return current_app.config.get("SCHOOL_TIMEZONE") or "UTC"


def current_zone() -> tzinfo:
    """The running app's school time zone."""
    return school_zone(current_app.config.get("SCHOOL_TIMEZONE"))


def local_to_utc(moment: datetime | None, zone: tzinfo) -> datetime | None:
    """A date typed in the school's time zone (naive, from datetime-local) as aware UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=zone).astimezone(UTC)


@overload
def utc_to_local(moment: datetime, zone: tzinfo) -> datetime: ...
@overload
def utc_to_local(moment: None, zone: tzinfo) -> None: ...
def utc_to_local(moment: datetime | None, zone: tzinfo) -> datetime | None:
    """A stored time in the school's zone, naive, ready for a datetime-local input."""
    if moment is None:
        return None
    return as_utc(moment).astimezone(zone).replace(tzinfo=None)


def school_time(moment: datetime | None) -> str:
    """A stored time as the teacher reads it: 'Tue 1 Dec 2026, 09:00 (UTC)'."""
    local = utc_to_local(moment, current_zone())
    if local is None:
        return ""
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} ({zone_name()})"
