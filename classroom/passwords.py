"""Password hashing with Argon2id."""

from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_strong = PasswordHasher()
# Tests hash hundreds of passwords; the cheap parameters keep the suite fast.
_fast = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def _hasher() -> PasswordHasher:
    return _fast if current_app.config.get("PASSWORD_HASH_FAST") else _strong


def hash_password(password: str) -> str:
    """An Argon2id hash of the password."""
    return _hasher().hash(password)


def check_password(password_hash: str, password: str) -> bool:
    """True when the password matches the stored hash."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# What a hash of this module's settings costs to verify, for an email that has no account: log-in does the
# same work whether or not the address exists, so its timing tells nobody which teachers have accounts.
# Hashes of a password nobody has, with _strong's and _fast's parameters (a test checks they still match).
_DUMMY_STRONG = "$argon2id$v=19$m=65536,t=3,p=4$vi2hz/ZuOLUnOC8Hccw88A$hxMdUD2w1iMGlnAwKLC9jDhQEMRHCjomFma/LIJs0xE"
_DUMMY_FAST = "$argon2id$v=19$m=1024,t=1,p=1$HKASOXCXz8g5WEyqIK6xqQ$EeddAz9RFdYqDADqR4XlGCE4L/pX9m9c3oR0AG7Inrw"


def dummy_hash() -> str:
    """A hash with the current hasher's parameters of a password nobody has."""
    return _DUMMY_FAST if current_app.config.get("PASSWORD_HASH_FAST") else _DUMMY_STRONG


def check_password_of_nobody(password: str) -> bool:
    """The work of check_password for an account that does not exist; always False."""
    check_password(dummy_hash(), password)
    return False


def _load_common() -> frozenset[str]:
    text = resources.files("classroom").joinpath("data/common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


COMMON_PASSWORDS = _load_common()
# The app's and the film's own words: the first a stranger would try on this site.
APP_WORDS = frozenset(
    {"red", "soul", "redsoul", "theredsoul", "classroom", "stalin", "gorter", "jessica", "demo", "film", "documentary"}
)
# Digits and symbols people put in place of letters ("p@ssw0rd").
_UNLEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})

_PADDING = "0123456789!@#$%^&*()-_=+.,;:?~'\" "

COMMON_PASSWORD = (
    "That password is one of the most common ones, among the first anyone would try. "
    "Choose another: a short sentence of your own is easy to remember and hard to guess."
)
APP_PASSWORD = (
    "That password is made of this app's or the film's own words, the first anyone would try here. "
    "Choose another: a short sentence of your own is easy to remember and hard to guess."
)
PERSONAL_PASSWORD = (
    "That password is made of your email address or your name, the first thing anyone would try. "
    "Choose another: a short sentence of your own is easy to remember and hard to guess."
)


def _letters(text: str) -> str:
    return "".join(ch for ch in text.lower().translate(_UNLEET) if "a" <= ch <= "z")


def _leftover(letters: str, words: set[str] | frozenset[str]) -> str:
    """The letters left once every listed word in them is taken out, longest words first."""
    for word in sorted(words, key=len, reverse=True):
        if len(word) >= 3:
            letters = letters.replace(word, "")
    return letters


def password_problem(password: str, email: str = "", name: str = "") -> str | None:
    """Why this password is too easy to guess (common, the app's words, the email or name), or None."""
    lowered = (password or "").strip().lower()
    digits = "".join(ch for ch in lowered if ch.isascii() and ch.isalnum())
    if not any("a" <= ch <= "z" for ch in lowered):
        # Digits and symbols only: refuse runs and repeats ("1234567890", "1111111111", "0987654321").
        if len(set(digits)) <= 2 or digits in "01234567890123456789" or digits in "98765432109876543210":
            return COMMON_PASSWORD
        return None
    email = (email or "").strip().lower()
    if email and (lowered == email or digits == "".join(ch for ch in email if ch.isalnum())):
        return PERSONAL_PASSWORD
    # Digits and symbols before or after the words add little ("stalin1953!!" is "stalin").
    letters = _letters(lowered.strip(_PADDING))
    if len(set(letters)) <= 2 or len(_leftover(letters, COMMON_PASSWORDS)) < 4:
        return COMMON_PASSWORD
    if len(_leftover(letters, COMMON_PASSWORDS | APP_WORDS)) < 4:
        return APP_PASSWORD
    personal = {_letters(part) for part in [email.split("@")[0], *email.split("@")[0].split("."), *name.split()]}
    if len(_leftover(letters, COMMON_PASSWORDS | APP_WORDS | {p for p in personal if p})) < 4:
        return PERSONAL_PASSWORD
    return None
