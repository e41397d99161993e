"""Where a `next` may send someone (issue 8 item 10), and what a student's own page may show before an
assignment opens."""

import re
from datetime import timedelta
from pathlib import Path

import pytest

from classroom.models import utcnow
from classroom.web import safe_next

PACKAGE = Path(__file__).resolve().parent.parent / "classroom"


@pytest.mark.parametrize(
    "target",
    [
        "/\t/evil.com",
        "/\n/evil.com",
        "/\r\n/evil.com",
        "\t//evil.com",
        "/\\evil.com",
        "/a\\b",
        "/lessons/\x00",
        "/lessons/\x7f",
        "/\x0b/evil.com",
        "//evil.com",
        "https://evil.com/",
        "javascript:alert(1)",
        " /lessons/",
    ],
)
def test_off_site_and_control_characters_are_refused(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", ["/lessons/3", "/moderation/classes/1?assignment=2&page=3", "/student#prompt-4"])
def test_paths_on_this_site_pass(target):
    assert safe_next(target) == target


def test_every_next_the_app_reads_goes_through_safe_next():
    """A new `request.args.get("next")` or `request.form.get("next")` without safe_next fails here."""
    reads = re.compile(r"""request\.(?:args|form|values)(?:\.get\(|\[)\s*["']next["']""")
    unguarded = []
    for path in PACKAGE.rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if reads.search(line) and "safe_next(" not in line:
                unguarded.append(f"{path.relative_to(PACKAGE)}:{number}")
    assert unguarded == []


def test_the_star_form_refuses_a_tab_trick(app, teacher_client, student, assignment, make_reflection):
    reflection = make_reflection(student, assignment.prompts[0], status="approved")
    response = teacher_client.post(
        f"/moderation/reflections/{reflection.id}/star", data={"starred": "1", "next": "/\t/evil.com"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/moderation/reflections/{reflection.id}"
    inside = teacher_client.post(
        f"/moderation/reflections/{reflection.id}/star", data={"starred": "0", "next": "/dashboard/classes/1"}
    )
    assert inside.headers["Location"] == "/dashboard/classes/1"


@pytest.mark.parametrize("sneaky", ["/%09/evil.com", "/%0a/evil.com", "/%5cevil.com"])
def test_login_and_resume_refuse_encoded_tricks(client, teacher, student, sneaky):
    from tests.conftest import TEACHER_PASSWORD

    login = client.post(
        f"/auth/login?next={sneaky}", data={"email": "ada@school.example", "password": TEACHER_PASSWORD}
    )
    assert login.status_code == 302 and "evil" not in login.headers["Location"]
    client.post("/auth/logout")
    resume = client.post(f"/join/resume?next={sneaky}", data={"return_code": student.return_code})
    assert resume.status_code == 302 and "evil" not in resume.headers["Location"]


# --- /student (the old /me): nothing of an assignment before it opens -------------------------


def test_my_assignments_hides_the_prompts_of_an_assignment_not_yet_open(
    app, student_client, school_class, make_assignment, make_plan, teacher
):
    later_plan = make_plan(teacher, title="Later", prompts=[(120, "A secret question for next week", "memory", False)])
    make_assignment(school_class, plan=later_plan, opens_at=utcnow() + timedelta(days=7), title="Next week")
    now_plan = make_plan(teacher, title="Now", prompts=[(60, "An open question for today", "memory", False)])
    make_assignment(school_class, plan=now_plan, title="This week")
    page = student_client.get("/student").get_data(as_text=True)
    assert "Next week" in page and "Not open yet" in page
    assert "A secret question for next week" not in page
    assert "An open question for today" in page
