"""Themes: the meaningful words a class uses most in answer to one prompt, in English and Russian."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from .stopwords import STOP_WORDS

# Letters of any script (Latin, Cyrillic...), with inner apostrophes or hyphens ("don't", "кто-то").
# Linear: a separator is never a letter, so each character is tried once.
_TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
# Addresses are not themes: a whitespace-separated chunk that is an email, a link or a bare domain is
# dropped before counting words. Checked chunk by chunk with substring tests and one fixed-width
# pattern, never with "\S*...\S*" around an alternative, which backtracks quadratically on a long chunk.
_ADDRESS_MARKS = ("@", "://", "www.")
_DOMAIN = re.compile(r"\.(?:com|org|net|edu|gov|info|io|ru|su|рф|uk|de|me|tv)\b", re.IGNORECASE)
_LATIN = re.compile(r"^[a-z'\-]+$")
MIN_LENGTH = 3


def _is_address(chunk: str) -> bool:
    """Whether a chunk without spaces is an email, a link or a domain ("kid@x.org", "vk.com/page")."""
    # The domain needs a character before its dot, as in "example.org" (a bare ".com" is a word).
    return any(mark in chunk for mark in _ADDRESS_MARKS) or _DOMAIN.search(chunk, 1) is not None


def tokens(text: str) -> list[str]:
    """Lower-cased words without stop words: ё read as е, typographic apostrophes plain, "'s" dropped."""
    found = []
    for token in _TOKEN.findall(" ".join(chunk for chunk in (text or "").lower().split() if not _is_address(chunk))):
        token = token.replace("ё", "е").replace("’", "'")
        if token.endswith("'s"):
            token = token[:-2]
        if len(token) < MIN_LENGTH or token in STOP_WORDS:
            continue
        found.append(token)
    return found


def _singulars(vocabulary: set[str]) -> dict[str, str]:
    """English plurals folded onto a singular that the same texts also use ("victims" -> "victim")."""
    folded = {}
    for word in vocabulary:
        if not _LATIN.match(word) or len(word) < 4:
            continue
        if word.endswith("ies") and word[:-3] + "y" in vocabulary:
            folded[word] = word[:-3] + "y"
        elif word.endswith("s") and not word.endswith("ss") and word[:-1] in vocabulary:
            folded[word] = word[:-1]
    return folded


def term_sets(texts: Iterable[str]) -> list[set[str]]:
    """For each text, the set of its normalised terms (plurals folded across all the texts)."""
    token_lists = [tokens(text) for text in texts]
    folded = _singulars({t for tl in token_lists for t in tl})
    return [{folded.get(t, t) for t in tl} for tl in token_lists]


def top_terms(texts: Iterable[str], limit: int = 8, min_texts: int = 2) -> list[tuple[str, int]]:
    """The terms used by the most texts (each text counts a term once), most used first, then A-Z."""
    counts = Counter(term for terms in term_sets(texts) for term in terms)
    ranked = sorted(((term, n) for term, n in counts.items() if n >= min_texts), key=lambda item: (-item[1], item[0]))
    return ranked[:limit]


def matching(texts: list[str], term: str) -> list[int]:
    """Positions of the texts that use the term (after the same normalisation)."""
    term = (term or "").strip().lower().replace("ё", "е")
    return [index for index, terms in enumerate(term_sets(texts)) if term in terms]
