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


def _top_level_rules(css: str) -> list[tuple[str, list[str]]]:
    """(selector, property names) of each rule outside @media and similar blocks."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules, depth, start, opened = [], 0, 0, 0
    for at, char in enumerate(css):
        if char == "{":
            if depth == 0:
                opened = at
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                selector, body = css[start:opened].strip(), css[opened + 1 : at]
                names = [d.split(":", 1)[0].strip() for d in body.split(";") if ":" in d]
                rules.append((selector, names))
                start = at + 1
    return [(s, names) for s, names in rules if not s.startswith("@")]


def test_no_declaration_is_dead_under_a_later_rule_for_the_same_selector():
    for sheet in STYLESHEETS:
        seen: dict[str, set[str]] = {}
        dead = []
        for selector, names in _top_level_rules(sheet.read_text()):
            dead += [f"{selector} {{ {name} }}" for name in names if name in seen.get(selector, set())]
            seen.setdefault(selector, set()).update(names)
        assert dead == [], sheet.name
