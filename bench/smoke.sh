#!/usr/bin/env bash
# CI's proof that the benchmark still works end to end: a tiny district in a PostgreSQL database of
# its own, then about a second of every scenario against gunicorn on 127.0.0.1, and a few requests of each
# in-process measurement. It fails when a scenario made no request or any request failed; it never judges how
# fast anything was.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_HOST=${PG_HOST:-127.0.0.1}
PG_USER=${PG_USER:-postgres}
DB="bench_smoke_$$"
OUT=${BENCH_SMOKE_OUT:-test-artifacts/bench-smoke/smoke.json}

createdb -h "$PG_HOST" -U "$PG_USER" "$DB"
trap 'dropdb -h "$PG_HOST" -U "$PG_USER" --if-exists "$DB"' EXIT

export DATABASE_URL="postgresql://$PG_USER@$PG_HOST:5432/$DB" BENCH_ROUTES=1 FLASK_APP=wsgi
export SECRET_KEY=bench-smoke-secret-key
.venv/bin/flask db upgrade
.venv/bin/flask bench seed
bench/.venv/bin/python bench/run.py --database "$DATABASE_URL" --suite all --duration 1 --rounds 1 \
    --out "$OUT" --check
for kind in page save queue basewrite; do
    .venv/bin/python bench/inprocess.py "$kind" 3
done
