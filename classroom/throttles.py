"""Who a rate limit counts against: the address, a class, a return code, a teacher account.

A school's students share one address, so the address alone is a poor key: a class mistyping codes would
lock out the whole school. Sign-ins by return code also count against the class the code names and the
code itself, and teacher log-ins against the account, so a guesser is slowed where they aim while everyone
else at the same address carries on. Codes and emails are hashed: a limiter's storage (Redis) never holds
either.
"""

import hashlib
from collections.abc import Callable

from flask import Response, request
from flask_limiter import RouteLimit
from flask_limiter.util import get_remote_address

from .extensions import limiter
from .joincodes import class_number_of, normalise_return_code


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def by_address() -> str:
    """The client's address (behind a proxy, as ProxyFix reports it)."""
    return get_remote_address()


def typed_return_code() -> str:
    """The return code in the posted form, normalised."""
    return normalise_return_code(request.form.get("return_code", ""))


def by_return_code_class() -> str:
    """The class the posted return code names."""
    return f"class:{class_number_of(typed_return_code())}"


def names_no_class() -> bool:
    """The posted return code has no class number (an old three-word code, a typo): it can match nobody and
    belongs to no class, so it counts against the address only, and the student is told what changed."""
    return class_number_of(typed_return_code()) is None


def by_return_code() -> str:
    """The posted return code itself."""
    return "code:" + _digest(typed_return_code())


# The log-in page and the LMS account-link page share one count per account, so a guesser gains nothing
# by switching between them.
TEACHER_ACCOUNT_SCOPE = "teacher-account-login"


def _account(email: str) -> str:
    return "account:" + _digest(email.strip().lower())


def by_account() -> str:
    """The teacher account the posted email names, whether or not it exists."""
    return _account(request.form.get("email") or "")


def by_linking_account() -> str:
    """The teacher account named on the LMS account-link page's log-in form."""
    return _account(request.form.get("login-email") or "")


def failed_form(response: Response) -> bool:
    """Only a rejected log-in (400) counts against the account: the owner's own success costs nothing."""
    return response.status_code == 400


def not_a_linking_login() -> bool:
    """The account-link page's other buttons (confirm, sign up) name no account to count against."""
    return request.form.get("action") != "login"


def failed_logins_per_account(key_func: Callable[[], str], exempt_when: Callable[[], bool] | None = None) -> RouteLimit:
    """The limit on failed teacher log-ins: 10 per account per 15 minutes from any address, in one count for
    every page that logs a teacher in (`key_func` reads the account from that page's form)."""
    return limiter.shared_limit(
        "10/15 minutes",
        scope=TEACHER_ACCOUNT_SCOPE,
        methods=["POST"],
        key_func=key_func,
        exempt_when=exempt_when,
        deduct_when=failed_form,
    )
