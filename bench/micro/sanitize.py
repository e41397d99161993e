"""Run: PYTHONPATH=. .venv/bin/python bench/micro/sanitize.py

Old (fresh Cleaner/Markdown per call) vs new (reused per thread) sanitiser, on 300 pool texts."""

import statistics
import time

import bleach
import markdown

from classroom import sanitize as new
from classroom.bench.texts import text_pool
from classroom.models import THEMES
from classroom.sanitize import ALLOWED_TAGS


def old_sanitize(html):
    return bleach.clean(html or "", tags=ALLOWED_TAGS, attributes={}, protocols=[], strip=True)


def old_render(text):
    return old_sanitize(markdown.markdown(text or "", output_format="html"))


def old_plain(text):
    return (
        bleach.clean(old_render(text), tags=[], strip=True)
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .strip()
    )


texts = [t for _, t in text_pool(300, THEMES, seed=21)]
htmls = [old_render(t) for t in texts]


def best(fn, items, repeat=7):
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        [fn(x) for x in items]
        runs.append((time.perf_counter() - start) / len(items) * 1000)
    return min(runs), statistics.median(runs)


for name, o, n, items in (
    ("sanitize_html (every view of stored HTML)", old_sanitize, new.sanitize_html, htmls),
    ("render_reflection (every save)", old_render, new.render_reflection, texts),
    ("plain_text (every CSV row, every word count)", old_plain, new.plain_text, texts),
):
    (ob, om), (nb, nm) = best(o, items), best(n, items)
    print(f"| {name} | {ob:.3f} | {nb:.3f} | {nb / ob:.2f} |")
