"""The suite's own promise (tests/conftest.py): every test's app starts on what a new database holds,
even though the tables are built once per run and emptied between tests."""

import pytest
from sqlalchemy import inspect

from classroom.extensions import db
from classroom.models import Film, Teacher


def _as_new(app) -> None:
    with app.app_context():
        assert db.session.scalars(db.select(Film.slug)).all() == ["the-red-soul"]
        assert db.session.scalar(db.select(db.func.count()).select_from(Teacher)) == 0
        teacher = Teacher(name="Ada", email="ada@school.example", password_hash="x")
        db.session.add(teacher)
        db.session.commit()
        assert teacher.id == 1  # ids start again too (tests read them)
        db.session.remove()


@pytest.mark.parametrize("turn", [1, 2, 3])
def test_every_test_starts_on_a_new_database(app, turn):
    _as_new(app)


def test_a_second_app_in_one_test_starts_on_a_new_database_too(make_app):
    _as_new(make_app())
    _as_new(make_app())


@pytest.mark.parametrize("turn", [1, 2])
def test_a_table_a_test_drops_is_there_again_for_the_next(app, turn):
    leaf = db.metadata.sorted_tables[-1]  # no other table refers to it
    with app.app_context():
        assert leaf.name in inspect(db.engine).get_table_names()
        leaf.drop(db.engine)
    _as_new(app)
