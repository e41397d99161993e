"""gunicorn.conf.py: the production settings, read as gunicorn reads them."""

import multiprocessing
import os
import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "gunicorn.conf.py"


def settings(monkeypatch, **env):
    for name in ("WEB_CONCURRENCY", "GUNICORN_BIND", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONFIG))


def test_workers_follow_the_cpu_count_unless_the_environment_says(monkeypatch):
    assert settings(monkeypatch)["workers"] == multiprocessing.cpu_count() + 1
    assert settings(monkeypatch, WEB_CONCURRENCY="7")["workers"] == 7
    # Nonsense falls back to the default instead of refusing to start.
    assert settings(monkeypatch, WEB_CONCURRENCY="lots")["workers"] == multiprocessing.cpu_count() + 1
    assert settings(monkeypatch, WEB_CONCURRENCY="0")["workers"] == multiprocessing.cpu_count() + 1


def test_safe_defaults_for_a_school_server(monkeypatch):
    conf = settings(monkeypatch, GUNICORN_TIMEOUT="90")
    assert conf["bind"] == "127.0.0.1:8000" and conf["worker_class"] == "sync"
    assert conf["timeout"] == 90 and conf["graceful_timeout"] == 30
    assert conf["max_requests"] > 0 and conf["max_requests_jitter"] > 0 and conf["preload_app"] is True
    assert conf["accesslog"] == "-" and "%(M)s" in conf["access_log_format"]
    # Query strings can carry what a student searched for: the access log leaves them out.
    assert "%(q)s" not in conf["access_log_format"] and "%(r)s" not in conf["access_log_format"]


def run_beside_the_app(tmp_path, command: list[str]) -> subprocess.CompletedProcess:
    """Run a command from the repository with a secret key and a throwaway SQLite database."""
    env = dict(os.environ, SECRET_KEY="check", DATABASE_URL=f"sqlite:///{tmp_path / 'check.sqlite3'}")
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_gunicorn_accepts_the_config_and_loads_the_app(tmp_path):
    checked = run_beside_the_app(
        tmp_path, [str(Path(sys.executable).parent / "gunicorn"), "--check-config", "-c", str(CONFIG), "wsgi:app"]
    )
    assert checked.returncode == 0, checked.stderr


def test_the_wsgi_module_leaves_the_loaded_app_out_of_garbage_collection(tmp_path):
    frozen = run_beside_the_app(tmp_path, [sys.executable, "-c", "import gc, wsgi; print(gc.get_freeze_count())"])
    assert frozen.returncode == 0, frozen.stderr
    # Everything the app's import built: tens of thousands of objects.
    assert int(frozen.stdout.strip().splitlines()[-1]) > 10_000
