"""An LTI 1.3 platform we did not write, served for real: the PyPI package lti1p3platform in a small Flask app.

It signs launches and deep-linking requests with its own key (lti1p3platform), checks the tool's signed
deep-linking answer and client assertions against the tool's real JWKS over HTTP, issues access tokens,
and records the scores the tool posts to its AGS endpoint. Only the HTTP glue is ours.
"""

from __future__ import annotations

import json
import threading
from types import SimpleNamespace

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, jsonify, redirect, request
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from werkzeug.serving import WSGIRequestHandler, make_server

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
CLIENT_ID = "platform-test-client"
DEPLOYMENT_ID = "deployment-1"
PEOPLE = {
    "teacher-7": ("Nina Instructor", [INSTRUCTOR]),
    "learner-7": ("Lev Learner", [LEARNER]),
    "learner-8": ("Mira Member", [LEARNER]),
}


def _keys() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


class PlatformServer:
    """The platform on 127.0.0.1 on a free port; `scores` and `content_items` record what the tool sent."""

    def __init__(self, tool_url: str) -> None:
        self.tool_url = tool_url.rstrip("/")
        self.private_key, self.public_key = _keys()
        self.scores: list[dict] = []
        self.content_items: list[dict] = []
        self.app = Flask("lti-test-platform")
        self.app.secret_key = "platform-secret"
        self.app.config["SESSION_COOKIE_NAME"] = "platform_session"
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True, request_handler=_Quiet)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self._routes()
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- what the tool's administrator pastes ------------------------------------------------
    def platform_fields(self) -> dict:
        return {
            "name": "lti1p3platform test LMS",
            "issuer": self.url,
            "client_id": CLIENT_ID,
            "auth_login_url": f"{self.url}/auth",
            "auth_token_url": f"{self.url}/token",
            "key_set_url": f"{self.url}/jwks",
            "deployment_ids": [DEPLOYMENT_ID],
        }

    @property
    def lineitem_url(self) -> str:
        return f"{self.url}/lineitems/1/lineitem"

    def config(self) -> LTI1P3PlatformConfAbstract:
        server = self

        class Config(LTI1P3PlatformConfAbstract):
            def init_platform_config(self, **kwargs):
                pass

            def get_registration_by_params(self, **kwargs):
                return (
                    Registration()
                    .set_iss(server.url)
                    .set_client_id(CLIENT_ID)
                    .set_deployment_id(DEPLOYMENT_ID)
                    .set_oidc_login_url(f"{server.tool_url}/lms/login")
                    .set_launch_url(f"{server.tool_url}/lms/launch")
                    .set_deeplink_launch_url(f"{server.tool_url}/lms/launch")
                    .set_tool_key_set_url(f"{server.tool_url}/lms/jwks")
                    .set_platform_public_key(server.public_key)
                    .set_platform_private_key(server.private_key)
                )

        return Config()

    # --- HTTP ---------------------------------------------------------------------------------
    def _routes(self) -> None:
        app, server = self.app, self

        class Login(OIDCLoginAbstract):
            def set_lti_message_hint(self, **kwargs):
                self._lti_message_hint = json.dumps(kwargs)

            def get_redirect(self, url):
                return redirect(url)

        class Launch(LTIAdvantageMessageLaunchAbstract):
            def render_launch_form(self, launch_data, **kwargs):
                fields = "".join(
                    f'<input type="hidden" name="{name}" value="{launch_data[name]}">' for name in ("id_token", "state")
                )
                return (
                    f'<form id="launch" method="post" action="{launch_data["launch_url"]}">{fields}'
                    '<button type="submit">Continue</button></form>'
                    "<script>document.getElementById('launch').submit()</script>"
                )

        @app.get("/start/<kind>")
        def start(kind):
            """The LMS page a person clicks: "deep-link" (choose content) or "resource" (open the activity)."""
            login = Login(SimpleNamespace(), server.config())
            login.set_lti_message_hint(kind=kind, custom=request.args.get("custom", ""))
            if kind == "deep-link":
                login.set_deeplinking_launch_url()
            return login.initiate_login(request.args["user"])

        @app.get("/auth")
        def auth():
            """OIDC authorization: the tool came back with state and nonce; sign the launch and post it."""
            hint = json.loads(request.args["lti_message_hint"])
            user = request.args["login_hint"]
            name, roles = PEOPLE[user]
            launch = Launch(SimpleNamespace(get_data=dict(request.args), form_data={}), server.config())
            launch.set_user_data(user, roles, full_name=name)
            launch.set_launch_context_claim("course-42", context_title="Civics 9", context_label="CIV9")
            launch.set_nrps(f"{server.url}/memberships")
            if hint["kind"] == "deep-link":
                launch.set_dl(
                    f"{server.url}/deep-link-return", title="Choose content", accept_types={"ltiResourceLink"}
                )
            else:
                launch.set_resource_link_claim("activity-42", title="The Red Soul")
                if hint["custom"]:
                    launch.set_custom_parameters_claim(json.loads(hint["custom"]))
                launch.set_ags(f"{server.url}/lineitems", server.lineitem_url)
            return launch.lti_launch()

        @app.get("/jwks")
        def jwks():
            return jsonify(server.config_jwks())

        @app.post("/token")
        def token():
            config = server.config()
            config.get_registration()
            return jsonify(config.get_access_token(request.form.to_dict()))

        @app.post("/deep-link-return")
        def deep_link_return():
            config = server.config()
            config.get_registration()
            items = config.validate_deeplinking_resp(request.form.to_dict())
            server.content_items.extend(items)
            return f"<h1>Added {len(items)} item(s)</h1><p id='items'>{json.dumps(items)}</p>"

        @app.post("/lineitems/1/lineitem/scores")
        def scores():
            config = server.config()
            config.get_registration()
            bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
            if not config.validate_token(bearer, ["https://purl.imsglobal.org/spec/lti-ags/scope/score"]):
                return "", 401
            server.scores.append(request.get_json(force=True))
            return "", 200

        @app.get("/memberships")
        def memberships():
            members = [
                {"user_id": user, "name": name, "roles": roles, "status": "Active"}
                for user, (name, roles) in PEOPLE.items()
            ]
            return jsonify({"id": f"{server.url}/memberships", "context": {"id": "course-42"}, "members": members})

    def config_jwks(self) -> dict:
        config = self.config()
        config.get_registration()
        return config.get_jwks()
