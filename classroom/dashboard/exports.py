"""CSV exports a teacher opens in a spreadsheet: RFC 4180 quoting and no formula injection."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from ..filmtime import format_film_time
from ..models import Reflection
from ..sanitize import POLICY_VERSION, render_for_storage
from ..statuses import DONE, ReflectionStatus
from ..timezones import as_utc

if TYPE_CHECKING:
    from .stats import AssignmentDashboard

# Excel guesses a legacy code page for a CSV without a byte-order mark and garbles Cyrillic
# names and text; the BOM makes it read UTF-8. Other spreadsheets and csv readers ignore it.
BOM = "\ufeff"
# A cell starting with one of these may be run as a formula by a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

REFLECTION_HEADER = [
    "Class",
    "Assignment",
    "Student",
    "Prompt",
    "Prompt time",
    "Cited time",
    "Status",
    "Words",
    "Text",
    "Teacher's feedback or reason",
    "Answer before viewing",
    "Answer after viewing",
    "Started (UTC)",
    "Submitted (UTC)",
    "Decided (UTC)",
]
# A decision the teacher made on the text as it stands (a resubmitted text awaits a new one).
DECIDED = frozenset({ReflectionStatus.APPROVED, ReflectionStatus.RETURNED, ReflectionStatus.REJECTED})


def safe_cell(value: object) -> str:
    """A cell as text, with a leading quote when a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def to_csv(header: list[str], rows: Iterable[Iterable[object]]) -> str:
    """UTF-8 CSV text (with BOM) with every cell neutralised and quoted as RFC 4180 requires."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


def export_text(body: str, stored_text: str | None = None, policy: str | None = None) -> str:
    """A reflection as plain text: no markup, paragraphs apart by one blank line, list items and quotes
    marked ("- ", "1. ", "> "). The text stored at save time when the current policy made it."""
    if stored_text is not None and policy == POLICY_VERSION:
        return stored_text
    return render_for_storage(body).text


def _when(moment: datetime | None) -> str:
    return as_utc(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def current_decision(reflection: Reflection) -> bool:
    """Whether the reflection's decision (time, feedback or reason) is about its text as it stands now."""
    if reflection.status not in DECIDED or reflection.decided_at is None:
        return False
    return reflection.submitted_at is None or as_utc(reflection.decided_at) >= as_utc(reflection.submitted_at)


def reflection_rows(
    class_name: str,
    assignment_title: str,
    reflections: list[Reflection],
    stances: dict[int, dict[str, str]] | None = None,
) -> list[list]:
    """One row per reflection: its text as plain text (list and quote markers kept), the teacher's feedback
    or reason, the student's stance answers (`stances[student_id][phase]`), and its times in order. A text
    handed in again shows no decision until the teacher makes a new one."""
    stances = stances or {}
    rows = []
    for r in reflections:
        decided = current_decision(r)
        answers = stances.get(r.student_id, {})
        rows.append(
            [
                class_name,
                assignment_title,
                r.student.display_name,
                r.prompt.text,
                format_film_time(r.prompt.time_seconds),
                format_film_time(r.cited_seconds) if r.cited_seconds is not None else "",
                ReflectionStatus.label_of(r.status),
                r.word_count,
                export_text(r.body, r.body_text, r.html_policy),
                r.feedback if decided else "",
                answers.get("pre", ""),
                answers.get("post", ""),
                _when(r.created_at),
                _when(r.submitted_at),
                _when(r.decided_at) if decided else "",
            ]
        )
    return rows


def matrix_table(dashboard: AssignmentDashboard) -> tuple[list[str], list[list]]:
    """The completion matrix as a header and rows: a status per prompt and the number done."""
    header = ["Student"]
    header += [f"{format_film_time(p.time_seconds)} {p.text}" for p in dashboard.prompts]
    header.append(f"{DONE.name} (of {len(dashboard.prompts)})")
    rows = [
        [
            row.name,
            *[ReflectionStatus.label_of(cell) for cell in row.cells],
            row.done,
        ]
        for row in dashboard.rows
    ]
    return header, rows


def filename(*parts: str, extension: str = "csv") -> str:
    """A safe ASCII file name from the given parts ("history-11b-memory-reflections.csv")."""
    slug = "-".join(re.sub(r"[^a-z0-9]+", "-", part.lower()).strip("-") for part in parts if part)
    slug = re.sub(r"-{2,}", "-", slug).strip("-") or "export"
    return f"{slug[:80]}.{extension}"
