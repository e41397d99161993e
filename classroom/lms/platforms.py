"""The LMS platforms this installation trusts, as plain functions for the admin page and `flask lti`."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, url_for

from ..extensions import db
from ..models import LtiDeployment, LtiPlatform, LtiRegistrationInvite, Teacher, utcnow
from ..timezones import as_utc
from ..web import id_or_none
from .framing import forget_platform_origins

INVITE_LIFETIME = timedelta(days=7)


class PlatformError(ValueError):
    """A platform that cannot be added as given; the message says why, for a person."""


@dataclass(frozen=True)
class ToolUrls:
    """The addresses an LMS administrator pastes into their LMS."""

    login: str
    launch: str
    jwks: str
    deep_linking: str
    domain: str


def absolute_url(endpoint: str, **values: Any) -> str:
    """An address of ours as an LMS must see it: on LTI_TOOL_URL when the school set it, else this request's host."""
    base = (current_app.config.get("LTI_TOOL_URL") or "").rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def tool_urls() -> ToolUrls:
    """Our endpoints as absolute URLs."""
    absolute = absolute_url
    launch = absolute("lms.launch")
    return ToolUrls(
        login=absolute("lms.login"),
        launch=launch,
        jwks=absolute("lms.jwks"),
        deep_linking=launch,
        domain=urlsplit(launch).netloc,
    )


def _checked_url(value: str, what: str) -> str:
    value = (value or "").strip()
    try:
        parts = urlsplit(value)
    except ValueError:  # an unbalanced IPv6 bracket
        parts = urlsplit("")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PlatformError(f"The {what} must be a full http or https address.")
    return value


def add_platform(
    *,
    name: str,
    issuer: str,
    client_id: str,
    auth_login_url: str,
    auth_token_url: str,
    key_set_url: str,
    deployment_ids: Sequence[str] = (),
    auth_audience: str = "",
    registered_by: str = "manual",
) -> LtiPlatform:
    """Trust one registration of this tool in an LMS; raises PlatformError for unusable values."""
    name = " ".join((name or "").split()) or urlsplit(issuer or "").netloc
    issuer = (issuer or "").strip()
    if not issuer:
        raise PlatformError("The issuer is the platform's own address, exactly as the platform gives it.")
    client_id = (client_id or "").strip()
    if not client_id:
        raise PlatformError("The client id is the one the platform gave this tool.")
    platform = LtiPlatform(
        name=name[:120],
        issuer=issuer,
        client_id=client_id,
        auth_login_url=_checked_url(auth_login_url, "authorization (OIDC login) address"),
        auth_token_url=_checked_url(auth_token_url, "access token address"),
        key_set_url=_checked_url(key_set_url, "key set (JWKS) address"),
        auth_audience=(auth_audience or "").strip(),
        registered_by=registered_by,
    )
    exists = db.session.scalars(
        db.select(LtiPlatform.id).where(LtiPlatform.issuer == issuer, LtiPlatform.client_id == client_id)
    ).first()
    if exists:
        raise PlatformError("This platform and client id are already registered.")
    platform.deployments = [LtiDeployment(deployment_id=d) for d in _clean_ids(deployment_ids)]
    db.session.add(platform)
    db.session.commit()
    forget_platform_origins()
    return platform


def _clean_ids(values: Iterable[object] | None) -> list[str]:
    seen: list[str] = []
    for value in values or ():
        for part in str(value).replace(",", " ").split():
            if part not in seen:
                seen.append(part)
    return seen


def add_deployment(platform: LtiPlatform, deployment_id: str) -> LtiDeployment:
    """Accept launches from one more deployment of a registered platform."""
    deployment_id = (deployment_id or "").strip()
    if not deployment_id:
        raise PlatformError("Type the deployment id the platform shows.")
    for existing in platform.deployments:
        if existing.deployment_id == deployment_id:
            return existing
    deployment = LtiDeployment(platform_id=platform.id, deployment_id=deployment_id)
    db.session.add(deployment)
    db.session.commit()
    return deployment


def all_platforms() -> list[LtiPlatform]:
    return list(db.session.scalars(db.select(LtiPlatform).order_by(LtiPlatform.name, LtiPlatform.id)))


def find_platform(ref: str) -> LtiPlatform | None:
    """A platform by id, or by "issuer client_id" for the CLI."""
    ref = (ref or "").strip()
    if ref.isascii() and ref.isdecimal():
        platform_id = id_or_none(ref)
        return db.session.get(LtiPlatform, platform_id) if platform_id else None
    issuer, _, client_id = ref.partition(" ")
    return db.session.scalars(
        db.select(LtiPlatform).where(LtiPlatform.issuer == issuer, LtiPlatform.client_id == client_id.strip())
    ).first()


def remove_platform(platform: LtiPlatform) -> None:
    """Stop trusting a platform: its launches are refused; classes and students made from it stay."""
    db.session.delete(platform)
    db.session.commit()
    forget_platform_origins()


# --- Dynamic Registration invites: one-time addresses an administrator pastes into the LMS. ---


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invite(created_by: Teacher | None, label: str = "") -> str:
    """A new one-time registration token; only its hash is stored."""
    token = secrets.token_urlsafe(24)
    db.session.add(
        LtiRegistrationInvite(
            token_hash=_hash(token),
            label=(label or "").strip()[:120],
            created_by_id=created_by.id if created_by else None,
            expires_at=utcnow() + INVITE_LIFETIME,
        )
    )
    db.session.commit()
    return token


def usable_invite(token: str) -> LtiRegistrationInvite | None:
    """The invite for this token if it is unused and not expired."""
    invite = db.session.scalars(
        db.select(LtiRegistrationInvite).where(LtiRegistrationInvite.token_hash == _hash(token or ""))
    ).first()
    if invite is None or invite.used_at is not None or as_utc(invite.expires_at) <= utcnow():
        return None
    return invite


def open_invites() -> list[LtiRegistrationInvite]:
    return list(
        db.session.scalars(
            db.select(LtiRegistrationInvite)
            .where(LtiRegistrationInvite.used_at.is_(None), LtiRegistrationInvite.expires_at > utcnow())
            .order_by(LtiRegistrationInvite.id.desc())
        )
    )
