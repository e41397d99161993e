"""The student's home and assignment page: progress, timeline, stance questions, opening times, watch-along, classmates."""

import re
from datetime import timedelta

import pytest

from classroom.classes.students import class_roster
from classroom.extensions import db
from classroom.models import Assignment, Reflection, StanceAnswer, utcnow
from classroom.statuses import ReflectionStatus as S
from classroom.student.progress import student_home
from classroom.student.reflections import (
    CLASSMATES_PER_PAGE,
    CLASSMATES_PREVIEW,
    classmate_numbers,
    classmates_reflections,
)
from classroom.student.stance import StanceRefused, record_stance
from tests.conftest import login_as


def page_of(client, assignment):
    response = client.get(f"/student/assignments/{assignment.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def classmates_of(client, assignment, prompt=None, page=None):
    prompt = prompt or assignment.prompts[0]
    query = f"?page={page}" if page is not None else ""
    response = client.get(f"/student/assignments/{assignment.id}/prompts/{prompt.id}/classmates{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def set_status(app, reflection, status, feedback=""):
    with app.app_context():
        row = db.session.get(Reflection, reflection.id)
        row.status, row.feedback = status, feedback
        db.session.commit()


# --- home ---


def test_home_lists_assignments_with_progress_and_statuses(app, student_client, student, assignment, write_reflection):
    prompts = assignment.prompts
    write_reflection(student, prompts[0], "Done")
    write_reflection(student, prompts[1], "Half", submit=False)
    page = student_client.get("/student").get_data(as_text=True)
    assert assignment.title in page
    assert "1 of 3" in page and "prompts done" in page
    assert "Awaiting approval" in page and "Draft" in page and "Not started" in page
    assert f'href="/student/assignments/{assignment.id}"' in page


def test_home_progress_counts_only_done_work(app, student, make_assignment, school_class, write_reflection):
    work = make_assignment(school_class)
    first = write_reflection(student, work.prompts[0], "A")
    write_reflection(student, work.prompts[1], "B")
    write_reflection(student, work.prompts[2], "C", submit=False)
    set_status(app, first, S.RETURNED, "More")
    with app.app_context():
        from classroom.models import Student

        [item] = student_home(db.session.get(Student, student.id))
        assert (item.total, item.done, item.answered_pre) == (3, 1, True)
        assert [p.status for p in item.prompts] == [S.RETURNED, S.AWAITING, S.DRAFT]


def test_home_uses_a_fixed_number_of_queries(
    app, student_client, student, make_assignment, school_class, write_reflection, count_queries
):
    def count_for_home():
        with count_queries(app) as seen:
            assert student_client.get("/student").status_code == 200
        return len(seen)

    make_assignment(school_class)
    baseline = count_for_home()
    for _ in range(3):
        work = make_assignment(school_class)
        for prompt in work.prompts:
            write_reflection(student, prompt, "Words")
    assert count_for_home() == baseline


def test_home_without_assignments(student_client):
    assert "has not given this class an assignment yet" in student_client.get("/student").get_data(as_text=True)


def test_home_only_shows_my_class(app, student_client, make_class, make_assignment, other_teacher, assignment):
    elsewhere = make_assignment(make_class(other_teacher, name="Elsewhere"), title="Secret plan")
    page = student_client.get("/student").get_data(as_text=True)
    assert "Secret plan" not in page and f"/student/assignments/{elsewhere.id}" not in page


# --- the timeline ---


def test_prompts_are_a_timeline_in_time_order(
    app, student_client, student, make_plan, make_assignment, school_class, teacher, answer_stance
):
    plan = make_plan(
        teacher,
        prompts=[
            (4500, "Last one", "justice", False),
            (65, "First one", "memory", True),
            (1800, "Middle one", "media", False),
        ],
    )
    work = make_assignment(school_class, plan=plan)
    answer_stance(student, work)
    page = page_of(student_client, work)
    positions = [page.index(text) for text in ("First one", "Middle one", "Last one")]
    assert positions == sorted(positions)
    times = re.findall(r'data-time="(\d+)"', page)
    assert times == ["65", "1800", "4500"]
    assert "0:01:05" in page and "0:30:00" in page and "1:15:00" in page
    assert re.search(r'data-time="65"\s+data-pause="true"', page)
    assert "Pause here" in page


def test_page_shows_the_films_facts(student_client, assignment):
    page = page_of(student_client, assignment)
    for fact in ("The Red Soul", "Jessica Gorter", "90 minutes", "Russian, with English subtitles"):
        assert fact in page


def test_no_inline_scripts_or_styles(student_client, student, assignment, answer_stance):
    answer_stance(student, assignment)
    page = page_of(student_client, assignment)
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert "style=" not in page and "<style" not in page
    assert '/static/js/watchalong.js" defer' in page


# --- stance questions ---


def test_prompts_open_only_after_the_pre_viewing_question(app, student_client, student, assignment):
    page = page_of(student_client, assignment)
    assert "How should Stalin be remembered?" in page
    assert 'name="pre-option"' in page and 'type="radio"' in page
    assert "Answer the question above first" in page
    assert "p1-body" not in page and "What do you notice" not in page
    response = student_client.post(f"/student/assignments/{assignment.id}/stance/pre", data={"pre-option": "2"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#prompts")
    page = page_of(student_client, assignment)
    assert "Your answer: <strong>As both at once</strong>" in page
    assert 'name="pre-option"' not in page
    assert f'id="p{assignment.prompts[0].id}-body"' in page
    # Issue 9: the question after viewing is not offered straight after the one before it.
    assert 'name="post-option"' not in page


def test_pre_question_needs_an_answer(student_client, assignment):
    response = student_client.post(f"/student/assignments/{assignment.id}/stance/pre", data={})
    assert response.status_code == 400 and "Please choose one answer" in response.get_data(as_text=True)
    response = student_client.post(f"/student/assignments/{assignment.id}/stance/pre", data={"pre-option": "9"})
    assert response.status_code == 400


def test_each_question_is_answered_once(app, student_client, student, assignment, write_reflection):
    base = f"/student/assignments/{assignment.id}/stance"
    early = student_client.post(f"{base}/post", data={"post-option": "1"})
    assert early.status_code == 400 and "before viewing first" in early.get_data(as_text=True)
    assert student_client.post(f"{base}/pre", data={"pre-option": "0"}).status_code == 302
    again = student_client.post(f"{base}/pre", data={"pre-option": "1"})
    assert again.status_code == 400 and "already answered" in again.get_data(as_text=True)
    # Issue 9: the question after viewing waits until the prompts are answered (or the film is past them).
    for prompt in assignment.prompts:
        write_reflection(student, prompt)
    assert student_client.post(f"{base}/post", data={"post-option": "2"}).status_code == 302
    assert student_client.post(f"{base}/post", data={"post-option": "3"}).status_code == 400
    assert student_client.post(f"{base}/later", data={"later-option": "3"}).status_code == 404
    with app.app_context():
        answers = db.session.execute(
            db.select(StanceAnswer.phase, StanceAnswer.option_index)
            .where(StanceAnswer.student_id == student.id)
            .order_by(StanceAnswer.id)
        ).all()
    assert [tuple(a) for a in answers] == [("pre", 0), ("post", 2)]
    page = page_of(student_client, assignment)
    assert "Your answer after watching: <strong>As both at once</strong>" in page
    assert "Before watching you chose" in page


def test_record_stance_refuses_bad_input(app, student, assignment, make_assignment, school_class):
    with app.app_context():
        from classroom.models import Student

        person, work = db.session.get(Student, student.id), db.session.get(Assignment, assignment.id)
        for phase, option, message in [
            ("during", 0, "no such question"),
            ("pre", 7, "choose one"),
            ("pre", -1, "choose one"),
        ]:
            with pytest.raises(StanceRefused, match=f"(?i){message}"):
                record_stance(person, work, phase, option)
        work.closes_at = utcnow() - timedelta(seconds=1)
        with pytest.raises(StanceRefused, match="closed"):
            record_stance(person, work, "pre", 0)
        work.closes_at, work.opens_at = None, utcnow() + timedelta(days=1)
        with pytest.raises(StanceRefused, match="not open yet"):
            record_stance(person, work, "pre", 0)
        work.opens_at, work.stance_options = None, []
        with pytest.raises(StanceRefused, match="no question"):
            record_stance(person, work, "pre", 0)


def test_without_a_stance_question_prompts_are_open(app, student_client, student, assignment):
    with app.app_context():
        db.session.get(Assignment, assignment.id).stance_options = []
        db.session.commit()
    page = page_of(student_client, assignment)
    assert "Before you watch" not in page and f'id="p{assignment.prompts[0].id}-body"' in page


# --- opening and closing ---


def test_before_it_opens_the_page_says_when_and_has_no_forms(student_client, make_assignment, school_class):
    work = make_assignment(school_class, opens_at=utcnow() + timedelta(days=2))
    page = page_of(student_client, work)
    assert "Not open yet" in page and "opens" in page
    assert 'method="post"' not in page.split("<main", 1)[1].split("</main>", 1)[0]
    assert "What do you notice" not in page
    response = student_client.post(f"/student/assignments/{work.id}/stance/pre", data={"pre-option": "0"})
    assert response.status_code == 400 and "not open yet" in response.get_data(as_text=True)


def test_after_it_closes_work_is_read_only(
    app, student_client, student, make_assignment, school_class, write_reflection
):
    work = make_assignment(school_class)
    write_reflection(student, work.prompts[0], "My **final** words")
    with app.app_context():
        db.session.get(Assignment, work.id).closes_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    page = page_of(student_client, work)
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    assert "Closed." in main and "My <strong>final</strong> words" in main
    assert 'method="post"' not in main and "<textarea" not in main
    assert "You did not write a reflection for this prompt." in main
    assert "did not answer the question after watching" in main


# --- watch-along ---


def test_video_with_captions_and_live_region(
    app, student_client, student, make_assignment, school_class, answer_stance
):
    work = make_assignment(
        school_class,
        video_url="https://media.school.example/red-soul.mp4",
        captions_vtt="WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n",
    )
    answer_stance(student, work)
    page = page_of(student_client, work)
    assert re.search(r"<video controls[^>]*data-watchalong-video", page)
    assert '<source src="https://media.school.example/red-soul.mp4">' in page
    captions = f"/student/assignments/{work.id}/captions/en.vtt"
    assert f'<track kind="captions" srclang="en" label="English" src="{captions}" default>' in page
    assert 'role="status" aria-live="polite" data-watchalong-live' in page
    assert "data-watchalong-timer hidden" in page  # the timer is only the fallback when the video fails
    # The track is served to the assignment's own students.
    track = student_client.get(captions)
    assert track.status_code == 200 and track.mimetype == "text/vtt"


def test_video_without_captions_has_no_track(student_client, student, make_assignment, school_class, answer_stance):
    work = make_assignment(school_class, video_url="https://media.school.example/red-soul.webm")
    answer_stance(student, work)
    page = page_of(student_client, work)
    assert "<video" in page and "<track" not in page


def test_without_a_video_the_page_offers_the_timer(student_client, student, assignment, answer_stance):
    answer_stance(student, assignment)
    page = page_of(student_client, assignment)
    assert "<video" not in page
    for control in (
        "data-timer-toggle",
        "data-timer-back",
        "data-timer-forward",
        "data-timer-jump",
        'for="timer-jump-to"',
    ):
        assert control in page
    assert "licensed copy" in page


def test_watchalong_script_is_plain_and_respects_reduced_motion(app):
    from pathlib import Path

    script = (Path(app.static_folder) / "js" / "watchalong.js").read_text()
    assert "prefers-reduced-motion" in script and 'behavior: reduceMotion ? "auto"' in script
    for hook in ("data-watchalong-live", "data-time", "data-pause", "timeupdate", ".pause()", "data-timer-jump"):
        assert hook in script
    assert "innerHTML" not in script  # prompt text is copied as text, never parsed as HTML


# --- classmates ---


@pytest.fixture
def class_of_three(app, make_student, school_class, assignment, write_reflection):
    """Three students; Ana (id order first) and Ben have approved reflections on the first prompt."""
    ana, ben, cleo = (make_student(school_class, name) for name in ("Ana", "Ben", "Cleo"))
    prompt = assignment.prompts[0]
    for person, words in ((ana, "Ana thinks **this**"), (ben, "Ben thinks that")):
        set_status(app, write_reflection(person, prompt, words), S.APPROVED)
    return ana, ben, cleo


def client_for(app, person):
    client = app.test_client()
    login_as(client, person)
    return client


def test_classmates_appear_only_after_my_own_is_submitted(app, class_of_three, assignment, write_reflection):
    _ana, _ben, cleo = class_of_three
    client = client_for(app, cleo)
    write_reflection(cleo, assignment.prompts[0], "Cleo's draft", submit=False)
    page = page_of(client, assignment)
    assert "Submit your own reflection first" in page and "Ben thinks" not in page
    write_reflection(cleo, assignment.prompts[0], "Cleo's view")
    page = page_of(client, assignment)
    assert "Ana thinks <strong>this</strong>" in page and "Ben thinks that" in page
    # Anonymous: Cleo's two classmates are numbered 1 and 2 (in this assignment's own order).
    assert "Classmate 1" in page and "Classmate 2" in page
    assert ">Ana<" not in page and ">Ben<" not in page
    # Only the prompt she answered shows them.
    second = page.split(f'id="prompt-{assignment.prompts[1].id}"', 1)[1]
    assert "Ben thinks" not in second


def labels_on(page):
    """The classmates' labels and texts shown on a student's page, in order."""
    found = re.findall(r"<strong>(Classmate \d+)</strong>[^<]*</p>\s*<div[^>]*>\s*<p>(.*?)</p>", page)
    return [(label, re.sub(r"<[^>]+>", "", text)) for label, text in found]


def numbers_for(app, reader, assignment, people):
    """What `reader` should see each of `people` numbered, worked out from the whole class by hand."""
    from classroom.student.reflections import _label_key

    with app.app_context():
        return classmate_numbers(_label_key(), assignment.id, [p.id for p in people], reader.id)


def test_classmates_preview_is_read_once_for_the_class_and_each_write_reaches_the_next_view(
    app, class_of_three, assignment, write_reflection, make_student, school_class, teacher_client, count_queries
):
    """Every reader's preview is cut from one cached read of the class's approved work, so a warm view asks
    the database nothing for it; a teacher's approval, a classmate's edit and a new classmate each show on the
    next view, with each reader's own numbering."""
    ana, ben, cleo = class_of_three
    prompt = assignment.prompts[0]
    cleos = write_reflection(cleo, prompt, "Cleo's view")
    cleo_client, ben_client, ana_client = (client_for(app, p) for p in (cleo, ben, ana))
    page_of(cleo_client, assignment)
    with count_queries(app) as seen:
        page = page_of(cleo_client, assignment)
    assert not [s for s in seen if "row_number" in s.lower()]
    numbers = numbers_for(app, cleo, assignment, [ana, ben, cleo])
    # Neither is starred nor decided by a teacher here: the newest first.
    expected = [(numbers[ben.id], "Ben thinks that"), (numbers[ana.id], "Ana thinks this")]
    assert labels_on(page) == [(f"Classmate {n}", text) for n, text in expected]

    # Ben's preview leaves his own out and numbers Ana for him; Cleo's is still waiting for the teacher.
    numbers = numbers_for(app, ben, assignment, [ana, ben, cleo])
    assert labels_on(page_of(ben_client, assignment)) == [(f"Classmate {numbers[ana.id]}", "Ana thinks this")]
    approved = teacher_client.post(
        f"/moderation/reflections/{cleos.id}/approve", data={f"approve-{cleos.id}-version": cleos.version}
    )
    assert approved.status_code == 302
    assert (f"Classmate {numbers[cleo.id]}", "Cleo's view") in labels_on(page_of(ben_client, assignment))

    # Ana changes her approved text: it goes back to the teacher, so it leaves everyone's preview.
    with app.app_context():
        version = db.session.scalars(db.select(Reflection.version).filter_by(student_id=ana.id)).one()
    changed = ana_client.post(
        f"/student/assignments/{assignment.id}/prompts/{prompt.id}",
        data={
            f"p{prompt.id}-body": "Ana changed her mind",
            f"p{prompt.id}-version": version,
            f"p{prompt.id}-send": "1",
        },
        headers={"Accept": "application/json"},
    )
    assert changed.status_code == 200 and changed.get_json()["status"] == "awaiting"
    assert [text for _label, text in labels_on(page_of(cleo_client, assignment))] == ["Ben thinks that"]

    # A new classmate takes a place in the class's order: the numbers follow on the next view.
    dan = make_student(school_class, "Dan")
    numbers = numbers_for(app, cleo, assignment, [ana, ben, cleo, dan])
    assert labels_on(page_of(cleo_client, assignment)) == [(f"Classmate {numbers[ben.id]}", "Ben thinks that")]


def labels_by_author(app, reader, assignment, names):
    """What `reader` sees each author of the first prompt called, keyed by the author's name."""
    with app.app_context():
        from classroom.models import Student

        work = db.session.get(Assignment, assignment.id)
        shown = classmates_reflections(db.session.get(Student, reader.id), work, [assignment.prompts[0].id], limit=20)
    return {
        name: c.label for c in shown[assignment.prompts[0].id].shown for name in names if f"By {name}." in c.body_html
    }


def test_classmate_labels_are_unrelated_between_assignments_and_to_join_order(
    app, school_class, assignment, make_assignment, make_student, make_reflection
):
    """The same classmates in two assignments: the labels a reader sees share no order (with 11 classmates, a
    match by chance is one in 40 million), so a named assignment cannot decode an anonymous one."""
    second = make_assignment(school_class)
    people = [make_student(school_class, f"Student {n:02d}") for n in range(12)]
    names = [f"Student {n:02d}" for n in range(12)]
    for person, name in zip(people, names, strict=True):
        for work in (assignment, second):
            make_reflection(person, work.prompts[0], f"By {name}.", status="approved")
    reader, authors = people[0], names[1:]
    first_labels = labels_by_author(app, reader, assignment, authors)
    second_labels = labels_by_author(app, reader, second, authors)
    assert (
        sorted(first_labels.values())
        == sorted(second_labels.values())
        == sorted(f"Classmate {n}" for n in range(1, 12))
    )
    assert first_labels != second_labels
    join_order = {name: f"Classmate {n}" for n, name in enumerate(authors, start=1)}
    assert first_labels != join_order and second_labels != join_order
    assert labels_by_author(app, reader, assignment, authors) == first_labels  # stable


def test_classmate_numbers_by_hand():
    numbers = classmate_numbers(b"key", 7, [5, 3, 9, 4], reader_id=9)
    assert sorted(numbers) == [3, 4, 5] and sorted(numbers.values()) == [1, 2, 3]
    assert classmate_numbers(b"key", 7, [4, 3, 5, 9], reader_id=9) == numbers
    orders = {tuple(sorted(range(40), key=classmate_numbers(b"key", a, range(40), -1).get)) for a in range(5)}
    assert len(orders) == 5


def test_classmate_labels_are_stable_and_leave_no_gap_that_gives_the_reader_their_number(
    app, school_class, assignment, make_student, make_reflection, answer_stance
):
    people = [make_student(school_class, name) for name in ("Ana", "Ben", "Cleo", "Dan", "Eli", "Fay")]
    for person in people:
        answer_stance(person, assignment)
        make_reflection(person, assignment.prompts[0], f"By {person.display_name}.", status="approved")
    shown = re.compile(r"<strong>(Classmate \d+)</strong>[^<]*</p>\s*<div[^>]*>(.*?)</div>")
    for reader in people:
        client = client_for(app, reader)
        first, again = classmates_of(client, assignment), classmates_of(client, assignment)
        labels = re.findall(r"<strong>Classmate (\d+)</strong>", first)
        assert sorted(int(n) for n in labels) == [1, 2, 3, 4, 5], reader.display_name
        assert shown.findall(again) == shown.findall(first)
        # The assignment page's few are the first of the same list, under the same labels.
        preview = shown.findall(page_of(client, assignment))
        assert len(preview) == CLASSMATES_PREVIEW and preview == shown.findall(first)[:CLASSMATES_PREVIEW]


def test_names_shown_when_not_anonymised(app, class_of_three, assignment, write_reflection):
    with app.app_context():
        db.session.get(Assignment, assignment.id).anonymise = False
        db.session.commit()
    _ana, _ben, cleo = class_of_three
    write_reflection(cleo, assignment.prompts[0], "Cleo's view")
    page = page_of(client_for(app, cleo), assignment)
    assert "<strong>Ana</strong>" in page and "<strong>Ben</strong>" in page and "Classmate 1" not in page


def test_only_approved_classmates_and_nothing_when_switched_off(
    app, class_of_three, assignment, write_reflection, make_student, school_class
):
    _ana, _ben, cleo = class_of_three
    dan = make_student(school_class, "Dan")
    write_reflection(dan, assignment.prompts[0], "Dan awaits")
    write_reflection(cleo, assignment.prompts[0], "Cleo's view")
    page = page_of(client_for(app, cleo), assignment)
    assert "Dan awaits" not in page
    with app.app_context():
        db.session.get(Assignment, assignment.id).show_classmates = False
        db.session.commit()
    page = page_of(client_for(app, cleo), assignment)
    assert "What classmates wrote" not in page and "Ben thinks" not in page


def test_another_classes_reflections_never_show(
    app, make_class, make_assignment, make_student, other_teacher, class_of_three, assignment, write_reflection
):
    _ana, _ben, cleo = class_of_three
    elsewhere = make_student(make_class(other_teacher, name="Elsewhere"), "Eve")
    with app.app_context():
        row = Reflection(
            student_id=elsewhere.id,
            prompt_id=assignment.prompts[0].id,
            body="Eve sneaks in",
            body_html="<p>Eve sneaks in</p>",
            status=S.APPROVED,
        )
        db.session.add(row)
        db.session.commit()
    write_reflection(cleo, assignment.prompts[0], "Cleo's view")
    assert "Eve sneaks in" not in page_of(client_for(app, cleo), assignment)


def test_teacher_feedback_is_shown_beside_the_reflection(app, student_client, student, assignment, write_reflection):
    reflection = write_reflection(student, assignment.prompts[0], "Short")
    set_status(app, reflection, S.RETURNED, "Which scene do you mean?\nGive a time.")
    page = page_of(student_client, assignment)
    assert "Your teacher's feedback" in page and "Which scene do you mean?" in page
    assert "Returned with feedback" in page and ">Submit again<" in page
    set_status(app, reflection, S.REJECTED, "Please keep to the film.")
    page = page_of(student_client, assignment)
    assert "Why your teacher rejected it" in page and "Please keep to the film." in page
    assert f'id="p{assignment.prompts[0].id}-body"' not in page


# --- the roster's counts (plain function) ---


def test_class_roster_counts(app, school_class, make_student, assignment, write_reflection):
    ana, _ben = make_student(school_class, "ana"), make_student(school_class, "Ben")
    write_reflection(ana, assignment.prompts[0], "A")
    write_reflection(ana, assignment.prompts[1], "B", submit=False)
    with app.app_context():
        from classroom.models import SchoolClass

        rows, total = class_roster(db.session.get(SchoolClass, school_class.id))
    assert total == 3
    assert [(r.student.display_name, r.done, r.awaiting, r.with_student) for r in rows] == [
        ("ana", 1, 1, 1),
        ("Ben", 0, 0, 0),
    ]


def test_assignment_page_uses_a_fixed_number_of_queries(
    app, make_student, school_class, student, student_client, assignment, write_reflection, count_queries
):
    def count_for_page():
        # The first view keeps the assignment's prompts in the cache (student/page.py): count a later one.
        assert student_client.get(f"/student/assignments/{assignment.id}").status_code == 200
        with count_queries(app) as seen:
            assert student_client.get(f"/student/assignments/{assignment.id}").status_code == 200
        return len(seen)

    for prompt in assignment.prompts:
        write_reflection(student, prompt, "Mine")
    names = ("Ana", "Ben", "Cleo", "Dan", "Eli")
    for count, name in enumerate(names):
        if count == 1:
            baseline = count_for_page()  # one classmate so far
        classmate = make_student(school_class, name)
        for prompt in assignment.prompts:
            set_status(app, write_reflection(classmate, prompt, f"{name} says"), S.APPROVED)
    page = student_client.get(f"/student/assignments/{assignment.id}").get_data(as_text=True)
    # A few per prompt, whatever the size of the class, and a link to all of them.
    assert sum(page.count(f"{name} says") for name in names) == CLASSMATES_PREVIEW * len(assignment.prompts)
    assert page.count(f"Read all {len(names)} classmates") == len(assignment.prompts)
    assert count_for_page() == baseline


# --- The question after viewing opens after the film, not straight after the one before it. ---


def test_after_viewing_question_waits_for_the_film_or_the_answers(
    app, student_client, student, assignment, write_reflection
):
    base = f"/student/assignments/{assignment.id}/stance"
    assert student_client.post(f"{base}/pre", data={"pre-option": "0"}).status_code == 302
    page = page_of(student_client, assignment)
    assert 'name="post-option"' not in page
    assert "opens once you have handed in every prompt, or once the film has reached its last prompt (at 0:50:00)" in (
        page
    )
    refused = student_client.post(f"{base}/post", data={"post-option": "2"})
    assert refused.status_code == 400 and "opens once you have handed in every prompt" in refused.get_data(as_text=True)
    # Two of three prompts handed in, the third only a draft: still waiting.
    first, second, third = assignment.prompts
    write_reflection(student, first)
    write_reflection(student, second)
    write_reflection(student, third, submit=False)
    assert student_client.post(f"{base}/post", data={"post-option": "2"}).status_code == 400
    write_reflection(student, third)
    assert 'name="post-option"' in page_of(student_client, assignment)
    assert student_client.post(f"{base}/post", data={"post-option": "2"}).status_code == 302
    with app.app_context():
        assert db.session.scalars(db.select(StanceAnswer.option_index).where(StanceAnswer.phase == "post")).all() == [2]


def test_after_viewing_question_opens_once_the_film_can_have_passed_the_last_prompt(
    app, student_client, student, assignment
):
    base = f"/student/assignments/{assignment.id}/stance"
    assert student_client.post(f"{base}/pre", data={"pre-option": "0"}).status_code == 302
    with app.app_context():
        pre = db.session.scalars(db.select(StanceAnswer)).one()
        # The last prompt is at 0:50:00: not yet 50 minutes after the question before viewing...
        pre.created_at = utcnow() - timedelta(minutes=49)
        db.session.commit()
    assert student_client.post(f"{base}/post", data={"post-option": "1"}).status_code == 400
    with app.app_context():
        pre = db.session.scalars(db.select(StanceAnswer)).one()
        pre.created_at = utcnow() - timedelta(minutes=51)
        db.session.commit()
    assert 'name="post-option"' in page_of(student_client, assignment)
    assert student_client.post(f"{base}/post", data={"post-option": "1"}).status_code == 302


# --- all classmates' reflections on one prompt, a page at a time ---


@pytest.fixture
def big_class(app, school_class, assignment, make_student, make_reflection, answer_stance):
    """A reader (first) and 45 classmates with approved reflections on the first prompt, each approved a
    minute after the one before, the 10th starred."""
    from datetime import timedelta

    prompt = assignment.prompts[0]
    reader = make_student(school_class, "Reader")
    answer_stance(reader, assignment)
    start = utcnow() - timedelta(hours=2)
    for n in range(45):
        person = make_student(school_class, f"Pupil {n:02d}")
        make_reflection(
            person,
            prompt,
            f"Pupil {n:02d} wrote this.",
            status=S.APPROVED,
            decided_at=start + timedelta(minutes=n),
            starred=n == 10,
        )
    return reader


def bodies(page):
    return re.findall(r"Pupil (\d\d) wrote this", page)


def test_assignment_page_shows_the_starred_and_newest_classmates_and_links_to_all(
    app, big_class, assignment, write_reflection
):
    client = client_for(app, big_class)
    write_reflection(big_class, assignment.prompts[0], "My own view")
    page = page_of(client, assignment)
    assert bodies(page) == ["10", "44", "43"][:CLASSMATES_PREVIEW]
    link = f"/student/assignments/{assignment.id}/prompts/{assignment.prompts[0].id}/classmates"
    assert f'href="{link}"' in page and "Read all 45 classmates" in page
    section = page.split(f'id="prompt-{assignment.prompts[0].id}-classmates"', 1)[1].split("</section>", 1)[0]
    assert "My own view" in page and "My own view" not in section  # the reader's own, never among classmates


def test_classmates_page_lists_every_approved_one_a_page_at_a_time_in_sql(
    app, big_class, assignment, write_reflection, count_queries
):
    client = client_for(app, big_class)
    write_reflection(big_class, assignment.prompts[0], "My own view")
    pages = [classmates_of(client, assignment, page=n) for n in (1, 2, 3)]
    seen = [bodies(page) for page in pages]
    assert [len(s) for s in seen] == [CLASSMATES_PER_PAGE, CLASSMATES_PER_PAGE, 45 - 2 * CLASSMATES_PER_PAGE]
    everyone = [n for s in seen for n in s]
    # Starred first, then the newest approved: the assignment page's order; nobody twice, nobody left out.
    assert everyone == ["10"] + [f"{n:02d}" for n in range(44, -1, -1) if n != 10]
    assert "Page 1 of 3" in pages[0] and 'rel="next"' in pages[0] and 'rel="prev"' not in pages[0]
    assert 'rel="prev"' in pages[2] and 'rel="next"' not in pages[2]
    assert "My own view" not in pages[0]
    # Past the end, or nonsense: the nearest real page.
    assert bodies(classmates_of(client, assignment, page=99)) == seen[2]
    assert bodies(classmates_of(client, assignment, page="x")) == seen[0]
    # Anonymous labels: every classmate numbered 1..45 once, the same numbers as the assignment page's.
    labels = [n for page in pages for n in re.findall(r"<strong>Classmate (\d+)</strong>", page)]
    assert sorted(int(n) for n in labels) == list(range(1, 46))
    # Only one page's texts are read: the statement count does not grow with the class.
    with count_queries(app) as first:
        classmates_of(client, assignment, page=1)
    with count_queries(app) as last:
        classmates_of(client, assignment, page=3)
    assert len(first) == len(last)


def test_classmates_page_follows_the_assignment_page_rules(
    app, class_of_three, assignment, write_reflection, make_student, school_class
):
    _ana, _ben, cleo = class_of_three
    client = client_for(app, cleo)
    # Nothing before the reader has handed in their own, a draft included.
    assert "Submit your own reflection first" in classmates_of(client, assignment)
    write_reflection(cleo, assignment.prompts[0], "Cleo's draft", submit=False)
    page = classmates_of(client, assignment)
    assert "Submit your own reflection first" in page and "Ben thinks" not in page
    dan = make_student(school_class, "Dan")
    write_reflection(dan, assignment.prompts[0], "Dan awaits")
    write_reflection(cleo, assignment.prompts[0], "Cleo's view")
    page = classmates_of(client, assignment)
    assert "Ana thinks <strong>this</strong>" in page and "Ben thinks that" in page
    assert "Dan awaits" not in page and "Cleo's view" not in page  # approved ones only, never the reader's
    # Numbered among the whole class but the reader (Dan counts, though nothing of his is shown).
    assert ">Ana<" not in page and len(set(re.findall(r"<strong>Classmate ([123])</strong>", page))) == 2
    # Another prompt, with nothing approved yet.
    write_reflection(cleo, assignment.prompts[1], "Cleo again")
    assert "No classmate's reflection has been approved here yet" in classmates_of(
        client, assignment, assignment.prompts[1]
    )
    with app.app_context():
        db.session.get(Assignment, assignment.id).anonymise = False
        db.session.commit()
    assert "<strong>Ana</strong>" in classmates_of(client, assignment)
    # Switched off by the teacher: no such page.
    with app.app_context():
        db.session.get(Assignment, assignment.id).show_classmates = False
        db.session.commit()
    url = f"/student/assignments/{assignment.id}/prompts/{assignment.prompts[0].id}/classmates"
    assert client.get(url).status_code == 404


def test_classmates_page_is_scoped_to_the_readers_class(
    app, class_of_three, assignment, make_class, make_assignment, make_student, other_teacher, write_reflection
):
    _ana, _ben, cleo = class_of_three
    elsewhere = make_class(other_teacher, name="Elsewhere")
    their_work = make_assignment(elsewhere)
    client = client_for(app, cleo)
    write_reflection(cleo, assignment.prompts[0], "Cleo's view")
    # Another class's assignment, or a prompt of another assignment under this one's address: 404.
    other_prompt = their_work.prompts[0].id
    assert client.get(f"/student/assignments/{their_work.id}/prompts/{other_prompt}/classmates").status_code == 404
    assert client.get(f"/student/assignments/{assignment.id}/prompts/{other_prompt}/classmates").status_code == 404
    # A student of another class who wrote on this class's prompt (a row no form makes) is never shown.
    eve = make_student(elsewhere, "Eve")
    with app.app_context():
        db.session.add(
            Reflection(
                student_id=eve.id,
                prompt_id=assignment.prompts[0].id,
                body="Eve sneaks in",
                body_html="<p>Eve sneaks in</p>",
                status=S.APPROVED,
            )
        )
        db.session.commit()
    assert "Eve sneaks in" not in classmates_of(client, assignment)
    # Signed out: sent to sign in again, back here afterwards.
    response = app.test_client().get(
        f"/student/assignments/{assignment.id}/prompts/{assignment.prompts[0].id}/classmates"
    )
    assert response.status_code == 302 and "/join/resume" in response.headers["Location"]


def test_assignment_page_reads_prompts_and_caption_languages_once_until_the_teacher_changes_them(
    app, student, student_client, assignment, answer_stance, count_queries
):
    from classroom.classes.logic import remove_caption_tracks, set_caption_track
    from classroom.models import Prompt

    answer_stance(student, assignment)
    with app.app_context():
        work = db.session.get(Assignment, assignment.id)
        work.video_url = "https://media.school.example/film.mp4"
        db.session.commit()
    page_of(student_client, assignment)
    with count_queries(app) as seen:
        page = page_of(student_client, assignment)
    # The second view takes the prompts and the captions' languages from the cache; a student's save does not
    # drop them (it changes no prompt).
    assert not [s for s in seen if s.startswith(("SELECT prompts.", "SELECT caption_tracks.language"))]
    assert "<track" not in page
    first = assignment.prompts[0]
    with app.app_context():
        db.session.add(Reflection(student_id=student.id, prompt_id=first.id, body="Mine", body_html="<p>Mine</p>"))
        db.session.commit()
    with count_queries(app) as seen:
        page_of(student_client, assignment)
    assert not [s for s in seen if s.startswith("SELECT prompts.")]
    # Every change of the setup shows at once: a prompt's text, a captions language added, then removed.
    with app.app_context():
        db.session.get(Prompt, first.id).text = "What does the snow remind you of?"
        db.session.commit()
    assert "What does the snow remind you of?" in page_of(student_client, assignment)
    with app.app_context():
        set_caption_track(db.session.get(Assignment, assignment.id), "ru", "WEBVTT\n\n")
    assert 'srclang="ru"' in page_of(student_client, assignment)
    with app.app_context():
        remove_caption_tracks(db.session.get(Assignment, assignment.id), ["ru"])
    assert 'srclang="ru"' not in page_of(student_client, assignment)


# --- cards remembered between views (issue 13) ---


def test_a_reload_renders_only_the_cards_that_changed_and_every_form_has_this_views_token(
    app, student, student_client, assignment, answer_stance, write_reflection, monkeypatch
):
    from classroom.student import page as student_page

    answer_stance(student, assignment)
    mine = write_reflection(student, assignment.prompts[0], "The choir sings at the grave.")
    rendered = []
    # An empty memory of cards of its own: earlier tests' cards may look exactly like these.
    cards = student_page.RenderedCards(100)
    monkeypatch.setattr(student_page, "RENDERED_CARDS", cards)
    monkeypatch.setattr(cards, "put", lambda key, html, put=cards.put: rendered.append(key) or put(key, html))
    views = iter(range(1, 10))
    monkeypatch.setattr(student_page, "generate_csrf", lambda: f"token-of-view-{next(views)}")

    first = page_of(student_client, assignment)
    assert len(rendered) == len(assignment.prompts)
    second = page_of(student_client, assignment)
    assert len(rendered) == len(assignment.prompts)  # nothing on any card changed
    # Each remembered form carries the token of the view it is shown in, and nothing else differs.
    assert second.count('value="token-of-view-2"') == len(assignment.prompts) and "token-of-view-1" not in second
    token = re.compile(r'name="csrf_token" value="[^"]*"')
    assert token.sub("", second) == token.sub("", first)

    set_status(app, mine, S.RETURNED, feedback="Say more about who is singing.")
    third = page_of(student_client, assignment)
    assert len(rendered) == len(assignment.prompts) + 1  # only the returned reflection's card
    assert "Say more about who is singing." in third and "Submit again" in third

    # A template loaded again (as after an edit, where templates reload) renders every card again.
    app.jinja_env.cache.clear()
    page_of(student_client, assignment)
    assert len(rendered) == 2 * len(assignment.prompts) + 1


def test_a_card_key_tells_markup_from_text_and_leaves_out_cards_with_database_rows(app, student, assignment):
    from dataclasses import dataclass

    from markupsafe import Markup

    from classroom.student.page import _UNFIT, _frozen

    @dataclass
    class Holder:
        text: str
        items: list

    assert _frozen(Holder("<b>x</b>", [1, "a"])) == _frozen(Holder("<b>x</b>", [1, "a"]))
    hash(_frozen(Holder("<b>x</b>", [1, {"body": ["too long"]}])))  # lists and dicts inside: still a key
    assert _frozen(Holder(Markup("<b>x</b>"), [])) != _frozen(Holder("<b>x</b>", []))
    assert _frozen(Holder("x", [1])) != _frozen(Holder("x", [2]))
    with app.app_context():
        row = db.session.get(Assignment, assignment.id)
        assert _frozen(Holder("x", [row])) is _UNFIT
