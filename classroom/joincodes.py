"""Codes people read aloud or copy from a board: no look-alike characters."""

import secrets
from importlib import resources

# No 0/O or 1/I/L: nothing a student can misread from a projector.
JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8


def _load_return_words() -> tuple[str, ...]:
    text = resources.files("classroom").joinpath("data/return_words.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


# Return codes are the class's number and four short common words a student can write down and say out
# loud, e.g. "12-otter-quill-lunar-tulip". The words alone give RETURN_CODE_SPACE codes in every class, so a
# guess at one class's codes is hopeless, and the number says which class's sign-in throttle a guess counts
# against.
RETURN_WORDS = _load_return_words()
RETURN_CODE_WORDS = 4
RETURN_CODE_SPACE = len(RETURN_WORDS) ** RETURN_CODE_WORDS


def new_join_code() -> str:
    """A random 8-character class join code."""
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


# An assignment's student link: 10 characters of the same alphabet, about 49 bits, so it cannot be
# guessed (failed tries are rate limited too) and can still be typed from a projector.
LINK_TOKEN_LENGTH = 10


def new_link_token() -> str:
    """A random token for an assignment's student link."""
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(LINK_TOKEN_LENGTH))


def normalise_join_code(text: str) -> str:
    """Accept what a student typed: any case, with spaces or dashes."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


# Student.return_code is a VARCHAR(40): a class number of up to 10 digits (a database integer) and four words.
RETURN_CODE_MAX = 40


def new_return_code(class_id: int) -> str:
    """The class number and four random words joined by dashes, e.g. '12-otter-quill-lunar-tulip'."""
    return "-".join([str(class_id), *(secrets.choice(RETURN_WORDS) for _ in range(RETURN_CODE_WORDS))])


def normalise_return_code(text: str) -> str:
    """Lower-case number and words joined by single dashes, whatever case and separators were typed."""
    parts = "".join(ch if ch.isascii() and ch.isalnum() else " " for ch in (text or "").lower()).split()
    return "-".join(parts)[:RETURN_CODE_MAX]


def class_number_of(code: str) -> int | None:
    """The class number a (normalised) return code starts with, or None when it does not start with one."""
    first = code.split("-", 1)[0]
    if first.isascii() and first.isdigit() and len(first) <= 10:
        number = int(first)
        # No class id is bigger than a database integer; looking one up fails the query on PostgreSQL.
        return number if number <= 2**31 - 1 else None
    return None
