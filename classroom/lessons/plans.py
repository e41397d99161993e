"""Lesson plans and their prompts as plain functions: the routes and `flask seed-demo` share them."""

from __future__ import annotations

import json
import logging
from importlib import resources

from ..extensions import db
from ..film import the_film
from ..filmtime import parse_film_time
from ..models import THEMES, Assignment, LessonPlan, PlanPrompt, Prompt, PromptFields, Teacher
from .stance import DEFAULT_STANCE_OPTIONS, DEFAULT_STANCE_QUESTION

log = logging.getLogger(__name__)

MIN_STANCE_OPTIONS = 2
MAX_STANCE_OPTIONS = 6
MAX_STANCE_OPTION_LENGTH = 200
TITLE_LENGTH = 200


def starter_plan_data() -> dict:
    """The ready plan "Memory and the Stalin legacy" as shipped in the package."""
    raw = resources.files("classroom").joinpath("data/starter_plan.json").read_text(encoding="utf-8")
    return json.loads(raw)


def create_plan(
    teacher: Teacher, title: str, grade_band: str = "", objectives: str = "", video_url: str = ""
) -> LessonPlan:
    """A new empty plan for the film, carrying the default stance poll."""
    plan = LessonPlan(
        teacher_id=teacher.id,
        film_id=the_film().id,
        title=title.strip(),
        video_url=(video_url or "").strip(),
        grade_band=(grade_band or "").strip(),
        objectives=(objectives or "").strip(),
        stance_question=DEFAULT_STANCE_QUESTION,
        stance_options=list(DEFAULT_STANCE_OPTIONS),
    )
    db.session.add(plan)
    db.session.commit()
    return plan


def copy_starter_plan(teacher: Teacher) -> LessonPlan:
    """Give the teacher their own copy of the starter plan; its times stay marked as suggestions."""
    data = starter_plan_data()
    plan = LessonPlan(
        teacher_id=teacher.id,
        film_id=the_film().id,
        title=data["title"],
        grade_band=data["grade_band"],
        objectives=data["objectives"],
        stance_question=DEFAULT_STANCE_QUESTION,
        stance_options=list(DEFAULT_STANCE_OPTIONS),
        prompts=[
            PlanPrompt(
                text=item["text"],
                time_seconds=parse_film_time(item["time"]),
                theme=item["theme"],
                pause=bool(item["pause"]),
                time_confirmed=False,
                teacher_note=item["teacher_note"],
            )
            for item in data["prompts"]
        ],
    )
    db.session.add(plan)
    db.session.commit()
    return plan


def update_plan(
    plan: LessonPlan, title: str, grade_band: str = "", objectives: str = "", video_url: str | None = None
) -> None:
    """Change a plan's title, grade band, learning objectives and (when given) its film link."""
    plan.title = title.strip()
    if video_url is not None:
        plan.video_url = video_url.strip()
    plan.grade_band = (grade_band or "").strip()
    plan.objectives = (objectives or "").strip()
    db.session.commit()


def duplicate_plan(plan: LessonPlan) -> LessonPlan:
    """A copy of the plan with all its prompts and its stance poll, owned by the same teacher."""
    copy = LessonPlan(
        teacher_id=plan.teacher_id,
        film_id=plan.film_id,
        title=f"Copy of {plan.title}"[:TITLE_LENGTH],
        grade_band=plan.grade_band,
        objectives=plan.objectives,
        video_url=plan.video_url,
        stance_question=plan.stance_question,
        stance_options=list(plan.stance_options),
        prompts=[PlanPrompt(**p.prompt_fields()) for p in plan.prompts],
    )
    db.session.add(copy)
    db.session.commit()
    return copy


def assignments_from_plan(plan: LessonPlan) -> int:
    """How many assignments were made from this plan (they keep their own prompts)."""
    return db.session.scalar(db.select(db.func.count(Assignment.id)).where(Assignment.plan_id == plan.id)) or 0


def preview_video_url(plan: LessonPlan) -> str:
    """The plan's own film link, else that of the latest assignment made from it, for checking times."""
    if plan.video_url:
        return plan.video_url
    url = db.session.scalar(
        db.select(Assignment.video_url)
        .where(Assignment.plan_id == plan.id, Assignment.video_url != "")
        .order_by(Assignment.id.desc())
        .limit(1)
    )
    return url or ""


def delete_plan(plan: LessonPlan) -> None:
    """Delete the plan and its prompts; assignments made from it keep their own copy."""
    plan_id = plan.id
    # The database deletes the prompts (ON DELETE CASCADE) and unlinks the assignments (SET NULL).
    db.session.delete(plan)
    db.session.commit()
    log.info("lesson plan deleted", extra={"event": "plan.deleted", "plan_id": plan_id})


def typed_prompt_fields(text: str, time_seconds: int, theme: str, pause: bool = False, teacher_note: str = "") -> dict:
    """A prompt's fields as the teacher typed them, cleaned; raises ValueError for a theme not in THEMES.

    One rule for a plan's prompt and an assignment's own copy (`classes/prompts.py`), new or edited.
    """
    if theme not in THEMES:
        raise ValueError(f"Unknown theme {theme!r}")
    return {
        "text": text.strip(),
        "time_seconds": time_seconds,
        "theme": theme,
        "pause": pause,
        "teacher_note": (teacher_note or "").strip(),
    }


def edited_prompt_fields(
    prompt: PromptFields,
    text: str,
    time_seconds: int,
    theme: str,
    pause: bool = False,
    teacher_note: str = "",
    time_checked: bool = False,
) -> dict:
    """The fields an edit sets on a plan's or an assignment's prompt; it does not set them.

    A changed time, or a ticked check, counts as the teacher confirming the time against the film.
    """
    values = typed_prompt_fields(text, time_seconds, theme, pause, teacher_note)
    if time_seconds != prompt.time_seconds or time_checked:
        values["time_confirmed"] = True
    return values


def add_prompt(
    plan: LessonPlan,
    text: str,
    time_seconds: int,
    theme: str,
    pause: bool = False,
    teacher_note: str = "",
    time_confirmed: bool = True,
) -> PlanPrompt:
    """Pin a new prompt to a moment in the film."""
    prompt = PlanPrompt(
        plan_id=plan.id,
        time_confirmed=time_confirmed,
        **typed_prompt_fields(text, time_seconds, theme, pause, teacher_note),
    )
    db.session.add(prompt)
    db.session.commit()
    return prompt


def update_prompt(
    prompt: PlanPrompt,
    text: str,
    time_seconds: int,
    theme: str,
    pause: bool = False,
    teacher_note: str = "",
    time_checked: bool = False,
) -> None:
    """Change a plan's prompt (assignments made from the plan keep their own copy until brought in step)."""
    for name, value in edited_prompt_fields(
        prompt, text, time_seconds, theme, pause, teacher_note, time_checked
    ).items():
        setattr(prompt, name, value)
    db.session.commit()


def confirm_prompt_time(prompt: PlanPrompt) -> None:
    """The teacher has checked the suggested time against the film."""
    prompt.time_confirmed = True
    db.session.commit()


# What an assignment's prompt keeps as its plan prompt once the plan has dropped it: never a row's id,
# so a later prompt that reuses the id (SQLite may) is not taken for it.
DROPPED_FROM_PLAN = 0


def delete_prompt(prompt: PlanPrompt) -> None:
    """Remove a prompt from its plan; classes that have it keep their copy, noted as dropped from the plan."""
    db.session.execute(
        db.update(Prompt).where(Prompt.plan_prompt_id == prompt.id).values(plan_prompt_id=DROPPED_FROM_PLAN)
    )
    prompt_id, plan_id = prompt.id, prompt.plan_id
    db.session.delete(prompt)
    db.session.commit()
    log.info("plan prompt deleted", extra={"event": "plan.prompt_deleted", "plan_id": plan_id, "prompt_id": prompt_id})


def parse_stance_options(text: str) -> list[str]:
    """One option a line, blank lines ignored; raises ValueError with a message for the field."""
    options = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not MIN_STANCE_OPTIONS <= len(options) <= MAX_STANCE_OPTIONS:
        raise ValueError(
            f"Give between {MIN_STANCE_OPTIONS} and {MAX_STANCE_OPTIONS} options, one a line (you gave {len(options)})."
        )
    if any(len(option) > MAX_STANCE_OPTION_LENGTH for option in options):
        raise ValueError(f"Keep each option to {MAX_STANCE_OPTION_LENGTH} characters.")
    if len({option.casefold() for option in options}) != len(options):
        raise ValueError("Each option must be different.")
    return options


def set_stance(plan: LessonPlan, question: str, options: list[str]) -> None:
    """Change the plan's stance poll (asked before and after viewing)."""
    plan.stance_question = question.strip()
    plan.stance_options = list(options)
    db.session.commit()


def unchecked_times(plan: LessonPlan) -> int:
    """How many of the plan's prompt times are still suggestions nobody has checked against the film."""
    return sum(1 for prompt in plan.prompts if not prompt.time_confirmed)


def plans_with_prompt_counts(teacher: Teacher) -> list[tuple[LessonPlan, int, int]]:
    """The teacher's plans with how many prompts each has and how many still await a time check."""
    unchecked = db.func.sum(db.case((PlanPrompt.time_confirmed.is_(False), 1), else_=0))
    rows = db.session.execute(
        db.select(LessonPlan, db.func.count(PlanPrompt.id), db.func.coalesce(unchecked, 0))
        .outerjoin(PlanPrompt, PlanPrompt.plan_id == LessonPlan.id)
        .where(LessonPlan.teacher_id == teacher.id)
        .group_by(LessonPlan.id)
        .order_by(LessonPlan.updated_at.desc(), LessonPlan.id.desc())
    ).all()
    return [(plan, count, int(waiting)) for plan, count, waiting in rows]
