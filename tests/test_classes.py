"""Classes, join codes and links, assignments with dates, video, captions and options."""

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import undefer

from classroom.classes import logic
from classroom.classes.media import MAX_CAPTIONS_BYTES, MediaError, check_video_url, read_captions
from classroom.extensions import db
from classroom.joincodes import JOIN_ALPHABET
from classroom.models import (
    Assignment,
    CaptionTrack,
    LessonPlan,
    Mark,
    ModerationEvent,
    Prompt,
    Reflection,
    SchoolClass,
    StanceAnswer,
    Teacher,
)
from classroom.timezones import local_to_utc, school_zone, utc_to_local

from .conftest import login_as

VTT = b"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nA frozen city in the north.\n"


def get_class(app, class_id):
    with app.app_context():
        school_class = db.session.get(SchoolClass, class_id)
        db.session.expunge(school_class)
        return school_class


def get_assignment(app, assignment_id):
    with app.app_context():
        assignment = db.session.get(Assignment, assignment_id)
        if assignment is None:
            return None
        # The captions text is deferred (loaded only when asked for); the tests read it after the session ends.
        assignment.captions = {
            track.language: track.vtt
            for track in db.session.scalars(
                db.select(CaptionTrack)
                .where(CaptionTrack.assignment_id == assignment_id)
                .options(undefer(CaptionTrack.vtt))
            )
        }
        prompts = [(p.time_seconds, p.text) for p in assignment.prompts]
        db.session.expunge(assignment)
        return assignment, prompts


def assignment_form(plan_id=None, **changes):
    data = {
        "title": "",
        "opens_at": "2026-12-01T09:00",
        "closes_at": "2026-12-15T17:30",
        "video_url": "",
        "require_approval": "y",
        "show_classmates": "y",
        "anonymise": "y",
    }
    if plan_id is not None:
        data["plan"] = str(plan_id)
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# Classes ----------------------------------------------------------------------------------


def test_classes_index_is_the_teachers_home(teacher_client, school_class):
    assert teacher_client.get("/").headers["Location"] == "/classes/"
    page = teacher_client.get("/classes/").get_data(as_text=True)
    assert "History 11B" in page and "Autumn 2026" in page and school_class.join_code in page


def test_classes_index_empty_state_guides_a_new_teacher(teacher_client):
    page = teacher_client.get("/classes/").get_data(as_text=True)
    assert "Start from the ready lesson plan" in page and "Open a class" in page


def test_classes_index_counts_in_sql(app, teacher, school_class, make_assignment, make_student, make_class):
    make_assignment(school_class)
    make_assignment(school_class)
    make_student(school_class, "Ana")
    empty = make_class(teacher, name="Art 9")
    with app.app_context():
        rows = logic.classes_with_counts(db.session.get(Teacher, teacher.id))
        assert [(c.name, a, s) for c, a, s in rows] == [("Art 9", 0, 0), ("History 11B", 2, 1)]
        assert rows[0][0].id == empty.id


def test_create_class(app, teacher_client, teacher):
    page = teacher_client.get("/classes/new").get_data(as_text=True)
    assert '<label for="name">Class name</label>' in page
    response = teacher_client.post("/classes/new", data={"name": " Year 11 History ", "term": "Spring 2027"})
    assert response.status_code == 302
    with app.app_context():
        created = db.session.execute(db.select(SchoolClass)).scalar_one()
        assert (created.name, created.term, created.teacher_id, created.join_enabled) == (
            "Year 11 History",
            "Spring 2027",
            teacher.id,
            True,
        )
        assert len(created.join_code) == 8 and set(created.join_code) <= set(JOIN_ALPHABET)
    assert response.headers["Location"] == f"/classes/{created.id}"


@pytest.mark.parametrize(
    "data,message",
    [
        ({"name": "", "term": "Keep term"}, "Please name the class."),
        ({"name": "n" * 121, "term": "Keep term"}, "Keep the name to 120 characters."),
        ({"name": "Ok", "term": "Keep term" * 10}, "Keep the term to 60 characters."),
    ],
)
def test_create_class_refuses_bad_input(app, teacher_client, data, message):
    response = teacher_client.post("/classes/new", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and "Keep term" in page
    with app.app_context():
        assert db.session.execute(db.select(SchoolClass)).first() is None


def test_edit_class(app, teacher_client, school_class):
    assert 'value="History 11B"' in teacher_client.get(f"/classes/{school_class.id}/edit").get_data(as_text=True)
    response = teacher_client.post(f"/classes/{school_class.id}/edit", data={"name": "History 12A", "term": ""})
    assert response.headers["Location"] == f"/classes/{school_class.id}"
    stored = get_class(app, school_class.id)
    assert (stored.name, stored.term, stored.join_code) == ("History 12A", "", school_class.join_code)
    bad = teacher_client.post(f"/classes/{school_class.id}/edit", data={"name": "", "term": "Kept"})
    assert bad.status_code == 400 and 'value="Kept"' in bad.get_data(as_text=True)


def test_class_page_shows_code_and_full_join_link(teacher_client, school_class):
    page = teacher_client.get(f"/classes/{school_class.id}").get_data(as_text=True)
    assert f'<p class="join-code">{school_class.join_code}</p>' in page
    assert f"http://localhost/join/{school_class.join_code}</code>" in page
    assert "data-copy" in page
    assert "js/copy.js" in page and "defer" in page
    assert '<button type="button"' not in page  # the copy button only appears with JavaScript
    assert "Joining on" in page


def test_join_link_is_the_join_page_of_the_code(app, teacher_client, school_class):
    page = teacher_client.get(f"/classes/{school_class.id}").get_data(as_text=True)
    link = re.search(r'<code id="join-link-\d+">([^<]+)</code>', page).group(1)
    assert link == f"http://localhost/join/{school_class.join_code}"


def test_regenerate_code_replaces_the_old_one(app, teacher_client, school_class):
    response = teacher_client.post(f"/classes/{school_class.id}/regenerate-code")
    assert response.headers["Location"] == f"/classes/{school_class.id}#joining"
    new_code = get_class(app, school_class.id).join_code
    assert new_code != school_class.join_code and len(new_code) == 8
    page = teacher_client.get(f"/classes/{school_class.id}").get_data(as_text=True)
    assert new_code in page and school_class.join_code not in page
    assert "The old code and link no longer work." in page
    with app.app_context():
        assert (
            db.session.execute(db.select(SchoolClass).where(SchoolClass.join_code == school_class.join_code)).first()
            is None
        )


def test_old_join_link_stops_working(app, client, teacher_client, school_class):
    assert client.get(f"/join/{school_class.join_code}").status_code == 200
    teacher_client.post(f"/classes/{school_class.id}/regenerate-code")
    assert client.get(f"/join/{school_class.join_code}").status_code == 404
    assert client.get(f"/join/{get_class(app, school_class.id).join_code}").status_code == 200
    teacher_client.post(f"/classes/{school_class.id}/toggle-join")
    assert client.get(f"/join/{get_class(app, school_class.id).join_code}").status_code == 404


def test_toggle_joining_off_and_on(app, teacher_client, school_class):
    teacher_client.post(f"/classes/{school_class.id}/toggle-join")
    assert get_class(app, school_class.id).join_enabled is False
    page = teacher_client.get(f"/classes/{school_class.id}").get_data(as_text=True)
    assert "Joining off" in page and "Switch joining on" in page
    assert "Joining off" in teacher_client.get("/classes/").get_data(as_text=True)
    teacher_client.post(f"/classes/{school_class.id}/toggle-join")
    assert get_class(app, school_class.id).join_enabled is True


def test_unused_join_code_skips_taken_codes(app, teacher, school_class, monkeypatch):
    codes = iter([school_class.join_code, "ABCDEFGH"])
    monkeypatch.setattr(logic, "new_join_code", lambda: next(codes))
    with app.app_context():
        assert logic.unused_join_code() == "ABCDEFGH"


# Assignments --------------------------------------------------------------------------------


def test_new_assignment_page_lists_only_my_plans_and_preselects(
    app, teacher_client, teacher, other_teacher, school_class, make_plan
):
    mine = make_plan(teacher, title="My plan")
    make_plan(other_teacher, title="Boris plan")
    page = teacher_client.get(f"/classes/{school_class.id}/assign?plan={mine.id}").get_data(as_text=True)
    assert f'<option selected value="{mine.id}">My plan</option>' in page
    assert "Boris plan" not in page
    assert 'enctype="multipart/form-data"' in page
    assert 'type="datetime-local"' in page
    for name in ("require_approval", "show_classmates", "anonymise"):
        assert re.search(rf'<input checked[^>]*name="{name}"', page), name


def test_new_assignment_without_plans_points_to_the_starter(teacher_client, school_class):
    page = teacher_client.get(f"/classes/{school_class.id}/assign").get_data(as_text=True)
    assert "Start from the ready plan" in page
    assert teacher_client.post(f"/classes/{school_class.id}/assign", data={"plan": "1"}).status_code == 400


def test_assign_plan_copies_prompts_and_settings(app, teacher_client, teacher, school_class, make_plan):
    plan = make_plan(teacher)
    data = assignment_form(plan.id, video_url="https://stream.school.example/red-soul.mp4", show_classmates=None)
    response = teacher_client.post(f"/classes/{school_class.id}/assign", data=data)
    assert response.status_code == 302
    with app.app_context():
        created = db.session.execute(db.select(Assignment)).scalar_one()
    assert response.headers["Location"] == f"/classes/assignments/{created.id}"
    stored, prompts = get_assignment(app, created.id)
    assert stored.title == "Memory and the Stalin legacy"
    assert stored.class_id == school_class.id and stored.plan_id == plan.id
    assert stored.video_url == "https://stream.school.example/red-soul.mp4"
    assert (stored.require_approval, stored.show_classmates, stored.anonymise) == (True, False, True)
    assert stored.opens_at.replace(tzinfo=None) == datetime(2026, 12, 1, 9, 0)
    assert stored.closes_at.replace(tzinfo=None) == datetime(2026, 12, 15, 17, 30)
    assert prompts == [
        (60, "What do you notice in the opening images?"),
        (600, "Why do some people still lay flowers for Stalin?"),
        (3000, "Who keeps the record when the state does not?"),
    ]


def test_dates_are_read_in_the_school_time_zone(make_app):
    app = make_app(SCHOOL_TIMEZONE="Europe/Amsterdam")
    with app.app_context():
        teacher = Teacher(name="Ada", email="ada@school.example", password_hash="x")
        db.session.add(teacher)
        db.session.commit()
        school_class = logic.create_class(teacher, "History")
        from classroom.lessons.plans import create_plan

        plan = create_plan(teacher, "Plan")
        ids = (teacher.id, school_class.id, plan.id)
    client = app.test_client()
    with app.app_context():
        login_as(client, db.session.get(Teacher, ids[0]))
    client.post(f"/classes/{ids[1]}/assign", data=assignment_form(ids[2]))
    with app.app_context():
        stored = db.session.execute(db.select(Assignment)).scalar_one()
        assert stored.opens_at.replace(tzinfo=None) == datetime(2026, 12, 1, 8, 0)  # 09:00 CET is 08:00 UTC
        assignment_id = stored.id
    page = client.get(f"/classes/assignments/{assignment_id}").get_data(as_text=True)
    assert "Tue 1 Dec 2026, 09:00 (Europe/Amsterdam)" in page
    assert 'value="2026-12-01T09:00"' in client.get(f"/classes/assignments/{assignment_id}/edit").get_data(as_text=True)


def test_editing_the_plan_afterwards_leaves_the_assignment_alone(app, teacher_client, teacher, school_class, make_plan):
    plan = make_plan(teacher)
    teacher_client.post(f"/classes/{school_class.id}/assign", data=assignment_form(plan.id))
    with app.app_context():
        assignment_id = db.session.execute(db.select(Assignment.id)).scalar_one()
    _, before = get_assignment(app, assignment_id)
    first_prompt = plan.prompts[0].id
    teacher_client.post(
        f"/lessons/{plan.id}/prompts/{first_prompt}/edit",
        data={"text": "Rewritten", "time": "0:05:00", "theme": "media"},
    )
    teacher_client.post(
        f"/lessons/{plan.id}/prompts/new", data={"text": "Added later?", "time": "1:00:00", "theme": "justice"}
    )
    teacher_client.post(f"/lessons/{plan.id}/prompts/{plan.prompts[1].id}/delete")
    teacher_client.post(f"/lessons/{plan.id}/stance", data={"question": "Changed?", "options": "x\ny"})
    stored, after = get_assignment(app, assignment_id)
    assert after == before
    assert stored.stance_question == "How should Stalin be remembered?"
    page = teacher_client.get(f"/classes/assignments/{assignment_id}").get_data(as_text=True)
    # The plan's new wording is only offered (issue 9: "bring these changes to the class"), not in the prompts.
    prompts_section = page.split('id="prompts"', 1)[1]
    assert "What do you notice in the opening images?" in prompts_section and "Rewritten" not in prompts_section


@pytest.mark.parametrize(
    "changes,field,message",
    [
        ({"closes_at": "2026-12-01T09:00"}, "closes_at", "The closing time must be after the opening time."),
        ({"closes_at": "2026-11-30T09:00"}, "closes_at", "The closing time must be after the opening time."),
        ({"opens_at": "next tuesday"}, "opens_at", "Give a date and time, for example 2026-12-01 09:00."),
        ({"video_url": "http://stream.school.example/film.mp4"}, "video_url", "starts with https://"),
        ({"video_url": "javascript:alert(1)"}, "video_url", "That is not a web address."),
        ({"video_url": "not a url"}, "video_url", "That is not a web address."),
        ({"video_url": "http://127.0.0.1:5000/clip.mp4"}, "video_url", "starts with https://"),
        ({"video_url": "https://www.youtube.com/watch?v=abc123"}, "video_url", "That is a YouTube page"),
        ({"video_url": "https://vimeo.com/123456"}, "video_url", "direct link to the video file"),
        ({"title": "t" * 201}, "title", "Keep the title to 200 characters."),
    ],
)
def test_assignment_bad_input_is_refused_next_to_the_field(
    app, teacher_client, teacher, school_class, make_plan, changes, field, message
):
    plan = make_plan(teacher)
    data = assignment_form(
        plan.id, title=changes.get("title", "Keep my title"), **{k: v for k, v in changes.items() if k != "title"}
    )
    response = teacher_client.post(f"/classes/{school_class.id}/assign", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(rf'id="{field}-error" role="alert">[^<]*{re.escape(message)}', page)
    if field != "title":
        assert 'value="Keep my title"' in page
    with app.app_context():
        assert db.session.execute(db.select(Assignment)).first() is None


def test_loopback_http_video_only_when_configured(make_app):
    app = make_app(ALLOW_LOOPBACK_HTTP_MEDIA=True)
    with app.app_context():
        teacher = Teacher(name="Ada", email="ada@school.example", password_hash="x")
        db.session.add(teacher)
        db.session.commit()
        from classroom.lessons.plans import create_plan

        class_id, plan_id = logic.create_class(teacher, "History").id, create_plan(teacher, "Plan").id
        client = app.test_client()
        login_as(client, teacher)
    ok = client.post(
        f"/classes/{class_id}/assign", data=assignment_form(plan_id, video_url="http://127.0.0.1:5077/static/clip.mp4")
    )
    assert ok.status_code == 302
    refused = client.post(
        f"/classes/{class_id}/assign", data=assignment_form(plan_id, video_url="http://example.org/clip.mp4")
    )
    assert refused.status_code == 400


def test_assignment_without_dates_opens_now(app, teacher_client, teacher, school_class, make_plan):
    plan = make_plan(teacher)
    teacher_client.post(
        f"/classes/{school_class.id}/assign",
        data=assignment_form(plan.id, opens_at="", closes_at="", title="Own title"),
    )
    with app.app_context():
        stored = db.session.execute(db.select(Assignment)).scalar_one()
        assert (stored.opens_at, stored.closes_at, stored.title) == (None, None, "Own title")
        assert stored.is_open()


def test_assign_another_teachers_plan_is_refused(app, teacher_client, other_teacher, school_class, make_plan):
    theirs = make_plan(other_teacher)
    assert teacher_client.get(f"/classes/{school_class.id}/assign?plan={theirs.id}").status_code == 404
    response = teacher_client.post(f"/classes/{school_class.id}/assign", data=assignment_form(theirs.id))
    assert response.status_code == 400
    with app.app_context():
        assert db.session.execute(db.select(Assignment)).first() is None


def upload(data=VTT, name="captions.vtt"):
    return (io.BytesIO(data), name)


def test_captions_upload_and_serving(
    app, teacher_client, teacher, school_class, make_plan, make_student, other_teacher
):
    plan = make_plan(teacher)
    response = teacher_client.post(
        f"/classes/{school_class.id}/assign",
        data={**assignment_form(plan.id), "captions": upload()},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        assignment_id = db.session.execute(db.select(Assignment.id)).scalar_one()
    url = f"/student/assignments/{assignment_id}/captions.vtt"
    served = teacher_client.get(url)
    assert served.status_code == 200
    assert served.mimetype == "text/vtt"
    assert served.get_data() == VTT

    # A student of the class may read them; a student of another class, another teacher and a visitor may not.
    student_client = app.test_client()
    login_as(student_client, make_student(school_class))
    assert student_client.get(url).status_code == 200

    elsewhere = logic_class(app, other_teacher)
    outsider = app.test_client()
    login_as(outsider, make_student(elsewhere, "Outsider"))
    assert outsider.get(url).status_code == 404
    boris = app.test_client()
    login_as(boris, other_teacher)
    assert boris.get(url).status_code == 404
    assert app.test_client().get(url).status_code == 404


def logic_class(app, owner):
    with app.app_context():
        school_class = logic.create_class(db.session.get(Teacher, owner.id), "Elsewhere")
        db.session.refresh(school_class)
        db.session.expunge(school_class)
        return school_class


def test_captions_missing_is_404(teacher_client, assignment):
    assert teacher_client.get(f"/student/assignments/{assignment.id}/captions.vtt").status_code == 404
    assert teacher_client.get("/student/assignments/99999/captions.vtt").status_code == 404


@pytest.mark.parametrize(
    "data,message",
    [
        (b"1\n00:00:01,000 --> 00:00:02,000\nSRT, not WebVTT\n", "That is not a WebVTT file"),
        (b"WEBVTT\n" + b"x" * MAX_CAPTIONS_BYTES, "the limit is 512 KB"),
        (b"WEBVTT\n\xff\xfe bad bytes", "UTF-8 WebVTT"),
    ],
)
def test_bad_captions_are_refused(app, teacher_client, teacher, school_class, make_plan, data, message):
    plan = make_plan(teacher)
    response = teacher_client.post(
        f"/classes/{school_class.id}/assign",
        data={**assignment_form(plan.id, title="Keep this"), "captions": upload(data)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(rf'id="captions-error" role="alert">[^<]*{re.escape(message)}', page)
    assert 'value="Keep this"' in page


def test_assignment_page_shows_settings_dates_prompts_and_join_link(teacher_client, school_class, make_assignment):
    assignment = make_assignment(
        school_class,
        opens_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
        closes_at=datetime(2026, 12, 15, 9, 0, tzinfo=UTC),
        video_url="https://stream.school.example/film",
        anonymise=False,
        require_approval=False,
    )
    page = teacher_client.get(f"/classes/assignments/{assignment.id}").get_data(as_text=True)
    for expected in (
        "Tue 1 Dec 2026, 09:00 (UTC)",
        "Tue 15 Dec 2026, 09:00 (UTC)",
        'href="https://stream.school.example/film"',
        "Reflections appear without approval",
        "Students see classmates&#39; approved reflections",
        "Classmates&#39; names are shown to students",
        "0:01:00",
        "0:50:00",
        "Who keeps the record when the state does not?",
        f"/join/{school_class.join_code}",
        "How should Stalin be remembered?",
    ):
        assert expected in page, expected


def test_class_page_lists_assignments_with_status(teacher_client, school_class, make_assignment):
    now = datetime.now(UTC)
    make_assignment(school_class, title="Later one", opens_at=now + timedelta(days=3))
    make_assignment(school_class, title="Finished one", closes_at=now - timedelta(days=1))
    make_assignment(school_class, title="Running one")
    page = teacher_client.get(f"/classes/{school_class.id}").get_data(as_text=True)
    assert re.search(r"Later one</a></th>\s*<td><span class=\"status status--awaiting\">Not open yet", page)
    assert re.search(r"Finished one</a></th>\s*<td><span class=\"status status--rejected\">Closed", page)
    assert re.search(r"Running one</a></th>\s*<td><span class=\"status status--approved\">Open", page)


def test_edit_assignment(app, teacher_client, school_class, make_assignment):
    assignment = make_assignment(school_class)
    page = teacher_client.get(f"/classes/assignments/{assignment.id}/edit").get_data(as_text=True)
    assert 'value="Memory and the Stalin legacy"' in page
    assert 'name="plan"' not in page
    data = assignment_form(
        title="Week 2: memory",
        opens_at="2027-01-10T08:15",
        closes_at="2027-01-20T08:15",
        video_url="https://media.school.example/v",
        require_approval=None,
        anonymise=None,
    )
    response = teacher_client.post(
        f"/classes/assignments/{assignment.id}/edit",
        data={**data, "captions": upload()},
        content_type="multipart/form-data",
    )
    assert response.headers["Location"] == f"/classes/assignments/{assignment.id}"
    stored, prompts = get_assignment(app, assignment.id)
    assert stored.title == "Week 2: memory"
    assert stored.opens_at.replace(tzinfo=None) == datetime(2027, 1, 10, 8, 15)
    assert (stored.require_approval, stored.show_classmates, stored.anonymise) == (False, True, False)
    assert stored.captions == {"en": VTT.decode()}
    assert len(prompts) == 3

    # Saving again without a new file keeps the captions; ticking "remove" drops them.
    teacher_client.post(f"/classes/assignments/{assignment.id}/edit", data=data)
    assert get_assignment(app, assignment.id)[0].captions == {"en": VTT.decode()}
    assert "Remove the English captions" in teacher_client.get(f"/classes/assignments/{assignment.id}/edit").get_data(
        as_text=True
    )
    teacher_client.post(f"/classes/assignments/{assignment.id}/edit", data={**data, "remove_captions": "en"})
    assert get_assignment(app, assignment.id)[0].captions == {}


RUSSIAN_VTT = "WEBVTT\n\n00:00.000 --> 00:02.000\nПамять\n".encode()


def test_captions_in_several_languages_each_a_track_of_its_own(
    app, teacher_client, school_class, make_assignment, make_student, answer_stance
):
    assignment = make_assignment(
        school_class, captions_vtt=VTT.decode(), video_url="https://media.school.example/f.mp4"
    )
    data = assignment_form(
        title="Week 1",
        opens_at="",
        closes_at="",
        video_url="https://media.school.example/f.mp4",
        captions_language="ru",
        captions=upload(RUSSIAN_VTT, "ru.vtt"),
    )
    response = teacher_client.post(
        f"/classes/assignments/{assignment.id}/edit", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    assert get_assignment(app, assignment.id)[0].captions == {"en": VTT.decode(), "ru": RUSSIAN_VTT.decode()}

    # Students get one <track> per language, English first and the default, each with its srclang.
    student_client = app.test_client()
    student = make_student(school_class)
    answer_stance(student, assignment)
    login_as(student_client, student)
    page = student_client.get(f"/student/assignments/{assignment.id}").get_data(as_text=True)
    english = f"/student/assignments/{assignment.id}/captions/en.vtt"
    russian = f"/student/assignments/{assignment.id}/captions/ru.vtt"
    assert f'<track kind="captions" srclang="en" label="English" src="{english}" default>' in page
    assert f'<track kind="captions" srclang="ru" label="Russian (русский)" src="{russian}">' in page
    assert student_client.get(russian).get_data() == RUSSIAN_VTT
    assert student_client.get(english).get_data() == VTT
    # The old single-file address still serves the English track; unknown languages are a 404.
    assert student_client.get(f"/student/assignments/{assignment.id}/captions.vtt").get_data() == VTT
    assert student_client.get(f"/student/assignments/{assignment.id}/captions/de.vtt").status_code == 404
    assert student_client.get(f"/student/assignments/{assignment.id}/captions/xx.vtt").status_code == 404

    # A second Russian file replaces the Russian track; the teacher's page lists both languages.
    newer = RUSSIAN_VTT.replace("Память".encode(), "Память народа".encode())
    teacher_client.post(
        f"/classes/assignments/{assignment.id}/edit",
        data={**data, "captions": upload(newer, "ru2.vtt")},
        content_type="multipart/form-data",
    )
    assert get_assignment(app, assignment.id)[0].captions["ru"] == newer.decode()
    overview = teacher_client.get(f"/classes/assignments/{assignment.id}").get_data(as_text=True)
    assert "English" in overview and "Russian (русский)" in overview

    # Removing only the English track leaves Russian, which the old address now serves.
    teacher_client.post(
        f"/classes/assignments/{assignment.id}/edit",
        data={key: value for key, value in data.items() if key != "captions"} | {"remove_captions": "en"},
    )
    assert list(get_assignment(app, assignment.id)[0].captions) == ["ru"]
    assert student_client.get(f"/student/assignments/{assignment.id}/captions.vtt").get_data() == newer
    # A language that is not on the list is refused next to the field, with a 400.
    refused = teacher_client.post(
        f"/classes/assignments/{assignment.id}/edit",
        data={**data, "captions_language": "xx", "captions": upload(RUSSIAN_VTT, "x.vtt")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400


def test_edit_assignment_bad_dates(app, teacher_client, school_class, make_assignment):
    assignment = make_assignment(school_class)
    data = assignment_form(title="Keep", opens_at="2027-01-10T08:15", closes_at="2027-01-09T08:15")
    response = teacher_client.post(f"/classes/assignments/{assignment.id}/edit", data=data)
    assert response.status_code == 400
    assert "The closing time must be after the opening time." in response.get_data(as_text=True)
    assert get_assignment(app, assignment.id)[0].title == "Memory and the Stalin legacy"


def add_student_work(app, assignment, student):
    with app.app_context():
        prompt = db.session.get(Assignment, assignment.id).prompts[0]
        reflection = Reflection(
            student_id=student.id, prompt_id=prompt.id, body="I think", body_html="<p>I think</p>", status="awaiting"
        )
        db.session.add(reflection)
        db.session.flush()
        db.session.add(
            ModerationEvent(reflection_id=reflection.id, actor="student", from_status="draft", to_status="awaiting")
        )
        db.session.add(StanceAnswer(student_id=student.id, assignment_id=assignment.id, phase="pre", option_index=2))
        db.session.commit()


def test_delete_assignment_asks_then_removes_everything_of_it(
    app, teacher_client, school_class, make_assignment, student
):
    doomed = make_assignment(school_class)
    kept = make_assignment(school_class)
    add_student_work(app, doomed, student)
    add_student_work(app, kept, student)
    page = teacher_client.get(f"/classes/assignments/{doomed.id}/delete").get_data(as_text=True)
    assert "1 reflection students wrote" in page and "3 prompts" in page
    response = teacher_client.post(f"/classes/assignments/{doomed.id}/delete")
    assert response.headers["Location"] == f"/classes/{school_class.id}"
    assert get_assignment(app, doomed.id) is None
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Prompt.id))) == 3
        assert db.session.scalar(db.select(db.func.count(Reflection.id))) == 1
        assert db.session.scalar(db.select(db.func.count(ModerationEvent.id))) == 1
        assert db.session.scalar(db.select(db.func.count(StanceAnswer.id))) == 1
        assert db.session.get(LessonPlan, doomed.plan_id) is not None
    assert teacher_client.get(f"/classes/assignments/{doomed.id}").status_code == 404


def test_delete_assignment_is_one_statement_and_the_database_cascades(
    app, school_class, make_assignment, student, count_queries
):
    doomed = make_assignment(school_class)
    add_student_work(app, doomed, student)
    with app.app_context():
        reflection = db.session.scalars(db.select(Reflection)).one()
        db.session.add(Mark(reflection_id=reflection.id, points=1))
        db.session.commit()
    with count_queries(app) as seen, app.app_context():
        logic.delete_assignment(db.session.get(Assignment, doomed.id))
    assert [s.split()[0] for s in seen if s.lstrip().upper().startswith("DELETE")] == ["DELETE"]
    with app.app_context():
        for model in (Prompt, Reflection, ModerationEvent, StanceAnswer, Mark):
            assert db.session.scalar(db.select(db.func.count(model.id))) == 0, model


def test_delete_assignment_without_reflections_says_so(teacher_client, assignment):
    assert "none written yet" in teacher_client.get(f"/classes/assignments/{assignment.id}/delete").get_data(
        as_text=True
    )


def test_update_assignment_refuses_unknown_fields(app, assignment):
    with app.app_context(), pytest.raises(TypeError):
        logic.update_assignment(db.session.get(Assignment, assignment.id), class_id=99)


# Who may see what ---------------------------------------------------------------------------


def class_routes(school_class, assignment):
    c, a = school_class.id, assignment.id
    gets = [
        f"/classes/{c}",
        f"/classes/{c}/edit",
        f"/classes/{c}/assign",
        f"/classes/assignments/{a}",
        f"/classes/assignments/{a}/edit",
        f"/classes/assignments/{a}/delete",
    ]
    posts = [
        f"/classes/{c}/edit",
        f"/classes/{c}/regenerate-code",
        f"/classes/{c}/toggle-join",
        f"/classes/{c}/assign",
        f"/classes/assignments/{a}/edit",
        f"/classes/assignments/{a}/delete",
    ]
    return gets, posts


def test_another_teachers_class_and_assignment_are_404_everywhere(
    app, teacher_client, other_teacher, make_class, make_assignment
):
    theirs = make_class(other_teacher, name="Boris class")
    their_assignment = make_assignment(theirs)
    gets, posts = class_routes(theirs, their_assignment)
    for url in gets:
        assert teacher_client.get(url).status_code == 404, url
    for url in posts:
        assert (
            teacher_client.post(url, data=assignment_form(their_assignment.plan_id, name="Mine")).status_code == 404
        ), url
    stored = get_class(app, theirs.id)
    assert (stored.name, stored.join_code, stored.join_enabled) == ("Boris class", theirs.join_code, True)
    assert get_assignment(app, their_assignment.id) is not None
    assert "Boris class" not in teacher_client.get("/classes/").get_data(as_text=True)


def test_students_are_sent_away_from_class_pages(student_client, school_class, assignment):
    gets, posts = class_routes(school_class, assignment)
    for url in ["/classes/", "/classes/new", *gets]:
        response = student_client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login"), url
    for url in ["/classes/new", *posts]:
        response = student_client.post(url, data={"name": "Taken over"})
        assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login"), url


# Plain functions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url,expected",
    [
        ("", ""),
        ("  https://stream.school.example/a.mp4  ", "https://stream.school.example/a.mp4"),
        ("HTTPS://Stream.School.Example/x", "HTTPS://Stream.School.Example/x"),
    ],
)
def test_check_video_url_accepts(url, expected):
    assert check_video_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://stream.school.example/a.mp4",
        "ftp://files.example/a",
        "https://",
        "https://user:pw@host.example/a",
        "https://host.example/a b",
        "//host.example/a",
        "data:video/mp4;base64,AAAA",
        "http://localhost/clip.mp4",
        "https://" + "a" * 2000 + ".example",
    ],
)
def test_check_video_url_refuses(url):
    with pytest.raises(MediaError):
        check_video_url(url)


def test_check_video_url_loopback_when_allowed():
    assert (
        check_video_url("http://localhost:8000/clip.mp4", allow_loopback_http=True) == "http://localhost:8000/clip.mp4"
    )
    assert check_video_url("http://127.0.0.1/clip.mp4", allow_loopback_http=True) == "http://127.0.0.1/clip.mp4"
    with pytest.raises(MediaError):
        check_video_url("http://10.0.0.1/clip.mp4", allow_loopback_http=True)


def test_read_captions():
    assert read_captions(b"\xef\xbb\xbfWEBVTT\r\n\r\nhello") == "WEBVTT\n\nhello"
    assert read_captions(b"WEBVTT" + b" " * (MAX_CAPTIONS_BYTES - 6)).startswith("WEBVTT")
    with pytest.raises(MediaError):
        read_captions(b"")


def test_time_zone_helpers():
    assert school_zone(None) is UTC
    assert school_zone("Not/AZone") is UTC
    amsterdam = school_zone("Europe/Amsterdam")
    moment = local_to_utc(datetime(2026, 7, 1, 12, 0), amsterdam)
    assert moment == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    assert utc_to_local(moment, amsterdam) == datetime(2026, 7, 1, 12, 0)
    assert utc_to_local(datetime(2026, 7, 1, 10, 0), amsterdam) == datetime(2026, 7, 1, 12, 0)
    assert local_to_utc(None, amsterdam) is None and utc_to_local(None, amsterdam) is None


def test_csrf_token_required_on_class_forms(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        teacher = Teacher(name="Ada", email="ada@school.example", password_hash="x")
        db.session.add(teacher)
        db.session.commit()
        class_id = logic.create_class(teacher, "History").id
        client = app.test_client()
        login_as(client, teacher)
    assert client.post("/classes/new", data={"name": "No token"}).status_code == 400
    assert client.post(f"/classes/{class_id}/regenerate-code").status_code == 400


def test_list_pages_do_not_query_per_row(
    app, teacher_client, teacher, make_class, make_plan, make_assignment, make_student, count_queries
):
    first = make_class(teacher, name="Class 1")
    make_plan(teacher)
    make_assignment(first)

    def load_pages():
        with count_queries(app) as seen:
            for url in ("/classes/", "/lessons/", f"/classes/{first.id}"):
                assert teacher_client.get(url).status_code == 200
        return len(seen)

    few = load_pages()
    for n in range(2, 6):
        extra = make_class(teacher, name=f"Class {n}")
        make_student(extra, f"Student {n}")
        make_plan(teacher, title=f"Plan {n}")
        make_assignment(first)
    assert load_pages() == few


def test_class_and_assignment_pages_link_to_moderation_dashboard_and_roster(
    teacher_client, school_class, assignment, student, make_reflection
):
    make_reflection(student, assignment.prompts[0], status="awaiting")
    class_page = teacher_client.get(f"/classes/{school_class.id}").get_data(as_text=True)
    assert f"/moderation/classes/{school_class.id}" in class_page
    assert "Moderation queue (1 waiting)" in class_page
    assert f"/dashboard/classes/{school_class.id}" in class_page
    assert f"/classes/{school_class.id}/students" in class_page
    assignment_page = teacher_client.get(f"/classes/assignments/{assignment.id}").get_data(as_text=True)
    assert f"/moderation/classes/{school_class.id}?assignment={assignment.id}" in assignment_page
    assert "Moderation queue (1 waiting)" in assignment_page
    assert f"/dashboard/assignments/{assignment.id}" in assignment_page
    assert f"/dashboard/assignments/{assignment.id}/highlights" in assignment_page
