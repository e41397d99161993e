"""The one way user-written text becomes HTML on a page."""

import threading

import markdown
from bleach.sanitizer import Cleaner
from markupsafe import Markup

# Light formatting only: no links, images or attributes of any kind.
ALLOWED_TAGS = ["p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote"]

# Building a Cleaner (its html5lib parser and serialiser) and a Markdown converter costs more than using
# them on one reflection, so each thread keeps its own and reuses it: neither is thread-safe, and a
# gunicorn sync worker is one thread, so in production there is one of each per worker.
_per_thread = threading.local()


def _tools() -> threading.local:
    tools = _per_thread
    if not hasattr(tools, "cleaner"):
        tools.cleaner = Cleaner(tags=ALLOWED_TAGS, attributes={}, protocols=[], strip=True)
        tools.text_only = Cleaner(tags=[], strip=True)
        tools.markdown = markdown.Markdown(output_format="html")
    return tools


def sanitize_html(html: str) -> Markup:
    """Strip everything outside the allowlist; the only user content ever marked safe."""
    return Markup(_tools().cleaner.clean(html or ""))


def render_reflection(text: str) -> Markup:
    """Turn a student's light Markdown (paragraphs, **bold**, *italic*, lists, > quotes) into safe HTML."""
    # Markdown passes raw HTML through; the allowlist then strips any tag or attribute it does not know.
    # reset() first: nothing from the previous text (such as link references) may carry over.
    return sanitize_html(_tools().markdown.reset().convert(text or ""))


def plain_text(text: str) -> str:
    """The words of a reflection without any markup, for CSV exports and word counts."""
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
