"""A reflection's statuses and the named sets of them that every page and export counts with.

Defined once, so a student's progress reads the same on their home page, the roster, the
dashboards and the CSV files. Each status and each set carries a one-line meaning in words a
teacher and a fifteen-year-old both understand; pages show it where it helps.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum


class ReflectionStatus(StrEnum):
    DRAFT = "draft"
    AWAITING = "awaiting"
    APPROVED = "approved"
    RETURNED = "returned"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def meaning(self) -> str:
        return _MEANINGS[self]

    @classmethod
    def label_of(cls, value: str | None) -> str:
        """The label for a stored value; "Not started" when there is no reflection at all."""
        if not value:
            return NOT_STARTED
        return _LABELS.get(value, value)


S = ReflectionStatus

_LABELS: dict[str, str] = {
    S.DRAFT: "Draft",
    S.AWAITING: "Awaiting approval",
    S.APPROVED: "Approved",
    S.RETURNED: "Returned with feedback",
    S.REJECTED: "Rejected",
}
_MEANINGS: dict[str, str] = {
    S.DRAFT: "Saved but not handed in; only the student can see it.",
    S.AWAITING: "Handed in; the teacher reads it before classmates can.",
    S.APPROVED: "Handed in and approved; classmates can read it if the assignment shows them.",
    S.RETURNED: "Sent back with feedback; the student revises it and hands it in again.",
    S.REJECTED: "Hidden from classmates with a reason; the teacher can reopen it or approve it after all.",
}
NOT_STARTED = "Not started"

# Every stored value, for validating a query string and for the database CHECK.
ALL_STATUSES: tuple[ReflectionStatus, ...] = tuple(ReflectionStatus)
# Status labels by stored value, for templates and exports.
STATUS_LABELS: dict[str, str] = {status.value: status.label for status in ReflectionStatus}


@dataclass(frozen=True)
class StatusSet:
    """A named group of statuses with what it means; `status in DONE` works on stored strings too."""

    name: str
    statuses: frozenset[str]
    meaning: str

    def __contains__(self, status: object) -> bool:
        return status in self.statuses

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.statuses, key=ALL_STATUSES.index))

    @property
    def labels(self) -> list[str]:
        return [ReflectionStatus(status).label for status in self]


def _set(name: str, meaning: str, *statuses: ReflectionStatus) -> StatusSet:
    return StatusSet(name, frozenset(status.value for status in statuses), meaning)


# The student handed it to the teacher at least once: from then on they may read classmates' work.
HANDED_IN = _set(
    "Handed in",
    "Sent to the teacher at least once, whatever the teacher decided since.",
    S.AWAITING,
    S.APPROVED,
    S.RETURNED,
    S.REJECTED,
)
# Progress everywhere (student home, roster, dashboards, class overview, CSV) counts these.
DONE = _set(
    "Done",
    "Handed in and not sent back or rejected: awaiting approval, or approved.",
    S.AWAITING,
    S.APPROVED,
)
# The next step is the student's.
WITH_STUDENT = _set(
    "With the student",
    "The student has something to do: a draft to hand in, or feedback to act on.",
    S.DRAFT,
    S.RETURNED,
)
# The texts the dashboard's word counts, cited moments and themes are drawn from.
COUNTED = _set(
    "Counted on the dashboard",
    "Handed in and not rejected: the words, moments and themes on the dashboard come from these.",
    S.AWAITING,
    S.APPROVED,
    S.RETURNED,
)

STATUS_SETS: dict[str, StatusSet] = {
    "handed_in": HANDED_IN,
    "done": DONE,
    "with_student": WITH_STUDENT,
    "counted": COUNTED,
}


def check_constraint_sql(column: str = "status") -> str:
    """The SQL condition the database enforces on a reflection's status (same text in model and migration)."""
    values = ", ".join(f"'{status.value}'" for status in ALL_STATUSES)
    return f"{column} IN ({values})"
