"""The three known problems of pylti1p3next 2.0.2, each shown on the bare library and fixed by our small workaround."""

from __future__ import annotations

import jinja2
import pytest
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest, FlaskServiceConnector
from pylti1p3.grade import Grade

from classroom.extensions import db
from classroom.lms.platforms import add_platform
from classroom.lms.store import launch_storage
from classroom.lms.tool import ToolRegistration, ToolServiceConnector, restore_launch, tool_conf
from classroom.models import LtiLaunchData, LtiPlatform

from .lti_platform import launch
from .test_lti import bind_course


@pytest.fixture
def launched(app, platform, rsps, school_class, assignment):
    """A learner launch stored in the shared store; returns its launch id."""
    with app.app_context():
        platform_id = add_platform(**platform.platform_fields()).id
    bind_course(app, platform_id, school_class, assignment)
    response, _, _ = launch(app.test_client(), platform)
    assert response.status_code == 302
    with app.app_context():
        (key,) = [k for k in db.session.scalars(db.select(LtiLaunchData.key)) if "lti1p3-launch-" in k]
    return key.removeprefix("lti1p3-")


def _grade() -> Grade:
    return (
        Grade()
        .set_score_given(4)
        .set_score_maximum(6)
        .set_user_id("learner-1")
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
        .set_timestamp("2026-11-26T10:00:00+00:00")
    )


def test_1_restored_launch_can_post_a_grade(app, platform, launched):
    with app.test_request_context("/lms/pick"):
        # The library's own default: the abstract connector, which cannot fetch an access token.
        bare = FlaskMessageLaunch.from_cache(
            launched, FlaskRequest(), tool_conf(), launch_data_storage=launch_storage()
        )
        with pytest.raises(NotImplementedError):
            bare.get_ags().put_grade(_grade())
        # Ours passes the concrete connector, so the score reaches the platform.
        restore_launch(launched).get_ags().put_grade(_grade())
    assert platform.scores[-1]["body"]["scoreGiven"] == 4
    assert platform.scores[-1]["headers"]["Content-Type"] == "application/vnd.ims.lis.v1.score+json"


def test_2_two_client_ids_on_one_platform_get_their_own_tokens(app, platform, rsps):
    with app.app_context():
        first = add_platform(**platform.platform_fields())
        second = add_platform(**{**platform.platform_fields(), "client_id": "tool-client-2"})
        scopes = ["https://purl.imsglobal.org/spec/lti-ags/scope/score"]
        FlaskServiceConnector.access_tokens.clear()
        # The bare library hands the second client id the first one's token (the platform would answer 401).
        bare_first = FlaskServiceConnector(ToolRegistration(first)).get_access_token(scopes)
        bare_second = FlaskServiceConnector(ToolRegistration(second)).get_access_token(scopes)
        assert bare_first == bare_second and len(platform.token_requests) == 1
        FlaskServiceConnector.access_tokens.clear()
        ours_first = ToolServiceConnector(ToolRegistration(first)).get_access_token(scopes)
        ours_second = ToolServiceConnector(ToolRegistration(second)).get_access_token(scopes)
        assert ours_first != ours_second
        assert len(platform.token_requests) == 3
        # and each client id still reuses its own cached token
        assert ToolServiceConnector(ToolRegistration(second)).get_access_token(scopes) == ours_second
        assert len(platform.token_requests) == 3
        FlaskServiceConnector.access_tokens.clear()


def test_3_cookie_check_page_renders_instead_of_a_500(app, platform, rsps):
    with app.app_context():
        add_platform(**platform.platform_fields())
    params = platform.login_params()
    del params["lti1p3_new_window"]
    # The bare Flask adapter looks for a template the package does not ship.
    with app.test_request_context("/lms/login", method="POST", data=params), pytest.raises(jinja2.TemplateNotFound):
        FlaskOIDCLogin(FlaskRequest(), tool_conf()).enable_check_cookies().redirect("http://localhost/lms/launch")
    response = app.test_client().post("/lms/login", data=params)
    assert response.status_code == 200
    assert "lti1p3_test_cookie" in response.get_data(as_text=True)


def test_platform_keys_are_cached_on_the_platform_row(app, platform, launched):
    with app.app_context():
        row = db.session.scalars(db.select(LtiPlatform)).one()
        assert platform.kid in row.key_set_json
