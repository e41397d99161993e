"""Logs a school's IT person can search: one JSON object per line, each with the request it belongs to.

Modules log through `logging.getLogger(__name__)`; nothing here runs inside `create_app` except the
request id. The formatter is installed by whoever runs the app: `wsgi.py` calls `configure_logging()`,
and gunicorn reads `logging_config()` (gunicorn.conf.py), so its own error and access lines come out in
the same format.

Every line made during a request carries `request_id` (the proxy's X-Request-ID when TRUSTED_PROXIES
says a proxy is there, else a fresh one; echoed in the response's X-Request-ID header), `user`
("teacher:12", "student:40", never the session token), `ip` and the request's method and path.

What is logged answers "who did this": moderation decisions, student removals with counts of what
went, return code resets, join code changes, deletions, failed logins, 429s and 500s with their
traceback. Never a reflection's text, a teacher's feedback or a return code: events name ids only.
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
import sys
import uuid
from datetime import UTC, datetime
from typing import IO, Any

from flask import Flask, current_app, g, has_request_context, request
from werkzeug.wrappers import Response

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's request id is used as is only when it is short and plain (it ends up in every line).
PLAIN_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# What a LogRecord has of its own; anything else came through `extra=` and is written out.
RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
HANDLER_NAME = "classroom-json"


def current_user_label() -> str | None:
    """ "teacher:<id>" or "student:<id>" for the person this request already loaded, without a query."""
    user = g.get("_login_user") if has_request_context() else None
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    from sqlalchemy import inspect

    try:
        identity = inspect(user).identity
    except Exception:  # never let a log line fail over who is asking
        return None
    kind = "teacher" if getattr(user, "is_teacher", False) else "student"
    return f"{kind}:{identity[0]}" if identity else None


def request_fields() -> dict[str, Any]:
    """The request a line belongs to (empty outside a request)."""
    if not has_request_context():
        return {}
    fields: dict[str, Any] = {
        "request_id": g.get("request_id") or "-",
        "ip": request.remote_addr,
        "method": request.method,
        "path": request.path,
    }
    user = current_user_label()
    if user:
        fields["user"] = user
    return fields


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request's fields, any `extra=`
    fields, and a traceback under "exc" when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        line.update(request_fields())
        for key, value in vars(record).items():
            if key not in RECORD_FIELDS and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def logging_config(level: str = "INFO") -> dict:
    """A logging.config.dictConfig for the app and gunicorn: JSON lines, the access log on stdout (as
    gunicorn's own "-" does) and everything else on stderr."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonLinesFormatter}},
        "handlers": {
            HANDLER_NAME: {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
            "access": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
        },
        "root": {"level": level, "handlers": [HANDLER_NAME]},
        "loggers": {
            # gunicorn's own loggers keep their handlers off the root, so they get ours explicitly.
            "gunicorn.error": {"level": level, "handlers": [HANDLER_NAME], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
        },
    }


def configure_logging(level: str = "INFO", stream: IO[str] | None = None) -> logging.Handler:
    """Send every log line to `stream` (stderr) as JSON lines; safe to call twice (gunicorn, then wsgi.py)."""
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler.formatter, JsonLinesFormatter) and stream is None:
            return handler
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(JsonLinesFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    return handler


def assign_request_id() -> None:
    """The proxy's X-Request-ID when a trusted proxy sent a plain one, else a new one."""
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    trusted = int(current_app.config.get("TRUSTED_PROXIES") or 0) > 0
    g.request_id = incoming if trusted and PLAIN_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex


def echo_request_id(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = g.get("request_id") or "-"
    return response


def init_app(app: Flask) -> None:
    """Give every request its id (the formatter itself is set up outside the factory)."""
    app.before_request_funcs.setdefault(None, []).insert(0, assign_request_id)
    app.after_request(echo_request_id)
