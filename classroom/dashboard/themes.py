"""Themes: the meaningful words a class uses most in answer to one prompt, in English and Russian.

Plain functions of the texts (and the personal data flagged in them), so their result can be cached per
assignment. Inflected forms are merged by the Snowball stemmers ("victims", "victim's" and "victim";
"жертвы" and "жертв"), words that only come from flagged personal data (a street, an email) are
ignored, and each theme comes with a few sentences that use it.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer  # type: ignore[import-untyped]

from .stopwords import STOP_WORDS

# Letters of any script (Latin, Cyrillic...), with inner apostrophes or hyphens ("don't", "кто-то").
# Linear: a separator is never a letter, so each character is tried once.
_TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
# Addresses are not themes: a whitespace-separated chunk that is an email, a link or a bare domain is
# dropped before counting words. Checked chunk by chunk with substring tests and one fixed-width
# pattern, never with "\S*...\S*" around an alternative, which backtracks quadratically on a long chunk.
_ADDRESS_MARKS = ("@", "://", "www.")
_DOMAIN = re.compile(r"\.(?:com|org|net|edu|gov|info|io|ru|su|рф|uk|de|me|tv)\b", re.IGNORECASE)
_CYRILLIC = re.compile(r"[а-я]")
# Sentence ends: a stop, question or exclamation mark (or an ellipsis) before a space, or a new line.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\s*\n\s*")
# Light Markdown a student may type, dropped from example sentences: emphasis, list and quote markers.
_MARKUP = re.compile(r"[*_`]+|^(?:[-+>]|\d+[.)])\s+")
MIN_LENGTH = 3
EXAMPLE_LENGTH = 200
_HIDDEN = "\x00"
_STEMMERS = {"english": snowballstemmer.stemmer("english"), "russian": snowballstemmer.stemmer("russian")}


@dataclass(frozen=True)
class Theme:
    term: str  # the shortest form students used, e.g. "victim" for "victims" and "victim's"
    count: int  # texts using it, each counted once
    examples: list[str]  # a few sentences that use it, from different texts


def _is_address(chunk: str) -> bool:
    """Whether a chunk without spaces is an email, a link or a domain ("kid@x.org", "vk.com/page")."""
    # The domain needs a character before its dot, as in "example.org" (a bare ".com" is a word).
    return any(mark in chunk for mark in _ADDRESS_MARKS) or _DOMAIN.search(chunk, 1) is not None


def tokens(text: str) -> list[str]:
    """Lower-cased words without stop words: ё read as е, typographic apostrophes plain, "'s" dropped."""
    found = []
    kept = " ".join(chunk for chunk in (text or "").lower().split() if not _is_address(chunk))
    for token in _TOKEN.findall(kept):
        token = token.replace("ё", "е").replace("’", "'")
        if token.endswith("'s"):
            token = token[:-2]
        if len(token) < MIN_LENGTH or token in STOP_WORDS:
            continue
        found.append(token)
    return found


@lru_cache(maxsize=20_000)
def stem(word: str) -> str:
    """The word's Snowball stem, Russian for Cyrillic words and English otherwise."""
    language = "russian" if _CYRILLIC.search(word) else "english"
    return _STEMMERS[language].stemWord(word)


# Flag kinds that are a person's data rather than words a student chose (classroom/moderation/flags.py).
NOT_PERSONAL_DATA = frozenset({"word", "teacher_word"})


def personal_data(flag_details: str | list | None) -> list[str]:
    """The matched strings of a reflection's personal-data flags (its stored flag_details)."""
    if isinstance(flag_details, str):
        try:
            flag_details = json.loads(flag_details) if flag_details else []
        except ValueError:
            flag_details = []
    return [
        match
        for flag in flag_details or []
        if isinstance(flag, dict) and flag.get("kind") not in NOT_PERSONAL_DATA
        for match in flag.get("matches", [])
        if isinstance(match, str)
    ]


def without_personal_data(text: str, hidden: Iterable[str] = (), blank: str = " ") -> str:
    """The text with each flagged piece of personal data (a street, an email, a phone number) blanked out."""
    for piece in hidden:
        if piece:
            text = text.replace(piece, blank)
    return text


def _stems_and_forms(text: str, hidden: Iterable[str]) -> tuple[set[str], Counter]:
    forms: Counter = Counter(tokens(without_personal_data(text, hidden)))
    return {stem(word) for word in forms}, forms


def _label(forms: Counter) -> str:
    """The form a theme is shown as: the shortest one used (usually the singular), then the most used."""
    return min(forms, key=lambda word: (len(word), -forms[word], word))


def term_sets(texts: Iterable[str], hidden: Sequence[Iterable[str]] | None = None) -> list[set[str]]:
    """For each text, the set of its word stems (personal data left out)."""
    hidden = hidden or []
    return [_stems_and_forms(text, hidden[i] if i < len(hidden) else ())[0] for i, text in enumerate(texts)]


def _sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text or "") if part and part.strip()]


def _example(sentence: str) -> str:
    plain = " ".join(_MARKUP.sub("", sentence).split())
    return plain if len(plain) <= EXAMPLE_LENGTH else plain[: EXAMPLE_LENGTH - 1].rstrip() + "…"


def _examples(
    wanted: str, texts: Sequence[str], hidden: Sequence[Iterable[str]], users: list[int], limit: int
) -> list[str]:
    """Up to `limit` sentences using the stem, one per text, never one holding flagged personal data."""
    found: list[str] = []
    if limit <= 0:
        return found
    for index in users:
        # Personal data is marked before splitting, so a sentence that held any of it is never shown,
        # even where the data itself looks like a sentence end ("ул. Ленина").
        marked = without_personal_data(texts[index], hidden[index] if index < len(hidden) else (), _HIDDEN)
        for sentence in _sentences(marked):
            if _HIDDEN in sentence:
                continue
            if any(stem(word) == wanted for word in tokens(sentence)):
                found.append(_example(sentence))
                break
        if len(found) >= limit:
            break
    return found


def themes(
    texts: Sequence[str],
    hidden: Sequence[Iterable[str]] | None = None,
    limit: int = 8,
    min_texts: int = 2,
    examples: int = 3,
) -> list[Theme]:
    """The themes used by the most texts (each text counts a theme once), most used first, then A-Z.

    `hidden[i]` lists the flagged personal data of `texts[i]` (the matched strings), which never
    makes a theme nor appears in an example.
    """
    texts = list(texts)
    hidden = [list(pieces) for pieces in (hidden or [])]
    users: dict[str, list[int]] = defaultdict(list)
    forms: dict[str, Counter] = defaultdict(Counter)
    for index, text in enumerate(texts):
        stems, words = _stems_and_forms(text, hidden[index] if index < len(hidden) else ())
        for word, n in words.items():
            forms[stem(word)][word] += n
        for found in stems:
            users[found].append(index)
    ranked = sorted(
        ((_label(forms[s]), s, len(found)) for s, found in users.items() if len(found) >= min_texts),
        key=lambda item: (-item[2], item[0]),
    )[:limit]
    return [Theme(label, n, _examples(s, texts, hidden, users[s], examples)) for label, s, n in ranked]


def top_terms(
    texts: Iterable[str], limit: int = 8, min_texts: int = 2, hidden: Sequence[Iterable[str]] | None = None
) -> list[tuple[str, int]]:
    """The themes as (term, number of texts), without examples."""
    return [(theme.term, theme.count) for theme in themes(list(texts), hidden, limit, min_texts, examples=0)]


def matching(texts: list[str], term: str, hidden: Sequence[Iterable[str]] | None = None) -> list[int]:
    """Positions of the texts that use the term in any of its forms."""
    words = tokens(term or "")
    if not words:
        return []
    wanted = stem(words[0])
    return [index for index, stems in enumerate(term_sets(texts, hidden)) if wanted in stems]
