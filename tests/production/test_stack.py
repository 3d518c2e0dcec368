"""The production stack, for real: `deploy/stack.py up` (what `make prod-up` runs) on this machine.

nginx in front of two gunicorn app servers, on PostgreSQL and Redis, on free
loopback ports, with a database (`forum_prodtest_<pid>`), a Redis database (7)
and a run directory of the test's own, all removed at the end. Skipped with a
message when nginx, PostgreSQL or Redis is missing, unless REQUIRE_PRODUCTION=1
(`.ci/run` sets it): then the stack installs nginx, or the test fails. About 30 s.
"""

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings

pytestmark = pytest.mark.production

BASE_DIR = django_settings.BASE_DIR
STACK = BASE_DIR / "deploy" / "stack.py"
POSTGRES = ("127.0.0.1", 5432)
REDIS = ("127.0.0.1", 6379)
REDIS_DB = 7
CLIENT = "127.0.0.2"  # another loopback address: nginx sees it, the app servers see nginx's 127.0.0.1
FORGED = "203.0.113.9"


def answers(address) -> bool:
    try:
        with socket.create_connection(address, timeout=1):
            return True
    except OSError:
        return False


def missing() -> list[str]:
    found = []
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        found.append("nginx (apt-get install nginx)")
    if not answers(POSTGRES):
        found.append("PostgreSQL on 127.0.0.1:5432")
    if not answers(REDIS):
        found.append("Redis on 127.0.0.1:6379")
    return found


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for each in sockets:
        each.bind(("127.0.0.1", 0))
    ports = [each.getsockname()[1] for each in sockets]
    for each in sockets:
        each.close()
    return ports


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: str

    def cookies(self) -> dict[str, str]:
        jar = SimpleCookie()
        for header in self.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return {name: morsel.value for name, morsel in jar.items()}


@dataclass
class Stack:
    port: int
    app_ports: list[int]
    run: Path
    database_url: str
    env: dict[str, str]

    def fetch(self, path, *, method="GET", headers=None, form=None, cookies=None, source="127.0.0.1") -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10, source_address=(source, 0))
        headers = dict(headers or {})
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return Answer(response.status, response.headers, response.read().decode(errors="replace"))
        finally:
            connection.close()

    def app_log_line(self, request_id: str) -> dict:
        """The app's `forum.request` line for this request id, from whichever app server served it."""
        for log in sorted((self.run / "logs").glob("web-*.log")):
            for line in log.read_text(errors="replace").splitlines():
                if line.startswith("{") and f'"request_id": "{request_id}"' in line:
                    return json.loads(line)
        raise AssertionError(f"no app log line has request id {request_id}")

    def pid(self, port: int) -> int:
        return int((self.run / f"web-{port}.pid").read_text())

    def query(self, sql: str, params=()) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.database_url, connect_timeout=5) as connection:
            return connection.execute(sql, params).fetchall()

    def log_in(self, username: str, password: str, *, source="127.0.0.1", headers=None) -> Answer:
        page = self.fetch("/accounts/login/", source=source)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1)
        return self.fetch(
            "/accounts/login/",
            method="POST",
            source=source,
            headers=headers,
            cookies=page.cookies(),
            form={"csrfmiddlewaretoken": token, "username": username, "password": password},
        )


def run_stack(env: dict[str, str], command: str, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(STACK), command],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def flush_redis() -> None:
    import redis

    redis.Redis(*REDIS, db=REDIS_DB).flushdb()


def drop_database(name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    absent = missing()
    if absent and os.environ.get("REQUIRE_PRODUCTION") != "1":
        pytest.skip(f"the production stack needs {', '.join(absent)}; REQUIRE_PRODUCTION=1 makes this a failure")
    # Required: the stack installs nginx and starts PostgreSQL and Redis itself, or `up` fails.
    port, *app_ports = free_ports(3)
    name = f"forum_prodtest_{os.getpid()}"
    run = tmp_path_factory.mktemp("stack")
    database_url = f"postgres://postgres@127.0.0.1:5432/{name}"
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "FORUM_"))},
        "FORUM_PORT": str(port),
        "FORUM_APP_PORTS": " ".join(map(str, app_ports)),
        "FORUM_RUN_DIR": str(run),
        "FORUM_DATABASE_URL": database_url,
        "FORUM_REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "4",
    }
    with contextlib.suppress(Exception):  # down: then nothing of an earlier run is left in them either
        drop_database(name)
        flush_redis()  # the content version of an earlier run would name pages of another database
    started = time.monotonic()
    result = run_stack(env, "up", timeout=90)
    try:
        assert result.returncode == 0, f"stack up failed:\n{result.stdout}\n{result.stderr}"
        print(f"\nstack up in {time.monotonic() - started:.1f} s")
        yield Stack(port=port, app_ports=app_ports, run=run, database_url=database_url, env=env)
    finally:
        run_stack(env, "down", timeout=60)
        drop_database(name)
        flush_redis()


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
