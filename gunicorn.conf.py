"""Gunicorn settings for a school's server:  gunicorn -c gunicorn.conf.py wsgi:app

Every value can be changed from the environment without editing this file. The numbers come
from the benchmark (bench/RESULTS.md): pages spend their time in Python, not waiting on the
database, so a sync worker per core, plus one to cover the moments a worker waits, keeps both
cores busy without queueing work behind slow exports.
"""

import multiprocessing
import os

from classroom.logs import logging_config as _logging_config


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else default


# Behind nginx (or another proxy) on the same machine; set GUNICORN_BIND=0.0.0.0:8000 to listen wider.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# WEB_CONCURRENCY is the usual name hosting platforms set; otherwise one worker per core, plus one.
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1)
worker_class = "sync"

# A class's reflections CSV for 200 students takes seconds on a busy machine; a minute is the most
# any request may hold a worker before it is restarted.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Connections from the proxy are kept open briefly between requests.
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Workers are replaced after a while, so slow memory growth never accumulates (the jitter keeps them
# from all restarting at once).
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)

# Import the app once in the master, before forking: workers start at once and share its memory.
preload_app = True
# Heartbeat files in memory, not on a disk that may be slow or full.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# The access log and the error log go to standard output and error, for systemd or the container.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Who, what, the answer and how long it took (%(M)s: milliseconds); the request id the app answered with
# (the proxy's X-Request-ID when TRUSTED_PROXIES trusts it, else the app's own).
# No query strings: they can carry a student's search term.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s'

# Every line, gunicorn's error and access logs included, is one JSON object with the app's request id
# (classroom/logs.py); LOG_LEVEL sets how much (INFO by default).
logconfig_dict = _logging_config(os.environ.get("LOG_LEVEL", "INFO").upper())


def when_ready(server):
    """Say so when several workers would each keep their own rate limits and dashboard cache."""
    if workers > 1 and not os.environ.get("REDIS_URL", "").strip():
        server.log.warning(
            "%d workers without REDIS_URL: each keeps its own rate-limit counts and dashboard cache "
            "(a dashboard may lag another worker's writes by up to AGGREGATE_CACHE_SECONDS); set REDIS_URL",
            workers,
        )


def post_fork(server, worker):
    """Each worker opens its own database connections: none made in the master may be shared."""
    from classroom.extensions import db
    from wsgi import app

    with app.app_context():
        db.engine.dispose(close=False)
