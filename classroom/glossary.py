"""The glossary and timeline for students (classroom/data/glossary.json): the history around the film."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class Term:
    id: str
    term: str
    ru: str  # the Russian word(s), shown with lang="ru"
    ru_latin: str  # how they sound, in Latin letters
    explanation: tuple[str, ...]
    in_the_film: str = ""  # only what the film's brief says


@dataclass(frozen=True)
class Moment:
    when: str  # a year or a range, e.g. "1937–38"
    what: str

    @property
    def first_year(self) -> int:
        return int(self.when[:4])


@dataclass(frozen=True)
class Glossary:
    intro: str
    terms: tuple[Term, ...]
    timeline: tuple[Moment, ...]


def parse_glossary(data: dict) -> Glossary:
    """The glossary from its JSON form; raises ValueError when an entry misses a field or the timeline is unordered."""
    try:
        terms = tuple(
            Term(
                id=item["id"],
                term=item["term"],
                ru=item["ru"],
                ru_latin=item["ru_latin"],
                explanation=tuple(item["explanation"]),
                in_the_film=item.get("in_the_film", ""),
            )
            for item in data["terms"]
        )
        timeline = tuple(Moment(when=item["when"], what=item["what"]) for item in data["timeline"])
        years = [moment.first_year for moment in timeline]
    except (KeyError, TypeError, ValueError) as problem:
        raise ValueError(f"The glossary data is incomplete: {problem}") from problem
    if any(not term.explanation or not all(term.explanation) for term in terms):
        raise ValueError("Every glossary term needs an explanation.")
    if len({term.id for term in terms}) != len(terms):
        raise ValueError("Glossary ids must be unique.")
    if years != sorted(years):
        raise ValueError("The timeline must be in date order.")
    return Glossary(intro=data.get("intro", ""), terms=terms, timeline=timeline)


@lru_cache(maxsize=1)
def glossary() -> Glossary:
    """The glossary shipped with the package."""
    raw = resources.files("classroom").joinpath("data/glossary.json").read_text(encoding="utf-8")
    return parse_glossary(json.loads(raw))
