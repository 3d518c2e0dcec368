"""What the production tests share: the stack started by deploy/stack.py on ports and a database of the
test's own, plain HTTP to it, and services of a test's own to break (a redis-server, a PostgreSQL cluster).

Everything here talks to 127.0.0.1 only, and everything it starts it stops (see the fixtures in conftest.py).
"""

import contextlib
import glob
import http.client
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings as django_settings

BASE_DIR = django_settings.BASE_DIR
STACK = BASE_DIR / "deploy" / "stack.py"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def answers(address) -> bool:
    try:
        with socket.create_connection(address, timeout=1):
            return True
    except OSError:
        return False


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for each in sockets:
        each.bind(("127.0.0.1", 0))
    ports = [each.getsockname()[1] for each in sockets]
    for each in sockets:
        each.close()
    return ports


def nginx_missing() -> bool:
    return not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists())


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

    def csrf_token(self) -> str:
        return CSRF_FIELD.search(self.body).group(1)


@dataclass
class Stack:
    port: int
    app_ports: list[int]
    run: Path
    database_url: str
    env: dict[str, str]

    def fetch(
        self, path, *, method="GET", headers=None, form=None, cookies=None, source="127.0.0.1", port=None, timeout=10
    ) -> Answer:
        """One request, on a connection of its own, to nginx (or, with `port`, straight to an app server)."""
        connection = http.client.HTTPConnection(
            "127.0.0.1", port or self.port, timeout=timeout, source_address=(source, 0)
        )
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

    def app_logs(self) -> str:
        return "\n".join(log.read_text(errors="replace") for log in sorted((self.run / "logs").glob("web-*.log")))

    def pid(self, port: int) -> int:
        return int((self.run / f"web-{port}.pid").read_text())

    def query(self, sql: str, params=()) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.database_url, connect_timeout=5) as connection:
            return connection.execute(sql, params).fetchall()

    def log_in(self, username: str, password: str, *, source="127.0.0.1", headers=None, port=None) -> Answer:
        page = self.fetch("/accounts/login/", source=source, port=port)
        return self.fetch(
            "/accounts/login/",
            method="POST",
            source=source,
            headers=headers,
            port=port,
            cookies=page.cookies(),
            form={"csrfmiddlewaretoken": page.csrf_token(), "username": username, "password": password},
        )

    def manage_shell(self, code: str, timeout: float = 120) -> str:
        """Run `code` in `manage.py shell` with the app servers' settings (run/forum.env); its output."""
        settings = {}
        for line in (self.run / "forum.env").read_text().splitlines():
            key, _, value = line.partition("=")
            settings[key] = value
        env = {key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG", "TMPDIR")}
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=BASE_DIR,
            env={**env, **settings},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert result.returncode == 0, f"manage.py shell failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout


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


@contextlib.contextmanager
def running_stack(*, run: Path, database_url: str, redis_url: str):
    """`stack.py up` on free loopback ports with this database and Redis; `down` afterwards, whatever happens."""
    port, *app_ports = free_ports(3)
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "FORUM_"))},
        "FORUM_PORT": str(port),
        "FORUM_APP_PORTS": " ".join(map(str, app_ports)),
        "FORUM_RUN_DIR": str(run),
        "FORUM_DATABASE_URL": database_url,
        "FORUM_REDIS_URL": redis_url,
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "4",
    }
    started = time.monotonic()
    result = run_stack(env, "up", timeout=90)
    try:
        assert result.returncode == 0, f"stack up failed:\n{result.stdout}\n{result.stderr}"
        print(f"\nstack up in {time.monotonic() - started:.1f} s")
        yield Stack(port=port, app_ports=app_ports, run=run, database_url=database_url, env=env)
    finally:
        run_stack(env, "down", timeout=60)


# ---------------------------------------------------------------- services of a test's own, to break


class RedisServer:
    """`redis-server` on a free loopback port, in the foreground as our child: stop it, start it again.

    Nothing is saved: started again, it is empty, as a Redis restarted without persistence is.
    """

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_ports(1)[0]
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        argv = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--dir",
            str(self.directory),
        ]
        with (self.directory / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while not answers(("127.0.0.1", self.port)):
            assert self.process.poll() is None, (self.directory / "redis.log").read_text()
            assert time.monotonic() < deadline, "redis-server did not start listening within 10 s"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()  # as a crash, or a Redis pulled away, would
            self.process.wait(timeout=10)
        self.process = None


def postgresql_binaries() -> Path | None:
    """The newest installed PostgreSQL's bin directory (Debian: /usr/lib/postgresql/<version>/bin)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda path: int(Path(path).parts[4]))
    return Path(found[-1]).parent if found else None


def cluster_missing() -> str | None:
    """Why a throwaway PostgreSQL cluster cannot be made here, or None."""
    if postgresql_binaries() is None:
        return "PostgreSQL's server binaries (/usr/lib/postgresql/*/bin/initdb)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "an OS user `postgres` to run a PostgreSQL cluster as (root may not)"
        if shutil.which("runuser") is None:
            return "runuser (to run PostgreSQL as the `postgres` user)"
    return None


class PostgresCluster:
    """A throwaway PostgreSQL cluster in a temporary directory, on a free loopback port.

    Never the machine's own cluster: the outer test run uses that. Run as the `postgres` OS user when we
    are root (PostgreSQL refuses root), from a directory that user owns. fsync is off: it is thrown away.
    """

    def __init__(self):
        self.bin = postgresql_binaries()
        self.port = free_ports(1)[0]
        self.directory = Path(tempfile.mkdtemp(prefix="forum-pg-"))
        self.as_user = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            owner = pwd.getpwnam("postgres")
            os.chown(self.directory, owner.pw_uid, owner.pw_gid)
        self.data = self.directory / "data"
        self.log = self.directory / "postgresql.log"

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def run(self, *argv: str, timeout: float = 60) -> None:
        result = subprocess.run([*self.as_user, *argv], capture_output=True, text=True, timeout=timeout, check=False)
        assert result.returncode == 0, f"{' '.join(argv)} failed:\n{result.stdout}\n{result.stderr}"

    def pg_ctl(self, *args: str, timeout: float = 60) -> None:
        self.run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-t",
            "30",
            *args,
            timeout=timeout,
        )

    def create(self) -> None:
        self.run(
            str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c shared_buffers=32MB"
        )
        self.pg_ctl("-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("-m", mode, "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def destroy(self) -> None:
        if self.running():
            with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
                self.stop("immediate")
        pid_file = self.data / "postmaster.pid"
        if pid_file.exists():  # pg_ctl could not stop it: the postmaster, and so every backend, goes
            with contextlib.suppress(ValueError, ProcessLookupError):
                os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)
        shutil.rmtree(self.directory, ignore_errors=True)
