"""The one way user-written text becomes HTML on a page."""

import bleach
import markdown
from markupsafe import Markup

# Light formatting only: no links, images or attributes of any kind.
ALLOWED_TAGS = ["p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote"]


def sanitize_html(html: str) -> Markup:
    """Strip everything outside the allowlist; the only user content ever marked safe."""
    cleaned = bleach.clean(html or "", tags=ALLOWED_TAGS, attributes={}, protocols=[], strip=True)
    return Markup(cleaned)


def render_reflection(text: str) -> Markup:
    """Turn a student's light Markdown (paragraphs, **bold**, *italic*, lists, > quotes) into safe HTML."""
    # Markdown passes raw HTML through; the allowlist then strips any tag or attribute it does not know.
    return sanitize_html(markdown.markdown(text or "", output_format="html"))


def plain_text(text: str) -> str:
    """The words of a reflection without any markup, for CSV exports and word counts."""
    return (
        bleach.clean(str(render_reflection(text)), tags=[], strip=True)
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .strip()
    )


def word_count(text: str) -> int:
    """Words as a teacher would count them."""
    return len(plain_text(text).split())
