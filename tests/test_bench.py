"""The benchmark's side in the app: the district seed, the targets file and the baseline routes."""

import itertools
import json
import random

import pytest

from classroom.bench import baseline
from classroom.bench.seed import LOAD_EMAIL, SeedSizes, captions_text, spread
from classroom.bench.texts import text_pool
from classroom.extensions import db
from classroom.models import (
    THEMES,
    Assignment,
    ModerationEvent,
    Prompt,
    Reflection,
    SchoolClass,
    StanceAnswer,
    Student,
    Teacher,
    as_utc,
    utcnow,
)
from classroom.sanitize import POLICY_VERSION, render_for_storage, word_count
from classroom.statuses import ALL_STATUSES
from classroom.statuses import ReflectionStatus as S
from tests.conftest import login_as

SMALL = [
    "--teachers", "6", "--classes", "20", "--students", "160", "--reflections", "1200",
    "--home-classes", "1,3", "--class-sizes", "5,12", "--lesson-class", "8",
    "--fortune-keys", "3", "--text-pool", "60",
]  # fmt: skip


@pytest.fixture
def bench_app(make_app):
    app = make_app(BENCH_ROUTES=True)
    yield app
    with app.app_context():
        baseline.metadata.drop_all(db.engine)


@pytest.fixture
def seeded(bench_app, tmp_path):
    """A small district seeded through the command, with its targets file."""
    path = tmp_path / "targets.json"
    result = bench_app.test_cli_runner().invoke(args=["bench", "seed", *SMALL, "--targets", str(path)])
    assert result.exit_code == 0, result.output
    return bench_app, json.loads(path.read_text()), result.output


def count(model, *where):
    return db.session.scalar(db.select(db.func.count(model.id)).where(*where))


def test_seed_writes_exactly_the_totals_asked_for(seeded):
    app, targets, output = seeded
    assert "Seeded in" in output
    with app.app_context():
        assert (count(Teacher), count(SchoolClass), count(Student), count(Reflection)) == (6, 20, 160, 1200)
        assert count(Assignment) == 20 and count(Prompt) == 20 * 13
        assert targets["installation"] == {"teachers": 6, "classes": 20, "students": 160, "reflections": 1200}
        sizes = dict(
            db.session.execute(
                db.select(SchoolClass.name, db.func.count(Student.id)).join(Student).group_by(SchoolClass.name)
            ).all()
        )
        assert sizes["Lesson class of 8"] == 8
        assert sizes["Growth class of 5"] == 5 and sizes["Growth class of 12"] == 12
        homes = dict(
            db.session.execute(
                db.select(Teacher.email, db.func.count(SchoolClass.id)).join(SchoolClass).group_by(Teacher.email)
            ).all()
        )
        assert homes["bench.home-1@district.example"] == 1 and homes["bench.home-3@district.example"] == 3
        assert homes[LOAD_EMAIL] == 3
        assert db.session.execute(db.select(db.func.count()).select_from(baseline.fortunes)).scalar() == 3 * 30


def test_seeded_reflections_look_like_a_real_class(seeded):
    app, _, _ = seeded
    with app.app_context():
        statuses = dict(
            db.session.execute(db.select(Reflection.status, db.func.count()).group_by(Reflection.status)).all()
        )
        assert set(statuses) == set(ALL_STATUSES)
        assert statuses[S.APPROVED] > statuses[S.AWAITING] > statuses[S.REJECTED]
        lesson = db.session.scalars(db.select(SchoolClass).where(SchoolClass.name == "Lesson class of 8")).one()
        in_lesson = db.select(Student.id).where(Student.class_id == lesson.id)
        # The lesson's class keeps writing during the benchmark, so nothing of it is final.
        assert count(Reflection, Reflection.student_id.in_(in_lesson), Reflection.status == S.REJECTED) == 0
        now = utcnow()
        reflections = db.session.scalars(db.select(Reflection)).all()
        events = {}
        for event in db.session.scalars(db.select(ModerationEvent).order_by(ModerationEvent.id)):
            events.setdefault(event.reflection_id, []).append(event)
        for r in reflections[::7]:
            stored = render_for_storage(r.body)
            assert (r.body_html, r.body_text, r.html_policy) == (stored.html, stored.text, POLICY_VERSION)
            assert r.word_count == word_count(r.body) and 40 <= r.word_count <= 200
            chain = events[r.id]
            assert chain[0].from_status == "" and chain[-1].to_status == r.status
            assert all(a.to_status == b.from_status for a, b in itertools.pairwise(chain))
            assert as_utc(r.created_at) <= as_utc(r.updated_at) <= now
            if r.status == S.DRAFT:
                assert r.submitted_at is None and r.decided_at is None
            else:
                assert as_utc(r.created_at) <= as_utc(r.submitted_at)
            if r.status in (S.APPROVED, S.RETURNED, S.REJECTED):
                assert as_utc(r.submitted_at) <= as_utc(r.decided_at) <= now
                assert chain[-1].actor == "teacher" and chain[-1].teacher_id is not None
            if r.status in (S.RETURNED, S.REJECTED):
                assert r.feedback and r.feedback == chain[-1].feedback
        # Prompts open only after the question before viewing: everyone who wrote answered it.
        writers = set(db.session.scalars(db.select(Reflection.student_id).distinct()))
        answered = set(db.session.scalars(db.select(StanceAnswer.student_id).where(StanceAnswer.phase == "pre")))
        assert writers <= answered
        assert count(StanceAnswer, StanceAnswer.phase == "post") > 0
        flagged = db.session.scalars(db.select(Reflection).where(Reflection.flagged.is_(True))).all()
        assert flagged and all(json.loads(r.flag_details) for r in flagged)
        assert count(Assignment, Assignment.has_captions) >= 3


def test_seed_only_fills_an_empty_database(bench_app, teacher):
    result = bench_app.test_cli_runner().invoke(args=["bench", "seed", *SMALL])
    assert result.exit_code != 0
    assert "already has teachers" in result.output
    with bench_app.app_context():
        assert count(Teacher) == 1


def test_seed_refuses_sizes_the_fixtures_do_not_fit(bench_app):
    runner = bench_app.test_cli_runner()
    result = runner.invoke(args=["bench", "seed", *SMALL[:2], "--classes", "3", *SMALL[4:]])
    assert result.exit_code != 0 and "classes" in result.output
    result = runner.invoke(args=["bench", "seed", "--teachers", "6", "--classes", "20", "--students", "160",
                                 "--reflections", "99999", *SMALL[8:]])  # fmt: skip
    assert result.exit_code != 0 and "At most" in result.output
    with bench_app.app_context():
        assert count(Teacher) == 0


def as_person(app, model, **where):
    client = app.test_client()
    with app.app_context():
        person = db.session.scalars(db.select(model).filter_by(**where)).first()
        login_as(client, person)
    return client


def test_every_target_answers_for_its_person(seeded):
    app, targets, _ = seeded
    teacher = as_person(app, Teacher, email=LOAD_EMAIL)
    for size, pages in targets["teacher_pages"].items():
        for name, url in pages.items():
            if isinstance(url, str):
                response = teacher.get(url)
                assert response.status_code == 200, (size, name, url)
    for key, n in targets["home_classes"].items():
        home = as_person(app, Teacher, email=targets["teachers"][key]["email"])
        page = home.get(targets["home_url"]).get_data(as_text=True)
        assert page.count("Lesson class") + page.count("#") >= n
    lesson = targets["lesson"]
    assert len(lesson["return_codes"]) == 8 and len(lesson["prompts"]) == 13
    student = as_person(app, Student, return_code=lesson["return_codes"][0])
    page = student.get(lesson["assignment_url"]).get_data(as_text=True)
    for prompt in lesson["prompts"]:
        assert f'action="{prompt["save_url"]}' in page
        assert f'name="{prompt["body"]}"' in page and f'name="{prompt["submit"]}"' in page


def test_a_student_target_saves_like_the_load_generator(seeded):
    app, targets, _ = seeded
    lesson = targets["lesson"]
    code = lesson["return_codes"][1]
    student = as_person(app, Student, return_code=code)
    prompt = lesson["prompts"][0]
    with app.app_context():
        person = db.session.scalars(db.select(Student).filter_by(return_code=code)).one()
        before = db.session.scalars(
            db.select(Reflection).filter_by(student_id=person.id, prompt_id=prompt["id"])
        ).one_or_none()
    version = before.version if before else 0
    data = {
        prompt["body"]: "The women with flowers and the volunteers with lists remember the same years differently.",
        prompt["at"]: "",
        prompt["submit"]: "1",
        f"p{prompt['id']}-version": str(version),
        f"p{prompt['id']}-owner": str(person.id),
    }
    # As the load generator (and the page's script) sends it: JSON back, saying it saved, with the version.
    response = student.post(prompt["save_url"], data=data, headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.is_json
    answer = response.get_json()
    assert answer["saved"] is True and answer["version"] == version + 1
    # A browser without JavaScript posts the same form and is sent back to the page.
    data[f"p{prompt['id']}-version"] = str(answer["version"])
    data[prompt["body"]] += " Both sides keep flowers."
    response = student.post(prompt["save_url"], data=data)
    assert response.status_code == 302 and response.headers["Location"].startswith(lesson["assignment_url"])
    with app.app_context():
        saved = db.session.scalars(db.select(Reflection).filter_by(student_id=person.id, prompt_id=prompt["id"])).one()
        assert saved.status == S.AWAITING and saved.version == version + 2


def test_baseline_routes_read_thirty_rows_and_upsert_one(seeded):
    app, targets, _ = seeded
    client = app.test_client()
    page = client.get(targets["baseline"]["read_urls"][0])
    assert page.status_code == 200
    assert page.get_data(as_text=True).count("<tr><td>") == 30
    assert client.get("/bench/fortunes/999999").status_code == 404
    url = targets["baseline"]["write_urls"][0]
    assert client.post(url).status_code == 200
    assert client.post(url).status_code == 200
    with app.app_context():
        rows = db.session.execute(db.select(baseline.counters.c.name, baseline.counters.c.hits)).all()
    assert len(rows) == 1 and rows[0].hits == 2


def test_baseline_routes_exist_only_when_the_setting_is_on(app, runner, tmp_path):
    assert "bench" not in app.blueprints
    assert app.test_client().get("/bench/fortunes/1").status_code == 404
    result = runner.invoke(args=["bench", "targets", "--out", str(tmp_path / "t.json")])
    assert result.exit_code != 0 and "BENCH_ROUTES" in result.output


def test_targets_need_a_seeded_district(bench_app, tmp_path):
    result = bench_app.test_cli_runner().invoke(args=["bench", "targets", "--out", str(tmp_path / "t.json")])
    assert result.exit_code != 0 and "bench seed" in result.output


def test_text_pool_is_varied_and_within_the_word_limits():
    pool = text_pool(200, THEMES, seed=5)
    assert len({text for _, text in pool}) == 200
    assert {theme for theme, _ in pool} == set(THEMES)
    assert all(40 <= word_count(text) <= 200 for _, text in pool)
    assert pool == text_pool(200, THEMES, seed=5)


def test_spread_adds_up_exactly():
    rng = random.Random(1)
    for total, parts in ((44730, 1496), (10, 3), (0, 4), (7, 7)):
        sizes = spread(total, parts, rng)
        assert len(sizes) == parts and sum(sizes) == total and min(sizes) >= 0


def test_captions_are_a_full_length_webvtt_file():
    text = captions_text()
    assert text.startswith("WEBVTT\n") and "01:29:52.000 --> 01:29:56.000" in text
    assert 100_000 < len(text) < 512 * 1024


def test_sizes_check_names_what_does_not_fit():
    with pytest.raises(ValueError, match="teachers"):
        SeedSizes(teachers=2, classes=80).check(13)
    with pytest.raises(ValueError, match="students"):
        SeedSizes(students=100).check(13)


def test_explain_writes_every_hot_page_with_its_statements_and_plans(seeded, tmp_path):
    app, _, _ = seeded
    out = tmp_path / "explain.md"
    result = app.test_cli_runner().invoke(args=["bench", "explain", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    for page in ("student_page", "reflection_save (draft)", "dashboard (class of 12)", "queue (class of 12)",
                 "reflections_csv (class of 12)", "report (class of 12)", "teacher home (3 classes)"):  # fmt: skip
        assert f"| {page} | " in text
    assert "| 500 |" not in text and "| 302 | 0 |" not in text
    assert "FROM reflections" in text
    blocks = text.split("```sql\n")[1:]
    assert all("nothing to explain" not in block for block in blocks if block.startswith("SELECT"))
    assert text.count("```sql") >= 40
