"""Times in the film, written H:MM:SS or M:SS, stored as whole seconds."""

import re

FILM_SECONDS = 90 * 60

_TIME = re.compile(r"^(?:(\d{1,2}):)?(\d{1,3}):(\d{2})$")


class FilmTimeError(ValueError):
    """A time that is not a moment in the film; the message is shown next to the field."""


def format_film_time(seconds: int) -> str:
    """Seconds as H:MM:SS, the way a teacher reads a player's clock."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def parse_film_time(text: str, limit: int = FILM_SECONDS) -> int:
    """Parse H:MM:SS or M:SS into seconds between 0 and limit, or raise FilmTimeError."""
    allowed = f"Use H:MM:SS or M:SS, between 0:00 and {format_film_time(limit)}."
    match = _TIME.match((text or "").strip())
    if not match:
        raise FilmTimeError(f"That is not a time in the film. {allowed}")
    hours, minutes, secs = (int(part) if part else 0 for part in match.groups())
    if secs > 59 or (match.group(1) is not None and minutes > 59):
        raise FilmTimeError(f"Minutes and seconds go up to 59. {allowed}")
    total = hours * 3600 + minutes * 60 + secs
    if total > limit:
        raise FilmTimeError(f"The film is only {format_film_time(limit)} long. {allowed}")
    return total
