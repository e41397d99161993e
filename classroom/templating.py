"""Every filter and global the templates use, registered in one place."""

from flask import Flask, url_for

from .classes.prompts import answered_before_change
from .filmtime import format_film_time
from .marks.scheme import describe_mark
from .sanitize import user_html
from .statuses import STATUS_LABELS, STATUS_SETS, ReflectionStatus
from .timezones import school_time, zone_name


def join_link(code: str) -> str:
    """The full address students open to join a class."""
    return url_for("join.code", code=code, _external=True)


def register(app: Flask) -> None:
    app.jinja_env.filters["film_time"] = format_film_time
    app.jinja_env.filters["user_html"] = user_html
    app.jinja_env.filters["school_time"] = school_time
    app.jinja_env.globals["status_labels"] = STATUS_LABELS
    app.jinja_env.globals["statuses"] = ReflectionStatus
    app.jinja_env.globals["status_sets"] = STATUS_SETS
    app.jinja_env.globals["school_zone_name"] = zone_name
    app.jinja_env.globals["join_link"] = join_link
    app.jinja_env.globals["describe_mark"] = describe_mark
    app.jinja_env.globals["answered_before_change"] = answered_before_change
