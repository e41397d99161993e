"""The app knows it is in production (issue 8): it refuses to start without what a school must set,
never writes into the project's instance/ folder from the tests, and keeps its SQLite file private."""

import os
import stat

import pytest

import classroom.startup
from classroom import PROJECT_ROOT, create_app
from classroom.startup import ConfigurationError, known_timezone, private_sqlite_file
from tests.conftest import test_config as suite_config

SCHOOL_SETTINGS = {
    "SECRET_KEY": "a-long-random-value-for-this-school",
    "DATABASE_URL": "postgresql://classroom@db.school.example/classroom",
    "SCHOOL_TIMEZONE": "Europe/Amsterdam",
    "ALLOW_SIGNUP": "0",
}
NAMED = {"SECRET_KEY", "DATABASE_URL", "SCHOOL_TIMEZONE", "ALLOW_SIGNUP"}


@pytest.fixture
def school_env(monkeypatch):
    """A production environment with everything a school must set; tests take pieces away."""
    for name in (*SCHOOL_SETTINGS, "CLASSROOM_ENV", "TRUSTED_PROXIES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLASSROOM_ENV", "production")
    for name, value in SCHOOL_SETTINGS.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def instance_snapshot():
    folder = PROJECT_ROOT / "instance"
    if not folder.exists():
        return None
    return {
        entry.name: (entry.stat().st_mode, entry.stat().st_size, entry.stat().st_mtime_ns) for entry in folder.iterdir()
    }, folder.stat().st_mode


def test_production_with_everything_set_starts(school_env):
    app = create_app()
    assert app.config["CLASSROOM_ENV"] == "production"
    assert app.config["SECRET_KEY"] == SCHOOL_SETTINGS["SECRET_KEY"]
    assert app.config["ALLOW_SIGNUP"] is False


def test_sign_up_may_stay_open_when_the_school_says_so(school_env):
    school_env.setenv("ALLOW_SIGNUP", "1")
    assert create_app().config["ALLOW_SIGNUP"] is True


def test_production_names_everything_that_is_missing(school_env):
    before = instance_snapshot()
    for name in ("SECRET_KEY", "DATABASE_URL", "ALLOW_SIGNUP"):
        school_env.delenv(name)
    school_env.setenv("SCHOOL_TIMEZONE", "Mars/Olympus_Mons")
    with pytest.raises(ConfigurationError) as refused:
        create_app()
    message = str(refused.value)
    for name in NAMED:
        assert name in message, name
    assert "Mars/Olympus_Mons" in message
    # Refusing to start never made a key of its own.
    assert instance_snapshot() == before


@pytest.mark.parametrize("missing", sorted(NAMED))
def test_each_missing_setting_is_named_alone(school_env, missing):
    if missing == "SCHOOL_TIMEZONE":
        school_env.setenv("SCHOOL_TIMEZONE", "Europe/Atlantis")
    else:
        school_env.delenv(missing)
    with pytest.raises(ConfigurationError) as refused:
        create_app()
    named = {name for name in NAMED if name in str(refused.value)}
    assert named == {missing}


def test_an_unknown_environment_name_is_refused(school_env):
    school_env.setenv("CLASSROOM_ENV", "prod")
    with pytest.raises(ConfigurationError, match="CLASSROOM_ENV"):
        create_app()


def test_development_starts_with_nothing_set(monkeypatch, tmp_path):
    monkeypatch.setenv("CLASSROOM_ENV", "development")
    monkeypatch.delenv("ALLOW_SIGNUP", raising=False)
    monkeypatch.setenv("SCHOOL_TIMEZONE", "Nowhere/Special")
    config = suite_config(tmp_path, None)
    assert create_app(config).config["CLASSROOM_ENV"] == "development"


@pytest.mark.parametrize(
    "name,known", [("UTC", True), ("utc", True), ("Europe/Amsterdam", True), ("Mars/Base", False), ("", False)]
)
def test_known_timezone(name, known):
    assert known_timezone(name) is known


def test_create_app_in_tests_never_writes_into_instance(monkeypatch, tmp_path, pg_schema):
    """With the suite's config (its own database, key and LTI keyring), instance/ is left as it was,
    even with no SECRET_KEY in the environment (the key used to be generated there before the
    suite's own one replaced it)."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    generated = []
    monkeypatch.setattr(classroom.startup, "secret_key", lambda path: generated.append(path) or "x")
    before = instance_snapshot()
    app = create_app(suite_config(tmp_path, pg_schema))
    from classroom.extensions import db

    with app.app_context():
        db.create_all()
    browser = app.test_client()
    for path in ("/", "/healthz", "/auth/login", "/lms/jwks", "/join/resume"):
        assert browser.get(path).status_code == 200, path
    assert generated == []
    assert instance_snapshot() == before
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def test_development_without_a_key_generates_one(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    generated = []
    monkeypatch.setattr(classroom.startup, "secret_key", lambda path: generated.append(path) or "made-once")
    config = suite_config(tmp_path, None)
    del config["SECRET_KEY"]
    app = create_app(config)
    assert app.config["SECRET_KEY"] == "made-once" and generated == [app.instance_path]


# --- the SQLite file --------------------------------------------------------------------------


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_sqlite_database_is_private(make_app, tmp_path):
    from classroom.extensions import db

    database = tmp_path / "classroom.sqlite3"
    # A SQLite file even when the suite runs on PostgreSQL (without PostgreSQL's connection options).
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}", SQLALCHEMY_ENGINE_OPTIONS={})
    with app.app_context():
        db.session.execute(db.text("SELECT count(*) FROM teachers"))
    assert mode(database) == 0o600


def test_the_instance_folder_is_made_private(tmp_path):
    instance = tmp_path / "instance"
    private_sqlite_file(f"sqlite:///{instance / 'classroom.sqlite3'}", str(instance))
    assert mode(instance) == 0o700
    assert mode(instance / "classroom.sqlite3") == 0o600


def test_an_existing_sqlite_file_is_tightened(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    instance.chmod(0o755)
    database = instance / "classroom.sqlite3"
    database.write_bytes(b"")
    database.chmod(0o644)
    private_sqlite_file(f"sqlite:///{database}", str(instance))
    assert mode(database) == 0o600
    assert mode(instance) == 0o700


def test_a_folder_that_is_not_ours_is_left_alone(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    private_sqlite_file(f"sqlite:///{shared / 'c.sqlite3'}", str(tmp_path / "instance"))
    assert mode(shared) == 0o755
    assert mode(shared / "c.sqlite3") == 0o600
    private_sqlite_file(f"sqlite:///{tmp_path / 'missing' / 'c.sqlite3'}", str(tmp_path / "instance"))
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("uri", ["sqlite://", "sqlite:///:memory:", "postgresql+psycopg://u@h/db"])
def test_other_databases_need_no_file(uri, tmp_path):
    private_sqlite_file(uri, str(tmp_path))
    assert list(tmp_path.iterdir()) == []
