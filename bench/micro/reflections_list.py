"""Run: PYTHONPATH=CHECKOUT .venv/bin/python bench/micro/reflections_list.py old|new, with CHECKOUT the code to measure
(old: a checkout of d385977, before the change; new: this one). Needs the seeded bench database.

The reflections list's first page for the class of 200: every row loaded then sliced (old) or one page in SQL (new)."""

import sys
import time

from classroom import create_app
from classroom.extensions import db
from classroom.models import Assignment, SchoolClass

app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:5432/bench"})
mode = sys.argv[1]
with app.app_context():
    cid = db.session.scalar(db.select(SchoolClass.id).where(SchoolClass.name == "Growth class of 200"))
    aid = db.session.scalar(db.select(Assignment.id).where(Assignment.class_id == cid))
    best = None
    for _ in range(7):
        db.session.remove()
        a = db.session.get(Assignment, aid)
        start = time.perf_counter()
        if mode == "old":
            from classroom.dashboard.stats import reflections_for

            found = reflections_for(a)
            shown = found[:50]
            total = len(found)
        else:
            from classroom.dashboard.stats import reflections_page

            listed = reflections_page(a, page=1, per_page=50)
            shown, total = listed.reflections, listed.total
        elapsed = (time.perf_counter() - start) * 1000
        best = elapsed if best is None else min(best, elapsed)
    print(f"| {mode}: {total} reflections, {len(shown)} shown | {best:.1f} ms |")
