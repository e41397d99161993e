#!/usr/bin/env bash
# The full measurement behind bench/RESULTS.md: seed the district, explain the hot pages, run the main and
# growth suites on it, then the growth suite again on a small installation (same fixtures) to show what
# does and does not grow with the installation. Takes 20-25 minutes; hold the test lock meanwhile.
#   bench/measure.sh NAME          results in bench/results/NAME-*
#   SKIP_SEED=1 bench/measure.sh NAME   reuse the databases already seeded
set -euo pipefail
cd "$(dirname "$0")/.."
NAME=${1:?usage: bench/measure.sh NAME}
PG=${PG:-postgresql://postgres@127.0.0.1:5432}
OUT=bench/results
mkdir -p "$OUT"
export FLASK_APP=wsgi BENCH_ROUTES=1 SECRET_KEY=${SECRET_KEY:-bench-only-secret-key-never-for-a-school}

reseed() {
    local db=$1; shift
    dropdb -h 127.0.0.1 -U postgres --if-exists "$db"
    createdb -h 127.0.0.1 -U postgres "$db"
    DATABASE_URL="$PG/$db" .venv/bin/flask db upgrade
    DATABASE_URL="$PG/$db" .venv/bin/flask bench seed "$@"
}

if [ -z "${SKIP_SEED:-}" ]; then
    echo "== seeding the district (timed)"
    { echo "\$ flask bench seed --teachers 500 --classes 1500 --students 45000 --reflections 540000 --fortune-keys 1000 --text-pool 1500"
      echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
      reseed bench --teachers 500 --classes 1500 --students 45000 --reflections 540000 --fortune-keys 1000 --text-pool 1500
      echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"; } 2>&1 | tee "$OUT/$NAME-seed.txt"
    echo "== seeding a small installation with the same fixtures"
    reseed bench_small
fi

# Index use is counted from here on, so the list at the end shows what the pages and the load used.
psql -h 127.0.0.1 -U postgres -d bench -qAtc "SELECT pg_stat_reset()" >/dev/null

echo "== EXPLAIN ANALYZE of every hot page"
DATABASE_URL="$PG/bench" .venv/bin/flask bench explain --out "$OUT/$NAME-explain.md"
echo "== main suite"
bench/.venv/bin/python bench/run.py --database "$PG/bench" --suite main --duration "${DURATION:-20}" \
    --rounds "${ROUNDS:-2}" --out "$OUT/$NAME-main.json"
echo "== growth suite, district"
bench/.venv/bin/python bench/run.py --database "$PG/bench" --suite growth --duration 10 --rounds 2 \
    --min-requests 3 --out "$OUT/$NAME-growth.json"
echo "== growth suite, small installation"
bench/.venv/bin/python bench/run.py --database "$PG/bench_small" --suite growth --duration 10 --rounds 2 \
    --min-requests 3 --out "$OUT/$NAME-growth-small.json"
echo "== index use during the runs (district)"
psql -h 127.0.0.1 -U postgres -d bench -c "SELECT relname AS table, indexrelname AS index, idx_scan AS scans,
    pg_size_pretty(pg_relation_size(indexrelid)) AS size FROM pg_stat_user_indexes
    WHERE relname NOT LIKE 'bench_%' ORDER BY relname, indexrelname" | tee "$OUT/$NAME-indexes.txt"
