"""`flask bench seed`: a whole district in one database, written with bulk Core inserts.

The data set is built class by class in batches, so memory stays flat whatever the size. Every
count asked for is an exact total; the fixtures the benchmark needs (a class of 35 for the lesson,
classes of 5, 30 and 200 students, teachers with 1, 10 and 50 classes) are carved out of it.
Reflection texts come from a pool rendered once with the app's own functions and then reused,
because rendering half a million bodies one by one would take longer than the whole seed.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Table, func, insert, select

from ..extensions import db
from ..film import load_film
from ..filmtime import FILM_SECONDS, parse_film_time
from ..joincodes import new_join_code, new_return_code
from ..lessons.plans import starter_plan_data
from ..lessons.stance import DEFAULT_STANCE_OPTIONS, DEFAULT_STANCE_QUESTION
from ..models import (
    THEMES,
    Assignment,
    CaptionTrack,
    LessonPlan,
    ModerationEvent,
    PlanPrompt,
    Prompt,
    Reflection,
    SchoolClass,
    StanceAnswer,
    Student,
    Teacher,
    utcnow,
)
from ..moderation.flags import flag_details
from ..passwords import hash_password
from ..sanitize import render_for_storage, word_count
from ..statuses import ReflectionStatus as S
from . import baseline
from .texts import text_pool

if TYPE_CHECKING:
    from ..extensions import Base as Model

DOMAIN = "district.example"
LOAD_EMAIL = f"bench.load@{DOMAIN}"
LOAD_CLASS = "Lesson class of {size}"
GROWTH_CLASS = "Growth class of {size}"
HOME_EMAIL = "bench.home-{size}@" + DOMAIN
BENCH_PASSWORD = "bench-password-not-for-schools"

# Shares of each status among written reflections (the rest are approved).
STATUS_SHARES = ((S.DRAFT, 0.12), (S.AWAITING, 0.15), (S.RETURNED, 0.10), (S.REJECTED, 0.03))
STARRED_SHARE = 0.10
CITED_SHARE = 0.40
CAPTIONS_SHARE = 1 / 3
BATCH_CLASSES = 40

FIRST_NAMES = (
    "Anna Maria Sofia Olga Irina Lena Katya Nadia Zoe Emma Lily Grace Chloe Amira Fatima Priya Mei Yuki Lucia Ines "
    "Ivan Dmitri Sasha Pavel Misha Oleg Artem Leo Noah Liam Omar Yusuf Arjun Kenji Mateo Luca Tom Ben Sam Max"
).split()
CLASS_SUBJECTS = ("History", "Social studies", "Civics", "World history", "Media studies", "Russian")
FEEDBACK = (
    "Good start. Can you point to a moment in the film that shows this?",
    "You say what you felt; now add why you think the director showed it this way.",
    "Please explain the second paragraph a little more, then submit again.",
    "Try to answer the question about the other side of the argument too.",
)
REJECTIONS = (
    "This shares personal details, which we keep out of class posts. Please write to me if you need help.",
    "This does not answer the prompt. Let us talk about it in class.",
)


@dataclass
class SeedSizes:
    """What to build; every number is a total for the whole installation."""

    teachers: int = 12
    classes: int = 80
    students: int = 1200
    reflections: int = 13000
    home_classes: tuple[int, ...] = (1, 10, 50)
    class_sizes: tuple[int, ...] = (5, 30, 200)
    lesson_class: int = 35
    fortune_keys: int = 200
    text_pool: int = 600
    seed: int = 13

    def check(self, prompts: int) -> None:
        """Raise ValueError when the fixtures do not fit in the totals."""
        fixed_classes = 1 + len(self.class_sizes) + sum(self.home_classes)
        fixed_students = self.lesson_class + sum(self.class_sizes)
        others = self.teachers - 1 - len(self.home_classes)
        if others < 0 or (others == 0 and self.classes > fixed_classes):
            raise ValueError(
                f"{self.teachers} teachers are too few: the fixtures need {1 + len(self.home_classes)} "
                "and the remaining classes need at least one more."
            )
        if self.classes < fixed_classes:
            raise ValueError(f"The fixtures alone need {fixed_classes} classes.")
        if self.students < fixed_students + (self.classes - 1 - len(self.class_sizes)):
            raise ValueError(f"{self.students} students cannot fill {self.classes} classes and the fixture classes.")
        if self.reflections > self.students * prompts:
            raise ValueError(f"At most {self.students * prompts} reflections fit ({prompts} prompts a student).")


@dataclass
class ClassPlan:
    """One class to write: its teacher, name and number of students."""

    teacher_index: int
    name: str
    students: int
    lesson: bool = False


@dataclass
class SeedReport:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


class NotEmpty(RuntimeError):
    """The database already has teachers: the seed only fills a database of its own."""


def spread(total: int, parts: int, rng: random.Random, jitter: float = 0.2) -> list[int]:
    """`total` split into `parts` positive-ish whole numbers that vary a little and add up exactly."""
    if parts <= 0:
        return []
    weights = [1 + rng.uniform(-jitter, jitter) for _ in range(parts)]
    scale = total / sum(weights)
    sizes = [int(w * scale) for w in weights]
    # Rounding down loses less than one per part, so the remainder fits in one pass.
    for i in rng.sample(range(parts), total - sum(sizes)):
        sizes[i] += 1
    return sizes


def plan_classes(sizes: SeedSizes, rng: random.Random) -> tuple[list[str], list[ClassPlan]]:
    """Teachers' emails and every class with its owner and size, fixtures first."""
    emails = [LOAD_EMAIL] + [HOME_EMAIL.format(size=n) for n in sizes.home_classes]
    others = sizes.teachers - len(emails)
    emails += [f"teacher{n:04d}@{DOMAIN}" for n in range(1, others + 1)]

    classes = [ClassPlan(0, LOAD_CLASS.format(size=sizes.lesson_class), sizes.lesson_class, lesson=True)]
    classes += [ClassPlan(0, GROWTH_CLASS.format(size=n), n) for n in sizes.class_sizes]
    owners = []
    for index, count in enumerate(sizes.home_classes, start=1):
        owners += [index] * count
    remaining = sizes.classes - len(classes) - len(owners)
    for offset, count in enumerate(spread(remaining, others, rng)):
        owners += [1 + len(sizes.home_classes) + offset] * count
    free_students = sizes.students - sum(c.students for c in classes)
    counts = spread(free_students, len(owners), rng)
    for number, (owner, size) in enumerate(zip(owners, counts, strict=True), start=1):
        subject = CLASS_SUBJECTS[number % len(CLASS_SUBJECTS)]
        classes.append(ClassPlan(owner, f"{subject} {number % 4 + 9}{'ABCDEFGH'[number % 8]} #{number}", size))
    return emails, classes


def captions_text() -> str:
    """A WebVTT file the size of a real one for a 90-minute film (a cue every four seconds)."""
    lines = ["WEBVTT", ""]
    for start in range(0, FILM_SECONDS - 4, 4):
        lines.append(f"{_vtt(start)} --> {_vtt(start + 4)}")
        lines.append(f"Subtitle line at {start // 60} minutes {start % 60} seconds, as spoken in the film.")
        lines.append("")
    return "\n".join(lines)


def _vtt(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}.000"


@dataclass
class RenderedText:
    body: str
    body_html: str
    body_text: str
    policy: str
    words: int
    flags: str


def rendered_pool(size: int, seed: int) -> dict[str, list[RenderedText]]:
    """The pool of texts by theme, rendered, counted and flagged exactly as a save would."""
    by_theme: dict[str, list[RenderedText]] = {theme: [] for theme in THEMES}
    for theme, body in text_pool(size, THEMES, seed=seed):
        details = flag_details(body)
        flags = json.dumps(details, ensure_ascii=False) if details else ""
        stored = render_for_storage(body)
        by_theme[theme].append(RenderedText(body, stored.html, stored.text, stored.policy, word_count(body), flags))
    return by_theme


class Seeder:
    """Writes the district; one instance per seed run."""

    def __init__(
        self,
        sizes: SeedSizes,
        password: str = BENCH_PASSWORD,
        now: datetime | None = None,
        log: Callable[[str], object] | None = None,
    ) -> None:
        self.sizes = sizes
        self.rng = random.Random(sizes.seed)
        self.now = (now or utcnow()).replace(microsecond=0)
        self.password = password
        self.log = log or (lambda message: None)
        self.counts: dict[str, int] = {}
        self.join_codes: set[str] = set()
        self.return_codes: set[str] = set()

    def _insert(
        self, connection: Connection, model: type[Model], rows: list[dict], returning: bool = False
    ) -> list[int]:
        if not rows:
            return []
        table = cast(Table, model.__table__)  # every model maps one table
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)
        if returning:
            statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            return list(connection.execute(statement, rows).scalars())
        if connection.dialect.name == "postgresql":
            self._copy(connection, table, rows)
        else:
            connection.execute(insert(table), rows)
        return []

    def _copy(self, connection: Connection, table: Table, rows: list[dict]) -> None:
        # COPY, in the seed's own transaction: a bulk INSERT of the big tables spent most of the seed's Python
        # binding every value through SQLAlchemy (about half of a 3-minute seed on a slow machine).
        quote = connection.dialect.identifier_preparer
        columns = list(rows[0])
        statement = f"COPY {quote.format_table(table)} ({', '.join(quote.quote(c) for c in columns)}) FROM STDIN"
        driver = connection.connection.driver_connection
        assert driver is not None  # an open connection always has its driver's
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[column] for column in columns])

    def _unique(self, make: Callable[[], str], taken: set[str]) -> str:
        while True:
            code = make()
            if code not in taken:
                taken.add(code)
                return code

    def run(self) -> dict[str, int]:
        if db.session.scalar(select(func.count(Teacher.id))):
            raise NotEmpty(
                "This database already has teachers. The benchmark seed fills an empty database of its own "
                "(for example: createdb bench, then DATABASE_URL=postgresql://.../bench flask db upgrade)."
            )
        film = load_film()
        self.film_id = film.id
        starter = starter_plan_data()
        self.plan_prompts = [
            {
                "text": item["text"],
                "time_seconds": parse_film_time(item["time"]),
                "theme": item["theme"],
                "pause": bool(item["pause"]),
                "time_confirmed": False,
                "teacher_note": item["teacher_note"],
            }
            for item in starter["prompts"]
        ]
        self.plan_prompts.sort(key=lambda p: p["time_seconds"])
        self.sizes.check(len(self.plan_prompts))
        self.log("Rendering the pool of reflection texts...")
        self.pool = rendered_pool(self.sizes.text_pool, self.sizes.seed)
        self.captions = captions_text()
        emails, classes = plan_classes(self.sizes, self.rng)
        # One reflection count per class, proportional to its students, adding up exactly.
        self.fill = self.sizes.reflections / (self.sizes.students * len(self.plan_prompts))

        engine = db.engine
        with engine.begin() as connection:
            password_hash = hash_password(self.password)
            teacher_ids = self._insert(
                connection,
                Teacher,
                [
                    {
                        "name": f"{self.rng.choice(FIRST_NAMES)} Teacher {n}",
                        "email": email,
                        "password_hash": password_hash,
                        "flag_words": "",
                        "created_at": self.now - timedelta(days=60),
                    }
                    for n, email in enumerate(emails, start=1)
                ],
                returning=True,
            )
            plan_ids = self._insert(
                connection,
                LessonPlan,
                [
                    {
                        "teacher_id": teacher_id,
                        "film_id": film.id,
                        "title": starter["title"],
                        "grade_band": starter["grade_band"],
                        "objectives": starter["objectives"],
                        "stance_question": DEFAULT_STANCE_QUESTION,
                        "stance_options": list(DEFAULT_STANCE_OPTIONS),
                        "created_at": self.now - timedelta(days=30),
                        "updated_at": self.now - timedelta(days=30),
                    }
                    for teacher_id in teacher_ids
                ],
                returning=True,
            )
            self._insert(
                connection,
                PlanPrompt,
                [{"plan_id": plan_id, **prompt} for plan_id in plan_ids for prompt in self.plan_prompts],
            )
        self.teacher_ids, self.plan_ids = teacher_ids, plan_ids
        self.starter = starter

        reflections_left = self.sizes.reflections
        students_left = self.sizes.students
        for start in range(0, len(classes), BATCH_CLASSES):
            batch = classes[start : start + BATCH_CLASSES]
            targets = []
            for school_class in batch:
                share = round(reflections_left * school_class.students / students_left) if students_left else 0
                share = min(share, school_class.students * len(self.plan_prompts))
                targets.append(share)
                reflections_left -= share
                students_left -= school_class.students
            with engine.begin() as connection:
                self._write_classes(connection, batch, targets)
            self.log(f"  {min(start + BATCH_CLASSES, len(classes))} of {len(classes)} classes written")
        baseline.create_tables(self.sizes.fortune_keys)
        self.counts["bench_fortunes"] = self.sizes.fortune_keys * baseline.ROWS_PER_KEY
        # Fresh statistics and visibility maps, as a running database has them once autovacuum has been by:
        # without, the planner guesses and scans, and no index answers alone. Only the tables written here:
        # a plain VACUUM would take the whole database (and wait on others). VACUUM runs outside a transaction.
        tables = ", ".join(sorted(self.counts))
        if engine.dialect.name == "postgresql":
            # The emptiness check's transaction is still open: while it is, no row counts as visible to all.
            db.session.close()
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql(f"VACUUM (ANALYZE) {tables}")
        else:
            with engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")
        return self.counts

    # --- one batch of classes ---------------------------------------------------------------

    def _write_classes(self, connection: Connection, batch: list[ClassPlan], targets: list[int]) -> None:
        rng = self.rng
        opens = (self.now - timedelta(days=14)).replace(second=0)
        class_ids = self._insert(
            connection,
            SchoolClass,
            [
                {
                    "teacher_id": self.teacher_ids[c.teacher_index],
                    "name": c.name,
                    "term": "Autumn 2026",
                    "join_code": self._unique(new_join_code, self.join_codes),
                    "join_enabled": True,
                    "created_at": self.now - timedelta(days=21),
                }
                for c in batch
            ],
            returning=True,
        )
        fixture = [c.lesson or c.name.startswith("Growth") for c in batch]
        captioned = [is_fixture or rng.random() < CAPTIONS_SHARE for is_fixture in fixture]
        assignment_ids = self._insert(
            connection,
            Assignment,
            [
                {
                    "class_id": class_id,
                    "plan_id": self.plan_ids[c.teacher_index],
                    "film_id": self.film_id,
                    "title": self.starter["title"],
                    "objectives": self.starter["objectives"],
                    "opens_at": opens,
                    "closes_at": opens + timedelta(days=28),
                    "video_url": "",
                    "require_approval": True,
                    "show_classmates": True,
                    "anonymise": True,
                    "stance_question": DEFAULT_STANCE_QUESTION,
                    "stance_options": list(DEFAULT_STANCE_OPTIONS),
                    "created_at": opens - timedelta(days=1),
                }
                for class_id, c in zip(class_ids, batch, strict=True)
            ],
            returning=True,
        )
        captions = [
            {"assignment_id": aid, "language": "en", "vtt": self.captions, "created_at": opens}
            for aid, has_captions in zip(assignment_ids, captioned, strict=True)
            if has_captions
        ]
        if captions:
            self._insert(connection, CaptionTrack, captions)
        prompt_ids = self._insert(
            connection,
            Prompt,
            [{"assignment_id": aid, **prompt} for aid in assignment_ids for prompt in self.plan_prompts],
            returning=True,
        )
        per_assignment = len(self.plan_prompts)
        student_rows: list[dict[str, Any]] = []
        owners: list[int] = []
        for index, (class_id, c) in enumerate(zip(class_ids, batch, strict=True)):
            for _ in range(c.students):
                name = f"{rng.choice(FIRST_NAMES)} {chr(65 + rng.randrange(26))}."
                student_rows.append(
                    {
                        "class_id": class_id,
                        "display_name": name,
                        "return_code": self._unique(partial(new_return_code, class_id), self.return_codes),
                        "created_at": opens + timedelta(hours=rng.uniform(0, 48)),
                    }
                )
                owners.append(index)
        student_ids = self._insert(connection, Student, student_rows, returning=True)

        reflection_rows, reflection_meta, stance_rows = [], [], []
        by_class: dict[int, list[int]] = {}
        for position, index in enumerate(owners):
            by_class.setdefault(index, []).append(position)
        for index, positions in by_class.items():
            c = batch[index]
            teacher_id = self.teacher_ids[c.teacher_index]
            prompts = prompt_ids[index * per_assignment : (index + 1) * per_assignment]
            answered = self._answers_per_student(len(positions), targets[index])
            for position, count in zip(positions, answered, strict=True):
                student_id = student_ids[position]
                started = student_rows[position]["created_at"] + timedelta(minutes=rng.uniform(5, 600))
                if count or rng.random() < 0.5:
                    stance_rows.append(
                        self._stance(assignment_ids[index], student_id, "pre", started, rng.randrange(4))
                    )
                last = started
                for order in range(count):
                    prompt = self.plan_prompts[order]
                    row, meta = self._reflection(student_id, prompts[order], prompt, started, order, c.lesson)
                    meta["teacher_id"] = teacher_id
                    reflection_rows.append(row)
                    reflection_meta.append(meta)
                    last = max(last, row["updated_at"])
                if count >= per_assignment - 2 and rng.random() < 0.7:
                    pre = stance_rows[-1]["option_index"]
                    post = pre if rng.random() < 0.6 else rng.randrange(4)
                    stance_rows.append(self._stance(assignment_ids[index], student_id, "post", last, post))
        # The biggest table goes in without RETURNING (whose huge statements cost more to build than to
        # run); its ids are read back by the one-reflection-per-student-and-prompt key.
        self._insert(connection, Reflection, reflection_rows)
        ids = (
            {
                (student_id, prompt_id): reflection_id
                for reflection_id, student_id, prompt_id in connection.execute(
                    select(Reflection.id, Reflection.student_id, Reflection.prompt_id).where(
                        Reflection.student_id.between(min(student_ids), max(student_ids))
                    )
                )
            }
            if student_ids
            else {}
        )
        reflection_ids = [ids[(row["student_id"], row["prompt_id"])] for row in reflection_rows]
        events = []
        for reflection_id, meta in zip(reflection_ids, reflection_meta, strict=True):
            for event in meta["events"]:
                event["reflection_id"] = reflection_id
                if event["actor"] == "teacher":
                    event["teacher_id"] = meta["teacher_id"]
                events.append(event)
        self._insert(connection, ModerationEvent, events)
        self._insert(connection, StanceAnswer, stance_rows)

    def _answers_per_student(self, students: int, total: int) -> list[int]:
        """How many prompts each student answered: most near the class's average, a few not started."""
        rng = self.rng
        most = len(self.plan_prompts)
        if not students:
            return []
        mean = total / students
        counts = [min(most, max(0, round(rng.gauss(mean, 2.0)))) for _ in range(students)]
        while sum(counts) != total:
            i = rng.randrange(students)
            if sum(counts) < total and counts[i] < most:
                counts[i] += 1
            elif sum(counts) > total and counts[i] > 0:
                counts[i] -= 1
        return counts

    def _stance(self, assignment_id: int, student_id: int, phase: str, when: datetime, option: int) -> dict:
        return {
            "student_id": student_id,
            "assignment_id": assignment_id,
            "phase": phase,
            "option_index": option,
            "created_at": when,
        }

    def _status(self, lesson: bool) -> str:
        roll = self.rng.random()
        for status, share in STATUS_SHARES:
            if roll < share:
                # The lesson's class keeps writing during the benchmark, so none of its work is final.
                return S.APPROVED if lesson and status == S.REJECTED else status
            roll -= share
        return S.APPROVED

    def _reflection(
        self, student_id: int, prompt_id: int, prompt: dict, started: datetime, order: int, lesson: bool
    ) -> tuple[dict, dict]:
        rng = self.rng
        text = rng.choice(self.pool[prompt["theme"]] or self.pool[THEMES[0]])
        status = self._status(lesson)
        created = started + timedelta(minutes=3 * order + rng.uniform(0, 90))
        latest = self.now - timedelta(minutes=10)
        created = min(created, latest - timedelta(hours=2))
        submitted = decided = None
        drafted_first = rng.random() < 0.5
        events = []
        version = 1
        if status == S.DRAFT or drafted_first:
            events.append(_event("student", "", S.DRAFT, created))
        if status == S.DRAFT:
            version = rng.choice((1, 1, 2))
        else:
            submitted = min(created + timedelta(minutes=rng.uniform(2, 600)), latest - timedelta(hours=1))
            version = 2 if drafted_first else 1
            events.append(_event("student", S.DRAFT if drafted_first else "", S.AWAITING, submitted))
            if status != S.AWAITING:
                decided = min(submitted + timedelta(minutes=rng.uniform(10, 2880)), latest)
                feedback = ""
                if status == S.RETURNED:
                    feedback = rng.choice(FEEDBACK)
                elif status == S.REJECTED:
                    feedback = rng.choice(REJECTIONS)
                events.append(_event("teacher", S.AWAITING, status, decided, feedback))
        cited = None
        if status != S.DRAFT and rng.random() < CITED_SHARE:
            cited = min(FILM_SECONDS, max(0, prompt["time_seconds"] + int(rng.gauss(0, 240))))
        row = {
            "student_id": student_id,
            "prompt_id": prompt_id,
            "body": text.body,
            "body_html": text.body_html,
            "body_text": text.body_text,
            "html_policy": text.policy,
            "word_count": text.words,
            "cited_seconds": cited,
            "status": status,
            "version": version,
            "feedback": events[-1]["feedback"] if events[-1]["actor"] == "teacher" else "",
            "starred": status == S.APPROVED and rng.random() < STARRED_SHARE,
            "flagged": bool(text.flags),
            "flag_details": text.flags,
            "created_at": created,
            "updated_at": decided or submitted or created,
            "submitted_at": submitted,
            "decided_at": decided,
        }
        return row, {"events": events}


def _event(actor: str, from_status: str, to_status: str, when: datetime, feedback: str = "") -> dict:
    return {
        "teacher_id": None,
        "actor": actor,
        "from_status": from_status,
        "to_status": to_status,
        "feedback": feedback,
        "created_at": when,
    }


def seed_district(
    sizes: SeedSizes, password: str = BENCH_PASSWORD, log: Callable[[str], object] | None = None
) -> dict[str, int]:
    """Fill an empty database with the district; returns the rows written per table."""
    return Seeder(sizes, password=password, log=log).run()
