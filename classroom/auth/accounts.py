"""Teacher accounts as plain functions, shared by the sign-up page and `flask create-teacher`."""

from ..extensions import db
from ..models import Teacher
from ..passwords import hash_password


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
