"""`flask bench ...`: seed a district, write the load generator's targets, explain the hot pages."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask.cli import AppGroup

from .seed import BENCH_PASSWORD, NotEmpty, SeedSizes, seed_district

bench_group = AppGroup("bench", help="Benchmark data and targets (for a database of its own, never a school's).")

DEFAULTS = SeedSizes()


def _sizes(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part.strip())


@bench_group.command("seed")
@click.option("--teachers", default=DEFAULTS.teachers, show_default=True, type=click.IntRange(2))
@click.option("--classes", default=DEFAULTS.classes, show_default=True, type=click.IntRange(1))
@click.option("--students", default=DEFAULTS.students, show_default=True, type=click.IntRange(1))
@click.option("--reflections", default=DEFAULTS.reflections, show_default=True, type=click.IntRange(0))
@click.option(
    "--home-classes", default="1,10,50", show_default=True, help="Teachers whose home lists this many classes."
)
@click.option("--class-sizes", default="5,30,200", show_default=True, help="Classes of these sizes, for growth.")
@click.option("--lesson-class", default=DEFAULTS.lesson_class, show_default=True, type=click.IntRange(1))
@click.option("--fortune-keys", default=DEFAULTS.fortune_keys, show_default=True, type=click.IntRange(1))
@click.option("--text-pool", default=DEFAULTS.text_pool, show_default=True, type=click.IntRange(1))
@click.option("--seed", "random_seed", default=DEFAULTS.seed, show_default=True, type=int)
@click.option("--password", default=BENCH_PASSWORD, show_default=True, help="Every seeded teacher's password.")
@click.option(
    "--targets",
    "targets_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the load generator's targets here (needs BENCH_ROUTES=1).",
)
def seed_command(
    teachers,
    classes,
    students,
    reflections,
    home_classes,
    class_sizes,
    lesson_class,
    fortune_keys,
    text_pool,
    random_seed,
    password,
    targets_path,
):
    """Fill an empty database with a district: teachers, classes, students, reflections."""
    sizes = SeedSizes(
        teachers=teachers,
        classes=classes,
        students=students,
        reflections=reflections,
        home_classes=_sizes(home_classes),
        class_sizes=_sizes(class_sizes),
        lesson_class=lesson_class,
        fortune_keys=fortune_keys,
        text_pool=text_pool,
        seed=random_seed,
    )
    started = time.perf_counter()
    try:
        counts = seed_district(sizes, password=password, log=click.echo)
    except (NotEmpty, ValueError) as refused:
        raise click.ClickException(str(refused)) from refused
    elapsed = time.perf_counter() - started
    for table, n in counts.items():
        click.echo(f"{table:>18}: {n:,}")
    click.echo(f"Seeded in {elapsed:.1f} s.")
    if targets_path:
        _write(targets_path, password)


@bench_group.command("targets")
@click.option("--out", "targets_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--password", default=BENCH_PASSWORD, show_default=True)
def targets_command(targets_path, password):
    """Write the URLs and logins the load generator needs (built with url_for; needs BENCH_ROUTES=1)."""
    _write(targets_path, password)


@bench_group.command("explain")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
def explain_command(out_path):
    """Request each hot page once as its user and write EXPLAIN ANALYZE of every statement it ran."""
    from .explain import hot_pages, report
    from .targets import NoDistrict

    try:
        pages = hot_pages()
    except NoDistrict as missing:
        raise click.ClickException(str(missing)) from missing
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(report(pages), encoding="utf-8")
    for page in pages:
        click.echo(f"{page.name:>40}: {page.status}, {len(page.statements)} statements, {page.execution_ms} ms")
    click.echo(f"Wrote the plans to {out_path}.")


def _write(path: Path, password: str) -> None:
    from .targets import NoDistrict, write_targets

    try:
        write_targets(path, password)
    except NoDistrict as missing:
        raise click.ClickException(str(missing)) from missing
    click.echo(f"Wrote the targets to {path}.")
