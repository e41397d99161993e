"""Ways to hand an assignment to students: its student link, QR code, share links, LMS-ready text and embed code.

Plain functions of an assignment and its link, so tests call them directly; no outside service is
ever asked for anything (the QR code is drawn here, the share links are the vendors' public URLs).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import segno
from flask import url_for
from markupsafe import Markup, escape

from ..extensions import db
from ..models import Assignment, SchoolClass
from ..timezones import school_time

APP_NAME = "Red Soul Classroom"
STUDENT_INSTRUCTION = (
    "Open the link and type the name your teacher will know you by (no email or password needed), "
    "then watch the film and answer the questions."
)


def student_link(assignment: Assignment) -> str:
    """The full address of the assignment's student link."""
    return url_for("join.assignment_link", token=assignment.link_token, _external=True)


def short_link(link: str) -> str:
    """The link as people type it from a board: without the https:// in front."""
    return link.split("://", 1)[-1]


def qr_svg(link: str, title: str = "QR code for the student link") -> Markup:
    """An inline SVG QR code of the link: presentation attributes only, no style attribute (the CSP forbids them)."""
    code = segno.make(link, error="m")
    svg = code.svg_inline(scale=1, border=4, omitsize=True, svgclass="qr", title=title, dark="#000", light="#fff")
    # segno escapes the title it writes; the rest is its own path data.
    return Markup(svg)


def qr_svg_file(link: str, title: str) -> str:
    """The same QR code as a standalone SVG file (with its XML declaration and a printable size)."""
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="svg", scale=8, border=4, title=title, dark="#000", light="#fff")
    return out.getvalue().decode("utf-8")


def dates_line(assignment: Assignment) -> str:
    """When it opens and closes, in the school's time zone, as one line."""
    opens = school_time(assignment.opens_at) if assignment.opens_at else ""
    closes = school_time(assignment.closes_at) if assignment.closes_at else ""
    if opens and closes:
        return f"Open from {opens} until {closes}."
    if closes:
        return f"Open now, until {closes}."
    if opens:
        return f"Opens {opens}; no closing date."
    return "Open now; no closing date."


@dataclass(frozen=True)
class ShareLink:
    name: str
    url: str


def share_links(assignment: Assignment, link: str) -> list[ShareLink]:
    """Google Classroom's and Microsoft Teams' public share pages, prefilled with the link (no vendor script)."""
    text = f"{assignment.title}: {STUDENT_INSTRUCTION}"
    google = "https://classroom.google.com/share?" + urlencode(
        {"url": link, "title": assignment.title, "body": text}, quote_via=quote
    )
    teams = "https://teams.microsoft.com/share?" + urlencode(
        {"href": link, "msgText": text, "preview": "true"}, quote_via=quote
    )
    return [ShareLink("Google Classroom", google), ShareLink("Microsoft Teams", teams)]


@dataclass(frozen=True)
class LmsText:
    lms: str
    where: str  # where in that LMS the teacher pastes it
    text: str


# Where each LMS takes a link; the text itself is the same plain lines, which paste cleanly everywhere.
LMS_PLACES = (
    ("Moodle", "Add an activity or resource → URL: paste the link as the URL and the rest as the description."),
    ("Canvas", "Modules → + → External URL: paste the link; put the rest in an announcement or the page above it."),
    (
        "Schoology",
        "Add Materials → Add File/Link/External Tool → Link: paste the link; the rest goes in the description.",
    ),
    ("Google Classroom", "Classwork → Create → Assignment: paste the whole text as the instructions and add the link."),
)


def lms_text(assignment: Assignment, link: str) -> str:
    """The lines a teacher pastes into an LMS: title, what to do, the dates, the link."""
    # The class as loaded with the assignment (the links page), else by its key.
    class_name = db.session.get_one(SchoolClass, assignment.class_id).name
    return "\n".join(
        (
            f"{assignment.title} ({class_name})",
            STUDENT_INSTRUCTION,
            dates_line(assignment),
            link,
        )
    )


def lms_texts(assignment: Assignment, link: str) -> list[LmsText]:
    """The LMS-ready text with, for each LMS, where it goes."""
    text = lms_text(assignment, link)
    return [LmsText(lms, where, text) for lms, where in LMS_PLACES]


def embed_snippet(assignment: Assignment, link: str) -> str:
    """An <iframe> for an LMS page or a class website, showing the student link."""
    title = escape(f"{assignment.title} · {APP_NAME}")
    return (
        f'<iframe src="{escape(link)}" title="{title}" width="100%" height="800" '
        'allow="fullscreen" loading="lazy"></iframe>'
    )


@dataclass(frozen=True)
class SharePanel:
    """Everything the assignment page's "Share with students" section shows."""

    link: str
    short: str
    qr: Markup
    share_links: list[ShareLink]
    lms_texts: list[LmsText]
    embed: str


def share_panel(assignment: Assignment) -> SharePanel:
    link = student_link(assignment)
    return SharePanel(
        link=link,
        short=short_link(link),
        qr=qr_svg(link),
        share_links=share_links(assignment, link),
        lms_texts=lms_texts(assignment, link),
        embed=embed_snippet(assignment, link),
    )
