"""`/healthz`: the database and the cache, answered cheaply to anyone, and quiet in the log."""

import logging

import pytest
from django.db import OperationalError

from forum import health

pytestmark = pytest.mark.django_db


class BrokenConnection:
    def cursor(self):
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


class BrokenCache:
    def set(self, *args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    def get(self, *args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


class ForgetfulCache:
    def set(self, *args, **kwargs):
        pass

    def get(self, *args, **kwargs):
        return None


def test_healthz_says_ok_when_database_and_cache_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_healthz_is_503_naming_the_database_when_it_is_down(client, monkeypatch):
    monkeypatch.setattr(health, "connection", BrokenConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "cache": "ok"}


def test_healthz_is_503_naming_the_cache_when_it_is_down(client, monkeypatch):
    monkeypatch.setattr(health, "cache", BrokenCache())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "cache": "error"}


def test_healthz_fails_a_cache_that_does_not_keep_what_it_is_given(client, monkeypatch):
    monkeypatch.setattr(health, "cache", ForgetfulCache())
    assert client.get("/healthz").json()["cache"] == "error"


def test_a_failed_check_is_logged_as_a_warning_saying_why(client, monkeypatch, caplog):
    monkeypatch.setattr(health, "cache", BrokenCache())
    with caplog.at_level(logging.WARNING, logger="forum.health"):
        client.get("/healthz")
    assert "the cache failed: ConnectionError: Error 111 connecting to 127.0.0.1:6379" in caplog.text


def test_healthz_costs_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):  # SELECT 1
        client.get("/healthz")


def test_healthz_answers_a_probe_on_the_app_servers_own_address_over_plain_http(client, settings):
    # A probe on the app server itself: a Host the site does not serve, no TLS, while HTTPS is enforced.
    settings.ALLOWED_HOSTS = ["forum.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz", HTTP_HOST="127.0.0.1:8001")
    assert response.status_code == 200


def test_healthz_sets_no_cookie_and_is_never_cached(client):
    response = client.get("/healthz")
    assert not response.cookies
    assert response["Cache-Control"] == "no-store"


def test_healthz_refuses_a_post(client):
    assert client.post("/healthz").status_code == 405


def test_healthz_is_logged_below_info(client, request_log):
    client.get("/healthz")
    (line,) = request_log()
    assert line.level == logging.DEBUG
    assert line.fields["path"] == "/healthz"
