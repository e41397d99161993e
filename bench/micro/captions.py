"""Run: .venv/bin/python bench/micro/captions.py (needs the seeded bench database).

What loading one assignment row costs with its captions text and with it deferred (raw SQL, as the ORM sends it)."""

import time

import psycopg

conn = psycopg.connect("postgresql://postgres@127.0.0.1:5432/bench", autocommit=True)
aid = conn.execute("SELECT id FROM assignments WHERE captions_vtt <> '' ORDER BY id LIMIT 1").fetchone()[0]
cols = [
    r[0]
    for r in conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name='assignments' AND column_name <> 'captions_vtt'"
    )
]
with_text = "SELECT * FROM assignments WHERE id = %s"
deferred = f"SELECT captions_vtt <> '' AS has_captions, {', '.join(cols)} FROM assignments WHERE id = %s"
size = conn.execute("SELECT octet_length(captions_vtt) FROM assignments WHERE id = %s", (aid,)).fetchone()[0]


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
print(f"| the same row, captions deferred (has_captions only) | {b:.3f} ms |")
