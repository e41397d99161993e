"""`flask bench explain`: every SQL statement a hot page runs, with the database's plan for it.

Each page is requested through the test client as its real user (the lesson's student, the teacher
of the class of 30, the teachers with many classes); the statements are caught as they go to the
database and then explained with `EXPLAIN (ANALYZE, BUFFERS)` on PostgreSQL (`EXPLAIN QUERY PLAN`
on SQLite) inside a transaction that is rolled back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask.testing import FlaskClient
from sqlalchemy import event, select

from ..extensions import db
from ..models import Reflection, Student, Teacher
from .targets import build_targets

EXECUTION_TIME = re.compile(r"Execution Time: ([0-9.]+) ms")


@dataclass
class Statement:
    sql: str
    parameters: Any
    plan: str = ""

    @property
    def execution_ms(self) -> float | None:
        found = EXECUTION_TIME.search(self.plan)
        return float(found.group(1)) if found else None


@dataclass
class PageQueries:
    name: str
    url: str
    status: int = 0
    statements: list[Statement] = field(default_factory=list)

    @property
    def execution_ms(self) -> float:
        return round(sum(s.execution_ms or 0 for s in self.statements), 2)


def _capture(page: PageQueries) -> Callable[..., None]:
    def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if not executemany:
            page.statements.append(Statement(statement, parameters))

    return before


def _client_as(person):
    client = current_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = person.get_id()
        session["_fresh"] = True
    return client


def _request(page: PageQueries, client: FlaskClient, method: str = "GET", data: dict | None = None) -> None:
    listener = _capture(page)
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        # A fresh app context, as under a real server: its own session and current user, nothing cached.
        with current_app.app_context():
            response = client.open(page.url, method=method, data=data)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    page.status = response.status_code


def explain_statement(statement: Statement) -> None:
    """Fill in the statement's plan, measured in a transaction that is rolled back."""
    postgres = db.engine.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
    with db.engine.connect() as connection:
        transaction = connection.begin()
        try:
            rows = connection.exec_driver_sql(prefix + statement.sql, statement.parameters).all()
        finally:
            transaction.rollback()
    statement.plan = "\n".join(" | ".join(str(cell) for cell in row) for row in rows)


def hot_pages() -> list[PageQueries]:
    """Request every hot page once as its user and explain each statement it ran."""
    current_app.config["WTF_CSRF_ENABLED"] = False
    with current_app.test_request_context():
        targets = build_targets()
    lesson = targets["lesson"]
    student = db.session.scalars(select(Student).where(Student.return_code == lesson["return_codes"][0])).one()
    teacher = db.session.scalars(select(Teacher).where(Teacher.email == targets["teachers"]["lesson"]["email"])).one()
    pages: list[PageQueries] = []

    as_student = _client_as(student)
    page = PageQueries("student_page", lesson["assignment_url"])
    _request(page, as_student)
    pages.append(page)

    prompt = lesson["prompts"][0]
    existing = db.session.scalars(
        select(Reflection).where(Reflection.student_id == student.id, Reflection.prompt_id == prompt["id"])
    ).one_or_none()
    version = existing.version if existing else 0
    db.session.rollback()
    page = PageQueries("reflection_save (draft)", prompt["save_url"])
    _request(
        page,
        as_student,
        "POST",
        {
            prompt["body"]: "Saved by flask bench explain: the film lets pride and pain sit side by side.",
            prompt["at"]: "",
            prompt["save_draft"]: "1",
            f"p{prompt['id']}-version": str(version),
            f"p{prompt['id']}-owner": str(student.id),
        },
    )
    pages.append(page)

    as_teacher = _client_as(teacher)
    for size_key in sorted(targets["teacher_pages"], key=lambda k: int(k.split("_")[1])):
        pages_of_class = targets["teacher_pages"][size_key]
        for name in ("dashboard", "queue", "reflections_csv", "report", "reflections", "class_overview"):
            page = PageQueries(f"{name} ({size_key.replace('_', ' of ')})", pages_of_class[name])
            _request(page, as_teacher)
            pages.append(page)
    for key in sorted(targets["home_classes"], key=lambda k: int(k.split("_")[1])):
        home_teacher = db.session.scalars(
            select(Teacher).where(Teacher.email == targets["teachers"][key]["email"])
        ).one()
        page = PageQueries(f"teacher home ({targets['home_classes'][key]} classes)", targets["home_url"])
        _request(page, _client_as(home_teacher))
        pages.append(page)

    for page in pages:
        for statement in page.statements:
            if statement.sql.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")):
                explain_statement(statement)
    return pages


def report(pages: list[PageQueries]) -> str:
    """A Markdown summary table, then every statement with its plan."""
    lines = [
        "| page | status | statements | execution time, sum (ms) | slowest statement (ms) |",
        "|---|---|---|---|---|",
    ]
    for page in pages:
        slowest = max((s.execution_ms or 0 for s in page.statements), default=0)
        lines.append(
            f"| {page.name} | {page.status} | {len(page.statements)} | {page.execution_ms} | {round(slowest, 2)} |"
        )
    for page in pages:
        lines += ["", f"## {page.name}: `{page.url}`", ""]
        for number, statement in enumerate(page.statements, start=1):
            lines += [
                f"### {number}. {statement.execution_ms if statement.execution_ms is not None else '-'} ms",
                "",
                "```sql",
                statement.sql.strip(),
                f"-- parameters: {statement.parameters!r}",
                "```",
                "",
                "```",
                statement.plan or "(not a query: nothing to explain)",
                "```",
                "",
            ]
    return "\n".join(lines) + "\n"
