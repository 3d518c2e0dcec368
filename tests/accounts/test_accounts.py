import re

import pytest
from django.core import mail
from django.urls import reverse

from forum.models import Restriction, User
from forum.ratelimit import LIMITS
from tests.factories import AdminFactory, MemberFactory, ModeratorFactory

PASSWORD = "correct horse battery staple"


def signup_data(**overrides):
    return {
        "username": "newcomer",
        "email": "new@example.org",
        "display_name": "New Comer",
        "password1": "a-long-Unusual-passphrase",
        "password2": "a-long-Unusual-passphrase",
        **overrides,
    }


def test_signup_creates_the_member_and_signs_them_in(db, client):
    response = client.post(reverse("forum:signup"), signup_data(), follow=True)
    member = User.objects.get(username="newcomer")
    assert member.display_name == "New Comer"
    assert response.context["user"] == member
    assert "Welcome, New Comer!" in response.content.decode()


def test_signup_returns_to_the_page_the_member_came_from(db, client):
    response = client.post(reverse("forum:signup"), signup_data(next="/articles/x/"))
    assert response["Location"] == "/articles/x/"


def test_signup_ignores_a_next_address_on_another_site(db, client):
    response = client.post(reverse("forum:signup"), signup_data(next="https://evil.example/"))
    assert response["Location"] == reverse("forum:home")


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"password2": "something-else-entirely"}, "password2", "The two password fields didn"),
        ({"password1": "123456", "password2": "123456"}, "password2", "This password is too short"),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"email": ""}, "email", "This field is required."),
    ],
)
def test_signup_errors_show_on_the_form_and_keep_what_was_typed(db, client, overrides, field, message):
    response = client.post(reverse("forum:signup"), signup_data(**overrides))
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    html = response.content.decode()
    assert 'value="newcomer"' in html and 'value="New Comer"' in html
    assert not User.objects.filter(username="newcomer").exists()


def test_signup_refuses_an_email_already_used_whatever_its_case(db, client):
    MemberFactory(email="taken@example.org")
    response = client.post(reverse("forum:signup"), signup_data(email="TAKEN@example.org"))
    assert response.context["form"].errors["email"] == ["An account with this email already exists."]


def test_signed_in_member_visiting_signup_goes_home(db, client):
    client.force_login(MemberFactory())
    assert client.get(reverse("forum:signup"))["Location"] == reverse("forum:home")


def test_login_with_the_form_then_logout_by_post(db, client):
    member = MemberFactory(username="reader")
    response = client.post(reverse("login"), {"username": "reader", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").context["user"] == member
    assert client.get(reverse("logout")).status_code == 405  # GET never logs out
    client.post(reverse("logout"))
    assert client.get("/").context["user"].is_anonymous


def test_wrong_password_shows_an_error_and_keeps_the_username(db, client):
    MemberFactory(username="reader")
    response = client.post(reverse("login"), {"username": "reader", "password": "wrong"})
    html = response.content.decode()
    assert "Please enter a correct username and password" in html
    assert 'value="reader"' in html


def test_repeated_failed_logins_lock_the_account_with_a_clear_message(db, client):
    MemberFactory(username="target")
    for _ in range(5):
        client.post(reverse("login"), {"username": "target", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "target", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_change_needs_login_and_works(db, client):
    assert client.get(reverse("password_change"))["Location"].startswith(reverse("login"))
    member = MemberFactory()
    client.force_login(member)
    new = "fresh-Passphrase-42"
    response = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response["Location"] == reverse("password_change_done")
    member.refresh_from_db()
    assert member.check_password("fresh-Passphrase-42")


def test_password_reset_mails_a_link_that_sets_a_new_password(db, client):
    member = MemberFactory(email="forgetful@example.org")
    client.post(reverse("password_reset"), {"email": "forgetful@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    response = client.post(form_url, {"new_password1": "brand-New-passphrase", "new_password2": "brand-New-passphrase"})
    assert response["Location"] == reverse("password_reset_complete")
    member.refresh_from_db()
    assert member.check_password("brand-New-passphrase")


def test_password_reset_does_not_reveal_whether_an_email_exists(db, client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


@pytest.mark.parametrize("factory", [MemberFactory, ModeratorFactory, AdminFactory])
def test_settings_page_edits_the_signed_in_member_only(db, client, factory):
    member = factory()
    client.force_login(member)
    response = client.post(reverse("forum:account_settings"), {"display_name": "Renamed", "email": member.email})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.display_name == "Renamed"


def test_settings_page_sends_anonymous_readers_to_login(db, client):
    response = client.get(reverse("forum:account_settings"))
    assert response["Location"].startswith(reverse("login"))


def test_profile_shows_display_name_and_never_the_email(db, client):
    member = MemberFactory(display_name="Visible Name", email="hidden@example.org")
    html = client.get(member.get_absolute_url()).content.decode()
    assert "Visible Name" in html
    assert "hidden@example.org" not in html


def test_profile_of_unknown_member_is_404(db, client):
    assert client.get(reverse("forum:profile", args=["ghost"])).status_code == 404


def test_header_shows_display_name_instead_of_username(db, client):
    client.force_login(MemberFactory(username="plainuser", display_name="Fancy Name"))
    html = client.get(reverse("forum:account_settings")).content.decode()
    assert ">Fancy Name</a>" in html


def test_passwords_are_hashed_with_argon2_in_production():
    from diplomacy import settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_signups_from_one_address_are_limited(db, client, monkeypatch):
    monkeypatch.setitem(LIMITS, "signup", [(2, 3600, "2 new accounts an hour from one address")])
    for n in range(2):
        client.post(reverse("forum:signup"), signup_data(username=f"user{n}", email=f"u{n}@example.org"))
        client.post(reverse("logout"))
    response = client.post(reverse("forum:signup"), signup_data(username="third", email="three@example.org"))
    assert "2 new accounts an hour" in response.content.decode()
    assert not User.objects.filter(username="third").exists()


def test_signups_behind_a_proxy_are_counted_per_client_address(db, client, settings, monkeypatch):
    settings.TRUSTED_PROXIES = 1
    monkeypatch.setitem(LIMITS, "signup", [(1, 3600, "1 new account an hour from one address")])
    for n, address in enumerate(["198.51.100.7", "203.0.113.9"]):
        client.post(
            reverse("forum:signup"),
            signup_data(username=f"user{n}", email=f"u{n}@example.org"),
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=address,
        )
        client.post(reverse("logout"))
    assert User.objects.filter(username__in=["user0", "user1"]).count() == 2


# Public names


@pytest.mark.parametrize("name", ["Admin", "m o d e r a t o r", "TEACHER", "Moderator2", "Аdmin"])
def test_names_posing_as_staff_are_refused(client, db, name):
    response = client.post(
        reverse("forum:signup"),
        {
            "username": "newcomer",
            "email": "new@example.org",
            "display_name": name,
            "password1": "a-Long-enough-secret-42",
            "password2": "a-Long-enough-secret-42",
        },
    )
    assert "could be taken for the site" in response.content.decode()
    assert not User.objects.filter(username="newcomer").exists()


@pytest.mark.parametrize("name", ["Eve\u202eliam", "Zero\u200bwidth"])
def test_names_with_invisible_characters_are_refused(client, db, name):
    member = MemberFactory(display_name="Plain")
    client.force_login(member)
    response = client.post(reverse("forum:account_settings"), {"display_name": name, "email": member.email})
    assert "invisible or direction-changing" in response.content.decode()
    member.refresh_from_db()
    assert member.display_name == "Plain"


def test_a_muted_member_cannot_change_their_public_name(client, db):
    member = MemberFactory(display_name="Quiet")
    Restriction.objects.create(member=member, kind="mute", reason="Cooling off.")
    client.force_login(member)
    response = client.post(
        reverse("forum:account_settings"), {"display_name": "Loud", "email": member.email, "email_on_reply": "on"}
    )
    assert "Cooling off." in response.content.decode()
    member.refresh_from_db()
    assert member.display_name == "Quiet" and not member.email_on_reply


def test_a_muted_member_may_still_change_their_email_settings(client, db):
    member = MemberFactory(display_name="Quiet")
    Restriction.objects.create(member=member, kind="mute", reason="Cooling off.")
    client.force_login(member)
    client.post(
        reverse("forum:account_settings"), {"display_name": "Quiet", "email": member.email, "email_on_reply": "on"}
    )
    member.refresh_from_db()
    assert member.email_on_reply
