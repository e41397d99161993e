"""`flask seed-demo`: the demo a fresh `make run` loads, and only on an empty database."""

from classroom import demo
from classroom.extensions import db
from classroom.models import Assignment, Film, LessonPlan, SchoolClass, Teacher
from classroom.passwords import check_password


def counts(app):
    with app.app_context():
        return tuple(
            db.session.scalar(db.select(db.func.count(model.id)))
            for model in (Teacher, LessonPlan, SchoolClass, Assignment)
        )


def test_seed_demo_on_an_empty_database(app, runner, monkeypatch):
    monkeypatch.setenv("PORT", "5077")
    monkeypatch.delenv("HOST", raising=False)
    with app.app_context():
        db.session.execute(db.delete(Film))
        db.session.commit()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Loaded the demo" in result.output
    assert demo.DEMO_EMAIL in result.output and demo.DEMO_PASSWORD in result.output
    assert "http://127.0.0.1:5077/auth/login" in result.output
    assert counts(app) == (1, 1, 1, 1)
    with app.app_context():
        teacher = db.session.execute(db.select(Teacher)).scalar_one()
        assert teacher.email == demo.DEMO_EMAIL
        assert check_password(teacher.password_hash, demo.DEMO_PASSWORD)
        school_class = db.session.execute(db.select(SchoolClass)).scalar_one()
        assert school_class.name == "Demo class"
        assert f"http://127.0.0.1:5077/join/{school_class.join_code}" in result.output
        assignment = db.session.execute(db.select(Assignment)).scalar_one()
        assert assignment.title == "Memory and the Stalin legacy"
        assert len(assignment.prompts) >= 10 and assignment.is_open()
        assert db.session.execute(db.select(Film)).scalar_one().title == "The Red Soul"


def test_seed_demo_twice_is_safe_and_prints_the_login_again(app, runner):
    runner.invoke(args=["seed-demo"])
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0
    assert "the demo was not loaded" in result.output
    assert demo.DEMO_EMAIL in result.output and "unless it has been changed" in result.output
    assert "join code" in result.output
    assert counts(app) == (1, 1, 1, 1)


def test_seed_demo_leaves_a_real_school_alone(app, runner, teacher):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0
    assert "the demo was not loaded" in result.output
    assert demo.DEMO_EMAIL not in result.output
    assert counts(app) == (1, 0, 0, 0)


def test_demo_teacher_can_log_in(app, runner, client):
    runner.invoke(args=["seed-demo"])
    response = client.post("/auth/login", data={"email": demo.DEMO_EMAIL, "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302
    page = client.get("/classes/").get_data(as_text=True)
    assert "Demo class" in page


def test_local_base_url(monkeypatch):
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "8080")
    assert demo.local_base_url() == "http://127.0.0.1:8080"
    monkeypatch.setenv("HOST", "school.example")
    monkeypatch.delenv("PORT")
    assert demo.local_base_url() == "http://school.example:5000"
