"""The hot pages stay cheap: what each one asks the database, whatever the size of the installation."""

from classroom.classes import logic
from classroom.extensions import db
from classroom.models import Teacher


def test_teacher_home_counts_per_class_in_one_query_whatever_else_is_installed(
    app, teacher, other_teacher, make_class, make_student, make_assignment, count_queries
):
    mine = [make_class(teacher, name=f"Class {n}") for n in range(3)]
    make_assignment(mine[0])
    for n in range(4):
        make_student(mine[1], f"Student {n}")
    theirs = make_class(other_teacher, name="Class 0")
    make_assignment(theirs)
    for n in range(6):
        make_student(theirs, f"Other {n}")
    with count_queries(app) as seen, app.app_context():
        rows = logic.classes_with_counts(db.session.get(Teacher, teacher.id))
        found = [(c.name, a, s) for c, a, s in rows]
    assert found == [("Class 0", 1, 0), ("Class 1", 0, 4), ("Class 2", 0, 0)]
    counting = [s for s in seen if "count(" in s.lower()]
    assert len(counting) == 1
    # Counted per class (correlated to the teacher's classes), never by grouping whole tables.
    assert "GROUP BY" not in counting[0].upper()


VTT = "WEBVTT\n\n" + "".join(
    f"00:{n // 60:02d}:{n % 60:02d}.000 --> 00:{n // 60:02d}:{n % 60:02d}.900\nLine {n}\n\n" for n in range(600)
)


def test_pages_never_load_the_captions_text_only_the_captions_file_does(
    app, teacher, school_class, make_assignment, student, student_client, answer_stance, count_queries
):
    from tests.conftest import login_as

    assignment = make_assignment(school_class, captions_vtt=VTT, video_url="https://media.school.example/film.mp4")
    answer_stance(student, assignment)
    teacher_client = app.test_client()
    login_as(teacher_client, teacher)
    with app.test_request_context():
        from flask import url_for

        student_page = url_for("student.assignment", assignment_id=assignment.id)
        teacher_pages = [
            url_for("classes.assignment", assignment_id=assignment.id),
            url_for("classes.show", class_id=school_class.id),
            url_for("classes.edit_assignment", assignment_id=assignment.id),
            url_for("dashboard.assignment", assignment_id=assignment.id),
        ]
        captions = url_for("student.captions_in", assignment_id=assignment.id, language="en")
    with count_queries(app) as seen:
        page = student_client.get(student_page).get_data(as_text=True)
        for url in teacher_pages:
            assert teacher_client.get(url).status_code == 200
    assert f'src="{captions}"' in page
    assert not [s for s in seen if "caption_tracks.vtt" in s.split("FROM")[0]]
    with count_queries(app) as seen:
        response = student_client.get(captions)
    assert response.status_code == 200 and response.get_data(as_text=True) == VTT
    assert len([s for s in seen if "caption_tracks.vtt" in s]) == 1


def test_reflections_list_loads_one_page_in_sql_and_pages_add_up_to_the_whole_list(
    app, teacher, school_class, make_assignment, count_queries
):
    from classroom.dashboard.stats import reflections_for, reflections_page
    from classroom.models import Assignment, Reflection, Student
    from classroom.sanitize import render_reflection

    assignment = make_assignment(school_class)
    with app.app_context():
        prompts = db.session.get(Assignment, assignment.id).prompts
        students = [
            Student(class_id=school_class.id, display_name=f"Student {n:03d}", return_code=f"c-{n}") for n in range(60)
        ]
        db.session.add_all(students)
        db.session.flush()
        for n, student in enumerate(students):
            for prompt in prompts[:2]:
                body = "Memory and silence." if n % 3 else "The flowers and the archive."
                status = ("approved", "awaiting", "returned", "draft")[n % 4]
                db.session.add(
                    Reflection(
                        student_id=student.id, prompt_id=prompt.id, body=body, body_html=str(render_reflection(body)),
                        word_count=3, status=status,
                    )
                )  # fmt: skip
        db.session.commit()
    with app.app_context():
        work = db.session.get(Assignment, assignment.id)
        for term, status in (("", ""), ("flowers", ""), ("", "approved"), ("memory", "awaiting")):
            whole = [r.id for r in reflections_for(work, None, term, status)]
            first = reflections_page(work, None, term, status, page=1, per_page=20)
            assert first.total == len(whole) and first.pages == -(-len(whole) // 20)
            paged = []
            for number in range(1, first.pages + 1):
                listed = reflections_page(work, None, term, status, page=number, per_page=20)
                assert listed.page == number and len(listed.reflections) <= 20
                paged += [r.id for r in listed.reflections]
            assert paged == whole
            assert reflections_page(work, None, term, status, page=999, per_page=20).page == first.pages
            assert reflections_page(work, None, term, status, page=-3, per_page=20).page == 1
    with count_queries(app) as seen, app.app_context():
        listed = reflections_page(db.session.get(Assignment, assignment.id), page=2, per_page=20)
    assert len(listed.reflections) == 20
    assert any("LIMIT" in s and "FROM reflections" in s for s in seen)


def test_reflections_list_page_through_http(
    app, teacher, teacher_client, school_class, make_assignment, make_student, make_reflection
):
    assignment = make_assignment(school_class)
    prompt = assignment.prompts[0]
    for n in range(55):
        make_reflection(make_student(school_class, f"Pupil {n:02d}"), prompt, status="approved")
    first = teacher_client.get(f"/dashboard/assignments/{assignment.id}/reflections").get_data(as_text=True)
    second = teacher_client.get(f"/dashboard/assignments/{assignment.id}/reflections?page=2").get_data(as_text=True)
    assert "55 reflections" in first and "Page 1 of 2" in first and "Next page" in first
    assert first.count('class="answer"') == 50 and second.count('class="answer"') == 5
    assert "Pupil 00" in first and "Pupil 54" in second and "Pupil 54" not in first


def test_reflection_indexes_are_the_ones_the_pages_use(app):
    from sqlalchemy import inspect

    with app.app_context():
        inspector = inspect(db.engine)
        reflections = {ix["name"]: ix for ix in inspector.get_indexes("reflections")}
        stance = {ix["name"] for ix in inspector.get_indexes("stance_answers")}
    # Covered by the unique constraints that start with student_id, or never chosen by the planner.
    assert not {"ix_reflections_student_id", "ix_reflections_status", "ix_reflections_flagged"} & set(reflections)
    assert "ix_stance_answers_student_id" not in stance
    assert reflections["ix_reflections_awaiting"]["column_names"] == ["prompt_id", "flagged"]
    assert reflections["ix_reflections_starred"]["column_names"] == ["prompt_id"]
    where = [
        str(getattr(v, "text", v)) for v in reflections["ix_reflections_awaiting"].get("dialect_options", {}).values()
    ]
    assert where and "awaiting" in where[0]


def test_a_save_renders_the_text_once_and_reads_nothing_back(
    app, student, student_client, assignment, answer_stance, count_queries, monkeypatch
):
    """The page's script saves with JSON: one Markdown pass for the text (the form's check, the save's
    check, the stored HTML and the word count share it), the dashboards' cache told which assignment
    changed without asking the database, and the answer built from what the save wrote."""
    import markdown

    from classroom.models import Reflection

    answer_stance(student, assignment)
    prompt = assignment.prompts[0]
    conversions = []
    convert = markdown.Markdown.convert
    monkeypatch.setattr(
        markdown.Markdown, "convert", lambda self, text: conversions.append(text) or convert(self, text)
    )
    url = f"/student/assignments/{assignment.id}/prompts/{prompt.id}"
    version = 0
    for n, button in enumerate(("save_draft", "send")):
        text = f"Save number {n}: the *flowers* and the lists of names."
        data = {f"p{prompt.id}-body": text, f"p{prompt.id}-version": str(version), f"p{prompt.id}-{button}": "1"}
        with count_queries(app) as seen:
            response = student_client.post(url, data=data, headers={"Accept": "application/json"})
        answer = response.get_json()
        assert response.status_code == 200 and answer["saved"] is True and answer["version"] == version + 1
        version = answer["version"]
        assert conversions.count(text) == 1
        assert not [s for s in seen if s.lstrip().upper().startswith("SELECT PROMPTS.ASSIGNMENT_ID")]
        # Nothing is read after the commit: the last statement is the save's own write.
        writes = [i for i, s in enumerate(seen) if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
        assert writes and not [s for s in seen[writes[-1] + 1 :] if s.lstrip().upper().startswith("SELECT")]
    assert answer["status"] == "awaiting" and answer["send_button"] == "Save changes"
    with app.app_context():
        saved = db.session.scalars(db.select(Reflection).filter_by(student_id=student.id, prompt_id=prompt.id)).one()
        assert saved.version == 2 and saved.status == "awaiting" and "<em>flowers</em>" in saved.body_html
