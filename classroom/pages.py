"""Rendering shared by every blueprint's form pages."""

from flask import render_template, request


def form_page(template: str, **context):
    """Render a form page: 400 after a refused POST (so clients and tests see the refusal), 200 on a visit."""
    status = 400 if request.method == "POST" else 200
    return render_template(template, **context), status
