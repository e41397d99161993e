"""A test LMS platform: its own RSA key signs id_tokens with PyJWT, and its HTTP endpoints are stubbed with
`responses` (JWKS, OpenID configuration, registration, token, scores and Names and Roles).

Nothing here is recorded from a real LMS and nothing is verified with checks switched off: every launch
the tool accepts was signed by this key, and every refusal is a token this platform got wrong on purpose.
"""

from __future__ import annotations

import json
import time
import uuid
from urllib.parse import parse_qs, urlsplit

import jwt
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_jwk(key, kid: str) -> dict:
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    jwk = json.loads(JWK.from_pem(public).export_public())
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return jwk


class TestPlatform:
    """One LMS, e.g. https://lms.example, with a course, a teacher and students."""

    __test__ = False  # not a pytest class

    def __init__(self, issuer: str = "https://lms.example", client_id: str = "tool-client-1", deployment_id: str = "1"):
        self.issuer = issuer
        self.client_id = client_id
        self.deployment_id = deployment_id
        self.key = rsa_key()
        self.kid = "platform-key-1"
        self.published = [public_jwk(self.key, self.kid)]
        self.scores: list[dict] = []
        self.token_requests: list[dict] = []
        self.registrations: list[dict] = []
        self.members: list[dict] = []
        self.score_status = 200

    # --- addresses -------------------------------------------------------------------------
    @property
    def auth_login_url(self) -> str:
        return f"{self.issuer}/auth"

    @property
    def token_url(self) -> str:
        return f"{self.issuer}/token"

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/jwks"

    @property
    def lineitem_url(self) -> str:
        return f"{self.issuer}/courses/7/lineitems/3/lineitem?type_id=1"

    @property
    def memberships_url(self) -> str:
        return f"{self.issuer}/courses/7/memberships"

    def platform_fields(self) -> dict:
        return {
            "name": "Test LMS",
            "issuer": self.issuer,
            "client_id": self.client_id,
            "auth_login_url": self.auth_login_url,
            "auth_token_url": self.token_url,
            "key_set_url": self.jwks_url,
            "deployment_ids": [self.deployment_id],
        }

    def openid_configuration(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.auth_login_url,
            "token_endpoint": self.token_url,
            "jwks_uri": self.jwks_url,
            "registration_endpoint": f"{self.issuer}/register",
            "scopes_supported": ["openid"],
            "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                "product_family_code": "testlms",
                "version": "1.0",
                "messages_supported": [{"type": "LtiResourceLinkRequest"}, {"type": "LtiDeepLinkingRequest"}],
            },
        }

    # --- stubbed HTTP endpoints -----------------------------------------------------------
    def serve(self, rsps: responses.RequestsMock) -> None:
        rsps.add_callback(
            responses.GET, self.jwks_url, callback=lambda r: (200, {}, json.dumps({"keys": self.published}))
        )
        rsps.add_callback(responses.POST, self.token_url, callback=self._token)
        rsps.add_callback(
            responses.POST, self.lineitem_url.replace("/lineitem?", "/lineitem/scores?"), callback=self._score
        )
        rsps.add_callback(responses.GET, self.memberships_url, callback=self._members)
        rsps.add_callback(
            responses.GET,
            f"{self.issuer}/.well-known/openid-configuration",
            callback=lambda r: (200, {}, json.dumps(self.openid_configuration())),
        )
        rsps.add_callback(responses.POST, f"{self.issuer}/register", callback=self._register)

    def _token(self, request):
        form = {k: v[0] for k, v in parse_qs(request.body).items()}
        self.token_requests.append(form)
        return (
            200,
            {},
            json.dumps({"access_token": f"token-{form.get('client_assertion', '')[-8:]}", "expires_in": 3600}),
        )

    def _score(self, request):
        self.scores.append({"body": json.loads(request.body), "headers": dict(request.headers)})
        return self.score_status, {}, ""

    def _members(self, request):
        return 200, {}, json.dumps({"id": self.memberships_url, "context": {"id": "course-7"}, "members": self.members})

    def _register(self, request):
        body = json.loads(request.body)
        self.registrations.append({"body": body, "authorization": request.headers.get("Authorization")})
        answer = dict(body)
        answer["client_id"] = "dynamic-client-9"
        answer["https://purl.imsglobal.org/spec/lti-tool-configuration"] = dict(
            body["https://purl.imsglobal.org/spec/lti-tool-configuration"], deployment_id="42"
        )
        return 200, {}, json.dumps(answer)

    # --- messages --------------------------------------------------------------------------
    def id_token(
        self,
        nonce: str,
        *,
        sub: str = "learner-1",
        roles=(LEARNER,),
        message_type="LtiResourceLinkRequest",
        key=None,
        kid=None,
        drop=(),
        **overrides,
    ) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": sub,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "name": "Alice Archer" if sub.startswith("learner") else "Tom Teacher",
            "email": f"{sub}@school.example",
            CLAIM + "deployment_id": self.deployment_id,
            CLAIM + "message_type": message_type,
            CLAIM + "version": "1.3.0",
            CLAIM + "roles": list(roles),
            CLAIM + "target_link_uri": "http://localhost/lms/launch",
            CLAIM + "context": {"id": "course-7", "label": "HIST10B", "title": "History 10B"},
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": self.memberships_url,
                "service_versions": ["2.0"],
            },
        }
        if message_type == "LtiResourceLinkRequest":
            claims[CLAIM + "resource_link"] = {"id": "activity-1", "title": "The Red Soul"}
            claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"] = {
                "scope": [
                    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                ],
                "lineitems": f"{self.issuer}/courses/7/lineitems",
                "lineitem": self.lineitem_url,
            }
        else:
            claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
                "deep_link_return_url": f"{self.issuer}/deep-link-return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "data": "opaque-platform-data",
            }
        claims.update(overrides)
        for name in drop:
            claims.pop(name, None)
        return jwt.encode(claims, pem(key or self.key), algorithm="RS256", headers={"kid": kid or self.kid})

    def login_params(self, **extra) -> dict:
        params = {
            "iss": self.issuer,
            "login_hint": "user-hint",
            "target_link_uri": "http://localhost/lms/launch",
            "lti_message_hint": '{"cmid":2}',
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id,
            "lti1p3_new_window": "1",
        }
        params.update(extra)
        return params


def auth_request(location: str) -> dict:
    """The query of the tool's redirect to the platform's authorization endpoint."""
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def launch(client, platform: TestPlatform, **token_options):
    """The whole OIDC dance through the test client: login initiation, then the signed launch."""
    response = client.post("/lms/login", data=platform.login_params())
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    auth = auth_request(response.headers["Location"])
    token = platform.id_token(auth["nonce"], **token_options)
    return client.post("/lms/launch", data={"id_token": token, "state": auth["state"]}), auth, token


def new_state() -> str:
    return "state-" + str(uuid.uuid4())
