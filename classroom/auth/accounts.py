"""Teacher accounts as plain functions, shared by the sign-up page and `flask create-teacher`."""

from ..extensions import db
from ..models import Teacher
from ..passwords import check_password, check_password_of_nobody, hash_password


class EmailTaken(ValueError):
    pass


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_teacher_by_email(email: str) -> Teacher | None:
    return db.session.execute(db.select(Teacher).where(Teacher.email == normalise_email(email))).scalar_one_or_none()


def create_teacher(name: str, email: str, password: str) -> Teacher:
    """Add a teacher; raises EmailTaken when the address (in any case) already has an account."""
    if find_teacher_by_email(email):
        raise EmailTaken("An account with that email already exists. Try logging in.")
    teacher = Teacher(name=name.strip(), email=normalise_email(email), password_hash=hash_password(password))
    db.session.add(teacher)
    db.session.commit()
    return teacher


# What a failed log-in says, on the log-in page and when linking an LMS account: never which half was wrong.
BAD_LOGIN = "That email and password do not match an account."


def password_matches(teacher: Teacher | None, password: str) -> bool:
    """True when `teacher` exists and this is their password; the same password work when there is no such
    teacher, so a wrong guess's timing does not say whether an email has an account."""
    if teacher is None:
        return check_password_of_nobody(password)
    return check_password(teacher.password_hash, password)


def sign_up(name: str, email: str, password: str) -> Teacher | None:
    """Open sign-up: a new account, or None when the email already has one (that account is left as it was).
    Either way the password is hashed once, so neither the answer nor its timing says which emails exist."""
    if find_teacher_by_email(email):
        hash_password(password)
        return None
    try:
        return create_teacher(name, email, password)
    except EmailTaken:
        return None
