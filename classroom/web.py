"""Helpers every blueprint's routes share: where a redirect may go, form pages, numbers from a form."""

from urllib.parse import urlsplit

from flask import render_template, request


def safe_next(target: str | None) -> str | None:
    r"""Only a path on this site: never another host, scheme or protocol-relative URL.

    Browsers drop tabs and newlines from a URL and read a backslash as a slash, so "/\t/evil.com" and
    "/\\evil.com" lead off-site: any control character or backslash refuses the target. Every `next`
    the app reads goes through here (tests/test_safe_next.py checks the source).
    """
    if not target or not isinstance(target, str):
        return None
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def form_page(template: str, **context: object) -> tuple[str, int]:
    """Render a form page: 400 after a refused POST (so clients and tests see the refusal), 200 on a visit."""
    status = 400 if request.method == "POST" else 200
    return render_template(template, **context), status


def int_or_none(value: object) -> int | None:
    """A whole number from a form or query string, or None when it is missing or not a number."""
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
