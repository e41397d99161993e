"""Stored XSS: our own corpus of hostile text (tests/data/xss_payloads.txt) typed into every text field
through the app's forms, then every page that shows it loaded in Chromium. Nothing may run.

The browser's Content-Security-Policy is bypassed here on purpose: it would stop an inline script
anyway, and this test is about the escaping and the sanitiser. Every page is loaded with a trap on
alert, confirm, prompt and print and on the global `pwned` the payloads set, and must hold no element
carrying the payloads' data-xss attribute (markup that got through as markup).
"""

from __future__ import annotations

import re

import pytest

from classroom.extensions import db
from classroom.lessons.forms import THEMES
from classroom.models import Assignment, LessonPlan, Prompt, Reflection, SchoolClass, Student, Teacher
from tests.conftest import TEACHER_PASSWORD
from tests.world import post_forms_on, rule_path

from .helpers import TEST_DATA

PAYLOADS = [
    line
    for line in (TEST_DATA / "xss_payloads.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("# ")
]

TRAP = """
window.__fired = [];
for (const name of ['alert', 'confirm', 'prompt', 'print']) {
  window[name] = (...args) => { window.__fired.push(name + '(' + args.join(',') + ')'); };
}
Object.defineProperty(window, 'pwned', {
  configurable: false,
  get() { return undefined; },
  set(value) { window.__fired.push('pwned=' + value); },
});
"""


def test_the_corpus_is_our_own_and_large_enough():
    assert len(PAYLOADS) >= 60
    assert len(set(PAYLOADS)) == len(PAYLOADS)


def fits(limit: int):
    """The payloads short enough for a field of this many characters (the longest are left out)."""
    return [payload for payload in PAYLOADS if len(payload) <= limit]


def post(client, path: str, data: dict, ok=(200, 302, 303)):
    response = client.post(path, data=data)
    errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>\s*([^<]+)', response.get_data(as_text=True))
    assert response.status_code in ok, (path, response.status_code, errors, data)
    assert not response.headers.get("Location", "").startswith("/auth/login"), (path, "not signed in")
    return response


def seed(app) -> dict:
    """Type every payload into every text field through the forms; return the ids the pages need."""
    app.config["WTF_CSRF_ENABLED"] = False  # the seeding client posts without tokens; the browser uses them
    try:
        return _seed(app)
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def _seed(app) -> dict:
    owner = app.test_client()
    owner.post("/auth/signup", data={"name": PAYLOADS[0], "email": "ada@school.example", "password": TEACHER_PASSWORD})
    post(owner, "/auth/login", {"email": "ada@school.example", "password": TEACHER_PASSWORD})
    for index, payload in enumerate(fits(120)):
        post(owner, "/classes/new", {"name": payload, "term": fits(60)[index % len(fits(60))]})
    for index, payload in enumerate(fits(200)):
        post(
            owner,
            "/lessons/new",
            {"title": payload, "grade_band": fits(60)[index % len(fits(60))], "objectives": payload},
        )
    with app.app_context():
        teacher = db.session.scalars(db.select(Teacher)).one()
        school_class = db.session.scalars(db.select(SchoolClass).order_by(SchoolClass.id)).first()
        plan = db.session.scalars(db.select(LessonPlan).order_by(LessonPlan.id)).first()
        ids = {
            "teacher_id": teacher.id,
            "class_id": school_class.id,
            "plan_id": plan.id,
            "code": school_class.join_code,
        }
    for index, payload in enumerate(PAYLOADS):
        post(
            owner,
            f"/lessons/{ids['plan_id']}/prompts/new",
            {
                "text": payload,
                "theme": THEMES[index % len(THEMES)],
                "teacher_note": payload,
                "time": f"{index // 60}:{index % 60:02d}:00",
            },
        )
    post(owner, f"/lessons/{ids['plan_id']}/stance", {"question": PAYLOADS[1], "options": "\n".join(fits(200)[:4])})
    post(owner, "/moderation/flag-words", {"words": "\n".join(fits(60))})
    assign = f"/classes/{ids['class_id']}/assign"
    form = next(f for f in post_forms_on(owner.get(assign).get_data(as_text=True), assign) if f["action"] == assign)
    fields = {
        **form["fields"],
        "plan": str(ids["plan_id"]),
        "title": PAYLOADS[2],
        "opens_at": "",
        "closes_at": "",
        "captions_language": "en",  # a <select>: the form finder does not pick its selected option
    }
    post(owner, f"/classes/{ids['class_id']}/assign", fields)
    with app.app_context():
        assignment = db.session.scalars(db.select(Assignment).where(Assignment.class_id == ids["class_id"])).one()
        prompt = db.session.scalars(
            db.select(Prompt).where(Prompt.assignment_id == assignment.id).order_by(Prompt.time_seconds)
        ).first()
        ids.update(assignment_id=assignment.id, prompt_id=prompt.id, token=assignment.link_token)
    scheme = f"/marks/assignments/{ids['assignment_id']}"
    form = next(f for f in post_forms_on(owner.get(scheme).get_data(as_text=True), scheme) if f["action"] == scheme)
    rubric = {
        name: PAYLOADS[(3 + i) % len(PAYLOADS)] for i, name in enumerate(sorted(form["fields"])) if "criterion" in name
    }
    levels = {
        name: "\n".join(PAYLOADS[4 + i : 8 + i]) for i, name in enumerate(sorted(form["fields"])) if "levels" in name
    }
    post(
        owner, f"/marks/assignments/{ids['assignment_id']}", {**form["fields"], "scheme": "rubric", **rubric, **levels}
    )

    # Students join under hostile names and write hostile reflections.
    prefix = f"p{ids['prompt_id']}-"
    names = fits(36)
    for index, payload in enumerate(PAYLOADS):
        student = app.test_client()
        joined = student.post(f"/join/{ids['code']}", data={"display_name": f"{names[index % len(names)]} {index}"})
        if joined.status_code == 400:  # a name the join page refuses (unkind words): join under a plain one
            post(student, f"/join/{ids['code']}", {"display_name": f"Student {index}"})
        post(student, f"/student/assignments/{ids['assignment_id']}/stance/pre", {"pre-option": "0"})
        post(
            student,
            f"/student/assignments/{ids['assignment_id']}/prompts/{ids['prompt_id']}",
            {
                prefix + "body": f"My answer. {payload} More words to say.",
                prefix + "send": "1",
                prefix + "version": "0",
            },
        )
    with app.app_context():
        reflections = list(db.session.scalars(db.select(Reflection).order_by(Reflection.id)))
        assert len(reflections) >= 60, "most students should have handed in a reflection"
        joined = db.session.scalars(db.select(Student).order_by(Student.id)).first()
        ids.update(student_id=joined.id, reflection_id=reflections[0].id)
        reflection_ids = [(r.id, r.version) for r in reflections]
    # The teacher's rename form is the other way a display name is typed.
    with app.app_context():
        student_ids = list(db.session.scalars(db.select(Student.id).order_by(Student.id)))
    for index, student_id in enumerate(student_ids):
        rename = f"/classes/{ids['class_id']}/students/{student_id}/rename"
        post(owner, rename, {"display_name": f"{names[index % len(names)]} {index}"}, ok=(200, 302, 303, 400))
    for index, (reflection_id, version) in enumerate(reflection_ids):
        payload = PAYLOADS[index % len(PAYLOADS)]
        kind = "return" if index % 2 else "reject"
        post(
            owner,
            f"/moderation/reflections/{reflection_id}/{kind}",
            {f"{kind}-{reflection_id}-feedback": payload, f"{kind}-{reflection_id}-version": str(version)},
        )
    return ids


def pages_to_load(app, ids) -> tuple[list[str], list[str]]:
    """Every teacher page and every student page, addressed with the seeded ids."""
    names = {**ids, "other_class_id": ids["class_id"]}
    teacher, student = [], []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.startswith(("moved.", "static", "lms.", "embed.")):
            continue
        if rule.endpoint in ("main.healthz", "auth.login", "auth.signup"):
            continue
        if "prompt_id" in rule.arguments and rule.rule.startswith("/lessons/"):
            with app.app_context():
                plan = db.session.get(LessonPlan, ids["plan_id"])
                names["plan_prompt_id"] = plan.prompts[0].id
        path = rule_path(rule, names)
        if path is None or path.endswith((".csv", ".svg", ".vtt")):
            continue
        (student if rule.endpoint.startswith(("student.", "join.")) else teacher).append(path)
    teacher += [f"/moderation/classes/{ids['class_id']}?page={n}" for n in (2, 3, 4)]
    teacher += [f"/dashboard/assignments/{ids['assignment_id']}/reflections?page={n}" for n in (2, 3)]
    return sorted(set(teacher)), sorted(set(student))


def check_page(page, path: str, problems: list, shown: list) -> None:
    """Load the page with the trap set; note what fired and whether hostile text is on it (as text)."""
    response = page.goto(path)
    page.wait_for_load_state("load")
    assert response is not None and response.status < 500, (path, response and response.status)
    assert "/auth/login" not in page.url, f"{path} sent the teacher to log in"
    fired = page.evaluate("() => window.__fired")
    injected = page.evaluate("() => document.querySelectorAll('[data-xss], #xss-marker').length")
    if fired or injected:
        problems.append((path, fired, injected))
    if page.evaluate("() => /pwned=|alert\\(|confirm\\(|data-xss/.test(document.body.innerText)"):
        shown.append(path)


def test_no_payload_runs_on_any_page(live_app, live_server, new_context):
    ids = seed(live_app)
    teacher_paths, student_paths = pages_to_load(live_app, ids)
    assert len(teacher_paths) > 30

    dialogs: list[str] = []
    problems: list = []
    shown: list[str] = []

    teacher = new_context(bypass_csp=True)
    teacher.add_init_script(TRAP)
    page = teacher.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto("/auth/login")
    page.get_by_label("Email").fill("ada@school.example")
    page.get_by_label("Password").fill(TEACHER_PASSWORD)
    page.get_by_role("button", name=re.compile("log in", re.I)).click()
    page.wait_for_load_state("load")
    for path in teacher_paths:
        check_page(page, path, problems, shown)

    student = new_context(bypass_csp=True)
    student.add_init_script(TRAP)
    student_page = student.new_page()
    student_page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    # A visitor sees the join pages; then a student who joined sees their own pages.
    for path in (f"/join/{ids['code']}", f"/join/a/{ids['token']}", "/join", "/join/resume", "/film", "/"):
        check_page(student_page, path, problems, shown)
    student_page.goto(f"/join/{ids['code']}")
    student_page.get_by_label(re.compile("display name", re.I)).fill("Sasha")
    student_page.get_by_role("button", name=re.compile("join", re.I)).click()
    student_page.wait_for_load_state("load")
    student_page.goto(f"/student/assignments/{ids['assignment_id']}/stance/pre")
    for path in student_paths:
        check_page(student_page, path, problems, shown)

    assert dialogs == []
    assert problems == []
    # The hostile text really is on the pages, shown as text: on most teacher pages and the student's.
    assert len([p for p in shown if p in teacher_paths]) >= 25, (len(teacher_paths), shown)
    assert any(p.startswith("/student/assignments/") for p in shown), shown


@pytest.mark.parametrize("payload", PAYLOADS[:3])
def test_the_trap_would_see_a_payload_that_ran(new_context, live_server, payload):
    """The trap itself works: the same payload, put into a page as markup, is caught."""
    context = new_context(bypass_csp=True)
    context.add_init_script(TRAP)
    page = context.new_page()
    page.goto("/film")
    page.evaluate(
        """(html) => { const d = document.createElement('div'); d.innerHTML = html; document.body.append(d);
                       for (const s of d.querySelectorAll('script')) { const n = document.createElement('script');
                         n.textContent = s.textContent; document.body.append(n); } }""",
        payload,
    )
    page.wait_for_timeout(200)
    fired = page.evaluate("() => window.__fired")
    injected = page.evaluate("() => document.querySelectorAll('[data-xss], #xss-marker').length")
    assert fired or injected
