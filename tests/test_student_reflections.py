"""A reflection's life on the student's side, and nothing a student typed is ever lost."""

import re
from datetime import timedelta

import pytest

from classroom.extensions import db
from classroom.models import Assignment, ModerationEvent, Prompt, Reflection, Student, utcnow
from classroom.statuses import ReflectionStatus as S
from classroom.student import reflections as logic
from classroom.student.reflections import (
    AssignmentNotOpen,
    BodyRefused,
    NewerVersionSaved,
    PromptsLocked,
    ReflectionLocked,
    clean_body,
    save_reflection,
    target_status,
)


def url(assignment, prompt):
    return f"/student/assignments/{assignment.id}/prompts/{prompt.id}"


def form(prompt, body, *, at="", version=0, action="send", owner=None, **extra):
    data = {f"p{prompt.id}-body": body, f"p{prompt.id}-at": at, f"p{prompt.id}-version": str(version)}
    data[f"p{prompt.id}-{'send' if action == 'send' else 'save_draft'}"] = "1"
    if owner is not None:
        data[f"p{prompt.id}-owner"] = str(owner)
    data.update(extra)
    return data


def reflections_of(app, student):
    with app.app_context():
        return db.session.scalars(
            db.select(Reflection).where(Reflection.student_id == student.id).order_by(Reflection.id)
        ).all()


def events_of(app, reflection):
    with app.app_context():
        return [
            (e.actor, e.teacher_id, e.from_status, e.to_status)
            for e in db.session.scalars(
                db.select(ModerationEvent)
                .where(ModerationEvent.reflection_id == reflection.id)
                .order_by(ModerationEvent.id)
            )
        ]


def set_status(app, reflection, status, feedback=""):
    """What a teacher's decision leaves behind (the moderation side is tested with it)."""
    with app.app_context():
        row = db.session.get(Reflection, reflection.id)
        row.status = status
        row.feedback = feedback
        row.version += 1
        db.session.commit()


def main_part(page):
    """The page's own content, without the site's script tags."""
    return page[page.index("<main") : page.index("</main>")]


def textarea(page, prompt):
    match = re.search(rf'<textarea[^>]*id="p{prompt.id}-body"[^>]*>\n?(.*?)</textarea>', page, re.S)
    return match.group(1) if match else None


@pytest.fixture
def ready(student, assignment, answer_stance):
    """The student has answered the opening question, so the prompts are open."""
    answer_stance(student, assignment)
    return assignment


# --- plain functions ---


@pytest.mark.parametrize(
    "current,submit,approval,expected",
    [
        (None, False, True, S.DRAFT),
        (None, True, True, S.AWAITING),
        (None, True, False, S.APPROVED),
        (S.DRAFT, False, True, S.DRAFT),
        (S.DRAFT, True, True, S.AWAITING),
        (S.DRAFT, True, False, S.APPROVED),
        (S.AWAITING, True, True, S.AWAITING),
        (S.AWAITING, False, True, S.DRAFT),
        (S.RETURNED, False, True, S.RETURNED),
        (S.RETURNED, True, True, S.AWAITING),
        (S.RETURNED, True, False, S.APPROVED),
        (S.APPROVED, True, True, S.AWAITING),
        (S.APPROVED, True, False, S.APPROVED),
    ],
)
def test_target_status(current, submit, approval, expected):
    assert target_status(current, submit, approval) == expected


@pytest.mark.parametrize("submit", [True, False])
def test_rejected_is_final(submit):
    with pytest.raises(ReflectionLocked):
        target_status(S.REJECTED, submit, True)


def test_clean_body():
    assert clean_body("  Hello\r\nthere  ") == "Hello\nthere"
    assert clean_body("x" * 5000) == "x" * 5000
    for bad, message in [
        ("", "write something"),
        ("   \n ", "write something"),
        ("x" * 5001, "5,001 characters"),
        ("<b></b>", "Nothing is left"),
    ]:
        with pytest.raises(BodyRefused) as refused:
            clean_body(bad)
        assert message in str(refused.value)


def test_save_as_draft_then_submit_records_each_change(app, student, ready, write_reflection):
    prompt = ready.prompts[0]
    draft = write_reflection(student, prompt, "First thoughts", submit=False)
    assert (draft.status, draft.version, draft.submitted_at) == (S.DRAFT, 1, None)
    again = write_reflection(student, prompt, "Second thoughts", submit=False)
    assert (again.status, again.version, again.body) == (S.DRAFT, 2, "Second thoughts")
    sent = write_reflection(student, prompt, "Final **thoughts**", submit=True, cited_seconds=75)
    assert (sent.status, sent.version, sent.cited_seconds, sent.word_count) == (S.AWAITING, 3, 75, 2)
    assert sent.body_html == "<p>Final <strong>thoughts</strong></p>" and sent.submitted_at is not None
    assert events_of(app, sent) == [("student", None, "", S.DRAFT), ("student", None, S.DRAFT, S.AWAITING)]
    assert len(reflections_of(app, student)) == 1


def test_with_approval_off_a_submit_is_approved_at_once(app, make_assignment, school_class, student, write_reflection):
    open_forum = make_assignment(school_class, require_approval=False)
    reflection = write_reflection(student, open_forum.prompts[0], "Posted straight away")
    assert reflection.status == S.APPROVED and reflection.decided_at is not None
    assert events_of(app, reflection) == [("student", None, "", S.APPROVED)]
    edited = write_reflection(student, open_forum.prompts[0], "Posted straight away, edited")
    assert edited.status == S.APPROVED and len(events_of(app, edited)) == 1


def test_editing_an_awaiting_reflection_keeps_it_awaiting(app, student, ready, write_reflection):
    prompt = ready.prompts[0]
    write_reflection(student, prompt, "One")
    edited = write_reflection(student, prompt, "One, better")
    assert edited.status == S.AWAITING and edited.body == "One, better"
    assert [e[3] for e in events_of(app, edited)] == [S.AWAITING]
    withdrawn = write_reflection(student, prompt, "One, better", submit=False)
    assert withdrawn.status == S.DRAFT
    assert events_of(app, withdrawn)[-1] == ("student", None, S.AWAITING, S.DRAFT)


def test_returned_reflection_is_revised_and_resubmitted(app, student, ready, write_reflection):
    prompt = ready.prompts[0]
    first = write_reflection(student, prompt, "Short")
    set_status(app, first, S.RETURNED, "Say more about the flowers.")
    saved = write_reflection(student, prompt, "Longer, about the flowers", submit=False)
    assert saved.status == S.RETURNED and saved.feedback == "Say more about the flowers."
    again = write_reflection(student, prompt, "Longer, about the flowers and why", submit=True)
    assert again.status == S.AWAITING
    assert events_of(app, again)[-1] == ("student", None, S.RETURNED, S.AWAITING)


def test_editing_an_approved_reflection_sends_it_back(app, student, ready, write_reflection):
    prompt = ready.prompts[0]
    first = write_reflection(student, prompt, "Good one")
    set_status(app, first, S.APPROVED)
    edited = write_reflection(student, prompt, "Good one, changed")
    assert edited.status == S.AWAITING
    assert events_of(app, edited)[-1] == ("student", None, S.APPROVED, S.AWAITING)


def test_a_rejected_reflection_cannot_be_changed(app, student, ready, write_reflection):
    prompt = ready.prompts[0]
    first = write_reflection(student, prompt, "Off topic")
    set_status(app, first, S.REJECTED, "This is not about the film.")
    with pytest.raises(ReflectionLocked):
        write_reflection(student, prompt, "Try again")
    assert reflections_of(app, student)[0].body == "Off topic"


def test_stale_version_is_refused_and_the_same_save_twice_is_not(app, student, ready, write_reflection):
    prompt = ready.prompts[0]
    write_reflection(student, prompt, "Tab one", expected_version=0)
    # The very same save arriving again (double click) is harmless.
    same = write_reflection(student, prompt, "Tab one", expected_version=0)
    assert same.version == 1
    with pytest.raises(NewerVersionSaved) as stale:
        write_reflection(student, prompt, "Tab two", expected_version=0)
    assert stale.value.current.body == "Tab one"
    assert reflections_of(app, student)[0].body == "Tab one"


def test_save_refused_before_opening_after_closing_and_before_the_question(
    app, make_assignment, school_class, student, answer_stance
):
    later = make_assignment(school_class, opens_at=utcnow() + timedelta(days=1))
    over = make_assignment(school_class, closes_at=utcnow() - timedelta(minutes=1))
    fresh = make_assignment(school_class)
    with app.app_context():
        person = db.session.get(Student, student.id)
        with pytest.raises(AssignmentNotOpen, match="not open yet"):
            save_reflection(person, db.session.get(Prompt, later.prompts[0].id), "Hi")
        with pytest.raises(AssignmentNotOpen, match="has closed"):
            save_reflection(person, db.session.get(Prompt, over.prompts[0].id), "Hi")
        with pytest.raises(PromptsLocked):
            save_reflection(person, db.session.get(Prompt, fresh.prompts[0].id), "Hi")
    assert reflections_of(app, student) == []


def test_a_prompt_of_another_class_is_refused(app, make_class, make_assignment, other_teacher, student):
    elsewhere = make_assignment(make_class(other_teacher, name="Elsewhere"))
    with app.app_context(), pytest.raises(AssignmentNotOpen):
        save_reflection(db.session.get(Student, student.id), db.session.get(Prompt, elsewhere.prompts[0].id), "Hi")


def test_flags_are_applied_on_every_save(app, student, ready, write_reflection, teacher):
    with app.app_context():
        from classroom.models import Teacher

        db.session.get(Teacher, teacher.id).flag_words = "stalinist"
        db.session.commit()
    prompt = ready.prompts[0]
    clean = write_reflection(student, prompt, "Nothing to see here.", submit=False)
    assert not clean.flagged
    flagged = write_reflection(student, prompt, "Mail me at kid@example.com, I am a Stalinist.", submit=False)
    assert flagged.flagged
    kinds = {flag["kind"] for flag in flagged.flags}
    assert {"email", "teacher_word"} <= kinds
    cleared = write_reflection(student, prompt, "Nothing to see here after all.", submit=False)
    assert not cleared.flagged


def test_a_racing_insert_becomes_one_reflection(app, student, ready, write_reflection, monkeypatch):
    """Two requests both found no reflection; the second insert hits the unique constraint and recovers."""
    prompt = ready.prompts[0]
    write_reflection(student, prompt, "Same text")
    real_find = logic.find_reflection
    calls = []

    def first_blind(person, target, lock=False):
        calls.append(1)
        return None if len(calls) == 1 else real_find(person, target, lock)

    monkeypatch.setattr(logic, "find_reflection", first_blind)
    with app.app_context():
        person, target = db.session.get(Student, student.id), db.session.get(Prompt, prompt.id)
        same = save_reflection(person, target, "Same text", submit=True, expected_version=0)
        assert same.version == 1
        with pytest.raises(NewerVersionSaved):
            calls.clear()
            save_reflection(person, target, "Different text", submit=True, expected_version=0)
    assert len(reflections_of(app, student)) == 1


def _read_for_save(student, prompt):
    """What the save route reads before it writes (lookup_for_save), in an app context the caller keeps open."""
    person = db.session.get(Student, student.id)
    return person, logic.lookup_for_save(person, prompt.assignment_id, prompt.id)


def test_a_decision_between_the_saves_read_and_write_is_not_overwritten(app, student, ready, write_reflection, teacher):
    """The save reads the reflection without a lock; a teacher's rejection that lands before its UPDATE wins."""
    from classroom.models import Teacher
    from classroom.moderation.decisions import reject_reflection

    prompt = ready.prompts[0]
    written = write_reflection(student, prompt, "First words", submit=True)
    with app.app_context():
        person, lookup = _read_for_save(student, prompt)
        assert lookup.reflection.status == S.AWAITING and lookup.reflection.version == written.version
        with app.app_context():  # the teacher's request, on its own session
            reject_reflection(db.session.get(Reflection, written.id), db.session.get(Teacher, teacher.id), "Off topic.")
        with pytest.raises(ReflectionLocked):
            save_reflection(
                person, lookup.prompt, "Taken back", submit=False, expected_version=written.version, lookup=lookup
            )
    (kept,) = reflections_of(app, student)
    assert (kept.status, kept.body) == (S.REJECTED, "First words")


def test_a_save_between_the_saves_read_and_write_is_a_newer_version(app, student, ready, write_reflection):
    prompt = ready.prompts[0]
    written = write_reflection(student, prompt, "First words", submit=False)
    with app.app_context():
        person, lookup = _read_for_save(student, prompt)
        write_reflection(student, prompt, "From the other tab", submit=False, expected_version=written.version)
        with pytest.raises(NewerVersionSaved) as newer:
            save_reflection(
                person, lookup.prompt, "From this tab", submit=True, expected_version=written.version, lookup=lookup
            )
        assert newer.value.current.body == "From the other tab"
    (kept,) = reflections_of(app, student)
    assert (kept.body, kept.version, kept.status) == ("From the other tab", written.version + 1, S.DRAFT)


def test_the_saves_lookup_reads_the_class_and_only_the_students_own_prompt(
    app, student, ready, school_class, make_student, other_teacher, make_class, make_assignment
):
    classmate = make_student(school_class, "Zoya Classmate")
    elsewhere = make_assignment(make_class(other_teacher))
    with app.app_context():
        person = db.session.get(Student, student.id)
        found = logic.lookup_for_save(person, ready.id, ready.prompts[1].id)
        assert found.prompt.id == ready.prompts[1].id and found.reflection is None
        assert found.context.answered == frozenset({"pre"}) and found.context.gradebook is False
        assert classmate.display_name in found.context.classmates
        assert person.display_name not in found.context.classmates
        # Another class's prompt, or a prompt under the wrong assignment: nothing.
        assert logic.lookup_for_save(person, elsewhere.id, elsewhere.prompts[0].id) is None
        assert logic.lookup_for_save(person, ready.id, elsewhere.prompts[0].id) is None


# --- through the pages ---


def test_post_a_reflection_and_see_it(app, student_client, student, ready):
    prompt = ready.prompts[1]
    response = student_client.post(url(ready, prompt), data=form(prompt, "It is about *pride*.", at="10:05"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/student/assignments/{ready.id}#prompt-{prompt.id}")
    page = student_client.get(f"/student/assignments/{ready.id}").get_data(as_text=True)
    assert "Submitted. Your teacher will read it" in page
    assert "<em>pride</em>" in page and 'value="0:10:05"' in page
    assert "Awaiting approval" in page
    [saved] = reflections_of(app, student)
    assert (saved.status, saved.cited_seconds) == (S.AWAITING, 605)


def test_save_draft_button(app, student_client, student, ready):
    prompt = ready.prompts[0]
    student_client.post(url(ready, prompt), data=form(prompt, "Not finished", action="draft"))
    [saved] = reflections_of(app, student)
    assert saved.status == S.DRAFT
    page = student_client.get(f"/student/assignments/{ready.id}").get_data(as_text=True)
    assert "Draft saved" in page and ">Save draft</button>" in page


HOSTILE = [
    ("<script>alert('x')</script>Hello", "<script"),
    ('<b onclick="alert(1)">bold</b>', "onclick"),
    ('<img src=x onerror="alert(1)"> A picture', "onerror"),
    ("[click](javascript:alert(1))", "javascript:"),
    ('<a href="javascript:alert(1)">link</a>', "javascript:"),
    ('<p style="position:fixed">styled</p>', "style="),
    ("<iframe src=//evil.example></iframe> A frame", "<iframe"),
]


@pytest.mark.parametrize("body,danger", HOSTILE)
def test_hostile_markup_never_reaches_the_page(app, student_client, student, ready, body, danger):
    prompt = ready.prompts[0]
    assert student_client.post(url(ready, prompt), data=form(prompt, body)).status_code == 302
    [saved] = reflections_of(app, student)
    assert danger not in saved.body_html.lower()
    assert saved.body == body  # the student's own words are kept as typed, shown only escaped
    set_status(app, saved, S.APPROVED)
    page = student_client.get(f"/student/assignments/{ready.id}").get_data(as_text=True)
    rendered = main_part(page).replace(textarea(page, prompt) or "", "")
    assert danger not in rendered.lower()


def test_hostile_markup_is_sanitised_for_classmates(
    app, make_student, school_class, ready, write_reflection, answer_stance
):
    from tests.conftest import login_as

    author, reader = make_student(school_class, "Author"), make_student(school_class, "Reader")
    body = "\n\n".join(text for text, _danger in HOSTILE)
    written = write_reflection(author, ready.prompts[0], body)
    set_status(app, written, S.APPROVED)
    write_reflection(reader, ready.prompts[0], "Mine")
    client = app.test_client()
    login_as(client, reader)
    page = client.get(f"/student/assignments/{ready.id}").get_data(as_text=True)
    assert "Classmate" in page and "bold" in page
    for _text, danger in HOSTILE:
        assert danger not in main_part(page).replace(textarea(page, ready.prompts[0]), "").lower()


def lost_text_case(client, assignment, prompt, body, **options):
    response = client.post(url(assignment, prompt), data=form(prompt, body, **options))
    page = response.get_data(as_text=True)
    return response.status_code, page


def test_too_long_comes_back_with_the_text(app, student_client, student, ready):
    prompt = ready.prompts[0]
    body = "word " * 1001
    status, page = lost_text_case(student_client, ready, prompt, body)
    assert status == 400
    assert textarea(page, prompt).strip() == body.strip()
    assert "the limit is 5,000" in page and 'aria-invalid="true"' in page
    assert reflections_of(app, student) == []


def test_empty_comes_back_with_a_message(student_client, ready):
    prompt = ready.prompts[0]
    status, page = lost_text_case(student_client, ready, prompt, "   ")
    assert status == 400 and "Please write something" in page


def test_bad_at_time_keeps_the_text(app, student_client, student, ready):
    prompt = ready.prompts[0]
    status, page = lost_text_case(student_client, ready, prompt, "About that scene", at="1:75:00")
    assert status == 400
    assert textarea(page, prompt).strip() == "About that scene"
    assert "Minutes and seconds go up to 59" in page and 'value="1:75:00"' in page
    status, page = lost_text_case(student_client, ready, prompt, "About that scene", at="2:00:00")
    assert status == 400 and "The film is only 1:30:00 long" in page
    assert reflections_of(app, student) == []


def test_closed_assignment_keeps_the_text(app, student_client, student, make_assignment, school_class, answer_stance):
    work = make_assignment(school_class, closes_at=utcnow() + timedelta(hours=1))
    answer_stance(student, work)
    with app.app_context():
        db.session.get(Assignment, work.id).closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    prompt = work.prompts[0]
    status, page = lost_text_case(student_client, work, prompt, "Written just too late")
    assert status == 400
    assert "has closed" in page and "Written just too late" in page and "readonly" in page
    assert reflections_of(app, student) == []


def test_not_yet_open_keeps_the_text(app, student_client, make_assignment, school_class):
    work = make_assignment(school_class, opens_at=utcnow() + timedelta(days=1))
    status, page = lost_text_case(student_client, work, work.prompts[0], "Eager")
    assert status == 400 and "not open yet" in page


def test_unanswered_opening_question_keeps_the_text(app, student_client, student, assignment):
    prompt = assignment.prompts[0]
    status, page = lost_text_case(student_client, assignment, prompt, "Skipping ahead")
    assert status == 400
    assert "answer the question before viewing first" in page and "Skipping ahead" in page
    assert reflections_of(app, student) == []


def test_rejected_reflection_post_keeps_the_text(app, student_client, student, ready, write_reflection):
    prompt = ready.prompts[0]
    set_status(app, write_reflection(student, prompt, "First"), S.REJECTED, "Not about the film.")
    status, page = lost_text_case(student_client, ready, prompt, "Second try", version=2)
    assert status == 400 and "can no longer be changed" in page and "Second try" in page
    assert "Not about the film." in page


def test_missing_csrf_token_keeps_the_text(
    make_app, make_teacher, make_class, make_assignment, make_student, answer_stance
):
    from tests.conftest import login_as

    # The factories share this app's fresh database.
    app = make_app(WTF_CSRF_ENABLED=True)
    school_class = make_class(make_teacher())
    work = make_assignment(school_class)
    kid = make_student(school_class)
    answer_stance(kid, work)
    client = app.test_client()
    login_as(client, kid)
    prompt = work.prompts[0]
    response = client.post(url(work, prompt), data=form(prompt, "Typed for a long time"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert textarea(page, prompt).strip() == "Typed for a long time"
    assert "open a long time" in page
    assert reflections_of(app, kid) == []
    # With the page's one token, the same text saves.
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = form(prompt, "Typed for a long time", csrf_token=token)
    assert client.post(url(work, prompt), data=data).status_code == 302
    assert len(reflections_of(app, kid)) == 1
    # Other forms stay protected by the app-wide CSRF check.
    assert client.post(f"/student/assignments/{work.id}/stance/post", data={"post-option": "0"}).status_code == 400


def test_expired_session_keeps_the_text_and_restores_it_after_resume(app, client, student, ready):
    prompt = ready.prompts[2]
    response = client.post(url(ready, prompt), data=form(prompt, "Precious words", at="50:00", owner=student.id))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Nothing is lost" in page and "Precious words" in page and 'name="return_code"' in page
    assert f"next=/student/assignments/{ready.id}" in page.replace("%2F", "/")
    stash = dict(re.findall(r'name="(stash_[a-z]+)" type="hidden" value="([^"]*)"', page))
    stash["stash_body"] = "Precious words"
    response = client.post(
        f"/join/resume?next=/student/assignments/{ready.id}", data={"return_code": student.return_code, **stash}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert textarea(page, prompt).strip() == "Precious words"
    assert 'value="50:00"' in page and "Your text is back in the box" in page
    # Nothing was saved for them: they check it and press Save.
    assert reflections_of(app, student) == []
    assert client.post(url(ready, prompt), data=form(prompt, "Precious words", owner=student.id)).status_code == 302


def test_expired_session_with_a_wrong_code_still_keeps_the_text(client, student, ready):
    prompt = ready.prompts[0]
    client.post(url(ready, prompt), data=form(prompt, "Keep me"))
    response = client.post(
        "/join/resume",
        data={
            "return_code": "not-my-code",
            "stash_prompt": str(prompt.id),
            "stash_assignment": str(ready.id),
            "stash_body": "Keep me",
        },
    )
    assert response.status_code == 400 and "Keep me" in response.get_data(as_text=True)


def test_restore_is_not_given_to_another_student(app, client, make_student, school_class, student, ready):
    kim = make_student(school_class, "Kim")
    prompt = ready.prompts[0]
    stash = {
        "stash_prompt": str(prompt.id),
        "stash_assignment": str(ready.id),
        "stash_owner": str(student.id),
        "stash_body": "Sasha's words",
    }
    response = client.post("/join/resume", data={"return_code": kim.return_code, **stash})
    assert response.status_code == 302
    assert "Sasha's words" not in client.get(f"/student/assignments/{ready.id}").get_data(as_text=True)


def test_a_form_loaded_for_another_student_saves_nothing(
    app, student_client, student, make_student, school_class, ready
):
    prompt = ready.prompts[0]
    response = student_client.post(url(ready, prompt), data=form(prompt, "Whose words?", owner=student.id + 1000))
    assert response.status_code == 400 and "another student" in response.get_data(as_text=True)
    assert "Whose words?" in response.get_data(as_text=True)
    assert reflections_of(app, student) == []


def test_double_submit_makes_one_reflection(app, student_client, student, ready):
    prompt = ready.prompts[0]
    data = form(prompt, "Clicked twice", owner=student.id)
    first = student_client.post(url(ready, prompt), data=data)
    second = student_client.post(url(ready, prompt), data=data)
    assert first.status_code == second.status_code == 302
    [saved] = reflections_of(app, student)
    assert saved.version == 1 and saved.status == S.AWAITING
    assert len(events_of(app, saved)) == 1


def test_two_tabs_the_stale_one_is_told_and_keeps_its_text(app, student_client, student, ready):
    prompt = ready.prompts[0]
    assert student_client.post(url(ready, prompt), data=form(prompt, "From the laptop", version=0)).status_code == 302
    response = student_client.post(url(ready, prompt), data=form(prompt, "From the phone", version=0))
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "newer version" in page
    assert textarea(page, prompt).strip() == "From the phone"
    assert "From the laptop" in page  # the other version, shown to merge from
    assert f'name="p{prompt.id}-version" value="1"' in page
    assert reflections_of(app, student)[0].body == "From the laptop"
    # Saving the merged text from that page now works.
    merged = form(prompt, "From the laptop and the phone", version=1)
    assert student_client.post(url(ready, prompt), data=merged).status_code == 302
    assert reflections_of(app, student)[0].body == "From the laptop and the phone"


def test_teacher_cannot_post_a_reflection(app, teacher_client, ready):
    prompt = ready.prompts[0]
    assert teacher_client.post(url(ready, prompt), data=form(prompt, "Pretend")).status_code == 404
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Reflection.id))) == 0
