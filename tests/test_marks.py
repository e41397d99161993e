"""Marks: schemes, marking from the queue and the history page, the gradebook and its CSV, the student's view."""

from __future__ import annotations

import csv
import io

import pytest

from classroom.extensions import db
from classroom.marks.scheme import SUGGESTED_RUBRIC, SchemeError, clean_rubric, maximum_score, score_for
from classroom.models import Assignment, Mark, MarkEvent

from .conftest import login_as


def _assignment(app, assignment_id) -> Assignment:
    with app.app_context():
        found = db.session.get(Assignment, assignment_id)
        found.prompts  # noqa: B018  (load before leaving the context)
        db.session.expunge(found)
        return found


def set_scheme(app, assignment, scheme, points=2, rubric=None):
    from classroom.marks.logic import set_scheme as set_it

    with app.app_context():
        set_it(db.session.get(Assignment, assignment.id), scheme, points, rubric)


# --- the plain functions -------------------------------------------------------------------------


def test_rubric_needs_named_criteria_with_three_or_four_levels():
    assert clean_rubric(SUGGESTED_RUBRIC) == SUGGESTED_RUBRIC
    with pytest.raises(SchemeError, match="three or four levels"):
        clean_rubric([{"name": "Evidence", "levels": ["a", "b"]}])
    with pytest.raises(SchemeError, match="four criteria"):
        clean_rubric([{"name": f"c{i}", "levels": ["a", "b", "c"]} for i in range(5)])
    with pytest.raises(SchemeError, match="name"):
        clean_rubric([{"name": "", "levels": ["a", "b", "c"]}])
    with pytest.raises(SchemeError, match="at least one"):
        clean_rubric([])


class FakeAssignment:
    def __init__(self, scheme, prompts=3, points=2, rubric=None):
        self.marking_scheme, self.points_per_prompt, self.rubric = scheme, points, rubric or []
        self.prompts = [type("P", (), {"id": i})() for i in range(1, prompts + 1)]


class FakeMark:
    def __init__(self, points=None, levels=None):
        self.points, self.levels = points, levels


def test_maximum_scores():
    assert maximum_score(FakeAssignment("points", prompts=3, points=2)) == 6
    assert maximum_score(FakeAssignment("complete")) == 1
    assert maximum_score(FakeAssignment("rubric", prompts=2, rubric=SUGGESTED_RUBRIC)) == 2 * 6


def test_scores_and_honest_progress():
    a = FakeAssignment("points", prompts=3, points=2)
    nothing = score_for(a, {}, {})
    assert (nothing.activity_progress, nothing.grading_progress, nothing.has_mark) == ("Initialized", "NotReady", False)
    partly = score_for(a, {1: "awaiting", 2: "draft"}, {})
    assert (partly.activity_progress, partly.grading_progress) == ("InProgress", "PendingManual")
    marked = score_for(a, {1: "approved", 2: "approved", 3: "awaiting"}, {1: FakeMark(2), 2: FakeMark(1)})
    assert (marked.given, marked.maximum, marked.grading_progress) == (3, 6, "PendingManual")
    assert marked.activity_progress == "Completed"
    full = score_for(a, {1: "approved", 2: "approved", 3: "returned"}, {1: FakeMark(2), 2: FakeMark(1), 3: FakeMark(0)})
    assert (full.given, full.grading_progress) == (3, "FullyGraded")
    # A mark on a reflection taken back to a draft does not count.
    assert score_for(a, {1: "draft"}, {1: FakeMark(2)}).given == 0


def test_complete_scheme_counts_only_when_every_prompt_is_approved():
    a = FakeAssignment("complete", prompts=2)
    assert score_for(a, {1: "approved", 2: "awaiting"}, {}).given == 0
    done = score_for(a, {1: "approved", 2: "approved"}, {})
    assert (done.given, done.maximum, done.grading_progress, done.activity_progress) == (
        1,
        1,
        "FullyGraded",
        "Completed",
    )


def test_rubric_score_sums_levels():
    a = FakeAssignment("rubric", prompts=1, rubric=SUGGESTED_RUBRIC)
    assert score_for(a, {1: "approved"}, {1: FakeMark(levels=[2, 1, 0])}).given == 3


# --- through HTTP --------------------------------------------------------------------------------


@pytest.fixture
def handed_in(make_reflection, student, assignment):
    return make_reflection(student, assignment.prompts[0], status="awaiting")


def test_default_scheme_is_two_points_per_prompt(app, assignment):
    found = _assignment(app, assignment.id)
    assert (found.marking_scheme, found.points_per_prompt, maximum_score(found)) == ("points", 2, 6)


def test_teacher_chooses_a_rubric_and_the_starter_suggestion_is_offered(app, teacher_client, assignment):
    page = teacher_client.get(f"/marks/assignments/{assignment.id}").get_data(as_text=True)
    assert "Uses a moment from the film" in page
    bad = teacher_client.post(
        f"/marks/assignments/{assignment.id}",
        data={"scheme": "rubric", "criterion_1": "Evidence", "levels_1": "none\nsome"},
    )
    assert bad.status_code == 400 and "three or four levels" in bad.get_data(as_text=True)
    assert "Evidence" in bad.get_data(as_text=True)  # typed text kept
    ok = teacher_client.post(
        f"/marks/assignments/{assignment.id}",
        data={
            "scheme": "rubric",
            "criterion_1": "Evidence",
            "levels_1": "none\nsome\nstrong",
            "criterion_2": "Other views",
            "levels_2": "no\nnamed\nweighed\nweighed fairly",
        },
    )
    assert ok.status_code == 302
    found = _assignment(app, assignment.id)
    assert found.marking_scheme == "rubric" and [c["name"] for c in found.rubric] == ["Evidence", "Other views"]
    assert maximum_score(found) == 3 * (2 + 3)


def test_marking_from_the_queue_is_audited_and_returns_to_the_queue(
    app, teacher_client, handed_in, school_class, teacher
):
    queue = teacher_client.get(f"/moderation/classes/{school_class.id}").get_data(as_text=True)
    assert f'action="/marks/reflections/{handed_in.id}"' in queue
    response = teacher_client.post(
        f"/marks/reflections/{handed_in.id}", data={"points": "2", "next_id": "", "page": "1"}
    )
    assert response.status_code == 302 and f"/moderation/classes/{school_class.id}" in response.headers["Location"]
    # The queue shows the mark given, in the item's own form.
    marked = teacher_client.get(f"/moderation/classes/{school_class.id}").get_data(as_text=True)
    form = marked[marked.index(f'id="mark-{handed_in.id}"') :]
    form = form[: form.index("</form>")]
    assert '<input type="radio" name="points" value="2" checked>' in form and "Change the mark" in form
    assert "Give the mark" in queue and "Change the mark" not in queue
    again = teacher_client.post(f"/marks/reflections/{handed_in.id}", data={"points": "1", "back": "history"})
    assert again.headers["Location"].endswith(f"/moderation/reflections/{handed_in.id}#mark")
    with app.app_context():
        assert db.session.scalars(db.select(Mark.points)).all() == [1]
        events = db.session.scalars(db.select(MarkEvent).order_by(MarkEvent.id)).all()
        assert [e.description for e in events] == ["2 of 2 points", "1 of 2 points"]
        assert {e.teacher_id for e in events} == {teacher.id}
    history = teacher_client.get(f"/moderation/reflections/{handed_in.id}").get_data(as_text=True)
    assert "1 of 2 points" in history and "2 of 2 points" in history


def test_a_mark_out_of_range_is_refused(app, teacher_client, handed_in):
    response = teacher_client.post(f"/marks/reflections/{handed_in.id}", data={"points": "7"}, follow_redirects=True)
    assert "between 0 and 2" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(db.select(Mark)).all() == []


def test_drafts_cannot_be_marked(app, teacher_client, make_reflection, student, assignment):
    draft = make_reflection(student, assignment.prompts[1], status="draft")
    response = teacher_client.post(f"/marks/reflections/{draft.id}", data={"points": "1"}, follow_redirects=True)
    assert "handed in" in response.get_data(as_text=True)


def test_marking_another_teachers_reflection_is_a_404(app, handed_in, other_teacher):
    client = app.test_client()
    login_as(client, other_teacher)
    assert client.post(f"/marks/reflections/{handed_in.id}", data={"points": "1"}).status_code == 404


def test_rubric_marks_and_the_student_sees_levels_with_the_feedback(
    app, teacher_client, student_client, handed_in, assignment, student, answer_stance
):
    answer_stance(student, assignment)
    set_scheme(app, assignment, "rubric", rubric=SUGGESTED_RUBRIC)
    missing = teacher_client.post(f"/marks/reflections/{handed_in.id}", data={"level-0": "2"}, follow_redirects=True)
    assert "every criterion" in missing.get_data(as_text=True)
    teacher_client.post(f"/marks/reflections/{handed_in.id}", data={"level-0": "2", "level-1": "1", "level-2": "0"})
    page = student_client.get(f"/student/assignments/{assignment.id}").get_data(as_text=True)
    assert "Describes it and why it matters" in page and "Names another view" in page
    assert "3 of 6" in page


def test_gradebook_and_csv(app, teacher_client, handed_in, school_class, assignment, make_student):
    make_student(school_class, "=cmd|' /C calc'!A0")
    teacher_client.post(f"/marks/reflections/{handed_in.id}", data={"points": "2"})
    page = teacher_client.get(f"/marks/classes/{school_class.id}").get_data(as_text=True)
    assert "2 / 6" in page and "Sasha" in page
    response = teacher_client.get(f"/marks/classes/{school_class.id}/gradebook.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][0] == "Student" and rows[0][-2:] == ["Total", "Out of"]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Sasha"][1:] == ["2", "2", "6"]
    assert "'=cmd|' /C calc'!A0" in by_name  # formula neutralised


def test_gradebook_is_the_owners_only(app, school_class, other_teacher, student_client):
    client = app.test_client()
    login_as(client, other_teacher)
    assert client.get(f"/marks/classes/{school_class.id}").status_code == 404
    assert student_client.get(f"/marks/classes/{school_class.id}").status_code == 302


def test_gradebook_says_complete_or_not_for_a_complete_scheme(
    app, teacher_client, school_class, assignment, student, make_reflection
):
    set_scheme(app, assignment, "complete")
    page = teacher_client.get(f"/marks/classes/{school_class.id}").get_data(as_text=True)
    assert "Not complete" in page
    for prompt in assignment.prompts:
        make_reflection(student, prompt, status="approved")
    page = teacher_client.get(f"/marks/classes/{school_class.id}").get_data(as_text=True)
    assert "Complete (1 / 1)" in page
