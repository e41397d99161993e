"""The watch-along keeps the student's place and words: background saves (JSON), the film position
across a plain form save (`t=`), and one CSRF token for the whole assignment page."""

import re

import pytest

from classroom.extensions import db
from classroom.models import Assignment, Reflection
from classroom.statuses import ReflectionStatus as S
from tests.conftest import login_as

JSON = {"Accept": "application/json"}


def url(work, prompt):
    return f"/student/assignments/{work.id}/prompts/{prompt.id}"


def form(prompt, body, *, at="", version=0, action="send", **extra):
    data = {f"p{prompt.id}-body": body, f"p{prompt.id}-at": at, f"p{prompt.id}-version": str(version)}
    data[f"p{prompt.id}-{'send' if action == 'send' else 'save_draft'}"] = "1"
    data.update(extra)
    return data


def saved(app, student):
    with app.app_context():
        return db.session.scalars(db.select(Reflection).where(Reflection.student_id == student.id)).all()


@pytest.fixture
def ready(student, assignment, answer_stance):
    answer_stance(student, assignment)
    return assignment


# --- background saves: the same route answers JSON to the page's script ---


def test_a_draft_saved_in_the_background_answers_json(app, student_client, student, ready):
    prompt = ready.prompts[0]
    response = student_client.post(
        url(ready, prompt), data=form(prompt, "Half a thought", action="draft"), headers=JSON
    )
    assert response.status_code == 200 and response.mimetype == "application/json"
    answer = response.get_json()
    assert answer["saved"] is True and answer["status"] == "draft" and answer["status_label"] == "Draft"
    assert answer["message"].startswith("Draft saved.") and answer["version"] == 1
    assert (answer["draft_button"], answer["send_button"]) == ("Save draft", "Submit")
    [row] = saved(app, student)
    assert (row.body, row.status) == ("Half a thought", S.DRAFT)


def test_a_submit_in_the_background_gives_the_next_buttons(app, student_client, student, ready):
    prompt = ready.prompts[1]
    answer = student_client.post(url(ready, prompt), data=form(prompt, "Done now"), headers=JSON).get_json()
    assert answer["status"] == "awaiting" and answer["message"].startswith("Submitted.")
    assert (answer["draft_button"], answer["send_button"]) == ("Move back to drafts", "Save changes")
    # The next background save uses the version it was told.
    again = student_client.post(
        url(ready, prompt), data=form(prompt, "Done now, better", version=answer["version"]), headers=JSON
    )
    assert again.status_code == 200 and again.get_json()["version"] == answer["version"] + 1


def test_background_refusals_name_the_field_with_the_same_messages(app, student_client, student, ready):
    prompt = ready.prompts[0]
    empty = student_client.post(url(ready, prompt), data=form(prompt, "   "), headers=JSON)
    assert empty.status_code == 400
    assert empty.get_json()["errors"]["body"] == ["Please write something before saving."]
    late = student_client.post(url(ready, prompt), data=form(prompt, "Fine words", at="3:00:00"), headers=JSON)
    assert late.status_code == 400 and "only" in late.get_json()["errors"]["at"][0]
    too_long = student_client.post(url(ready, prompt), data=form(prompt, "x" * 5001), headers=JSON)
    assert too_long.status_code == 400 and "the limit is 5,000" in too_long.get_json()["errors"]["body"][0]
    assert saved(app, student) == []


def test_background_save_over_a_newer_version_returns_it_to_merge(app, student_client, student, ready):
    prompt = ready.prompts[0]
    student_client.post(url(ready, prompt), data=form(prompt, "From the laptop"), headers=JSON)
    response = student_client.post(url(ready, prompt), data=form(prompt, "From the phone"), headers=JSON)
    assert response.status_code == 409
    answer = response.get_json()
    assert "newer version" in answer["message"]
    assert answer["newer"] == {"body": "From the laptop", "version": 1}
    assert saved(app, student)[0].body == "From the laptop"


def test_background_save_when_signed_out_says_so(app, client, ready):
    prompt = ready.prompts[0]
    response = client.post(url(ready, prompt), data=form(prompt, "Precious"), headers=JSON)
    assert response.status_code == 401
    answer = response.get_json()
    assert answer["signed_out"] is True and "kept in this browser" in answer["message"]
    assert answer["login_url"].startswith("/join/resume")


# --- plain forms without JavaScript: back to the prompt and the film position ---


def test_a_plain_save_returns_to_the_prompt_with_the_film_position(student_client, ready):
    prompt = ready.prompts[1]
    response = student_client.post(url(ready, prompt), data=form(prompt, "At the parade", t="754"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/student/assignments/{ready.id}?t=754#prompt-{prompt.id}")
    # A missing or impossible position is left out; the prompt anchor stays.
    for version, bad in enumerate(["", "-3", "abc", "99999999", "1e3"], start=1):
        response = student_client.post(url(ready, prompt), data=form(prompt, f"Words {bad}", version=version, t=bad))
        assert response.headers["Location"].endswith(f"/student/assignments/{ready.id}#prompt-{prompt.id}")


def test_the_page_restores_the_position(student_client, student, make_assignment, school_class, answer_stance):
    work = make_assignment(school_class, video_url="https://media.school.example/red-soul.mp4")
    answer_stance(student, work)
    page = student_client.get(f"/student/assignments/{work.id}?t=754").get_data(as_text=True)
    # A media fragment starts the video there even without JavaScript; the script reads data-start.
    assert '<source src="https://media.school.example/red-soul.mp4#t=754">' in page
    assert 'data-start="754"' in page
    assert page.count('name="t" value="754"') == len(work.prompts)
    # Out of the film: ignored.
    page = student_client.get(f"/student/assignments/{work.id}?t=999999").get_data(as_text=True)
    assert "#t=" not in page and "data-start" not in page


def test_the_saved_message_sits_beside_its_prompt(student_client, ready):
    prompt = ready.prompts[1]
    student_client.post(url(ready, prompt), data=form(prompt, "Words", action="draft"))
    page = student_client.get(f"/student/assignments/{ready.id}").get_data(as_text=True)
    block = page[page.index(f'id="prompt-{prompt.id}"') :]
    block = block[: block.index("</li>")]
    assert re.search(r"data-save-state>Draft saved\.", block)
    flashes = page[page.index("<main") :][:2000]
    assert "Draft saved" not in flashes.split("<h1")[0]
    # Shown once: the next visit is quiet.
    assert "Draft saved" not in student_client.get(f"/student/assignments/{ready.id}").get_data(as_text=True)


# --- one CSRF token for the whole page ---


def test_the_page_has_one_csrf_token_and_plain_forms(
    make_app, make_teacher, make_class, make_assignment, make_student, answer_stance, monkeypatch
):
    from flask_wtf import FlaskForm

    app = make_app(WTF_CSRF_ENABLED=True)
    school_class = make_class(make_teacher())
    work = make_assignment(school_class)
    kid = make_student(school_class)
    answer_stance(kid, work)
    client = app.test_client()
    login_as(client, kid)
    built = []
    original = FlaskForm.__init__

    def counting(self, *args, **kwargs):
        built.append(type(self).__name__)
        original(self, *args, **kwargs)

    monkeypatch.setattr(FlaskForm, "__init__", counting)
    page = client.get(f"/student/assignments/{work.id}").get_data(as_text=True)
    # No form object per prompt: only the two fixed stance forms.
    assert "ReflectionForm" not in built and len(built) <= 2
    tokens = set(re.findall(r'name="(?:[a-z0-9]+-)?csrf_token"[^>]*value="([^"]+)"', page))
    assert len(tokens) == 1
    timeline = page[page.index("data-timeline") : page.index('id="after-viewing"')]
    assert timeline.count('name="csrf_token"') == len(work.prompts)
    assert not re.search(r'name="p\d+-csrf_token"', page)
    # That one token saves any prompt, in the background or not.
    [token] = tokens
    first, second = work.prompts[0], work.prompts[1]
    assert client.post(url(work, first), data=form(first, "One", csrf_token=token)).status_code == 302
    reply = client.post(url(work, second), data=form(second, "Two", csrf_token=token), headers=JSON)
    assert reply.status_code == 200 and reply.get_json()["saved"] is True


def test_a_stale_token_in_the_background_keeps_the_text_and_offers_a_fresh_token(
    make_app, make_teacher, make_class, make_assignment, make_student, answer_stance
):
    app = make_app(WTF_CSRF_ENABLED=True)
    school_class = make_class(make_teacher())
    work = make_assignment(school_class)
    kid = make_student(school_class)
    answer_stance(kid, work)
    client = app.test_client()
    login_as(client, kid)
    prompt = work.prompts[0]
    response = client.post(url(work, prompt), data=form(prompt, "Long typed", csrf_token="stale"), headers=JSON)
    assert response.status_code == 400
    answer = response.get_json()
    assert answer["saved"] is False and "open a long time" in answer["message"]
    retry = client.post(
        url(work, prompt), data=form(prompt, "Long typed", csrf_token=answer["csrf_token"]), headers=JSON
    )
    assert retry.status_code == 200 and saved(app, kid)[0].body == "Long typed"


# --- video links that are web pages, not files ---


@pytest.mark.parametrize(
    "link,site",
    [
        ("https://www.youtube.com/watch?v=abc123", "YouTube"),
        ("https://youtu.be/abc123", "YouTube"),
        ("https://m.youtube.com/watch?v=abc123", "YouTube"),
        ("https://www.youtube-nocookie.com/embed/abc123", "YouTube"),
        ("https://vimeo.com/123456", "Vimeo"),
        ("https://player.vimeo.com/video/123456", "Vimeo"),
    ],
)
def test_video_page_links_are_refused_saying_what_works(link, site):
    from classroom.classes.media import MediaError, check_video_url

    with pytest.raises(MediaError) as refused:
        check_video_url(link)
    assert f"That is a {site} page" in str(refused.value) and ".mp4, .webm or .m3u8" in str(refused.value)


def test_files_on_other_hosts_still_work():
    from classroom.classes.media import check_video_url

    for link in ("https://notyoutube.com/film.mp4", "https://media.school.example/vimeo.com/film.webm"):
        assert check_video_url(link) == link


def test_a_plan_film_link_to_youtube_is_refused_next_to_the_field(app, teacher_client, teacher, make_plan):
    plan = make_plan(teacher)
    page = teacher_client.get(f"/lessons/{plan.id}/edit").get_data(as_text=True)
    names = set(re.findall(r'name="([a-z_]+)"', page))
    assert "video_url" in names
    data = dict.fromkeys(names, "")
    data.update(title=plan.title, video_url="https://youtu.be/abc123")
    response = teacher_client.post(f"/lessons/{plan.id}/edit", data=data)
    assert response.status_code == 400
    assert "That is a YouTube page" in response.get_data(as_text=True)


def test_word_counts_read_naturally():
    from classroom.templating import plural

    assert plural(1, "word") == "1 word"
    assert plural(0, "word") == "0 words"
    assert plural(1200, "word") == "1,200 words"


# --- students understand what they watch ---


def test_a_content_note_comes_before_the_first_prompt(student_client, ready):
    page = student_client.get(f"/student/assignments/{ready.id}").get_data(as_text=True)
    note = page.index("content-note")
    assert note < page.index("data-timeline") < page.index(f'id="prompt-{ready.prompts[0].id}"')
    assert "painful" in page and "answer in general terms" in page


def test_russian_text_carries_lang_ru(app, student_client, student, ready, make_student, school_class, make_reflection):
    from classroom.templating import text_lang

    assert text_lang("Моя бабушка помнит **всё**") == "ru"
    assert text_lang("<p>My grandmother said <em>Память</em></p>") == ""
    assert text_lang("") == ""
    with app.app_context():
        prompt = db.session.get(type(ready.prompts[0]), ready.prompts[0].id)
        prompt.text = "Что вы заметили в первые минуты фильма?"
        db.session.get(Assignment, prompt.assignment_id).anonymise = False
        db.session.commit()
    classmate = make_student(school_class, "Дима")
    make_reflection(classmate, ready.prompts[0], body="Бабушка молчит о прошлом.", status="approved")
    student_client.post(url(ready, ready.prompts[0]), data=form(ready.prompts[0], "Я думаю о своей семье."))
    page = student_client.get(f"/student/assignments/{ready.id}").get_data(as_text=True)
    assert re.search(r'<h3 class="prompt-item__text"[^>]*lang="ru">Что вы заметили', page)
    assert re.search(r'<strong lang="ru">Дима</strong>', page)
    assert re.search(r'<div class="reflection-body user-html" lang="ru"><p>Бабушка', page)
    assert re.search(r'<div class="reflection-body user-html" lang="ru"><p>Я думаю', page)
    # English stays unmarked.
    assert not re.search(r'prompt-item__text[^>]*lang="ru">[A-Z]', page)


def test_the_glossary_is_linked_when_the_app_has_one(make_app, make_teacher, make_class, make_assignment, make_student):
    app = make_app()
    app.add_url_rule("/film/glossary", "glossary_for_test", lambda: "glossary")
    school_class = make_class(make_teacher())
    work = make_assignment(school_class)
    client = app.test_client()
    login_as(client, make_student(school_class))
    page = client.get(f"/student/assignments/{work.id}").get_data(as_text=True)
    assert '<a href="/film/glossary">Words and dates to know' in page


def test_student_home_is_cards_with_the_next_step_on_top(app, student_client, student, ready, write_reflection):
    first, second, third = ready.prompts[:3]
    write_reflection(student, first, "Handed in")
    page = student_client.get("/student").get_data(as_text=True)
    assert "<table" not in page
    card = page[page.index('class="card assignment-card"') :]
    # The next step comes before the list of prompts, and its button opens that prompt.
    assert card.index("Next:") < card.index("prompt-steps")
    assert f'the prompt at <span class="time">{second.time_seconds // 3600}:' in card
    assert f'href="/student/assignments/{ready.id}#prompt-{second.id}"' in card
    # A returned reflection is the next step before anything new.
    reflection = write_reflection(student, third, "To revise")
    with app.app_context():
        row = db.session.get(Reflection, reflection.id)
        row.status = S.RETURNED
        db.session.commit()
    page = student_client.get("/student").get_data(as_text=True)
    assert "sent back the reflection" in page and f"#prompt-{third.id}" in page
