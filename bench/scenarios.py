"""What the simulated people do, as Locust users. Every address comes from the targets file.

- A student of the lesson's class opens the assignment page, again and again.
- A student saves a draft of one prompt, then submits it, again and again, the way the page's script
  does on a laptop: the form posted in the background, answered with JSON (no page reload).
- A teacher opens one page (dashboard, queue, CSV, report, home...) again and again.
- The baseline reads 30 rows and renders them, or upserts one row.

Users sign in once per run (see `sign_in_all`); each Locust user starts from a copy of its
person's cookies, so no phase measures a login.
"""

from __future__ import annotations

import html
import itertools
import random
import re
from typing import ClassVar

import requests
from locust import FastHttpUser, constant, task

CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
INPUT_TAG = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'([a-zA-Z_:-]+)="([^"]*)"')

SAVED_TEXTS = (
    "I think the film shows how a family can remember one thing while the country remembers another. "
    "The women with the flowers were proud, but the volunteers reading names showed the other side. "
    "I want to ask my grandparents what they were told at school about this time.",
    "The talk show felt like a fight more than a discussion. Nobody listened to the others, and the host "
    "seemed happy about it. It made me wonder how television decides which stories about the past to show, "
    "and who is left out when everyone is shouting.",
    "**Memory** is not only what people say but also what they keep quiet about. The students in the class "
    "could not talk to their parents about it. That silence was the saddest part of the film for me.",
)


def attributes(tag: str) -> dict[str, str]:
    return {name.lower(): html.unescape(value) for name, value in ATTRIBUTE.findall(tag)}


def csrf_token(page: str) -> str:
    """The CSRF token of a page's first form (any hidden input named like *csrf_token)."""
    for tag in INPUT_TAG.findall(page):
        attrs = attributes(tag)
        if attrs.get("name", "").endswith("csrf_token"):
            return attrs.get("value", "")
    return ""


def form_fields(page: str, action: str) -> dict[str, str]:
    """The hidden inputs of the form posting to `action`, as a browser would send them."""
    # The action may carry an anchor (#prompt-3) or a query after the path the targets name.
    match = re.search(r'action="' + re.escape(html.escape(action)) + r'[#?"]', page)
    if match is None:
        return {}
    at = match.start()
    start = page.rfind("<form", 0, at)
    end = page.find("</form>", at)
    fields = {}
    for tag in INPUT_TAG.findall(page[start:end]):
        attrs = attributes(tag)
        if attrs.get("type", "").lower() == "hidden" and attrs.get("name"):
            fields[attrs["name"]] = attrs.get("value", "")
    return fields


def sign_in(host: str, login: dict, fields: dict) -> requests.cookies.RequestsCookieJar:
    """Sign one person in through the real form (GET for the token, POST) and return the cookies."""
    session = requests.Session()
    page = session.get(host + login["url"], timeout=60)
    page.raise_for_status()
    data = {"csrf_token": csrf_token(page.text), **fields}
    response = session.post(host + login["url"], data=data, allow_redirects=False, timeout=60)
    if response.status_code != 302:
        raise RuntimeError(f"Signing in at {login['url']} answered {response.status_code}, not a redirect.")
    return session.cookies


def sign_in_all(host: str, targets: dict) -> dict[str, requests.cookies.RequestsCookieJar]:
    """Cookies for every teacher and every student of the lesson's class, keyed by who they are."""
    jars = {}
    teacher_login = targets["teacher_login"]
    for key, teacher in targets["teachers"].items():
        jars[f"teacher:{key}"] = sign_in(
            host,
            teacher_login,
            {teacher_login["email_field"]: teacher["email"], teacher_login["password_field"]: teacher["password"]},
        )
    student_login = targets["student_login"]
    for code in targets["lesson"]["return_codes"]:
        jars[f"student:{code}"] = sign_in(host, student_login, {student_login["code_field"]: code})
    return jars


class Person(FastHttpUser):
    """A user who starts signed in as one person from the shared cookie jars."""

    abstract = True
    wait_time = constant(0)
    # Set on the subclass each phase makes: the targets, the cookie jars and who is next.
    targets: ClassVar[dict] = {}
    jars: ClassVar[dict] = {}
    people: ClassVar[itertools.cycle | None] = None
    # One entry per user whose setup is done: the phase measures only once everyone is ready.
    ready: ClassVar[list] = []

    def on_start(self):
        self.who = next(self.people) if self.people else None
        if self.who:
            for cookie in self.jars[self.who]:
                self.client.cookiejar.set_cookie(cookie)
        self.setup()
        self.ready.append(self.who)

    def setup(self):
        """Anything a user does once before the measured requests."""


class StudentPage(Person):
    abstract = True
    scenario = "student_page"

    @task
    def open_assignment(self):
        self.client.get(self.targets["lesson"]["assignment_url"], name=self.scenario)


class StudentSave(Person):
    """Save a draft, then submit, on prompts taken in turn; the page is read once to start."""

    abstract = True
    scenario = "reflection_save"

    def setup(self):
        lesson = self.targets["lesson"]
        self.prompts = list(lesson["prompts"])
        random.shuffle(self.prompts)
        self.turn = 0
        self.hidden = {}
        page = self.client.get(lesson["assignment_url"], name="setup: student page").text
        for prompt in self.prompts:
            self.hidden[prompt["id"]] = form_fields(page, prompt["save_url"])

    def _save(self, prompt: dict, submit: bool) -> None:
        """One save as the page's script sends it (static/js/reflections.js): the whole form, the button
        pressed, `Accept: application/json`; the answer is JSON that must say it saved, with the new version."""
        hidden = self.hidden[prompt["id"]]
        data = dict(hidden)
        data[prompt["body"]] = random.choice(SAVED_TEXTS)
        data[prompt["at"]] = ""
        data[prompt["submit"] if submit else prompt["save_draft"]] = "1"
        version = next((k for k in hidden if k.endswith("version")), None)
        with self.client.post(
            prompt["save_url"],
            data=data,
            headers={"Accept": "application/json"},
            name=self.scenario,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            try:
                answer = response.json()
            except ValueError:
                answer = {}
            if response.status_code == 200 and answer.get("saved") is True:
                if version:
                    hidden[version] = str(answer.get("version", ""))
                response.success()
            elif response.status_code == 409 and isinstance(answer.get("newer"), dict):
                # Someone else's save got there first: take the newer version, as the script does, and go on.
                if version:
                    hidden[version] = str(answer["newer"].get("version", ""))
                response.failure("409 stale version")
            else:
                response.failure(f"status {response.status_code}, saved={answer.get('saved')!r}")

    @task
    def draft_then_submit(self):
        prompt = self.prompts[self.turn % len(self.prompts)]
        self.turn += 1
        if not self.hidden.get(prompt["id"]):
            return
        self._save(prompt, submit=False)
        self._save(prompt, submit=True)


class TeacherPage(Person):
    abstract = True
    scenario = "teacher_page"
    url = "/"

    @task
    def open_page(self):
        self.client.get(self.url, name=self.scenario)


class BaselineRead(Person):
    abstract = True
    scenario = "baseline_read"

    @task
    def read(self):
        self.client.get(random.choice(self.targets["baseline"]["read_urls"]), name=self.scenario)


class BaselineWrite(Person):
    abstract = True
    scenario = "baseline_write"

    @task
    def write(self):
        self.client.post(random.choice(self.targets["baseline"]["write_urls"]), name=self.scenario)
