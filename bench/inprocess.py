"""CPU per request of one hot page or save, in process: the Flask test client, no gunicorn, no load generator.

Run from the repository against a seeded copy of the district (never the database a load run is using):
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_copy .venv/bin/python bench/inprocess.py KIND [N] [--profile]
KIND is one of: page (the lesson class's assignment page), save (its JSON background save, draft then submit, on
the prompts in turn), queue, dashboard, report, reflections_csv, reflections (the class of 30's teacher pages),
baseline, basewrite (the baseline read and write). Prints CPU ms per request (time.process_time) over N requests
(200) after 10 to warm up; --profile adds cProfile's top 40 by cumulative time. The save writes: copy the seeded
database first (createdb -T bench bench_copy). Repeat and alternate runs when comparing commits: a shared
machine's speed drifts.
"""

import cProfile
import json
import logging
import os
import pstats
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("BENCH_ROUTES", "1")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-never-for-a-school")
os.environ["FLASK_APP"] = "wsgi"
sys.path.insert(0, str(ROOT))

from classroom import create_app  # noqa: E402  (the environment above is read when the app is built)

TEACHER_PAGES = ("queue", "dashboard", "report", "reflections_csv", "reflections")


def targets() -> dict:
    """The load generator's own targets (`flask bench targets`): addresses, logins and field names."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "targets.json"
        subprocess.run([sys.executable, "-m", "flask", "bench", "targets", "--out", str(out)], check=True, cwd=ROOT)
        return json.loads(out.read_text())


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def sign_in_student(client, t: dict, index: int = 0) -> None:
    login = t["student_login"]
    page = client.get(login["url"]).get_data(as_text=True)
    answer = client.post(
        login["url"], data={login["code_field"]: t["lesson"]["return_codes"][index], "csrf_token": csrf_token(page)}
    )
    assert answer.status_code in (302, 303), answer.status_code


def sign_in_teacher(client, t: dict) -> None:
    login, teacher = t["teacher_login"], t["teachers"]["lesson"]
    page = client.get(login["url"]).get_data(as_text=True)
    fields = {login["email_field"]: teacher["email"], login["password_field"]: teacher["password"]}
    answer = client.post(login["url"], data={**fields, "csrf_token": csrf_token(page)})
    assert answer.status_code in (302, 303), answer.status_code


def saver(client, t: dict):
    """A function that saves the lesson class's prompts in turn, a draft then a submit, as the page's script does."""
    page = client.get(t["lesson"]["assignment_url"]).get_data(as_text=True)
    token = csrf_token(page)
    prompts = t["lesson"]["prompts"]
    versions = {}
    for prompt in prompts:
        found = re.search(
            rf'action="{re.escape(prompt["save_url"])}.*?name="p{prompt["id"]}-version"[^>]*value="(\d+)"',
            page,
            re.S,
        )
        versions[prompt["id"]] = found.group(1) if found else "0"
    owner = re.search(r'name="p\d+-owner"[^>]*value="([^"]*)"', page)
    texts = [f"The grandmother's memory of the camps and the parade on the square, take {n}. " * 3 for n in range(20)]

    def save(i: int):
        prompt = prompts[(i // 2) % len(prompts)]
        data = {
            "csrf_token": token,
            prompt["body"]: random.choice(texts),
            prompt["at"]: "",
            f"p{prompt['id']}-version": versions[prompt["id"]],
            f"p{prompt['id']}-owner": owner.group(1) if owner else "",
            prompt["submit"] if i % 2 else prompt["save_draft"]: "1",
        }
        answer = client.post(prompt["save_url"], data=data, headers={"Accept": "application/json"})
        if answer.status_code == 200:
            versions[prompt["id"]] = str(answer.get_json()["version"])
        elif answer.status_code == 409:  # someone else's save got there first: go on from theirs
            versions[prompt["id"]] = str(answer.get_json()["newer"]["version"])
        else:
            raise SystemExit(f"save refused: {answer.status_code} {answer.get_data(as_text=True)[:300]}")
        return answer

    return save


def request_maker(kind: str, client, t: dict):
    if kind == "page":
        sign_in_student(client, t)
        return lambda i: client.get(t["lesson"]["assignment_url"])
    if kind == "save":
        sign_in_student(client, t)
        return saver(client, t)
    if kind in TEACHER_PAGES:
        sign_in_teacher(client, t)
        return lambda i: client.get(t["teacher_pages"]["class_30"][kind])
    if kind == "baseline":
        urls = t["baseline"]["read_urls"]
        return lambda i: client.get(urls[i % len(urls)])
    if kind == "basewrite":
        urls = t["baseline"]["write_urls"]
        return lambda i: client.post(urls[i % len(urls)])
    raise SystemExit(__doc__)


def main(argv: list[str]) -> None:
    if not argv or "DATABASE_URL" not in os.environ:
        raise SystemExit(__doc__)
    kind = argv[0]
    count = int(argv[1]) if len(argv) > 1 and argv[1].isdigit() else 200
    logging.disable(logging.INFO)
    app = create_app({"RATELIMIT_ENABLED": False})
    client = app.test_client()
    make_request = request_maker(kind, client, targets())
    for i in range(10):
        answer = make_request(i)
    assert answer.status_code == 200, (answer.status_code, answer.get_data(as_text=True)[:300])
    profile = cProfile.Profile() if "--profile" in argv else None
    if profile:
        profile.enable()
    started = time.process_time()
    for i in range(count):
        make_request(i + 10)
    cpu = (time.process_time() - started) / count * 1000
    if profile:
        profile.disable()
    print(f"{kind}: {cpu:.2f} ms CPU per request over {count}; response {len(answer.get_data())} bytes")
    if profile:
        pstats.Stats(profile).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(40)


if __name__ == "__main__":
    main(sys.argv[1:])
