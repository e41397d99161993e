"""Teacher sign-up, log-in, log-out and password change."""

import logging

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from .. import throttles
from ..access import is_teacher, to_teacher_login
from ..extensions import db, limiter
from ..passwords import check_password, hash_password, password_problem
from ..sessions import rotate_session_token, stay_signed_in
from ..web import form_page, safe_next
from .accounts import BAD_LOGIN, find_teacher_by_email, normalise_email, password_matches, sign_up
from .forms import ChangePasswordForm, LoginForm, SignupForm

log = logging.getLogger(__name__)

bp = Blueprint("auth", __name__, url_prefix="/auth")

# Kept in the session from sign-up to the log-in page, so the teacher types only their password.
SIGNED_UP_EMAIL = "signed_up_email"
SIGNED_UP = (
    "Your account is ready: log in with the email and password you just chose. "
    "If that email already had an account here, it was left as it was: log in with its own password."
)


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit("20/hour", methods=["POST"])
@limiter.limit("5/hour", methods=["POST"], key_func=throttles.by_account)
def signup() -> ResponseReturnValue:
    if not current_app.config["ALLOW_SIGNUP"]:
        return render_template("auth/signup_closed.html", contact=current_app.config["SIGNUP_CONTACT"])
    form = SignupForm()
    if form.validate_on_submit():
        # A new email and one that has an account get the same answer and nobody is logged in, so sign-up
        # cannot be used to find out which teachers have accounts here.
        teacher = sign_up(form.name.data, form.email.data, form.password.data)
        if teacher is not None:
            log.info("teacher signed up", extra={"event": "signup.ok", "teacher_id": teacher.id})
        else:
            log.warning("sign-up with an email that has an account", extra={"event": "signup.taken"})
        if current_user.is_authenticated:
            logout_user()
        session[SIGNED_UP_EMAIL] = normalise_email(form.email.data)
        flash(SIGNED_UP, "success")
        return redirect(url_for("auth.login", next=url_for("lessons.index")))
    return form_page("auth/signup.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("30/15 minutes", methods=["POST"])
@throttles.failed_logins_per_account(throttles.by_account)
def login() -> ResponseReturnValue:
    if is_teacher():
        return redirect(url_for("main.home"))
    form = LoginForm()
    if request.method == "GET" and not form.email.data:
        form.email.data = session.pop(SIGNED_UP_EMAIL, None)
    if form.validate_on_submit():
        teacher = find_teacher_by_email(form.email.data)
        if password_matches(teacher, form.password.data) and teacher is not None:
            if current_user.is_authenticated:
                logout_user()
            login_user(teacher, remember=form.remember.data)
            log.info("teacher logged in", extra={"event": "login.ok", "teacher_id": teacher.id})
            return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
        form.password.errors.append(BAD_LOGIN)
        log.warning(
            "failed teacher login", extra={"event": "login.failed", "teacher_id": teacher.id if teacher else None}
        )
    return form_page("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    logout_user()
    flash("You have logged out.", "info")
    return redirect(url_for("main.home"))


@bp.route("/logout-everywhere", methods=["POST"])
def logout_everywhere() -> ResponseReturnValue:
    """Sign out every browser signed in as this teacher, this one included (a lost laptop, a shared computer)."""
    if not is_teacher():
        return to_teacher_login()
    teacher = current_user._get_current_object()
    rotate_session_token(teacher)
    db.session.commit()
    log.info("teacher logged out everywhere", extra={"event": "logout.everywhere", "teacher_id": teacher.id})
    logout_user()
    flash("You have logged out on every computer, this one included.", "info")
    return redirect(url_for("main.home"))


@bp.route("/password", methods=["GET", "POST"])
def change_password() -> ResponseReturnValue:
    # The one teacher-only page here: the rest of this blueprint is for visitors.
    if not is_teacher():
        return to_teacher_login()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        problem = password_problem(form.new_password.data, current_user.email, current_user.name)
        if not check_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append("That is not your current password.")
        elif problem:
            form.new_password.errors.append(problem)
        else:
            teacher = current_user._get_current_object()
            teacher.password_hash = hash_password(form.new_password.data)
            # Anyone signed in with the old password (another computer, a stolen cookie) is signed out.
            rotate_session_token(teacher)
            db.session.commit()
            stay_signed_in(teacher)
            log.info("password changed", extra={"event": "password.changed", "teacher_id": teacher.id})
            flash("Your password has been changed. Any other computer signed in as you has been logged out.", "success")
            return redirect(url_for("main.home"))
    return form_page("auth/change_password.html", form=form)
