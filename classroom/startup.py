"""What create_app checks and prepares before it serves anyone.

- In production (CLASSROOM_ENV=production) the app refuses to start while a setting a school must
  choose is missing or wrong, and names every one of them at once.
- Outside production a missing SECRET_KEY is generated once into instance/ (never when the caller,
  such as the test suite, passes its own).
- A SQLite database file is created readable by its owner only, in a folder only the owner can open:
  it holds minors' writing and their return codes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask
from sqlalchemy.engine import make_url

from .config import default_database_url, secret_key

ENVIRONMENTS = ("development", "production")


class ConfigurationError(RuntimeError):
    """The app cannot start with this configuration; the message says what to set."""


def known_timezone(name: str | None) -> bool:
    """True for "UTC" and every IANA zone name this machine knows (e.g. Europe/Amsterdam)."""
    if not name:
        return False
    if name.upper() == "UTC":
        return True
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def production_problems(config: Mapping, explicit: set[str], instance_path: str) -> list[str]:
    """Every reason this configuration must not serve a school, one sentence each (empty when fine).

    `explicit` names the settings the school chose itself (in the environment or passed to create_app).
    """
    problems = []
    if not config.get("SECRET_KEY"):
        problems.append(
            "SECRET_KEY is not set: give it a long random value (e.g. `python3 -c 'import secrets; "
            "print(secrets.token_hex(32))'`) and keep it the same across restarts and workers."
        )
    if "DATABASE_URL" not in explicit and config.get("SQLALCHEMY_DATABASE_URI") == default_database_url(instance_path):
        problems.append(
            "DATABASE_URL is not set: point it at the school's database, "
            "e.g. postgresql://classroom@localhost/classroom."
        )
    if not known_timezone(config.get("SCHOOL_TIMEZONE")):
        problems.append(
            f"SCHOOL_TIMEZONE {config.get('SCHOOL_TIMEZONE')!r} is not a time zone this server knows: "
            "use an IANA name such as Europe/Amsterdam or America/New_York (or UTC)."
        )
    if config.get("ALLOW_SIGNUP") and "ALLOW_SIGNUP" not in explicit:
        problems.append(
            "ALLOW_SIGNUP is not set, so anyone could make a teacher account: set ALLOW_SIGNUP=0 and create "
            "teachers with `flask create-teacher`, or ALLOW_SIGNUP=1 to keep sign-up open on purpose."
        )
    return problems


def explicit_settings(overrides: Mapping, environ: Mapping[str, str]) -> set[str]:
    """The settings the school or the caller chose: set in the environment or passed to create_app."""
    chosen = {name for name in ("SECRET_KEY", "DATABASE_URL", "ALLOW_SIGNUP") if environ.get(name, "").strip()}
    if "SQLALCHEMY_DATABASE_URI" in overrides:
        chosen.add("DATABASE_URL")
    chosen.update(name for name in ("SECRET_KEY", "ALLOW_SIGNUP") if name in overrides)
    return chosen


def private_sqlite_file(uri: str, instance_path: str) -> None:
    """Create a SQLite database file 0600 before SQLite makes it readable by everyone on the machine.

    The instance folder (ours alone) is created or tightened to 0700 and an existing file to 0600. A
    missing folder elsewhere is left missing: SQLite then fails as it would have, and /healthz says so.
    """
    url = make_url(uri)
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:") or database.startswith("file:"):
        return
    path = Path(database).resolve()
    folder = path.parent
    if folder == Path(instance_path).resolve():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.chmod(0o700)
    if not folder.is_dir():
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)


def finish_config(app: Flask, overrides: Mapping, environ: Mapping[str, str] | None = None) -> None:
    """Check production settings, fill a development SECRET_KEY, and make the SQLite file private."""
    environ = os.environ if environ is None else environ
    env = str(app.config.get("CLASSROOM_ENV") or "development").strip().lower()
    if env not in ENVIRONMENTS:
        raise ConfigurationError(f"CLASSROOM_ENV must be production or development, not {env!r}.")
    app.config["CLASSROOM_ENV"] = env
    if env == "production":
        problems = production_problems(app.config, explicit_settings(overrides, environ), app.instance_path)
        if problems:
            raise ConfigurationError(
                "Red Soul Classroom will not start in production until these are set:\n"
                + "\n".join(f"- {problem}" for problem in problems)
            )
    elif not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(app.instance_path)
    private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"], app.instance_path)
    # A failed statement's error (and so a 500's logged traceback) must not carry its values: they
    # are students' reflections and return codes.
    engine_options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    engine_options.setdefault("hide_parameters", True)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options
