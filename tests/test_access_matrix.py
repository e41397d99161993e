"""The authorization matrix: every route in app.url_map, for every role, with real ids, GET and POST.

Each address is built with the owning teacher's class, assignment, plan, student and reflection, then
opened by six people: a visitor, the owning teacher, another teacher, the LMS administrator (a teacher
of no class here), a student of the class and a student of another class. EXPECTED says what each must
get; a route missing from it fails the test, so a new page cannot ship without someone deciding who may
open it. Requests by people who may not act change no row in the database.

Outcome letters, in ROLES order (visitor, owner, other teacher, admin, student, other class's student):
  O  the page or action itself (2xx; for a POST also a redirect after doing it, or a 400 for an empty form)
  L  sent to the teachers' log-in        J  sent to join or sign back in (/join...)
  A  sent away elsewhere (a teacher on a student page, a student on a teacher's join link)
  M  a permanent redirect from an old address (301/308)
  4  404: not found, or someone else's   B  400   N  405: not for this method
"""

from __future__ import annotations

import pytest

from .test_bad_input import sign_in_again, snapshot
from .world import ROLES, build_world, drop_world, rule_path

ROLES_ORDER = " ".join(ROLES)

# endpoint: (GET outcomes, POST outcomes); "-" where the route has no such method.
EXPECTED: dict[str, tuple[str, str]] = {
    "auth.change_password": ("L O O O L L", "L O O O L L"),
    "auth.login": ("O A A A O O", "O A A A O O"),
    "auth.logout": ("-", "A A A A A A"),
    "auth.logout_everywhere": ("-", "L A A A L L"),
    "auth.signup": ("O O O O O O", "O O O O O O"),
    "classes.assignment": ("L O 4 4 L L", "-"),
    "classes.bring_plan_changes": ("-", "L O 4 4 L L"),
    "classes.codes_handed_out": ("-", "L O 4 4 L L"),
    "classes.delete_assignment": ("L O 4 4 L L", "L O 4 4 L L"),
    "classes.edit": ("L O 4 4 L L", "L O 4 4 L L"),
    "classes.edit_assignment": ("L O 4 4 L L", "L O 4 4 L L"),
    "classes.edit_assignment_prompt": ("L O 4 4 L L", "L O 4 4 L L"),
    "classes.index": ("L O O O L L", "-"),
    "classes.merge_student": ("L O 4 4 L L", "L O 4 4 L L"),
    "classes.new": ("L O O O L L", "L O O O L L"),
    "classes.new_assignment": ("L O 4 4 L L", "L O 4 4 L L"),
    "classes.new_link": ("-", "L O 4 4 L L"),
    "classes.print_codes": ("L O 4 4 L L", "-"),
    "classes.projector": ("L O 4 4 L L", "-"),
    "classes.qr_file": ("L O 4 4 L L", "-"),
    "classes.regenerate_code": ("-", "L O 4 4 L L"),
    "classes.remove_student": ("L O 4 4 L L", "L O 4 4 L L"),
    "classes.rename_student": ("L O 4 4 L L", "L O 4 4 L L"),
    "classes.reset_code": ("-", "L O 4 4 L L"),
    "classes.roster": ("L O 4 4 L L", "-"),
    "classes.show": ("L O 4 4 L L", "-"),
    "classes.toggle_join": ("-", "L O 4 4 L L"),
    "dashboard.assignment": ("L O 4 4 L L", "-"),
    "dashboard.class_overview": ("L O 4 4 L L", "-"),
    "dashboard.highlights": ("L O 4 4 L L", "-"),
    "dashboard.matrix_csv": ("L O 4 4 L L", "-"),
    "dashboard.reflections": ("L O 4 4 L L", "-"),
    "dashboard.reflections_csv": ("L O 4 4 L L", "-"),
    "dashboard.report": ("L O 4 4 L L", "-"),
    "embed.cookies": ("J J J J J J", "-"),
    "join.assignment_link": ("O A O O A O", "O O O O O O"),
    "join.code": ("O O O O A O", "O O O O O O"),
    "join.index": ("O O O O O O", "O O O O O O"),
    "join.resume": ("O O O O O O", "O O O O O O"),
    "join.welcome": ("J A A A A A", "J A A A O O"),
    "lessons.confirm_time": ("-", "L O 4 4 L L"),
    "lessons.delete": ("L O 4 4 L L", "L O 4 4 L L"),
    "lessons.delete_prompt": ("L O 4 4 L L", "L O 4 4 L L"),
    "lessons.duplicate": ("-", "L O 4 4 L L"),
    "lessons.edit": ("L O 4 4 L L", "L O 4 4 L L"),
    "lessons.edit_prompt": ("L O 4 4 L L", "L O 4 4 L L"),
    "lessons.edit_stance": ("L O 4 4 L L", "L O 4 4 L L"),
    "lessons.index": ("L O O O L L", "-"),
    "lessons.new": ("L O O O L L", "L O O O L L"),
    "lessons.new_prompt": ("L O 4 4 L L", "L O 4 4 L L"),
    "lessons.show": ("L O 4 4 L L", "-"),
    "lessons.start_starter": ("-", "L O O O L L"),
    "lms.add_deployment_page": ("-", "L 4 4 O L L"),
    "lms.add_platform_page": ("-", "L 4 4 O L L"),
    "lms.admin": ("L 4 4 O L L", "-"),
    "lms.canvas_json": ("O O O O O O", "-"),
    "lms.create_invite_page": ("-", "L 4 4 O L L"),
    "lms.jwks": ("O O O O O O", "-"),
    "lms.launch": ("-", "O O O O O O"),
    "lms.link_account": ("B B B B B B", "O O O O O O"),
    "lms.lms_roster": ("L O 4 4 L L", "-"),
    "lms.login": ("O O O O O O", "O O O O O O"),
    "lms.pick": ("B B B B B B", "O O O O O O"),
    "lms.pull_lms_roster": ("-", "L O 4 4 L L"),
    "lms.register": ("B B B B B B", "-"),
    "lms.remove_platform_page": ("-", "L 4 4 O L L"),
    "main.film": ("O O O O O O", "-"),
    "main.glossary": ("O O O O O O", "-"),
    "main.healthz": ("O O O O O O", "-"),
    "main.home": ("O A A A A A", "-"),
    "marks.gradebook": ("L O 4 4 L L", "-"),
    "marks.gradebook_csv": ("L O 4 4 L L", "-"),
    "marks.mark": ("-", "L O 4 4 L L"),
    "marks.resend_scores": ("-", "L O 4 4 L L"),
    "marks.scheme": ("L O 4 4 L L", "L O 4 4 L L"),
    "moderation.approve": ("-", "L O 4 4 L L"),
    "moderation.bulk_approve": ("-", "L O 4 4 L L"),
    "moderation.flag_words": ("L O O O L L", "L O O O L L"),
    "moderation.history": ("L O 4 4 L L", "-"),
    "moderation.queue": ("L O 4 4 L L", "-"),
    "moderation.reject": ("-", "L O 4 4 L L"),
    "moderation.reopen": ("-", "L O 4 4 L L"),
    "moderation.return_": ("-", "L O 4 4 L L"),
    "moderation.star": ("-", "L O 4 4 L L"),
    "moved.to_auth_change_password": ("M M M M M M", "M M M M M M"),
    "moved.to_auth_login": ("M M M M M M", "M M M M M M"),
    "moved.to_auth_logout": ("-", "M M M M M M"),
    "moved.to_auth_signup": ("M M M M M M", "M M M M M M"),
    "moved.to_dashboard_assignment": ("M M M M M M", "-"),
    "moved.to_dashboard_class_overview": ("M M M M M M", "-"),
    "moved.to_dashboard_highlights": ("M M M M M M", "-"),
    "moved.to_dashboard_matrix_csv": ("M M M M M M", "-"),
    "moved.to_dashboard_reflections": ("M M M M M M", "-"),
    "moved.to_dashboard_reflections_csv": ("M M M M M M", "-"),
    "moved.to_dashboard_report": ("M M M M M M", "-"),
    "moved.to_join_resume": ("M M M M M M", "M M M M M M"),
    "moved.to_join_welcome": ("M M M M M M", "M M M M M M"),
    "moved.to_moderation_bulk_approve": ("-", "M M M M M M"),
    "moved.to_moderation_queue": ("M M M M M M", "-"),
    "moved.to_student_captions": ("M M M M M M", "-"),
    "moved.to_student_home": ("M M M M M M", "-"),
    "moved.to_student_logout": ("-", "M M M M M M"),
    "moved.under_lessons": ("M M M M M M", "M M M M M M"),
    "moved.under_lessons_page": ("M M M M M M", "M M M M M M"),
    "moved.under_student_assignments": ("M M M M M M", "M M M M M M"),
    "moved.under_student_assignments_page": ("M M M M M M", "M M M M M M"),
    "student.assignment": ("J A A A O 4", "-"),
    "student.captions": ("4 O 4 4 O 4", "-"),
    "student.classmates": ("J A A A O 4", "-"),
    "student.captions_in": ("4 O 4 4 O 4", "-"),
    "student.home": ("J A A A O O", "-"),
    "student.logout": ("-", "A A A A A A"),
    "student.logout_everywhere": ("-", "A A A A A A"),
    "student.save": ("A A A A A A", "O 4 4 4 O 4"),
    "student.stance": ("J A A A A 4", "J A A A O 4"),
}


@pytest.fixture(scope="module")
def world(tmp_path_factory, pg_schema):
    built = build_world(tmp_path_factory.mktemp("access-matrix"), pg_schema)
    yield built
    drop_world(built)


def outcome(response, method: str) -> str:
    status, location = response.status_code, response.headers.get("Location", "")
    if status in (301, 308):
        return "M"
    if 300 <= status < 400:
        if location.startswith("/auth/login"):
            return "L"
        if location.startswith("/join"):
            return "J"
        if location in ("/", "http://localhost/"):
            return "A"
        return "O" if method == "POST" else "A"
    if 200 <= status < 300:
        return "O"
    return {404: "4", 400: "O" if method == "POST" else "B", 405: "N", 403: "F"}.get(status, str(status))


# Actions that change or end what later requests name run last, the widest last of all.
DESTRUCTIVE = (
    ("regenerate", "reset", "new_link", "toggle", "duplicate", "starter", "delete_prompt", "remove_platform"),
    ("remove", "delete"),
    ("logout",),
)


def destructiveness(endpoint: str) -> int:
    return next((rank for rank, words in enumerate(DESTRUCTIVE, 1) if any(w in endpoint for w in words)), 0)


ACTORS = ("owner", "admin")


def observe(world) -> dict[str, dict[str, list[str]]]:
    """endpoint -> method -> one outcome per role.

    Everyone but the owner and the administrator goes first; then their GETs; then their POSTs, the
    destructive ones (deleting, removing, logging out) last, so every address still names something.
    A POST refused to someone changes no row.
    """
    rules = sorted(
        (rule for rule in world.app.url_map.iter_rules() if rule.endpoint != "static"),
        key=lambda rule: (destructiveness(rule.endpoint), rule.rule),
    )
    seen: dict[str, dict[str, list[str]]] = {}
    requests = []
    for phase in ("others", "actors_get", "actors_post"):
        for rule in rules:
            path = rule_path(rule, world.ids)
            assert path is not None, rule.rule
            for method in ("GET", "POST"):
                if method not in rule.methods:
                    continue
                for index, role in enumerate(ROLES):
                    is_actor = role in ACTORS
                    if (phase == "others") == is_actor:
                        continue
                    if is_actor and (phase == "actors_get") != (method == "GET"):
                        continue
                    requests.append((rule.endpoint, method, path, index, role))
    rows = None
    for endpoint, method, path, index, role in requests:
        sign_in_again(world)
        if method == "POST" and rows is None:
            rows = snapshot(world)
        response = world.client(role).open(path, method=method)
        result = outcome(response, method)
        seen.setdefault(endpoint, {}).setdefault(method, ["-"] * len(ROLES))[index] = result
        if method == "POST":
            if result in "LJ4NF":
                after = snapshot(world)
                assert after == rows, (method, path, role, result)
            else:
                rows = None
    return seen


def as_table(seen) -> dict[str, tuple[str, str]]:
    return {
        endpoint: tuple(" ".join(methods[m]) if m in methods else "-" for m in ("GET", "POST"))
        for endpoint, methods in sorted(seen.items())
    }


def test_every_route_has_an_entry(world):
    endpoints = {rule.endpoint for rule in world.app.url_map.iter_rules() if rule.endpoint != "static"}
    missing = sorted(endpoints - set(EXPECTED))
    assert missing == [], f"Decide who may open these routes and add them to EXPECTED: {missing}"
    assert sorted(set(EXPECTED) - endpoints) == [], "EXPECTED names routes that no longer exist"


def test_every_route_for_every_role(world):
    observed = as_table(observe(world))
    wrong = {
        endpoint: {"expected": EXPECTED.get(endpoint), "observed": got}
        for endpoint, got in observed.items()
        if EXPECTED.get(endpoint) != got
    }
    assert wrong == {}, f"roles: {ROLES_ORDER}"
