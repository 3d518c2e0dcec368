"""One log line per request, the request id nginx sends kept end to end, errors naming their request."""

import io
import logging
import re

import pytest
from django.test import Client

from forum.requestlog import RequestIdFilter
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

NGINX_ID = "0f3b2c9d8e7a6b5c4d3e2f1a0b9c8d7e"  # what nginx's $request_id looks like


def test_a_request_writes_one_line_with_method_path_status_time_member_and_id(client, request_log):
    member = MemberFactory()
    client.force_login(member)
    response = client.get("/", HTTP_X_REQUEST_ID=NGINX_ID)
    (line,) = request_log()
    assert line.level == logging.INFO
    assert line.fields | {"ms": 0, "time": ""} == {
        "time": "",
        "method": "GET",
        "path": "/",
        "status": response.status_code,
        "ms": 0,
        "user_id": member.pk,
        "request_id": NGINX_ID,
        "ip": "127.0.0.1",
    }
    assert line.fields["ms"] > 0


def test_an_anonymous_request_is_logged_with_no_member(client, request_log):
    client.get("/")
    (line,) = request_log()
    assert line.fields["user_id"] is None


def test_the_request_id_from_nginx_comes_back_in_the_response(client):
    response = client.get("/", HTTP_X_REQUEST_ID=NGINX_ID)
    assert response["X-Request-ID"] == NGINX_ID


def test_a_request_without_an_id_gets_a_new_one_in_the_response_and_the_log(client, request_log):
    first = client.get("/")["X-Request-ID"]
    second = client.get("/")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second
    assert [line.fields["request_id"] for line in request_log()] == [first, second]


@pytest.mark.parametrize("forged", ['abc" injected="1', "x" * 200, "line\nbreak", ""])
def test_a_request_id_that_could_forge_a_log_line_is_replaced(client, forged):
    response = client.get("/", HTTP_X_REQUEST_ID=forged)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_a_password_reset_token_never_reaches_the_log(client, request_log):
    client.get("/accounts/reset/MQ/cb3b4y-0123456789abcdef0123456789abcdef/")
    (line,) = request_log()
    assert line.fields["path"] == "/accounts/reset/MQ/********/"


def test_the_logged_address_is_the_one_the_trusted_proxy_forwards(client, settings, request_log):
    settings.TRUSTED_PROXIES = 1
    client.get("/", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7", REMOTE_ADDR="127.0.0.1")
    (line,) = request_log()
    assert line.fields["ip"] == "203.0.113.7"


@pytest.fixture
def console():
    """What the site's console handler (settings.LOGGING) prints, captured."""
    (handler,) = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(each, RequestIdFilter) for each in handler.filters)
    ]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_an_error_is_logged_with_the_request_id_of_the_request_it_broke(settings, console, request_log):
    settings.ROOT_URLCONF = "tests.production.urls"
    response = Client(raise_request_exception=False).get("/broken/", HTTP_X_REQUEST_ID=NGINX_ID)
    assert response.status_code == 500
    assert f"ERROR django.request request_id={NGINX_ID} Internal Server Error: /broken/" in console.getvalue()
    assert "RuntimeError: something broke" in console.getvalue()
    (line,) = request_log()
    assert (line.fields["status"], line.fields["request_id"]) == (500, NGINX_ID)


def test_a_page_not_found_is_logged_with_the_request_id(client, console):
    client.get("/no-such-page/", HTTP_X_REQUEST_ID=NGINX_ID)
    assert f"WARNING django.request request_id={NGINX_ID} Not Found: /no-such-page/" in console.getvalue()


def test_a_record_written_outside_any_request_has_no_request_id(console):
    logging.getLogger("forum.test").warning("Nothing to do with a request")
    assert "WARNING forum.test request_id=- Nothing to do with a request" in console.getvalue()
