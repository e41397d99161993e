"""Migrations build the same schema as the models, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from classroom.extensions import db


def test_migrations_match_the_models(make_app):
    app = make_app()
    with app.app_context():
        db.drop_all()
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], "models changed without a migration: run `flask db migrate`"
        downgrade(revision="base")
        upgrade()
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE alembic_version")


def test_existing_assignments_get_their_own_student_link(make_app):
    """The migration that adds student links gives every assignment already in a school's database one."""
    app = make_app()
    with app.app_context():
        db.drop_all()
        upgrade(revision="86c27186e796")
        with db.engine.begin() as connection:
            run = connection.exec_driver_sql
            run(
                "INSERT INTO films (id, slug, title, director, copyright_year, release_year, running_time_seconds,"
                " languages, picture, premiere, festivals, licensing, form, synopsis) VALUES (1, 'f', 'F', 'D', 2017,"
                " 2017, 5400, 'ru', 'colour', 'p', '[]', 'l', 'doc', 's')"
            )
            run(
                "INSERT INTO teachers (id, name, email, password_hash, flag_words, created_at)"
                " VALUES (1, 'T', 't@x', 'h', '', CURRENT_TIMESTAMP)"
            )
            run(
                "INSERT INTO classes (id, teacher_id, name, term, join_code, join_enabled, created_at)"
                " VALUES (1, 1, 'C', '', 'ABCDEFGH', true, CURRENT_TIMESTAMP)"
            )
            for assignment_id in (1, 2, 3):
                run(
                    "INSERT INTO assignments (id, class_id, film_id, title, objectives, video_url, captions_vtt,"
                    " require_approval, show_classmates, anonymise, stance_question, stance_options, created_at)"
                    f" VALUES ({assignment_id}, 1, 1, 'A', '', '', '', true, true, true, 'Q', '[]', CURRENT_TIMESTAMP)"
                )
        upgrade()
        with db.engine.connect() as connection:
            tokens = [row[0] for row in connection.exec_driver_sql("SELECT link_token FROM assignments ORDER BY id")]
        assert len(tokens) == 3 and len(set(tokens)) == 3 and all(len(token) == 10 for token in tokens)
        downgrade(revision="base")
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE alembic_version")


def test_every_migration_keeps_a_schools_data(make_app):
    """From the first schema to the newest, no class, assignment, prompt or reflection is lost on the way
    (on SQLite a rebuilt table must not take the rows that depend on it with it)."""
    app = make_app()
    with app.app_context():
        db.drop_all()
        upgrade(revision="86c27186e796")
        with db.engine.begin() as connection:
            run = connection.exec_driver_sql
            run(
                "INSERT INTO films (id, slug, title, director, copyright_year, release_year, running_time_seconds,"
                " languages, picture, premiere, festivals, licensing, form, synopsis) VALUES (1, 'f', 'F', 'D', 2017,"
                " 2017, 5400, 'ru', 'colour', 'p', '[]', 'l', 'doc', 's')"
            )
            run(
                "INSERT INTO teachers (id, name, email, password_hash, flag_words, created_at)"
                " VALUES (1, 'T', 't@x', 'h', '', CURRENT_TIMESTAMP)"
            )
            run(
                "INSERT INTO classes (id, teacher_id, name, term, join_code, join_enabled, created_at)"
                " VALUES (1, 1, 'C', '', 'ABCDEFGH', true, CURRENT_TIMESTAMP)"
            )
            run(
                "INSERT INTO assignments (id, class_id, film_id, title, objectives, video_url, captions_vtt,"
                " require_approval, show_classmates, anonymise, stance_question, stance_options, created_at)"
                " VALUES (1, 1, 1, 'A', '', '', 'WEBVTT\n\nHello', true, true, true, 'Q', '[]', CURRENT_TIMESTAMP)"
            )
            run(
                "INSERT INTO prompts (id, assignment_id, text, time_seconds, theme, pause, time_confirmed, teacher_note)"
                " VALUES (1, 1, 'P', 60, 'memory', false, true, '')"
            )
            run(
                "INSERT INTO students (id, class_id, display_name, return_code, created_at)"
                " VALUES (1, 1, 'S', 'a-b-c', CURRENT_TIMESTAMP)"
            )
            run(
                "INSERT INTO reflections (id, student_id, prompt_id, body, body_html, word_count, status, version,"
                " feedback, starred, flagged, flag_details, created_at, updated_at)"
                " VALUES (1, 1, 1, 'b', 'b', 1, 'awaiting', 1, '', false, false, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        upgrade()
        with db.engine.connect() as connection:
            run = connection.exec_driver_sql
            for table in ("teachers", "classes", "assignments", "prompts", "students", "reflections"):
                assert run(f"SELECT count(*) FROM {table}").scalar() == 1, table
            assert run("SELECT is_admin FROM teachers").scalar() in (False, 0)
            assert tuple(run("SELECT marking_scheme, points_per_prompt FROM assignments").one()) == ("points", 2)
            # The three-word code is replaced by the class's number and four words, and the roster says so.
            code = run("SELECT return_code FROM students").scalar()
            assert code.startswith("1-") and len(code.split("-")) == 5
            assert run("SELECT return_codes_reissued_at FROM classes").scalar() is not None
            # The assignment's one captions file becomes its English track.
            assert tuple(run("SELECT assignment_id, language, vtt FROM caption_tracks").one()) == (
                1,
                "en",
                "WEBVTT\n\nHello",
            )
        downgrade(revision="b7d3e5f1a2c4")
        with db.engine.connect() as connection:
            # Going back puts the English track into the assignment's captions again.
            assert connection.exec_driver_sql("SELECT captions_vtt FROM assignments").scalar() == "WEBVTT\n\nHello"
        downgrade(revision="base")
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE alembic_version")


def test_existing_teachers_and_students_get_their_own_session_token(make_app):
    """Cookies from before session tokens stop working, and nobody shares a token (or has an empty one)."""
    app = make_app()
    with app.app_context():
        db.drop_all()
        upgrade(revision="e28fb485abd4")
        with db.engine.begin() as connection:
            run = connection.exec_driver_sql
            for teacher_id in (1, 2):
                run(
                    "INSERT INTO teachers (id, name, email, password_hash, flag_words, is_admin, created_at)"
                    f" VALUES ({teacher_id}, 'T', 't{teacher_id}@x', 'h', '', false, CURRENT_TIMESTAMP)"
                )
            run(
                "INSERT INTO classes (id, teacher_id, name, term, join_code, join_enabled, created_at)"
                " VALUES (1, 1, 'C', '', 'ABCDEFGH', true, CURRENT_TIMESTAMP)"
            )
            for student_id in (1, 2, 3):
                run(
                    "INSERT INTO students (id, class_id, display_name, return_code, created_at)"
                    f" VALUES ({student_id}, 1, 'S', 'a-b-{student_id}', CURRENT_TIMESTAMP)"
                )
        upgrade()
        with db.engine.connect() as connection:
            run = connection.exec_driver_sql
            tokens = [
                row[0] for row in run("SELECT session_token FROM teachers UNION ALL SELECT session_token FROM students")
            ]
        assert len(tokens) == 5 and len(set(tokens)) == 5 and all(len(token) >= 20 for token in tokens)
        downgrade(revision="base")
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE alembic_version")
