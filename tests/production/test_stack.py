"""The production stack, for real: `deploy/stack.py up` (what `make prod-up` runs) on this machine.

nginx in front of two gunicorn app servers, on PostgreSQL and Redis, on free
loopback ports, with a database (`forum_prodtest_<pid>`), a Redis database (7)
and a run directory of the test's own, all removed at the end. Skipped with a
message when nginx, PostgreSQL or Redis is missing, unless REQUIRE_PRODUCTION=1
(`.ci/run` sets it): then the stack installs nginx, or the test fails. About 30 s.
"""

import json
import os
import re
import signal
import socket
import time

import pytest

from tests.production.helpers import run_stack

pytestmark = pytest.mark.production

CLIENT = "127.0.0.2"  # another loopback address: nginx sees it, the app servers see nginx's 127.0.0.1
FORGED = "203.0.113.9"


def test_the_site_answers_through_nginx_with_a_request_id(stack):
    answer = stack.fetch("/")
    assert answer.status == 200
    assert "The reduction in US-Russia peace talks" in answer.body
    assert answer.headers["Server"] == "nginx"
    assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["X-Request-ID"])
    assert stack.app_log_line(answer.headers["X-Request-ID"])["path"] == "/"


def test_healthz_is_green_through_nginx(stack):
    answer = stack.fetch("/healthz")
    assert (answer.status, json.loads(answer.body)) == (200, {"status": "ok", "database": "ok", "cache": "ok"})


def test_static_files_come_from_nginx_with_a_long_cache(stack):
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', stack.fetch("/").body).group(1)
    answer = stack.fetch(stylesheet, headers={"Accept-Encoding": "gzip"})
    assert answer.status == 200
    assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert answer.headers["Content-Encoding"] == "gzip"  # the .gz file collectstatic wrote
    assert "Permissions-Policy" not in answer.headers  # Django, which sends it on every answer, never saw this


def test_the_app_sees_the_address_nginx_forwards_and_not_a_forged_one(stack):
    answer = stack.fetch("/", source=CLIENT, headers={"X-Forwarded-For": FORGED, "X-Request-ID": "forged"})
    assert answer.headers["X-Request-ID"] != "forged"  # nginx gives its own
    assert stack.app_log_line(answer.headers["X-Request-ID"])["ip"] == CLIENT


def test_a_failed_login_through_nginx_is_counted_against_the_clients_address(stack):
    answer = stack.log_in("student2", "not-the-password", source=CLIENT, headers={"X-Forwarded-For": FORGED})
    assert answer.status == 200  # the form again, with its error
    assert stack.query("SELECT host(ip_address) FROM axes_accessattempt WHERE username = %s", ["student2"]) == [
        (CLIENT,)
    ]


def demo_password(stack, username: str) -> str:
    for line in (stack.run / "demo-accounts.txt").read_text().splitlines():
        role_name_password = line.split()
        if len(role_name_password) == 3 and role_name_password[1] == username:
            return role_name_password[2]
    raise AssertionError(f"{username} is not in demo-accounts.txt")


def test_requests_go_on_through_nginx_when_an_app_server_is_killed(stack):
    login = stack.log_in("student1", demo_password(stack, "student1"))
    assert login.status == 302
    session = {"sessionid": login.cookies()["sessionid"]}
    killed = stack.app_ports[0]
    os.killpg(stack.pid(killed), signal.SIGKILL)  # the server and its workers, as a crash would
    time.sleep(0.2)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", killed), timeout=1).close()

    statuses = [stack.fetch("/").status for _ in range(20)]
    member_page = stack.fetch("/accounts/settings/", cookies=session)
    another_login = stack.log_in("student3", demo_password(stack, "student3"))
    health = stack.fetch("/healthz")

    assert statuses == [200] * 20
    assert member_page.status == 200  # the session, kept in Redis, works on the other server
    assert another_login.status == 302  # a POST too
    assert health.status == 200


def test_prod_down_stops_nginx_and_both_app_servers(stack):
    result = run_stack(stack.env, "down", timeout=60)
    assert result.returncode == 0, result.stderr
    assert not any(stack.run.glob("*.pid")) and not (stack.run / "nginx" / "nginx.pid").exists()
    for port in [stack.port, *stack.app_ports]:
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
