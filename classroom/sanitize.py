"""The one way user-written text becomes HTML on a page."""

import hashlib
import json
import threading
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser

import bleach
import markdown
from bleach.sanitizer import Cleaner
from markupsafe import Markup

# The sanitiser policy. Light formatting only: no links, images or attributes of any kind.
ALLOWED_TAGS = ["p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote"]
ALLOWED_ATTRIBUTES: dict = {}
ALLOWED_PROTOCOLS: list = []
# Bump when what is stored changes in a way the allowlist does not show (the Markdown rendering, the
# plain text's format): every stored row is then cleaned again when shown, until it is re-rendered.
POLICY_REVISION = 1


def _policy_version() -> str:
    """A short fingerprint of everything that decides what a stored text may contain."""
    policy = {
        "tags": ALLOWED_TAGS,
        "attributes": ALLOWED_ATTRIBUTES,
        "protocols": ALLOWED_PROTOCOLS,
        "strip": True,
        "bleach": bleach.__version__,
        "revision": POLICY_REVISION,
    }
    return hashlib.sha256(json.dumps(policy, sort_keys=True).encode()).hexdigest()[:16]


# Stored with every text cleaned at save time. HTML stored under another version (an older policy, or a
# row written by anything but the save path, which stores none) is cleaned again whenever it is shown.
POLICY_VERSION = _policy_version()

# Building a Cleaner (its html5lib parser and serialiser) and a Markdown converter costs more than using
# them on one reflection, so each thread keeps its own and reuses it: neither is thread-safe, and a
# gunicorn sync worker is one thread, so in production there is one of each per worker.
_per_thread = threading.local()


def _tools() -> threading.local:
    tools = _per_thread
    if not hasattr(tools, "cleaner"):
        tools.cleaner = Cleaner(
            tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, protocols=ALLOWED_PROTOCOLS, strip=True
        )
        tools.text_only = Cleaner(tags=[], strip=True)
        tools.markdown = markdown.Markdown(output_format="html")
    return tools


def sanitize_html(html: str) -> Markup:
    """Strip everything outside the allowlist; the only user content ever marked safe."""
    return Markup(_tools().cleaner.clean(html or ""))


def user_html(html: str | None, policy: str | None = None) -> Markup:
    """Stored user HTML for a page (the `user_html` filter): as stored when it was cleaned under the
    current policy version, cleaned again otherwise (no version given means cleaned again)."""
    if policy is not None and policy == POLICY_VERSION:
        return Markup(html or "")
    return sanitize_html(html or "")


# One save asks for the same text's HTML and words several times (the form's check, the save's own check,
# the stored HTML, the word count): each was a Markdown and a bleach pass, about 1 ms each for a reflection.
# The answers depend on the text alone (the policy is fixed for the life of the process), so the last few
# are remembered and each pass runs once per text (issue 13).
_REMEMBERED_TEXTS = 32


def render_reflection(text: str) -> Markup:
    """Turn a student's light Markdown (paragraphs, **bold**, *italic*, lists, > quotes) into safe HTML."""
    return _render(text or "")


@lru_cache(maxsize=_REMEMBERED_TEXTS)
def _render(text: str) -> Markup:
    # Markdown passes raw HTML through; the allowlist then strips any tag or attribute it does not know.
    # reset() first: nothing from the previous text (such as link references) may carry over.
    return sanitize_html(_tools().markdown.reset().convert(text))


def plain_text(text: str) -> str:
    """The words of a reflection without any markup, for word counts."""
    return _plain(text or "")


@lru_cache(maxsize=_REMEMBERED_TEXTS)
def _plain(text: str) -> str:
    return (
        _tools()
        .text_only.clean(str(render_reflection(text)))
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .strip()
    )


def word_count(text: str) -> int:
    """Words as a teacher would count them."""
    return len(plain_text(text).split())


# --- stored text: the clean HTML and a plain text with list and quote markers, made once at save time ---

_INLINE = {"strong", "em", "b", "i"}
_BLOCKS = {"p", "ul", "ol", "li", "blockquote"}


class _Node:
    def __init__(self, tag: str):
        self.tag = tag
        self.children: list = []  # _Node or str


class _TreeBuilder(HTMLParser):
    """The sanitiser's output (a handful of allowlisted tags, no attributes) as a small tree."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = _Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = _Node(tag)
        self.stack[-1].children.append(node)
        if tag != "br":
            self.stack.append(node)

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def _inline_text(children: list) -> str:
    parts = []
    for child in children:
        if isinstance(child, str):
            parts.append(child)
        elif child.tag == "br":
            parts.append("\n")
        else:
            parts.append(_inline_text(child.children))
    return "".join(parts)


def _blocks(children: list) -> list[str]:
    """The children as blocks of text: runs of inline content become one block each."""
    blocks: list[str] = []
    run: list = []

    def close_run():
        text = "\n".join(line.strip() for line in _inline_text(run).strip().splitlines())
        if text:
            blocks.append(text)
        run.clear()

    for child in children:
        if isinstance(child, str) or child.tag in _INLINE or child.tag == "br":
            run.append(child)
            continue
        close_run()
        if child.tag in ("ul", "ol"):
            items = [c for c in child.children if not isinstance(c, str) and c.tag == "li"]
            lines = []
            for number, item in enumerate(items, start=1):
                marker = f"{number}. " if child.tag == "ol" else "- "
                body = "\n\n".join(_blocks(item.children)).splitlines() or [""]
                lines.append(marker + body[0])
                lines.extend((" " * len(marker) + line) if line else "" for line in body[1:])
            if lines:
                blocks.append("\n".join(lines))
        elif child.tag == "blockquote":
            inner = "\n\n".join(_blocks(child.children))
            if inner:
                blocks.append("\n".join(f"> {line}" if line else ">" for line in inner.splitlines()))
        else:  # p, li outside a list, or anything else kept by the allowlist
            blocks.extend(_blocks(child.children))
    close_run()
    return blocks


def text_of_html(clean_html: str) -> str:
    """Plain text of sanitised HTML for exports: paragraphs apart by a blank line, "- " and "1. " before
    list items, "> " before quoted lines, entities read back as characters."""
    builder = _TreeBuilder()
    builder.feed(clean_html or "")
    builder.close()
    return "\n\n".join(_blocks(builder.root.children))


@dataclass(frozen=True)
class StoredText:
    """What the save path stores beside a student's text: its clean HTML, its plain text, the policy version."""

    html: str
    text: str
    policy: str


def render_for_storage(text: str) -> StoredText:
    """The clean HTML and the plain text of a student's Markdown, with the policy version that cleaned them."""
    html = str(render_reflection(text))
    return StoredText(html=html, text=text_of_html(html), policy=POLICY_VERSION)
