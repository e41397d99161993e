"""Codes people read aloud or copy from a board: no look-alike characters."""

import secrets

# No 0/O or 1/I/L: nothing a student can misread from a projector.
JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8

# Return codes are three short words a student can write down and say out loud.
RETURN_WORDS = (
    "amber apple arrow badge basin berry birch blaze bloom brave brick brook cabin candle canoe "
    "cedar chalk cliff cloud clover comet coral crane creek crown daisy delta dune eagle ember "
    "fable fern field flame flint forest fox frost garden glade globe grape harbor hazel heron "
    "hill honey island ivory jade jasmine kettle kite lagoon lake lantern lemon lilac linen "
    "lotus maple marble meadow melon mint moon moss nectar north oak oasis ocean olive orbit "
    "otter owl palm panda pearl pebble pepper pine planet plum pond poppy prism quartz quill "
    "rain raven reef ridge river robin rose sage sail salmon sand shell silver sky slate snow "
    "spark spruce star stone storm summit sun swan thistle thunder tiger timber topaz torch "
    "tulip valley velvet violet walnut wave willow wind winter wolf wren yarrow zephyr"
).split()


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


# Student.return_code is a VARCHAR(20); three 7-letter words would not fit (PostgreSQL refuses them).
RETURN_CODE_MAX = 20


def new_return_code() -> str:
    """Three random short words joined by dashes, e.g. 'maple-otter-quill', at most RETURN_CODE_MAX long."""
    while True:
        code = "-".join(secrets.choice(RETURN_WORDS) for _ in range(3))
        if len(code) <= RETURN_CODE_MAX:
            return code


def normalise_return_code(text: str) -> str:
    """Lower-case words joined by single dashes, whatever separators were typed."""
    words = "".join(ch if ch.isalpha() else " " for ch in (text or "").lower()).split()
    return "-".join(words)
