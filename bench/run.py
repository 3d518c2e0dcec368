"""`make bench`: the site's pages under load, beside a bare Django view and the peer forum Spirit.

Run on demand, never in CI nor as a test. One command, about five minutes:

1. a bare Django view rendering a 10 KB template, no database (bench/bare/);
2. Spirit (django-spirit from PyPI, in its own virtual environment under .bench/),
   with one topic of 1,000 comments, its topic page read anonymously;
3. the site on SQLite (a throwaway file), then on PostgreSQL + Redis when
   BENCH_DATABASE_URL / BENCH_REDIS_URL are given or both answer on localhost:
   a seeded dataset (bench/seed.py), gunicorn with 2 workers and production
   settings, wrk on seven pages, then 16 concurrent writers posting comments
   and ballots through the real forms.

Every server listens on 127.0.0.1 only and is killed at the end, also on Ctrl-C.
The table goes to the terminal and, as JSON, to bench/results/latest.json.

    .venv/bin/python bench/run.py [--duration 10] [--backends sqlite,postgres] [--no-spirit] [--no-writers]

`--search` runs the search scenario alone (bench/search.py): 100,000 comments, the
median latency of the search page on SQLite, and on PostgreSQL when DATABASE_URL
(or BENCH_DATABASE_URL) names one (a database the bench may drop: its name must
contain "bench"). No server, no Redis: the page is asked in process, one at a time.
"""

import argparse
import contextlib
import datetime
import gzip
import http.client
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
CACHE = ROOT / ".bench"
RESULTS = BENCH / "results"
LUA = BENCH / "wrk" / "report.lua"
SECRET_KEY = "bench-only-secret-key-not-secret-0123456789abcdefghijklmnopqrstuvwxyz"
SPIRIT = "django-spirit==0.14.3"
GUNICORN = "gunicorn==27.0.1"  # the version requirements.txt pins, for Spirit too
SPIRIT_VENV = CACHE / "spirit-venv"
SPIRIT_PROJECT = CACHE / "spirit-project"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/forum_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
RATE_LIMITED = b"You have reached the limit of"
WRK_TIMEOUT = "30s"  # a slow page is measured, not counted as a timeout after wrk's 2 s


def say(message: str) -> None:
    print(message, flush=True)


# Servers: each in its own process group, so the workers go with their master.


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    port: int
    log: Path


SERVERS: list[Server] = []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn(python: Path | str, app: str, *, name: str, env: dict, cwd: Path, workdir: Path) -> Server:
    """Start `app` under gunicorn (2 sync workers) on a free loopback port; return once it answers."""
    port = free_port()
    log = workdir / f"{name}.log"
    command = [
        str(python),
        "-m",
        "gunicorn",
        app,
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "120",
        "--graceful-timeout",
        "5",
        "--no-control-socket",
        "--error-logfile",
        str(log),
    ]
    with open(log, "ab") as out:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(name, process, port, log)
    SERVERS.append(server)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited at start; its log ends:\n{tail(log)}")
        try:
            request(port, "GET", "/", timeout=30)
            return server
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{name} did not answer within 60 s; its log ends:\n{tail(log)}")


def stop(server: Server) -> None:
    if server in SERVERS:
        SERVERS.remove(server)
    if server.process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.process.pid, signal.SIGTERM)
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=5)


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# HTTP, by hand: cookies and redirects are what the benchmark checks, so nothing is automatic.


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def cookies(self) -> dict[str, str]:
        found = {}
        for header in self.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            found[name.strip()] = rest.split(";", 1)[0]
        return found


def request(
    port: int,
    method: str,
    path: str,
    *,
    headers: dict | None = None,
    form: dict | None = None,
    timeout: float = 60,
    connection: http.client.HTTPConnection | None = None,
) -> Answer:
    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = dict(headers or {})
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        if connection is None:
            conn.close()


def csrf_token(page: bytes) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not match:
        raise RuntimeError("no csrf token in the page")
    return match.group(1).decode()


def log_in(port: int, username: str, password: str) -> str:
    """Log in through the login form, as a browser would; return the Cookie header of the session."""
    page = request(port, "GET", "/accounts/login/")
    cookies = page.cookies()
    answer = request(
        port,
        "POST",
        "/accounts/login/",
        headers={"Cookie": f"csrftoken={cookies['csrftoken']}"},
        form={"username": username, "password": password, "csrfmiddlewaretoken": csrf_token(page.body)},
    )
    session = answer.cookies().get("sessionid")
    if answer.status != 302 or not session:
        raise RuntimeError(f"logging in as {username} answered {answer.status}")
    return f"sessionid={session}"


# Load: wrk, with bench/wrk/report.lua for the figures wrk does not print.


@dataclass
class Load:
    threads: int = 2
    connections: int = 16
    duration: int = 10


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    say("wrk is missing: installing it with apt-get (Debian's package).")
    if subprocess.run(["apt-get", "install", "-y", "wrk"], check=False).returncode != 0:
        subprocess.run(["apt-get", "update"], check=False)
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=False)
    if not shutil.which("wrk"):
        sys.exit("wrk could not be installed; install it (apt-get install -y wrk) and run again.")


def wrk(port: int, path: str, load: Load, cookie: str | None) -> dict:
    command = [
        "wrk",
        f"-t{load.threads}",
        f"-c{load.connections}",
        f"-d{load.duration}s",
        "--latency",
        "--timeout",
        WRK_TIMEOUT,
        "-s",
        str(LUA),
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command.append(f"http://127.0.0.1:{port}{path}")
    done = subprocess.run(command, capture_output=True, text=True, timeout=load.duration + 90, check=False)
    line = next((line for line in done.stdout.splitlines() if line.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{done.stdout}\n{done.stderr}")
    return json.loads(line.removeprefix("BENCH_JSON "))


def drain(port: int) -> None:
    """Wait until both workers are free: wrk leaves the requests that timed out queued in the server,
    and they would slow the next page down. A cheap 404 answers only once the queue is through."""

    def ask() -> None:
        with contextlib.suppress(OSError, http.client.HTTPException):
            request(port, "GET", "/bench-drain/", timeout=600)

    threads = [threading.Thread(target=ask, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)


def measure(label: str, port: int, path: str, load: Load, *, cookie: str | None = None, group: str) -> dict:
    """One row of the table: the page's size (plain and gzip-accepted), then wrk on it."""
    row = {"page": label, "group": group, "path": path, "logged_in": bool(cookie)}
    headers = {"Cookie": cookie} if cookie else {}
    started = time.monotonic()
    plain = request(port, "GET", path, headers=headers, timeout=300)
    first_ms = (time.monotonic() - started) * 1000
    if plain.status == 404:
        say(f"  {label}: {path} answers 404: n/a")
        return {**row, "status": 404, "na": "404"}
    if plain.status != 200:
        say(f"  {label}: {path} answers {plain.status}; measured all the same")
    wire = request(port, "GET", path, headers={**headers, "Accept-Encoding": "gzip"}, timeout=300)
    if first_ms < 1000:  # warm the other worker's templates and caches too (a slow page warms itself)
        for _ in range(2):
            request(port, "GET", path, headers=headers)
    figures = wrk(port, path, load, cookie)
    drain(port)
    seconds = figures["duration_us"] / 1e6
    completed = figures["requests"]
    row.update(
        status=plain.status,
        bytes=len(plain.body),
        bytes_gzip=len(wire.body),
        gzip=wire.headers.get("Content-Encoding") == "gzip",
        # What gzip would make of it, for a page the server sends uncompressed.
        bytes_if_gzipped=len(gzip.compress(plain.body, compresslevel=6)),
        first_request_ms=round(first_ms),
        req_s=completed / seconds if seconds else 0.0,
        # No request finished within wrk's run (and its timeout): no latency to give.
        p50_ms=figures["p50_us"] / 1000 if completed else None,
        p99_ms=figures["p99_us"] / 1000 if completed else None,
        non2xx=figures["non2xx"],
        socket_errors=figures["connect_errors"] + figures["read_errors"] + figures["write_errors"],
        timeouts=figures["timeouts"],
        requests=completed,
        wrk_seconds=round(seconds, 2),
    )
    say(
        f"  {label}: {row['req_s']:.1f} req/s, p50 {ms(row['p50_ms'])} ms, p99 {ms(row['p99_ms'])} ms, "
        f"{row['non2xx']} non-2xx, {row['timeouts']} timeouts ({completed} requests; one alone took {first_ms:.0f} ms)"
    )
    return row


def ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


# The bare Django view.


def bench_bare(load: Load, workdir: Path) -> list[dict]:
    say("Bare Django view (bench/bare/, a 10 KB template, no database)")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bare.settings",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    server = gunicorn(sys.executable, "bare.wsgi:application", name="bare", env=env, cwd=BENCH, workdir=workdir)
    try:
        return [measure("bare Django view, 10 KB template", server.port, "/", load, group="bare")]
    finally:
        stop(server)


# Spirit, the peer forum.


def spirit_ready() -> str | None:
    """Install Spirit in its own virtual environment (once) and make its project; None, or why not."""
    marker = SPIRIT_VENV / ".bench-installed"
    wanted = f"{SPIRIT} {GUNICORN}"
    if not (marker.exists() and marker.read_text() == wanted):
        say(f"  installing {SPIRIT} in {SPIRIT_VENV.relative_to(ROOT)} (once; pip picks its Django)")
        shutil.rmtree(SPIRIT_VENV, ignore_errors=True)
        steps = [
            [sys.executable, "-m", "venv", str(SPIRIT_VENV)],
            [
                str(SPIRIT_VENV / "bin/python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                SPIRIT,
                GUNICORN,
            ],
        ]
        for step in steps:
            try:
                done = subprocess.run(step, capture_output=True, text=True, timeout=600, check=False)
            except subprocess.TimeoutExpired:
                return f"`{' '.join(step[-3:])}` took over 10 minutes"
            if done.returncode != 0:
                return f"`{' '.join(step[-3:])}` failed: {(done.stderr or done.stdout).strip()[-800:]}"
        marker.write_text(wanted)
    if not (SPIRIT_PROJECT / "manage.py").exists():
        shutil.rmtree(SPIRIT_PROJECT, ignore_errors=True)
        SPIRIT_PROJECT.mkdir(parents=True)
        # As Spirit's docs say: `spirit startproject` (it calls django-admin, from its venv).
        env = {**os.environ, "PATH": f"{SPIRIT_VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
        done = subprocess.run(
            [str(SPIRIT_VENV / "bin/spirit"), "startproject", "spiritsite", "--path", str(SPIRIT_PROJECT)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            shutil.rmtree(SPIRIT_PROJECT, ignore_errors=True)
            return f"`spirit startproject` failed: {(done.stderr or done.stdout).strip()[-800:]}"
    return None


def bench_spirit(load: Load, workdir: Path) -> list[dict]:
    say(f"Spirit ({SPIRIT}), one topic of 1,000 comments, read anonymously")
    label = "Spirit topic, anonymous, 1,000 comments"
    if (why := spirit_ready()) is not None:
        say(f"  Spirit is not measured: {why}")
        return [{"page": label, "group": "spirit", "na": why}]
    home = workdir / "spirit"
    home.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "spirit_bench_settings",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "PYTHONPATH": f"{SPIRIT_PROJECT}{os.pathsep}{BENCH / 'spirit'}",
        "SPIRIT_BENCH_DB": str(home / "spirit.sqlite3"),
        "SPIRIT_BENCH_STATIC": str(home / "static"),
        "SPIRIT_BENCH_TMP": str(home),
    }
    python = SPIRIT_VENV / "bin/python"
    for step in (
        [str(python), str(SPIRIT_PROJECT / "manage.py"), "spiritinstall"],
        [str(python), str(BENCH / "spirit/seed.py")],
    ):
        done = subprocess.run(
            step, env=env, cwd=SPIRIT_PROJECT, capture_output=True, text=True, timeout=300, check=False
        )
        if done.returncode != 0:
            why = f"`{Path(step[1]).name}` failed: {(done.stderr or done.stdout).strip()[-800:]}"
            say(f"  Spirit is not measured: {why}")
            return [{"page": label, "group": "spirit", "na": why}]
    topic_url = done.stdout.strip().splitlines()[-1]
    server = gunicorn(
        python, "spiritsite.wsgi:application", name="spirit", env=env, cwd=SPIRIT_PROJECT, workdir=workdir
    )
    try:
        return [measure(label, server.port, topic_url, load, group="spirit")]
    finally:
        stop(server)


# The site.


@dataclass
class Backend:
    name: str
    database_url: str
    redis_url: str = ""
    cleanup: list = field(default_factory=list)


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def postgres_backend() -> tuple[Backend | None, str]:
    database_url = os.environ.get("BENCH_DATABASE_URL", "")
    redis_url = os.environ.get("BENCH_REDIS_URL", "")
    if not (database_url or redis_url or (answers("127.0.0.1", 5432) and answers("127.0.0.1", 6379))):
        return None, "PostgreSQL and Redis do not both answer on 127.0.0.1 (set BENCH_DATABASE_URL/BENCH_REDIS_URL)"
    database_url = database_url or DEFAULT_DATABASE_URL
    redis_url = redis_url or DEFAULT_REDIS_URL
    name = urllib.parse.urlsplit(database_url).path.lstrip("/")
    if "bench" not in name:
        sys.exit(
            f"BENCH_DATABASE_URL names the database {name!r}: the bench drops and creates it, so its name "
            "must contain 'bench' (e.g. forum_bench)."
        )
    db = urllib.parse.urlsplit(redis_url).path.lstrip("/")
    if not db.isdigit() or db == "0":
        sys.exit(
            f"BENCH_REDIS_URL must name a Redis database other than 0 (e.g. /14): the bench flushes it; "
            f"got {redis_url!r}."
        )
    return Backend("postgres+redis", database_url, redis_url), ""


def fresh_postgres(backend: Backend) -> None:
    """Drop and create the bench's own database; drop it again at the end."""
    import psycopg

    parts = urllib.parse.urlsplit(backend.database_url)
    name = parts.path.lstrip("/")
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres", scheme="postgresql"))

    def run(sql: str) -> None:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    run(f'CREATE DATABASE "{name}"')
    backend.cleanup.append(lambda: run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def fresh_redis(backend: Backend) -> None:
    import redis

    client = redis.Redis.from_url(backend.redis_url, socket_timeout=10)
    client.flushdb()  # this database only: the URL names it, and it is not 0
    backend.cleanup.append(client.flushdb)


def site_env(backend: Backend, workdir: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="diplomacy.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_HTTPS="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_STATIC_ROOT=str(workdir / "static"),
        DJANGO_SHARED_STATE_PATH=str(workdir / "shared-state.sqlite3"),
        DATABASE_URL=backend.database_url,
    )
    if backend.redis_url:
        env["REDIS_URL"] = backend.redis_url
    return env


def python_step(args: list[str], env: dict, *, timeout: int = 300) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"`{' '.join(args[:2])}` failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return done.stdout


def bench_site(backend: Backend, load: Load, workdir: Path, *, writers_seconds: int) -> tuple[list[dict], dict]:
    say(f"The site on {backend.name}")
    home = workdir / backend.name
    home.mkdir()
    env = site_env(backend, workdir)
    say("  " + python_step([str(BENCH / "seed.py"), "seed", str(home / "seed.json")], env).strip())
    info = json.loads((home / "seed.json").read_text())
    server = gunicorn(
        sys.executable, "diplomacy.wsgi:application", name=f"site-{backend.name}", env=env, cwd=ROOT, workdir=workdir
    )
    try:
        member = log_in(server.port, info["member"], info["password"])
        teacher = log_in(server.port, info["teacher"], info["password"])
        first, second = info["topics"]
        pages = [
            (f"topic, anonymous, {first['comments']:,} comments", first["url"], None),
            (f"topic, anonymous, {second['comments']:,} comments", second["url"], None),
            (f"topic, member, {first['comments']:,} comments", first["url"], member),
            ("thread page (…/comments/<pk>/thread/)", info["thread_url"], None),
            ("home", info["home_url"], None),
            (f"results, {info['counts']['ballots']:,} ballots", info["results_url"], None),
            ("class dashboard, teacher", info["class_url"], teacher),
        ]
        rows = [
            measure(f"{backend.name}: {label}", server.port, path, load, cookie=cookie, group=backend.name)
            for label, path, cookie in pages
        ]
        writes = (
            concurrent_writers(server.port, info, seconds=writers_seconds, env=env, home=home, backend=backend.name)
            if writers_seconds
            else {}
        )
        return rows, writes
    finally:
        stop(server)


# Concurrent writers: members posting comments and ballots through the real forms.


def concurrent_writers(
    port: int, info: dict, *, seconds: int, env: dict, home: Path, backend: str, writers: int = 16
) -> dict:
    """`writers` threads, each a member at a time (round robin over 299 bench members, so few hit the
    comment rate limit), post comments (3 in 4) and ballots for `seconds`; every write the server
    acknowledged with a redirect must then be in the database.

    Each member first reads the topic page, as a browser does, for the form's CSRF token. The comments
    go to a topic with none at the start: its page is quick to read, so the figure is of writes, not
    of reading a long page (the read benchmark's business); a comment's cost does not depend on it.
    """
    say(f"  {writers} concurrent writers for {seconds} s (comments and ballots through the forms)")
    topic = info["quiet_topic"]
    factor_ids = info["factor_ids"]
    lock = threading.Lock()
    tally = Counter()
    comment_ids: list[int] = []
    ballots: Counter = Counter()
    odd: Counter = Counter()
    pages_read = [0]
    deadline = time.monotonic() + seconds

    def post(conn, member: dict, kind: str, n: int) -> tuple[str, int | None]:
        cookie = f"sessionid={member['session']}"
        if "csrf" not in member:  # as a browser: the topic page gives the form and its token
            page = request(port, "GET", topic["url"], headers={"Cookie": cookie}, connection=conn)
            member["csrf"], member["csrf_cookie"] = csrf_token(page.body), page.cookies().get("csrftoken", "")
            with lock:
                pages_read[0] += 1
        headers = {"Cookie": f"{cookie}; csrftoken={member['csrf_cookie']}"}
        if kind == "comment":
            form = {
                "csrfmiddlewaretoken": member["csrf"],
                "body": f"Bench write {member['id']}-{n}: does sanctions relief come before talks?",
            }
            answer = request(port, "POST", topic["comment_url"], headers=headers, form=form, connection=conn)
        else:
            ranking = list(factor_ids)
            random.shuffle(ranking)
            while ranking == member.get("ranking"):  # the same ballot again records nothing: vary it
                random.shuffle(ranking)
            member["ranking"] = ranking
            form = {
                "csrfmiddlewaretoken": member["csrf"],
                "reason": "",
                **{f"rank_{pk}": rank for rank, pk in enumerate(ranking, start=1)},
            }
            answer = request(port, "POST", info["ballot_url"], headers=headers, form=form, connection=conn)
        location = answer.headers.get("Location", "")
        if answer.status == 302 and kind == "comment" and (found := re.search(r"/comments/(\d+)/", location)):
            return "acknowledged", int(found.group(1))
        if answer.status == 302 and kind == "ballot" and location.endswith(info["results_url"]):
            return "acknowledged", None
        if answer.status == 200 and RATE_LIMITED in answer.body:
            return "refused by rate limit", None
        return ("5xx" if answer.status >= 500 else f"other ({answer.status} {location})"), None

    def writer(index: int) -> None:
        members = [dict(m) for m in info["writers"][index::writers]]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        n = 0
        while time.monotonic() < deadline:
            member, kind = members[n % len(members)], "ballot" if n % 4 == 3 else "comment"
            n += 1
            try:
                outcome, comment_id = post(conn, member, kind, n)
            except (OSError, http.client.HTTPException, RuntimeError) as error:
                outcome, comment_id = f"client error ({error.__class__.__name__})", None
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            with lock:
                tally[(kind, outcome)] += 1
                if outcome == "acknowledged":
                    if comment_id is not None:
                        comment_ids.append(comment_id)
                    else:
                        ballots[member["id"]] += 1
                elif outcome.startswith(("other", "client")):
                    odd[outcome] += 1
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=writer, args=(i,), daemon=True) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    elapsed = time.monotonic() - started
    acks = home / "acks.json"
    acks.write_text(json.dumps({"comments": comment_ids, "ballots": {str(k): v for k, v in ballots.items()}}))
    missing = json.loads(python_step([str(BENCH / "seed.py"), "verify", str(acks)], env).strip().splitlines()[-1])
    acknowledged = len(comment_ids) + sum(ballots.values())
    result = {
        "backend": backend,
        "writers": writers,
        "seconds": round(elapsed, 1),
        "comments_acknowledged": len(comment_ids),
        "ballots_acknowledged": sum(ballots.values()),
        "writes_per_s": acknowledged / elapsed,
        "refused_by_rate_limit": sum(v for (_, outcome), v in tally.items() if outcome == "refused by rate limit"),
        "status_5xx": sum(v for (_, outcome), v in tally.items() if outcome == "5xx"),
        "other": dict(odd),
        "form_pages_read": pages_read[0],
        "acknowledged_but_missing": missing["comments_missing"] + missing["ballots_missing"],
        **missing,
    }
    say(
        f"  {acknowledged} writes acknowledged ({result['writes_per_s']:.1f}/s), "
        f"{result['refused_by_rate_limit']} refused by rate limit, {result['status_5xx']} 5xx, "
        f"{result['acknowledged_but_missing']} acknowledged but missing"
    )
    return result


# The report.


def ratio(row: dict, base: dict | None) -> str:
    if "req_s" not in row or not base or not base.get("req_s"):
        return "n/a"
    return f"{row['req_s'] / base['req_s']:.3g}"


def table(rows: list[dict]) -> str:
    bare = next((r for r in rows if r["group"] == "bare" and "req_s" in r), None)
    spirit = next((r for r in rows if r["group"] == "spirit" and "req_s" in r), None)
    head = ["page", "req/s", "p50 ms", "p99 ms", "non-2xx", "bytes", "bytes gzip", "÷ bare", "÷ Spirit topic"]
    lines = []
    for row in rows:
        if "req_s" not in row:
            lines.append([row["page"]] + ["n/a"] * 8)
            continue
        non2xx = str(row["non2xx"]) + (f" (+{row['timeouts']} t/o)" if row["timeouts"] else "")
        gz = f"{row['bytes_gzip']:,}" + ("" if row["gzip"] else f" (~{row['bytes_if_gzipped']:,})")
        lines.append(
            [
                row["page"],
                f"{row['req_s']:.1f}",
                ms(row["p50_ms"]),
                ms(row["p99_ms"]),
                non2xx,
                f"{row['bytes']:,}",
                gz,
                ratio(row, bare),
                ratio(row, spirit),
            ]
        )
    widths = [max(len(str(line[i])) for line in [head, *lines]) for i in range(len(head))]

    def fmt(line):
        return " | ".join(
            str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(line, widths, strict=True))
        )

    return "\n".join([fmt(head), "-+-".join("-" * w for w in widths), *map(fmt, lines)])


def writers_table(results: list[dict]) -> str:
    head = [
        "writers on",
        "seconds",
        "form pages read",
        "comments",
        "ballots",
        "writes/s",
        "refused by rate limit",
        "5xx",
        "other",
        "acknowledged but missing",
    ]
    lines = [
        [
            r["backend"],
            r["seconds"],
            r["form_pages_read"],
            r["comments_acknowledged"],
            r["ballots_acknowledged"],
            f"{r['writes_per_s']:.1f}",
            r["refused_by_rate_limit"],
            r["status_5xx"],
            sum(r["other"].values()),
            r["acknowledged_but_missing"],
        ]
        for r in results
    ]
    widths = [max(len(str(line[i])) for line in [head, *lines]) for i in range(len(head))]
    return "\n".join(" | ".join(str(c).rjust(w) for c, w in zip(line, widths, strict=True)) for line in [head, *lines])


def git_commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return done.stdout.strip()


def search_postgres_url() -> str:
    """The PostgreSQL database the search scenario may drop and create, or "" for none."""
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return ""
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"DATABASE_URL names the database {name!r}: the bench drops and creates it, so its name must "
                 "contain 'bench' (e.g. search_bench).")  # fmt: skip
    return url


def bench_search(backends: str) -> None:
    """The search scenario: seed, index, and time the search page per database (bench/search.py)."""
    workdir = Path(tempfile.mkdtemp(prefix="forum-bench-search-"))
    runs = []
    if "sqlite" in backends:
        runs.append(Backend("sqlite", f"sqlite:///{workdir / 'forum.sqlite3'}"))
    if "postgres" in backends:
        if url := search_postgres_url():
            runs.append(Backend("postgres", url))
        else:
            say("Not measuring PostgreSQL: DATABASE_URL does not name a PostgreSQL database.")
    reports = []
    try:
        for backend in runs:
            if backend.name == "postgres":
                fresh_postgres(backend)
            if not (workdir / "static").exists():
                python_step(["manage.py", "collectstatic", "--noinput", "-v0"], site_env(backend, workdir))
            say(f"Search on {backend.name}: seeding 100,000 comments, then timing searches ...")
            out = workdir / f"search-{backend.name}.json"
            say("  " + python_step([str(BENCH / "search.py"), str(out)], site_env(backend, workdir), timeout=3600))
            reports.append(json.loads(out.read_text()))
    finally:
        for backend in runs:
            for cleanup in backend.cleanup:
                cleanup()
        shutil.rmtree(workdir, ignore_errors=True)
    for report in reports:
        say("")
        say(
            f"{report['database']}: {report['comments']:,} comments, {report['entries']:,} index entries "
            f"(seeded in {report['seed_seconds']} s, index rebuilt in {report['index_seconds']} s); "
            f"median {report['median_ms']} ms, p90 {report['p90_ms']} ms"
        )
        lines = [["query", "as", "matches", "median ms", "p90 ms"]] + [
            [row["query"], row["who"], f"{row['matches']:,}", row["median_ms"], row["p90_ms"]] for row in report["rows"]
        ]
        widths = [max(len(str(line[i])) for line in lines) for i in range(5)]
        for line in lines:
            say("  " + " | ".join(str(c).ljust(w) if i < 2 else str(c).rjust(w) for i, (c, w) in enumerate(
                zip(line, widths, strict=True))))  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "search.json").write_text(json.dumps({"commit": git_commit(), "databases": reports}, indent=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--duration",
        type=int,
        default=int(os.environ.get("BENCH_DURATION", "10")),
        help="seconds of wrk per page (default 10, or BENCH_DURATION)",
    )
    parser.add_argument("--writers-seconds", type=int, default=15, help="seconds of concurrent writers (0: none)")
    parser.add_argument("--backends", default="sqlite,postgres", help="sqlite, postgres, or both (default)")
    parser.add_argument("--no-spirit", action="store_true", help="skip the peer forum Spirit")
    parser.add_argument("--no-writers", action="store_true", help="skip the concurrent writers")
    parser.add_argument("--search", action="store_true", help="only the search scenario (100,000 comments)")
    args = parser.parse_args()
    if args.search:
        bench_search(args.backends)
        return
    load = Load(duration=args.duration)
    writers_seconds = 0 if args.no_writers else args.writers_seconds
    # Ctrl-C or a kill: the finally blocks below still stop every server (even when started in the background,
    # where a shell leaves SIGINT ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    ensure_wrk()
    backends = []
    if "sqlite" in args.backends:
        backends.append(Backend("sqlite", ""))
    if "postgres" in args.backends:
        backend, why = postgres_backend()
        if backend:
            backends.append(backend)
        else:
            say(f"Not measuring PostgreSQL + Redis: {why}.")

    clock = time.monotonic()
    load_before = os.getloadavg()
    started = datetime.datetime.now(datetime.UTC)
    say(
        f"Load average before: {' '.join(f'{v:.2f}' for v in load_before)} on {os.cpu_count()} CPUs "
        f"(wrk -t{load.threads} -c{load.connections} -d{load.duration}s on each page)"
    )
    workdir = Path(tempfile.mkdtemp(prefix="forum-bench-"))
    rows: list[dict] = []
    writes: list[dict] = []
    ok = False
    try:
        rows += bench_bare(load, workdir)
        if not args.no_spirit:
            rows += bench_spirit(load, workdir)
        for backend in backends:
            if backend.name == "sqlite":
                backend.database_url = f"sqlite:///{workdir / 'forum.sqlite3'}"
            else:
                fresh_postgres(backend)
                fresh_redis(backend)
            if not (workdir / "static").exists():
                python_step(["manage.py", "collectstatic", "--noinput", "-v0"], site_env(backend, workdir))
            site_rows, site_writes = bench_site(backend, load, workdir, writers_seconds=writers_seconds)
            rows += site_rows
            if site_writes:
                writes.append(site_writes)
        ok = True
    finally:
        for server in list(SERVERS):
            stop(server)
        for backend in backends:
            for cleanup in backend.cleanup:
                try:
                    cleanup()
                except Exception as error:  # noqa: BLE001 - cleaning up: report, go on
                    say(f"Cleaning up {backend.name}: {error}")
        if ok:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            say(f"Logs kept in {workdir}")

    load_after = os.getloadavg()
    report = {
        "date": started.isoformat(timespec="seconds"),
        "commit": git_commit(),
        "host": platform.node(),
        "python": platform.python_version(),
        "nproc": os.cpu_count(),
        "load_before": load_before,
        "load_after": load_after,
        "wrk": {
            "threads": load.threads,
            "connections": load.connections,
            "seconds": load.duration,
            "timeout": WRK_TIMEOUT,
        },
        "gunicorn": {"workers": 2, "worker_class": "sync"},
        "pages": rows,
        "writers": writes,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=1))
    say("")
    say(table(rows))
    if writes:
        say("")
        say(writers_table(writes))
    say("")
    say(
        f"Took {time.monotonic() - clock:.0f} s. nproc {os.cpu_count()}; load average before "
        f"{' '.join(f'{v:.2f}' for v in load_before)}, after {' '.join(f'{v:.2f}' for v in load_after)}. "
        f"JSON: {(RESULTS / 'latest.json').relative_to(ROOT)}"
    )


if __name__ == "__main__":
    main()
