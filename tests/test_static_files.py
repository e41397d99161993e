"""The stylesheets carry only what a page uses: every class they style appears in a template, a script
or the Python that writes markup."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STYLESHEETS = sorted((ROOT / "static" / "css").glob("*.css"))


def _markup_sources() -> str:
    texts = []
    for folder, suffixes in (("templates", {".html"}), ("static/js", {".js"}), ("classroom", {".py"})):
        texts += [p.read_text() for p in (ROOT / folder).rglob("*") if p.suffix in suffixes]
    return "\n".join(texts)


def _selectors(css: str) -> list[str]:
    return [s.strip() for s in re.findall(r"([^{}]+)\{", re.sub(r"/\*.*?\*/", "", css, flags=re.S))]


def test_every_styled_class_is_used_somewhere():
    sources = _markup_sources()
    unused = set()
    for sheet in STYLESHEETS:
        for selector in _selectors(sheet.read_text()):
            for name in re.findall(r"\.([a-zA-Z][\w-]*)", selector):
                used = re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", sources)
                # A family such as status--approved is written as status--{{ status }} in templates.
                family = "--" in name and f"{name.split('--')[0]}--{{{{" in sources
                if not (used or family):
                    unused.add(f"{sheet.name}: .{name}")
    assert not unused, sorted(unused)


def test_the_visually_hidden_utility_is_defined_once():
    sheet = (ROOT / "static" / "css" / "app.css").read_text()
    defining = [s for s in _selectors(sheet) if ".visually-hidden" in (part.strip() for part in s.split(","))]
    assert defining == [".visually-hidden"]
