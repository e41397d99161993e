"""Framing and cookies (issue 11): which pages other sites may frame, the cookies a frame on an allowed
site gets (SameSite=None; Secure; Partitioned), the cookie check, and the compact framed layout."""

import pytest
from flask import session
from flask.testing import FlaskClient

from classroom.embed.policy import FRAME_ORIGIN_KEY, BadOrigin, decide, origin_of, parse_origins
from classroom.extensions import db
from classroom.models import Student
from tests.conftest import login_as

LMS = "https://moodle.school.example"
APP = "https://classroom.school.example"
# What Chromium sends when a page on the LMS frames the app (Fetch Metadata and the LMS's origin as Referer).
FRAMED_BY_LMS = {"Sec-Fetch-Dest": "iframe", "Sec-Fetch-Site": "cross-site", "Referer": LMS + "/"}
# Later requests inside that frame: from the app's own page.
INSIDE_FRAME = {"Sec-Fetch-Dest": "iframe", "Sec-Fetch-Site": "same-origin", "Referer": APP + "/join/resume"}
TOP_LEVEL = {"Sec-Fetch-Dest": "document", "Sec-Fetch-Site": "none"}


@pytest.fixture
def embed_app(make_app):
    return make_app(EMBED_ALLOWED_ORIGINS=f"{LMS} https://canvas.school.example:8443")


class HttpsClient(FlaskClient):
    """A browser on the school's HTTPS address."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("base_url", APP)
        return super().open(*args, **kwargs)


@pytest.fixture
def https_client(embed_app):
    embed_app.test_client_class = HttpsClient
    return embed_app.test_client()


def frame_ancestors(response) -> str:
    (directive,) = [d.strip() for d in response.headers["Content-Security-Policy"].split(";") if "frame-ancestors" in d]
    return directive.removeprefix("frame-ancestors ").strip()


def set_cookies(response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


# --- the allowlist ---


def test_parse_origins():
    assert parse_origins("https://Moodle.School.example/, https://canvas.example:8443  http://intranet") == (
        "https://moodle.school.example",
        "https://canvas.example:8443",
        "http://intranet",
    )
    assert parse_origins("") == () and parse_origins(None) == ()
    assert parse_origins(["https://a.example", "https://a.example"]) == ("https://a.example",)


@pytest.mark.parametrize(
    "bad", ["moodle.school.example", "https://moodle.school.example/course", "https://*.school.example", "ftp://x", "*"]
)
def test_parse_origins_refuses_what_is_not_an_origin(bad):
    with pytest.raises(BadOrigin):
        parse_origins(bad)


def test_a_bad_allowlist_stops_the_app_at_start(make_app):
    with pytest.raises(BadOrigin):
        make_app(EMBED_ALLOWED_ORIGINS="https://moodle.school.example/course/view.php")


def test_origin_of():
    assert (
        origin_of("https://Moodle.school.example:8443/mod/page/view.php?id=3") == "https://moodle.school.example:8443"
    )
    assert origin_of(None) is None and origin_of("") is None and origin_of("about:blank") is None


# --- headers per route ---


def test_student_pages_may_be_framed_by_the_allowed_sites_only(embed_app, school_class, assignment, student):
    client = embed_app.test_client()
    for path in (f"/join/{school_class.join_code}", f"/join/a/{assignment.link_token}", "/join", "/join/resume"):
        response = client.get(path)
        assert frame_ancestors(response) == f"'self' {LMS} https://canvas.school.example:8443", path
        assert "X-Frame-Options" not in response.headers, path
    login_as(client, student)
    for path in ("/student", f"/student/assignments/{assignment.id}"):
        response = client.get(path)
        assert response.status_code == 200
        assert frame_ancestors(response) == f"'self' {LMS} https://canvas.school.example:8443", path
        assert "X-Frame-Options" not in response.headers, path


def test_teacher_pages_login_and_the_rest_are_never_framed(embed_app, teacher, school_class, assignment):
    client = embed_app.test_client()
    for path in ("/", "/film", "/auth/login", "/auth/signup", "/no/such/page"):
        response = client.get(path)
        assert frame_ancestors(response) == "'none'", path
        assert response.headers["X-Frame-Options"] == "DENY", path
    login_as(client, teacher)
    for path in (
        "/classes/",
        f"/classes/{school_class.id}",
        f"/classes/assignments/{assignment.id}",
        f"/classes/assignments/{assignment.id}/projector",
        f"/dashboard/assignments/{assignment.id}",
        f"/moderation/classes/{school_class.id}",
        "/lessons/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert frame_ancestors(response) == "'none'", path
        assert response.headers["X-Frame-Options"] == "DENY", path


def test_without_an_allowlist_student_pages_stay_on_this_site(client, school_class):
    response = client.get(f"/join/{school_class.join_code}")
    assert frame_ancestors(response) == "'self'"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


ALLOWED = f"'self' {LMS} https://canvas.school.example:8443"


def test_every_route_in_the_map_is_unframeable_unless_it_is_a_student_area(
    embed_app, teacher, student, school_class, assignment
):
    """Sweep app.url_map as a visitor, a teacher and a student: the areas students use allow exactly the
    school's list, every other page (teachers', log-in, the front door, redirects, errors) nobody."""
    from classroom.embed.policy import EMBEDDABLE_AREAS

    teacher_client, student_client = embed_app.test_client(), embed_app.test_client()
    login_as(teacher_client, teacher)
    login_as(student_client, student)
    swept = set()
    for rule in embed_app.url_map.iter_rules():
        area = rule.endpoint.partition(".")[0]
        path = rule.build(dict.fromkeys(rule.arguments, 1))[1]
        for client in (embed_app.test_client(), teacher_client, student_client):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(path, method=method)
                where = (method, path, response.status_code)
                if area == "lms":
                    # The LTI tool's own pages name the registered platforms (none here), never another site.
                    assert frame_ancestors(response).split()[0] == "'self'", where
                    assert set(frame_ancestors(response).split()) <= set(ALLOWED.split()), where
                    assert "X-Frame-Options" not in response.headers, where
                elif area in EMBEDDABLE_AREAS:
                    assert frame_ancestors(response) == ALLOWED, where
                    assert "X-Frame-Options" not in response.headers, where
                else:
                    assert frame_ancestors(response) == "'none'", where
                    assert response.headers["X-Frame-Options"] == "DENY", where
        swept.add(area)
    assert swept >= {"main", "auth", "classes", "lessons", "moderation", "dashboard", "join", "student", "embed"}


def test_pages_say_which_request_headers_their_frame_decision_read(embed_app, school_class):
    client = embed_app.test_client()
    for path in (f"/join/{school_class.join_code}", "/auth/login", "/"):
        vary = client.get(path, headers=INSIDE_FRAME).headers.get("Vary", "")
        assert {"Sec-Fetch-Dest", "Sec-Fetch-Site", "Referer", "Cookie"} <= {v.strip() for v in vary.split(",")}, path
    # The same address answers differently in a frame and at the top level: a cache must keep both apart.
    framed = client.get(f"/join/{school_class.join_code}", headers=INSIDE_FRAME).get_data(as_text=True)
    top = client.get(f"/join/{school_class.join_code}", headers=TOP_LEVEL).get_data(as_text=True)
    assert framed != top
    # A static file is the same whoever asks.
    assert "Sec-Fetch-Dest" not in client.get("/static/css/app.css").headers.get("Vary", "")


def test_the_rest_of_the_policy_is_unchanged(embed_app):
    csp = embed_app.test_client().get("/join").headers["Content-Security-Policy"]
    assert csp.startswith("default-src 'self'; script-src 'self'; style-src 'self';")
    assert csp.count("frame-ancestors") == 1


# --- cookies ---


def test_a_frame_on_an_allowed_site_gets_partitioned_cookies(https_client, school_class):
    response = https_client.get(f"/join/{school_class.join_code}", headers=FRAMED_BY_LMS)
    # First the cookie check: the session cookie carries the mark that tells whether it came back.
    assert response.status_code == 302
    assert response.headers["Location"] == f"/embed/cookies?next=/join/{school_class.join_code}"
    cookie = set_cookies(response)["session"]
    assert cookie.endswith("; Secure; HttpOnly; Path=/; SameSite=None; Partitioned")


def test_the_whole_join_inside_the_frame_keeps_partitioned_cookies(https_client, embed_app, school_class, assignment):
    link = f"/join/a/{assignment.link_token}"
    https_client.get(link, headers=FRAMED_BY_LMS)
    back = https_client.get(f"/embed/cookies?next={link}", headers=FRAMED_BY_LMS)
    assert back.status_code == 302 and back.headers["Location"] == link
    form = https_client.get(link, headers=INSIDE_FRAME)
    assert form.status_code == 200 and "Join History 11B" in form.get_data(as_text=True)
    joined = https_client.post(link, data={"display_name": "Mira"}, headers=INSIDE_FRAME)
    assert joined.status_code == 302
    cookies = set_cookies(joined)
    assert set(cookies) == {"session", "remember_token"}
    for header in cookies.values():
        assert "; Secure;" in header and header.endswith("; SameSite=None; Partitioned"), header
    assert https_client.post("/join/welcome", headers=INSIDE_FRAME).headers["Location"] == (
        f"/student/assignments/{assignment.id}"
    )
    page = https_client.get(f"/student/assignments/{assignment.id}", headers=INSIDE_FRAME)
    assert page.status_code == 200


def test_the_same_pages_at_the_top_level_get_lax_cookies(https_client, school_class):
    response = https_client.get(f"/join/{school_class.join_code}", headers=TOP_LEVEL)
    assert response.status_code == 200
    response = https_client.post(f"/join/{school_class.join_code}", data={"display_name": "Mira"}, headers=TOP_LEVEL)
    for header in set_cookies(response).values():
        assert "SameSite=Lax" in header and "Partitioned" not in header, header


def test_a_frame_on_a_site_not_on_the_list_gets_no_cross_site_cookies(https_client, school_class):
    headers = dict(FRAMED_BY_LMS, Referer="https://elsewhere.example/page")
    response = https_client.get(f"/join/{school_class.join_code}", headers=headers)
    assert response.status_code == 302  # checked like any frame; the browser will not keep a Lax cookie there
    cookie = set_cookies(response)["session"]
    assert "SameSite=Lax" in cookie and "Partitioned" not in cookie
    # ...so the check finds no cookie and offers the new tab (and the CSP keeps the page out of that frame anyway).
    fresh = https_client.application.test_client()
    check = fresh.get(f"/embed/cookies?next=/join/{school_class.join_code}", headers=headers)
    assert "Open in a new tab" in check.get_data(as_text=True)


def test_no_partitioned_cookies_without_https(embed_app, school_class):
    client = embed_app.test_client()
    response = client.get(f"/join/{school_class.join_code}", headers=FRAMED_BY_LMS)
    cookie = set_cookies(response)["session"]
    assert "SameSite=Lax" in cookie and "Partitioned" not in cookie and "Secure" not in cookie


def test_a_refused_cookie_leads_to_open_in_a_new_tab(https_client, school_class):
    """The browser did not keep the cookie (Safari, strict settings): the check page says what to do."""
    response = https_client.get(f"/embed/cookies?next=/join/{school_class.join_code}", headers=FRAMED_BY_LMS)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Open in a new tab" in text
    assert f'href="{APP}/join/{school_class.join_code}" target="_blank" rel="noopener"' in text


def test_the_check_opened_in_a_tab_of_its_own_goes_on(https_client, school_class):
    response = https_client.get(f"/embed/cookies?next=/join/{school_class.join_code}", headers=TOP_LEVEL)
    assert response.status_code == 302 and response.headers["Location"] == f"/join/{school_class.join_code}"


def test_the_check_only_goes_on_to_this_site(https_client):
    https_client.get("/join", headers=FRAMED_BY_LMS)
    response = https_client.get("/embed/cookies?next=https://evil.example/", headers=FRAMED_BY_LMS)
    assert response.headers["Location"] == "/join"


def test_a_form_sent_without_cookies_from_a_frame_says_open_in_a_new_tab(make_app, school_class):
    app = make_app(WTF_CSRF_ENABLED=True, EMBED_ALLOWED_ORIGINS=LMS)
    client = app.test_client()
    response = client.post("/join", data={"code": school_class.join_code}, headers=INSIDE_FRAME)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Open in a new tab" in text and "CSRF" not in text
    # At the top level the usual refusal stays.
    response = app.test_client().post("/join", data={"code": school_class.join_code})
    assert response.status_code == 400 and "Open in a new tab" not in response.get_data(as_text=True)


def test_the_session_keeps_its_frame_mark_when_a_view_empties_it(https_client, embed_app, school_class, student):
    """Logging in or out inside the frame must not turn the next cookies back to Lax."""
    https_client.get(f"/join/{school_class.join_code}", headers=FRAMED_BY_LMS)
    with embed_app.app_context():
        code = db.session.get(Student, student.id).return_code
    signed_in = https_client.post("/join/resume", data={"return_code": code}, headers=INSIDE_FRAME)
    assert set_cookies(signed_in)["session"].endswith("; SameSite=None; Partitioned")
    logged_out = https_client.post("/student/logout", headers=INSIDE_FRAME)
    assert set_cookies(logged_out)["session"].endswith("; SameSite=None; Partitioned")
    again = https_client.get("/join/resume", headers=INSIDE_FRAME)
    assert again.status_code == 200


# --- the framed layout ---


def test_framed_pages_are_compact_with_a_way_out(embed_app, school_class):
    client = embed_app.test_client()
    framed = client.get(f"/join/{school_class.join_code}", headers=INSIDE_FRAME).get_data(as_text=True)
    assert 'class=" in-frame"' in framed
    assert 'aria-label="Main"' not in framed and "site-footer" not in framed
    assert f'href="http://localhost/join/{school_class.join_code}" target="_blank"' in framed
    assert "Open the full page" in framed
    whole = client.get(f"/join/{school_class.join_code}").get_data(as_text=True)
    assert 'aria-label="Main"' in whole and "in-frame" not in whole and "Open the full page" not in whole


def test_after_our_own_redirect_drops_the_referer_the_session_mark_decides(make_app, make_teacher, make_class):
    """Referrer-Policy: same-origin on our redirect leaves the next framed request without a Referer."""
    app = make_app(WTF_CSRF_ENABLED=True, EMBED_ALLOWED_ORIGINS=LMS)
    school_class = make_class(make_teacher())
    app.test_client_class = HttpsClient
    client = app.test_client()
    path = f"/join/{school_class.join_code}"
    client.get(path, headers=FRAMED_BY_LMS)
    without_referer = {k: v for k, v in FRAMED_BY_LMS.items() if k != "Referer"}
    assert client.get(f"/embed/cookies?next={path}", headers=without_referer).headers["Location"] == path
    form = client.get(path, headers=without_referer)
    assert form.status_code == 200
    # The form's CSRF token went into the session: its cookie must still be one the frame keeps.
    assert set_cookies(form)["session"].endswith("; Secure; HttpOnly; Path=/; SameSite=None; Partitioned")
    # A Referer naming another site is never taken on the session's word.
    elsewhere = dict(FRAMED_BY_LMS, Referer="https://elsewhere.example/")
    with app.test_request_context(path, headers=elsewhere, base_url=APP):
        session[FRAME_ORIGIN_KEY] = LMS
        assert decide().partitioned_cookies is False
    with app.test_request_context(path, headers=without_referer, base_url=APP):
        session[FRAME_ORIGIN_KEY] = LMS
        assert decide().partitioned_cookies is True
