"""Themes: the meaningful words a class uses most in answer to one prompt, in English and Russian."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from .stopwords import STOP_WORDS

# Letters of any script (Latin, Cyrillic...), with inner apostrophes or hyphens ("don't", "кто-то").
_TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
# Addresses are not themes: emails, links and bare domains are dropped before counting words.
_ADDRESSES = re.compile(
    r"\S*(?:@|://|www\.)\S*|\S+\.(?:com|org|net|edu|gov|info|io|ru|su|рф|uk|de|me|tv)\b\S*", re.IGNORECASE
)
_LATIN = re.compile(r"^[a-z'\-]+$")
MIN_LENGTH = 3


def tokens(text: str) -> list[str]:
    """Lower-cased words without stop words: ё read as е, typographic apostrophes plain, "'s" dropped."""
    found = []
    for token in _TOKEN.findall(_ADDRESSES.sub(" ", (text or "").lower())):
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
