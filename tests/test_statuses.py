"""One meaning of "done": the statuses and their named sets, the database CHECK, and every page agreeing."""

import csv
import io
import re

import pytest
from flask_migrate import upgrade
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from classroom.classes.logic import assign_plan, create_class
from classroom.dashboard.exports import BOM
from classroom.extensions import db
from classroom.film import load_film
from classroom.join.logic import join_class
from classroom.lessons.plans import copy_starter_plan
from classroom.models import Reflection, SchoolClass, Teacher
from classroom.statuses import (
    ALL_STATUSES,
    COUNTED,
    DONE,
    HANDED_IN,
    STATUS_LABELS,
    STATUS_SETS,
    WITH_STUDENT,
    ReflectionStatus,
    check_constraint_sql,
)
from tests.conftest import login_as

S = ReflectionStatus

# --- the definitions ----------------------------------------------------------------------------


def test_each_status_has_a_label_and_a_one_line_meaning():
    assert [s.value for s in ALL_STATUSES] == ["draft", "awaiting", "approved", "returned", "rejected"]
    for status in ReflectionStatus:
        assert status.label and status.meaning.endswith(".") and "\n" not in status.meaning
        assert STATUS_LABELS[status.value] == status.label
    assert ReflectionStatus.label_of("returned") == "Returned with feedback"
    assert ReflectionStatus.label_of(None) == "Not started"


def test_the_named_sets():
    assert set(DONE) == {"awaiting", "approved"}
    assert set(HANDED_IN) == {"awaiting", "approved", "returned", "rejected"}
    assert set(WITH_STUDENT) == {"draft", "returned"}
    assert set(COUNTED) == {"awaiting", "approved", "returned"}
    # Done work has been handed in; nothing done is still with the student; a draft is never handed in.
    assert set(DONE) <= set(HANDED_IN) and not set(DONE) & set(WITH_STUDENT)
    assert "draft" not in HANDED_IN and S.REJECTED not in DONE and "rejected" not in COUNTED
    # Stored strings and enum members answer alike, and iteration follows the statuses' order.
    assert S.AWAITING in DONE and "awaiting" in DONE
    assert list(HANDED_IN) == ["awaiting", "approved", "returned", "rejected"]
    assert DONE.labels == ["Awaiting approval", "Approved"]
    for group in STATUS_SETS.values():
        assert group.name and group.meaning.endswith(".") and set(group) <= set(ALL_STATUSES)


def test_the_check_condition_names_every_status():
    assert check_constraint_sql() == "status IN ('draft', 'awaiting', 'approved', 'returned', 'rejected')"


# --- the database refuses anything else -----------------------------------------------------------


def _force_status(value: str, reflection_id: int) -> None:
    db.session.execute(text("UPDATE reflections SET status = :s WHERE id = :id"), {"s": value, "id": reflection_id})
    db.session.flush()


def test_the_database_refuses_an_unknown_status(app, student, assignment, make_reflection):
    reflection = make_reflection(student, assignment.prompts[0])
    with app.app_context():
        _force_status("returned", reflection.id)  # every real status is fine
        db.session.commit()
        with pytest.raises(IntegrityError):
            _force_status("finished", reflection.id)
        db.session.rollback()
        with pytest.raises(IntegrityError):
            _force_status("Approved", reflection.id)  # a label is not a status
        db.session.rollback()
        assert db.session.get(Reflection, reflection.id).status == "returned"


def test_the_migrated_database_refuses_an_unknown_status(make_app):
    """The CHECK comes from the migration too, not only from the models (SQLite and PostgreSQL alike)."""
    app = make_app()
    with app.app_context():
        db.drop_all()
        upgrade()
        try:
            load_film()
            teacher = Teacher(name="T", email="t@school.example", password_hash="x")
            db.session.add(teacher)
            db.session.commit()
            assignment = assign_plan(create_class(teacher, "History 11B"), copy_starter_plan(teacher))
            student = join_class(db.session.get(SchoolClass, assignment.class_id), "Sasha")
            reflection = Reflection(
                student_id=student.id, prompt_id=assignment.prompts[0].id, body="x", body_html="<p>x</p>"
            )
            db.session.add(reflection)
            db.session.commit()
            _force_status("approved", reflection.id)
            with pytest.raises(IntegrityError):
                _force_status("done", reflection.id)
            db.session.rollback()
        finally:
            db.session.execute(text("DROP TABLE alembic_version"))
            db.session.commit()


# --- every page says the same -----------------------------------------------------------------------

# Each student's statuses on the three prompts of the first assignment, and on the second assignment's first.
WORK = {
    "Anya": (["approved", "awaiting", "returned"], "approved"),
    "Boris": (["awaiting", "rejected", "draft"], None),
    "Chen": (["approved", "returned", None], "rejected"),
    "Dasha": ([None, None, None], None),
    "Emil": (["approved", "approved", "awaiting"], "awaiting"),
}


def _done(statuses):
    return sum(1 for status in statuses if status in DONE)


@pytest.fixture
def mixed_class(app, school_class, assignment, make_assignment, make_student, make_reflection):
    second = make_assignment(school_class, title="Second viewing")
    students = {}
    for name, (first_statuses, second_status) in WORK.items():
        student = students[name] = make_student(school_class, name)
        for prompt, status in zip(assignment.prompts, first_statuses, strict=True):
            if status:
                make_reflection(student, prompt, f"{name} on a prompt.", status=status)
        if second_status:
            make_reflection(student, second.prompts[0], f"{name} again.", status=second_status)
    return {"students": students, "first": assignment, "second": second}


def _row(html: str, name: str) -> str:
    """The table row headed by a student's name."""
    match = re.search(rf'<tr[^>]*>\s*<th scope="row">{name}</th>(.*?)</tr>', html, re.S)
    assert match, f"no row for {name}"
    return match.group(1)


def _fractions(fragment: str) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in re.findall(r"(\d+) / (\d+)", fragment)]


def test_home_roster_dashboard_overview_and_csv_agree(app, app_client_for, teacher_client, mixed_class, school_class):
    first, second = mixed_class["first"], mixed_class["second"]
    roster = teacher_client.get(f"/classes/{school_class.id}/students").get_data(as_text=True)
    overview = teacher_client.get(f"/dashboard/classes/{school_class.id}").get_data(as_text=True)
    dashboards = {
        work.id: teacher_client.get(f"/dashboard/assignments/{work.id}").get_data(as_text=True)
        for work in (first, second)
    }
    completion = {
        work.id: list(
            csv.reader(
                io.StringIO(
                    teacher_client.get(f"/dashboard/assignments/{work.id}/completion.csv")
                    .get_data(as_text=True)
                    .removeprefix(BOM)
                )
            )
        )
        for work in (first, second)
    }
    for name, (first_statuses, second_status) in WORK.items():
        done_first, done_second = _done(first_statuses), _done([second_status])
        student = mixed_class["students"][name]

        home = app_client_for(student).get("/student").get_data(as_text=True)
        counts = re.findall(r'<strong class="count">(\d+) of (\d+)</strong>', home)
        assert [(int(a), int(b)) for a, b in counts] == [(done_first, 3), (done_second, 3)], name

        roster_row = re.search(rf'<tr id="student-{student.id}">(.*?)</tr>', roster, re.S).group(1)
        assert _fractions(roster_row) == [(done_first + done_second, 6)], name

        assert _fractions(_row(dashboards[first.id], name))[-1] == (done_first, 3), name
        assert _fractions(_row(dashboards[second.id], name))[-1] == (done_second, 3), name

        cells = _fractions(_row(overview, name))
        started_first = any(first_statuses)
        expected = ([(done_first, 3)] if started_first else []) + ([(done_second, 3)] if second_status else [])
        assert cells == [*expected, (done_first + done_second, 6)], name

        for work, done in ((first, done_first), (second, done_second)):
            [csv_row] = [row for row in completion[work.id][1:] if row[0] == name]
            assert csv_row[-1] == str(done), name
    # The footers count answers, like the cells above them: 5 students x 3 prompts per assignment.
    footer = overview[overview.index("<tfoot>") : overview.index("</tfoot>")]
    total_first = sum(_done(w[0]) for w in WORK.values())
    total_second = sum(_done([w[1]]) for w in WORK.values())
    assert _fractions(footer) == [(total_first, 15), (total_second, 15), (total_first + total_second, 30)]
    dashboard_footer = dashboards[first.id][dashboards[first.id].index("<tfoot>") :]
    assert _fractions(dashboard_footer)[-1] == (total_first, 15)
    assert f'<span class="stat-tile__number">{total_first}</span> of 15 answers done' in dashboards[first.id]


def test_pages_say_what_done_means(app, app_client_for, teacher_client, mixed_class, school_class):
    meaning = DONE.meaning
    pages = [
        app_client_for(mixed_class["students"]["Anya"]).get("/student"),
        teacher_client.get(f"/classes/{school_class.id}/students"),
        teacher_client.get(f"/dashboard/classes/{school_class.id}"),
        teacher_client.get(f"/dashboard/assignments/{mixed_class['first'].id}"),
    ]
    for page in pages:
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and meaning in html, page.request.path
    legend = pages[0].get_data(as_text=True)
    for status in ReflectionStatus:
        assert status.meaning in legend


@pytest.fixture
def app_client_for(app):
    def make(person):
        client = app.test_client()
        login_as(client, person)
        return client

    return make
