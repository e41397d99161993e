"""Stored user HTML carries the sanitiser policy version that cleaned it (issue 8, issue 13).

Pages show stored HTML as is only under the current version; anything else (an older policy, a row
written by anything but the save path) is cleaned again on the way to the page.
"""

import csv
import io

import pytest
from flask import url_for

from classroom import sanitize
from classroom.dashboard.exports import export_text
from classroom.extensions import db
from classroom.models import Reflection
from classroom.sanitize import POLICY_VERSION, render_for_storage, text_of_html, user_html
from classroom.student.reflections import reclean_stored_text

from .conftest import login_as

HOSTILE = (
    '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">'
    '<p onclick="window.pwned=3">Hostile <a href="javascript:alert(1)">link</a></p>'
    "<iframe src=//evil.example></iframe><svg onload=alert(4)></svg><style>body{}</style>"
)
# What the payload's markup looks like if any of it survives (its text may stay, as escaped text).
SURVIVORS = (
    "<script>window",
    "onerror=",
    "onclick=",
    "onload=",
    "<img src=x",
    "<iframe src=//evil",
    'href="javascript',
    "<style>body",
)


def _store_straight(app, reflection_id, html, policy):
    """Write HTML into a row the way no save path does: straight into the table."""
    with app.app_context():
        db.session.execute(
            db.update(Reflection)
            .where(Reflection.id == reflection_id)
            .values(body_html=html, html_policy=policy)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()


@pytest.fixture
def shown(app, teacher, school_class, make_assignment, make_student, write_reflection, answer_stance):
    """A class where one reflection is approved and starred (classmates, list, highlights) and one awaits
    a decision (queue), both saved through the student's save path."""
    work = make_assignment(school_class, require_approval=False)
    writer, reader = make_student(school_class, "Writer"), make_student(school_class, "Reader")
    answer_stance(reader, work)
    prompt = work.prompts[0]
    approved = write_reflection(writer, prompt, "I saw **flowers** at the grave.")
    with app.app_context():
        row = db.session.get(Reflection, approved.id)
        row.starred = True
        awaiting = Reflection(
            student_id=reader.id, prompt_id=prompt.id, body="Who keeps the record?",
            body_html="<p>Who keeps the record?</p>", status="awaiting", word_count=4,
        )  # fmt: skip
        db.session.add(awaiting)
        db.session.commit()
        awaiting_id = awaiting.id
    return {"assignment": work, "writer": writer, "reader": reader, "approved": approved.id, "awaiting": awaiting_id}


def _pages(app, shown, school_class):
    """Every page that shows a reflection's HTML, with who may open it."""
    work = shown["assignment"]
    with app.test_request_context():
        return [
            ("writer", url_for("student.assignment", assignment_id=work.id)),
            ("reader", url_for("student.assignment", assignment_id=work.id)),
            ("teacher", url_for("dashboard.reflections", assignment_id=work.id)),
            ("teacher", url_for("dashboard.highlights", assignment_id=work.id)),
            ("teacher", url_for("moderation.queue", class_id=school_class.id)),
            ("teacher", url_for("moderation.history", reflection_id=shown["approved"])),
            ("teacher", url_for("moderation.history", reflection_id=shown["awaiting"])),
        ]


def _open_as(app, who, shown, teacher, address):
    client = app.test_client()
    login_as(client, {"teacher": teacher, "writer": shown["writer"], "reader": shown["reader"]}[who])
    response = client.get(address)
    assert response.status_code == 200, address
    return response.get_data(as_text=True)


def test_the_save_path_stores_clean_html_plain_text_and_the_current_policy_version(app, shown):
    with app.app_context():
        row = db.session.get(Reflection, shown["approved"])
        assert row.html_policy == POLICY_VERSION
        assert row.body_html == "<p>I saw <strong>flowers</strong> at the grave.</p>"
        assert row.body_text == "I saw flowers at the grave."


@pytest.mark.parametrize("policy", [None, "an-older-policy"], ids=["no-version", "older-version"])
def test_hostile_html_without_the_current_version_is_cleaned_on_every_page(app, teacher, school_class, shown, policy):
    for reflection_id in (shown["approved"], shown["awaiting"]):
        _store_straight(app, reflection_id, HOSTILE, policy)
    for who, address in _pages(app, shown, school_class):
        page = _open_as(app, who, shown, teacher, address)
        assert "Hostile" in page, (who, address)
        assert [s for s in SURVIVORS if s in page] == [], (who, address)


def test_html_under_the_current_version_is_shown_as_stored_without_cleaning_again(
    app, teacher, school_class, shown, monkeypatch
):
    # <u> is outside the allowlist: cleaning again would strip it, so seeing it proves nothing re-cleaned.
    _store_straight(app, shown["approved"], "<p>Kept <u>as stored</u></p>", POLICY_VERSION)
    cleaned = []
    real = sanitize.sanitize_html
    monkeypatch.setattr(sanitize, "sanitize_html", lambda html: cleaned.append(html) or real(html))
    work = shown["assignment"]
    with app.test_request_context():
        addresses = [
            ("reader", url_for("student.assignment", assignment_id=work.id)),
            ("teacher", url_for("dashboard.highlights", assignment_id=work.id)),
            ("teacher", url_for("moderation.history", reflection_id=shown["approved"])),
        ]
    for who, address in addresses:
        assert "Kept <u>as stored</u>" in _open_as(app, who, shown, teacher, address), address
    assert "<p>Kept <u>as stored</u></p>" not in cleaned


def test_a_policy_change_reaches_old_rows(app, teacher, school_class, shown, monkeypatch):
    _store_straight(app, shown["approved"], "<p>Kept <u>as stored</u></p>", POLICY_VERSION)
    monkeypatch.setattr(sanitize, "POLICY_VERSION", "the-next-policy")
    work = shown["assignment"]
    with app.test_request_context():
        address = url_for("dashboard.highlights", assignment_id=work.id)
    page = _open_as(app, "teacher", shown, teacher, address)
    assert "Kept as stored" in page and "<u>" not in page


def test_user_html_filter_trusts_only_the_current_version():
    assert str(user_html("<p>x<u>y</u></p>", POLICY_VERSION)) == "<p>x<u>y</u></p>"
    for policy in (None, "", "old"):
        assert str(user_html("<p>x<u>y</u><script>z</script></p>", policy)) == "<p>xyz</p>"
    assert str(user_html(None, None)) == ""


def test_reclean_renders_stale_rows_again_and_keeps_current_ones(app, shown, runner):
    _store_straight(app, shown["approved"], HOSTILE, None)
    with app.app_context():
        untouched = db.session.get(Reflection, shown["approved"]).updated_at
    result = runner.invoke(args=["reclean-reflections"])
    assert result.exit_code == 0 and "Rendered 2 reflections" in result.output
    with app.app_context():
        approved = db.session.get(Reflection, shown["approved"])
        awaiting = db.session.get(Reflection, shown["awaiting"])
        assert (approved.body_html, approved.body_text, approved.html_policy) == (
            "<p>I saw <strong>flowers</strong> at the grave.</p>", "I saw flowers at the grave.", POLICY_VERSION,
        )  # fmt: skip
        assert approved.updated_at == untouched
        assert awaiting.html_policy == POLICY_VERSION and awaiting.body_text == "Who keeps the record?"
        assert reclean_stored_text() == 0


def test_the_csv_uses_the_stored_plain_text_under_the_current_version(app, teacher, shown):
    work = shown["assignment"]
    with app.app_context():
        row = db.session.get(Reflection, shown["approved"])
        row.body_text = "Stored text\n\n- with its list"
        db.session.commit()
    with app.test_request_context():
        address = url_for("dashboard.reflections_csv", assignment_id=work.id)
    client = app.test_client()
    login_as(client, teacher)
    rows = list(csv.reader(io.StringIO(client.get(address).get_data(as_text=True).lstrip("\ufeff"))))
    texts = [r[rows[0].index("Text")] for r in rows[1:]]
    assert "Stored text\n\n- with its list" in texts
    # Without the current version the stored text is not trusted: it is made again from what was written.
    _store_straight(app, shown["approved"], "<p>x</p>", None)
    rows = list(csv.reader(io.StringIO(client.get(address).get_data(as_text=True).lstrip("\ufeff"))))
    texts = [r[rows[0].index("Text")] for r in rows[1:]]
    assert "I saw flowers at the grave." in texts and "Stored text\n\n- with its list" not in texts


def test_plain_text_keeps_paragraphs_list_and_quote_markers():
    written = "First *point*.\n\n> A quote\n> on two lines\n\n- one\n- two\n\nThen:\n\n1. first\n2. second"
    stored = render_for_storage(written)
    assert stored.text == "First point.\n\n> A quote\n> on two lines\n\n- one\n- two\n\nThen:\n\n1. first\n2. second"
    assert text_of_html("<p>a &amp; b &lt;c&gt;<br>d</p>") == "a & b <c>\nd"
    assert export_text("x", "stored", POLICY_VERSION) == "stored"
    assert export_text("**x**", "stored", "old") == "x"
