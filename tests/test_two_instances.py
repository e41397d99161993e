"""Two app instances behind nginx, sharing one PostgreSQL and one Redis (issue 13, "Beyond one machine").

Each instance is gunicorn with the production config (gunicorn.conf.py, two workers) on its own port;
nginx from Debian balances between them. Whichever instance answers, a student's session, the rate
limits, an LTI launch's state and the moderation queue are the same, and killing one instance while
a class submits loses no reflection the app said it saved.

Minutes of processes and sockets, so it runs only when asked: `make two-instances` (or
TWO_INSTANCES=1 with nginx, gunicorn, PostgreSQL and Redis on this machine). Ports: 5160-5170.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest

requests = pytest.importorskip("requests")

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("TWO_INSTANCES_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("TWO_INSTANCES_REDIS_URL", "redis://127.0.0.1:6379/0")
PORTS = (5160, 5161)
BALANCER = 5170
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)

pytestmark = [
    pytest.mark.two_instances,
    pytest.mark.skipif(
        os.environ.get("TWO_INSTANCES") != "1",
        reason="two app instances behind nginx: run `make two-instances` (needs nginx, PostgreSQL, Redis)",
    ),
]


# --- reading pages -------------------------------------------------------------------------------


class _Forms(HTMLParser):
    """Every form of a page: its action and the values it would send as it stands."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._open = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._open = {"action": attrs.get("action") or "", "fields": {}}
            self.forms.append(self._open)
        elif tag in ("input", "textarea") and self._open is not None and attrs.get("name"):
            if attrs.get("type") in ("checkbox", "radio", "submit") and "checked" not in attrs:
                return
            self._open["fields"][attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


def forms_of(page: str) -> list[dict]:
    parser = _Forms()
    parser.feed(page)
    return parser.forms


def form_with(page: str, action_part: str) -> dict:
    found = [f for f in forms_of(page) if action_part in f["action"]]
    assert found, f"no form posting to {action_part}"
    return found[0]


# --- the cluster ---------------------------------------------------------------------------------


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code in (200, 503):
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def _start_instance(port: int, env: dict, log: Path) -> subprocess.Popen:
    instance_env = dict(env, GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="2")
    return subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"],
        cwd=ROOT,
        env=instance_env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: killed whole, master and workers
    )


NGINX_CONF = """
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {tmp}/nginx-access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream classroom {{
        server 127.0.0.1:{one} max_fails=1 fail_timeout=30s;
        server 127.0.0.1:{two} max_fails=1 fail_timeout=30s;
    }}
    server {{
        listen 127.0.0.1:{balancer};
        location / {{
            proxy_pass http://classroom;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_set_header X-Request-ID $request_id;
            # A refused connection (an instance that is down) is tried on the other one; a request
            # already sent is never sent twice.
            proxy_next_upstream error timeout;
            add_header X-Instance $upstream_addr always;
        }}
    }}
}}
"""


class Cluster:
    def __init__(self, tmp: Path, database_url: str, env: dict):
        self.tmp, self.database_url, self.env = tmp, database_url, env
        self.instances: dict[int, subprocess.Popen] = {}
        self.nginx: subprocess.Popen | None = None

    def url(self, port: int, path: str = "/") -> str:
        return f"http://127.0.0.1:{port}{path}"

    def start(self) -> None:
        for port in PORTS:
            self.instances[port] = _start_instance(port, self.env, self.tmp / f"instance-{port}.log")
        conf = self.tmp / "nginx.conf"
        conf.write_text(NGINX_CONF.format(tmp=self.tmp, one=PORTS[0], two=PORTS[1], balancer=BALANCER))
        for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.tmp / folder).mkdir(exist_ok=True)
        self.nginx = subprocess.Popen(
            [NGINX, "-p", str(self.tmp), "-c", str(conf)],
            stdout=(self.tmp / "nginx.out").open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for port in (*PORTS, BALANCER):
            _wait_for(self.url(port, "/healthz"))

    def kill(self, port: int) -> None:
        process = self.instances[port]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def stop(self) -> None:
        for process in [*self.instances.values(), self.nginx]:
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in [*self.instances.values(), self.nginx]:
            if process is not None:
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)


def _platform():
    sys.path.insert(0, str(ROOT))
    from tests.lti_platform import TestPlatform

    return TestPlatform(issuer="https://lms.example", client_id="two-instances-client")


@pytest.fixture(scope="module")
def cluster():
    from sqlalchemy import create_engine, text

    if NGINX is None:  # asked for by TWO_INSTANCES=1, so a missing nginx fails instead of skipping quietly
        pytest.fail("nginx is not installed (Debian: apt-get install nginx-light)", pytrace=False)

    name = f"two_instances_{uuid.uuid4().hex[:8]}"
    admin = create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    database_url = f"{PG}/{name}"
    tmp = Path(tempfile.mkdtemp(prefix="two-instances-"))
    from classroom.lms.keys import new_private_pem

    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=REDIS_URL,
        SECRET_KEY="two-instances-" + uuid.uuid4().hex,
        LTI_PRIVATE_KEY=new_private_pem(),
        LTI_TOOL_URL=f"http://127.0.0.1:{BALANCER}",
        TRUSTED_PROXIES="1",
        FLASK_APP="wsgi",
        GUNICORN_ACCESS_LOG=str(tmp / "access.log"),
    )
    env.pop("BENCH_ROUTES", None)
    running = Cluster(tmp, database_url, env)
    try:
        # Everything after CREATE DATABASE is undone below, even when the set-up itself fails.
        subprocess.run(
            [str(ROOT / ".venv/bin/flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True
        )
        running.data = _seed(database_url, env)
        running.start()
        yield running
    finally:
        running.stop()
        admin.dispose()
        admin = create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        shutil.rmtree(tmp, ignore_errors=True)


def _seed(database_url: str, env: dict) -> dict:
    """A teacher, a class of students with return codes, an assignment, a registered LMS with its course."""
    from classroom import create_app
    from classroom.classes.logic import assign_plan, create_class
    from classroom.extensions import db
    from classroom.film import load_film
    from classroom.joincodes import new_return_code
    from classroom.lms.platforms import add_platform
    from classroom.models import LessonPlan, LtiCourse, LtiResourceLink, PlanPrompt, Student, Teacher
    from classroom.passwords import hash_password

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": env["SECRET_KEY"],
            "LTI_PRIVATE_KEY": env["LTI_PRIVATE_KEY"],
            "PASSWORD_HASH_FAST": True,
        }
    )
    platform = _platform()
    with app.app_context():
        teacher = Teacher(
            name="Ada Teacher", email="ada@school.example", password_hash=hash_password("correct horse battery")
        )
        db.session.add(teacher)
        db.session.commit()
        school_class = create_class(teacher, "History 11B", "Autumn 2026")
        plan = LessonPlan(
            teacher_id=teacher.id,
            film_id=load_film().id,
            title="Memory and the Stalin legacy",
            grade_band="Grades 10-12",
            objectives="Discuss how a country remembers.",
            # No question before viewing: the prompts are open at once.
            stance_question="",
            stance_options=[],
            prompts=[
                PlanPrompt(text=f"Prompt {n}", time_seconds=60 * (n + 1), theme="memory", pause=False,
                           time_confirmed=True, teacher_note="")
                for n in range(3)
            ],
        )  # fmt: skip
        db.session.add(plan)
        db.session.commit()
        assignment = assign_plan(school_class, plan)
        students = [
            Student(
                class_id=school_class.id, display_name=f"Student {n:02d}", return_code=new_return_code(school_class.id)
            )
            for n in range(12)
        ]
        db.session.add_all(students)
        db.session.commit()
        registered = add_platform(**_platform_fields(platform))
        registered.key_set_json = json.dumps({"keys": platform.published})
        db.session.add(
            LtiCourse(platform_id=registered.id, context_id="course-7", title="History 10B", class_id=school_class.id)
        )
        db.session.add(
            LtiResourceLink(platform_id=registered.id, resource_link_id="activity-1", assignment_id=assignment.id)
        )
        db.session.commit()
        return {
            "teacher_email": teacher.email,
            "class_id": school_class.id,
            "assignment_id": assignment.id,
            "prompt_ids": [p.id for p in assignment.prompts],
            "students": [(s.id, s.display_name, s.return_code) for s in students],
            "platform": platform,
        }


def _platform_fields(platform) -> dict:
    return platform.platform_fields()


# --- people --------------------------------------------------------------------------------------


def student_session(cluster, port: int, code: str) -> requests.Session:
    person = requests.Session()
    page = person.get(cluster.url(port, "/join/resume"), timeout=10)
    assert page.status_code == 200
    form = form_with(page.text, "")
    form["fields"]["return_code"] = code
    answer = person.post(cluster.url(port, "/join/resume"), data=form["fields"], allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:300]
    return person


def teacher_session(cluster, port: int) -> requests.Session:
    person = requests.Session()
    page = person.get(cluster.url(port, "/auth/login"), timeout=10)
    form = form_with(page.text, "")
    form["fields"].update(email=cluster.data["teacher_email"], password="correct horse battery")
    answer = person.post(page.url, data=form["fields"], allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:300]
    return person


def submit(person: requests.Session, base: str, assignment_id: int, prompt_id: int, text: str) -> requests.Response:
    address = f"{base}/student/assignments/{assignment_id}"
    page = person.get(address, timeout=10)
    assert page.status_code == 200, page.status_code
    form = form_with(page.text, f"/prompts/{prompt_id}")
    form["fields"][f"p{prompt_id}-body"] = text
    form["fields"][f"p{prompt_id}-send"] = "1"
    return person.post(urljoin(address, form["action"]), data=form["fields"], allow_redirects=False, timeout=30)


# --- what must hold whichever instance answers ---------------------------------------------------


def test_a_students_session_is_good_on_either_instance_and_through_the_balancer(cluster):
    _, name, code = cluster.data["students"][0]
    one, two = PORTS
    person = student_session(cluster, one, code)
    for port in (one, two):
        page = person.get(cluster.url(port, "/student"), allow_redirects=False, timeout=10)
        assert page.status_code == 200 and name in page.text, port
    served_by = set()
    for _ in range(6):
        page = person.get(cluster.url(BALANCER, "/student"), allow_redirects=False, timeout=10)
        assert page.status_code == 200 and name in page.text
        served_by.add(page.headers["X-Instance"])
    assert served_by == {f"127.0.0.1:{port}" for port in PORTS}
    # Logging out on one instance ends the session on the other too.
    home = person.get(cluster.url(two, "/student"), timeout=10)
    logout = form_with(home.text, "/student/logout")
    person.post(cluster.url(two, "/student/logout"), data=logout["fields"], allow_redirects=False, timeout=10)
    assert person.get(cluster.url(one, "/student"), allow_redirects=False, timeout=10).status_code in (302, 401, 403)


def test_an_lti_launch_started_on_one_instance_finishes_on_the_other(cluster):
    platform = cluster.data["platform"]
    one, two = PORTS
    person = requests.Session()
    params = platform.login_params(target_link_uri=f"http://127.0.0.1:{BALANCER}/lms/launch")
    login = person.post(cluster.url(one, "/lms/login"), data=params, allow_redirects=False, timeout=10)
    assert login.status_code == 302, login.text[:500]
    auth = {k: v[0] for k, v in parse_qs(urlsplit(login.headers["Location"]).query).items()}
    token = platform.id_token(
        auth["nonce"],
        **{"https://purl.imsglobal.org/spec/lti/claim/target_link_uri": f"http://127.0.0.1:{BALANCER}/lms/launch"},
    )
    launch = person.post(
        cluster.url(two, "/lms/launch"),
        data={"id_token": token, "state": auth["state"]},
        allow_redirects=False,
        timeout=10,
    )
    assert launch.status_code == 302, launch.text[:500]
    assert launch.headers["Location"].endswith(f"/student/assignments/{cluster.data['assignment_id']}")
    # The learner's session works on the first instance too.
    page = person.get(
        cluster.url(one, f"/student/assignments/{cluster.data['assignment_id']}"), allow_redirects=False, timeout=10
    )
    assert page.status_code == 200 and "Prompt 0" in page.text


def test_the_moderation_queue_is_the_same_whichever_instance_answers(cluster):
    one, two = PORTS
    _, _, code = cluster.data["students"][1]
    prompt_id = cluster.data["prompt_ids"][0]
    person = student_session(cluster, one, code)
    saved = submit(person, cluster.url(one, "").rstrip("/"), cluster.data["assignment_id"], prompt_id, "Seen on both.")
    assert saved.status_code == 302, saved.text[:300]
    teacher = teacher_session(cluster, two)
    queue_address = f"/moderation/classes/{cluster.data['class_id']}"
    queues = [teacher.get(cluster.url(port, queue_address), timeout=10) for port in PORTS]
    assert all(q.status_code == 200 and "Seen on both." in q.text for q in queues)
    approve = next(f for f in forms_of(queues[1].text) if f["action"].endswith("/approve"))
    decided = teacher.post(
        cluster.url(two, approve["action"]), data=approve["fields"], allow_redirects=False, timeout=10
    )
    assert decided.status_code == 302, decided.text[:300]
    # Gone from the queue on both, approved on the student's page served by the first instance.
    assert all("Seen on both." not in teacher.get(cluster.url(port, queue_address), timeout=10).text for port in PORTS)
    page = person.get(cluster.url(one, f"/student/assignments/{cluster.data['assignment_id']}"), timeout=10)
    assert "Approved" in page.text or "approved" in page.text


def test_rate_limits_count_together_across_instances(cluster):
    from classroom.join import routes as join_routes

    # The tightest limit a wrong code meets: tries of one code (per class and per address are wider).
    limit = int(re.match(r"\d+", join_routes.RESUME_TRIES_PER_CODE).group())
    person = requests.Session()
    answers = []
    for attempt in range(limit + 1):
        port = PORTS[attempt % 2]
        page = person.get(cluster.url(port, "/join/resume"), timeout=10)
        form = form_with(page.text, "")
        form["fields"]["return_code"] = f"{cluster.data['class_id']}-wrong-words-here-again"
        answers.append(person.post(cluster.url(port, "/join/resume"), data=form["fields"], timeout=10).status_code)
    # Counted in Redis: each instance saw about half the attempts, yet the limit is the whole count.
    assert 429 in answers, answers
    assert answers.index(429) <= limit
    for port in PORTS:
        page = person.get(cluster.url(port, "/join/resume"), timeout=10)
        form = form_with(page.text, "")
        form["fields"]["return_code"] = f"{cluster.data['class_id']}-wrong-words-here-again"
        assert person.post(cluster.url(port, "/join/resume"), data=form["fields"], timeout=10).status_code == 429
    # Leave the next test (the same address signing a class in) a clean count.
    import redis

    store = redis.Redis.from_url(REDIS_URL)
    for key in store.scan_iter("LIMITER*join.resume*"):
        store.delete(key)


def test_killing_one_instance_mid_lesson_loses_no_submitted_reflection(cluster):
    """A class submits through the balancer; one instance dies (SIGKILL, workers and all) halfway.

    Every save the app confirmed (a redirect) is in the database with its text; a save that got an
    error is sent again by the student, as anyone would, and lands on the surviving instance."""
    from sqlalchemy import create_engine, text

    students = cluster.data["students"][2:12]
    prompts = cluster.data["prompt_ids"]
    base = cluster.url(BALANCER, "").rstrip("/")
    confirmed: dict[tuple[int, int], str] = {}
    errors: list[str] = []
    started = threading.Barrier(len(students) + 1)
    lock = threading.Lock()

    def lesson(student):
        student_id, name, code = student
        person = student_session(cluster, BALANCER, code)
        started.wait()
        for prompt_id in prompts:
            text_sent = f"{name} on prompt {prompt_id}: the archive keeps what the state forgot."
            for _attempt in range(5):
                try:
                    answer = submit(person, base, cluster.data["assignment_id"], prompt_id, text_sent)
                except (requests.RequestException, AssertionError) as problem:
                    with lock:
                        errors.append(f"{name}: {problem}")
                    time.sleep(0.5)
                    continue
                if answer.status_code == 302:
                    with lock:
                        confirmed[(student_id, prompt_id)] = text_sent
                    break
                with lock:
                    errors.append(f"{name}: {answer.status_code}")
                time.sleep(0.5)

    threads = [threading.Thread(target=lesson, args=(s,)) for s in students]
    for thread in threads:
        thread.start()
    started.wait()
    time.sleep(1.5)
    cluster.kill(PORTS[0])
    for thread in threads:
        thread.join(180)
    assert len(confirmed) == len(students) * len(prompts), (len(confirmed), errors[:5])
    engine = create_engine(cluster.database_url)
    with engine.connect() as connection:
        stored = {
            (row.student_id, row.prompt_id): row.body
            for row in connection.execute(
                text("SELECT student_id, prompt_id, body FROM reflections WHERE prompt_id = ANY(:prompts)"),
                {"prompts": prompts},
            )
        }
    engine.dispose()
    for key, body in confirmed.items():
        assert stored.get(key) == body, key
    # The survivor answers alone now.
    assert requests.get(cluster.url(BALANCER, "/healthz"), timeout=10).headers["X-Instance"] == f"127.0.0.1:{PORTS[1]}"
