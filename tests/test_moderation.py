"""Moderation: decisions and their audit trail, the queue, history, flag words, permissions."""

import re
import secrets

import pytest

from classroom.extensions import db
from classroom.models import ModerationEvent, Reflection, Student, Teacher
from classroom.moderation.decisions import (
    StudentChangedReflection,
    TransitionError,
    approve_reflection,
    bulk_approve,
    reflag_awaiting,
    reject_reflection,
    reopen_reflection,
    return_reflection,
    set_star,
)
from classroom.moderation.queue import awaiting_page
from tests.conftest import login_as


def events_of(app, reflection_id):
    with app.app_context():
        return [
            (e.actor, e.teacher_id, e.from_status, e.to_status, e.feedback)
            for e in db.session.scalars(
                db.select(ModerationEvent)
                .where(ModerationEvent.reflection_id == reflection_id)
                .order_by(ModerationEvent.id)
            )
        ]


def fresh(app, reflection_id):
    with app.app_context():
        reflection = db.session.get(Reflection, reflection_id)
        db.session.expunge(reflection)
        return reflection


# --- plain decision functions -----------------------------------------------------------------


@pytest.fixture
def awaiting(make_reflection, student, assignment):
    return make_reflection(student, assignment.prompts[0], "The flowers at the grave surprised me.")


def test_approve_records_the_event_and_decided_at(app, teacher, awaiting):
    with app.app_context():
        reflection = db.session.get(Reflection, awaiting.id)
        event = approve_reflection(reflection, db.session.get(Teacher, teacher.id))
        assert reflection.status == "approved" and reflection.decided_at is not None
        assert event.created_at is not None
    assert events_of(app, awaiting.id) == [("teacher", teacher.id, "awaiting", "approved", "")]


def test_return_needs_feedback_and_records_it(app, teacher, awaiting):
    with app.app_context():
        reflection = db.session.get(Reflection, awaiting.id)
        with pytest.raises(TransitionError):
            return_reflection(reflection, db.session.get(Teacher, teacher.id), "   ")
        return_reflection(reflection, db.session.get(Teacher, teacher.id), "  Say which scene.  ")
        assert reflection.status == "returned" and reflection.feedback == "Say which scene."
    assert events_of(app, awaiting.id) == [("teacher", teacher.id, "awaiting", "returned", "Say which scene.")]


def test_reject_needs_a_reason_and_unstars(app, teacher, awaiting):
    with app.app_context():
        reflection = db.session.get(Reflection, awaiting.id)
        me = db.session.get(Teacher, teacher.id)
        with pytest.raises(TransitionError):
            reject_reflection(reflection, me, "")
        approve_reflection(reflection, me)
        set_star(reflection, True)
        reject_reflection(reflection, me, "Personal details of a classmate.")
        assert reflection.status == "rejected" and not reflection.starred
        assert reflection.feedback == "Personal details of a classmate."
    assert [e[2:4] for e in events_of(app, awaiting.id)] == [("awaiting", "approved"), ("approved", "rejected")]


@pytest.mark.parametrize(
    "status,decision",
    [
        ("draft", "approve"),
        ("draft", "return"),
        ("draft", "reject"),
        ("approved", "approve"),
        ("returned", "approve"),
        ("returned", "reject"),
        ("rejected", "return"),
        ("awaiting", "reopen"),
        ("approved", "reopen"),
        ("returned", "reopen"),
    ],
)
def test_invalid_transitions_are_refused_without_a_trace(
    app, teacher, make_reflection, student, assignment, status, decision
):
    reflection = make_reflection(student, assignment.prompts[0], status=status)
    with app.app_context():
        r = db.session.get(Reflection, reflection.id)
        me = db.session.get(Teacher, teacher.id)
        with pytest.raises(TransitionError):
            {
                "approve": lambda: approve_reflection(r, me),
                "return": lambda: return_reflection(r, me, "x"),
                "reject": lambda: reject_reflection(r, me, "x"),
                "reopen": lambda: reopen_reflection(r, me, "x"),
            }[decision]()
    assert fresh(app, reflection.id).status == status
    assert events_of(app, reflection.id) == []


def test_a_stale_version_is_refused(app, teacher, awaiting):
    with app.app_context():
        reflection = db.session.get(Reflection, awaiting.id)
        with pytest.raises(StudentChangedReflection):
            approve_reflection(reflection, db.session.get(Teacher, teacher.id), expected_version=reflection.version + 1)
    assert fresh(app, awaiting.id).status == "awaiting"


def test_a_student_save_between_load_and_decision_is_caught(app, teacher, awaiting):
    with app.app_context():
        reflection = db.session.get(Reflection, awaiting.id)
        # The student's save lands after the teacher's page loaded the reflection.
        db.session.execute(
            db.update(Reflection)
            .where(Reflection.id == awaiting.id)
            .values(version=Reflection.version + 1)
            .execution_options(synchronize_session=False)
        )
        with pytest.raises(StudentChangedReflection):
            approve_reflection(reflection, db.session.get(Teacher, teacher.id))
    assert fresh(app, awaiting.id).status == "awaiting"
    assert events_of(app, awaiting.id) == []


def test_star_only_approved(app, teacher, awaiting):
    with app.app_context():
        reflection = db.session.get(Reflection, awaiting.id)
        with pytest.raises(TransitionError):
            set_star(reflection, True)
        approve_reflection(reflection, db.session.get(Teacher, teacher.id))
        set_star(reflection, True)
        assert reflection.starred
        set_star(reflection, False)
        assert not reflection.starred


def test_bulk_approve_only_this_teachers_awaiting_and_current_versions(
    app, teacher, other_teacher, make_class, make_assignment, make_student, make_reflection, assignment, school_class
):
    students = [make_student(school_class, f"S{i}") for i in range(5)]
    mine = [make_reflection(s, assignment.prompts[0]) for s in students[:3]]
    draft = make_reflection(students[3], assignment.prompts[0], status="draft")
    unseen = make_reflection(students[4], assignment.prompts[0])
    their_class = make_class(other_teacher, "Their class")
    their = make_reflection(make_student(their_class), make_assignment(their_class).prompts[0])
    selected = {
        mine[0].id: mine[0].version,
        mine[1].id: mine[1].version,
        mine[2].id: mine[2].version + 5,
        unseen.id: None,
        draft.id: None,
        their.id: None,
    }
    with app.app_context():
        result = bulk_approve(db.session.get(Teacher, teacher.id), school_class.id, selected)
    assert result.approved == [mine[0].id, mine[1].id]
    # A version the teacher did not see, or no version at all, is never published.
    assert result.changed == ["S2", "S4"] and result.flagged == [] and result.not_here == 2
    assert result.skipped == 4
    assert [fresh(app, r.id).status for r in (*mine, unseen, draft, their)] == [
        "approved",
        "approved",
        "awaiting",
        "awaiting",
        "draft",
        "awaiting",
    ]
    assert events_of(app, mine[0].id) == [("teacher", teacher.id, "awaiting", "approved", "")]
    assert events_of(app, mine[2].id) == [] and events_of(app, their.id) == []
    with app.app_context():
        assert bulk_approve(db.session.get(Teacher, teacher.id), school_class.id, {}).approved == []


def test_bulk_approve_never_includes_a_flagged_reflection(
    app, teacher, make_student, make_reflection, assignment, school_class
):
    plain = make_reflection(make_student(school_class, "Ivan"), assignment.prompts[0], "The choir sang well.")
    flagged = make_reflection(
        make_student(school_class, "Sasha"), assignment.prompts[0], "Visit me at 12 Lenin Street after school."
    )
    assert flagged.flagged
    with app.app_context():
        result = bulk_approve(
            db.session.get(Teacher, teacher.id),
            school_class.id,
            {plain.id: plain.version, flagged.id: flagged.version},
        )
    assert result.approved == [plain.id] and result.flagged == ["Sasha"]
    assert fresh(app, flagged.id).status == "awaiting"
    assert events_of(app, flagged.id) == []
    # Approved on its own, after the teacher has seen the flag, it goes through.
    with app.app_context():
        approve_reflection(db.session.get(Reflection, flagged.id), db.session.get(Teacher, teacher.id))
    assert fresh(app, flagged.id).status == "approved"


def test_bulk_approve_guards_each_row_against_a_save_landing_in_between(
    app, teacher, make_student, make_reflection, assignment, school_class, monkeypatch
):
    from classroom.moderation import decisions

    first = make_reflection(make_student(school_class, "Ivan"), assignment.prompts[0], "First text.")
    second = make_reflection(make_student(school_class, "Sasha"), assignment.prompts[0], "First text.")
    found = decisions._bulk_candidates

    def student_saves_meanwhile(*args):
        rows = found(*args)
        # The student's edit lands after the rows were read and before they are updated.
        db.session.execute(
            db.update(Reflection)
            .where(Reflection.id == second.id)
            .values(body="My new words nobody read.", version=Reflection.version + 1)
            .execution_options(synchronize_session=False)
        )
        return rows

    monkeypatch.setattr(decisions, "_bulk_candidates", student_saves_meanwhile)
    with app.app_context():
        result = bulk_approve(
            db.session.get(Teacher, teacher.id),
            school_class.id,
            {first.id: first.version, second.id: second.version},
        )
    assert result.approved == [first.id] and result.changed == ["Sasha"]
    assert fresh(app, second.id).status == "awaiting"
    assert events_of(app, second.id) == []


def test_reflag_awaiting_uses_the_new_words(app, teacher, make_reflection, student, assignment):
    plain = make_reflection(student, assignment.prompts[0], "My grandmother kept silent.")
    approved = make_reflection(student, assignment.prompts[1], "My grandmother kept silent.", status="approved")
    assert not plain.flagged
    with app.app_context():
        me = db.session.get(Teacher, teacher.id)
        me.flag_words = "grandmother"
        assert reflag_awaiting(me) == 1
    assert fresh(app, plain.id).flagged is True
    assert fresh(app, approved.id).flagged is False


def test_queue_order_flagged_first_then_oldest(app, make_reflection, make_student, school_class, assignment):
    from datetime import timedelta

    from classroom.models import utcnow

    now = utcnow()
    a, b, c, d = (make_student(school_class, n) for n in "ABCD")
    newest = make_reflection(a, assignment.prompts[0], submitted_at=now - timedelta(minutes=1))
    oldest = make_reflection(b, assignment.prompts[0], submitted_at=now - timedelta(hours=3))
    flagged_new = make_reflection(c, assignment.prompts[0], "write me at c@example.com", submitted_at=now)
    make_reflection(d, assignment.prompts[0], status="approved")
    with app.app_context():
        page = awaiting_page(school_class.id)
        assert [r.id for r in page.items] == [flagged_new.id, oldest.id, newest.id]
        assert (page.total, page.flagged, page.pages) == (3, 1, 1)


# --- the queue page ---------------------------------------------------------------------------


def queue_url(school_class, **args):
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/moderation/classes/{school_class.id}" + (f"?{query}" if query else "")


def test_queue_shows_each_item_with_prompt_time_name_and_safe_text(
    teacher_client, make_reflection, make_student, school_class, assignment
):
    sasha = make_student(school_class, "Sasha <b>K</b>")
    make_reflection(
        sasha, assignment.prompts[1], "I saw <script>alert(1)</script> and the word fuck.", cited_seconds=620
    )
    page = teacher_client.get(queue_url(school_class))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Sasha &lt;b&gt;K&lt;/b&gt;" in html
    assert assignment.prompts[1].text in html
    assert "0:10:00" in html and "0:10:20" in html
    assert "<script>alert" not in html
    assert "<mark>fuck</mark>" in html
    assert "Strong language or a slur from the built-in list" in html
    # Buttons carry the student's name and the prompt's time for screen readers.
    assert re.search(
        r"Approve<span class=\"visually-hidden\"> Sasha &lt;b&gt;K&lt;/b&gt;’s reflection on the prompt at 0:10:00",
        html,
    )


def test_queue_narrowed_to_an_assignment(
    teacher_client, make_assignment, make_reflection, student, school_class, assignment
):
    second = make_assignment(school_class, title="Second viewing")
    make_reflection(student, assignment.prompts[0], "First assignment answer.")
    make_reflection(student, second.prompts[0], "Second assignment answer.")
    html = teacher_client.get(queue_url(school_class, assignment=second.id)).get_data(as_text=True)
    assert "Second assignment answer." in html and "First assignment answer." not in html
    assert "1 waiting in “Second viewing”" in html


def test_queue_for_an_assignment_of_another_class_is_404(
    teacher_client, make_class, make_assignment, teacher, school_class
):
    elsewhere = make_assignment(make_class(teacher, "Other class of mine"))
    assert teacher_client.get(queue_url(school_class, assignment=elsewhere.id)).status_code == 404


def test_queue_pages_by_fifty(app, teacher_client, school_class, assignment):
    with app.app_context():
        students = [
            Student(
                class_id=school_class.id,
                display_name=f"Student {i:02d}",
                return_code=f"bulk-{i:02d}-{secrets.token_hex(3)}",
            )
            for i in range(60)
        ]
        db.session.add_all(students)
        db.session.flush()
        db.session.add_all(
            Reflection(
                student_id=s.id,
                prompt_id=assignment.prompts[0].id,
                body=f"Answer {i}",
                body_html=f"<p>Answer {i}</p>",
                word_count=2,
                status="awaiting",
            )
            for i, s in enumerate(students)
        )
        db.session.commit()
    first = teacher_client.get(queue_url(school_class)).get_data(as_text=True)
    second = teacher_client.get(queue_url(school_class, page=2)).get_data(as_text=True)
    assert first.count('<li class="queue-item') == 50
    assert second.count('<li class="queue-item') == 10
    assert "Page 1 of 2" in first and "Next page" in first
    assert "Page 2 of 2" in second and "Previous page" in second
    # Beyond the last page shows the last page.
    assert (
        teacher_client.get(queue_url(school_class, page=9)).get_data(as_text=True).count('<li class="queue-item') == 10
    )


def test_empty_queue(teacher_client, school_class):
    html = teacher_client.get(queue_url(school_class)).get_data(as_text=True)
    assert "Nothing is waiting" in html


# --- decisions over HTTP ----------------------------------------------------------------------


def test_approve_redirects_to_the_next_item_with_a_message(app, teacher, teacher_client, awaiting, school_class):
    response = teacher_client.post(
        f"/moderation/reflections/{awaiting.id}/approve",
        data={
            f"approve-{awaiting.id}-version": awaiting.version,
            f"approve-{awaiting.id}-next_id": "77",
            f"approve-{awaiting.id}-page": "1",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/moderation/classes/{school_class.id}?page=1#reflection-77")
    assert fresh(app, awaiting.id).status == "approved"
    assert events_of(app, awaiting.id) == [("teacher", teacher.id, "awaiting", "approved", "")]
    html = teacher_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Approved Sasha’s reflection." in html


def test_return_with_feedback_over_http(app, teacher, teacher_client, awaiting):
    response = teacher_client.post(
        f"/moderation/reflections/{awaiting.id}/return",
        data={f"return-{awaiting.id}-feedback": "Which scene do you mean?"},
    )
    assert response.status_code == 302
    r = fresh(app, awaiting.id)
    assert (r.status, r.feedback) == ("returned", "Which scene do you mean?")
    assert events_of(app, awaiting.id)[-1] == (
        "teacher",
        teacher.id,
        "awaiting",
        "returned",
        "Which scene do you mean?",
    )


def test_return_without_feedback_is_400_and_keeps_what_was_typed(app, teacher_client, awaiting):
    response = teacher_client.post(
        f"/moderation/reflections/{awaiting.id}/return", data={f"return-{awaiting.id}-feedback": "   "}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Write the feedback the student should act on." in html
    assert f'id="return-{awaiting.id}-feedback-error"' in html
    assert '<details class="decision" open>' in html
    assert fresh(app, awaiting.id).status == "awaiting"


def test_reject_too_long_is_400_and_keeps_the_text(app, teacher_client, awaiting):
    typed = "Too long. " * 250
    response = teacher_client.post(
        f"/moderation/reflections/{awaiting.id}/reject", data={f"reject-{awaiting.id}-feedback": typed}
    )
    assert response.status_code == 400
    assert "Too long. Too long." in response.get_data(as_text=True)
    assert fresh(app, awaiting.id).status == "awaiting"


def test_reject_with_reason_over_http(app, teacher, teacher_client, awaiting):
    response = teacher_client.post(
        f"/moderation/reflections/{awaiting.id}/reject",
        data={f"reject-{awaiting.id}-feedback": "Please keep names out."},
    )
    assert response.status_code == 302
    r = fresh(app, awaiting.id)
    assert (r.status, r.feedback) == ("rejected", "Please keep names out.")
    assert events_of(app, awaiting.id)[-1][2:] == ("awaiting", "rejected", "Please keep names out.")


def test_approving_a_draft_over_http_is_refused(app, teacher_client, make_reflection, student, assignment):
    draft = make_reflection(student, assignment.prompts[0], status="draft")
    response = teacher_client.post(f"/moderation/reflections/{draft.id}/approve", data={}, follow_redirects=True)
    assert "cannot be approved" in response.get_data(as_text=True)
    assert fresh(app, draft.id).status == "draft"


def test_a_stale_page_is_told_to_reload(app, teacher_client, awaiting):
    response = teacher_client.post(
        f"/moderation/reflections/{awaiting.id}/approve",
        data={f"approve-{awaiting.id}-version": awaiting.version + 1},
        follow_redirects=True,
    )
    assert "changed this reflection" in response.get_data(as_text=True)
    assert fresh(app, awaiting.id).status == "awaiting"


def test_decision_from_history_returns_to_history(app, teacher_client, awaiting):
    response = teacher_client.post(
        f"/moderation/reflections/{awaiting.id}/approve", data={f"approve-{awaiting.id}-back": "history"}
    )
    assert response.headers["Location"].endswith(f"/moderation/reflections/{awaiting.id}")
    bad = teacher_client.post(
        f"/moderation/reflections/{awaiting.id}/reject", data={f"reject-{awaiting.id}-back": "history"}
    )
    assert bad.status_code == 400
    assert "Write the reason the student will see." in bad.get_data(as_text=True)


def test_bulk_approve_over_http(app, teacher_client, make_student, make_reflection, school_class, assignment):
    a = make_reflection(make_student(school_class, "A"), assignment.prompts[0])
    b = make_reflection(make_student(school_class, "B"), assignment.prompts[0])
    c = make_reflection(make_student(school_class, "C"), assignment.prompts[0])
    response = teacher_client.post(
        f"/moderation/classes/{school_class.id}/approve-selected",
        data={"selected": [f"{a.id}:{a.version}", f"{b.id}:{b.version}", "junk"], "page": "1"},
        follow_redirects=True,
    )
    assert "Approved 2 reflections." in response.get_data(as_text=True)
    assert [fresh(app, r.id).status for r in (a, b, c)] == ["approved", "approved", "awaiting"]
    nothing = teacher_client.post(
        f"/moderation/classes/{school_class.id}/approve-selected", data={}, follow_redirects=True
    )
    assert "Tick the reflections" in nothing.get_data(as_text=True)


def test_bulk_approve_over_http_says_which_were_skipped_and_why(
    app, teacher_client, make_student, make_reflection, school_class, assignment
):
    fine = make_reflection(make_student(school_class, "Ivan"), assignment.prompts[0], "Fine words.")
    flagged = make_reflection(make_student(school_class, "Sasha"), assignment.prompts[0], "Call me on +7 912 345 67 89")
    edited = make_reflection(make_student(school_class, "Olga"), assignment.prompts[0], "Edited later.")
    queue = teacher_client.get(f"/moderation/classes/{school_class.id}").get_data(as_text=True)
    # The page offers no checkbox for the flagged one, and says why.
    assert f'id="select-{fine.id}"' in queue and f'id="select-{flagged.id}"' not in queue
    assert "Flagged, so not among those approved together" in queue
    response = teacher_client.post(
        f"/moderation/classes/{school_class.id}/approve-selected",
        data={
            # A forged or old page may still send the flagged one.
            "selected": [
                f"{fine.id}:{fine.version}",
                f"{flagged.id}:{flagged.version}",
                f"{edited.id}:{edited.version - 1}",
            ],
        },
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "Approved 1 reflection." in html
    assert "Not approved: Sasha’s (flagged)" in html
    assert "Not approved: Olga’s (changed by the student" in html
    assert [fresh(app, r.id).status for r in (fine, flagged, edited)] == ["approved", "awaiting", "awaiting"]


def test_star_and_unstar_over_http(app, teacher, teacher_client, awaiting):
    refused = teacher_client.post(
        f"/moderation/reflections/{awaiting.id}/star", data={"starred": "1"}, follow_redirects=True
    )
    assert "Only approved reflections" in refused.get_data(as_text=True)
    with app.app_context():
        approve_reflection(db.session.get(Reflection, awaiting.id), db.session.get(Teacher, teacher.id))
    response = teacher_client.post(
        f"/moderation/reflections/{awaiting.id}/star",
        data={"starred": "1", "next": "/dashboard/assignments/1/reflections?x=1"},
    )
    assert response.headers["Location"].endswith("/dashboard/assignments/1/reflections?x=1")
    assert fresh(app, awaiting.id).starred is True
    # An address elsewhere is never followed.
    response = teacher_client.post(
        f"/moderation/reflections/{awaiting.id}/star", data={"starred": "0", "next": "//evil.example/"}
    )
    assert response.headers["Location"].endswith(f"/moderation/reflections/{awaiting.id}")
    assert fresh(app, awaiting.id).starred is False


def test_csrf_is_required(make_app, make_teacher):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        from classroom.passwords import hash_password

        me = Teacher(name="T", email="t@school.example", password_hash=hash_password("x" * 12))
        db.session.add(me)
        db.session.commit()
        login_id = me.get_id()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = login_id
    assert client.post("/moderation/reflections/1/approve", data={}).status_code == 400
    assert client.post("/moderation/flag-words", data={"words": "x"}).status_code == 400


# --- history ----------------------------------------------------------------------------------


def test_history_shows_the_whole_trail(app, teacher, teacher_client, make_reflection, student, assignment):
    reflection = make_reflection(student, assignment.prompts[0], "First try.")
    with app.app_context():
        db.session.add(
            ModerationEvent(reflection_id=reflection.id, actor="student", from_status="draft", to_status="awaiting")
        )
        db.session.commit()
        me = db.session.get(Teacher, teacher.id)
        return_reflection(db.session.get(Reflection, reflection.id), me, "Add a moment <from> the film.")
        r = db.session.get(Reflection, reflection.id)
        r.status = "awaiting"
        db.session.add(
            ModerationEvent(reflection_id=reflection.id, actor="student", from_status="returned", to_status="awaiting")
        )
        db.session.commit()
        approve_reflection(r, me)
    html = teacher_client.get(f"/moderation/reflections/{reflection.id}").get_data(as_text=True)
    assert html.count("<tr>") == 5  # header + four events
    assert "Ada Teacher (teacher)" in html and "Sasha (student)" in html
    assert "Add a moment &lt;from&gt; the film." in html
    assert 'status status--approved">Approved</span>' in html
    assert "Star as a highlight" in html


# --- flag words -------------------------------------------------------------------------------


def test_flag_words_page_saves_and_reflags(app, teacher, teacher_client, make_reflection, student, assignment):
    reflection = make_reflection(student, assignment.prompts[0], "He was a traitor, they said.")
    assert teacher_client.get("/moderation/flag-words").status_code == 200
    response = teacher_client.post(
        "/moderation/flag-words", data={"words": " traitor \n\nTraitor\nвраг народа"}, follow_redirects=True
    )
    assert "1 reflection awaiting approval checked again" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Teacher, teacher.id).flag_words == "traitor\nвраг народа"
    r = fresh(app, reflection.id)
    assert r.flagged and r.flags[0]["matches"] == ["traitor"]
    html = teacher_client.get("/moderation/flag-words").get_data(as_text=True)
    assert "traitor\nвраг народа" in html


def test_flag_words_rejects_too_long_lines_with_400(teacher_client):
    typed = "ok\n" + "x" * 61
    response = teacher_client.post("/moderation/flag-words", data={"words": typed})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "at most 60 characters" in html and "x" * 61 in html


def test_flag_words_rejects_too_many_lines(teacher_client):
    response = teacher_client.post("/moderation/flag-words", data={"words": "\n".join(f"w{i}" for i in range(201))})
    assert response.status_code == 400


# --- permissions ------------------------------------------------------------------------------


def moderation_routes(school_class, reflection):
    return [
        ("get", f"/moderation/classes/{school_class.id}"),
        ("get", f"/moderation/reflections/{reflection.id}"),
        ("post", f"/moderation/reflections/{reflection.id}/approve"),
        ("post", f"/moderation/reflections/{reflection.id}/return"),
        ("post", f"/moderation/reflections/{reflection.id}/reject"),
        ("post", f"/moderation/reflections/{reflection.id}/star"),
        ("post", f"/moderation/classes/{school_class.id}/approve-selected"),
    ]


def test_another_teacher_gets_404_everywhere(app, other_teacher, awaiting, school_class):
    client = app.test_client()
    login_as(client, other_teacher)
    for method, url in moderation_routes(school_class, awaiting):
        data = {
            "selected": [str(awaiting.id)],
            f"return-{awaiting.id}-feedback": "x",
            f"reject-{awaiting.id}-feedback": "x",
            "starred": "1",
        }
        response = getattr(client, method)(url, data=data) if method == "post" else client.get(url)
        assert response.status_code == 404, url
    assert fresh(app, awaiting.id).status == "awaiting"
    assert events_of(app, awaiting.id) == []


def test_forged_post_for_another_class_cannot_approve(
    app, teacher_client, other_teacher, make_class, make_assignment, make_student, make_reflection, school_class
):
    their_class = make_class(other_teacher, "Theirs")
    theirs = make_reflection(make_student(their_class), make_assignment(their_class).prompts[0])
    assert teacher_client.post(f"/moderation/reflections/{theirs.id}/approve", data={}).status_code == 404
    # Through my own class's bulk form, too.
    teacher_client.post(f"/moderation/classes/{school_class.id}/approve-selected", data={"selected": [str(theirs.id)]})
    assert fresh(app, theirs.id).status == "awaiting"


def test_students_and_visitors_never_reach_moderation(app, student_client, awaiting, school_class):
    for method, url in [
        *moderation_routes(school_class, awaiting),
        ("get", "/moderation/flag-words"),
        ("post", "/moderation/flag-words"),
    ]:
        for client in (student_client, app.test_client()):
            response = getattr(client, method)(url)
            assert response.status_code == 302, url
            assert "/auth/login" in response.headers["Location"]
    assert fresh(app, awaiting.id).status == "awaiting"


def test_missing_things_are_404(teacher_client):
    assert teacher_client.get("/moderation/classes/9999").status_code == 404
    assert teacher_client.get("/moderation/reflections/9999").status_code == 404
    assert teacher_client.post("/moderation/reflections/9999/approve").status_code == 404


def test_queue_query_count_does_not_grow_with_the_queue(
    app, teacher_client, make_student, make_reflection, school_class, assignment, count_queries
):
    def queries_for_queue():
        with count_queries(app) as seen:
            assert teacher_client.get(queue_url(school_class)).status_code == 200
        return len(seen)

    make_reflection(make_student(school_class, "First"), assignment.prompts[0])
    few = queries_for_queue()
    for i in range(12):
        make_reflection(
            make_student(school_class, f"More {i}"), assignment.prompts[i % 3], "Call 555-1234" if i % 2 else "Fine."
        )
    # The teacher, the class, its assignments, the page of the queue (with its marks and counts) and the
    # rejected reflections a teacher can still take back.
    assert queries_for_queue() == few <= 5


def test_queue_shows_the_feedback_a_revision_answers(
    teacher_client, make_reflection, student, assignment, school_class
):
    make_reflection(
        student, assignment.prompts[0], "Now with the scene at 0:12:30.", feedback="Which <scene>?", version=3
    )
    html = teacher_client.get(queue_url(school_class)).get_data(as_text=True)
    assert "Revised after your feedback:</strong> Which &lt;scene&gt;?" in html


def test_queue_forms_share_the_pages_one_csrf_token(
    app, teacher_client, make_student, make_reflection, school_class, assignment
):
    """Plain HTML forms: one token for the whole page, still checked on every decision."""
    ids = [make_reflection(make_student(school_class, f"S{i}"), assignment.prompts[0], "Fine.").id for i in range(3)]
    app.config["WTF_CSRF_ENABLED"] = True
    html = teacher_client.get(f"/moderation/classes/{school_class.id}").get_data(as_text=True)
    tokens = re.findall(r'name="([\w-]*csrf_token)" value="([^"]+)"', html)
    # Approve, return, reject and mark for three items, plus the bulk form: all the page's one token.
    assert len(tokens) >= 13
    assert {name for name, _ in tokens} == {"csrf_token"}
    assert len({value for _, value in tokens}) == 1
    token = tokens[0][1]
    assert teacher_client.post(f"/moderation/reflections/{ids[0]}/approve", data={}).status_code == 400
    response = teacher_client.post(
        f"/moderation/reflections/{ids[0]}/approve", data={"csrf_token": token, f"approve-{ids[0]}-version": "1"}
    )
    assert response.status_code == 302
    assert fresh(app, ids[0]).status == "approved"
    # A refused decision (no reason) is a 400 that shows the message next to the box.
    refused = teacher_client.post(
        f"/moderation/reflections/{ids[1]}/reject", data={"csrf_token": token, f"reject-{ids[1]}-feedback": " "}
    )
    assert refused.status_code == 400
    assert "Write the reason the student will see." in refused.get_data(as_text=True)


# --- a rejection can be undone ----------------------------------------------------------------


@pytest.fixture
def rejected(app, teacher, awaiting):
    with app.app_context():
        reject_reflection(db.session.get(Reflection, awaiting.id), db.session.get(Teacher, teacher.id), "Off topic.")
    return fresh(app, awaiting.id)


def test_reopen_hands_a_rejected_reflection_back_with_the_reason_or_a_message(app, teacher, rejected):
    with app.app_context():
        reflection = db.session.get(Reflection, rejected.id)
        reopen_reflection(reflection, db.session.get(Teacher, teacher.id), "  ")
        assert (reflection.status, reflection.feedback) == ("returned", "Off topic.")
    assert events_of(app, rejected.id)[-1] == ("teacher", teacher.id, "rejected", "returned", "Off topic.")


def test_approve_after_all_from_rejected(app, teacher, rejected):
    with app.app_context():
        reflection = db.session.get(Reflection, rejected.id)
        approve_reflection(reflection, db.session.get(Teacher, teacher.id), expected_version=reflection.version)
        assert (reflection.status, reflection.feedback) == ("approved", "")
    assert [e[2:4] for e in events_of(app, rejected.id)] == [("awaiting", "rejected"), ("rejected", "approved")]


def test_queue_lists_rejected_reflections_with_both_ways_back(teacher_client, rejected, school_class):
    html = teacher_client.get(queue_url(school_class)).get_data(as_text=True)
    assert 'id="rejected"' in html and "Rejected reflections" in html
    assert "<strong>Your reason:</strong> Off topic." in html
    assert f'action="/moderation/reflections/{rejected.id}/reopen"' in html
    assert re.search(r"Approve after all<span class=\"visually-hidden\"> Sasha’s rejected reflection", html)
    assert "Reopen for rewriting" in html


def test_reopen_from_the_queue_and_the_student_rewrites(
    app,
    teacher,
    teacher_client,
    student_client,
    student,
    rejected,
    school_class,
    assignment,
    write_reflection,
    answer_stance,
):
    answer_stance(student, assignment)
    response = teacher_client.post(
        f"/moderation/reflections/{rejected.id}/reopen",
        data={
            f"reopen-{rejected.id}-version": rejected.version,
            f"reopen-{rejected.id}-back": "rejected",
            f"reopen-{rejected.id}-feedback": "Try again, about the choir scene.",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/moderation/classes/{school_class.id}#rejected")
    page = teacher_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Reopened Sasha’s reflection: it is back with the student" in page
    assert "Rejected reflections" not in page
    assert events_of(app, rejected.id)[-1] == (
        "teacher",
        teacher.id,
        "rejected",
        "returned",
        "Try again, about the choir scene.",
    )
    # The student sees the state and the message, and can hand in a new text.
    mine = student_client.get(f"/student/assignments/{assignment.id}").get_data(as_text=True)
    assert "Returned with feedback" in mine and "Try again, about the choir scene." in mine
    assert f'id="p{assignment.prompts[0].id}-body"' in mine
    rewritten = write_reflection(student, assignment.prompts[0], "The choir sang of the war.")
    assert rewritten.status == "awaiting"


def test_reopen_message_too_long_is_400_and_kept(app, teacher_client, rejected):
    typed = "Please rewrite. " * 130
    response = teacher_client.post(
        f"/moderation/reflections/{rejected.id}/reopen", data={f"reopen-{rejected.id}-feedback": typed}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="reopen-{rejected.id}-feedback-error"' in html and "Please rewrite. Please rewrite." in html
    assert fresh(app, rejected.id).status == "rejected"


def test_history_of_a_rejected_reflection_offers_approve_after_all(app, teacher, teacher_client, rejected):
    page = teacher_client.get(f"/moderation/reflections/{rejected.id}").get_data(as_text=True)
    assert "Approve after all" in page and "Reopen for the student to rewrite" in page
    response = teacher_client.post(
        f"/moderation/reflections/{rejected.id}/approve",
        data={f"approve-{rejected.id}-version": rejected.version, f"approve-{rejected.id}-back": "history"},
    )
    assert response.headers["Location"].endswith(f"/moderation/reflections/{rejected.id}")
    html = teacher_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Approved Sasha’s reflection after all." in html
    assert 'status status--approved">Approved</span>' in html
    assert events_of(app, rejected.id)[-1][:4] == ("teacher", teacher.id, "rejected", "approved")


def test_reopen_is_the_teachers_alone(app, other_teacher, student_client, rejected):
    client = app.test_client()
    login_as(client, other_teacher)
    assert client.post(f"/moderation/reflections/{rejected.id}/reopen", data={}).status_code == 404
    assert student_client.post(f"/moderation/reflections/{rejected.id}/reopen", data={}).status_code == 302
    assert fresh(app, rejected.id).status == "rejected"
