"""An assignment's prompts: edited directly, plan changes brought to the class, answers marked when changed."""

import re
from datetime import timedelta

from classroom.classes import prompts as assignment_prompts
from classroom.extensions import db
from classroom.models import Assignment, LessonPlan, PlanPrompt, Prompt, Reflection, utcnow

from .conftest import login_as


def prompt_form(**changes):
    data = {"text": "What do you notice in the opening images?", "time": "0:01:00", "theme": "film literacy"}
    data.update(changes)
    return data


def stored_prompts(app, assignment_id):
    with app.app_context():
        found = db.session.get(Assignment, assignment_id).prompts
        return [(p.time_seconds, p.text, p.pause, p.plan_prompt_id, p.changed_at is not None) for p in found]


def test_assigning_remembers_each_plan_prompt(app, assignment):
    with app.app_context():
        stored = db.session.get(Assignment, assignment.id)
        plan = db.session.get(LessonPlan, stored.plan_id)
        assert [p.plan_prompt_id for p in stored.prompts] == [pp.id for pp in plan.prompts]
        assert all(p.changed_at is None for p in stored.prompts)


def test_teacher_edits_a_prompt_of_the_assignment(app, teacher_client, assignment):
    first = assignment.prompts[0]
    url = f"/classes/assignments/{assignment.id}/prompts/{first.id}/edit"
    page = teacher_client.get(url).get_data(as_text=True)
    assert 'value="0:01:00"' in page and "What do you notice in the opening images?" in page
    response = teacher_client.post(url, data=prompt_form(text="What do you see first?", time="0:01:30", pause="y"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/classes/assignments/{assignment.id}#prompt-{first.id}")
    after = stored_prompts(app, assignment.id)
    assert after[0][:3] == (90, "What do you see first?", True)
    # The plan is untouched.
    with app.app_context():
        assert (
            db.session.get(LessonPlan, db.session.get(Assignment, assignment.id).plan_id).prompts[0].text
            == "What do you notice in the opening images?"
        )
    page = teacher_client.get(f"/classes/assignments/{assignment.id}").get_data(as_text=True)
    assert "What do you see first?" in page
    # Nobody had answered, so nothing is marked as changed after answers.
    assert "Changed after" not in page


def test_bad_prompt_edit_is_refused_with_the_text_kept(app, teacher_client, assignment):
    first = assignment.prompts[0]
    url = f"/classes/assignments/{assignment.id}/prompts/{first.id}/edit"
    response = teacher_client.post(url, data=prompt_form(text="My careful new wording", time="9:99:99"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "My careful new wording" in page and 'aria-invalid="true"' in page
    assert stored_prompts(app, assignment.id)[0][:2] == (60, "What do you notice in the opening images?")
    assert teacher_client.post(url, data=prompt_form(text="")).status_code == 400


def test_another_teachers_prompt_is_404(app, other_teacher, assignment, make_class, make_assignment):
    client = app.test_client()
    login_as(client, other_teacher)
    first = assignment.prompts[0]
    url = f"/classes/assignments/{assignment.id}/prompts/{first.id}/edit"
    assert client.get(url).status_code == 404
    assert client.post(url, data=prompt_form(text="Hijacked")).status_code == 404
    assert client.post(f"/classes/assignments/{assignment.id}/plan-changes").status_code == 404
    # A prompt of another assignment, through one's own assignment, is a 404 as well.
    mine = make_assignment(make_class(other_teacher))
    login_as(client, other_teacher)
    assert client.get(f"/classes/assignments/{mine.id}/prompts/{first.id}/edit").status_code == 404
    assert stored_prompts(app, assignment.id)[0][1] == "What do you notice in the opening images?"


def test_a_change_after_students_answered_is_marked_for_both(
    app, teacher_client, assignment, student, student_client, write_reflection, make_student, school_class
):
    first, second = assignment.prompts[0], assignment.prompts[1]
    write_reflection(student, first, "The snow and the statues.")
    page = student_client.get(f"/student/assignments/{assignment.id}").get_data(as_text=True)
    assert "changed this prompt after you answered" not in page
    url = f"/classes/assignments/{assignment.id}/prompts/{first.id}/edit"
    # The teacher is told before saving that answers exist.
    assert "1 student has already answered" in teacher_client.get(url).get_data(as_text=True)
    response = teacher_client.post(
        url, data=prompt_form(text="What do the first images tell you?"), follow_redirects=True
    )
    assert "marked as answering the earlier version" in response.get_data(as_text=True)
    page = teacher_client.get(f"/classes/assignments/{assignment.id}").get_data(as_text=True)
    assert "Changed after 1 student answered" in page
    # The answer stays with its prompt, and the student is told the prompt changed.
    with app.app_context():
        reflection = db.session.execute(db.select(Reflection)).scalar_one()
        assert reflection.prompt_id == first.id and reflection.body == "The snow and the statues."
    page = student_client.get(f"/student/assignments/{assignment.id}").get_data(as_text=True)
    assert "What do the first images tell you?" in page
    assert page.count("changed this prompt after you answered") == 1
    # A classmate who answers after the change sees no such note.
    later = make_student(school_class, "Lena")
    write_reflection(later, first, "Cold light.")
    client = app.test_client()
    login_as(client, later)
    assert "changed this prompt after you answered" not in client.get(f"/student/assignments/{assignment.id}").get_data(
        as_text=True
    )
    # Changing only the teacher's note or the theme does not mark answers.
    teacher_client.post(
        f"/classes/assignments/{assignment.id}/prompts/{second.id}/edit",
        data=prompt_form(text=second.text, time="0:10:00", theme="memory", teacher_note="Go slowly.", pause="y"),
    )
    with app.app_context():
        assert db.session.get(Prompt, second.id).changed_at is None


def test_answered_before_change_compares_times(app, assignment):
    prompt = Prompt(changed_at=utcnow())
    assert not assignment_prompts.answered_before_change(prompt, None)
    assert assignment_prompts.answered_before_change(prompt, Reflection(created_at=utcnow() - timedelta(minutes=1)))
    assert not assignment_prompts.answered_before_change(prompt, Reflection(created_at=utcnow() + timedelta(minutes=1)))
    assert not assignment_prompts.answered_before_change(Prompt(), Reflection(created_at=utcnow()))


def change_the_plan(app, plan_id):
    """Reword the first prompt, move the second, drop the third, add a fourth (through the plan's pages' rules)."""
    from classroom.lessons import plans

    with app.app_context():
        plan = db.session.get(LessonPlan, plan_id)
        first, second, third = plan.prompts
        plans.update_prompt(first, "What do the opening images show?", first.time_seconds, first.theme)
        plans.update_prompt(second, second.text, 640, second.theme, pause=False)
        plans.delete_prompt(third)
        plans.add_prompt(plan, "What would you ask the historian?", 4000, "justice")


def test_plan_changes_are_listed_and_brought_to_the_class(app, teacher_client, assignment, student, write_reflection):
    page = teacher_client.get(f"/classes/assignments/{assignment.id}").get_data(as_text=True)
    assert "Bring these changes to the class" not in page
    first, _, third = assignment.prompts
    write_reflection(student, first, "Snow.")
    change_the_plan(app, assignment.plan_id)

    page = teacher_client.get(f"/classes/assignments/{assignment.id}").get_data(as_text=True)
    assert "Bring these changes to the class" in page
    panel = page.split('id="plan-changes"', 1)[1].split("</section>", 1)[0]
    assert "wording changed" in panel and "What do the opening images show?" in panel
    assert "1 answer stays with it, marked as answering the earlier version" in panel
    assert "time 0:10:00 → 0:10:40" in panel and "no longer pauses the film" in panel
    assert "Removed</strong> (nobody has answered it)" in panel and "Who keeps the record" in panel
    assert "New prompt:" in panel and "What would you ask the historian?" in panel
    # Nothing reached the class yet.
    assert [t for t, *_ in stored_prompts(app, assignment.id)] == [60, 600, 3000]

    digest = re.search(r'name="digest" value="([0-9a-f]+)"', page).group(1)
    response = teacher_client.post(f"/classes/assignments/{assignment.id}/plan-changes", data={"digest": digest})
    assert response.status_code == 302
    after = stored_prompts(app, assignment.id)
    assert [(t, text, pause) for t, text, pause, *_ in after] == [
        (60, "What do the opening images show?", False),
        (640, "Why do some people still lay flowers for Stalin?", False),
        (4000, "What would you ask the historian?", False),
    ]
    # The same rows were changed in place: the answer is still with its prompt, which is marked.
    assert after[0][3] == assignment.prompts[0].plan_prompt_id and after[0][4] is True
    with app.app_context():
        assert db.session.execute(db.select(Reflection.prompt_id)).scalar_one() == first.id
        assert db.session.scalars(db.select(Prompt.text)).all().count(third.text) == 0
    page = teacher_client.get(f"/classes/assignments/{assignment.id}").get_data(as_text=True)
    assert "Bring these changes to the class" not in page and "Changed after 1 student answered" in page


def test_a_removed_prompt_with_answers_stays(app, teacher_client, assignment, student, write_reflection):
    third = assignment.prompts[2]
    write_reflection(student, third, "The archive.")
    change_the_plan(app, assignment.plan_id)
    page = teacher_client.get(f"/classes/assignments/{assignment.id}").get_data(as_text=True)
    assert "Removed from the plan but kept here</strong>, because 1 student has answered it" in page
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', page).group(1)
    teacher_client.post(f"/classes/assignments/{assignment.id}/plan-changes", data={"digest": digest})
    texts = [text for _, text, *_ in stored_prompts(app, assignment.id)]
    assert "Who keeps the record when the state does not?" in texts and len(texts) == 4
    # It is not offered again.
    assert "Bring these changes" not in teacher_client.get(f"/classes/assignments/{assignment.id}").get_data(
        as_text=True
    )


def test_changes_the_teacher_did_not_see_are_not_applied(app, teacher_client, assignment):
    change_the_plan(app, assignment.plan_id)
    page = teacher_client.get(f"/classes/assignments/{assignment.id}").get_data(as_text=True)
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', page).group(1)
    with app.app_context():
        plan = db.session.get(LessonPlan, assignment.plan_id)
        db.session.add(PlanPrompt(plan_id=plan.id, text="Sneaked in?", time_seconds=10, theme="memory"))
        db.session.commit()
    response = teacher_client.post(
        f"/classes/assignments/{assignment.id}/plan-changes", data={"digest": digest}, follow_redirects=True
    )
    assert "The plan changed again since this page was loaded" in response.get_data(as_text=True)
    assert [t for t, *_ in stored_prompts(app, assignment.id)] == [60, 600, 3000]
    response = teacher_client.post(f"/classes/assignments/{assignment.id}/plan-changes", data={})
    assert [t for t, *_ in stored_prompts(app, assignment.id)] == [60, 600, 3000]


# --- The plan's own film link, and the warning about unchecked times. ---


def plan_details(**changes):
    data = {"title": "Memory and the Stalin legacy", "grade_band": "", "objectives": "", "video_url": ""}
    data.update(changes)
    return data


def test_the_plan_keeps_a_film_link_for_the_preview_before_any_assignment(app, teacher_client, teacher, make_plan):
    plan = make_plan(teacher)
    film = "https://stream.school.example/red-soul.mp4"
    response = teacher_client.post(f"/lessons/{plan.id}/edit", data=plan_details(video_url=film))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(LessonPlan, plan.id).video_url == film
    assert film in teacher_client.get(f"/lessons/{plan.id}").get_data(as_text=True)
    # Nothing is assigned, yet the prompt pages' preview player starts with the plan's link.
    for url in (f"/lessons/{plan.id}/prompts/new", f"/lessons/{plan.id}/prompts/{plan.prompts[0].id}/edit"):
        assert f'data-video-url="{film}"' in teacher_client.get(url).get_data(as_text=True)
    # A copy of the plan keeps it.
    teacher_client.post(f"/lessons/{plan.id}/duplicate")
    with app.app_context():
        assert db.session.scalars(db.select(LessonPlan.video_url)).all() == [film, film]


def test_a_bad_plan_film_link_is_refused_next_to_the_field(app, teacher_client, teacher, make_plan):
    plan = make_plan(teacher)
    response = teacher_client.post(f"/lessons/{plan.id}/edit", data=plan_details(video_url="http://evil.example/x.mp4"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "starts with https://" in page and 'id="video_url-error"' in page
    with app.app_context():
        assert db.session.get(LessonPlan, plan.id).video_url == ""
    response = teacher_client.post("/lessons/new", data=plan_details(title="New", video_url="javascript:alert(1)"))
    assert response.status_code == 400
    response = teacher_client.post(
        "/lessons/new", data=plan_details(title="With film", video_url="https://stream.school.example/f.mp4")
    )
    assert response.status_code == 302
    with app.app_context():
        made = db.session.scalars(db.select(LessonPlan).where(LessonPlan.title == "With film")).one()
        assert made.video_url == "https://stream.school.example/f.mp4"


def test_assigning_starts_from_the_plan_link_and_warns_about_unchecked_times(
    app, teacher_client, teacher, school_class
):
    teacher_client.post("/lessons/starter")
    with app.app_context():
        plan = db.session.scalars(db.select(LessonPlan)).one()
        plan.video_url = "https://stream.school.example/red-soul.mp4"
        total = len(plan.prompts)
        db.session.commit()
        plan_id = plan.id
    page = teacher_client.get(f"/classes/{school_class.id}/assign?plan={plan_id}").get_data(as_text=True)
    assert 'value="https://stream.school.example/red-soul.mp4"' in page
    assert "Some times are still suggestions, not yet checked" in page and f": {total} of {total}" in page
    response = teacher_client.post(
        f"/classes/{school_class.id}/assign",
        data={"plan": str(plan_id), "title": "", "video_url": "", "require_approval": "y"},
        follow_redirects=True,
    )
    assert f"{total} of its prompt times are still suggested, not yet checked" in response.get_data(as_text=True)


def test_no_warning_once_every_time_is_checked(app, teacher_client, teacher, school_class, make_plan):
    plan = make_plan(teacher)  # every time checked
    page = teacher_client.get(f"/classes/{school_class.id}/assign?plan={plan.id}").get_data(as_text=True)
    assert "not yet checked" not in page
    response = teacher_client.post(
        f"/classes/{school_class.id}/assign",
        data={"plan": str(plan.id), "title": "", "video_url": "", "require_approval": "y"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Assigned" in page and "not yet checked" not in page


def test_bringing_changes_drops_the_cached_dashboard(app, teacher_client, teacher, assignment):
    """Only a prompt dropped from the plan (a bulk delete): the dashboard must not keep showing it."""
    from classroom.lessons import plans

    dashboard = f"/dashboard/assignments/{assignment.id}"
    assert "Who keeps the record when the state does not?" in teacher_client.get(dashboard).get_data(as_text=True)
    with app.app_context():
        plans.delete_prompt(db.session.get(LessonPlan, assignment.plan_id).prompts[2])
    page = teacher_client.get(f"/classes/assignments/{assignment.id}").get_data(as_text=True)
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', page).group(1)
    teacher_client.post(f"/classes/assignments/{assignment.id}/plan-changes", data={"digest": digest})
    assert len(stored_prompts(app, assignment.id)) == 2
    assert "Who keeps the record when the state does not?" not in teacher_client.get(dashboard).get_data(as_text=True)
