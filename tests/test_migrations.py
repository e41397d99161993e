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
