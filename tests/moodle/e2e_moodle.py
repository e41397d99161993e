"""`make e2e-moodle`: the LTI tool against a real Moodle 4.5, end to end in Chromium.

Not part of `make test`: Moodle takes minutes to install. The Makefile target starts it first with the
kit in ../shared/moodle (up.sh, which needs MOODLE_MIRROR: the Moodle source from the code-mirror tool's
`fetch github:paulkennethsq1/hrsq1`); nothing of Moodle is kept in this repository. This script then:

1. serves this app on 127.0.0.1:$TOOL_PORT (5000-5999, the ports Moodle may call) on a fresh database;
2. registers it in Moodle by Dynamic Registration (the administrator's one-time address, pasted by the kit's
   browser helper into Manage tools, then Activate);
3. as teacher1, adds an activity with "Select content" (deep linking): links the LMS account to a new teacher
   account inside Moodle's frame and assigns the ready plan, which makes a class bound to the course;
4. as student1, opens the activity: straight into the assignment in Moodle's iframe, no code; answers the
   opening question and submits a reflection;
5. as teacher1, opens the activity (an instructor launch), marks the reflection, and pulls the roster with
   Names and Roles: student2 and student3 show as not opened yet;
6. the score reaches Moodle's gradebook through Assignment and Grade Services (checked on the grader report).

Screenshots and a JSON report go to test-artifacts/moodle/. Exit status 0 only when every step passed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def find_kit() -> Path:
    """MOODLE_KIT, else the kit in a shared/moodle folder beside the repository (or a level up, for worktrees)."""
    if os.environ.get("MOODLE_KIT"):
        return Path(os.environ["MOODLE_KIT"]).resolve()
    for folder in REPO.parents:
        if (folder / "shared" / "moodle" / "up.sh").is_file():
            return folder / "shared" / "moodle"
    return REPO.parent / "shared" / "moodle"


KIT = find_kit()
MOODLE_PORT = int(os.environ.get("MOODLE_PORT", "8081"))
MOODLE = f"http://127.0.0.1:{MOODLE_PORT}"
TOOL_PORT = int(os.environ.get("TOOL_PORT", "5123"))
TOOL = f"http://127.0.0.1:{TOOL_PORT}"
TOOL_NAME = "Red Soul Classroom"
ARTIFACTS = REPO / "test-artifacts" / "moodle"
TEACHER = ("teacher1", "Teacher-pass-1!")
STUDENTS = [
    ("student1", "Student-pass-1!", "Alice Archer"),
    ("student2", "Student-pass-2!", "Ben Baker"),
    ("student3", "Student-pass-3!", "Cara Cole"),
]
REFLECTION = "The flowers at the statue show that some people remember pride before pain."


def kit_cli(*args: str) -> str:
    env = dict(os.environ, MOODLE_PORT=str(MOODLE_PORT))
    done = subprocess.run(["bash", str(KIT / "cli.sh"), *args], capture_output=True, text=True, env=env, check=True)
    return done.stdout


class Tool:
    """This app served in a thread on 127.0.0.1:TOOL_PORT, on a database of its own."""

    def __init__(self) -> None:
        from werkzeug.serving import WSGIRequestHandler, make_server

        class QuietHandler(WSGIRequestHandler):
            def log_request(self, *args, **kwargs):  # one line per request would bury the report
                pass

        from classroom import create_app
        from classroom.extensions import db
        from classroom.film import load_film

        self.dir = Path(tempfile.mkdtemp(prefix="rsc-moodle-"))
        self.app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{self.dir / 'tool.sqlite3'}",
                "LTI_KEYRING_PATH": str(self.dir / "lti_keys.json"),
                "LTI_PRIVATE_KEY": "",
                "LTI_REDIS_URL": "",
                "LTI_TOOL_URL": TOOL,
                "RATELIMIT_ENABLED": False,
                "PASSWORD_HASH_FAST": True,
                "LTI_GRADE_DELIVERY": "thread",
            }
        )
        with self.app.app_context():
            db.create_all()
            load_film()
        self.server = make_server("127.0.0.1", TOOL_PORT, self.app, threaded=True, request_handler=QuietHandler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Tool:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def run(self, function):
        from classroom.extensions import db

        with self.app.app_context():
            try:
                return function()
            finally:
                db.session.remove()


def tool_frame(page, path_part: str, timeout_s: float = 60):
    """The frame (at any depth) showing a page of the tool whose address contains path_part."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        for frame in page.frames:
            if frame.url.startswith(TOOL) and path_part in frame.url:
                return frame
        page.wait_for_timeout(500)
    raise AssertionError(f"no frame of the tool at {path_part} (frames: {[f.url for f in page.frames]})")


def main() -> int:
    sys.path.insert(0, str(KIT))
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from moodle_browser import MoodleBrowser

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    report: dict = {"moodle": MOODLE, "tool": TOOL, "steps": {}}
    steps = report["steps"]
    # Old registrations of this tool (and their activities) from earlier runs would confuse Moodle's list.
    kit_cli("lti_cleanup_dynamic.php", f"--name={TOOL_NAME}")
    with Tool() as tool, MoodleBrowser(wwwroot=MOODLE) as mb:
        try:
            run_steps(tool, mb, steps)
            report["ok"] = True
        except Exception as error:  # report what failed, with the steps that passed
            report["ok"] = False
            report["error"] = f"{type(error).__name__}: {error}"
            report["traceback"] = traceback.format_exc()
    (ARTIFACTS / "report.json").write_text(json.dumps(report, indent=2))
    print(json.dumps({k: v for k, v in report.items() if k != "traceback"}, indent=2))
    if not report["ok"]:
        print(report["traceback"], file=sys.stderr)
    return 0 if report["ok"] else 1


def run_steps(tool: Tool, mb, steps: dict) -> None:
    from classroom.extensions import db
    from classroom.lms.platforms import create_invite
    from classroom.models import Assignment, LtiCourse, LtiLearner, LtiPlatform, SchoolClass, Student

    # 1. Dynamic Registration: one paste.
    with tool.app.test_request_context(base_url=TOOL):
        from classroom.lms.platforms import absolute_url

        token = tool.run(lambda: create_invite(None, "History department Moodle"))
        invite_url = absolute_url("lms.register", token=token)
    registration = mb.register_dynamic(invite_url, screenshot=str(ARTIFACTS / "1-dynamic-registration.png"))
    platform = tool.run(lambda: db.session.scalars(db.select(LtiPlatform)).one())
    assert platform.client_id == registration["client_id"], (platform.client_id, registration)
    assert platform.issuer == MOODLE and platform.registered_by == "dynamic"
    deployments = tool.run(lambda: [d.deployment_id for d in db.session.get(LtiPlatform, platform.id).deployments])
    assert deployments == [registration["deployment_id"]], deployments
    steps["dynamic_registration"] = {
        "client_id": platform.client_id,
        "deployment_id": deployments[0],
        "type_id": registration["type_id"],
        "state": registration["state"],
    }

    # 2. Deep linking: the teacher adds the activity and assigns the ready plan on the spot.
    page = mb.login(*TEACHER)
    page.goto(f"{MOODLE}/course/view.php?name=HIST10B")
    course_id = page.evaluate("() => M.cfg.courseId")
    page.goto(
        f"{MOODLE}/course/modedit.php?add=lti&typeid={registration['type_id']}&course={course_id}&section=0&return=0"
    )
    mb._settle(page)
    page.click("#id_selectcontent")
    frame = tool_frame(page, "/lms/link-account")
    frame.wait_for_selector("text=Which teacher account is")
    page.screenshot(path=str(ARTIFACTS / "2-link-account.png"), full_page=True)
    frame.fill("#signup-name", "Tom Teacher")
    frame.fill("#signup-email", "tom.teacher@school.example")
    frame.fill("#signup-password", "a long enough password")
    frame.click("text=Create my account and link it")
    frame = tool_frame(page, "/lms/pick")
    frame.wait_for_selector("text=Assign the ready plan")
    page.screenshot(path=str(ARTIFACTS / "3-deep-link-pick.png"), full_page=True)
    frame.click("text=Assign the ready plan")
    page.wait_for_function("() => document.querySelector('#id_name') && document.querySelector('#id_name').value")
    activity = page.input_value("#id_name")
    page.screenshot(path=str(ARTIFACTS / "4-deep-link-returned.png"), full_page=True)
    page.click("#id_submitbutton2")
    mb._settle(page)
    assert "/course/view.php" in page.url, page.url
    page.context.close()
    bound = tool.run(
        lambda: [
            (c.context_id, db.session.get(SchoolClass, c.class_id).name)
            for c in db.session.scalars(db.select(LtiCourse))
        ]
    )
    assert len(bound) == 1, bound
    assignment_id = tool.run(lambda: db.session.scalars(db.select(Assignment.id)).one())
    steps["deep_linking"] = {"activity": activity, "class": bound[0][1], "context_id": bound[0][0]}

    # 3. The learner: straight into the assignment, in Moodle's iframe, under their Moodle name.
    result = mb.open_activity(
        STUDENTS[0][0],
        STUDENTS[0][1],
        activity,
        wait_text="Before you watch",
        screenshot=str(ARTIFACTS / "5-learner-launch.png"),
        keep_open=True,
    )
    assert result["ok"] and result["container"] == "iframe", result
    assert f"/student/assignments/{assignment_id}" in result["tool_url"], result["tool_url"]
    learner_page, frame = result["page"], result["tool"]
    assert "return code" not in result["text"].lower()
    names = tool.run(lambda: db.session.scalars(db.select(Student.display_name)).all())
    assert names == [STUDENTS[0][2]], names
    # Answer the opening question, then hand in the first prompt's reflection.
    frame.locator("form[action*='/stance/pre'] input[type=radio]").first.check()
    frame.locator("form[action*='/stance/pre'] button[type=submit]").first.click()
    frame.wait_for_selector("textarea")
    frame.locator("textarea").first.fill(REFLECTION)
    frame.locator("form.reflection-form").first.locator("button.button--primary").click()
    learner_page.wait_for_timeout(1500)
    learner_page.screenshot(path=str(ARTIFACTS / "6-learner-wrote.png"), full_page=True)
    learner_page.context.close()
    steps["learner_launch"] = {"tool_url": result["tool_url"], "student": names[0], "container": result["container"]}

    # 4. Names and Roles: the teacher opens the activity, then pulls the roster.
    result = mb.open_activity(TEACHER[0], TEACHER[1], activity, wait_text=activity, keep_open=True)
    assert result["ok"] and f"/classes/assignments/{assignment_id}" in result["tool_url"], result
    teacher_page, frame = result["page"], result["tool"]
    class_id = tool.run(lambda: db.session.get(Assignment, assignment_id).class_id)
    frame.goto(f"{TOOL}/lms/classes/{class_id}/roster")
    frame.click("text=Pull the roster from the LMS")
    frame.wait_for_selector("text=Pulled")
    teacher_page.screenshot(path=str(ARTIFACTS / "7-names-and-roles.png"), full_page=True)
    text = frame.inner_text("body")
    not_opened = text.split("Not opened yet")[1].split("Opened (")[0]
    for _, _, name in STUDENTS[1:]:
        assert name in not_opened, not_opened
    assert STUDENTS[0][2] not in not_opened
    launched = tool.run(
        lambda: db.session.scalar(
            db.select(db.func.count(LtiLearner.id)).where(LtiLearner.first_launch_at.is_not(None))
        )
    )
    steps["names_and_roles"] = {"not_opened": [n for _, _, n in STUDENTS[1:]], "launched": launched}

    # 5. Grade passback: the teacher marks the reflection; the score appears in Moodle's gradebook.
    grade_step = os.environ.get("E2E_MOODLE_GRADES", "1") != "0"
    if grade_step:
        mark_and_check_gradebook(tool, mb, frame, teacher_page, assignment_id, course_id, steps)
    teacher_page.context.close()


def mark_and_check_gradebook(tool, mb, frame, teacher_page, assignment_id, course_id, steps) -> None:
    from classroom.extensions import db
    from classroom.models import Assignment, LtiScoreDelivery, Reflection

    class_id = tool.run(lambda: db.session.get(Assignment, assignment_id).class_id)
    handed_in = tool.run(lambda: db.session.scalar(db.select(db.func.count(Reflection.id))))
    assert handed_in == 1, f"{handed_in} reflections handed in"
    frame.goto(f"{TOOL}/moderation/classes/{class_id}")
    frame.locator(".mark-form input[name=points][value='2']").first.check()
    frame.locator(".mark-form button[type=submit]").first.click()
    frame.wait_for_selector("text=Marked")
    teacher_page.screenshot(path=str(ARTIFACTS / "8-marked-in-the-queue.png"), full_page=True)
    deadline = time.time() + 60
    delivery = None
    while time.time() < deadline:
        delivery = tool.run(lambda: db.session.scalars(db.select(LtiScoreDelivery)).first())
        if delivery is not None and delivery.state != "pending":
            break
        time.sleep(1)
    assert delivery is not None and delivery.state == "sent", delivery and (delivery.state, delivery.last_error)
    # The teacher's grader report in Moodle shows the score.
    page = mb.login(*TEACHER)
    page.goto(f"{MOODLE}/grade/report/grader/index.php?id={course_id}")
    mb._settle(page)
    row = page.locator("tr", has_text=STUDENTS[0][2]).first
    text = row.inner_text()
    page.screenshot(path=str(ARTIFACTS / "9-moodle-gradebook.png"), full_page=True)
    assert "2.00" in text, text
    page.context.close()
    steps["grade_passback"] = {"sent": delivery.sent_summary, "moodle_grader_report_row": " ".join(text.split())}


if __name__ == "__main__":
    sys.exit(main())
