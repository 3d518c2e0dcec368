"""Failed logins: a class behind one school address, where one pupil's typos lock only that pupil."""

from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from forum import ratelimit
from tests.factories import MemberFactory

PASSWORD = "correct horse battery staple"
# Documentation addresses (RFC 5737): the school's one public address, and a pupil's home.
SCHOOL, HOME = "198.51.100.7", "203.0.113.9"


def log_in(username, password=PASSWORD, address=SCHOOL):
    """A login from a fresh browser at `address`; the response."""
    return Client(REMOTE_ADDR=address).post(reverse("login"), {"username": username, "password": password})


def logged_in(response):
    return response.status_code == 302


def locked_out(response):
    return response.status_code == 429 and "Too many failed logins" in response.content.decode()


def fail(username, times, address=SCHOOL):
    for _ in range(times):
        assert not logged_in(log_in(username, "wrong", address))


@pytest.fixture
def pupils(db):
    return [MemberFactory(username=f"pupil{n:02}") for n in range(30)]


@pytest.fixture
def teacher(db):
    return MemberFactory(username="teacher")


def test_one_pupils_typos_lock_that_pupil_only_and_the_class_logs_in(pupils, teacher):
    clumsy, careless = pupils[0], pupils[1:7]
    for pupil in careless:
        fail(pupil.username, 1)
    fail(clumsy.username, 5)
    assert locked_out(log_in(clumsy.username))
    assert all(logged_in(log_in(pupil.username)) for pupil in pupils[1:])
    assert logged_in(log_in(teacher.username))


def test_the_lock_holds_for_the_pair_so_the_pupil_can_log_in_from_home(pupils):
    fail("pupil00", 5)
    assert logged_in(log_in("pupil00", address=HOME))
    assert locked_out(log_in("pupil00"))  # at school, still locked until the cool-off or the teacher


def test_the_locked_pupils_success_at_home_does_not_clear_classmates_failures(pupils):
    fail("pupil00", 5)
    fail("pupil01", 4)
    assert logged_in(log_in("pupil00", address=HOME))
    fail("pupil01", 1)
    assert locked_out(log_in("pupil01"))


def test_a_success_clears_that_usernames_failures_only(pupils):
    fail("pupil00", 4)
    fail("pupil01", 4)
    assert logged_in(log_in("pupil00"))
    assert not AccessAttempt.objects.filter(username="pupil00").exists()
    fail("pupil00", 4)
    assert logged_in(log_in("pupil00"))  # 4 new failures: still under the limit
    fail("pupil01", 1)
    assert locked_out(log_in("pupil01"))  # 4 earlier + 1


def test_many_failures_from_one_address_pause_every_login_from_it(pupils, settings, monkeypatch):
    settings.LOGIN_FAILURES_PER_ADDRESS = 10
    # A minute into a 15-minute window: 14 minutes and 1 second left, which reads "15 minutes".
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 900 * 2_000_000 + 60.0))
    for pupil in pupils[:10]:  # spraying: one guess per username
        fail(pupil.username, 1)
    response = log_in("pupil29")
    assert not logged_in(response)
    html = response.content.decode()
    assert "Too many failed logins from your network: 10 in 15 minutes" in html
    assert "please wait 15 minutes, then try again" in html
    assert logged_in(log_in("pupil29", address=HOME))


def test_the_address_ceiling_counts_failures_on_the_admin_login_and_pauses_it_too(pupils, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    admin_login = reverse("admin:login")
    for pupil in pupils[:3]:
        Client(REMOTE_ADDR=SCHOOL).post(admin_login, {"username": pupil.username, "password": "wrong"})
    assert (
        "Too many failed logins from your network"
        in Client(REMOTE_ADDR=SCHOOL).post(admin_login, {"username": "x", "password": "y"}).content.decode()
    )
    assert not logged_in(log_in("pupil29"))


def test_the_lockout_page_sends_a_pupil_to_their_teacher(pupils):
    fail("pupil00", 5)
    html = log_in("pupil00").content.decode()
    assert "Ask your teacher" in html and "class page" in html
