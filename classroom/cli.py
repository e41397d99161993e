"""Command-line tasks for a school's IT person: `flask create-teacher`, `flask load-film`, `flask seed-demo`."""

import click
from flask import Flask


def register(app: Flask) -> None:
    from .lms.cli import register as register_lti

    register_lti(app)

    @app.cli.command("create-teacher")
    @click.option("--name", prompt="Teacher's name")
    @click.option("--email", prompt="Teacher's email")
    @click.password_option("--password", help="At least 10 characters.")
    @click.option("--admin", is_flag=True, help="Also a school administrator: manages the LMS platforms (LTI).")
    def create_teacher_command(name: str, email: str, password: str, admin: bool) -> None:
        """Create a teacher account (for schools that close open sign-up)."""
        from .auth.accounts import EmailTaken, create_teacher
        from .auth.forms import MIN_PASSWORD
        from .passwords import password_problem

        if len(password) < MIN_PASSWORD:
            raise click.ClickException(f"The password needs at least {MIN_PASSWORD} characters.")
        problem = password_problem(password, email, name)
        if problem:
            raise click.ClickException(problem)
        try:
            teacher = create_teacher(name, email, password)
        except EmailTaken as taken:
            raise click.ClickException(str(taken)) from taken
        if admin:
            from .extensions import db

            teacher.is_admin = True
            db.session.commit()
        role = "school administrator" if admin else "teacher"
        click.echo(f"Created {role} {teacher.name} <{teacher.email}>.")

    @app.cli.command("load-film")
    def load_film_command() -> None:
        """Create or refresh The Red Soul's catalogue record."""
        from .film import load_film

        film = load_film()
        click.echo(f"Loaded {film.title} ({film.director}, {film.copyright_year}).")

    @app.cli.command("seed-demo")
    def seed_demo_command() -> None:
        """Load the film and, on an empty database, a demo teacher, class and assignment."""
        from .demo import demo_report, seed_demo

        for line in demo_report(seed_demo()):
            click.echo(line)

    @app.cli.command("reclean-reflections")
    def reclean_reflections_command() -> None:
        """Render every reflection stored under an older sanitiser policy (or none) again, in batches."""
        from .sanitize import POLICY_VERSION
        from .student.reflections import reclean_stored_text

        click.echo(f"Rendered {reclean_stored_text():,} reflections again under policy {POLICY_VERSION}.")
