"""Login initiation and launch: a course becomes a class, its people become its teacher and pupils, and every
launch that is not exactly what the registered platform signed for us is refused, with a page and a log line."""

import logging
import time

import pytest
from django.urls import reverse

from forum.models import Classroom, LtiCourse, LtiLaunchNonce, Membership, User
from tests.lti.platform import INSTRUCTOR, LEARNER, MENTOR, new_key


def test_login_initiation_sends_the_browser_to_the_platform_with_state_and_nonce(client, platform):
    auth = platform.start(client, "learner-1")
    assert auth["client_id"] == platform.client_id
    assert auth["redirect_uri"] == "http://testserver/lti/launch/"
    assert auth["login_hint"] == "learner-1"
    assert auth["lti_message_hint"] == "hint-1"
    assert (auth["scope"], auth["response_type"], auth["response_mode"], auth["prompt"]) == (
        "openid",
        "id_token",
        "form_post",
        "none",
    )
    assert auth["state"] and len(auth["nonce"]) >= 32
    assert client.cookies[f"lti1p3-{auth['state']}"].value == auth["state"]


def test_login_initiation_from_an_unregistered_issuer_is_refused(client, platform, caplog):
    with caplog.at_level(logging.WARNING, logger="forum.lti"):
        response = client.post("/lti/login/", platform.login_params("x", iss="https://evil.test"))
    assert response.status_code == 403
    assert "Could not find registration details" in caplog.text


def test_the_first_instructor_launch_makes_the_course_a_class_named_after_it(client, platform):
    response = platform.launch(client, sub="teacher-1", roles=[INSTRUCTOR], given_name="Ada", family_name="Lovelace")
    classroom = Classroom.objects.get()
    assert response.status_code == 302 and response["Location"] == classroom.get_absolute_url()
    assert classroom.name == "History 10B"
    assert LtiCourse.objects.get().classroom == classroom
    teacher = classroom.teacher
    assert (teacher.email, teacher.has_usable_password(), teacher.is_class_account) == ("", False, False)
    assert client.get(classroom.get_absolute_url()).status_code == 200  # logged in, as its teacher


def test_the_instructor_launching_again_lands_in_the_same_class(client, platform, course):
    response = platform.launch(client, sub="teacher-1", roles=[INSTRUCTOR])
    assert response["Location"] == course.classroom.get_absolute_url()
    assert Classroom.objects.count() == 1


def test_a_learner_lands_in_the_class_as_a_class_account_with_no_password_nor_email(client, platform, course):
    response = platform.launch(client, sub="learner-1", roles=[LEARNER], given_name="Zoë", family_name="Martin")
    assert response["Location"] == course.classroom.get_absolute_url()
    pupil = User.objects.get(lti_users__sub="learner-1")
    assert pupil.is_class_account and pupil.created_by == course.classroom.teacher
    assert (pupil.email, pupil.has_usable_password(), pupil.public_name) == ("", False, "Zoë M.")
    assert Membership.objects.active().filter(classroom=course.classroom, member=pupil).exists()
    page = client.get(course.classroom.get_absolute_url())
    assert page.status_code == 200 and page.wsgi_request.user == pupil


def test_a_learner_launching_twice_keeps_one_account(client, platform, course):
    platform.launch(client, sub="learner-1", roles=[LEARNER])
    platform.launch(client, sub="learner-1", roles=[LEARNER])
    assert User.objects.filter(lti_users__sub="learner-1").count() == 1


def test_a_learner_before_any_instructor_is_told_to_wait_for_the_teacher(client, platform):
    response = platform.launch(client, sub="learner-1", roles=[LEARNER])
    assert response.status_code == 403
    assert "Your teacher has not opened the forum" in response.content.decode()
    assert not Classroom.objects.exists() and not User.objects.exists()


def test_a_second_instructor_is_refused_with_a_clear_page(client, platform, course):
    response = platform.launch(client, sub="teacher-2", roles=[INSTRUCTOR])
    assert response.status_code == 403
    assert "run by the instructor who first opened it" in response.content.decode()


def test_a_role_that_is_neither_instructor_nor_learner_is_refused(client, platform, course):
    assert platform.launch(client, sub="parent-1", roles=[MENTOR]).status_code == 403


def test_a_launch_page_into_a_class_may_be_framed_by_the_platform_only(client, platform, course):
    platform.launch(client, sub="learner-1", roles=[LEARNER])
    page = client.get(course.classroom.get_absolute_url())
    assert "X-Frame-Options" not in page
    ancestors = policy(page)["frame-ancestors"]
    assert ancestors == ["'self'", "https://moodle.school.test"]


def test_pages_of_a_session_that_did_not_begin_with_a_launch_still_refuse_frames(client, platform, course):
    client.force_login(course.classroom.teacher)
    page = client.get(course.classroom.get_absolute_url())
    assert page["X-Frame-Options"] == "DENY" and policy(page)["frame-ancestors"] == ["'none'"]


def policy(response) -> dict[str, list[str]]:
    directives = [part.split() for part in response["Content-Security-Policy"].split(";") if part.strip()]
    return {name: sources for name, *sources in directives}


# Refused launches: each with the page and the reason in the log


def resign(platform, **changes):
    """A token re-signed by the platform with `changes` to its claims (None removes a claim)."""

    def tamper(claims, token):
        body = {**claims, **changes}
        return platform.sign({k: v for k, v in body.items() if v is not None})

    return tamper


def flip_payload(claims, token):
    """The payload changed after signing: the signature no longer matches."""
    header, payload, signature = token.split(".")
    import base64
    import json

    body = json.loads(base64.urlsafe_b64decode(payload + "=="))
    body["https://purl.imsglobal.org/spec/lti/claim/roles"] = [INSTRUCTOR]
    forged = base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")
    return f"{header}.{forged}.{signature}"


REFUSALS = {
    "tampered": ({"tamper": flip_payload}, "Signature verification failed"),
    "expired": ({"tamper": None, "exp": int(time.time()) - 60}, "Signature has expired"),
    "no expiry": ({"tamper": None, "exp": None}, 'Token is missing the "exp" claim'),
    "wrong audience": ({"tamper": None, "aud": "another-tool"}, "Registration not found"),
    "several audiences, no azp": ({"tamper": None, "aud": ["forum-tool-1", "another-tool"]}, "several audiences"),
    "unknown deployment": ({"tamper": None, "deployment": "99"}, "deployment not active"),
    "another key": ({"key": "other"}, "Unable to find public key"),
    "another key, same kid": ({"key": "same-kid"}, "Signature verification failed"),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_a_bad_launch_is_refused_with_a_page_and_a_logged_reason(client, platform, course, caplog, case):
    options, reason = REFUSALS[case]
    kwargs = {}
    if "key" in options:
        kwargs["key"] = new_key("platform-key-2" if options["key"] == "other" else "platform-key-1")
    elif options["tamper"] is flip_payload:
        kwargs["tamper"] = flip_payload
    else:
        changes = {k: v for k, v in options.items() if k != "tamper"}
        if "deployment" in changes:
            changes = {"https://purl.imsglobal.org/spec/lti/claim/deployment_id": changes.pop("deployment")}
        kwargs["tamper"] = resign(platform, **changes)
    with caplog.at_level(logging.WARNING, logger="forum.lti"):
        response = platform.launch(client, sub="learner-1", roles=[LEARNER], **kwargs)
    assert response.status_code == 403
    assert "could not open here" in response.content.decode()
    assert reason in caplog.text
    assert not User.objects.filter(lti_users__sub="learner-1").exists()
    assert "_auth_user_id" not in client.session


def test_a_replayed_launch_is_refused(client, platform, course, caplog):
    first = platform.launch(client, sub="learner-1", roles=[LEARNER])
    assert first.status_code == 302
    client.logout()
    with caplog.at_level(logging.WARNING, logger="forum.lti"):
        again = client.post("/lti/launch/", {"id_token": first.token, "state": first.state})
    assert again.status_code == 403
    assert "replayed launch" in caplog.text
    assert LtiLaunchNonce.objects.count() == 2  # the instructor's and the learner's, once each


def test_a_launch_without_the_state_cookie_of_its_login_is_refused(client, platform, course, caplog):
    auth = platform.start(client, "learner-1")
    client.cookies.clear()
    token = platform.sign(platform.claims(nonce=auth["nonce"], sub="learner-1", roles=[LEARNER]))
    with caplog.at_level(logging.WARNING, logger="forum.lti"):
        response = client.post("/lti/launch/", {"id_token": token, "state": auth["state"]})
    assert response.status_code == 403 and "State not found" in caplog.text


def test_a_launch_with_a_nonce_the_tool_never_gave_is_refused(client, platform, course, caplog):
    auth = platform.start(client, "learner-1")
    token = platform.sign(platform.claims(nonce="made-up", sub="learner-1", roles=[LEARNER]))
    with caplog.at_level(logging.WARNING, logger="forum.lti"):
        response = client.post("/lti/launch/", {"id_token": token, "state": auth["state"]})
    assert response.status_code == 403 and "Invalid Nonce" in caplog.text


def test_a_refusal_page_may_be_framed_by_registered_platforms(client, platform):
    response = platform.launch(client, sub="learner-1", roles=[LEARNER])
    assert response.status_code == 403
    assert policy(response)["frame-ancestors"] == ["'self'", "https://moodle.school.test"]


def test_a_launch_is_a_post(client, platform):
    assert client.get("/lti/launch/").status_code == 405


# The tool's own documents


def test_the_key_set_shows_the_tools_public_key_only(client, platform):
    keys = client.get(reverse("lti:jwks")).json()["keys"]
    assert len(keys) == 1 and keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256"
    assert "d" not in keys[0]  # no private part


def test_the_configuration_names_the_tools_urls(client, db):
    config = client.get(reverse("lti:configuration")).json()
    assert config["oidc_initiation_url"] == "http://testserver/lti/login/"
    assert config["target_link_uri"] == "http://testserver/lti/launch/"
    assert config["public_jwk_url"] == "http://testserver/lti/jwks.json"


def test_the_platforms_email_and_photo_of_a_pupil_are_not_kept(client, platform, course):
    from lti_tool.models import LtiUser

    platform.launch(client, sub="learner-1", roles=[LEARNER], email="zoe@school.test", picture="https://x.test/z.png")
    assert LtiUser.objects.filter(sub="learner-1").values_list("email", "picture_url").get() == ("", "")
    assert User.objects.get(lti_users__sub="learner-1").email == ""


def test_a_flood_of_logins_from_one_address_is_refused(client, platform, settings, monkeypatch):
    from forum import ratelimit

    monkeypatch.setitem(ratelimit.LIMITS, "lti_login", [(2, 600, "2 launches in 10 minutes from one address")])
    assert platform.start(client, "a")
    assert platform.start(client, "b")
    response = client.post("/lti/login/", platform.login_params("c"))
    assert response.status_code == 403 and "2 launches in 10 minutes" in response.content.decode()


def test_spent_nonces_are_kept_a_day(client, platform, course):
    from datetime import timedelta

    from django.utils import timezone

    LtiLaunchNonce.objects.update(used_at=timezone.now() - timedelta(days=1, minutes=1))
    platform.launch(client, sub="learner-1", roles=[LEARNER])
    assert LtiLaunchNonce.objects.count() == 1  # the day-old one gone, this launch's kept


def test_a_launch_for_several_audiences_naming_the_forum_in_azp_is_accepted(client, platform, course):
    response = platform.launch(
        client, sub="learner-1", roles=[LEARNER], aud=[platform.client_id, "another-tool"], azp=platform.client_id
    )
    assert response.status_code == 302


def test_a_nul_in_the_login_parameters_is_refused_not_an_error(client, platform):
    response = client.post("/lti/login/", platform.login_params("x", iss="https://moodle.school.test\x00"))
    assert response.status_code == 403


def test_a_nul_in_an_unsigned_tokens_issuer_is_refused_not_an_error(client, platform, course):
    auth = platform.start(client, "learner-1")  # a real login: the state and nonce pass, the issuer is looked up
    claims = platform.claims(
        nonce=auth["nonce"], sub="learner-1", roles=[LEARNER], iss="https://moodle.school.test\x00"
    )
    assert client.post("/lti/launch/", {"id_token": platform.sign(claims), "state": auth["state"]}).status_code == 403


def test_a_nul_in_a_signed_tokens_claims_is_refused_not_an_error(client, platform, course):
    response = platform.launch(client, sub="learner-1", roles=[LEARNER], given_name="Zo\x00ë")
    assert response.status_code == 403
    assert not User.objects.filter(lti_users__sub="learner-1").exists()
