"""Marking schemes: what an assignment is marked out of."""

from __future__ import annotations

from ..models import Assignment

DEFAULT_POINTS_PER_PROMPT = 2


def maximum_score(assignment: Assignment) -> int:
    """The most an assignment can score (the LMS gradebook column's maximum): points for every prompt."""
    return DEFAULT_POINTS_PER_PROMPT * max(1, len(assignment.prompts))
