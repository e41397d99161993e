"""`flask lti ...`: the same platform management as the administrator's page, for the command line."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import Flask
from flask.cli import AppGroup

lti = AppGroup("lti", help="LTI 1.3: the LMS platforms this installation trusts, and the tool's key.")


@lti.command("add-platform")
@click.option("--name", default="", help="A name for people, e.g. 'School Moodle'.")
@click.option("--issuer", required=True, help="The platform's issuer, exactly as the LMS gives it.")
@click.option("--client-id", required=True, help="The client id the LMS gave this tool.")
@click.option("--deployment-id", "deployment_ids", multiple=True, help="A deployment id (repeat for more).")
@click.option("--auth-login-url", required=True, help="The LMS's OIDC authentication request URL.")
@click.option("--auth-token-url", required=True, help="The LMS's access token URL.")
@click.option("--key-set-url", required=True, help="The LMS's public keyset (JWKS) URL.")
@click.option("--auth-audience", default="", help="Only if the LMS asks for an audience other than the token URL.")
def add_platform_command(
    name, issuer, client_id, deployment_ids, auth_login_url, auth_token_url, key_set_url, auth_audience
):
    """Trust a registration of this tool in an LMS."""
    from .platforms import PlatformError, add_platform

    try:
        platform = add_platform(
            name=name,
            issuer=issuer,
            client_id=client_id,
            auth_login_url=auth_login_url,
            auth_token_url=auth_token_url,
            key_set_url=key_set_url,
            deployment_ids=list(deployment_ids),
            auth_audience=auth_audience,
        )
    except PlatformError as problem:
        raise click.ClickException(str(problem)) from problem
    click.echo(f"Added platform {platform.id}: {platform.name} ({platform.issuer}, client {platform.client_id}).")


@lti.command("list")
def list_command():
    """List the platforms, their deployments, and the tool's addresses to paste into an LMS."""
    from .platforms import all_platforms

    platforms = all_platforms()
    if not platforms:
        click.echo("No platforms yet. Add one with `flask lti add-platform` or `flask lti invite`.")
    for platform in platforms:
        deployments = ", ".join(d.deployment_id for d in platform.deployments) or "none"
        click.echo(
            f"{platform.id}\t{platform.name}\t{platform.issuer}\tclient {platform.client_id}\t"
            f"deployments: {deployments}\t({platform.registered_by})"
        )


@lti.command("remove")
@click.argument("platform")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def remove_command(platform, yes):
    """Stop trusting a platform, given by the id `flask lti list` shows."""
    from .platforms import find_platform, remove_platform

    found = find_platform(platform)
    if found is None:
        raise click.ClickException(f"No platform {platform!r}. `flask lti list` shows their ids.")
    if not yes:
        click.confirm(f"Remove {found.name} ({found.issuer}, client {found.client_id})?", abort=True)
    remove_platform(found)
    click.echo(f"Removed {found.name}. Launches from it are refused from now on.")


@lti.command("invite")
@click.option("--label", default="", help="A name for the platform that registers with it.")
@click.option("--base-url", default="", help="This site's address as the LMS reaches it (else LTI_TOOL_URL).")
def invite_command(label, base_url):
    """Make a one-time Dynamic Registration address to paste into an LMS."""
    from flask import current_app

    from .platforms import absolute_url, create_invite

    base = base_url or current_app.config.get("LTI_TOOL_URL")
    if not base:
        raise click.ClickException("Give --base-url (or set LTI_TOOL_URL), e.g. https://classroom.school.example")
    current_app.config["LTI_TOOL_URL"] = base
    token = create_invite(None, label)
    with current_app.test_request_context(base_url=base):
        click.echo(absolute_url("lms.register", token=token))


@lti.command("rotate-key")
@click.option("--keep-days", default=7, show_default=True, help="Days the old public key stays published.")
def rotate_key_command(keep_days):
    """Sign with a new key from now on; the old one stays in the JWKS for --keep-days."""
    from .keys import rotate_key

    try:
        key = rotate_key(timedelta(days=keep_days))
    except RuntimeError as problem:
        raise click.ClickException(str(problem)) from problem
    click.echo(f"New signing key {key.kid}. The old key stays published for {keep_days} days.")


@lti.command("sync-grades")
@click.option("--now", is_flag=True, help="Also send scores still waiting for their next try.")
def sync_grades_command(now):
    """Send the scores the LMS gradebooks are owed: failed ones again, and those due (run it from cron too)."""
    from ..extensions import db
    from ..models import LtiScoreDelivery
    from .grades import deliver_due, resend

    if now:
        resend()
    else:
        failed = db.session.scalars(db.select(LtiScoreDelivery.id).where(LtiScoreDelivery.state == "failed")).all()
        resend(list(failed))
    sent, not_sent = deliver_due()
    click.echo(f"Sent {sent} score{'s' if sent != 1 else ''}; {not_sent} could not be sent and will be tried again.")


def register(app: Flask) -> None:
    app.cli.add_command(lti)
