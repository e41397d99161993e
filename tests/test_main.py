"""Front door, film page, health check, security headers, and the secret key."""

import pytest

from classroom.config import database_url, secret_key


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_reports_a_dead_database(tmp_path):
    from classroom import create_app

    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3"}
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "error" and "database unavailable" in body["reason"]


def test_film_page_shows_the_facts(client):
    page = client.get("/film").get_data(as_text=True)
    for fact in (
        "The Red Soul",
        "Jessica Gorter",
        "90 minutes",
        "Russian, with English subtitles",
        "IDFA",
        "Crossing Europe",
        "never hosts the film",
    ):
        assert fact in page


def test_home_for_visitors(client):
    page = client.get("/").get_data(as_text=True)
    assert "join my class" in page


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "could not find that page" in response.get_data(as_text=True)


def test_secret_key_generated_once_into_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = secret_key(str(tmp_path))
    assert len(first) == 64
    assert secret_key(str(tmp_path)) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_secret_key_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert secret_key(str(tmp_path)) == "from-the-environment"


def test_database_url(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert database_url(str(tmp_path)).startswith("sqlite:///")
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    assert database_url(str(tmp_path)) == "postgresql+psycopg://u@h/db"
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    assert database_url(str(tmp_path)) == "postgresql+psycopg://u@h/db"


def test_sqlite_enforces_foreign_keys(app):
    from sqlalchemy import text

    from classroom.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL always enforces foreign keys")
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
