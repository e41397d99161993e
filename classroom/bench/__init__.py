"""The benchmark's side inside the app: `flask bench seed|targets|explain` and the baseline routes.

The load generator, scenarios and results live in bench/ at the top of the repository.
"""

from flask import Flask


def register(app: Flask) -> None:
    """Add the `flask bench` commands; add the baseline routes only when BENCH_ROUTES is on."""
    from .cli import bench_group

    app.cli.add_command(bench_group)
    if app.config.get("BENCH_ROUTES"):
        from .baseline import bp

        app.register_blueprint(bp)
