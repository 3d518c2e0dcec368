"""API tokens and the feed address on the account settings page: made, shown once, stored as a hash, revoked."""

import pytest
from django.test import Client
from django.urls import reverse

from forum.models import ApiToken, FeedKey
from forum.models.api import token_hash
from forum.services.api import create_api_token
from tests.api.conftest import ROLES
from tests.factories import MemberFactory

# Anyone logged in may make a token but a pupil's class account; the anonymous are sent to log in.
MAKING = [("anonymous", 302), ("member", 200), ("pupil", 400), ("teacher", 200), ("moderator", 200)]


def logged_in(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(("role", "expected"), MAKING)
def test_who_may_make_a_token_on_the_settings_page(as_role, role, expected):
    client = logged_in(as_role(role).user)
    response = client.post(reverse("forum:api_token_create"), {"name": "My script"})
    assert response.status_code == expected
    assert ApiToken.objects.filter(name="My script").exists() == (expected == 200)
    if expected == 400:
        assert "Class accounts cannot have API tokens" in response.content.decode()


def test_the_secret_is_shown_once_and_only_its_hash_is_stored(db):
    member = MemberFactory()
    response = logged_in(member).post(reverse("forum:api_token_create"), {"name": "My script"})
    secret = response.context["secret"]
    assert secret in response.content.decode()
    assert "no-store" in response.headers["Cache-Control"]
    token = ApiToken.objects.get()
    assert token.key_hash == token_hash(secret) != secret
    assert secret not in str(ApiToken.objects.values_list()[0])
    page = logged_in(member).get(reverse("forum:account_settings")).content.decode()
    assert "My script" in page
    assert secret not in page


def test_a_token_without_a_name_is_refused_on_the_form(db):
    response = logged_in(MemberFactory()).post(reverse("forum:api_token_create"), {"name": "  "})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_revoking_a_token_stops_it_at_once(db):
    member = MemberFactory()
    token, secret = create_api_token(member=member, name="old")
    api = Client(headers={"authorization": f"Bearer {secret}"})
    assert api.get(reverse("api:articles")).status_code == 200
    logged_in(member).post(reverse("forum:api_token_revoke", args=[token.pk]))
    assert api.get(reverse("api:articles")).status_code == 401


@pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
def test_nobody_revokes_someone_elses_token(as_role, role):
    token, _ = create_api_token(member=MemberFactory(), name="theirs")
    response = logged_in(as_role(role).user).post(reverse("forum:api_token_revoke", args=[token.pk]))
    assert response.status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_revoking_and_making_tokens_take_a_post(db):
    client = logged_in(MemberFactory())
    assert client.get(reverse("forum:api_token_create")).status_code == 405
    assert client.get(reverse("forum:feed_key_regenerate")).status_code == 405
    assert not FeedKey.objects.exists()


def test_making_tokens_is_rate_limited(db):
    client = logged_in(MemberFactory())
    statuses = [client.post(reverse("forum:api_token_create"), {"name": f"t{n}"}).status_code for n in range(11)]
    assert statuses == [200] * 10 + [400]


@pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
def test_every_member_has_a_feed_address_to_make_and_replace(as_role, role):
    user = as_role(role).user
    client = logged_in(user)
    assert client.post(reverse("forum:feed_key_regenerate")).status_code == 302
    first = FeedKey.objects.get(member=user).secret
    assert first in client.get(reverse("forum:account_settings")).content.decode()
    client.post(reverse("forum:feed_key_regenerate"))
    assert FeedKey.objects.get(member=user).secret != first


def test_the_anonymous_are_sent_to_log_in_to_make_a_feed_address(client, db):
    response = client.post(reverse("forum:feed_key_regenerate"))
    assert response.status_code == 302
    assert "/login/" in response.url
    assert not FeedKey.objects.exists()
