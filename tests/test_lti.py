"""LTI 1.3: login, launch, keys, identity, deep linking, roster and every refusal, against a test platform."""

from __future__ import annotations

import logging
import time

import jwt
import pytest
import responses

from classroom.extensions import db
from classroom.lms.platforms import add_platform
from classroom.models import (
    Assignment,
    LtiCourse,
    LtiInstructor,
    LtiLearner,
    LtiPlatform,
    LtiResourceLink,
    SchoolClass,
    Student,
    Teacher,
)

from .conftest import TEACHER_PASSWORD, login_as
from .lti_platform import INSTRUCTOR, LEARNER, auth_request, launch, rsa_key

DL = "LtiDeepLinkingRequest"


@pytest.fixture
def registered(app, platform, rsps):
    with app.app_context():
        return add_platform(**platform.platform_fields()).id


def bind_course(app, platform_id, school_class, assignment, link_id="activity-1"):
    """The state after a teacher deep-linked `assignment` into the test course."""
    with app.app_context():
        course = LtiCourse(
            platform_id=platform_id, context_id="course-7", title="History 10B", class_id=school_class.id
        )
        db.session.add(course)
        db.session.add(LtiResourceLink(platform_id=platform_id, resource_link_id=link_id, assignment_id=assignment.id))
        db.session.commit()


def link_teacher(app, platform_id, teacher, sub="teacher-1"):
    with app.app_context():
        db.session.add(LtiInstructor(platform_id=platform_id, sub=sub, teacher_id=teacher.id))
        db.session.commit()


# --- keys --------------------------------------------------------------------------------------


def test_jwks_publishes_the_tool_key_once_made(client, app):
    first = client.get("/lms/jwks").get_json()
    assert len(first["keys"]) == 1
    key = first["keys"][0]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig" and key["kid"]
    assert "d" not in key  # never the private part
    assert client.get("/lms/jwks").get_json() == first  # made once, kept


def test_key_rotation_keeps_the_old_key_published_until_it_expires(app, client):
    from datetime import timedelta

    from classroom.lms.keys import rotate_key, signing_key, tool_keys

    old_kid = client.get("/lms/jwks").get_json()["keys"][0]["kid"]
    with app.app_context():
        new = rotate_key(timedelta(days=7))
        assert signing_key().kid == new.kid != old_kid
    kids = [k["kid"] for k in client.get("/lms/jwks").get_json()["keys"]]
    assert kids == [new.kid, old_kid]
    with app.app_context():
        newest = rotate_key(timedelta(seconds=-1))  # the key signing until now expires at once
        assert [k.kid for k in tool_keys()] == [newest.kid, old_kid]


def test_key_from_the_environment_is_used_and_never_written(make_app, tmp_path):
    from classroom.lms.keys import new_private_pem, signing_key, tool_key

    pem = new_private_pem()
    app = make_app(LTI_PRIVATE_KEY=pem)
    with app.app_context():
        assert signing_key().kid == tool_key(pem).kid
    assert not (tmp_path / "lti_keys.json").exists()


def test_keyring_file_is_private(app, client):
    import os
    import stat
    from pathlib import Path

    client.get("/lms/jwks")
    mode = stat.S_IMODE(os.stat(Path(app.config["LTI_KEYRING_PATH"])).st_mode)
    assert mode == 0o600


# --- login initiation --------------------------------------------------------------------------


def test_login_redirects_to_the_platform_with_state_nonce_and_hints(client, platform, registered):
    response = client.post("/lms/login", data=platform.login_params())
    assert response.status_code == 302
    auth = auth_request(response.headers["Location"])
    assert response.headers["Location"].startswith(platform.auth_login_url + "?")
    assert auth["response_mode"] == "form_post" and auth["prompt"] == "none" and auth["scope"] == "openid"
    assert auth["client_id"] == platform.client_id
    assert auth["redirect_uri"] == "http://localhost/lms/launch"
    assert auth["login_hint"] == "user-hint" and auth["lti_message_hint"] == '{"cmid":2}'
    assert auth["state"].startswith("state-") and len(auth["nonce"]) > 20


def test_login_accepts_get_too(client, platform, registered):
    response = client.get("/lms/login", query_string=platform.login_params())
    assert response.status_code == 302


def test_login_checks_cookies_with_the_librarys_own_page(client, platform, registered):
    """Workaround 3: the Flask adapter's missing template would be a 500; the library's page is served."""
    params = platform.login_params()
    del params["lti1p3_new_window"]
    response = client.post("/lms/login", data=params)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "lti1p3-new-tab-link" in page and "Continue in a new window." in page
    policy = response.headers["Content-Security-Policy"]
    assert "'sha256-" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'self' https://lms.example" in policy


def test_login_from_an_unknown_platform_is_refused(client, platform, registered, caplog):
    with caplog.at_level(logging.WARNING, logger="classroom.lms"):
        response = client.post("/lms/login", data=platform.login_params(iss="https://evil.example"))
    assert response.status_code == 400
    assert "not registered here" in response.get_data(as_text=True)
    assert "LTI refused (400)" in caplog.text and "evil.example" in caplog.text


def test_login_without_login_hint_is_refused(client, platform, registered):
    response = client.post("/lms/login", data=platform.login_params(login_hint=""))
    assert response.status_code == 400


# --- launches and refusals ---------------------------------------------------------------------


@pytest.fixture
def bound(app, registered, school_class, assignment):
    bind_course(app, registered, school_class, assignment)
    return assignment


def test_learner_launch_makes_a_student_of_the_bound_class(app, client, platform, bound, school_class):
    response, _auth, _token = launch(client, platform)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/student/assignments/{bound.id}")
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    with app.app_context():
        learner = db.session.scalars(db.select(LtiLearner)).one()
        assert learner.sub == "learner-1" and learner.class_id == school_class.id and learner.first_launch_at
        assert learner.email == ""  # not kept unless the school turns it on
        student = db.session.get(Student, learner.student_id)
        assert student.display_name == "Alice Archer"
        assert student.return_code not in text
    # The student page may be framed by the LMS that launched it, and by nobody else.
    policy = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://lms.example" in policy
    assert "X-Frame-Options" not in page.headers


def test_second_launch_finds_the_same_student_and_follows_a_new_name(app, platform, bound):
    first = app.test_client()
    launch(first, platform)
    second = app.test_client()
    response, _, _ = launch(second, platform, name="Alice Archer-Smith")
    assert response.status_code == 302
    with app.app_context():
        students = db.session.scalars(db.select(Student)).all()
        assert [s.display_name for s in students] == ["Alice Archer-Smith"]


def test_email_is_kept_only_when_the_school_turns_it_on(make_app, platform, rsps, make_class, teacher, make_assignment):
    app = make_app(LTI_STORE_EMAIL=True)
    with app.app_context():
        platform_id = add_platform(**platform.platform_fields()).id
    # the fixtures above made their rows in another app's database; make ours here
    with app.app_context():
        t = Teacher(name="T", email="t@school.example", password_hash="x")
        db.session.add(t)
        db.session.commit()
        from classroom.classes.logic import assign_plan, create_class
        from classroom.lessons.plans import copy_starter_plan

        c = create_class(t, "History", "")
        a = assign_plan(c, copy_starter_plan(t))
        db.session.add(LtiCourse(platform_id=platform_id, context_id="course-7", class_id=c.id))
        db.session.add(LtiResourceLink(platform_id=platform_id, resource_link_id="activity-1", assignment_id=a.id))
        db.session.commit()
    client = app.test_client()
    response, _, _ = launch(client, platform)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalars(db.select(LtiLearner.email)).one() == "learner-1@school.example"


def test_replayed_launch_is_refused(client, platform, bound, caplog):
    response, auth, token = launch(client, platform)
    assert response.status_code == 302
    with caplog.at_level(logging.WARNING, logger="classroom.lms"):
        again = client.post("/lms/launch", data={"id_token": token, "state": auth["state"]})
    assert again.status_code == 401
    assert "already used" in again.get_data(as_text=True)
    assert "Invalid Nonce" in caplog.text


def test_bad_signature_is_refused(client, platform, bound, caplog):
    with caplog.at_level(logging.WARNING, logger="classroom.lms"):
        response, _, _ = launch(client, platform, key=rsa_key())
    assert response.status_code == 401
    assert "could not confirm" in response.get_data(as_text=True)
    assert "Signature verification failed" in caplog.text


def test_wrong_audience_is_refused(client, platform, bound):
    response, _, _ = launch(client, platform, aud="someone-else")
    assert response.status_code == 401


def test_expired_token_is_refused(client, platform, bound, caplog):
    past = int(time.time()) - 3600
    with caplog.at_level(logging.WARNING, logger="classroom.lms"):
        response, _, _ = launch(client, platform, iat=past, exp=past + 60)
    assert response.status_code == 401
    assert "expired" in caplog.text


def test_unknown_deployment_is_refused(client, platform, bound):
    response, _, _ = launch(client, platform, **{"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "99"})
    assert response.status_code == 400
    assert "deployment is not registered" in response.get_data(as_text=True)


def test_missing_state_is_refused(app, platform, bound):
    client = app.test_client()
    response = client.post("/lms/login", data=platform.login_params())
    auth = auth_request(response.headers["Location"])
    token = platform.id_token(auth["nonce"])
    fresh = app.test_client()  # another browser: no state cookie
    refused = fresh.post("/lms/launch", data={"id_token": token, "state": auth["state"]})
    assert refused.status_code == 400
    assert "could not be matched" in refused.get_data(as_text=True)
    assert client.post("/lms/launch", data={"id_token": token}).status_code == 400


def test_launch_without_a_token_or_with_garbage_is_refused(client, platform, bound):
    assert client.post("/lms/launch", data={}).status_code == 400
    response = client.post("/lms/login", data=platform.login_params())
    auth = auth_request(response.headers["Location"])
    assert client.post("/lms/launch", data={"id_token": "not.a.jwt", "state": auth["state"]}).status_code == 400


def test_platform_error_is_shown(client, registered):
    response = client.post(
        "/lms/launch", data={"error": "access_denied", "error_description": "Wrong user", "state": "x"}
    )
    assert response.status_code == 400
    assert "Wrong user" in response.get_data(as_text=True)


def test_unknown_kid_fetches_the_platform_keys_once_more(app, client, platform, bound, rsps):
    launch(client, platform)  # the tool has now cached key 1
    new_key = rsa_key()
    from .lti_platform import public_jwk

    platform.published.append(public_jwk(new_key, "platform-key-2"))
    other = app.test_client()
    response, _, _ = launch(other, platform, key=new_key, kid="platform-key-2")
    assert response.status_code == 302
    jwks_calls = [c for c in rsps.calls if c.request.url == platform.jwks_url]
    assert len(jwks_calls) == 2
    # A kid the platform does not publish at all is refused after that one refetch.
    third = app.test_client()
    response, _, _ = launch(third, platform, key=rsa_key(), kid="never-published")
    assert response.status_code == 401
    assert len([c for c in rsps.calls if c.request.url == platform.jwks_url]) == 3


def test_learner_of_an_activity_not_set_up_yet_is_told_kindly(client, platform, registered):
    response, _, _ = launch(client, platform)
    assert response.status_code == 400
    assert "not finished setting up" in response.get_data(as_text=True)


def test_state_and_nonce_live_in_the_database_not_in_process_memory(app, platform, bound):
    """A second app on the same database (another worker) completes a launch the first one started."""
    client = app.test_client()
    response = client.post("/lms/login", data=platform.login_params())
    auth = auth_request(response.headers["Location"])
    from classroom.models import LtiLaunchData

    with app.app_context():
        keys = db.session.scalars(db.select(LtiLaunchData.key)).all()
        assert any(auth["nonce"] in key for key in keys)


# --- instructors -------------------------------------------------------------------------------


def test_first_instructor_launch_asks_the_teacher_to_confirm_the_link(app, platform, bound, teacher):
    client = app.test_client()
    response, _, _ = launch(client, platform, sub="teacher-1", roles=(INSTRUCTOR,))
    assert response.headers["Location"].endswith("/lms/link-account")
    page = client.get("/lms/link-account")
    assert page.status_code == 200 and "Which teacher account is Tom Teacher?" in page.get_data(as_text=True)
    wrong = client.post(
        "/lms/link-account", data={"action": "login", "login-email": teacher.email, "login-password": "nope"}
    )
    assert wrong.status_code == 400 and "do not match" in wrong.get_data(as_text=True)
    ok = client.post(
        "/lms/link-account", data={"action": "login", "login-email": teacher.email, "login-password": TEACHER_PASSWORD}
    )
    assert ok.status_code == 302
    assert ok.headers["Location"].endswith(f"/classes/assignments/{bound.id}")
    with app.app_context():
        link = db.session.scalars(db.select(LtiInstructor)).one()
        assert (link.sub, link.teacher_id) == ("teacher-1", teacher.id)
    # The next launch signs the teacher straight in, in a fresh browser.
    again = app.test_client()
    response, _, _ = launch(again, platform, sub="teacher-1", roles=(INSTRUCTOR,))
    assert response.headers["Location"].endswith(f"/classes/assignments/{bound.id}")
    assert again.get(response.headers["Location"]).status_code == 200


def test_logged_in_teacher_confirms_with_one_button(app, platform, bound, teacher):
    client = app.test_client()
    login_as(client, teacher)
    launch(client, platform, sub="teacher-1", roles=(INSTRUCTOR,))
    page = client.get("/lms/link-account").get_data(as_text=True)
    assert "Yes, link it to my account" in page
    response = client.post("/lms/link-account", data={"action": "confirm"})
    assert response.status_code == 302


# The link page's sign-up button, as a new teacher fills it in.
NEW_TEACHER_SIGNUP = {
    "action": "signup",
    "signup-name": "Tom Teacher",
    "signup-email": "tom@school.example",
    "signup-password": "a long enough password",
}


def test_new_teacher_can_sign_up_while_linking(app, platform, registered):
    client = app.test_client()
    launch(client, platform, sub="teacher-1", roles=(INSTRUCTOR,))
    response = client.post("/lms/link-account", data=NEW_TEACHER_SIGNUP)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/lms/pick")  # nothing is bound yet: choose
    with app.app_context():
        teacher = db.session.scalars(db.select(Teacher).where(Teacher.email == "tom@school.example")).one()
        assert db.session.scalars(db.select(LtiInstructor.teacher_id)).one() == teacher.id


def test_link_account_page_without_a_launch_is_refused(client):
    assert client.get("/lms/link-account").status_code == 400


def test_a_student_cannot_deep_link(client, platform, bound):
    response, _, _ = launch(client, platform, message_type=DL)
    assert response.status_code == 401


# --- deep linking ------------------------------------------------------------------------------


def _decode_deep_link(app, page: str) -> dict:
    import re

    token = re.search(r'name="JWT" value="([^"]+)"', page).group(1)
    with app.test_request_context():
        jwks = app.test_client().get("/lms/jwks").get_json()
    header = jwt.get_unverified_header(token)
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    return jwt.decode(token, jwt.PyJWK(key).key, algorithms=["RS256"], audience="https://lms.example")


def test_deep_linking_an_existing_assignment_returns_a_signed_resource_link(
    app, platform, registered, teacher, assignment, school_class
):
    link_teacher(app, registered, teacher)
    client = app.test_client()
    response, _, _ = launch(client, platform, sub="teacher-1", roles=(INSTRUCTOR,), message_type=DL)
    assert response.headers["Location"].endswith("/lms/pick")
    picker = client.get("/lms/pick")
    assert picker.status_code == 200 and assignment.title in picker.get_data(as_text=True)
    # Only the pressed button names the choice (a hidden "choice" field would win over it).
    assert picker.get_data(as_text=True).count('name="choice"') == 2
    answer = client.post("/lms/pick", data={"choice": str(assignment.id)})
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert 'action="https://lms.example/deep-link-return"' in page
    assert "form-action 'self' https://lms.example" in answer.headers["Content-Security-Policy"]
    message = _decode_deep_link(app, page)
    assert message["iss"] == platform.client_id
    assert message["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiDeepLinkingResponse"
    assert message["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-platform-data"
    (item,) = message["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert item["type"] == "ltiResourceLink" and item["url"] == "http://localhost/lms/launch"
    assert item["custom"] == {"assignment_id": str(assignment.id)}
    assert item["lineItem"]["scoreMaximum"] == 2 * 3 and item["lineItem"]["label"] == assignment.title
    with app.app_context():
        course = db.session.scalars(db.select(LtiCourse)).one()
        assert course.class_id == school_class.id and course.context_id == "course-7"
    # The learner's first launch of the new activity carries the custom id and binds it.
    learner = app.test_client()
    response, _, _ = launch(
        learner,
        platform,
        **{
            "https://purl.imsglobal.org/spec/lti/claim/resource_link": {"id": "new-activity"},
            "https://purl.imsglobal.org/spec/lti/claim/custom": {"assignment_id": str(assignment.id)},
        },
    )
    assert response.headers["Location"].endswith(f"/student/assignments/{assignment.id}")
    with app.app_context():
        link = db.session.scalars(db.select(LtiResourceLink)).one()
        assert (link.resource_link_id, link.assignment_id) == ("new-activity", assignment.id)
        assert link.lineitem_url == platform.lineitem_url


def test_deep_linking_the_starter_plan_makes_a_class_for_the_course(app, platform, registered, teacher):
    link_teacher(app, registered, teacher)
    client = app.test_client()
    launch(client, platform, sub="teacher-1", roles=(INSTRUCTOR,), message_type=DL)
    answer = client.post("/lms/pick", data={"choice": "starter"})
    assert answer.status_code == 200
    message = _decode_deep_link(app, answer.get_data(as_text=True))
    (item,) = message["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    with app.app_context():
        school_class = db.session.scalars(db.select(SchoolClass)).one()
        assert school_class.name == "History 10B" and school_class.teacher_id == teacher.id
        assert not school_class.join_enabled
        assignment = db.session.scalars(db.select(Assignment)).one()
        assert item["custom"]["assignment_id"] == str(assignment.id)
        assert item["lineItem"]["scoreMaximum"] == 2 * len(assignment.prompts)


def test_picking_another_teachers_assignment_is_refused(
    app, platform, registered, teacher, other_teacher, make_class, make_assignment
):
    theirs = make_assignment(make_class(other_teacher))
    link_teacher(app, registered, teacher)
    client = app.test_client()
    launch(client, platform, sub="teacher-1", roles=(INSTRUCTOR,), message_type=DL)
    response = client.post("/lms/pick", data={"choice": str(theirs.id)})
    assert response.status_code == 400
    assert "Choose one of your assignments" in response.get_data(as_text=True)


def test_instructor_launch_of_an_unbound_activity_lets_them_choose(app, platform, registered, teacher, assignment):
    link_teacher(app, registered, teacher)
    client = app.test_client()
    response, _, _ = launch(client, platform, sub="teacher-1", roles=(INSTRUCTOR,))
    assert response.headers["Location"].endswith("/lms/pick")
    done = client.post("/lms/pick", data={"choice": str(assignment.id)})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/classes/assignments/{assignment.id}")
    with app.app_context():
        assert db.session.scalars(db.select(LtiResourceLink.resource_link_id)).one() == "activity-1"


# --- Names and Roles ---------------------------------------------------------------------------


def test_roster_pull_adds_learners_by_name_and_shows_who_has_not_launched(
    app, platform, bound, teacher_client, school_class
):
    platform.members = [
        {"user_id": "learner-1", "name": "Alice Archer", "roles": [LEARNER], "status": "Active"},
        {"user_id": "learner-2", "name": "Ben Baker", "roles": [LEARNER], "status": "Active", "email": "b@x.example"},
        {"user_id": "teacher-1", "name": "Tom Teacher", "roles": [INSTRUCTOR], "status": "Active"},
        {"user_id": "learner-3", "roles": [LEARNER], "status": "Inactive"},
    ]
    launch(app.test_client(), platform)  # Alice has launched; the course now knows its roster address
    response = teacher_client.post(f"/lms/classes/{school_class.id}/roster")
    assert response.status_code == 302
    page = teacher_client.get(f"/lms/classes/{school_class.id}/roster").get_data(as_text=True)
    assert "Pulled 2 students" in page
    not_opened = page.split("Not opened yet")[1].split("Opened (")[0]
    assert "Ben Baker" in not_opened and "Alice Archer" not in not_opened
    assert "Tom Teacher" not in page
    with app.app_context():
        assert sorted(db.session.scalars(db.select(Student.display_name))) == ["Alice Archer", "Ben Baker"]
        assert db.session.scalars(db.select(LtiLearner.email)).all() == ["", ""]
    token_request = platform.token_requests[-1]
    assert token_request["scope"] == "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
    assertion = jwt.decode(token_request["client_assertion"], options={"verify_signature": False})
    assert assertion["iss"] == assertion["sub"] == platform.client_id and assertion["aud"] == platform.token_url


def test_roster_page_is_the_class_owners_only(app, bound, school_class, other_teacher):
    client = app.test_client()
    login_as(client, other_teacher)
    assert client.get(f"/lms/classes/{school_class.id}/roster").status_code == 404
    assert client.post(f"/lms/classes/{school_class.id}/roster").status_code == 404
    assert app.test_client().get(f"/lms/classes/{school_class.id}/roster").status_code == 302


# --- Dynamic Registration ----------------------------------------------------------------------


@pytest.fixture
def admin(make_teacher, app):
    person = make_teacher(name="Ida Admin", email="ida@school.example")
    with app.app_context():
        db.session.get(Teacher, person.id).is_admin = True
        db.session.commit()
    return person


def _invite(app, admin) -> str:
    client = app.test_client()
    login_as(client, admin)
    page = client.post("/lms/admin/invites", data={"label": "School Moodle"}).get_data(as_text=True)
    import re

    return re.search(r'<code id="invite-url">([^<]+)</code>', page).group(1)


def test_dynamic_registration_registers_the_platform_and_closes(app, platform, rsps, admin):
    url = _invite(app, admin)
    assert url.startswith("http://localhost/lms/register/")
    path = url.removeprefix("http://localhost")
    response = app.test_client().get(
        path,
        query_string={
            "openid_configuration": f"{platform.issuer}/.well-known/openid-configuration",
            "registration_token": "reg-token-1",
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "js/lti.js" in response.get_data(as_text=True)  # posts org.imsglobal.lti.close
    (sent,) = platform.registrations
    assert sent["authorization"] == "Bearer reg-token-1"
    body = sent["body"]
    assert body["initiate_login_uri"] == "http://localhost/lms/login"
    assert body["redirect_uris"] == ["http://localhost/lms/launch"]
    assert body["jwks_uri"] == "http://localhost/lms/jwks"
    assert body["token_endpoint_auth_method"] == "private_key_jwt" and "id_token" in body["response_types"]
    config = body["https://purl.imsglobal.org/spec/lti-tool-configuration"]
    assert config["domain"] == "localhost" and "email" not in config["claims"]
    assert "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly" in body["scope"]
    with app.app_context():
        platform_row = db.session.scalars(db.select(LtiPlatform)).one()
        assert (platform_row.client_id, platform_row.name) == ("dynamic-client-9", "School Moodle")
        assert [d.deployment_id for d in platform_row.deployments] == ["42"]
        assert platform_row.auth_login_url == platform.auth_login_url
    # The address works once.
    again = app.test_client().get(
        path, query_string={"openid_configuration": f"{platform.issuer}/.well-known/openid-configuration"}
    )
    assert again.status_code == 400


def test_dynamic_registration_refuses_a_forged_issuer(app, platform, rsps, admin, caplog):
    url = _invite(app, admin)
    platform.issuer_override = True
    forged = platform.openid_configuration()
    forged["issuer"] = "https://another-lms.example"
    rsps.replace(responses.GET, f"{platform.issuer}/.well-known/openid-configuration", json=forged)
    with caplog.at_level(logging.WARNING, logger="classroom.lms"):
        response = app.test_client().get(
            url.removeprefix("http://localhost"),
            query_string={"openid_configuration": f"{platform.issuer}/.well-known/openid-configuration"},
        )
    assert response.status_code == 400
    assert "not the site" in response.get_data(as_text=True)
    assert platform.registrations == []
    with app.app_context():
        assert db.session.scalars(db.select(LtiPlatform)).all() == []
    assert "dynamic registration refused" in caplog.text


def test_dynamic_registration_with_an_unknown_token_is_refused(client):
    assert client.get("/lms/register/not-a-token").status_code == 400


def test_dynamic_registration_when_the_platform_fails_saves_nothing(app, platform, rsps, admin):
    url = _invite(app, admin)
    rsps.replace(responses.POST, f"{platform.issuer}/register", status=500)
    response = app.test_client().get(
        url.removeprefix("http://localhost"),
        query_string={"openid_configuration": f"{platform.issuer}/.well-known/openid-configuration"},
    )
    assert response.status_code == 400
    assert "Nothing was saved" in response.get_data(as_text=True)


# --- the administrator's page and CLI ----------------------------------------------------------


def test_admin_page_is_for_administrators_only(app, teacher_client, admin, client):
    assert teacher_client.get("/lms/admin").status_code == 404
    assert client.get("/lms/admin").status_code == 302
    admin_client = app.test_client()
    login_as(admin_client, admin)
    page = admin_client.get("/lms/admin")
    assert page.status_code == 200
    import html

    text = html.unescape(page.get_data(as_text=True))
    for url in ("http://localhost/lms/login", "http://localhost/lms/launch", "http://localhost/lms/jwks"):
        assert url in text
    assert '"oidc_initiation_url": "http://localhost/lms/login"' in text


def test_admin_adds_and_removes_a_platform(app, admin, platform):
    client = app.test_client()
    login_as(client, admin)
    fields = platform.platform_fields()
    data = {k: v for k, v in fields.items() if k != "deployment_ids"}
    data["deployment_ids"] = "1, 2"
    bad = client.post("/lms/admin/platforms", data={**data, "key_set_url": "not a url"})
    assert bad.status_code == 400 and platform.client_id in bad.get_data(as_text=True)  # typed text kept
    assert client.post("/lms/admin/platforms", data=data).status_code == 302
    with app.app_context():
        row = db.session.scalars(db.select(LtiPlatform)).one()
        assert [d.deployment_id for d in row.deployments] == ["1", "2"]
        platform_id = row.id
    twice = client.post("/lms/admin/platforms", data=data)
    assert twice.status_code == 400 and "already registered" in twice.get_data(as_text=True)
    assert (
        client.post(f"/lms/admin/platforms/{platform_id}/deployments", data={"deployment_id": "3"}).status_code == 302
    )
    assert client.post(f"/lms/admin/platforms/{platform_id}/remove").status_code == 302
    with app.app_context():
        assert db.session.scalars(db.select(LtiPlatform)).all() == []


def test_canvas_json_names_our_addresses(client):
    config = client.get("/lms/canvas.json").get_json()
    assert config["oidc_initiation_url"] == "http://localhost/lms/login"
    assert config["public_jwk_url"] == "http://localhost/lms/jwks"
    assert config["extensions"][0]["privacy_level"] == "name_only"


def test_cli_adds_lists_and_removes_platforms(app, runner, platform):
    result = runner.invoke(
        args=[
            "lti",
            "add-platform",
            "--name",
            "Moodle",
            "--issuer",
            platform.issuer,
            "--client-id",
            "abc",
            "--deployment-id",
            "3",
            "--auth-login-url",
            platform.auth_login_url,
            "--auth-token-url",
            platform.token_url,
            "--key-set-url",
            platform.jwks_url,
        ]
    )
    assert result.exit_code == 0, result.output
    listed = runner.invoke(args=["lti", "list"])
    assert "Moodle" in listed.output and "client abc" in listed.output and "deployments: 3" in listed.output
    bad = runner.invoke(
        args=[
            "lti",
            "add-platform",
            "--issuer",
            "x",
            "--client-id",
            "y",
            "--auth-login-url",
            "nope",
            "--auth-token-url",
            "nope",
            "--key-set-url",
            "nope",
        ]
    )
    assert bad.exit_code != 0 and "full http or https address" in bad.output
    with app.app_context():
        platform_id = db.session.scalars(db.select(LtiPlatform.id)).one()
    assert runner.invoke(args=["lti", "remove", str(platform_id), "--yes"]).exit_code == 0
    assert "No platforms yet" in runner.invoke(args=["lti", "list"]).output
    assert runner.invoke(args=["lti", "remove", "999", "--yes"]).exit_code != 0


def test_cli_invite_prints_a_registration_address(runner):
    result = runner.invoke(args=["lti", "invite", "--base-url", "https://classroom.school.example"])
    assert result.exit_code == 0
    assert result.output.strip().startswith("https://classroom.school.example/lms/register/")


def test_create_teacher_admin(app, runner):
    result = runner.invoke(
        args=[
            "create-teacher",
            "--admin",
            "--name",
            "Ida",
            "--email",
            "ida2@school.example",
            "--password",
            "long enough pw",
        ]
    )
    assert result.exit_code == 0 and "Created school administrator Ida" in result.output
    with app.app_context():
        assert db.session.scalars(db.select(Teacher.is_admin).where(Teacher.email == "ida2@school.example")).one()


def test_cli_rotate_key(runner, client):
    before = client.get("/lms/jwks").get_json()["keys"][0]["kid"]
    result = runner.invoke(args=["lti", "rotate-key", "--keep-days", "3"])
    assert result.exit_code == 0
    kids = [k["kid"] for k in client.get("/lms/jwks").get_json()["keys"]]
    assert kids[1] == before and kids[0] != before


# --- LTI client-side storage (lti_storage_target) ----------------------------------------------


def test_platform_storage_carries_the_state_when_the_frame_keeps_no_cookies(app, platform, bound):
    import re

    browser = app.test_client()
    page = browser.post("/lms/login", data=platform.login_params(lti_storage_target="post_message_forwarding"))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-target="post_message_forwarding"' in html and 'data-origin="https://lms.example"' in html
    auth = auth_request(re.search(r'data-auth-url="([^"]+)"', html).group(1).replace("&amp;", "&"))
    verifier = re.search(r'data-verifier="([^"]+)"', html).group(1)
    token = platform.id_token(auth["nonce"])
    framed = app.test_client()  # a frame that kept no cookie from the login
    first = framed.post("/lms/launch", data={"id_token": token, "state": auth["state"]})
    assert first.status_code == 200 and 'id="lti-storage-launch"' in first.get_data(as_text=True)
    wrong = framed.post(
        "/lms/launch", data={"id_token": token, "state": auth["state"], "lti_storage_verifier": "guess"}
    )
    assert wrong.status_code == 400
    ok = framed.post("/lms/launch", data={"id_token": token, "state": auth["state"], "lti_storage_verifier": verifier})
    assert ok.status_code == 302 and ok.headers["Location"].endswith(f"/student/assignments/{bound.id}")
    # The verifier works once.
    again = app.test_client().post(
        "/lms/launch", data={"id_token": token, "state": auth["state"], "lti_storage_verifier": verifier}
    )
    assert again.status_code == 401


def test_expired_launch_data_is_cleared_at_the_next_login(app, client, platform, registered):
    from datetime import timedelta

    from classroom.models import LtiLaunchData, utcnow

    with app.app_context():
        db.session.add(LtiLaunchData(key="lti1p3-old", value="1", expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    client.post("/lms/login", data=platform.login_params())
    with app.app_context():
        assert db.session.get(LtiLaunchData, "lti1p3-old") is None


def test_teacher_pages_may_sit_in_the_launching_lms_frame_only_after_a_launch(app, platform, bound, teacher):
    plain = app.test_client()
    login_as(plain, teacher)
    page = plain.get(f"/classes/assignments/{bound.id}")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    link_teacher(app, db_platform_id(app), teacher)
    framed = app.test_client()
    response, _, _ = launch(framed, platform, sub="teacher-1", roles=(INSTRUCTOR,))
    page = framed.get(response.headers["Location"])
    assert page.status_code == 200
    assert "frame-ancestors 'self' https://lms.example" in page.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in page.headers


def db_platform_id(app) -> int:
    with app.app_context():
        return db.session.scalars(db.select(LtiPlatform.id)).one()


class TestLinkAccountLogInLimits:
    """The account-link page's log-in counts failures per teacher account, in the same count as /auth/login."""

    @pytest.fixture
    def app(self, make_app):
        return make_app(RATELIMIT_ENABLED=True)

    def test_failed_link_log_ins_count_against_the_account_everywhere(self, app, platform, registered, teacher):
        client = app.test_client()
        launch(client, platform, sub="teacher-1", roles=(INSTRUCTOR,))

        def link_log_in(password):
            data = {"action": "login", "login-email": teacher.email, "login-password": password}
            return client.post("/lms/link-account", data=data).status_code

        for n in range(10):
            assert link_log_in(f"guess number {n}") == 400
        assert link_log_in(TEACHER_PASSWORD) == 429
        # The same account waits on the log-in page too, from another browser and address.
        elsewhere = app.test_client()
        login = elsewhere.post(
            "/auth/login",
            data={"email": teacher.email.upper(), "password": TEACHER_PASSWORD},
            environ_base={"REMOTE_ADDR": "10.8.0.1"},
        )
        assert login.status_code == 429
        # The page's other buttons name no account, so they carry on: a new teacher can still sign up.
        signup = client.post("/lms/link-account", data=NEW_TEACHER_SIGNUP)
        assert signup.status_code == 302

    def test_failures_on_the_log_in_page_count_on_the_link_page(self, app, platform, registered, teacher):
        for n in range(10):
            response = app.test_client().post(
                "/auth/login",
                data={"email": teacher.email, "password": f"guess number {n}"},
                environ_base={"REMOTE_ADDR": f"10.7.0.{n}"},
            )
            assert response.status_code == 400
        client = app.test_client()
        launch(client, platform, sub="teacher-1", roles=(INSTRUCTOR,))
        data = {"action": "login", "login-email": teacher.email, "login-password": TEACHER_PASSWORD}
        assert client.post("/lms/link-account", data=data).status_code == 429
