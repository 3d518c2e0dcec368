"""Bad input to logins, sign-up, settings and profile addresses: a form error or a 404, never a 500."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from forum.models import User
from tests.factories import MemberFactory, ModeratorFactory

TOO_LONG_USERNAME = "x" * 300  # django-axes logs failed usernames in 255 characters: a 500 on PostgreSQL


@pytest.mark.parametrize("login_url", ["login", "admin:login"])
def test_a_username_longer_than_any_account_is_a_form_error_and_not_logged(client, db, login_url):
    response = client.post(reverse(login_url), {"username": TOO_LONG_USERNAME, "password": "whatever it is"})
    assert response.status_code == 200
    assert "at most 150 characters" in response.content.decode()
    assert not AccessAttempt.objects.exists()


def test_a_username_with_control_characters_is_a_form_error(client, db):
    response = client.post(reverse("login"), {"username": "ad\x07min", "password": "whatever it is"})
    assert "Control characters such as U+0007 are not allowed" in response.content.decode()


def test_logging_in_still_works_for_a_moderator_in_the_admin(client, db):
    moderator = ModeratorFactory()
    response = client.post(
        reverse("admin:login"), {"username": moderator.username, "password": "correct horse battery staple"}
    )
    assert response.status_code == 302


@pytest.mark.parametrize("path", ["/members/%00/", "/members/a%00b/", "/members/%1B%5B31m/"])
def test_a_profile_address_with_control_characters_is_a_404(client, db, path):
    assert client.get(path).status_code == 404


def test_a_display_name_with_control_characters_is_refused_in_the_settings(client, db):
    member = MemberFactory(display_name="Plain")
    client.force_login(member)
    response = client.post(reverse("forum:account_settings"), {"display_name": "Bell\x07", "email": member.email})
    assert "Control characters such as U+0007 are not allowed" in response.content.decode()
    member.refresh_from_db()
    assert member.display_name == "Plain"


def test_a_display_name_with_control_characters_is_refused_at_sign_up(client, db):
    response = client.post(
        reverse("forum:signup"),
        {
            "username": "newcomer",
            "email": "new@example.org",
            "display_name": "New\x1bComer",
            "password1": "a long pass phrase 42",
            "password2": "a long pass phrase 42",
        },
    )
    assert "Control characters such as U+001B are not allowed" in response.content.decode()
    assert not User.objects.filter(username="newcomer").exists()


@pytest.mark.parametrize(
    "next_url, landing", [("0", "0"), ("home", "home"), ("/classes/", "/classes/"), ("https://elsewhere.example/", "/")]
)
def test_sign_up_with_any_next_signs_in_and_goes_there_if_safe(client, db, next_url, landing):
    response = client.post(
        reverse("forum:signup"),
        {
            "username": "newcomer",
            "email": "new@example.org",
            "display_name": "New Comer",
            "password1": "a long pass phrase 42",
            "password2": "a long pass phrase 42",
            "next": next_url,
        },
    )
    assert response.status_code == 302 and response["Location"] == landing
    assert User.objects.filter(username="newcomer").exists()
