"""Two real HTTPS sites in Chromium: a school "LMS" on one host name frames the app on another.

Both servers listen on 127.0.0.1 only; Chromium's --host-resolver-rules sends lms.test, other.test
and app.test there. Their certificate comes from a throwaway trustme CA; rather than switching every
certificate check off (--ignore-certificate-errors), Chromium is told to accept exactly this one key
(--ignore-certificate-errors-spki-list with the SHA-256 of its public key), so the pages are real
secure contexts: Secure, SameSite=None and Partitioned cookies behave as on a school's servers.

Blocking third-party cookies does not block partitioned (CHIPS) cookies in Chromium 156: that is
what they are for. So the frame is tested twice: with third-party cookies blocked
(--test-third-party-cookie-phaseout, checked with an unpartitioned probe cookie that the browser must
refuse) the student works inside the frame; with every cookie of the app refused inside the LMS (the
per-site "not allowed to use cookies" setting, as a school's managed policy or Safari's strict mode
does; checked with a partitioned probe cookie) the student gets "Open in a new tab" and finishes there.
"""

from __future__ import annotations

import base64
import hashlib
import json
import ssl
import threading
from dataclasses import dataclass

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from flask import Response as FlaskResponse
from flask import request
from playwright.sync_api import expect
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from classroom.classes.logic import assign_plan, create_class
from classroom.classes.sharing import embed_snippet
from classroom.extensions import db
from classroom.lessons.plans import copy_starter_plan
from classroom.models import Assignment, Prompt, Reflection, Student, Teacher
from classroom.passwords import hash_password

from .conftest import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, QuietHandler, unavailable
from .helpers import ARTIFACTS
from .story import student_answers_stance, student_writes

pytestmark = pytest.mark.e2e

HOSTS = ("app.test", "lms.test", "other.test")
TEACHER_EMAIL, TEACHER_PASSWORD = "embed.teacher@school.example", "a long enough password"


@dataclass
class Sites:
    app: object
    app_url: str
    lms_url: str
    other_url: str
    spki: str
    assignment_id: int = 0
    link: str = ""
    prompt_id: int = 0
    prompt_text: str = ""


class Server:
    """A WSGI app over HTTPS on 127.0.0.1, on a free port, in a thread."""

    def __init__(self, wsgi, context: ssl.SSLContext):
        self.http = make_server("127.0.0.1", 0, wsgi, threaded=True, ssl_context=context, request_handler=QuietHandler)
        self.port = self.http.server_port
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.http.shutdown()
        self.http.server_close()
        self.thread.join(timeout=10)


class Lms:
    """The school's learning platform: pages whose body is HTML a teacher pasted (the embed code)."""

    def __init__(self):
        self.pages: dict[str, str] = {}

    def __call__(self, environ, start_response):
        body = self.pages.get(Request(environ).path)
        if body is None:
            return Response("no such page", status=404)(environ, start_response)
        html = f"<!doctype html><html lang='en'><head><title>Course page</title></head><body><h1>Course</h1>{body}</body></html>"
        return Response(html, mimetype="text/html")(environ, start_response)


def spki_hash(cert: trustme.LeafCert) -> str:
    leaf = x509.load_pem_x509_certificate(cert.cert_chain_pems[0].bytes())
    der = leaf.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


def add_probe_routes(app) -> None:
    """Test-only: cookies set from inside a frame, to see what the browser really keeps there."""

    def probe():
        response = FlaskResponse("probe")
        # Werkzeug's own set_cookie, not the app's frame-aware one: these attributes exactly.
        super(type(response), response).set_cookie("probe_unpartitioned", "1", samesite="None", secure=True)
        super(type(response), response).set_cookie(
            "probe_partitioned", "1", samesite="None", secure=True, partitioned=True
        )
        response.headers["Content-Security-Policy"] = "frame-ancestors *"
        return response

    def seen():
        return FlaskResponse(json.dumps(sorted(request.cookies)), mimetype="application/json")

    app.add_url_rule("/_test/probe", "test_probe", probe)
    app.add_url_rule("/_test/seen", "test_seen", seen)


@pytest.fixture
def sites(make_app):
    ca = trustme.CA()
    cert = ca.issue_cert(*HOSTS)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    lms = Lms()
    lms_server = Server(lms, context)
    app = make_app(
        WTF_CSRF_ENABLED=True,
        RATELIMIT_ENABLED=False,
        TESTING=False,
        PROPAGATE_EXCEPTIONS=False,
        EMBED_ALLOWED_ORIGINS=f"https://lms.test:{lms_server.port}",
    )
    add_probe_routes(app)
    app_server = Server(app, context)
    found = Sites(
        app=app,
        app_url=f"https://app.test:{app_server.port}",
        lms_url=f"https://lms.test:{lms_server.port}",
        other_url=f"https://other.test:{lms_server.port}",
        spki=spki_hash(cert),
    )
    with app.app_context():
        teacher = Teacher(name="Ms Vera Lind", email=TEACHER_EMAIL, password_hash=hash_password(TEACHER_PASSWORD))
        db.session.add(teacher)
        db.session.commit()
        assignment = assign_plan(create_class(teacher, "History 11B"), copy_starter_plan(teacher))
        prompt = min(assignment.prompts, key=lambda p: (p.time_seconds, p.id))
        found.assignment_id, found.prompt_id, found.prompt_text = assignment.id, prompt.id, prompt.text
        found.link = f"{found.app_url}/join/a/{assignment.link_token}"
        # The LMS page holds exactly the embed code the teacher copies from the assignment page.
        lms.pages["/course/embed"] = embed_snippet(assignment, found.link)
        lms.pages["/course/probe"] = f'<iframe src="{found.app_url}/_test/probe" title="probe"></iframe>'
        lms.pages["/course/teacher"] = (
            f'<iframe src="{found.app_url}/classes/assignments/{assignment.id}" title="teacher page"></iframe>'
        )
        lms.pages["/course/login"] = f'<iframe src="{found.app_url}/auth/login" title="log in"></iframe>'
        db.session.remove()
    yield found
    app_server.stop()
    lms_server.stop()


def chromium_args(sites: Sites, *extra: str) -> list[str]:
    rules = ", ".join(f"MAP {host} 127.0.0.1" for host in HOSTS)
    return [
        *CHROMIUM_ARGS,
        f"--host-resolver-rules={rules}",
        f"--ignore-certificate-errors-spki-list={sites.spki}",
        *extra,
    ]


@pytest.fixture
def launch(playwright_driver, tmp_path):
    """Start Chromium for these sites; `profile` writes a Preferences file into a fresh user data dir."""
    opened = []

    def start(sites: Sites, *extra: str, profile: dict | None = None):
        try:
            if profile is None:
                browser = playwright_driver.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=chromium_args(sites, *extra), timeout=60_000
                )
                opened.append(browser)
                context = browser.new_context(locale="en-GB", viewport={"width": 1100, "height": 1000})
            else:
                user_data = tmp_path / "profile"
                (user_data / "Default").mkdir(parents=True)
                (user_data / "Default" / "Preferences").write_text(json.dumps(profile))
                context = playwright_driver.chromium.launch_persistent_context(
                    str(user_data),
                    executable_path=CHROMIUM,
                    headless=True,
                    args=chromium_args(sites, *extra),
                    locale="en-GB",
                    viewport={"width": 1100, "height": 1000},
                    timeout=60_000,
                )
                opened.append(context)
        except Exception as error:
            unavailable(f"a Chromium that starts ({error})")
        context.set_default_timeout(TIMEOUT_MS)
        return context

    yield start
    for thing in opened:
        thing.close()


def app_frame(page, sites: Sites):
    """The frame showing the app, once it has loaded something from the app's site."""
    frame_element = page.locator("iframe")
    expect(frame_element).to_have_count(1)
    handle = frame_element.element_handle()
    frame = handle.content_frame()
    assert frame is not None
    return frame


def goto_refused(page, url: str, directive: str) -> str:
    """Open the framing page and wait for Chromium's console report that the frame was refused."""
    with page.expect_console_message(lambda message: directive in message.text) as refusal:
        page.goto(url)
    return refusal.value.text


def cookies_of_app(context, sites: Sites) -> list[dict]:
    return [cookie for cookie in context.cookies() if cookie["domain"] == "app.test"]


def reflection_of(sites: Sites, name: str) -> Reflection | None:
    with sites.app.app_context():
        reflection = db.session.scalars(
            db.select(Reflection)
            .join(Student)
            .where(Student.display_name == name, Reflection.prompt_id == sites.prompt_id)
        ).one_or_none()
        if reflection is not None:
            db.session.expunge(reflection)
        db.session.remove()
        return reflection


class FrameLesson:
    """Enough of story.Lesson for the story's student steps."""

    def __init__(self, sites: Sites):
        self.prompt_id, self.prompt_text = sites.prompt_id, sites.prompt_text


def join_and_submit(where, sites: Sites, name: str, body: str) -> None:
    """In a page or a frame: join with a name, note the return code, answer the opening question, submit."""
    expect(where.get_by_role("heading", level=1)).to_have_text("Join History 11B")
    where.get_by_label("Your display name").fill(name)
    where.get_by_role("button", name="Join the class").click()
    expect(where.get_by_role("heading", level=1)).to_have_text("Write down your return code")
    where.get_by_role("button", name="I have written it down").click()
    expect(where.get_by_role("heading", level=1)).to_contain_text("Memory and the Stalin legacy")
    student_answers_stance(where, "pre")
    student_writes(where, FrameLesson(sites), body)


def test_a_new_student_joins_and_submits_inside_the_lms_frame(sites, launch):
    context = launch(sites, "--test-third-party-cookie-phaseout")
    page = context.new_page()

    # Third-party cookies really are blocked: an unpartitioned SameSite=None cookie set in the frame is refused.
    page.goto(f"{sites.lms_url}/course/probe")
    expect(app_frame(page, sites).get_by_text("probe")).to_be_visible()
    kept = {cookie["name"]: cookie for cookie in cookies_of_app(context, sites)}
    assert "probe_unpartitioned" not in kept, kept
    assert kept["probe_partitioned"]["partitionKey"] == "https://lms.test"
    context.clear_cookies()

    page.goto(f"{sites.lms_url}/course/embed")
    frame = app_frame(page, sites)
    body = "Inside the course page: the queue for the grave surprised me."
    join_and_submit(frame, sites, "Lina", body)
    # The compact layout: no site navigation, a way out to the full page.
    expect(frame.get_by_role("navigation", name="Main")).to_have_count(0)
    expect(frame.get_by_role("link", name="Open the full page in a new tab")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "embed-in-lms-1100.png"), full_page=True)

    saved = reflection_of(sites, "Lina")
    assert saved is not None and saved.status == "awaiting" and "queue for the grave" in saved.body
    # Only partitioned cookies made this work: every app cookie is keyed to the LMS's site.
    app_cookies = cookies_of_app(context, sites)
    assert {cookie["name"] for cookie in app_cookies} >= {"session", "remember_token"}
    for cookie in app_cookies:
        assert cookie["sameSite"] == "None" and cookie["secure"], cookie
        assert cookie.get("partitionKey") == "https://lms.test", cookie


def test_a_site_not_on_the_list_cannot_frame_a_student_page(sites, launch):
    page = launch(sites).new_page()
    refusal = goto_refused(page, f"{sites.other_url}/course/embed", "frame-ancestors")
    assert f"'self' {sites.lms_url}" in refusal
    assert page.frame_locator("iframe").get_by_role("heading", name="Join History 11B").count() == 0
    # The same page from the allowed site does show (so the refusal above is about the site, not the page).
    page.goto(f"{sites.lms_url}/course/embed")
    expect(page.frame_locator("iframe").get_by_role("heading", name="Join History 11B")).to_be_visible()


def test_no_site_can_frame_a_teacher_page(sites, launch):
    context = launch(sites)
    page = context.new_page()
    # The teacher is logged in on the app itself, at the top level.
    page.goto(f"{sites.app_url}/auth/login")
    page.get_by_label("Email").fill(TEACHER_EMAIL)
    page.get_by_label("Password").fill(TEACHER_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your classes")
    page.goto(f"{sites.app_url}/classes/assignments/{sites.assignment_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Memory and the Stalin legacy")
    for course_page in ("/course/teacher", "/course/login"):
        goto_refused(page, f"{sites.lms_url}{course_page}", "frame-ancestors 'none'")  # even the allowed LMS
        frame = page.frame_locator("iframe")
        assert frame.get_by_role("heading", name="Teacher log in").count() == 0
        assert frame.get_by_role("heading", name="Memory and the Stalin legacy").count() == 0


def test_when_the_browser_refuses_cookies_in_the_frame_the_student_finishes_in_a_new_tab(sites, launch):
    # Chromium's per-site setting: cookies of app.test are not allowed while the top site is lms.test.
    profile = {
        "profile": {"content_settings": {"exceptions": {"cookies": {"[*.]app.test,[*.]lms.test": {"setting": 2}}}}}
    }
    context = launch(sites, profile=profile)
    page = context.new_page()

    # The setting really refuses them, partitioned ones included.
    page.goto(f"{sites.lms_url}/course/probe")
    expect(app_frame(page, sites).get_by_text("probe")).to_be_visible()
    assert cookies_of_app(context, sites) == []

    page.goto(f"{sites.lms_url}/course/embed")
    frame = app_frame(page, sites)
    expect(frame.get_by_role("heading", level=1)).to_have_text("Open this in its own tab")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "embed-cookies-refused-1100.png"), full_page=True)
    with context.expect_page() as opened:
        frame.get_by_role("link", name="Open in a new tab").click()
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url == sites.link  # the same place: the assignment's student link
    body = "In a tab of its own: the marchers' photographs stayed with me."
    join_and_submit(tab, sites, "Noor", body)
    expect(tab.get_by_role("navigation", name="Main")).to_be_visible()  # the full page, not the framed layout
    saved = reflection_of(sites, "Noor")
    assert saved is not None and saved.status == "awaiting" and "photographs" in saved.body
    with sites.app.app_context():
        assert db.session.scalars(db.select(Student.display_name)).all() == ["Noor"]
        assert db.session.get(Assignment, sites.assignment_id) is not None
        assert db.session.get(Prompt, sites.prompt_id) is not None
