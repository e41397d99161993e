"""Flags that point a teacher at a reflection worth a closer look, computed here without any cloud service.

A flag never blocks a student: it only moves the reflection up the queue and says why.
"""

from __future__ import annotations

import bisect
import html
import itertools
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

import bleach
from markupsafe import Markup, escape

from ..sanitize import ALLOWED_TAGS, user_html

if TYPE_CHECKING:
    from ..models import Reflection

MAX_MATCHES_PER_KIND = 10

REASONS = {
    "word": "Strong language or a slur from the built-in list",
    "teacher_word": "A word from your own flag list",
    "email": "Looks like an email address",
    "phone": "Looks like a phone number",
    "address": "Looks like a street address",
    "link": "Contains a link or web address",
    "classmate": "Names a classmate together with an insult",
    "full_name": "Looks like a person’s full name",
}
# The order kinds are listed in, most serious first.
KINDS = tuple(REASONS)


@dataclass(frozen=True)
class Match:
    kind: str
    start: int
    end: int
    text: str


# --- word lists -------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Fold ё into е (same length, so match positions still point into the original text)."""
    return text.replace("ё", "е").replace("Ё", "Е")


def parse_word_list(text: str) -> list[str]:
    """Words from a one-per-line list: trimmed, without blanks, comments or repeats (first spelling kept)."""
    words, seen = [], set()
    for line in (text or "").splitlines():
        word = " ".join(line.split())
        if not word or word.startswith("#"):
            continue
        key = _fold(word).casefold()
        if key not in seen:
            seen.add(key)
            words.append(word)
    return words


@lru_cache(maxsize=1)
def builtin_words() -> tuple[str, ...]:
    """The short built-in list shipped in classroom/data/flag_words.txt."""
    text = resources.files("classroom").joinpath("data/flag_words.txt").read_text(encoding="utf-8")
    return tuple(parse_word_list(text))


@lru_cache(maxsize=256)
def _word_pattern(words: tuple[str, ...]) -> re.Pattern | None:
    """Whole-word matcher for the words, so a word hidden inside an innocent one ("Scunthorpe") never matches."""
    if not words:
        return None
    # Longest first, so "motherfucker" wins over "fucker"; spaces inside phrases match any whitespace.
    alternatives = sorted({_fold(w) for w in words}, key=len, reverse=True)
    body = "|".join(r"\s+".join(re.escape(part) for part in w.split()) for w in alternatives)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


def _word_matches(text: str, words: tuple[str, ...], kind: str) -> list[Match]:
    pattern = _word_pattern(words)
    if pattern is None:
        return []
    folded = _fold(text)
    return [Match(kind, m.start(), m.end(), text[m.start() : m.end()]) for m in pattern.finditer(folded)]


# --- personal data ----------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+(?:@|\s*\((?:at|собака)\)\s*)[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?!\w)",
    re.IGNORECASE,
)

# A run of digits with the separators people type in phone numbers. Colons and commas are not among
# them, so film times (1:30:00) and counts (20,000,000) never start a candidate.
_PHONE_CANDIDATE = re.compile(r"(?<![\w+])\+?\(?\d(?:[ \t().\-–]{0,3}\d)+\)?(?![\w])")
_DATE = re.compile(r"^\d{1,4}[./\-–]\d{1,2}[./\-–]\d{1,4}$")
_YEAR_RANGE = re.compile(r"^(?:1[0-9]|20)\d\d(?:\s*[\-–]\s*|\s+)(?:1[0-9]|20)\d\d$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:[ .]\d{3})+$")

_STREET_WORDS = (
    r"Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Way|Close|Court|Ct|Place|Pl|"
    r"Square|Sq|Terrace|Crescent|Highway|Hwy|Prospekt|Prospect|Ulitsa|Embankment"
)
# Every pattern below runs on what a student typed, so each one must take time in proportion to the
# text: a word is taken whole (possessive `*+`, never given back character by character), words are
# separated by required whitespace, repetitions are bounded, and a name may only start where a word
# starts. Nested or overlapping quantifiers once let `"ул. " + "A" * 600` hold a worker for seconds.
_NAME_WORD = r"[A-ZА-ЯЁ][\w'’-]*+"
_NAME_START = r"(?<![\w'’-])"
# A word after "ул." may start with a digit ("8 Марта") but holds no other digit, so a house number
# typed without a space ("Ленина5") is still the number.
_RU_WORD = r"[А-ЯЁA-Z0-9](?:[^\W\d]|[.-])*+"
_ADDRESS_PATTERNS = (
    # "12 Lenin Street", "221B Baker St."
    re.compile(rf"(?<!\w)(\d{{1,4}})[A-Za-z]?,?\s++(?:{_NAME_WORD}\s++){{1,3}}(?i:{_STREET_WORDS})\b\.?"),
    # "Lenin Street 12", "Tverskaya ulitsa 7"
    re.compile(
        rf"{_NAME_START}(?:{_NAME_WORD}\s++){{1,3}}(?i:{_STREET_WORDS})\.?,?\s++(?:No\.?\s*+)?(\d{{1,4}})[A-Za-z]?(?!\w)"
    ),
    # "ул. Ленина, д. 5", "улица Ленина 12", "проспект Мира, 10"
    re.compile(
        r"(?<!\w)(?i:ул\.|улица|пр-т|пр\.|проспект|пер\.|переулок|бульвар|б-р|шоссе|наб\.|набережная)\s*+"
        rf"{_RU_WORD}(?:\s++{_RU_WORD}){{0,2}},?\s*+(?i:д\.|дом)?\s*+(\d{{1,4}})(?!\d)"
    ),
)

_TLDS = "com|org|net|edu|gov|info|io|co|me|tv|ly|gg|app|dev|xyz|site|online|uk|ru|su|рф|ua|by|kz|de|fr|nl|eu|us|ca|au"
_LINK_PATTERNS = (
    re.compile(r"(?<!\w)(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE),
    # Bare domains: the top-level part must be lower case, so "the end.Me too" stays innocent.
    re.compile(rf"(?<![\w@.-])(?:[A-Za-z0-9А-Яа-яЁё-]+\.)+(?:{_TLDS})(?:/[^\s<>\"']*)?(?![\w])"),
)
_TRAILING_PUNCTUATION = ".,;:!?)»\"'"


def _is_year(number: str) -> bool:
    return len(number) == 4 and 1000 <= int(number) <= 2099


def _phone_matches(text: str) -> list[Match]:
    found = []
    for m in _PHONE_CANDIDATE.finditer(text):
        candidate = m.group(0).strip()
        digits = sum(ch.isdigit() for ch in candidate)
        if _DATE.match(candidate) or _YEAR_RANGE.match(candidate):
            continue
        if candidate.startswith("+"):
            is_phone = 8 <= digits <= 15
        elif _THOUSANDS.match(candidate):
            # "20 000 000" is a count, not a number to ring.
            is_phone = False
        elif candidate.isdigit():
            # A bare run of digits is a phone number when it is long, or starts with a trunk 0 or 8.
            is_phone = 10 <= digits <= 15 or (candidate[0] == "0" and digits >= 7)
        else:
            is_phone = 7 <= digits <= 15
        if is_phone:
            found.append(Match("phone", m.start(), m.end(), m.group(0)))
    return found


def _address_matches(text: str) -> list[Match]:
    found = []
    for pattern in _ADDRESS_PATTERNS:
        for m in pattern.finditer(text):
            if _is_year(m.group(1)):
                continue
            found.append(Match("address", m.start(), m.end(), m.group(0).rstrip(",. ")))
    return found


def _link_matches(text: str) -> list[Match]:
    found: list[Match] = []
    for pattern in _LINK_PATTERNS:
        for m in pattern.finditer(text):
            value = m.group(0).rstrip(_TRAILING_PUNCTUATION)
            match = Match("link", m.start(), m.start() + len(value), value)
            # The domain inside a full URL is the same link, not a second one.
            if not _overlaps(match, found):
                found.append(match)
    return found


def _email_matches(text: str) -> list[Match]:
    return [Match("email", m.start(), m.end(), m.group(0)) for m in _EMAIL.finditer(text)]


def _overlaps(match: Match, others: list[Match]) -> bool:
    return any(match.start < other.end and other.start < match.end for other in others)


def find_matches(text: str, extra_words: str = "", classmates: tuple[str, ...] = ()) -> list[Match]:
    """Everything worth the teacher's attention in a text, in reading order.

    `classmates` are the display names of the writer's classmates (never the writer's own).
    """
    text = text or ""
    matches = _word_matches(text, builtin_words(), "word")
    builtin = {_fold(m.text).casefold() for m in matches}
    own = tuple(w for w in parse_word_list(extra_words) if _fold(w).casefold() not in builtin)
    matches += [m for m in _word_matches(text, own, "teacher_word") if not _overlaps(m, matches)]
    emails = _email_matches(text)
    matches += emails
    # An email's domain is not also a link, and its digits are not a phone number.
    links = [m for m in _link_matches(text) if not _overlaps(m, emails)]
    matches += links
    matches += [m for m in _phone_matches(text) if not _overlaps(m, emails + links)]
    matches += _address_matches(text)
    matches += _classmate_matches(text, classmates, extra_words)
    matches += [m for m in _full_name_matches(text) if not _overlaps(m, matches)]
    return sorted(matches, key=lambda m: (m.start, m.end))


def flag_details(text: str, extra_words: str = "", classmates: tuple[str, ...] = ()) -> list[dict]:
    """The flags for a text: one entry per kind, with its reason and the distinct matched words."""
    by_kind: dict[str, list[str]] = {}
    for match in find_matches(text, extra_words, classmates):
        seen = by_kind.setdefault(match.kind, [])
        if match.text not in seen and len(seen) < MAX_MATCHES_PER_KIND:
            seen.append(match.text)
    return [{"kind": kind, "reason": REASONS[kind], "matches": by_kind[kind]} for kind in KINDS if kind in by_kind]


def apply_flags(reflection: Reflection, extra_words: str = "", classmates: tuple[str, ...] | None = None) -> None:
    """Set reflection.flagged and reflection.flag_details (a JSON list) from reflection.body.

    Without `classmates`, the names of the writer's classmates are read from the database.
    """
    if classmates is None:
        student_id = getattr(reflection, "student_id", None)
        classmates = classmate_names(student_id) if student_id else ()
    for name, value in flag_columns(reflection.body or "", extra_words, classmates).items():
        setattr(reflection, name, value)


def flag_columns(text: str, extra_words: str = "", classmates: tuple[str, ...] = ()) -> dict[str, bool | str]:
    """A reflection's `flagged` and `flag_details` (a JSON list, empty when nothing is flagged) for a text."""
    details = flag_details(text or "", extra_words or "", classmates)
    return {"flagged": bool(details), "flag_details": json.dumps(details, ensure_ascii=False) if details else ""}


# --- people: a classmate named with an insult, and other people's full names --------------------
# Each pattern here is linear: literal alternatives, or words taken whole (possessive quantifiers)
# with required whitespace between them, and no quantifier nested inside another.


@lru_cache(maxsize=1)
def insult_words() -> tuple[str, ...]:
    """Insults that flag a reflection only next to a classmate's name (classroom/data/insult_words.txt)."""
    text = resources.files("classroom").joinpath("data/insult_words.txt").read_text(encoding="utf-8")
    return tuple(parse_word_list(text))


@lru_cache(maxsize=1)
def not_names() -> frozenset[str]:
    """Capitalised words that are no one's name: the film's vocabulary and common sentence starters."""
    data = resources.files("classroom").joinpath("data")
    words = {_fold(w).casefold() for w in parse_word_list(data.joinpath("not_names.txt").read_text(encoding="utf-8"))}
    # Every capitalised word in the film's facts and the starter plan (festivals, places, the director).
    for name in ("film.json", "starter_plan.json"):
        text = data.joinpath(name).read_text(encoding="utf-8")
        words.update(_fold(w).casefold() for w in re.findall(r"(?<!\w)[A-ZА-ЯЁ][\w’'-]*+", text))
    return frozenset(words)


def _name_forms(display_name: str) -> list[str]:
    """How a classmate may be named in a text: the whole display name, and its first word when it is a name."""
    name = " ".join((display_name or "").split())
    forms = [name] if len(name) >= 2 else []
    first = name.split(" ")[0] if name else ""
    if first != name and len(first) >= 3 and _fold(first).casefold() not in not_names():
        forms.append(first)
    return forms


# A class saves with the same classmates' names over and over: their forms are worked out once per class.
@lru_cache(maxsize=256)
def _class_name_forms(classmates: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(form for name in classmates for form in _name_forms(name))


# How far apart (in characters) a name and an insult may be to count as aimed at that classmate; they
# must also be in the same sentence (a full stop inside the name itself, "Sasha K.", does not count).
CLASSMATE_WINDOW = 80
_SENTENCE_END = frozenset(".!?…\n")


def _classmate_matches(text: str, classmates: tuple[str, ...], extra_words: str = "") -> list[Match]:
    """A classmate's name with an insult close by in the same sentence: both are marked for the teacher."""
    names = _class_name_forms(classmates)
    if not names:
        return []
    folded = _fold(text)
    name_pattern = _word_pattern(names)
    insult_pattern = _word_pattern(insult_words() + builtin_words() + tuple(parse_word_list(extra_words)))
    if name_pattern is None or insult_pattern is None:
        return []
    named = list(name_pattern.finditer(folded))
    if not named:
        return []
    insults = list(insult_pattern.finditer(folded))
    starts = [m.start() for m in insults]
    found: dict[tuple[int, int], Match] = {}
    for name in named:
        # Only the insults starting inside the window are looked at, so this stays linear in the text.
        low = bisect.bisect_left(starts, name.start() - CLASSMATE_WINDOW - 40)
        high = bisect.bisect_right(starts, name.end() + CLASSMATE_WINDOW)
        for insult in insults[low:high]:
            gap = (
                folded[name.end() : insult.start()]
                if insult.start() >= name.end()
                else folded[insult.end() : name.start()]
            )
            if len(gap) > CLASSMATE_WINDOW or _SENTENCE_END.intersection(gap):
                continue
            for m in (name, insult):
                found[m.span()] = Match("classmate", m.start(), m.end(), text[m.start() : m.end()])
    return list(found.values())


# A capitalised word of at least two letters, in Latin or Cyrillic script, maybe double-barrelled.
_CAPITALISED = re.compile(
    r"(?<![\w'’-])(?:[A-Z][a-z]++|[А-ЯЁ][а-яё]++)(?:-(?:[A-Z][a-z]++|[А-ЯЁ][а-яё]++))?+(?![\w'’])"
)
_BETWEEN_NAMES = re.compile(r"[ \t]{1,3}")


def _full_name_matches(text: str) -> list[Match]:
    """Name-like words in a row ("Ivan Petrov"), unless any is the film's vocabulary or a common word."""
    skip = not_names()
    words = [m for m in _CAPITALISED.finditer(text) if _fold(m.group(0)).casefold() not in skip]
    found: list[Match] = []
    for first, last in itertools.pairwise(words):
        if not _BETWEEN_NAMES.fullmatch(text, first.end(), last.start()):
            continue
        start = first.start()
        if found and found[-1].end == first.end():
            # "Ivan Petrovich Sidorov" is one name, not two.
            start = found.pop().start
        found.append(Match("full_name", start, last.end(), text[start : last.end()]))
    return found


def classmate_names(student_id: int) -> tuple[str, ...]:
    """The display names of the other students in this student's class."""
    from ..extensions import db
    from ..models import Student

    class_id = db.select(Student.class_id).where(Student.id == student_id).scalar_subquery()
    return tuple(
        db.session.scalars(
            db.select(Student.display_name).where(Student.class_id == class_id, Student.id != student_id)
        )
    )


def offensive_name_words(display_name: str, extra_words: str = "") -> list[str]:
    """The built-in, insult or teacher's words a display name uses (also spelt with dots, dashes or spaces)."""
    words = builtin_words() + insult_words() + tuple(parse_word_list(extra_words))
    name = display_name or ""
    spaced = re.sub(r"[\W\d_]++", " ", name)
    joined = re.sub(r"[\W\d_]++", "", name)
    found: list[str] = []
    for variant in (name, spaced, joined):
        for match in _word_matches(variant, words, "word"):
            if match.text.casefold() not in (w.casefold() for w in found):
                found.append(match.text)
    return found


# --- highlighting -----------------------------------------------------------------------------

_TAG = re.compile(r"(<[^>]*>)")


def _highlight_pattern(terms: list[str]) -> re.Pattern | None:
    terms = sorted({t for t in terms if t and t.strip()}, key=len, reverse=True)
    if not terms:
        return None
    body = "|".join(r"\s+".join(re.escape(part) for part in t.split()) for t in terms)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


def highlight(body_html: str, flags: list[dict], policy: str | None = None) -> Markup:
    """The reflection's HTML with the flagged words wrapped in <mark>, built only from sanitised parts.

    The stored HTML is sanitised again first unless the current policy cleaned it (`policy`); only its text between tags is searched, each piece of
    text is escaped again, and the result passes the allowlist (plus <mark>) once more before it is
    marked safe, so nothing the student typed can become markup.
    """
    clean = str(user_html(body_html, policy))
    terms = tuple(sorted({word for flag in flags or [] for word in flag.get("matches", [])}))
    if not terms:
        return Markup(clean)
    return Markup(_marked(clean, terms))


# The queue shows the same flagged reflections on every reload while the teacher works through it; the
# marked-up text depends only on the clean HTML and the words, so recent answers are remembered (issue 13).
@lru_cache(maxsize=512)
def _marked(clean: str, terms: tuple[str, ...]) -> str:
    """The clean HTML with each of the words wrapped in <mark>, cleaned once more (the allowlist plus <mark>)."""
    pattern = _highlight_pattern(list(terms))
    if pattern is None:
        return clean
    pieces = []
    for part in _TAG.split(clean):
        if _TAG.fullmatch(part):
            pieces.append(part)  # a tag the sanitiser kept: allowlisted and without attributes
            continue
        text, position = html.unescape(part), 0
        for m in pattern.finditer(text):
            pieces.append(str(escape(text[position : m.start()])))
            pieces.append(f"<mark>{escape(m.group(0))}</mark>")
            position = m.end()
        pieces.append(str(escape(text[position:])))
    return bleach.clean("".join(pieces), tags=[*ALLOWED_TAGS, "mark"], attributes={}, protocols=[], strip=True)
