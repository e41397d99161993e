"""What the dashboard shows, aggregated in SQL with a fixed number of queries whatever the class size."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func
from sqlalchemy.orm import aliased, contains_eager

from ..extensions import db
from ..filmtime import FILM_SECONDS
from ..models import Assignment, Prompt, Reflection, SchoolClass, StanceAnswer, Student
from ..statuses import ALL_STATUSES, COUNTED, DONE, HANDED_IN
from ..statuses import ReflectionStatus as S
from .themes import Theme, matching, personal_data, themes

BIN_SECONDS = 300
BINS = FILM_SECONDS // BIN_SECONDS
SORTS = ("name", "done")
# The sort's name in addresses bookmarked before "done" had one meaning everywhere.
SORT_ALIASES = {"completed": "done"}


def sort_key(sort: str | None) -> str:
    """A known sort of the student rows, "name" otherwise."""
    sort = SORT_ALIASES.get(sort or "", sort or "")
    return sort if sort in SORTS else "name"


@dataclass
class PromptStats:
    prompt: Prompt
    drafts: int = 0
    awaiting: int = 0
    approved: int = 0
    returned: int = 0
    rejected: int = 0
    min_words: int | None = None
    max_words: int | None = None
    median_words: float | None = None
    cited: list[int] = field(default_factory=lambda: [0] * BINS)
    themes: list[Theme] = field(default_factory=list)

    def count(self, status: str) -> int:
        counts: dict[str, int] = {
            S.DRAFT: self.drafts,
            S.AWAITING: self.awaiting,
            S.APPROVED: self.approved,
            S.RETURNED: self.returned,
            S.REJECTED: self.rejected,
        }
        return counts[status]

    @property
    def handed_in(self) -> int:
        """Everything that has reached the teacher, whatever was decided."""
        return sum(self.count(status) for status in HANDED_IN)

    @property
    def done(self) -> int:
        return sum(self.count(status) for status in DONE)

    @property
    def cited_total(self) -> int:
        return sum(self.cited)

    def most_cited(self, limit: int = 3) -> list[tuple[int, int]]:
        """The busiest bins as (start second, count), most cited first."""
        ranked = sorted(
            ((i * BIN_SECONDS, n) for i, n in enumerate(self.cited) if n), key=lambda item: (-item[1], item[0])
        )
        return ranked[:limit]


@dataclass
class StudentRow:
    id: int
    name: str
    done: int
    started: bool
    cells: list[str | None] = field(default_factory=list)


@dataclass
class StanceSummary:
    question: str
    options: list[str]
    before: list[int]
    after: list[int]
    # transitions[i][j]: students who answered option i before and option j after.
    transitions: list[list[int]]

    @property
    def answered_both(self) -> int:
        return sum(sum(row) for row in self.transitions)

    @property
    def moved(self) -> int:
        return sum(n for i, row in enumerate(self.transitions) for j, n in enumerate(row) if i != j)

    @property
    def moves(self) -> list[tuple[str, str, int]]:
        """Each change of answer that happened, as (from, to, students), largest first."""
        found = [
            (self.options[i], self.options[j], n)
            for i, row in enumerate(self.transitions)
            for j, n in enumerate(row)
            if i != j and n
        ]
        return sorted(found, key=lambda move: -move[2])


@dataclass
class AssignmentDashboard:
    assignment: Assignment
    prompts: list[Prompt]
    rows: list[StudentRow]
    prompt_stats: list[PromptStats]
    stance: StanceSummary
    sort: str
    descending: bool

    @property
    def not_started(self) -> list[StudentRow]:
        return [row for row in self.rows if not row.started]

    @property
    def total_done(self) -> int:
        return sum(row.done for row in self.rows)


def _count(status: str) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((Reflection.status == status, 1), else_=0)), 0)


def _done_count() -> ColumnElement[int]:
    return func.coalesce(func.sum(case((Reflection.status.in_(list(DONE)), 1), else_=0)), 0)


def _order(name_column: Any, done_column: Any, sort: str, descending: bool) -> tuple[Any, ...]:
    name = func.lower(name_column)
    if sort == "done":
        first = done_column.desc() if descending else done_column.asc()
        return (first, name, Student.id)
    return (name.desc() if descending else name, Student.id)


def stance_summary(assignment: Assignment) -> StanceSummary:
    """Stance poll answers before and after viewing, and who moved from which answer to which (two queries)."""
    options = list(assignment.stance_options or [])
    before, after = [0] * len(options), [0] * len(options)
    rows = db.session.execute(
        db.select(StanceAnswer.phase, StanceAnswer.option_index, func.count(StanceAnswer.id))
        .where(StanceAnswer.assignment_id == assignment.id)
        .group_by(StanceAnswer.phase, StanceAnswer.option_index)
    ).all()
    for phase, index, n in rows:
        target = before if phase == "pre" else after
        if 0 <= index < len(options):
            target[index] += n
    pre, post = aliased(StanceAnswer), aliased(StanceAnswer)
    transitions = [[0] * len(options) for _ in options]
    moves = db.session.execute(
        db.select(pre.option_index, post.option_index, func.count(pre.id))
        .join(
            post, and_(post.student_id == pre.student_id, post.assignment_id == pre.assignment_id, post.phase == "post")
        )
        .where(pre.assignment_id == assignment.id, pre.phase == "pre")
        .group_by(pre.option_index, post.option_index)
    ).all()
    for i, j, n in moves:
        if 0 <= i < len(options) and 0 <= j < len(options):
            transitions[i][j] += n
    return StanceSummary(assignment.stance_question, options, before, after, transitions)


def assignment_dashboard(assignment: Assignment, sort: str = "name", descending: bool = False) -> AssignmentDashboard:
    """Everything on the assignment dashboard, in seven queries whatever the number of students."""
    sort = sort_key(sort)
    prompts = list(assignment.prompts)
    prompt_ids = db.select(Prompt.id).where(Prompt.assignment_id == assignment.id).scalar_subquery()
    in_assignment = Reflection.prompt_id.in_(db.select(Prompt.id).where(Prompt.assignment_id == assignment.id))

    # 1. Students with their done count, sorted in SQL.
    done = _done_count().label("done")
    student_rows = db.session.execute(
        db.select(Student.id, Student.display_name, done, func.count(Reflection.id).label("started"))
        .select_from(Student)
        .outerjoin(Reflection, and_(Reflection.student_id == Student.id, Reflection.prompt_id.in_(prompt_ids)))
        .where(Student.class_id == assignment.class_id)
        .group_by(Student.id, Student.display_name)
        .order_by(*_order(Student.display_name, done, sort, descending))
    ).all()

    # 2. Each cell of the matrix: one short row per existing reflection.
    cell_status = {
        (student_id, prompt_id): status
        for student_id, prompt_id, status in db.session.execute(
            db.select(Reflection.student_id, Reflection.prompt_id, Reflection.status).where(in_assignment)
        )
    }
    rows = [
        StudentRow(
            id=sid,
            name=name,
            done=int(done_count),
            started=bool(started),
            cells=[cell_status.get((sid, p.id)) for p in prompts],
        )
        for sid, name, done_count, started in student_rows
    ]

    # 3. Counts per status and the range of words, per prompt.
    stats = {p.id: PromptStats(prompt=p) for p in prompts}
    words_of_counted = case((Reflection.status.in_(list(COUNTED)), Reflection.word_count))
    for prompt_id, drafts, awaiting, approved, returned, rejected, low, high in db.session.execute(
        db.select(
            Reflection.prompt_id,
            _count(S.DRAFT),
            _count(S.AWAITING),
            _count(S.APPROVED),
            _count(S.RETURNED),
            _count(S.REJECTED),
            func.min(words_of_counted),
            func.max(words_of_counted),
        )
        .where(in_assignment)
        .group_by(Reflection.prompt_id)
    ):
        s = stats[prompt_id]
        s.drafts, s.awaiting, s.approved, s.returned, s.rejected = map(
            int, (drafts, awaiting, approved, returned, rejected)
        )
        s.min_words, s.max_words = low, high

    # 4. Cited moments in five-minute bins, per prompt.
    # Integer division in the database: "//" renders as plain "/" on integer columns.
    time_bin = Reflection.cited_seconds // BIN_SECONDS
    for prompt_id, bin_index, n in db.session.execute(
        db.select(Reflection.prompt_id, time_bin, func.count(Reflection.id))
        .where(in_assignment, Reflection.status.in_(list(COUNTED)), Reflection.cited_seconds.is_not(None))
        .group_by(Reflection.prompt_id, time_bin)
    ):
        stats[prompt_id].cited[min(max(int(bin_index), 0), BINS - 1)] += n

    # 5. Word counts and texts in one go, for the medians and the themes.
    words: defaultdict[int, list[int]] = defaultdict(list)
    texts: defaultdict[int, list[str]] = defaultdict(list)
    hidden: defaultdict[int, list[list[str]]] = defaultdict(list)
    for prompt_id, word_count, body, flags in db.session.execute(
        db.select(Reflection.prompt_id, Reflection.word_count, Reflection.body, Reflection.flag_details)
        .where(in_assignment, Reflection.status.in_(list(COUNTED)))
        .order_by(Reflection.id)
    ):
        words[prompt_id].append(word_count)
        texts[prompt_id].append(body)
        hidden[prompt_id].append(personal_data(flags))
    for prompt_id, s in stats.items():
        if words[prompt_id]:
            s.median_words = median(words[prompt_id])
        s.themes = themes(texts[prompt_id], hidden[prompt_id])

    # 6-7. The stance poll.
    return AssignmentDashboard(
        assignment=assignment,
        prompts=prompts,
        rows=rows,
        prompt_stats=[stats[p.id] for p in prompts],
        stance=stance_summary(assignment),
        sort=sort,
        descending=descending,
    )


@dataclass
class OverviewRow:
    id: int
    name: str
    done: int
    cells: dict[int, int] = field(default_factory=dict)


@dataclass
class AssignmentSummary:
    assignment_id: int
    title: str
    prompts: int
    drafts: int = 0
    awaiting: int = 0
    approved: int = 0
    returned: int = 0
    rejected: int = 0
    # Answers done by the whole class in this assignment, and students who did every prompt.
    done: int = 0
    finished_students: int = 0
    stance_before: int = 0
    stance_after: int = 0


@dataclass
class ClassOverview:
    school_class: SchoolClass
    assignments: list[AssignmentSummary]
    rows: list[OverviewRow]
    sort: str
    descending: bool

    @property
    def total_prompts(self) -> int:
        return sum(a.prompts for a in self.assignments)

    @property
    def total_done(self) -> int:
        return sum(row.done for row in self.rows)

    @property
    def not_started(self) -> list[OverviewRow]:
        return [row for row in self.rows if not row.cells]


def class_overview(school_class: SchoolClass, sort: str = "name", descending: bool = False) -> ClassOverview:
    """The class across all its assignments, in five queries whatever its size."""
    sort = sort_key(sort)
    # 1. Assignments with their number of prompts.
    summaries = [
        AssignmentSummary(assignment_id=aid, title=title, prompts=int(n))
        for aid, title, n in db.session.execute(
            db.select(Assignment.id, Assignment.title, func.count(Prompt.id))
            .outerjoin(Prompt, Prompt.assignment_id == Assignment.id)
            .where(Assignment.class_id == school_class.id)
            .group_by(Assignment.id, Assignment.title)
            .order_by(Assignment.id)
        )
    ]
    by_id = {s.assignment_id: s for s in summaries}
    in_class = db.select(Prompt.id).join(Assignment).where(Assignment.class_id == school_class.id)

    # 2. Students with their done count across the class, sorted in SQL.
    done = _done_count().label("done")
    student_rows = db.session.execute(
        db.select(Student.id, Student.display_name, done)
        .select_from(Student)
        .outerjoin(Reflection, Reflection.student_id == Student.id)
        .where(Student.class_id == school_class.id)
        .group_by(Student.id, Student.display_name)
        .order_by(*_order(Student.display_name, done, sort, descending))
    ).all()
    rows = [OverviewRow(id=sid, name=name, done=int(done_count)) for sid, name, done_count in student_rows]

    # 3. Per student and assignment: reflections started and done.
    per_cell = db.session.execute(
        db.select(Reflection.student_id, Prompt.assignment_id, _done_count())
        .join(Prompt, Reflection.prompt_id == Prompt.id)
        .where(Reflection.prompt_id.in_(in_class))
        .group_by(Reflection.student_id, Prompt.assignment_id)
    ).all()
    cells_by_student: defaultdict[int, dict[int, int]] = defaultdict(dict)
    for sid, aid, done_count in per_cell:
        cells_by_student[sid][aid] = int(done_count)
        by_id[aid].done += int(done_count)
        if by_id[aid].prompts and done_count >= by_id[aid].prompts:
            by_id[aid].finished_students += 1
    for row in rows:
        row.cells = cells_by_student.get(row.id, {})

    # 4. Status counts per assignment.
    for aid, drafts, awaiting, approved, returned, rejected in db.session.execute(
        db.select(
            Prompt.assignment_id,
            _count(S.DRAFT),
            _count(S.AWAITING),
            _count(S.APPROVED),
            _count(S.RETURNED),
            _count(S.REJECTED),
        )
        .join(Prompt, Reflection.prompt_id == Prompt.id)
        .where(Reflection.prompt_id.in_(in_class))
        .group_by(Prompt.assignment_id)
    ):
        s = by_id[aid]
        s.drafts, s.awaiting, s.approved, s.returned, s.rejected = map(
            int, (drafts, awaiting, approved, returned, rejected)
        )

    # 5. Stance poll participation per assignment.
    for aid, phase, n in db.session.execute(
        db.select(StanceAnswer.assignment_id, StanceAnswer.phase, func.count(StanceAnswer.id))
        .join(Assignment, StanceAnswer.assignment_id == Assignment.id)
        .where(Assignment.class_id == school_class.id)
        .group_by(StanceAnswer.assignment_id, StanceAnswer.phase)
    ):
        if phase == "pre":
            by_id[aid].stance_before = n
        else:
            by_id[aid].stance_after = n

    return ClassOverview(school_class=school_class, assignments=summaries, rows=rows, sort=sort, descending=descending)


def highlights(assignment: Assignment) -> list[Reflection]:
    """The assignment's starred, approved reflections in film order, for projecting."""
    return list(
        db.session.scalars(
            db.select(Reflection)
            .join(Prompt, Reflection.prompt_id == Prompt.id)
            .where(Prompt.assignment_id == assignment.id, Reflection.starred.is_(True), Reflection.status == S.APPROVED)
            .options(contains_eager(Reflection.prompt))
            .order_by(Prompt.time_seconds, Prompt.id, Reflection.decided_at, Reflection.id)
        ).all()
    )


def _reflections_query(
    assignment: Assignment, prompt_id: int | None, term: str, status: str
) -> Select[tuple[Reflection]]:
    """The assignment's submitted reflections narrowed by prompt and status, in the list's order."""
    query = (
        db.select(Reflection)
        .join(Prompt, Reflection.prompt_id == Prompt.id)
        .join(Student, Reflection.student_id == Student.id)
        .where(Prompt.assignment_id == assignment.id, Reflection.status != S.DRAFT)
        .order_by(Prompt.time_seconds, Prompt.id, func.lower(Student.display_name), Reflection.id)
    )
    if prompt_id is not None:
        query = query.where(Reflection.prompt_id == prompt_id)
    if status in ALL_STATUSES:
        query = query.where(Reflection.status == status)
    elif term:
        query = query.where(Reflection.status.in_(list(COUNTED)))
    return query


def _with_prompt_and_student(query: Select[tuple[Reflection]]) -> Select[tuple[Reflection]]:
    return query.options(contains_eager(Reflection.prompt), contains_eager(Reflection.student))


def _matching_ids(rows: Sequence[Sequence[Any]], term: str) -> list[int]:
    """Ids of the (id, prompt_id, body, flag_details) rows whose text uses the term, in the rows' order."""
    # Themes are counted per prompt, so match per prompt with the same normalisation.
    by_prompt: defaultdict[int, list[Sequence[Any]]] = defaultdict(list)
    for row in rows:
        by_prompt[row[1]].append(row)
    keep: set[int] = set()
    for group in by_prompt.values():
        bodies = [row[2] for row in group]
        hidden = [personal_data(row[3]) for row in group]
        keep.update(group[i][0] for i in matching(bodies, term, hidden))
    return [row[0] for row in rows if row[0] in keep]


def reflections_for(
    assignment: Assignment, prompt_id: int | None = None, term: str = "", status: str = ""
) -> list[Reflection]:
    """The assignment's submitted reflections, narrowed by prompt, theme term and status."""
    query = _with_prompt_and_student(_reflections_query(assignment, prompt_id, term, status))
    found = db.session.scalars(query).all()
    if not term:
        return list(found)
    keep = set(_matching_ids([(r.id, r.prompt_id, r.body, r.flag_details) for r in found], term))
    return [r for r in found if r.id in keep]


@dataclass
class ReflectionsPage:
    reflections: list[Reflection]
    total: int
    page: int
    pages: int


def reflections_page(
    assignment: Assignment,
    prompt_id: int | None = None,
    term: str = "",
    status: str = "",
    page: int = 1,
    per_page: int = 50,
) -> ReflectionsPage:
    """One page of `reflections_for`: only that page's reflections are loaded (LIMIT/OFFSET in SQL).

    With a theme term the texts still have to be read to match it, but only ids and bodies: the page's
    full rows, with their prompt and student, are loaded afterwards.
    """
    query = _reflections_query(assignment, prompt_id, term, status)
    if term:
        rows = db.session.execute(
            query.with_only_columns(Reflection.id, Reflection.prompt_id, Reflection.body, Reflection.flag_details)
        ).all()
        ids = _matching_ids([tuple(row) for row in rows], term)
        total = len(ids)
    else:
        total = db.session.scalar(query.with_only_columns(func.count(Reflection.id)).order_by(None)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    if term:
        wanted = ids[(page - 1) * per_page : page * per_page]
        shown = (
            db.session.scalars(_with_prompt_and_student(query.where(Reflection.id.in_(wanted)))).all() if wanted else []
        )
    else:
        shown = db.session.scalars(_with_prompt_and_student(query).limit(per_page).offset((page - 1) * per_page)).all()
    return ReflectionsPage(list(shown), total, page, pages)


@dataclass
class ChangedMindAnswer:
    prompt_seconds: int
    prompt_text: str
    body_html: str
    html_policy: str | None
    status: str


@dataclass
class ChangedMindStudent:
    label: str
    answers: list[ChangedMindAnswer] = field(default_factory=list)


@dataclass
class ChangedMinds:
    """Students who moved from one stance answer to another, with what they wrote."""

    before: str
    after: str
    students: list[ChangedMindStudent] = field(default_factory=list)


def stance_texts_by_student(assignment: Assignment) -> dict[int, dict[str, str]]:
    """Each student's stance answers as option texts, by phase ("pre", "post"), in one query."""
    options = list(assignment.stance_options or [])
    found: dict[int, dict[str, str]] = defaultdict(dict)
    for student_id, phase, index in db.session.execute(
        db.select(StanceAnswer.student_id, StanceAnswer.phase, StanceAnswer.option_index).where(
            StanceAnswer.assignment_id == assignment.id
        )
    ):
        if 0 <= index < len(options):
            found[student_id][phase] = options[index]
    return dict(found)


def changed_minds(assignment: Assignment) -> list[ChangedMinds]:
    """Reflections of the students whose stance answer changed, grouped by before -> after (largest group first).

    Named as the assignment says: with anonymise on, each student is "Classmate N" in the assignment's own
    order (the labels classmates see), never their name. Only reflections handed in and not rejected count.
    Two queries whatever the class size.
    """
    from ..student.reflections import _label_key, classmate_numbers

    options = list(assignment.stance_options or [])
    pre, post = aliased(StanceAnswer), aliased(StanceAnswer)
    movers = db.session.execute(
        db.select(pre.student_id, pre.option_index, post.option_index, Student.display_name)
        .join(
            post, and_(post.student_id == pre.student_id, post.assignment_id == pre.assignment_id, post.phase == "post")
        )
        .join(Student, Student.id == pre.student_id)
        .where(pre.assignment_id == assignment.id, pre.phase == "pre", pre.option_index != post.option_index)
    ).all()
    movers = [row for row in movers if 0 <= row[1] < len(options) and 0 <= row[2] < len(options)]
    if not movers:
        return []
    numbers: dict[int, int] = {}
    if assignment.anonymise:
        class_ids = db.session.scalars(db.select(Student.id).where(Student.class_id == assignment.class_id)).all()
        # No reader to leave out: the teacher sees every student's label (0 is never a student's id).
        numbers = classmate_numbers(_label_key(), assignment.id, class_ids, 0)
    answers: defaultdict[int, list[ChangedMindAnswer]] = defaultdict(list)
    for student_id, seconds, text, body_html, policy, status in db.session.execute(
        db.select(
            Reflection.student_id,
            Prompt.time_seconds,
            Prompt.text,
            Reflection.body_html,
            Reflection.html_policy,
            Reflection.status,
        )
        .join(Prompt, Reflection.prompt_id == Prompt.id)
        .where(
            Prompt.assignment_id == assignment.id,
            Reflection.student_id.in_([row[0] for row in movers]),
            Reflection.status.in_(list(COUNTED)),
        )
        .order_by(Prompt.time_seconds, Prompt.id)
    ):
        answers[student_id].append(ChangedMindAnswer(seconds, text, body_html, policy, status))
    groups: dict[tuple[int, int], ChangedMinds] = {}
    for student_id, before, after, name in movers:
        group = groups.setdefault((before, after), ChangedMinds(options[before], options[after]))
        label = f"Classmate {numbers.get(student_id, 0)}" if assignment.anonymise else name
        group.students.append(ChangedMindStudent(label, answers.get(student_id, [])))
    for group in groups.values():
        group.students.sort(key=lambda s: (len(s.label), s.label.casefold()))
    # Largest group first, then in the order of the options.
    return [groups[key] for key in sorted(groups, key=lambda key: (-len(groups[key].students), key))]
