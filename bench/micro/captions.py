"""Run: .venv/bin/python bench/micro/captions.py (needs the seeded bench database).

What loading one assignment row costs with its captions text and with only has_captions (raw SQL, as the
ORM sends it). Captions live in caption_tracks since they have languages; before that they were a
deferred column of assignments, measured the same way (bench/RESULTS.md)."""

import time

import psycopg

conn = psycopg.connect("postgresql://postgres@127.0.0.1:5432/bench", autocommit=True)
aid = conn.execute("SELECT assignment_id FROM caption_tracks ORDER BY assignment_id LIMIT 1").fetchone()[0]
with_text = (
    "SELECT a.*, c.vtt FROM assignments a LEFT JOIN caption_tracks c ON c.assignment_id = a.id AND c.language = 'en'"
    " WHERE a.id = %s"
)
deferred = (
    "SELECT a.*, EXISTS (SELECT 1 FROM caption_tracks c WHERE c.assignment_id = a.id) AS has_captions"
    " FROM assignments a WHERE a.id = %s"
)
size = conn.execute("SELECT sum(octet_length(vtt)) FROM caption_tracks WHERE assignment_id = %s", (aid,)).fetchone()[0]


def run(sql, n=400):
    times = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(n):
            conn.execute(sql, (aid,)).fetchall()
        times.append((time.perf_counter() - start) / n * 1000)
    return min(times)


a, b = run(with_text), run(deferred)
print(f"captions of assignment {aid}: {size:,} bytes")
print(f"| one assignment row with the captions text | {a:.3f} ms |")
print(f"| the same row, has_captions only | {b:.3f} ms |")
