"""The client's address: one helper, driven by the number of trusted proxies, used by axes and rate limits."""

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from forum.client_ip import client_ip
from forum.ratelimit import RateLimited, count_action
from tests.factories import MemberFactory

# Documentation addresses (RFC 5737): a school, a pupil's home, the proxy in front of the app.
SCHOOL, HOME, PROXY = "198.51.100.7", "203.0.113.9", "10.0.0.2"


def request_from(remote_addr, forwarded_for=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)


def test_without_trusted_proxies_the_socket_address_counts_whatever_the_client_claims(settings):
    settings.TRUSTED_PROXIES = 0
    assert client_ip(request_from(SCHOOL, forwarded_for=HOME)) == SCHOOL


def test_behind_one_proxy_the_address_it_added_counts(settings):
    settings.TRUSTED_PROXIES = 1
    assert client_ip(request_from(PROXY, forwarded_for=SCHOOL)) == SCHOOL


def test_behind_one_proxy_a_forged_header_does_not_change_the_address(settings):
    settings.TRUSTED_PROXIES = 1
    # The client sent "X-Forwarded-For: HOME"; the proxy appended the address it saw.
    assert client_ip(request_from(PROXY, forwarded_for=f"{HOME}, {SCHOOL}")) == SCHOOL


def test_behind_two_proxies_the_address_the_first_one_added_counts(settings):
    settings.TRUSTED_PROXIES = 2
    assert client_ip(request_from(PROXY, forwarded_for=f"{HOME}, {SCHOOL}, 10.0.0.1")) == SCHOOL


def test_behind_a_proxy_a_request_without_its_header_counts_the_socket_address(settings):
    settings.TRUSTED_PROXIES = 1
    assert client_ip(request_from(PROXY)) == PROXY


@pytest.mark.parametrize("proxies, recorded", [(0, PROXY), (1, SCHOOL)])
def test_axes_records_the_helpers_address(db, client, settings, proxies, recorded):
    settings.TRUSTED_PROXIES = proxies
    MemberFactory(username="pupil")
    client.post(
        reverse("login"), {"username": "pupil", "password": "wrong"}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=SCHOOL
    )
    assert AccessAttempt.objects.get(username="pupil").ip_address == recorded


def test_a_class_signing_up_together_from_one_address_is_not_refused(db):
    for _ in range(60):
        count_action("signup", SCHOOL)
    with pytest.raises(RateLimited, match="60 new accounts an hour"):
        count_action("signup", SCHOOL)
    count_action("signup", HOME)  # another address counts on its own
