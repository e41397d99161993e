"""Red Soul Classroom: one documentary turned into a moderated class discussion."""

import logging
from pathlib import Path

from flask import Flask, render_template

from . import bench, cli, headers, logs, templating, web
from . import cache as aggregate_cache
from .config import defaults
from .embed import policy as embed_policy
from .extensions import csrf, db, limiter, login_manager, migrate
from .startup import finish_config

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Inline scripts and styles are forbidden; media may come from the school's licensed https stream.
# frame-ancestors is added per page by classroom.embed.policy (student pages may sit in the school's LMS).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self' https:; object-src 'none'; base-uri 'self'; form-action 'self'"
)


def create_app(config: dict | None = None) -> Flask:
    """Build the app; `config` overrides the defaults (tests pass their own database)."""
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(defaults(app.instance_path))
    if config:
        app.config.update(config)
    finish_config(app, overrides=config or {})

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    embed_policy.init_app(app)
    headers.init_app(app)
    logs.init_app(app)
    aggregate_cache.init_app(app)

    # Ids in paths are ASCII digits within a database integer; control characters never reach a view.
    app.url_map.converters["int"] = web.IdConverter
    app.before_request(web.refuse_control_characters_in_the_address)
    register_blueprints(app)
    templating.register(app)
    register_error_pages(app)
    cli.register(app)
    bench.register(app)

    @app.after_request
    def security_headers(response):
        frame_ancestors = embed_policy.frame_context().frame_ancestors
        response.headers.setdefault(
            "Content-Security-Policy", f"{CONTENT_SECURITY_POLICY}; frame-ancestors {frame_ancestors}"
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    return app


def register_blueprints(app: Flask) -> None:
    from . import access  # noqa: F401  (registers the session loader)
    from .auth.routes import bp as auth_bp
    from .classes import links, roster  # noqa: F401  (add the student link's and roster's routes to classes)
    from .classes.routes import bp as classes_bp
    from .dashboard.routes import bp as dashboard_bp
    from .embed.routes import bp as embed_bp
    from .join.routes import bp as join_bp
    from .lessons.routes import bp as lessons_bp
    from .lms import admin as lms_admin  # noqa: F401  (these add their routes to the lms blueprint)
    from .lms import roster as lms_roster  # noqa: F401
    from .lms import teacher as lms_teacher  # noqa: F401
    from .lms.routes import bp as lms_bp
    from .main import bp as main_bp
    from .marks.routes import bp as marks_bp
    from .moderation.routes import bp as moderation_bp
    from .moved import bp as moved_bp
    from .student.routes import bp as student_bp

    # Each blueprint's URL prefix is its package's name; README.md "How it fits together" maps them.
    blueprints = (
        main_bp,
        auth_bp,
        lessons_bp,
        classes_bp,
        join_bp,
        student_bp,
        moderation_bp,
        dashboard_bp,
        embed_bp,
        marks_bp,
        lms_bp,
        moved_bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)


def register_error_pages(app: Flask) -> None:
    for code, title in (
        (400, "That request could not be used"),
        (404, "Not found"),
        (429, "Slow down"),
        (500, "Something went wrong"),
    ):

        def handler(error, code=code, title=title):
            if code == 429:
                # Who hit which limit (the request's ip, user and path come with every line).
                log.warning("rate limit reached", extra={"event": "rate_limited", "limit": str(error.description)})
            return render_template("errors/error.html", code=code, title=title, error=error), code

        app.register_error_handler(code, handler)
