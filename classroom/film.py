"""The film's catalogue record, shipped with the package as data/film.json."""

import json
from importlib import resources

from .extensions import db
from .models import Film

FILM_SLUG = "the-red-soul"


def film_facts() -> dict:
    """The catalogue facts as shipped in the package."""
    return json.loads(resources.files("classroom").joinpath("data/film.json").read_text(encoding="utf-8"))


def load_film() -> Film:
    """Create or refresh the film's record from the package data; safe to run any number of times."""
    facts = film_facts()
    film = db.session.execute(db.select(Film).where(Film.slug == facts["slug"])).scalar_one_or_none()
    if film is None:
        film = Film(slug=facts["slug"])
        db.session.add(film)
    for field, value in facts.items():
        setattr(film, field, value)
    db.session.commit()
    return film


def the_film() -> Film:
    """The Red Soul's record, loading it first if the database is new."""
    film = db.session.execute(db.select(Film).where(Film.slug == FILM_SLUG)).scalar_one_or_none()
    return film or load_film()
