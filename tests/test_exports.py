"""CSV exports: contents, RFC 4180 quoting, UTF-8 with BOM, and formula-injection safety."""

import csv
import io

import pytest

from classroom.dashboard.exports import BOM, export_text, filename, safe_cell, to_csv


def parse(text):
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[len(BOM) :], newline="")))


@pytest.mark.parametrize(
    "value,expected",
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+7 912 345", "'+7 912 345"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("plain text", "plain text"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (42, "42"),
        ("Память", "Память"),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_to_csv_quotes_as_rfc_4180_and_round_trips():
    text = to_csv(["Name", "Text"], [["Sasha, K", 'She said "never"\nand left'], ["=1+1", "Ёлка"]])
    assert text.startswith(BOM + "Name,Text\r\n")
    assert '"Sasha, K","She said ""never""\nand left"\r\n' in text
    assert parse(text) == [["Name", "Text"], ["Sasha, K", 'She said "never"\nand left'], ["'=1+1", "Ёлка"]]


def test_export_text_is_plain_with_paragraphs_and_list_and_quote_markers():
    assert export_text("**Hi** <script>x</script>\n\n\n\n- one\n- two") == "Hi x\n\n- one\n- two"
    assert export_text("> they said\n> so\n\n1. first\n2. second\n\nA & B < C") == (
        "> they said\n> so\n\n1. first\n2. second\n\nA & B < C"
    )


def test_filename_is_safe_ascii():
    assert filename("History 11B", "Memory & the Stalin legacy", "3", "reflections") == (
        "history-11b-memory-the-stalin-legacy-3-reflections.csv"
    )
    assert filename("Класс", "", "7") == "7.csv"
    assert filename("Класс") == "export.csv"
    assert filename('a"; b\r\nc') == "a-b-c.csv"


@pytest.fixture
def exported(make_student, make_reflection, school_class, assignment):
    p0, p1, _ = assignment.prompts
    sasha = make_student(school_class, "=cmd|' /C calc'!A0")
    misha = make_student(school_class, "Миша")
    make_reflection(
        sasha, p0, "**Bold** start, then -1 and a <b>tag</b>\n\n> quoted line", status="approved", cited_seconds=754
    )
    make_reflection(misha, p1, '@everyone Память, "кавычки"', status="rejected", feedback="No.")
    make_reflection(misha, p0, "secret draft", status="draft")
    return assignment


def test_reflections_csv(teacher_client, exported, school_class):
    response = teacher_client.get(f"/dashboard/assignments/{exported.id}/reflections.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="history-11b-memory-and-the-stalin-legacy-{exported.id}-reflections.csv"'
    )
    rows = parse(response.get_data().decode("utf-8"))
    assert rows[0] == [
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
    assert len(rows) == 3  # the draft stays private
    first, second = rows[1], rows[2]
    assert first[:8] == [
        "History 11B",
        "Memory and the Stalin legacy",
        "'=cmd|' /C calc'!A0",
        "What do you notice in the opening images?",
        "0:01:00",
        "0:12:34",
        "Approved",
        "9",
    ]
    assert first[8] == "Bold start, then -1 and a tag\n\n> quoted line"  # the quote keeps its marker (issue 13)
    # Issue 9 added the feedback and stance columns; the times follow in order (started, submitted, decided).
    assert len(first[12]) == 16 and len(first[13]) == 16 and first[14] == ""
    assert second[2] == "Миша" and second[6] == "Rejected" and second[5] == ""
    assert second[8] == '\'@everyone Память, "кавычки"'


def test_matrix_csv(teacher_client, exported, make_student, school_class):
    make_student(school_class, "-Zoya")
    response = teacher_client.get(f"/dashboard/assignments/{exported.id}/completion.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith(f'-{exported.id}-completion.csv"')
    rows = parse(response.get_data().decode("utf-8"))
    assert rows[0] == [
        "Student",
        "0:01:00 What do you notice in the opening images?",
        "0:10:00 Why do some people still lay flowers for Stalin?",
        "0:50:00 Who keeps the record when the state does not?",
        "Done (of 3)",
    ]
    assert rows[1:] == [
        ["'-Zoya", "Not started", "Not started", "Not started", "0"],
        ["'=cmd|' /C calc'!A0", "Approved", "Not started", "Not started", "1"],
        ["Миша", "Draft", "Rejected", "Not started", "0"],
    ]


def test_reflections_csv_has_feedback_stance_answers_and_only_the_current_decision(
    app, teacher_client, make_student, make_reflection, make_stance, school_class, assignment
):
    from datetime import timedelta

    from classroom.models import utcnow

    p0, p1, _ = assignment.prompts
    lena, oleg = make_student(school_class, "Lena"), make_student(school_class, "Oleg")
    now = utcnow()
    make_reflection(
        lena,
        p0,
        "First try.",
        status="returned",
        feedback="Say more about the flowers.",
        submitted_at=now - timedelta(hours=2),
        decided_at=now - timedelta(hours=1),
    )
    # Returned, rewritten and handed in again: the old decision and its feedback are not its decision.
    make_reflection(
        oleg,
        p0,
        "- one point\n- another point",
        status="awaiting",
        feedback="Too short.",
        submitted_at=now,
        decided_at=now - timedelta(hours=1),
    )
    make_reflection(
        oleg,
        p1,
        "Rude.",
        status="rejected",
        feedback="Not kind to a classmate.",
        submitted_at=now - timedelta(hours=3),
        decided_at=now - timedelta(hours=2),
    )
    options = assignment.stance_options
    make_stance(lena, assignment, "pre", 0)
    make_stance(lena, assignment, "post", 2)
    make_stance(oleg, assignment, "pre", 1)
    rows = parse(teacher_client.get(f"/dashboard/assignments/{assignment.id}/reflections.csv").get_data().decode())
    header = rows[0]
    by = {(row[2], row[3][:10]): dict(zip(header, row, strict=True)) for row in rows[1:]}
    lena_row = by[("Lena", p0.text[:10])]
    assert lena_row["Teacher's feedback or reason"] == "Say more about the flowers."
    assert (lena_row["Answer before viewing"], lena_row["Answer after viewing"]) == (options[0], options[2])
    times = [lena_row["Started (UTC)"], lena_row["Submitted (UTC)"], lena_row["Decided (UTC)"]]
    assert all(times) and times[1] < times[2]
    resubmitted = by[("Oleg", p0.text[:10])]
    assert resubmitted["Status"].startswith("Awaiting")
    assert resubmitted["Decided (UTC)"] == "" and resubmitted["Teacher's feedback or reason"] == ""
    # List markers kept (the leading one guarded against formula injection).
    assert resubmitted["Text"] == "'- one point\n- another point"
    assert (resubmitted["Answer before viewing"], resubmitted["Answer after viewing"]) == (options[1], "")
    rejected = by[("Oleg", p1.text[:10])]
    assert rejected["Teacher's feedback or reason"] == "Not kind to a classmate." and rejected["Decided (UTC)"]
