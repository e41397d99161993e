"""Merging two students of one class: work and history move to one; a prompt both answered keeps both texts."""

import re

from classroom.extensions import db
from classroom.models import (
    KeptVersion,
    LtiLearner,
    LtiPlatform,
    Mark,
    ModerationEvent,
    Reflection,
    StanceAnswer,
    Student,
)
from tests.conftest import login_as


def merge_url(school_class, student):
    return f"/classes/{school_class.id}/students/{student.id}/merge"


def test_merge_moves_work_and_keeps_both_texts_of_a_shared_prompt(
    app, teacher, teacher_client, school_class, assignment, make_student, make_reflection, make_stance
):
    sasha = make_student(school_class, "Sasha")
    again = make_student(school_class, "Sasha (phone)")
    first, second = assignment.prompts[0], assignment.prompts[1]
    mine = make_reflection(sasha, first, "The choir at the grave.", status="approved")
    theirs = make_reflection(again, first, "The phone text about the parade.", status="returned", feedback="Say more.")
    moved = make_reflection(again, second, "Only on the phone.", status="awaiting")
    make_stance(sasha, assignment, "pre", 1)
    make_stance(again, assignment, "pre", 2)
    make_stance(again, assignment, "post", 0)
    with app.app_context():
        db.session.add(ModerationEvent(reflection_id=theirs.id, teacher_id=teacher.id, actor="teacher",
                                       from_status="awaiting", to_status="returned", feedback="Say more."))  # fmt: skip
        db.session.add(Mark(reflection_id=theirs.id, points=1, teacher_id=teacher.id))
        db.session.commit()

    page = teacher_client.get(merge_url(school_class, again))
    assert page.status_code == 200
    assert f'<option value="{sasha.id}">Sasha</option>' in page.get_data(as_text=True)
    response = teacher_client.post(merge_url(school_class, again), data={"into": sasha.id}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Merged Sasha (phone) into Sasha: 1 reflection moved." in html
    assert "1 answer to a prompt both had is kept as a second version" in html

    with app.app_context():
        assert db.session.get(Student, again.id) is None
        rows = {
            r.prompt_id: r for r in db.session.scalars(db.select(Reflection).where(Reflection.student_id == sasha.id))
        }
        assert set(rows) == {first.id, second.id}
        assert rows[first.id].id == mine.id and rows[first.id].body == "The choir at the grave."
        assert rows[second.id].id == moved.id
        kept = db.session.scalars(db.select(KeptVersion).where(KeptVersion.reflection_id == mine.id)).all()
        assert [(k.from_name, k.body, k.status, k.feedback) for k in kept] == [
            ("Sasha (phone)", "The phone text about the parade.", "returned", "Say more.")
        ]
        # Their decision joins the trail, with an entry saying what the merge did; their mark moves over.
        trail = db.session.scalars(
            db.select(ModerationEvent).where(ModerationEvent.reflection_id == mine.id).order_by(ModerationEvent.id)
        ).all()
        assert [e.to_status for e in trail] == ["returned", "approved"]
        assert "Merged Sasha (phone) into Sasha" in trail[-1].feedback and trail[-1].teacher_id == teacher.id
        assert db.session.scalar(db.select(Mark.points).where(Mark.reflection_id == mine.id)) == 1
        stances = {
            (a.phase, a.option_index)
            for a in db.session.scalars(db.select(StanceAnswer).where(StanceAnswer.student_id == sasha.id))
        }
        assert stances == {("pre", 1), ("post", 0)}

    history = teacher_client.get(f"/moderation/reflections/{mine.id}").get_data(as_text=True)
    assert "The choir at the grave." in history and "The phone text about the parade." in history
    assert "Second version, kept from Sasha (phone)" in history


def test_merge_choices_are_this_class_only_and_pages_are_the_teachers(
    app, teacher_client, other_teacher, school_class, make_class, make_student, teacher
):
    sasha = make_student(school_class, "Sasha")
    again = make_student(school_class, "Sasha 2")
    elsewhere = make_student(make_class(teacher, "Other class"), "Sasha")
    refused = teacher_client.post(merge_url(school_class, again), data={"into": elsewhere.id})
    assert refused.status_code == 400
    with app.app_context():
        assert db.session.get(Student, again.id) is not None and db.session.get(Student, elsewhere.id) is not None
    assert teacher_client.post(merge_url(school_class, again), data={"into": again.id}).status_code == 400
    client = app.test_client()
    login_as(client, other_teacher)
    assert client.get(merge_url(school_class, again)).status_code == 404
    assert client.post(merge_url(school_class, again), data={"into": sasha.id}).status_code == 404
    roster = teacher_client.get(f"/classes/{school_class.id}/students").get_data(as_text=True)
    assert merge_url(school_class, again) in roster


def _platform(app):
    with app.app_context():
        platform = LtiPlatform(
            name="LMS", issuer="https://lms.example", client_id="c", auth_login_url="https://lms.example/a",
            auth_token_url="https://lms.example/t", key_set_url="https://lms.example/k",
        )  # fmt: skip
        db.session.add(platform)
        db.session.commit()
        return platform.id


def _learner(app, platform_id, student, sub):
    with app.app_context():
        db.session.add(LtiLearner(platform_id=platform_id, sub=sub, class_id=student.class_id, student_id=student.id))
        db.session.commit()


def test_two_students_from_the_lms_are_not_merged(app, teacher_client, school_class, make_student):
    platform_id = _platform(app)
    one, two = make_student(school_class, "Ana"), make_student(school_class, "Ana B")
    _learner(app, platform_id, one, "sub-1")
    _learner(app, platform_id, two, "sub-2")
    response = teacher_client.post(merge_url(school_class, two), data={"into": one.id})
    assert response.status_code == 400
    assert "Both students come from your learning platform" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Student, two.id) is not None


def test_an_lms_student_merged_into_a_code_student_stays_linked_to_the_lms(
    app, teacher_client, school_class, make_student
):
    platform_id = _platform(app)
    joined, launched = make_student(school_class, "Ana"), make_student(school_class, "Ana Petrova")
    _learner(app, platform_id, launched, "sub-9")
    assert teacher_client.post(merge_url(school_class, launched), data={"into": joined.id}).status_code == 302
    with app.app_context():
        learner = db.session.scalars(db.select(LtiLearner).where(LtiLearner.sub == "sub-9")).one()
        assert learner.student_id == joined.id
        assert db.session.get(Student, launched.id) is None


def test_a_merge_renumbers_the_classmates_a_reader_sees_on_the_next_view(
    app, teacher_client, school_class, assignment, make_student, make_reflection, make_stance
):
    """The student who goes in a merge had written nothing here, so only the class's membership changes:
    the readers' anonymous numbers, cached with the class's work, follow it at once."""
    from classroom.student.reflections import _label_key, classmate_numbers, classmate_places

    people = [make_student(school_class, name) for name in ("Ana", "Ben", "Cleo", "Dan", "Eli", "Fay")]
    reader = people[0]
    with app.app_context():
        places = classmate_places(_label_key(), assignment.id, [p.id for p in people])
    # The twin is first in the class's order, so every classmate's number moves when they go.
    twin = min(people[1:], key=lambda p: places[p.id])
    staying = [p for p in people if p is not twin]
    for person in staying:
        make_stance(person, assignment, "pre", 0)
        make_reflection(person, assignment.prompts[0], f"By {person.display_name}.", status="approved")
    client = app.test_client()
    login_as(client, reader)

    def labels() -> dict[str, str]:
        page = client.get(f"/student/assignments/{assignment.id}").get_data(as_text=True)
        return {
            name: label
            for label, name in re.findall(r"<strong>(Classmate \d+)</strong>.*?<p>By (\w+)\.</p>", page, re.S)
        }

    def numbered(members) -> dict[str, str]:
        with app.app_context():
            numbers = classmate_numbers(_label_key(), assignment.id, [p.id for p in members], reader.id)
        return {p.display_name: f"Classmate {numbers[p.id]}" for p in members if p.id in numbers}

    shown = labels()
    assert shown == {name: label for name, label in numbered(people).items() if name in shown} and shown
    merged = teacher_client.post(merge_url(school_class, twin), data={"into": staying[1].id})
    assert merged.status_code == 302
    after = labels()
    assert after == {name: label for name, label in numbered(staying).items() if name in after} and after
