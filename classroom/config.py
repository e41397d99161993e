"""Configuration: defaults in code, secrets from the environment or the instance folder."""

import os
import secrets
from pathlib import Path


def default_database_url(instance_path: str) -> str:
    """The SQLite file in instance/ that a plain `make run` uses."""
    return "sqlite:///" + str(Path(instance_path) / "classroom.sqlite3")


def database_url(instance_path: str) -> str:
    """DATABASE_URL if set (PostgreSQL URLs get the psycopg 3 driver), else SQLite in instance/."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return default_database_url(instance_path)
    return with_psycopg_driver(url)


def with_psycopg_driver(url: str) -> str:
    """The URL with the psycopg 3 driver named, if it is a plain PostgreSQL URL (which would ask for psycopg2)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/secret_key."""
    from_env = os.environ.get("SECRET_KEY", "").strip()
    if from_env:
        return from_env
    key_file = Path(instance_path) / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Created private from the start: the key signs every session cookie.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another worker process won the race; use its key so sessions agree.
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() not in ("0", "false", "no", "off", "")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not (value.isascii() and value.isdigit()):
        raise ValueError(f"{name} must be a whole number, not {value!r}.")
    return int(value)


def env_text(name: str, file_name: str = "") -> str:
    """A setting from the environment, or from the file another variable names (for PEM keys)."""
    value = os.environ.get(name, "").strip()
    path = os.environ.get(file_name, "").strip() if file_name else ""
    if not value and path:
        value = Path(path).read_text().strip()
    return value


def defaults(instance_path: str) -> dict:
    """The configuration a plain `make run` gets."""
    return {
        # From the environment only; create_app generates one into instance/ for development when
        # nobody passed one (classroom/startup.py), and refuses to start without one in production.
        "SECRET_KEY": os.environ.get("SECRET_KEY", "").strip(),
        # "production" makes the app refuse to start without the settings a school must choose.
        "CLASSROOM_ENV": os.environ.get("CLASSROOM_ENV", "development"),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "ALLOW_SIGNUP": env_flag("ALLOW_SIGNUP", True),
        # Who a teacher should ask for an account when sign-up is closed.
        "SIGNUP_CONTACT": os.environ.get("SIGNUP_CONTACT", "your school's IT administrator"),
        # Teachers type and read assignment dates in the school's own time zone (an IANA name).
        "SCHOOL_TIMEZONE": os.environ.get("SCHOOL_TIMEZONE", "UTC"),
        # How many reverse proxies (nginx, a load balancer) stand in front of the app; 0 trusts no
        # X-Forwarded-* header at all.
        "TRUSTED_PROXIES": env_int("TRUSTED_PROXIES", 0),
        "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL", "memory://"),
        # Dashboard aggregates, cached per assignment for this many seconds (0: off) and dropped on writes;
        # in Redis with REDIS_URL (shared by every worker and instance), else in each worker's memory.
        "AGGREGATE_CACHE_SECONDS": env_int("AGGREGATE_CACHE_SECONDS", 30),
        "AGGREGATE_CACHE_URL": os.environ.get("REDIS_URL", "").strip(),
        "RATELIMIT_HEADERS_ENABLED": True,
        "REMEMBER_COOKIE_HTTPONLY": True,
        # A student's "stay signed in" lasts one school term at most, not Flask-Login's 365 days.
        "STUDENT_REMEMBER_DAYS": env_int("STUDENT_REMEMBER_DAYS", 120),
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # SECURE_COOKIES=1 (behind HTTPS) also sends Strict-Transport-Security (classroom/headers.py).
        "SESSION_COOKIE_SECURE": env_flag("SECURE_COOKIES", False),
        "REMEMBER_COOKIE_SECURE": env_flag("SECURE_COOKIES", False),
        "WTF_CSRF_TIME_LIMIT": None,
        "PASSWORD_HASH_FAST": False,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        # The benchmark's baseline routes (/bench/...): only for a benchmark run, never a school's server.
        "BENCH_ROUTES": env_flag("BENCH_ROUTES", False),
        # Sites allowed to show student pages in a frame (the school's Moodle, Canvas...), e.g.
        # "https://moodle.school.org https://school.instructure.com"; none by default.
        "EMBED_ALLOWED_ORIGINS": os.environ.get("EMBED_ALLOWED_ORIGINS", ""),
        # LTI 1.3 (README "LTI 1.3 setup"). Without LTI_PRIVATE_KEY the key is made once in instance/.
        "LTI_PRIVATE_KEY": env_text("LTI_PRIVATE_KEY", "LTI_PRIVATE_KEY_FILE"),
        "LTI_PREVIOUS_PRIVATE_KEY": env_text("LTI_PREVIOUS_PRIVATE_KEY", "LTI_PREVIOUS_PRIVATE_KEY_FILE"),
        "LTI_TOOL_URL": os.environ.get("LTI_TOOL_URL", "").strip(),
        "LTI_REDIS_URL": os.environ.get("REDIS_URL", "").strip(),
        # Students from an LMS are known by name only unless the school switches this on.
        "LTI_STORE_EMAIL": env_flag("LTI_STORE_EMAIL", False),
    }
