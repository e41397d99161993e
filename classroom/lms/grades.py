"""Assignment and Grade Services: scores go back to the LMS gradebook, durably.

When a student hands in or takes an answer back, or a mark or a decision changes the score, each
LMS gradebook column of that assignment owes the student a score: a row in lti_score_deliveries. A
worker sends the row's *current* score and marks it sent (unless it was owed again while on its way: then
the sender that change started sends the newer one); a failure (the LMS is down, a 5xx, a refused
token) leaves it pending with a later next_attempt_at (backoff), and after MAX_ATTEMPTS it is "failed"
and shown to the teacher, who can send it again (or `flask lti sync-grades`). Nothing is lost: the row
stays until the LMS has taken the score.

Who sends: with REDIS_URL, an RQ job (`rq worker --with-scheduler redsoul-grades`); without it, a thread
started after the response in the web process. Tests send inline.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import requests
from flask import Flask, current_app
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException
from pylti1p3.grade import Grade
from sqlalchemy.orm import contains_eager, joinedload

from ..extensions import db
from ..marks.scheme import Score, score_for
from ..models import (
    Assignment,
    LtiLearner,
    LtiResourceLink,
    LtiScoreDelivery,
    Mark,
    Prompt,
    Reflection,
    utcnow,
)
from ..timezones import as_utc
from .tool import ToolRegistration, ToolServiceConnector

log = logging.getLogger("classroom.lms")
MAX_ATTEMPTS = 8
QUEUE_NAME = "redsoul-grades"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min ... capped at 6 hours."""
    return timedelta(seconds=min(30 * 2 ** max(0, attempts - 1), 6 * 3600))


def queue_scores(assignment_id: int, student_ids: list[int]) -> list[int]:
    """Mark the students' scores on every LMS column of the assignment as owed and commit; returns the delivery ids."""
    ids = owe_scores(assignment_id, student_ids)
    db.session.commit()
    return ids


def owe_scores(assignment_id: int, student_ids: list[int]) -> list[int]:
    """queue_scores in the caller's transaction, for a write that commits it together with its own rows."""
    links = db.session.scalars(
        db.select(LtiResourceLink).where(
            LtiResourceLink.assignment_id == assignment_id, LtiResourceLink.lineitem_url != ""
        )
    ).all()
    if not links or not student_ids:
        return []
    learners = db.session.scalars(db.select(LtiLearner).where(LtiLearner.student_id.in_(student_ids))).all()
    ids = []
    now = utcnow()
    for link in links:
        for learner in learners:
            if learner.platform_id != link.platform_id:
                continue
            delivery = db.session.scalars(
                db.select(LtiScoreDelivery).where(
                    LtiScoreDelivery.resource_link_id == link.id, LtiScoreDelivery.learner_id == learner.id
                )
            ).first()
            if delivery is None:
                delivery = LtiScoreDelivery(resource_link_id=link.id, learner_id=learner.id, times_owed=1)
                db.session.add(delivery)
            else:
                # In SQL, so two changes owed at the same moment both count.
                delivery.times_owed = LtiScoreDelivery.times_owed + 1
            delivery.state, delivery.attempts, delivery.next_attempt_at, delivery.last_error = "pending", 0, now, ""
            db.session.flush()
            ids.append(delivery.id)
    return ids


def score_of(assignment: Assignment, student_id: int) -> Score:
    rows = db.session.execute(
        db.select(Reflection.prompt_id, Reflection.status, Mark)
        .join(Prompt, Reflection.prompt_id == Prompt.id)
        .outerjoin(Mark, Mark.reflection_id == Reflection.id)
        .where(Prompt.assignment_id == assignment.id, Reflection.student_id == student_id)
    ).all()
    statuses = {prompt_id: status for prompt_id, status, _mark in rows}
    marks = {prompt_id: mark for prompt_id, _status, mark in rows if mark is not None}
    return score_for(assignment, statuses, marks)


def deliver(delivery_id: int) -> bool:
    """Send one owed score now; True when the LMS took it."""
    delivery = db.session.get(LtiScoreDelivery, delivery_id)
    if delivery is None or delivery.state == "sent":
        return True
    times_owed, attempts = delivery.times_owed, delivery.attempts
    link, learner = delivery.resource_link, delivery.learner
    score = score_of(link.assignment, learner.student_id)
    grade = (
        Grade()
        .set_user_id(learner.sub)
        .set_score_maximum(score.maximum)
        .set_activity_progress(score.activity_progress)
        .set_grading_progress(score.grading_progress)
        .set_timestamp(utcnow().isoformat())
    )
    if score.has_mark or score.grading_progress == "FullyGraded":
        grade.set_score_given(score.given)
    scopes = link.ags_scopes.split() or [SCORE_SCOPE]
    service = AssignmentsGradesService(
        ToolServiceConnector(ToolRegistration(link.platform)),
        {"scope": scopes, "lineitem": link.lineitem_url},  # type: ignore[typeddict-item]  # the platform's scope strings
    )
    try:
        service.put_grade(grade)
    except (LtiException, requests.RequestException, ValueError, KeyError) as error:
        detail = getattr(getattr(error, "response", None), "status_code", None)
        attempts += 1
        last_error = f"{type(error).__name__}: {error}" + (f" (HTTP {detail})" if detail else "")
        retry = {"state": "failed"} if attempts >= MAX_ATTEMPTS else {"next_attempt_at": utcnow() + backoff(attempts)}
        _record_unless_owed_again(delivery_id, times_owed, attempts=attempts, last_error=last_error, **retry)
        log.warning("LTI score not delivered (delivery %s, attempt %s): %s", delivery_id, attempts, last_error)
        return False
    summary = (
        f"{score.given if grade.get_score_given() is not None else '-'} of {score.maximum}, "
        f"{score.activity_progress}, {score.grading_progress}"
    )
    _record_unless_owed_again(
        delivery_id, times_owed, state="sent", sent_at=utcnow(), last_error="", sent_summary=summary
    )
    return True


def _record_unless_owed_again(delivery_id: int, times_owed: int, **values: object) -> None:
    """Record how a send went, unless the score was owed again meanwhile: the row then stays pending for
    the sender that change started, which sends the newer score."""
    recorded = db.session.execute(
        db.update(LtiScoreDelivery)
        .where(LtiScoreDelivery.id == delivery_id, LtiScoreDelivery.times_owed == times_owed)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if not recorded.rowcount:  # type: ignore[attr-defined]  # a CursorResult for an UPDATE
        log.info("LTI score delivery %s was owed again while sending; the newer score goes next", delivery_id)


def due_deliveries(limit: int = 200) -> list[int]:
    now = utcnow()
    rows = db.session.scalars(
        db.select(LtiScoreDelivery)
        .where(LtiScoreDelivery.state == "pending")
        .order_by(LtiScoreDelivery.next_attempt_at)
    ).all()
    return [row.id for row in rows if as_utc(row.next_attempt_at) <= now][:limit]


def deliver_due() -> tuple[int, int]:
    """Send every owed score whose time has come; returns (sent, not sent)."""
    sent = failed = 0
    for delivery_id in due_deliveries():
        if deliver(delivery_id):
            sent += 1
        else:
            failed += 1
    return sent, failed


def resend(delivery_ids: list[int] | None = None) -> int:
    """Put failed (or given) deliveries back in the queue to be sent now."""
    query = db.select(LtiScoreDelivery).where(LtiScoreDelivery.state != "sent")
    if delivery_ids is not None:
        query = query.where(LtiScoreDelivery.id.in_(delivery_ids))
    rows = db.session.scalars(query).all()
    for row in rows:
        row.state, row.attempts, row.next_attempt_at = "pending", 0, utcnow()
    db.session.commit()
    return len(rows)


# --- who sends --------------------------------------------------------------------------------


def scores_changed(assignment_id: int, student_ids: list[int]) -> None:
    """Call after a mark or decision that may change scores: queue them and have them sent."""
    if queue_scores(assignment_id, student_ids):
        dispatch()


def reflections_changed(reflection_ids: list[int]) -> None:
    """After moderation decisions: the students' scores on those assignments may have changed."""
    if not reflection_ids:
        return
    rows = db.session.execute(
        db.select(Prompt.assignment_id, Reflection.student_id)
        .join(Prompt, Reflection.prompt_id == Prompt.id)
        .where(Reflection.id.in_(reflection_ids))
    ).all()
    by_assignment: dict[int, set[int]] = {}
    for assignment_id, student_id in rows:
        by_assignment.setdefault(assignment_id, set()).add(student_id)
    queued = [queue_scores(assignment_id, sorted(students)) for assignment_id, students in by_assignment.items()]
    if any(queued):
        dispatch()


def dispatch() -> None:
    """Send due scores the configured way: RQ with REDIS_URL, else a thread after the response."""
    how = current_app.config.get("LTI_GRADE_DELIVERY") or (
        "rq" if current_app.config.get("LTI_REDIS_URL") else "thread"
    )
    if how == "inline":
        deliver_due()
    elif how == "rq":
        from redis import Redis
        from rq import Queue

        Queue(QUEUE_NAME, connection=Redis.from_url(current_app.config["LTI_REDIS_URL"])).enqueue(run_worker_job)
    elif how == "thread":
        app = current_app._get_current_object()  # type: ignore[attr-defined]  # the proxy's own method
        threading.Thread(target=_deliver_in_thread, args=(app,), daemon=True, name="lti-scores").start()


def _deliver_in_thread(app: Flask) -> None:
    with app.app_context():
        try:
            deliver_due()
        except Exception:  # a thread has nobody to report to but the log
            log.exception("LTI score delivery thread failed")
        finally:
            db.session.remove()


def run_worker_job(config: dict | None = None) -> tuple[int, int]:
    """The RQ job: send what is due, then come back for what failed (needs `rq worker --with-scheduler`)."""
    from classroom import create_app

    app = create_app(config)
    with app.app_context():
        result = deliver_due()
        waiting = db.session.scalars(
            db.select(LtiScoreDelivery.next_attempt_at)
            .where(LtiScoreDelivery.state == "pending")
            .order_by(LtiScoreDelivery.next_attempt_at)
        ).first()
        if waiting is not None and app.config.get("LTI_REDIS_URL"):
            from redis import Redis
            from rq import Queue

            delay = max(timedelta(seconds=1), as_utc(waiting) - utcnow())
            Queue(QUEUE_NAME, connection=Redis.from_url(app.config["LTI_REDIS_URL"])).enqueue_in(
                delay, run_worker_job, config=config
            )
        db.session.remove()
        return result


def deliveries_for_class(class_id: int) -> list[LtiScoreDelivery]:
    """The class's score deliveries that are not sent yet, for the teacher to see and resend, each with the
    student and the assignment the gradebook names (in the same query, however many are listed)."""
    return list(
        db.session.scalars(
            db.select(LtiScoreDelivery)
            .join(LtiLearner, LtiScoreDelivery.learner_id == LtiLearner.id)
            .where(LtiLearner.class_id == class_id, LtiScoreDelivery.state != "sent")
            .order_by(LtiScoreDelivery.state, LtiScoreDelivery.id)
            .options(
                contains_eager(LtiScoreDelivery.learner).joinedload(LtiLearner.student),
                joinedload(LtiScoreDelivery.resource_link).joinedload(LtiResourceLink.assignment),
            )
        )
    )
