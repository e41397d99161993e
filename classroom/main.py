"""The front door, the film page with its glossary and timeline, and the health check."""

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from .access import is_student, is_teacher
from .extensions import db
from .film import the_film
from .glossary import glossary as load_glossary

bp = Blueprint("main", __name__)


@bp.route("/")
def home() -> ResponseReturnValue:
    if is_teacher():
        return redirect(url_for("classes.index"))
    if is_student():
        return redirect(url_for("student.home"))
    return render_template("main/home.html", film=the_film())


@bp.route("/film")
def film() -> ResponseReturnValue:
    return render_template("main/film.html", film=the_film())


@bp.route("/film/glossary")
def glossary() -> ResponseReturnValue:
    """Words and dates that help with the film, for teenagers: the Gulag, the NKVD, the war, 1956, Memorial..."""
    return render_template("main/glossary.html", film=the_film(), glossary=load_glossary())


@bp.route("/healthz")
def healthz() -> ResponseReturnValue:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # any driver error means the database is not answering
        db.session.rollback()
        return jsonify(status="error", reason=f"database unavailable: {type(error).__name__}"), 503
    return jsonify(status="ok")
