"""Headers every response gets that are about trust rather than content: caching, HTTPS, the proxy in front.

- `Cache-Control: no-store` on every page that is not public, so a shared school computer's back button
  or back/forward cache never shows a return code, a roster or a student's work after logging out.
  Public are the static files, the tool's public key (JWKS), and, for a visitor who is not signed in,
  the front door, the film page, its glossary and the permanent redirects. The log-in and sign-up pages are not
  public: they carry the visitor's own CSRF token.
- `Strict-Transport-Security` when the app runs behind HTTPS (SECURE_COOKIES=1).
- Werkzeug's ProxyFix for TRUSTED_PROXIES hops, so the client's address (rate limits, logs) and the
  scheme (https links, secure cookies) come from the proxy's X-Forwarded-For and X-Forwarded-Proto.
"""

from flask import Flask, current_app, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

# The same for everyone and safe in any cache.
ALWAYS_PUBLIC = frozenset({"static", "lms.jwks"})
# The same for every visitor who is not signed in (a signed-in person's version names them).
PUBLIC_FOR_VISITORS = frozenset({"main.home", "main.film", "main.glossary"})
PUBLIC_AREAS_FOR_VISITORS = ("moved.",)
# One year: browsers then refuse plain http for this host.
HSTS_VALUE = "max-age=31536000"


def is_public(endpoint: str | None, signed_in: bool) -> bool:
    """True when a response from this endpoint may be kept by the browser and shared caches."""
    if endpoint in ALWAYS_PUBLIC:
        return True
    if signed_in or endpoint is None:
        return False
    return endpoint in PUBLIC_FOR_VISITORS or endpoint.startswith(PUBLIC_AREAS_FOR_VISITORS)


def trust_headers(response: Response) -> Response:
    """no-store on every page that is not public; HSTS behind HTTPS."""
    endpoint = request.endpoint
    # Static files never ask who is signed in (that would load the user for every stylesheet).
    signed_in = endpoint not in ALWAYS_PUBLIC and current_user.is_authenticated
    if not is_public(endpoint, signed_in):
        response.headers["Cache-Control"] = "no-store"
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", HSTS_VALUE)
    return response


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES proxies, take the client's address and scheme from their forwarded headers.

    The host is not taken from X-Forwarded-Host: a proxy that does not set it passes on whatever the
    client sent. The proxy passes the Host header instead (nginx: `proxy_set_header Host $host`).
    """
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)  # type: ignore[method-assign]


def init_app(app: Flask) -> None:
    trust_proxies(app)
    app.after_request(trust_headers)
