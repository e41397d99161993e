"""Marking schemes: what an assignment is marked out of, and what a student's marks add up to.

Three schemes, chosen per assignment by the teacher:
- "complete": complete / not complete, worked out by itself: complete when every prompt is handed in
  and approved (1 of 1), nothing to mark by hand;
- "points": 0 to N points for each prompt's reflection (N defaults to 2);
- "rubric": up to four criteria, each with three or four levels, for each prompt's reflection; a level
  scores its place in the list (the first level 0).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..models import Assignment, Mark

COMPLETE, POINTS, RUBRIC = "complete", "points", "rubric"
SCHEMES = {
    COMPLETE: "Complete / not complete",
    POINTS: "Points for each prompt",
    RUBRIC: "A small rubric for each prompt",
}
DEFAULT_SCHEME = POINTS
DEFAULT_POINTS_PER_PROMPT = 2
MAX_POINTS_PER_PROMPT = 20
MAX_CRITERIA = 4
LEVEL_COUNTS = (3, 4)

# The starter plan's suggestion, in our own words: what a good reflection on this film does.
SUGGESTED_RUBRIC = [
    {"name": "Uses a moment from the film", "levels": ["Not yet", "Mentions one", "Describes it and why it matters"]},
    {"name": "Considers another view", "levels": ["Not yet", "Names another view", "Weighs it fairly"]},
    {"name": "Explains their own thinking", "levels": ["Not yet", "States a view", "Gives reasons for it"]},
]


class SchemeError(ValueError):
    """A marking scheme or a mark that does not fit; the message is for the teacher."""


def clean_rubric(criteria: list[dict]) -> list[dict]:
    """Criteria with names and 3 or 4 named levels each, at most four; raises SchemeError otherwise."""
    cleaned = []
    for criterion in criteria:
        name = " ".join(str(criterion.get("name") or "").split())
        levels = [" ".join(str(level).split()) for level in criterion.get("levels") or []]
        levels = [level for level in levels if level]
        if not name and not levels:
            continue
        if not name:
            raise SchemeError("Give each criterion a name.")
        if len(levels) not in LEVEL_COUNTS:
            raise SchemeError(f"“{name}” needs three or four levels, one per line.")
        cleaned.append({"name": name[:80], "levels": [level[:60] for level in levels]})
    if not cleaned:
        raise SchemeError("A rubric needs at least one criterion.")
    if len(cleaned) > MAX_CRITERIA:
        raise SchemeError("Keep the rubric to four criteria or fewer.")
    return cleaned


def rubric_maximum(rubric: list[dict]) -> int:
    return sum(len(criterion["levels"]) - 1 for criterion in rubric)


def per_prompt_maximum(assignment: Assignment) -> int:
    """What one prompt's reflection can score under the assignment's scheme."""
    scheme = assignment.marking_scheme or DEFAULT_SCHEME
    if scheme == RUBRIC:
        return rubric_maximum(assignment.rubric or [])
    if scheme == POINTS:
        return assignment.points_per_prompt
    return 1


def maximum_score(assignment: Assignment) -> int:
    """The most the assignment can score (the LMS gradebook column's maximum)."""
    if (assignment.marking_scheme or DEFAULT_SCHEME) == COMPLETE:
        return 1
    return max(1, per_prompt_maximum(assignment) * len(assignment.prompts))


def mark_value(assignment: Assignment, mark: Mark | None) -> int:
    """The score of one prompt's mark."""
    if mark is None:
        return 0
    if (assignment.marking_scheme or DEFAULT_SCHEME) == RUBRIC:
        return sum(mark.levels or [])
    return mark.points or 0


def describe_mark(assignment: Assignment, mark: Mark) -> str:
    """The mark in words, for the student, the teacher and the audit trail."""
    if (assignment.marking_scheme or DEFAULT_SCHEME) == RUBRIC:
        parts = []
        for criterion, level in zip(assignment.rubric or [], mark.levels or [], strict=False):
            levels = criterion["levels"]
            parts.append(f"{criterion['name']}: {levels[min(level, len(levels) - 1)]}")
        return f"{mark_value(assignment, mark)} of {per_prompt_maximum(assignment)} ({'; '.join(parts)})"
    return f"{mark.points} of {assignment.points_per_prompt} points"


@dataclass(frozen=True)
class Score:
    """A student's result on an assignment, with honest progress words for the LMS (LTI AGS)."""

    given: int
    maximum: int
    handed_in: int
    marked: int
    prompts: int
    complete: bool

    @property
    def activity_progress(self) -> str:
        if self.handed_in == 0:
            return "Initialized"
        return "Completed" if self.handed_in >= self.prompts else "InProgress"

    @property
    def grading_progress(self) -> str:
        if self.handed_in == 0:
            return "NotReady"
        return "FullyGraded" if self.marked >= self.handed_in and self.marked > 0 else "PendingManual"

    @property
    def has_mark(self) -> bool:
        return self.marked > 0


def score_for(assignment: Assignment, statuses: Mapping[int, str], marks: Mapping[int, Mark]) -> Score:
    """A student's score from their reflections' statuses and marks, both keyed by prompt id."""
    from ..statuses import HANDED_IN, ReflectionStatus

    prompt_ids = [prompt.id for prompt in assignment.prompts]
    handed_in = sum(1 for pid in prompt_ids if statuses.get(pid) in HANDED_IN)
    approved = sum(1 for pid in prompt_ids if statuses.get(pid) == ReflectionStatus.APPROVED)
    if (assignment.marking_scheme or DEFAULT_SCHEME) == COMPLETE:
        complete = bool(prompt_ids) and approved == len(prompt_ids)
        # Marked by itself: every handed-in prompt has been decided once all are approved.
        return Score(
            given=1 if complete else 0,
            maximum=1,
            handed_in=handed_in,
            marked=handed_in if complete else 0,
            prompts=len(prompt_ids),
            complete=complete,
        )
    marked = [pid for pid in prompt_ids if marks.get(pid) is not None and statuses.get(pid) in HANDED_IN]
    return Score(
        given=sum(mark_value(assignment, marks[pid]) for pid in marked),
        maximum=maximum_score(assignment),
        handed_in=handed_in,
        marked=len(marked),
        prompts=len(prompt_ids),
        complete=bool(prompt_ids) and approved == len(prompt_ids),
    )
