"""What the queue and history pages print for a reflection's forms, worked out once per page in Python.

The queue shows fifty reflections with three or four forms each; calling url_for and csrf_token for every
form and building every hidden field in a macro was most of its cost (issue 13). The templates place these.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from ..web import address_for_each

# The endpoints a reflection's forms and links use, each taking the reflection's id in its path.
ENDPOINTS = {
    "approve": "moderation.approve",
    "return": "moderation.return_",
    "reject": "moderation.reject",
    "reopen": "moderation.reopen",
    "history": "moderation.history",
    "mark": "marks.mark",
}


class PageForms:
    """The page's one CSRF token and each endpoint's URL, built once; a reflection's URLs fill in its id."""

    def __init__(self) -> None:
        self.token = generate_csrf()
        self._token_field = f'<input type="hidden" name="csrf_token" value="{escape(self.token)}">'
        self._addresses = {name: address_for_each(endpoint, "reflection_id") for name, endpoint in ENDPOINTS.items()}

    def url(self, name: str, reflection_id: int) -> str:
        """The reflection's own URL for one of ENDPOINTS."""
        return self._addresses[name](reflection_id)

    def hidden_fields(self, values: dict, prefix: str = "") -> Markup:
        """The page's CSRF token and these values as hidden inputs, each name after `prefix`."""
        return Markup(self._token_field + "".join(_inputs(prefix, _escaped(values))))

    def decisions(
        self, reflection_id: int, kinds: tuple[str, ...], hidden: dict, context: str, failed: dict | None = None
    ) -> Decisions:
        """The reflection's decision forms of these kinds, all with the same hidden values."""
        values = _escaped(hidden)
        return Decisions(
            reflection_id,
            context,
            {name: self.url(name, reflection_id) for name in (*kinds, "history", "mark")},
            # The `<kind>-<id>-` prefix is what the server-side WTForms validation reads (forms.py).
            {kind: Markup(self._token_field + "".join(_inputs(f"{kind}-{reflection_id}-", values))) for kind in kinds},
            failed,
        )


def _escaped(values: dict) -> list[tuple[str, str]]:
    return [(name, str(escape(value))) for name, value in values.items()]


def _inputs(prefix: str, escaped: list[tuple[str, str]]) -> list[str]:
    return [f'<input type="hidden" name="{prefix}{name}" value="{value}">' for name, value in escaped]


@dataclass(frozen=True)
class Decisions:
    """A reflection's decision forms: where each posts (and its history and mark URLs), its hidden fields, and a
    refused decision to show again. `context` is the visually hidden text naming the student and prompt on every
    button."""

    reflection_id: int
    context: str
    urls: dict[str, str]
    hidden: dict[str, Markup]
    failed: dict | None = None
