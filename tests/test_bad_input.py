"""Bad input never reaches a 500: ids too big for the database, NUL bytes and other control characters,
Unicode digits, broken URLs and line breaks in `next` are each a clear 400 or 404.

The property tests find every POST form on the pages each role can open, and send each form a few
hundred mixtures of its real values and hostile ones (Hypothesis): no response is a 500, and a
refused request (4xx) leaves every row in the database as it was. One school is built per module.
"""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classroom.extensions import db
from classroom.forms import CONTROL_CHARACTER_MESSAGE
from classroom.models import Reflection, Student, Teacher
from classroom.web import MAX_ID, has_control_characters, id_or_none, int_or_none, safe_next

from .conftest import TEACHER_PASSWORD, login_as
from .world import build_world, drop_world, post_forms_on, rule_path

# Forms anyone can post to without an account get the most; BAD_INPUT_EXAMPLES raises both for a deep run.
EXAMPLES_PER_FORM = int(os.environ.get("BAD_INPUT_EXAMPLES", 200))
EXAMPLES_PER_OPEN_FORM = max(EXAMPLES_PER_FORM, 300)
TOO_BIG = [MAX_ID + 1, 2**63, 10**30]


@pytest.fixture(scope="module")
def world(tmp_path_factory, pg_schema):
    built = build_world(tmp_path_factory.mktemp("bad-input"), pg_schema)
    yield built
    drop_world(built)


def sign_in_again(world) -> None:
    """Fresh cookies for every role (a form may have signed a client in or out)."""
    from .world import ROLES

    with world.app.app_context():
        for role in ROLES:
            client = world.app.test_client()
            person = db.session.get(*world.people[role]) if role in world.people else None
            if person is not None:  # a test may have removed them
                login_as(client, person)
            world.clients[role] = client


def role_for(path: str) -> str:
    if path.startswith(("/student", "/me")):
        return "student"
    if path.startswith(("/join", "/lms/launch", "/lms/login", "/lms/jwks", "/lms/register", "/auth/login")):
        return "anonymous"
    if path.startswith("/lms/admin"):
        return "admin"
    return "owner"


# --- the reported causes, one by one -------------------------------------------------------------


def int_rules(app):
    return [rule for rule in app.url_map.iter_rules() if any(arg.endswith("_id") for arg in rule.arguments)]


@pytest.mark.parametrize("too_big", TOO_BIG)
def test_an_id_too_big_for_the_database_is_a_404_on_every_route(world, too_big):
    rules = int_rules(world.app)
    assert len(rules) > 40
    for rule in rules:
        for name in [arg for arg in rule.arguments if arg.endswith("_id")]:
            path = rule_path(rule, world.ids)
            real = str(world.ids.get(name) or world.ids.get("plan_prompt_id"))
            # Put the huge number in place of this one id only.
            segments = path.split("/")
            segments[segments.index(real)] = str(too_big)
            bad = "/".join(segments)
            client = world.client(role_for(bad))
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(bad, method=method)
                # 405 where the same address has another rule for another method (the LMS roster).
                assert response.status_code in (404, 405), (method, bad, response.status_code)


def test_unicode_digits_in_a_path_are_a_404(world):
    client = world.client("owner")
    for digits in ("²", "١", "𝟙", "٣٣"):
        assert client.get(f"/classes/{digits}").status_code == 404
        assert client.get(f"/lessons/{digits}/edit").status_code == 404


@pytest.mark.parametrize("value", [str(MAX_ID + 1), str(2**63), "9" * 40, "²", "١٢", "1e3", " "])
def test_numbers_in_query_strings_that_name_nothing_are_ignored(world, value):
    ids = world.ids
    owner = world.client("owner")
    for path in (
        f"/moderation/classes/{ids['class_id']}?assignment={value}&page={value}",
        f"/dashboard/assignments/{ids['assignment_id']}/reflections?prompt={value}&page={value}",
        f"/classes/{ids['class_id']}/assign?plan={value}",
    ):
        assert owner.get(path).status_code == 200, path


@pytest.mark.parametrize("value", ["\x00", "a\x00b", "\x1b[31m", "\x7f"])
def test_control_characters_in_a_query_string_are_a_400(world, value):
    owner = world.client("owner")
    path = f"/dashboard/assignments/{world.ids['assignment_id']}/reflections"
    response = owner.get(path, query_string={"term": value})
    assert response.status_code == 400


def test_a_nul_byte_in_the_address_is_a_404(world):
    assert world.client("anonymous").get("/join/AB%00CD").status_code == 404
    assert world.client("owner").get("/classes/%00").status_code == 404


def snapshot(world) -> dict:
    """Every row of every table, to prove a refused request changed nothing.

    Thousands are taken per run, so the SELECTs are compiled once and read on the driver's own cursor
    (the ORM's work per statement was most of the property test's time); the rows are the driver's
    values, unconverted, which tells any change apart as well."""
    with world.app.app_context():
        queries = getattr(world, "snapshot_queries", None)
        if queries is None:
            queries = world.snapshot_queries = [
                (
                    table.name,
                    str(
                        table.select()
                        .order_by(*(list(table.primary_key.columns) or list(table.columns)))
                        .compile(dialect=db.engine.dialect)
                    ),
                )
                for table in db.metadata.sorted_tables
            ]
        connection = db.engine.raw_connection()
        try:
            cursor = connection.cursor()
            rows = {}
            if db.engine.dialect.name == "postgresql":
                # All the SELECTs in one round trip (psycopg returns one result set each): on a busy
                # machine 24 trips to the server took three times as long as the one.
                cursor.execute("; ".join(query for _, query in queries))
                for name, _ in queries:
                    rows[name] = [tuple(row) for row in cursor.fetchall()]
                    cursor.nextset()
            else:
                for name, query in queries:
                    cursor.execute(query)
                    rows[name] = [tuple(row) for row in cursor.fetchall()]
            cursor.close()
        finally:
            connection.close()
        return rows


@pytest.mark.parametrize(
    "path,data,field",
    [
        ("/auth/login", {"email": "ada\x00@school.example", "password": TEACHER_PASSWORD}, "email"),
        ("/auth/signup", {"name": "Eve\x00", "email": "eve@school.example", "password": "a long passphrase"}, "name"),
        ("/join/resume", {"return_code": "1-otter\x00"}, "return_code"),
    ],
)
def test_a_nul_byte_in_a_form_no_one_needs_an_account_for_is_refused_next_to_the_field(world, path, data, field):
    client = world.app.test_client()
    before = snapshot(world)
    response = client.post(path, data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert CONTROL_CHARACTER_MESSAGE in page
    assert snapshot(world) == before


def test_a_nul_byte_in_a_join_display_name_is_refused_and_kept(world):
    client = world.app.test_client()
    before = snapshot(world)
    response = client.post(f"/join/{world.ids['code']}", data={"display_name": "Pe\x00tya"})
    assert response.status_code == 400
    assert CONTROL_CHARACTER_MESSAGE in response.get_data(as_text=True)
    assert snapshot(world) == before


def test_a_reflection_with_a_control_character_is_refused_and_the_text_kept(world):
    sign_in_again(world)
    ids = world.ids
    client = world.client("student")
    path = f"/student/assignments/{ids['assignment_id']}/prompts/{ids['prompt_id']}"
    prefix = f"p{ids['prompt_id']}-"
    before = snapshot(world)
    response = client.post(path, data={prefix + "body": "My answer\x00 about memory", prefix + "version": "1"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert CONTROL_CHARACTER_MESSAGE in page
    assert "about memory" in page
    assert snapshot(world) == before


@pytest.mark.parametrize("version", ["²", "١", "𝟗", str(2**63)])
def test_unicode_digits_or_a_huge_number_as_a_reflection_version_are_not_a_500(world, version):
    sign_in_again(world)
    ids = world.ids
    client = world.client("student")
    path = f"/student/assignments/{ids['assignment_id']}/prompts/{ids['prompt_id']}"
    prefix = f"p{ids['prompt_id']}-"
    response = client.post(path, data={prefix + "body": "A new text about flowers.", prefix + "version": version})
    assert response.status_code < 500
    # The version names no saved text, so the student's save cannot overwrite what is stored.
    with world.app.app_context():
        assert db.session.get(Reflection, ids["reflection_id"]).body == "The flowers at the grave surprised me."


def test_unicode_digits_in_the_text_kept_through_sign_in_are_not_a_500(world):
    client = world.app.test_client()
    response = client.post(
        "/join/resume",
        data={
            "return_code": world.ids["return_code"],
            "stash_assignment": "²",
            "stash_prompt": "١",
            "stash_version": "𝟗",
            "stash_body": "kept",
        },
    )
    assert response.status_code in (200, 302, 303)


@pytest.mark.parametrize("code", [f"{MAX_ID + 1}-otter-quill-lunar-tulip", str(2**63), "9" * 14 + "-a-b-c-d"])
def test_a_return_code_naming_a_class_number_too_big_for_the_database_is_refused(world, code):
    response = world.app.test_client().post("/join/resume", data={"return_code": code})
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/lms/launch", "/lms/login"])
def test_a_nul_byte_in_what_an_lms_posts_is_refused(world, path):
    data = {"id_token": "x.y.z", "state": "\x00", "iss": "https://lms.school.example", "login_hint": "1"}
    assert world.app.test_client().post(path, data=data).status_code == 400


@pytest.mark.parametrize("url", ["https://[::1", "https://[::1/", "https://[", "https://exa mple.org"])
def test_a_broken_video_url_is_a_400_with_a_message(world, url):
    sign_in_again(world)
    before = snapshot(world)
    response = world.client("owner").post(
        f"/classes/assignments/{world.ids['assignment_id']}/edit",
        data={"title": "Memory and the Stalin legacy", "video_url": url},
    )
    assert response.status_code == 400
    assert "That is not a web address" in response.get_data(as_text=True)
    assert snapshot(world) == before


@pytest.mark.parametrize(
    "target", ["/classes/\nSet-Cookie: x=1", "/\r\n/evil.example", "/\t/evil.example", "/ /evil.example"]
)
def test_a_line_break_or_bracket_in_next_is_ignored(world, target):
    client = world.app.test_client()
    response = client.post(
        "/auth/login",
        query_string={"next": target},
        data={"email": "ada@school.example", "password": TEACHER_PASSWORD},
    )
    assert response.status_code in (302, 303)
    assert response.headers["Location"] == "/"


def test_a_line_break_in_the_star_forms_next_is_ignored(world):
    sign_in_again(world)
    reflection_id = world.ids["reflection_id"]
    response = world.client("owner").post(
        f"/moderation/reflections/{reflection_id}/star", data={"starred": "1", "next": "/classes/\nX: y"}
    )
    assert response.status_code in (302, 303)
    assert response.headers["Location"] == f"/moderation/reflections/{reflection_id}"


def test_a_broken_referer_is_not_a_500(world):
    response = world.client("student").get("/student", headers={"Referer": "https://[::1"})
    assert response.status_code == 200


# --- plain functions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,expected",
    [
        ("12", 12),
        (" 7 ", 7),
        ("-3", -3),
        (5, 5),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        (str(2**63), None),
        ("²", None),
        ("١٢", None),
        ("1_000", None),
        ("+1", None),
        ("1e3", None),
        ("", None),
        (None, None),
        (True, None),
        (2**63, None),
    ],
)
def test_int_or_none(value, expected):
    assert int_or_none(value) == expected


def test_id_or_none_is_positive():
    assert id_or_none("0") is None and id_or_none("-1") is None and id_or_none("4") == 4


@pytest.mark.parametrize(
    "target,expected",
    [
        ("/classes/", "/classes/"),
        ("/classes/?a=1#x", "/classes/?a=1#x"),
        ("//evil.example", None),
        ("/\t/evil.example", None),
        ("/\n/evil.example", None),
        ("/ok\r\nSet-Cookie: x", None),
        ("/a\x00", None),
        ("/[::1", "/[::1"),
        ("http://[::1", None),
        ("https://evil.example/", None),
        ("/\\evil.example", None),
        ("", None),
    ],
)
def test_safe_next(target, expected):
    assert safe_next(target) == expected


def test_control_characters():
    assert has_control_characters("a\x00b") and has_control_characters("\x1b") and has_control_characters("\x85")
    assert not has_control_characters("Line one\nline two\tand\r\n три ✓")


# --- every form, many times (Hypothesis) ------------------------------------------------------------

HOSTILE = [
    "\x00",
    "a\x00b",
    "\x1b[2J",
    "\x7f",
    "\u0085",
    "²",
    "١٢",
    "𝟗",
    "-1",
    "0",
    str(MAX_ID + 1),
    str(2**63),
    "9" * 40,
    "1e9",
    "0x1f",
    "1_000",
    "NaN",
    "",
    " ",
    "\r\n",
    "https://[::1",
    "https://[::1]:99999/x",
    "javascript:alert(1)",
    "//evil.example",
    "/\t/evil.example",
    "/classes/\nSet-Cookie: x=1",
    "<script>alert(1)</script>",
    "99:99:99",
    "-0:01",
    "1:2:3:4",
    "2026-13-45T25:61",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "1:1",
    "1:²",
    f"{2**63}:{2**63}",
    "x" * 5001,
    "\u202etxt.exe",
    "ё" * 300,
]


def value_for(original: str):
    return st.one_of(
        st.just(original),
        st.sampled_from(HOSTILE),
        st.text(max_size=40),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.none(),  # the field left out
    )


def collect_forms(world) -> list[tuple[str, str, dict]]:
    """(role, action, fields) of every POST form with fields on the pages each role can open."""
    sign_in_again(world)
    found: dict[str, tuple[str, str, dict]] = {}
    for role in ("anonymous", "owner", "admin", "student"):
        client = world.client(role)
        for rule in world.app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint.startswith(("moved.", "static")):
                continue
            path = rule_path(rule, world.ids)
            if path is None:
                continue
            response = client.get(path)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            for form in post_forms_on(response.get_data(as_text=True), path):
                fields = {name: value for name, value in form["fields"].items() if name != "csrf_token"}
                if not fields or re.search(r"logout", form["action"]):
                    continue
                # One form per kind of address (the queue shows the same form for every reflection).
                found.setdefault(re.sub(r"\d+", "N", form["action"]), (role, form["action"], fields))
    # Fields a page adds only in some states: the text kept through signing back in, and LTI's entry points.
    found["/join/resume"] = (
        "anonymous",
        "/join/resume",
        {
            "return_code": world.ids["return_code"],
            "stash_assignment": str(world.ids["assignment_id"]),
            "stash_prompt": str(world.ids["prompt_id"]),
            "stash_owner": str(world.ids["student_id"]),
            "stash_version": "1",
            "stash_at": "0:10",
            "stash_body": "kept text",
        },
    )
    found["/lms/login"] = (
        "anonymous",
        "/lms/login",
        {"iss": "https://lms.school.example", "login_hint": "1", "target_link_uri": "", "client_id": "tool-1"},
    )
    found["/lms/launch"] = ("anonymous", "/lms/launch", {"id_token": "x.y.z", "state": "s", "error": ""})
    return list(found.values())


def test_the_forms_found_cover_every_area(world):
    actions = {action for _, action, _ in collect_forms(world)}
    for expected in (
        "/auth/login",
        "/auth/signup",
        f"/join/{world.ids['code']}",
        "/join/resume",
        "/classes/new",
        f"/classes/{world.ids['class_id']}/assign",
        f"/classes/assignments/{world.ids['assignment_id']}/edit",
        "/lessons/new",
        f"/lessons/{world.ids['plan_id']}/stance",
        "/moderation/flag-words",
        f"/moderation/reflections/{world.ids['reflection_id']}/return",
        f"/marks/assignments/{world.ids['assignment_id']}",
        f"/student/assignments/{world.ids['assignment_id']}/prompts/{world.ids['prompt_id']}",
        "/lms/admin/platforms",
    ):
        assert expected in actions, expected


def hostile_posts(world, role: str, action: str, fields: dict):
    """A Hypothesis test posting mixtures of real and hostile values to one form."""

    @settings(
        max_examples=EXAMPLES_PER_OPEN_FORM if role == "anonymous" else EXAMPLES_PER_FORM,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(values=st.fixed_dictionaries({name: value_for(original) for name, original in fields.items()}))
    def check(values):
        data = {name: value for name, value in values.items() if value is not None}
        before = known["rows"] if known["rows"] is not None else snapshot(world)
        known["rows"] = None
        response = world.client(role).post(action, data=data)
        assert response.status_code < 500, (role, action, data)
        if 400 <= response.status_code < 500:
            after = snapshot(world)
            assert after == before, (role, action, data)
            known["rows"] = after  # unchanged, so the next example starts from it

    known: dict = {"rows": None}
    return check


def test_no_form_answers_a_500_and_a_refusal_changes_nothing(world):
    forms = collect_forms(world)
    assert len(forms) >= 25
    for role, action, fields in forms:
        sign_in_again(world)
        hostile_posts(world, role, action, fields)()


def test_the_world_still_has_its_people(world):
    """The property test above must not have run against an empty school."""
    with world.app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Teacher)) >= 3
        assert db.session.scalar(db.select(db.func.count()).select_from(Student)) >= 1


def test_every_form_is_a_classroom_form(world):
    """A form built on FlaskForm or wtforms.Form directly would let control characters through."""
    import wtforms

    from classroom.forms import RefusesControlCharacters

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [cls for cls in subclasses(wtforms.Form) if cls.__module__.startswith("classroom.")]
    assert len(ours) > 20
    assert [cls.__qualname__ for cls in ours if not issubclass(cls, RefusesControlCharacters)] == []
