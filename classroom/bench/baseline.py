"""The "fortunes-style" baseline: the cheapest read and write this stack can serve, for ratios.

Two tables of their own (outside the app's schema and migrations), created by `flask bench seed`,
and two routes served by the same gunicorn as the app, registered only when BENCH_ROUTES is set.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import Column, Integer, MetaData, String, Table, select
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import csrf, db

ROWS_PER_KEY = 30

# A separate MetaData: these tables never appear in the app's migrations or in a school's database.
metadata = MetaData()

fortunes = Table(
    "bench_fortunes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("group_key", Integer, nullable=False, index=True),
    Column("message", String(200), nullable=False),
)

counters = Table(
    "bench_counters",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(40), nullable=False, unique=True),
    Column("hits", Integer, nullable=False, default=0),
)

bp = Blueprint("bench", __name__, url_prefix="/bench")


@bp.route("/fortunes/<int:key>")
def read(key: int) -> ResponseReturnValue:
    """Read 30 rows by an indexed key and render them through a template."""
    rows = db.session.execute(
        select(fortunes.c.id, fortunes.c.message).where(fortunes.c.group_key == key).order_by(fortunes.c.id)
    ).all()
    if not rows:
        abort(404)
    return render_template("bench/fortunes.html", key=key, rows=rows)


@bp.route("/counters/<int:key>", methods=["POST"])
@csrf.exempt  # a baseline of the database write alone, with no form around it
def write(key: int) -> ResponseReturnValue:
    """Insert or update one row guarded by a unique constraint."""
    name = f"counter-{key}"
    dialect = {"postgresql": postgresql, "sqlite": sqlite}.get(db.engine.dialect.name)
    if dialect is None:
        abort(501)
    statement = dialect.insert(counters).values(name=name, hits=1)
    statement = statement.on_conflict_do_update(index_elements=["name"], set_={"hits": counters.c.hits + 1})
    db.session.execute(statement)
    db.session.commit()
    return {"name": name}


def create_tables(keys: int) -> None:
    """Create the baseline tables (again) with `keys` groups of 30 short rows."""
    engine = db.engine
    metadata.drop_all(engine)
    metadata.create_all(engine)
    rows = [
        {"group_key": key, "message": f"Fortune {n + 1} of group {key}: a short line to render."}
        for key in range(1, keys + 1)
        for n in range(ROWS_PER_KEY)
    ]
    with engine.begin() as connection:
        if rows:
            connection.execute(fortunes.insert(), rows)
