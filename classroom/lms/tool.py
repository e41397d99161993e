"""pylti1p3next wired to our tables: the tool configuration, and the three workarounds it needs.

Known problems of pylti1p3next 2.0.2, each worked around here in a few lines (tests/test_lti_workarounds.py):
1. `from_cache()` defaults to the abstract ServiceConnector, so a restored launch could not post a grade:
   `restore_launch` always passes our concrete connector.
2. The access-token cache is keyed by issuer and scopes only, so two client ids on one platform shared
   a token and the second got a 401: `ToolServiceConnector._scope_key` adds the client id.
3. The Flask adapter's cookie check renders a template the package does not ship (a 500 at login):
   `ToolOIDCLogin.get_cookies_allowed_js_check` renders the library's own page instead.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import typing as t
from collections.abc import Mapping
from typing import Any

import requests
from flask import make_response
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest, FlaskServiceConnector
from pylti1p3.cookies_allowed_check import CookiesAllowedCheckPage
from pylti1p3.deployment import Deployment
from pylti1p3.exception import LtiException, LtiKeyException
from pylti1p3.registration import Registration, TKeySet
from pylti1p3.tool_config.abstract import ToolConfAbstract

from ..extensions import db
from ..models import LtiDeployment, LtiPlatform
from .framing import platform_frame_ancestors
from .keys import public_jwks, signing_key
from .store import launch_storage

HTTP_TIMEOUT = 10


class ToolRegistration(Registration):
    """A platform row as pylti1p3 sees it, signing with our current tool key."""

    def __init__(self, platform: LtiPlatform) -> None:
        key = signing_key()
        self.platform_id = platform.id
        self.set_issuer(platform.issuer)
        self.set_client_id(platform.client_id)
        self.set_auth_login_url(platform.auth_login_url)
        self.set_auth_token_url(platform.auth_token_url)
        if platform.auth_audience:
            self.set_auth_audience(platform.auth_audience)
        self.set_key_set_url(platform.key_set_url)
        self.set_key_set(json.loads(platform.key_set_json) if platform.key_set_json else None)
        self.set_tool_private_key(key.private_pem)
        self.set_tool_public_key(key.public_pem)
        self._kid = key.kid

    def get_kid(self) -> str:
        return self._kid

    def get_jwks(self) -> list:
        return public_jwks()["keys"]


class DatabaseToolConf(ToolConfAbstract):
    """Platforms and deployments from our tables; an issuer may have several client ids."""

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_platform(self, iss: str, client_id: str | None) -> LtiPlatform | None:
        query = db.select(LtiPlatform).where(LtiPlatform.issuer == iss)
        if client_id:
            return db.session.scalars(query.where(LtiPlatform.client_id == client_id)).first()
        # Some platforms leave client_id out of the login; that only works with one registration.
        platforms = db.session.scalars(query.limit(2)).all()
        return platforms[0] if len(platforms) == 1 else None

    # The library's annotations say Registration, but it checks for None (“Registration not found”).
    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration | None:  # type: ignore[override]
        return self.find_registration_by_params(iss, None)

    def find_registration_by_params(  # type: ignore[override]
        self, iss: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> Registration | None:
        platform = self.find_platform(iss, client_id)
        return ToolRegistration(platform) if platform else None

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> Deployment | None:
        platform = self.find_platform(iss, client_id)
        if platform is None:
            return None
        found = db.session.scalars(
            db.select(LtiDeployment).where(
                LtiDeployment.platform_id == platform.id, LtiDeployment.deployment_id == str(deployment_id)
            )
        ).first()
        return Deployment().set_deployment_id(found.deployment_id) if found else None


class ToolServiceConnector(FlaskServiceConnector):
    # Workaround 2: the library keys cached access tokens by issuer and scopes only; with two
    # registrations (client ids) on one platform the second would reuse the first's token and get a 401.
    def _scope_key(self, scopes: t.Iterable[str]) -> str:
        return f"{self._registration.get_client_id()}|{super()._scope_key(scopes)}"


class ToolMessageLaunch(FlaskMessageLaunch):
    """A launch validated against our tables, with the platform's keys cached on its row."""

    def __init__(self, request: FlaskRequest, tool_config: ToolConfAbstract, **kwargs: Any) -> None:
        kwargs.setdefault("service_connector_cls", ToolServiceConnector)
        kwargs.setdefault("launch_data_storage", launch_storage())
        kwargs.setdefault("requests_session", TimeoutSession())
        super().__init__(request, tool_config, **kwargs)

    def get_public_key(self) -> tuple[str, str]:
        """The platform key named by the token's kid; an unknown kid fetches the platform's JWKS once more."""
        try:
            return super().get_public_key()
        except LtiKeyException as error:
            if str(error) != "Unable to find public key" or self._refetched_keys():
                raise
            return super().get_public_key()

    def _refetched_keys(self) -> bool:
        """Fetch the JWKS again (the platform may have rotated its key); False when it cannot be fetched."""
        registration = self._registration
        url = registration.get_key_set_url() if registration else None
        if registration is None or not url:
            return True
        key_set = self.fetch_public_key(url)
        registration.set_key_set(key_set)
        _save_key_set(registration, key_set)
        return False

    def fetch_public_key(self, key_set_url: str) -> TKeySet:
        key_set = super().fetch_public_key(key_set_url)
        if not isinstance(key_set, dict) or not isinstance(key_set.get("keys"), list):
            raise LtiKeyException("The platform's key set is not a JWKS document.")
        _save_key_set(self._registration, key_set)
        return key_set


def _save_key_set(registration: Registration | None, key_set: Mapping[str, Any]) -> None:
    platform = db.session.get(LtiPlatform, getattr(registration, "platform_id", 0))
    if platform is not None:
        platform.key_set_json = json.dumps(key_set)
        db.session.commit()


class TimeoutSession(requests.Session):
    """A requests session whose every call to a platform gives up after HTTP_TIMEOUT seconds."""

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", HTTP_TIMEOUT)
        return super().request(method, url, *args, **kwargs)


def csp_hashes(html: str) -> tuple[list[str], list[str]]:
    """The sha256 sources of every inline script and style in a page, for its own CSP."""

    def digest(body: str) -> str:
        return f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'"

    scripts = [digest(body) for body in re.findall(r"<script[^>]*>(.*?)</script>", html, flags=re.S)]
    styles = [digest(body) for body in re.findall(r"<style[^>]*>(.*?)</style>", html, flags=re.S)]
    styles += sorted({digest(value) for value in re.findall(r'style="([^"]*)"', html)})
    return scripts, styles


class ToolOIDCLogin(FlaskOIDCLogin):
    def __init__(self, request, tool_config, **kwargs):
        kwargs.setdefault("launch_data_storage", launch_storage())
        super().__init__(request, tool_config, **kwargs)

    # Workaround 3: the Flask adapter renders "cookies_allowed_js_check.html", which pylti1p3next does
    # not ship (a 500 at login); render the library's own page, allowing just its inline code by hash.
    def get_cookies_allowed_js_check(self):
        protocol, params = self.get_cookies_allowed_js_check_params()
        page = CookiesAllowedCheckPage(
            params,
            protocol,
            self._cookies_unavailable_msg_main_text,
            self._cookies_unavailable_msg_click_text,
            self._cookies_check_loading_text,
        )
        html = page.get_html()
        scripts, styles = csp_hashes(html)
        response = make_response(html)
        response.headers["Content-Security-Policy"] = (
            f"default-src 'self'; script-src {' '.join(scripts)}; style-src 'unsafe-hashes' {' '.join(styles)}; "
            f"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {platform_frame_ancestors()}"
        )
        return response


def launch_platform(launch: FlaskMessageLaunch) -> LtiPlatform:
    """The registered platform a validated launch came from."""
    registration = launch._registration
    platform = db.session.get(LtiPlatform, getattr(registration, "platform_id", 0)) if registration else None
    if platform is None:  # validation found the registration, so only a removal in between gets here
        raise LtiException("The LMS that sent this launch is no longer registered.")
    return platform


def tool_conf() -> DatabaseToolConf:
    return DatabaseToolConf()


def flask_request() -> FlaskRequest:
    return FlaskRequest()


def restore_launch(launch_id: str) -> ToolMessageLaunch:
    """A validated launch from the shared store, e.g. when the teacher picks what to deep-link."""
    # Workaround 1: from_cache() would build the abstract ServiceConnector (NotImplementedError on the
    # first grade); pass our concrete connector class explicitly.
    launch = ToolMessageLaunch.from_cache(
        launch_id,
        flask_request(),
        tool_conf(),
        launch_data_storage=launch_storage(),
        service_connector_cls=ToolServiceConnector,
    )
    return t.cast(ToolMessageLaunch, launch)  # from_cache builds the class it is called on
