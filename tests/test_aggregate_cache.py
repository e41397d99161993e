"""The dashboards' aggregates are cached per assignment and dropped by every write that changes them."""

import csv
import io
import os
import pickle
import uuid
from dataclasses import dataclass

import pytest
from flask import url_for

from classroom import cache, create_app
from classroom.dashboard import routes as dashboard_routes
from classroom.extensions import db
from classroom.models import Reflection, Student, Teacher
from classroom.moderation.decisions import approve_reflection, bulk_approve, set_star

from . import conftest
from .conftest import login_as


@pytest.fixture
def computed(monkeypatch):
    """How many times the dashboard's aggregates were computed (not taken from the cache)."""
    calls = []
    real = dashboard_routes.assignment_dashboard

    def counting(*args, **kwargs):
        calls.append(args[0].id)
        return real(*args, **kwargs)

    monkeypatch.setattr(dashboard_routes, "assignment_dashboard", counting)
    return calls


def _addresses(app, assignment):
    with app.test_request_context():
        return {
            "page": url_for("dashboard.assignment", assignment_id=assignment.id),
            "report": url_for("dashboard.report", assignment_id=assignment.id),
            "matrix": url_for("dashboard.matrix_csv", assignment_id=assignment.id),
        }


def _matrix(client, address):
    text = client.get(address).get_data(as_text=True).lstrip("\ufeff")
    return {row[0]: row[1:] for row in list(csv.reader(io.StringIO(text)))[1:]}


def test_a_second_view_is_served_from_the_cache(app, teacher_client, assignment, computed):
    urls = _addresses(app, assignment)
    assert teacher_client.get(urls["page"]).status_code == 200
    assert teacher_client.get(urls["page"]).status_code == 200
    assert teacher_client.get(urls["report"]).status_code == 200
    assert computed == [assignment.id]  # the report shows the same default view
    teacher_client.get(urls["page"] + "?sort=done&order=desc")
    assert len(computed) == 2  # another sort is another entry


def test_the_cache_is_off_with_zero_seconds(app, teacher_client, assignment, computed):
    app.config["AGGREGATE_CACHE_SECONDS"] = 0
    for _ in range(2):
        teacher_client.get(_addresses(app, assignment)["page"])
    assert len(computed) == 2


def test_a_students_save_a_decision_a_star_and_a_stance_answer_each_drop_the_cached_view(
    app, teacher, teacher_client, assignment, student, write_reflection, answer_stance, computed
):
    urls = _addresses(app, assignment)
    prompt = assignment.prompts[0]
    assert _matrix(teacher_client, urls["matrix"])["Sasha"][0] == "Not started"
    assert "No student has answered the stance poll yet" in teacher_client.get(urls["page"]).get_data(as_text=True)
    assert len(computed) == 1  # the CSV and the page share the default view

    # The student's stance answer (before viewing).
    answer_stance(student, assignment)
    page = teacher_client.get(urls["page"]).get_data(as_text=True)
    assert "No student has answered the stance poll yet" not in page and "Total answers" in page

    # The student's save through the save path.
    saved = write_reflection(student, prompt, "The archive keeps the names.")
    assert _matrix(teacher_client, urls["matrix"])["Sasha"][0] == "Awaiting approval"

    # The teacher's decision (a guarded UPDATE beside the ORM, with its audit event).
    with app.app_context():
        approve_reflection(db.session.get(Reflection, saved.id), db.session.get(Teacher, teacher.id))
    assert _matrix(teacher_client, urls["matrix"])["Sasha"][0] == "Approved"

    # A star is a write too; the view after it is computed again.
    before = len(computed)
    with app.app_context():
        set_star(db.session.get(Reflection, saved.id), True)
    teacher_client.get(urls["matrix"])
    assert len(computed) == before + 1
    # Nothing written since: served from the cache.
    teacher_client.get(urls["matrix"])
    assert len(computed) == before + 1


def test_bulk_approve_and_roster_changes_drop_the_cached_view(
    app, teacher, teacher_client, assignment, school_class, make_student, write_reflection, computed
):
    urls = _addresses(app, assignment)
    prompt = assignment.prompts[0]
    first = make_student(school_class, "Alex")
    saved = write_reflection(first, prompt, "Memory and silence in the film.")
    assert _matrix(teacher_client, urls["matrix"])["Alex"][0] == "Awaiting approval"
    with app.app_context():
        bulk_approve(db.session.get(Teacher, teacher.id), school_class.id, {saved.id: saved.version})
    assert _matrix(teacher_client, urls["matrix"])["Alex"][0] == "Approved"

    # A student joining the class appears at once.
    make_student(school_class, "Newcomer")
    assert "Newcomer" in _matrix(teacher_client, urls["matrix"])

    # A student removed (by Core deletes) disappears at once.
    from classroom.classes.students import remove_student

    with app.app_context():
        remove_student(db.session.get(Student, first.id))
    assert "Alex" not in _matrix(teacher_client, urls["matrix"])


def test_another_assignments_write_keeps_this_ones_cache(
    app, teacher_client, school_class, make_assignment, student, write_reflection, computed
):
    first, second = make_assignment(school_class), make_assignment(school_class)
    teacher_client.get(_addresses(app, first)["page"])
    write_reflection(student, second.prompts[0], "Only in the second assignment.")
    teacher_client.get(_addresses(app, first)["page"])
    assert computed == [first.id]


def _redis_url():
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=0.3).ping()
    except Exception:
        return None
    return url


@pytest.mark.skipif(_redis_url() is None, reason="no Redis on 127.0.0.1:6379 (set TEST_REDIS_URL)")
def test_in_redis_two_app_instances_share_the_cache_and_its_invalidation(
    app, tmp_path, pg_schema, teacher, school_class, make_assignment, student, computed
):
    """Two instances of the app (as behind a load balancer) on one database and one Redis."""
    settings = {"AGGREGATE_CACHE_URL": _redis_url(), "SECRET_KEY": uuid.uuid4().hex}
    one, two = (create_app({**conftest.test_config(tmp_path, pg_schema), **settings}) for _ in range(2))
    clients = []
    for instance in (one, two):
        client = instance.test_client()
        login_as(client, teacher)
        clients.append(client)
    work = make_assignment(school_class)
    urls = _addresses(one, work)
    assert _matrix(clients[0], urls["matrix"])["Sasha"][0] == "Not started"
    assert _matrix(clients[1], urls["matrix"])["Sasha"][0] == "Not started"
    assert computed == [work.id]  # the second instance used the first one's value

    # A save on instance one (here: the save path in its app) is seen by instance two at once.
    from classroom.models import Assignment, Prompt
    from classroom.student.reflections import save_reflection
    from classroom.student.stance import record_stance

    with one.app_context():
        person = db.session.get(Student, student.id)
        record_stance(person, db.session.get(Assignment, work.id), "pre", 0)
        save_reflection(person, db.session.get(Prompt, work.prompts[0].id), "Seen everywhere.", submit=True)
    assert _matrix(clients[1], urls["matrix"])["Sasha"][0] == "Awaiting approval"
    assert len(computed) == 2
    for instance in (one, two):
        with instance.app_context():
            db.session.remove()
            db.engine.dispose()


@dataclass
class _Shape:
    label: str
    count: int


def test_a_value_stored_by_an_earlier_release_is_computed_again(app):
    """After a deploy, a cached value whose class has gained a field since is not shown: it is computed again."""
    with app.test_request_context():
        store = app.extensions["aggregate_cache"]
        key = f"setup:999:{'.'.join(map(str, store.generations(['s999'])))}:shape"
        older = _Shape("stored", 1)
        del older.__dict__["count"]  # what an earlier release, without the field, pickled
        data = pickle.dumps(older)
        store.set(key, cache._sign(data) + data, 30)
        assert cache._cached("setup", 999, ["s999"], "shape", lambda: _Shape("fresh", 2)) == _Shape("fresh", 2)
        # and the fresh value took the stale one's place
        assert cache._cached("setup", 999, ["s999"], "shape", lambda: _Shape("again", 3)) == _Shape("fresh", 2)
