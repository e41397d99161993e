"""The school administrator's page: the LMS platforms this installation trusts, and the tool's addresses."""

from __future__ import annotations

import json

from flask import abort, flash, jsonify, redirect, url_for
from flask.typing import ResponseReturnValue

from ..access import current_teacher, is_teacher, to_teacher_login
from ..extensions import db
from ..models import LtiPlatform
from ..web import form_page
from .forms import DeploymentForm, InviteForm, PlatformForm, RemoveForm
from .platforms import (
    PlatformError,
    absolute_url,
    add_deployment,
    add_platform,
    all_platforms,
    create_invite,
    open_invites,
    remove_platform,
    tool_urls,
)
from .registration import SCOPES, TOOL_DESCRIPTION, TOOL_NAME
from .routes import bp


def require_admin() -> None:
    if not is_teacher():
        abort(to_teacher_login())
    if not current_teacher().is_admin:
        abort(404)


def _page(
    form: PlatformForm | None = None, invite_form: InviteForm | None = None, new_invite_url: str = ""
) -> ResponseReturnValue:
    page, status = form_page(
        "lms/admin.html",
        platforms=all_platforms(),
        urls=tool_urls(),
        form=form or PlatformForm(formdata=None),
        invite_form=invite_form or InviteForm(formdata=None),
        deployment_form=DeploymentForm(formdata=None),
        remove_form=RemoveForm(formdata=None),
        invites=open_invites(),
        new_invite_url=new_invite_url,
        canvas_json=json.dumps(canvas_configuration(), indent=2),
    )
    # A made invite is a success: 200, not the 400 of a refused form.
    return page, 200 if new_invite_url else status


@bp.route("/admin", methods=["GET"])
def admin() -> ResponseReturnValue:
    require_admin()
    return _page()


@bp.post("/admin/platforms")
def add_platform_page() -> ResponseReturnValue:
    require_admin()
    form = PlatformForm()
    if form.validate_on_submit():
        try:
            platform = add_platform(
                name=form.name.data or "",
                issuer=form.issuer.data,
                client_id=form.client_id.data,
                auth_login_url=form.auth_login_url.data,
                auth_token_url=form.auth_token_url.data,
                key_set_url=form.key_set_url.data,
                deployment_ids=[form.deployment_ids.data or ""],
            )
        except PlatformError as problem:
            form.issuer.errors.append(str(problem))
        else:
            flash(f"Added {platform.name}. Teachers can now add this tool in its courses.", "success")
            return redirect(url_for("lms.admin", _anchor=f"platform-{platform.id}"))
    return _page(form=form)


@bp.post("/admin/invites")
def create_invite_page() -> ResponseReturnValue:
    require_admin()
    form = InviteForm()
    if not form.validate_on_submit():
        return _page(invite_form=form)
    token = create_invite(current_teacher(), form.label.data or "")
    return _page(new_invite_url=absolute_url("lms.register", token=token))


@bp.post("/admin/platforms/<int:platform_id>/deployments")
def add_deployment_page(platform_id: int) -> ResponseReturnValue:
    require_admin()
    platform = db.get_or_404(LtiPlatform, platform_id)
    form = DeploymentForm()
    if form.validate_on_submit():
        add_deployment(platform, form.deployment_id.data)
        flash(f"{platform.name} now also accepts deployment {form.deployment_id.data.strip()}.", "success")
    else:
        flash("Type the deployment ID the LMS shows.", "error")
    return redirect(url_for("lms.admin", _anchor=f"platform-{platform.id}"))


@bp.post("/admin/platforms/<int:platform_id>/remove")
def remove_platform_page(platform_id: int) -> ResponseReturnValue:
    require_admin()
    platform = db.get_or_404(LtiPlatform, platform_id)
    if RemoveForm().validate_on_submit():
        name = platform.name
        remove_platform(platform)
        flash(f"Removed {name}. Launches from it are refused from now on.", "success")
    return redirect(url_for("lms.admin"))


def canvas_configuration() -> dict:
    """The developer key JSON a Canvas administrator pastes (Admin > Developer Keys > + LTI Key > Paste JSON)."""
    urls = tool_urls()
    return {
        "title": TOOL_NAME,
        "description": TOOL_DESCRIPTION,
        "oidc_initiation_url": urls.login,
        "target_link_uri": urls.launch,
        "public_jwk_url": urls.jwks,
        "scopes": SCOPES,
        "extensions": [
            {
                "platform": "canvas.instructure.com",
                "privacy_level": "name_only",
                "domain": urls.domain,
                "settings": {
                    "text": TOOL_NAME,
                    "placements": [
                        {
                            "placement": "link_selection",
                            "message_type": "LtiDeepLinkingRequest",
                            "target_link_uri": urls.launch,
                        },
                        {
                            "placement": "assignment_selection",
                            "message_type": "LtiDeepLinkingRequest",
                            "target_link_uri": urls.launch,
                        },
                    ],
                },
            }
        ],
        "custom_fields": {},
    }


@bp.get("/canvas.json")
def canvas_json() -> ResponseReturnValue:
    """The same developer key JSON at an address, for Canvas's "Enter URL" option."""

    return jsonify(canvas_configuration())
