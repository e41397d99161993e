"""1EdTech LTI Dynamic Registration: the LMS opens our one-time address and we register ourselves.

The platform adds `openid_configuration` and `registration_token` to the address. We fetch the
configuration, check that its issuer is the site it came from, post our registration with the token,
and keep the client id and deployment id the platform answers with.
"""

from __future__ import annotations

from typing import cast

from flask import current_app
from pylti1p3.dynamic_registration import DynamicRegistration

from ..extensions import db
from ..models import LtiPlatform, LtiRegistrationInvite, utcnow
from .framing import origin_of
from .platforms import PlatformError, absolute_url, add_platform, tool_urls
from .tool import TimeoutSession

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
]
TOOL_NAME = "Red Soul Classroom"
TOOL_DESCRIPTION = "Watch The Red Soul with prompts at moments in the film, write reflections, and get them marked."


class RegistrationRefused(ValueError):
    """The platform's side of the registration cannot be trusted or used; the message is for a person."""


class ToolDynamicRegistration(DynamicRegistration):
    client_name = TOOL_NAME
    description = TOOL_DESCRIPTION

    def __init__(self, openid_configuration_url: str, registration_token: str | None, label: str = "") -> None:
        self._config_url = openid_configuration_url
        self._token = registration_token
        self._label = label
        self._urls = tool_urls()

    def get_request_session(self):
        return TimeoutSession()

    def get_openid_configuration_endpoint(self) -> str:
        return self._config_url

    def get_registration_token(self) -> str | None:  # type: ignore[override]  # the library checks for None
        return self._token

    def get_initiate_login_uri(self) -> str:
        return self._urls.login

    def get_jwks_uri(self) -> str:
        return self._urls.jwks

    def get_redirect_uris(self) -> list[str]:
        return [self._urls.launch]

    def get_target_link_uri(self) -> str:
        return self._urls.launch

    def get_domain(self) -> str:
        return self._urls.domain

    def get_scopes(self) -> list[str]:
        return SCOPES

    def get_claims(self) -> list[str]:
        claims = ["iss", "sub", "name", "given_name", "family_name"]
        if current_app.config.get("LTI_STORE_EMAIL"):
            claims.append("email")
        return claims

    def get_messages(self) -> list[dict]:
        return [
            {"type": "LtiResourceLinkRequest", "target_link_uri": self._urls.launch, "label": TOOL_NAME},
            {
                "type": "LtiDeepLinkingRequest",
                "target_link_uri": self._urls.launch,
                "label": f"{TOOL_NAME}: choose an assignment",
                "placements": ["ContentArea"],
                "supported_types": ["ltiResourceLink"],
            },
        ]

    def get_logo_uri(self) -> str:
        return absolute_url("static", filename="favicon.svg")

    def get_openid_configuration(self) -> dict:
        configuration = super().get_openid_configuration()
        check_configuration(self._config_url, configuration)
        return configuration

    def complete_registration(self, openid_configuration: dict, openid_registration: dict) -> LtiPlatform:
        tool_config = openid_registration.get(TOOL_CONFIGURATION) or {}
        client_id = str(openid_registration.get("client_id") or "")
        deployment_id = str(tool_config.get("deployment_id") or "")
        if not client_id:
            raise RegistrationRefused("The platform accepted the registration but sent no client id.")
        platform_name = (openid_configuration.get(PLATFORM_CONFIGURATION) or {}).get("product_family_code", "")
        try:
            return add_platform(
                name=self._label or f"{platform_name or 'LMS'} at {origin_of(openid_configuration['issuer'])}",
                issuer=openid_configuration["issuer"],
                client_id=client_id,
                auth_login_url=openid_configuration["authorization_endpoint"],
                auth_token_url=openid_configuration["token_endpoint"],
                key_set_url=openid_configuration["jwks_uri"],
                deployment_ids=[deployment_id] if deployment_id else [],
                registered_by="dynamic",
            )
        except PlatformError as error:
            raise RegistrationRefused(str(error)) from error


def check_configuration(config_url: str, configuration: object) -> None:
    """Refuse a configuration whose issuer is not the site it was fetched from, or that lacks an endpoint."""
    if not isinstance(configuration, dict):
        raise RegistrationRefused("The platform's configuration is not a JSON object.")
    issuer = str(configuration.get("issuer") or "")
    if not issuer or origin_of(issuer) != origin_of(config_url) or not config_url.startswith(issuer.rstrip("/")):
        raise RegistrationRefused(
            f"The platform's configuration names the issuer {issuer or '(none)'!s}, which is not the site "
            f"it came from ({origin_of(config_url) or config_url}). Nothing was registered."
        )
    for field in ("authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint"):
        if not str(configuration.get(field) or "").startswith(("http://", "https://")):
            raise RegistrationRefused(f"The platform's configuration has no {field.replace('_', ' ')}.")
    if PLATFORM_CONFIGURATION not in configuration:
        raise RegistrationRefused("The configuration is not an LTI platform's configuration.")


def register_with(invite: LtiRegistrationInvite, config_url: str, token: str | None) -> LtiPlatform:
    """Run the whole registration for one invite; the invite is used up only when it succeeds."""
    if not origin_of(config_url):
        raise RegistrationRefused("Open this address from your LMS's tool registration page: it adds its details.")
    # register() returns what complete_registration() made; the library types it as the raw response.
    platform = cast(LtiPlatform, ToolDynamicRegistration(config_url, token, invite.label).register())
    invite.used_at = utcnow()
    invite.platform_id = platform.id
    db.session.commit()
    return platform
