"""An assignment's own prompts: edited directly, or brought in step with the plan they came from, without HTTP.

Answers always stay with their prompt: a prompt is changed in place, never replaced, and a prompt that
students answered is never deleted by bringing plan changes over. A prompt whose text or time changes
remembers when (`Prompt.changed_at`), so answers written before are marked as answering the old version.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm.attributes import flag_modified

from ..extensions import db
from ..filmtime import format_film_time
from ..lessons.plans import edited_prompt_fields
from ..models import Assignment, PlanPrompt, Prompt, Reflection, utcnow
from ..timezones import as_utc

# What a change to each field looks like to the teacher; text and time change what students answer.
FIELD_NAMES = {
    "text": "wording",
    "time_seconds": "time",
    "pause": "pause",
    "theme": "theme",
    "teacher_note": "note for you",
    "time_confirmed": "time check",
}
CHANGES_WHAT_STUDENTS_ANSWER = ("text", "time_seconds")


def _describe(name: str, old: Any, new: Any) -> str:
    label = FIELD_NAMES[name]
    if name == "time_seconds":
        return f"time {format_film_time(old)} → {format_film_time(new)}"
    if name == "pause":
        return "now pauses the film" if new else "no longer pauses the film"
    if name == "theme":
        return f"theme {old} → {new}"
    if name == "time_confirmed":
        return "time checked" if new else "time marked as not yet checked"
    return f"{label} changed"


def _apply(prompt: Prompt, values: dict, now: datetime | None = None) -> list[str]:
    """Set the prompt's fields; mark it changed when its text or time moved. Returns what changed."""
    changed = [name for name, value in values.items() if getattr(prompt, name) != value]
    for name in changed:
        setattr(prompt, name, values[name])
    if any(name in CHANGES_WHAT_STUDENTS_ANSWER for name in changed):
        prompt.changed_at = now or utcnow()
    return changed


def edit_prompt(
    prompt: Prompt,
    text: str,
    time_seconds: int,
    theme: str,
    pause: bool = False,
    teacher_note: str = "",
    time_checked: bool = False,
    now: datetime | None = None,
) -> list[str]:
    """Change one of the assignment's prompts in place (its answers stay with it); returns the changed fields.

    The fields follow the plan's rule (a time the teacher changed or ticked for this class is a checked
    time); only marking the prompt changed after students answered is the assignment's own.
    """
    values = edited_prompt_fields(prompt, text, time_seconds, theme, pause, teacher_note, time_checked)
    changed = _apply(prompt, values, now)
    db.session.commit()
    return changed


def answer_count(prompt: Prompt) -> int:
    """How many students have written (or started) an answer to this prompt."""
    return db.session.scalar(db.select(db.func.count(Reflection.id)).where(Reflection.prompt_id == prompt.id)) or 0


def answers_before_change(prompts: list[Prompt]) -> dict[int, int]:
    """For each changed prompt, how many of its answers were written before its last change (one query)."""
    changed = {p.id: as_utc(p.changed_at) for p in prompts if p.changed_at is not None}
    if not changed:
        return {}
    counts = dict.fromkeys(changed, 0)
    for prompt_id, created_at in db.session.execute(
        db.select(Reflection.prompt_id, Reflection.created_at).where(Reflection.prompt_id.in_(list(changed)))
    ):
        if as_utc(created_at) < changed[prompt_id]:
            counts[prompt_id] += 1
    return counts


class ChangedAt(Protocol):
    """A prompt, or the plain copy of one the student's page keeps (classroom/student/page.py)."""

    @property
    def changed_at(self) -> datetime | None: ...


def answered_before_change(prompt: ChangedAt, reflection: Reflection | None) -> bool:
    """Whether this answer was written before the prompt's text or time last changed."""
    return bool(
        reflection is not None
        and prompt.changed_at is not None
        and as_utc(reflection.created_at) < as_utc(prompt.changed_at)
    )


@dataclass
class PlanChange:
    """One difference between the plan and the class's copy of it."""

    kind: str  # "changed", "added", "removed" (no answers: it goes) or "kept" (answered: it stays)
    prompt: Prompt | None
    plan_prompt: PlanPrompt | None
    details: list[str] = field(default_factory=list)
    answers: int = 0
    fields: list[str] = field(default_factory=list)

    @property
    def changes_question(self) -> bool:
        """Whether students would be answering a different question (its wording or time moves)."""
        return any(name in CHANGES_WHAT_STUDENTS_ANSWER for name in self.fields)

    @property
    def time_seconds(self) -> int:
        source = self.plan_prompt if self.plan_prompt is not None else self.prompt
        return source.time_seconds if source is not None else 0

    @property
    def text(self) -> str:
        source = self.plan_prompt if self.plan_prompt is not None else self.prompt
        return source.text if source is not None else ""


def _answer_counts(assignment: Assignment) -> dict[int, int]:
    rows = db.session.execute(
        db.select(Reflection.prompt_id, db.func.count(Reflection.id))
        .join(Prompt, Reflection.prompt_id == Prompt.id)
        .where(Prompt.assignment_id == assignment.id)
        .group_by(Reflection.prompt_id)
    )
    return dict(rows.tuples().all())


def plan_changes(assignment: Assignment) -> list[PlanChange]:
    """What bringing the plan's current prompts to this class would change, in film order."""
    plan = assignment.plan
    if plan is None:
        return []
    answers = _answer_counts(assignment)
    by_source = {p.plan_prompt_id: p for p in assignment.prompts if p.plan_prompt_id is not None}
    in_plan = {pp.id for pp in plan.prompts}
    changes = []
    for plan_prompt in plan.prompts:
        prompt = by_source.get(plan_prompt.id)
        if prompt is None:
            changes.append(PlanChange("added", None, plan_prompt))
            continue
        wanted = plan_prompt.prompt_fields()
        fields = [name for name, value in wanted.items() if getattr(prompt, name) != value]
        if fields:
            details = [_describe(name, getattr(prompt, name), wanted[name]) for name in fields]
            changes.append(PlanChange("changed", prompt, plan_prompt, details, answers.get(prompt.id, 0), fields))
    for prompt in assignment.prompts:
        if prompt.plan_prompt_id is not None and prompt.plan_prompt_id not in in_plan:
            n = answers.get(prompt.id, 0)
            changes.append(PlanChange("kept" if n else "removed", prompt, None, [], n))
    return sorted(changes, key=lambda c: (c.time_seconds, c.kind))


def changes_digest(changes: list[PlanChange]) -> str:
    """A short fingerprint of a list of changes, so what is applied is what the teacher saw."""
    described = "|".join(
        f"{c.kind}:{c.prompt.id if c.prompt else ''}:{c.plan_prompt.id if c.plan_prompt else ''}:{';'.join(c.details)}"
        f":{c.text}:{c.time_seconds}"
        for c in changes
    )
    return hashlib.sha256(described.encode()).hexdigest()[:16]


def bring_plan_changes(assignment: Assignment, now: datetime | None = None) -> list[PlanChange]:
    """Apply the plan's prompts to the class's copy; answered prompts are changed in place, never removed."""
    now = now or utcnow()
    changes = plan_changes(assignment)
    for change in changes:
        prompt, plan_prompt = change.prompt, change.plan_prompt
        # plan_changes() gives "changed" both sides, "added" the plan's, "removed" and "kept" the class's.
        if change.kind == "changed" and prompt is not None and plan_prompt is not None:
            _apply(prompt, plan_prompt.prompt_fields(), now)
        elif change.kind == "added" and plan_prompt is not None:
            assignment.prompts.append(Prompt(plan_prompt_id=plan_prompt.id, **plan_prompt.prompt_fields()))
        elif change.kind == "removed" and prompt is not None:
            # Only while it still has no answer: a student who started one a moment ago keeps it.
            has_answer = db.select(Reflection.id).where(Reflection.prompt_id == prompt.id).exists()
            db.session.execute(db.delete(Prompt).where(Prompt.id == prompt.id, ~has_answer))
            # A bulk delete is not seen by the aggregate cache's flush watcher: the assignment's row is.
            flag_modified(assignment, "title")
        elif change.kind == "kept" and prompt is not None:
            # Its answers stay: it no longer follows the plan, so it is not offered again.
            prompt.plan_prompt_id = None
    db.session.commit()
    db.session.expire(assignment, ["prompts"])
    return changes
