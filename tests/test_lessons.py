"""Lesson plans, timestamped prompts, the stance poll and the ready starter plan."""

import re

import pytest

from classroom.extensions import db
from classroom.filmtime import FILM_SECONDS, parse_film_time
from classroom.lessons import plans
from classroom.lessons.stance import DEFAULT_STANCE_OPTIONS, DEFAULT_STANCE_QUESTION
from classroom.models import THEMES, Assignment, LessonPlan, PlanPrompt, Teacher

from .conftest import login_as

PROMPT = {
    "text": "What do the flowers mean?",
    "time": "0:23:00",
    "theme": "memory",
    "pause": "y",
    "teacher_note": "Go gently.",
}


def my_plans(app, teacher):
    with app.app_context():
        return db.session.scalars(
            db.select(LessonPlan).where(LessonPlan.teacher_id == teacher.id).order_by(LessonPlan.id)
        ).all()


def plan_prompts(app, plan_id):
    with app.app_context():
        plan = db.session.get(LessonPlan, plan_id)
        return [(p.time_seconds, p.text, p.theme, p.pause, p.time_confirmed, p.teacher_note) for p in plan.prompts]


# The starter plan as shipped ------------------------------------------------------------


def test_starter_plan_data_is_complete():
    data = plans.starter_plan_data()
    assert data["title"] == "Memory and the Stalin legacy"
    assert data["grade_band"] and data["objectives"]
    assert len(data["prompts"]) >= 10
    used_themes = set()
    for item in data["prompts"]:
        assert 1 <= len(item["text"]) <= 1000
        assert "?" in item["text"], "prompts ask open questions"
        assert 0 <= parse_film_time(item["time"]) <= FILM_SECONDS
        assert item["theme"] in THEMES
        assert isinstance(item["pause"], bool)
        assert len(item["teacher_note"]) > 40
        used_themes.add(item["theme"])
    assert used_themes == set(THEMES)
    times = [parse_film_time(item["time"]) for item in data["prompts"]]
    assert len(set(times)) == len(times)


def test_start_from_starter_gives_my_own_copy(app, teacher_client, teacher):
    response = teacher_client.post("/lessons/starter")
    assert response.status_code == 302
    [plan] = my_plans(app, teacher)
    assert response.headers["Location"] == f"/lessons/{plan.id}"
    assert plan.title == "Memory and the Stalin legacy"
    assert plan.stance_question == DEFAULT_STANCE_QUESTION
    assert plan.stance_options == DEFAULT_STANCE_OPTIONS
    prompts = plan_prompts(app, plan.id)
    assert len(prompts) == len(plans.starter_plan_data()["prompts"])
    assert not any(confirmed for *_, confirmed, _note in prompts)
    assert [p[0] for p in prompts] == sorted(p[0] for p in prompts)

    page = teacher_client.get(f"/lessons/{plan.id}").get_data(as_text=True)
    assert "Suggested, not yet checked" in page
    assert "0:16:00" in page  # times shown as H:MM:SS
    assert "Note for you:" in page


def test_starting_twice_gives_two_independent_copies(app, teacher_client, teacher):
    teacher_client.post("/lessons/starter")
    teacher_client.post("/lessons/starter")
    first, second = my_plans(app, teacher)
    assert first.id != second.id
    with app.app_context():
        db.session.delete(db.session.get(LessonPlan, first.id))
        db.session.commit()
    assert len(plan_prompts(app, second.id)) >= 10


def test_plans_index_offers_the_starter_and_counts_prompts(app, teacher_client, teacher, make_plan):
    make_plan(teacher, title="Week one")
    page = teacher_client.get("/lessons/").get_data(as_text=True)
    assert "Start from the ready plan" in page
    assert 'action="/lessons/starter"' in page
    assert "Week one" in page
    assert re.search(r"Week one</a></th>\s*<td>Grades 10-12</td>\s*<td>3</td>", page)
    assert "All checked" in page


def test_plans_index_counts_unchecked_times_in_sql(app, teacher):
    with app.app_context():
        me = db.session.get(Teacher, teacher.id)
        plans.copy_starter_plan(me)
        [(_plan, count, unchecked)] = plans.plans_with_prompt_counts(me)
        assert count == unchecked == len(plans.starter_plan_data()["prompts"])


# Creating, editing, duplicating and deleting plans --------------------------------------


def test_create_plan(app, teacher_client, teacher):
    response = teacher_client.post(
        "/lessons/new", data={"title": "  Memory week ", "grade_band": "Year 11", "objectives": "Listen.\nAsk."}
    )
    [plan] = my_plans(app, teacher)
    assert response.headers["Location"] == f"/lessons/{plan.id}"
    assert (plan.title, plan.grade_band, plan.objectives) == ("Memory week", "Year 11", "Listen.\nAsk.")
    assert plan.stance_options == DEFAULT_STANCE_OPTIONS
    page = teacher_client.get(f"/lessons/{plan.id}").get_data(as_text=True)
    assert "<li>Listen.</li>" in page and "No prompts yet" in page


def test_new_plan_page(teacher_client):
    page = teacher_client.get("/lessons/new").get_data(as_text=True)
    assert '<label for="title">Title</label>' in page


@pytest.mark.parametrize(
    "data,message",
    [
        ({"title": ""}, "Please give the plan a title."),
        ({"title": "x" * 201}, "Field cannot be longer than 200 characters."),
        ({"title": "Ok", "grade_band": "g" * 61}, "Keep the grade band to 60 characters."),
    ],
)
def test_create_plan_refuses_bad_input_and_keeps_the_rest(app, teacher_client, teacher, data, message):
    data = {"objectives": "Keep these objectives", **data}
    response = teacher_client.post("/lessons/new", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert "Keep these objectives" in page
    assert my_plans(app, teacher) == []


def test_edit_plan(app, teacher_client, teacher, make_plan):
    plan = make_plan(teacher)
    page = teacher_client.get(f"/lessons/{plan.id}/edit").get_data(as_text=True)
    assert 'value="Memory and the Stalin legacy"' in page
    response = teacher_client.post(
        f"/lessons/{plan.id}/edit", data={"title": "Renamed", "grade_band": "", "objectives": ""}
    )
    assert response.status_code == 302
    [stored] = my_plans(app, teacher)
    assert (stored.title, stored.grade_band, stored.objectives) == ("Renamed", "", "")


def test_edit_plan_refuses_empty_title(app, teacher_client, teacher, make_plan):
    plan = make_plan(teacher)
    response = teacher_client.post(f"/lessons/{plan.id}/edit", data={"title": " ", "grade_band": "Year 12"})
    assert response.status_code == 400
    assert 'value="Year 12"' in response.get_data(as_text=True)
    assert my_plans(app, teacher)[0].title == "Memory and the Stalin legacy"


def test_duplicate_plan_copies_prompts_and_stance(app, teacher_client, teacher, make_plan):
    plan = make_plan(teacher)
    with app.app_context():
        stored = db.session.get(LessonPlan, plan.id)
        plans.set_stance(stored, "Remember how?", ["One way", "Another way"])
    response = teacher_client.post(f"/lessons/{plan.id}/duplicate")
    original, copy = my_plans(app, teacher)
    assert response.headers["Location"] == f"/lessons/{copy.id}"
    assert copy.title == "Copy of Memory and the Stalin legacy"
    assert copy.stance_options == ["One way", "Another way"]
    assert plan_prompts(app, copy.id) == plan_prompts(app, original.id)
    # The copy is independent of the original.
    teacher_client.post(f"/lessons/{copy.id}/edit", data={"title": "Changed copy"})
    assert my_plans(app, teacher)[0].title == "Memory and the Stalin legacy"


def test_duplicate_keeps_title_within_limit(app, teacher, make_plan):
    plan = make_plan(teacher, title="t" * 200)
    with app.app_context():
        copy = plans.duplicate_plan(db.session.get(LessonPlan, plan.id))
        assert len(copy.title) == 200 and copy.title.startswith("Copy of ")


def test_delete_plan_asks_first_and_says_what_goes(
    app, teacher_client, teacher, make_plan, make_assignment, school_class
):
    plan = make_plan(teacher)
    assignment = make_assignment(school_class, plan=plan)
    page = teacher_client.get(f"/lessons/{plan.id}/delete").get_data(as_text=True)
    assert "its 3 prompts" in page
    assert "1 assignment was made from this plan" in page
    assert my_plans(app, teacher) != []

    response = teacher_client.post(f"/lessons/{plan.id}/delete")
    assert response.headers["Location"] == "/lessons/"
    assert my_plans(app, teacher) == []
    with app.app_context():
        assert db.session.scalars(db.select(PlanPrompt)).all() == []
        kept = db.session.get(Assignment, assignment.id)
        assert kept.plan_id is None
        assert len(kept.prompts) == 3
    assert teacher_client.get(f"/lessons/{plan.id}").status_code == 404
    page = teacher_client.get(f"/classes/assignments/{assignment.id}").get_data(as_text=True)
    assert "plan has since been deleted" in page


def test_delete_plan_without_assignments(teacher_client, teacher, make_plan):
    plan = make_plan(teacher)
    assert "No class has been given this plan." in teacher_client.get(f"/lessons/{plan.id}/delete").get_data(
        as_text=True
    )


# Prompts ----------------------------------------------------------------------------------


def test_add_prompt_and_list_in_time_order(app, teacher_client, teacher, make_plan):
    plan = make_plan(teacher)
    response = teacher_client.post(f"/lessons/{plan.id}/prompts/new", data=PROMPT)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/lessons/{plan.id}#prompts"
    prompts = plan_prompts(app, plan.id)
    assert (1380, "What do the flowers mean?", "memory", True, True, "Go gently.") in prompts
    assert [p[0] for p in prompts] == [60, 600, 1380, 3000]
    page = teacher_client.get(f"/lessons/{plan.id}").get_data(as_text=True)
    assert "Prompt added at 0:23:00." in page
    listing = page[page.index('class="prompt-list"') :]
    order = [listing.index(t) for t in ("0:01:00", "0:10:00", "0:23:00", "0:50:00")]
    assert order == sorted(order)
    assert "Pause here" in page


def test_new_prompt_page_lists_all_themes(teacher_client, teacher, make_plan):
    plan = make_plan(teacher)
    page = teacher_client.get(f"/lessons/{plan.id}/prompts/new").get_data(as_text=True)
    for theme in THEMES:
        assert f'value="{theme}"' in page
    assert "between 0:00 and 1:30:00" in page


@pytest.mark.parametrize("typed,seconds", [("12:30", 750), ("1:30:00", 5400), ("0:00", 0), ("90:00", 5400)])
def test_prompt_accepts_both_time_forms(app, teacher_client, teacher, make_plan, typed, seconds):
    plan = make_plan(teacher, prompts=[])
    response = teacher_client.post(f"/lessons/{plan.id}/prompts/new", data={**PROMPT, "time": typed})
    assert response.status_code == 302
    assert plan_prompts(app, plan.id)[0][0] == seconds


@pytest.mark.parametrize("bad_time", ["1:95:00", "-1:00", "abc", "1:30:01", "2:00:00", ""])
def test_bad_times_refused_next_to_the_field_keeping_everything_else(app, teacher_client, teacher, make_plan, bad_time):
    plan = make_plan(teacher, prompts=[])
    data = {
        **PROMPT,
        "time": bad_time,
        "text": "Keep <this> text",
        "teacher_note": "Keep this note",
        "theme": "justice",
    }
    response = teacher_client.post(f"/lessons/{plan.id}/prompts/new", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(r'<p class="error" id="time-error" role="alert">[^<]*between 0:00 and 1:30:00', page)
    assert 'aria-invalid="true"' in page
    assert "Keep &lt;this&gt; text" in page
    assert "Keep this note" in page
    assert '<option selected value="justice">' in page
    assert re.search(r'<input[^>]*checked[^>]*id="pause"|<input[^>]*id="pause"[^>]*checked', page)
    if bad_time:
        assert f'value="{bad_time}"' in page
    assert plan_prompts(app, plan.id) == []


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"text": ""}, "Please write the prompt."),
        ({"text": "x" * 1001}, "Keep the prompt to 1,000 characters."),
        ({"theme": "politics"}, "Not a valid choice"),
        ({"teacher_note": "n" * 2001}, "Keep the note to 2,000 characters."),
    ],
)
def test_prompt_other_bad_input(app, teacher_client, teacher, make_plan, changes, message):
    plan = make_plan(teacher, prompts=[])
    response = teacher_client.post(f"/lessons/{plan.id}/prompts/new", data={**PROMPT, **changes})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert plan_prompts(app, plan.id) == []


def test_prompt_of_exactly_1000_characters_is_fine(app, teacher_client, teacher, make_plan):
    plan = make_plan(teacher, prompts=[])
    assert (
        teacher_client.post(f"/lessons/{plan.id}/prompts/new", data={**PROMPT, "text": "x" * 1000}).status_code == 302
    )


def starter_prompt(app, teacher):
    """A plan copied from the starter, and its first (unconfirmed) prompt."""
    with app.app_context():
        plan = plans.copy_starter_plan(db.session.get(Teacher, teacher.id))
        return plan.id, plan.prompts[0].id, plan.prompts[0].time_seconds


def prompt_row(app, prompt_id):
    with app.app_context():
        prompt = db.session.get(PlanPrompt, prompt_id)
        return prompt.time_seconds, prompt.text, prompt.time_confirmed


def test_edit_prompt_form_shows_current_values(teacher_client, app, teacher):
    plan_id, prompt_id, _seconds = starter_prompt(app, teacher)
    page = teacher_client.get(f"/lessons/{plan_id}/prompts/{prompt_id}/edit").get_data(as_text=True)
    assert 'value="0:03:00"' in page
    assert "Suggested, not yet checked" in page
    assert "I have checked this time against the film" in page


def test_editing_text_alone_keeps_a_suggested_time_unconfirmed(app, teacher_client, teacher):
    plan_id, prompt_id, seconds = starter_prompt(app, teacher)
    data = {"text": "A new question?", "time": "0:03:00", "theme": "media", "teacher_note": ""}
    assert teacher_client.post(f"/lessons/{plan_id}/prompts/{prompt_id}/edit", data=data).status_code == 302
    assert prompt_row(app, prompt_id) == (seconds, "A new question?", False)


def test_changing_the_time_confirms_it(app, teacher_client, teacher):
    plan_id, prompt_id, _ = starter_prompt(app, teacher)
    data = {"text": "A new question?", "time": "4:10", "theme": "media"}
    teacher_client.post(f"/lessons/{plan_id}/prompts/{prompt_id}/edit", data=data)
    assert prompt_row(app, prompt_id) == (250, "A new question?", True)


def test_ticking_the_check_confirms_the_time(app, teacher_client, teacher):
    plan_id, prompt_id, seconds = starter_prompt(app, teacher)
    data = {"text": "Same?", "time": "0:03:00", "theme": "media", "time_checked": "y"}
    teacher_client.post(f"/lessons/{plan_id}/prompts/{prompt_id}/edit", data=data)
    assert prompt_row(app, prompt_id) == (seconds, "Same?", True)


def test_confirm_suggested_time_button(app, teacher_client, teacher):
    plan_id, prompt_id, _seconds = starter_prompt(app, teacher)
    page = teacher_client.get(f"/lessons/{plan_id}").get_data(as_text=True)
    assert f'action="/lessons/{plan_id}/prompts/{prompt_id}/confirm-time"' in page
    response = teacher_client.post(f"/lessons/{plan_id}/prompts/{prompt_id}/confirm-time")
    assert response.headers["Location"] == f"/lessons/{plan_id}#prompt-{prompt_id}"
    assert prompt_row(app, prompt_id)[2] is True
    page = teacher_client.get(f"/lessons/{plan_id}").get_data(as_text=True)
    assert f'action="/lessons/{plan_id}/prompts/{prompt_id}/confirm-time"' not in page
    assert "Time checked" in page


def test_edit_prompt_bad_time_keeps_old_prompt(app, teacher_client, teacher, make_plan):
    plan = make_plan(teacher)
    prompt_id = plan.prompts[0].id
    data = {"text": "Changed words", "time": "1:95:00", "theme": "memory"}
    response = teacher_client.post(f"/lessons/{plan.id}/prompts/{prompt_id}/edit", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Changed words" in page and 'value="1:95:00"' in page
    assert prompt_row(app, prompt_id) == (60, "What do you notice in the opening images?", True)


def test_delete_prompt_asks_then_deletes(app, teacher_client, teacher, make_plan):
    plan = make_plan(teacher)
    prompt_id = plan.prompts[1].id
    page = teacher_client.get(f"/lessons/{plan.id}/prompts/{prompt_id}/delete").get_data(as_text=True)
    assert "Why do some people still lay flowers for Stalin?" in page and "0:10:00" in page
    response = teacher_client.post(f"/lessons/{plan.id}/prompts/{prompt_id}/delete")
    assert response.status_code == 302
    assert [p[0] for p in plan_prompts(app, plan.id)] == [60, 3000]


def test_prompt_of_another_plan_is_404(teacher_client, teacher, make_plan):
    mine, other = make_plan(teacher), make_plan(teacher, title="Other")
    foreign_prompt = other.prompts[0].id
    assert teacher_client.get(f"/lessons/{mine.id}/prompts/{foreign_prompt}/edit").status_code == 404
    assert teacher_client.post(f"/lessons/{mine.id}/prompts/{foreign_prompt}/delete").status_code == 404
    assert teacher_client.get(f"/lessons/{mine.id}/prompts/99999/edit").status_code == 404


def test_plan_prompt_functions_refuse_unknown_theme(app, teacher, make_plan):
    plan = make_plan(teacher)
    with app.app_context():
        stored = db.session.get(LessonPlan, plan.id)
        with pytest.raises(ValueError):
            plans.add_prompt(stored, "Q?", 10, "politics")
        with pytest.raises(ValueError):
            plans.update_prompt(stored.prompts[0], "Q?", 10, "politics")


# The stance poll ----------------------------------------------------------------------------


def test_stance_form_shows_current_question(teacher_client, teacher, make_plan):
    plan = make_plan(teacher)
    page = teacher_client.get(f"/lessons/{plan.id}/stance").get_data(as_text=True)
    assert DEFAULT_STANCE_QUESTION in page
    assert "\n".join(DEFAULT_STANCE_OPTIONS) in page


def test_edit_stance(app, teacher_client, teacher, make_plan):
    plan = make_plan(teacher)
    data = {"question": "Hero or villain?", "options": "Hero\r\n\r\n  Villain  \r\nBoth\r\n"}
    response = teacher_client.post(f"/lessons/{plan.id}/stance", data=data)
    assert response.headers["Location"] == f"/lessons/{plan.id}#stance"
    [stored] = my_plans(app, teacher)
    assert (stored.stance_question, stored.stance_options) == ("Hero or villain?", ["Hero", "Villain", "Both"])


@pytest.mark.parametrize(
    "options,message",
    [
        ("Only one", "Give between 2 and 6 options"),
        ("a\nb\nc\nd\ne\nf\ng", "(you gave 7)"),
        ("Same\nsame", "Each option must be different."),
        ("ok\n" + "x" * 201, "Keep each option to 200 characters."),
        ("", "Please give 2 to 6 options."),
    ],
)
def test_stance_bad_options(app, teacher_client, teacher, make_plan, options, message):
    plan = make_plan(teacher)
    response = teacher_client.post(
        f"/lessons/{plan.id}/stance", data={"question": "Keep my question?", "options": options}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and "Keep my question?" in page
    assert my_plans(app, teacher)[0].stance_options == DEFAULT_STANCE_OPTIONS


def test_parse_stance_options_unit():
    assert plans.parse_stance_options(" a \n\n b ") == ["a", "b"]
    assert len(plans.parse_stance_options("\n".join("abcdef"))) == 6
    with pytest.raises(ValueError):
        plans.parse_stance_options(None)


# Who may see what -------------------------------------------------------------------------


def plan_routes(plan):
    prompt_id = plan.prompts[0].id
    base = f"/lessons/{plan.id}"
    gets = [
        base,
        f"{base}/edit",
        f"{base}/delete",
        f"{base}/prompts/new",
        f"{base}/prompts/{prompt_id}/edit",
        f"{base}/prompts/{prompt_id}/delete",
        f"{base}/stance",
    ]
    posts = [
        f"{base}/edit",
        f"{base}/duplicate",
        f"{base}/delete",
        f"{base}/prompts/new",
        f"{base}/prompts/{prompt_id}/edit",
        f"{base}/prompts/{prompt_id}/delete",
        f"{base}/prompts/{prompt_id}/confirm-time",
        f"{base}/stance",
    ]
    return gets, posts


def test_another_teachers_plan_is_404_everywhere(app, teacher_client, other_teacher, make_plan):
    theirs = make_plan(other_teacher)
    gets, posts = plan_routes(theirs)
    for url in gets:
        assert teacher_client.get(url).status_code == 404, url
    for url in posts:
        assert (
            teacher_client.post(
                url, data={**PROMPT, "title": "Mine now", "question": "Q", "options": "a\nb"}
            ).status_code
            == 404
        ), url
    # Nothing of theirs changed or went.
    [stored] = my_plans(app, other_teacher)
    assert stored.title == "Memory and the Stalin legacy"
    assert len(plan_prompts(app, theirs.id)) == 3


def test_another_teachers_plans_are_not_listed(teacher_client, other_teacher, make_plan):
    make_plan(other_teacher, title="Boris's secret plan")
    assert "Boris&#39;s secret plan" not in teacher_client.get("/lessons/").get_data(as_text=True)


def test_students_are_sent_away_from_plan_pages(student_client, teacher, make_plan):
    plan = make_plan(teacher)
    gets, posts = plan_routes(plan)
    for url in ["/lessons/", "/lessons/new", *gets]:
        response = student_client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login"), url
    for url in ["/lessons/starter", "/lessons/new", *posts]:
        response = student_client.post(url, data=PROMPT)
        assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login"), url


def test_visitors_are_sent_to_log_in(client):
    response = client.get("/lessons/")
    assert response.status_code == 302 and "/auth/login?next=/lessons/" in response.headers["Location"]


def test_csrf_token_required_on_plan_forms(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        teacher = Teacher(name="Ada", email="ada@school.example", password_hash="x")
        db.session.add(teacher)
        db.session.commit()
        db.session.refresh(teacher)
        db.session.expunge(teacher)
    client = app.test_client()
    login_as(client, teacher)
    assert client.post("/lessons/starter").status_code == 400
    assert client.post("/lessons/new", data={"title": "No token"}).status_code == 400
    page = client.get("/lessons/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/lessons/starter", data={"csrf_token": token}).status_code == 302


def test_prompt_form_offers_a_preview_with_the_latest_film_link(
    app, teacher_client, teacher, make_plan, make_assignment, school_class
):
    plan = make_plan(teacher)
    page = teacher_client.get(f"/lessons/{plan.id}/prompts/new").get_data(as_text=True)
    assert 'data-time-preview data-video-url=""' in page and "js/prompt-time.js" in page
    make_assignment(school_class, plan=plan, video_url="https://stream.school.example/old")
    make_assignment(school_class, plan=plan, video_url="https://stream.school.example/new")
    make_assignment(school_class, plan=plan)
    page = teacher_client.get(f"/lessons/{plan.id}/prompts/{plan.prompts[0].id}/edit").get_data(as_text=True)
    assert 'data-video-url="https://stream.school.example/new"' in page
