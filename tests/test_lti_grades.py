"""Assignment and Grade Services: a mark becomes a score in the LMS gradebook, durably."""

from __future__ import annotations

import os
from datetime import timedelta
from types import SimpleNamespace

import pytest

from classroom.extensions import db
from classroom.lms.platforms import add_platform
from classroom.models import Assignment, LtiScoreDelivery, Student, utcnow

from .lti_platform import launch
from .test_lti import bind_course

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "").strip()


@pytest.fixture
def app(make_app):
    return make_app(LTI_GRADE_DELIVERY="inline")


@pytest.fixture
def learner(app, platform, rsps, school_class, assignment):
    """Alice launched the bound activity from the LMS; returns her Student."""
    with app.app_context():
        platform_id = add_platform(**platform.platform_fields()).id
    bind_course(app, platform_id, school_class, assignment)
    response, _, _ = launch(app.test_client(), platform)
    assert response.status_code == 302
    with app.app_context():
        student = db.session.scalars(db.select(Student)).one()
        db.session.expunge(student)
        return student


@pytest.fixture
def handed_in(learner, make_reflection, assignment):
    return make_reflection(learner, assignment.prompts[0], status="awaiting")


def test_a_mark_sends_the_score_with_honest_progress(app, teacher_client, platform, handed_in):
    response = teacher_client.post(f"/marks/reflections/{handed_in.id}", data={"points": "2"})
    assert response.status_code == 302
    (score,) = platform.scores
    body = score["body"]
    assert body["userId"] == "learner-1"
    assert (body["scoreGiven"], body["scoreMaximum"]) == (2, 6)
    assert body["activityProgress"] == "InProgress"  # one prompt of three handed in
    assert body["gradingProgress"] == "FullyGraded"  # everything handed in is marked
    assert score["headers"]["Content-Type"] == "application/vnd.ims.lis.v1.score+json"
    assert score["headers"]["Authorization"].startswith("Bearer token-")
    assert platform.token_requests[-1]["scope"].split() == sorted(
        [
            "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
            "https://purl.imsglobal.org/spec/lti-ags/scope/score",
        ]
    )
    with app.app_context():
        delivery = db.session.scalars(db.select(LtiScoreDelivery)).one()
        assert delivery.state == "sent" and delivery.sent_summary == "2 of 6, InProgress, FullyGraded"
    # A changed mark sends the new score.
    teacher_client.post(f"/marks/reflections/{handed_in.id}", data={"points": "1"})
    assert platform.scores[-1]["body"]["scoreGiven"] == 1


def test_nothing_is_lost_when_the_lms_is_down(app, teacher_client, platform, handed_in, school_class, runner):
    platform.score_status = 503
    teacher_client.post(f"/marks/reflections/{handed_in.id}", data={"points": "2"})
    with app.app_context():
        delivery = db.session.scalars(db.select(LtiScoreDelivery)).one()
        assert delivery.state == "pending" and delivery.attempts == 1 and "503" in delivery.last_error
        assert delivery.next_attempt_at.replace(tzinfo=None) > utcnow().replace(tzinfo=None) + timedelta(seconds=20)
    page = teacher_client.get(f"/marks/classes/{school_class.id}").get_data(as_text=True)
    assert "Scores not yet in the LMS gradebook (1)" in page and "Waiting to send" in page
    # The LMS is back: the teacher sends again from the gradebook.
    platform.score_status = 200
    teacher_client.post(f"/marks/classes/{school_class.id}/resend")
    assert platform.scores[-1]["body"]["scoreGiven"] == 2
    with app.app_context():
        assert db.session.scalars(db.select(LtiScoreDelivery.state)).one() == "sent"
    assert "Scores not yet" not in teacher_client.get(f"/marks/classes/{school_class.id}").get_data(as_text=True)


def test_after_many_failures_the_delivery_fails_visibly_and_sync_grades_resends(
    app, teacher_client, platform, handed_in, runner, school_class
):
    from classroom.lms.grades import MAX_ATTEMPTS, deliver

    platform.score_status = 500
    teacher_client.post(f"/marks/reflections/{handed_in.id}", data={"points": "2"})
    with app.app_context():
        delivery_id = db.session.scalars(db.select(LtiScoreDelivery.id)).one()
        for _ in range(MAX_ATTEMPTS - 1):
            assert deliver(delivery_id) is False
        assert db.session.get(LtiScoreDelivery, delivery_id).state == "failed"
    page = teacher_client.get(f"/marks/classes/{school_class.id}").get_data(as_text=True)
    assert "Not delivered" in page and f"after {MAX_ATTEMPTS} tries" in page
    platform.score_status = 200
    result = runner.invoke(args=["lti", "sync-grades"])
    assert result.exit_code == 0 and "Sent 1" in result.output
    assert platform.scores[-1]["body"]["scoreGiven"] == 2


def test_sync_grades_waits_for_the_backoff_unless_told_to_resend(app, teacher_client, platform, handed_in, runner):
    platform.score_status = 502
    teacher_client.post(f"/marks/reflections/{handed_in.id}", data={"points": "2"})
    platform.score_status = 200
    sent_before = len(platform.scores)
    assert "Sent 0" in runner.invoke(args=["lti", "sync-grades"]).output  # not due yet
    assert len(platform.scores) == sent_before
    assert "Sent 1" in runner.invoke(args=["lti", "sync-grades", "--now"]).output


def test_approval_completes_a_complete_not_complete_assignment(
    app, teacher_client, platform, learner, make_reflection, assignment
):
    from classroom.marks.logic import set_scheme
    from classroom.models import Assignment

    with app.app_context():
        set_scheme(db.session.get(Assignment, assignment.id), "complete")
    reflections = [make_reflection(learner, prompt, status="awaiting") for prompt in assignment.prompts]
    for reflection in reflections:
        teacher_client.post(f"/moderation/reflections/{reflection.id}/approve", data={"approve-version": "1"})
    body = platform.scores[-1]["body"]
    assert (body["scoreGiven"], body["scoreMaximum"], body["gradingProgress"]) == (1, 1, "FullyGraded")
    assert body["activityProgress"] == "Completed"


def test_a_student_not_from_the_lms_sends_nothing(
    app, teacher_client, platform, learner, make_student, make_reflection, school_class, assignment
):
    local = make_student(school_class, "Local Lou")
    reflection = make_reflection(local, assignment.prompts[0], status="awaiting")
    teacher_client.post(f"/marks/reflections/{reflection.id}", data={"points": "2"})
    assert platform.scores == []


@pytest.mark.skipif(not TEST_REDIS_URL, reason="set TEST_REDIS_URL to run the RQ worker test")
def test_with_redis_an_rq_worker_sends_the_scores(make_app, platform, rsps):
    from redis import Redis
    from rq import Queue, SimpleWorker

    from classroom.classes.logic import assign_plan, create_class
    from classroom.lessons.plans import copy_starter_plan
    from classroom.lms.grades import QUEUE_NAME, run_worker_job
    from classroom.models import Reflection, Teacher

    from .conftest import login_as

    app = make_app(LTI_REDIS_URL=TEST_REDIS_URL, LTI_GRADE_DELIVERY="rq")
    connection = Redis.from_url(TEST_REDIS_URL)
    queue = Queue(QUEUE_NAME, connection=connection)
    queue.empty()
    with app.app_context():
        teacher = Teacher(name="Rita", email="rita@school.example", password_hash="x")
        db.session.add(teacher)
        db.session.commit()
        made_class = create_class(teacher, "History", "")
        made = assign_plan(made_class, copy_starter_plan(teacher))
        school_class, assignment = SimpleNamespace(id=made_class.id), SimpleNamespace(id=made.id)
        teacher_key = teacher.get_id()
        teacher = SimpleNamespace(get_id=lambda: teacher_key)
        platform_id = add_platform(**platform.platform_fields()).id
    bind_course(app, platform_id, school_class, assignment)
    launch(app.test_client(), platform)
    with app.app_context():
        alice = db.session.scalars(db.select(Student)).one()
        prompt_id = db.session.get(Assignment, assignment.id).prompts[0].id
        reflection = Reflection(student_id=alice.id, prompt_id=prompt_id, body="x", body_html="x", status="awaiting")
        db.session.add(reflection)
        db.session.commit()
        reflection_id = reflection.id
    client = app.test_client()
    login_as(client, teacher)
    client.post(f"/marks/reflections/{reflection_id}", data={"points": "2"})
    assert platform.scores == []  # queued in Redis, not sent by the web request
    assert queue.count == 1
    assert queue.jobs[0].func_name == "classroom.lms.grades.run_worker_job"
    # The worker builds its own app from the environment; this test's app lives on a temporary
    # database, so the same job is queued again pointing there.
    queue.empty()
    config = {k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SQLALCHEMY_ENGINE_OPTIONS", "LTI_KEYRING_PATH")}
    queue.enqueue(run_worker_job, config=config)
    SimpleWorker([queue], connection=connection).work(burst=True)
    assert platform.scores[-1]["body"]["scoreGiven"] == 2
    queue.empty()


def _hand_in(client, assignment, prompt, version=0, submit=True):
    """The student's own save of one prompt, as the page posts it."""
    button = "send" if submit else "save_draft"
    response = client.post(
        f"/student/assignments/{assignment.id}/prompts/{prompt.id}",
        data={
            f"p{prompt.id}-body": "The grandmother keeps the letters.",
            f"p{prompt.id}-version": str(version),
            f"p{prompt.id}-{button}": "1",
        },
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["version"]


def _learner_client(app, learner, assignment):
    """The learner signed in, with the question before viewing answered (it opens the prompts)."""
    from .conftest import login_as

    client = app.test_client()
    login_as(client, learner)
    assert client.post(f"/student/assignments/{assignment.id}/stance/pre", data={"pre-option": "0"}).status_code == 302
    return client


def test_handing_in_shows_in_the_gradebook_before_the_teacher_decides(app, platform, learner, assignment):
    client = _learner_client(app, learner, assignment)
    drafted = _hand_in(client, assignment, assignment.prompts[0], submit=False)
    assert platform.scores == []  # a draft is the student's own: nothing for the gradebook
    versions = [
        _hand_in(client, assignment, prompt, version=drafted if index == 0 else 0)
        for index, prompt in enumerate(assignment.prompts)
    ]
    body = platform.scores[-1]["body"]
    assert (body["activityProgress"], body["gradingProgress"]) == ("Completed", "PendingManual")
    sent = len(platform.scores)
    # Taking one back to drafts is progress going back; saving it again unchanged in status sends nothing new.
    _hand_in(client, assignment, assignment.prompts[0], version=versions[0], submit=False)
    assert platform.scores[-1]["body"]["activityProgress"] == "InProgress"
    assert len(platform.scores) == sent + 1


def test_without_approval_handing_in_every_prompt_completes_a_complete_not_complete_assignment(
    app, platform, learner, assignment
):
    from classroom.marks.logic import set_scheme

    with app.app_context():
        work = db.session.get(Assignment, assignment.id)
        set_scheme(work, "complete")
        work.require_approval = False
        db.session.commit()
    client = _learner_client(app, learner, assignment)
    for prompt in assignment.prompts:
        _hand_in(client, assignment, prompt)
    body = platform.scores[-1]["body"]
    assert (body["scoreGiven"], body["scoreMaximum"], body["activityProgress"]) == (1, 1, "Completed")


def test_changes_score():
    from classroom.student.reflections import changes_score

    assert changes_score(None, "awaiting") and changes_score("draft", "approved") and changes_score("awaiting", "draft")
    assert changes_score("approved", "awaiting")  # an approved answer edited goes back to the teacher
    assert not changes_score(None, "draft") and not changes_score("returned", "awaiting")
    assert not changes_score("draft", "draft") and not changes_score("awaiting", "awaiting")


def test_a_mark_given_while_the_hand_in_score_is_on_its_way_is_sent_after_it(
    app, teacher_client, platform, learner, handed_in, assignment, monkeypatch
):
    # With RQ one worker sends in turn: the mark's job waits while the hand-in's score is still being sent.
    from classroom.lms import grades

    with app.app_context():
        grades.queue_scores(assignment.id, [learner.id])  # the hand-in's score, owed
    queued_jobs: list[str] = []
    send = grades.AssignmentsGradesService.put_grade

    def send_while_the_teacher_marks(service, grade, *args, **kwargs):
        answer = send(service, grade, *args, **kwargs)
        if not queued_jobs:
            with monkeypatch.context() as later:
                later.setattr(grades, "dispatch", lambda: queued_jobs.append("send"))
                assert (
                    teacher_client.post(f"/marks/reflections/{handed_in.id}", data={"points": "2"}).status_code == 302
                )
        return answer

    monkeypatch.setattr(grades.AssignmentsGradesService, "put_grade", send_while_the_teacher_marks)
    with app.app_context():
        assert grades.deliver_due() == (1, 0)  # the hand-in's score reached the LMS...
        delivery = db.session.scalars(db.select(LtiScoreDelivery)).one()
        assert delivery.state == "pending"  # ...but the score is owed again, so it is not recorded as sent
        assert queued_jobs == ["send"]
        assert grades.deliver_due() == (1, 0)  # the mark's job
        delivery = db.session.scalars(db.select(LtiScoreDelivery)).one()
        assert delivery.state == "sent" and delivery.sent_summary == "2 of 6, InProgress, FullyGraded"
    assert [score["body"].get("scoreGiven") for score in platform.scores] == [None, 2]
