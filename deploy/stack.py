"""The production stack on this machine: `make prod-up` and `make prod-down`.

    python deploy/stack.py up            # nginx + two app servers (+ the worker), on PostgreSQL and Redis
    python deploy/stack.py down          # stop what `up` started (PostgreSQL and Redis keep running)
    python deploy/stack.py status        # what runs, and /healthz
    python deploy/stack.py nginx-site    # deploy/nginx/forum.conf filled in for a real server, on stdout

`up` installs nginx (Debian's package) if it is missing, starts PostgreSQL and
Redis on 127.0.0.1 if they are down, creates the database, migrates, collects
the static files, imports the article and factors, creates the demo accounts,
starts two gunicorn app servers (deploy/gunicorn.conf.py) on loopback ports and
nginx in front of them (deploy/nginx/), waits until /healthz answers through
nginx and prints the address. The app's settings are deploy/forum.env.example
with the local differences in LOCAL. Everything it writes (settings, pid files,
logs, nginx's files, static files, the secret key, demo passwords) is in the
run directory, `run/` in the checkout (git-ignored). Run by the Python of the
virtual environment (the Makefile does), which it uses for manage.py and gunicorn.

Knobs (environment): FORUM_PORT (nginx, 8080), FORUM_APP_PORTS ("8001 8002"),
FORUM_DATABASE_URL (postgres://postgres@127.0.0.1:5432/forum_prod), FORUM_REDIS_URL
(redis://127.0.0.1:6379/5), FORUM_RUN_DIR (run/), WORKER_COMMAND, GUNICORN_WORKERS,
GUNICORN_THREADS. DATABASE_URL and REDIS_URL of the calling shell are ignored on purpose:
a shell set up for the tests must never point the stack at the tests' database.
"""

import argparse
import contextlib
import grp
import json
import os
import pwd
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
PYTHON = sys.executable
ARTICLE = "forum/content/us-russia-peace-talks.txt"
ARTICLE_TITLE = "The reduction in US-Russia peace talks"
FACTORS = "forum/content/factors.json"

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/forum_prod"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/5"
# The machine's own services, started as its notes say (/etc/postgresql holds one version's cluster).
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "{port}",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class StackError(Exception):
    """Something `up` cannot go on without; the message says what to do."""


def app_ports(environ) -> list[int]:
    return [int(port) for port in (environ.get("FORUM_APP_PORTS") or "8001 8002").replace(",", " ").split()]


class Config:
    def __init__(self, environ=os.environ):
        self.run = Path(environ.get("FORUM_RUN_DIR") or ROOT / "run").resolve()
        self.port = int(environ.get("FORUM_PORT") or 8080)
        self.app_ports = app_ports(environ)
        self.database_url = environ.get("FORUM_DATABASE_URL") or DEFAULT_DATABASE_URL
        self.redis_url = environ.get("FORUM_REDIS_URL") or DEFAULT_REDIS_URL
        self.nginx_dir = self.run / "nginx"
        self.log_dir = self.run / "logs"
        self.static_root = self.run / "static"
        self.url = f"http://127.0.0.1:{self.port}/"

    def web_pid_file(self, port: int) -> Path:
        return self.run / f"web-{port}.pid"

    @property
    def worker_pid_file(self) -> Path:
        return self.run / "worker.pid"

    @property
    def nginx_pid_file(self) -> Path:
        return self.nginx_dir / "nginx.pid"


# ---------------------------------------------------------------- settings


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines, as systemd's EnvironmentFile= and `set -a; . file` read them (no quoting used)."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def secret_key(config: Config) -> str:
    path = config.run / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def local_settings(config: Config, environ=os.environ) -> dict[str, str]:
    """deploy/forum.env.example, with what differs on this machine: plain http, loopback, local services."""
    local = {  # LOCAL: the differences from a real server
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secret_key(config),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "",
        "DATABASE_URL": config.database_url,
        "REDIS_URL": config.redis_url,
        "DJANGO_STATIC_ROOT": str(config.static_root),
        # nginx listens on plain http here: no HTTPS redirect, no secure-only cookies. It is still the one
        # trusted proxy, and still says which scheme the client used (http).
        "DJANGO_HTTPS": "0",
        "EMAIL_HOST": "",  # mail is printed in the app servers' logs
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "DEFAULT_FROM_EMAIL": "forum@localhost",
    }
    values = {**read_env_file(DEPLOY / "forum.env.example"), **local}
    # A few knobs may come from the caller's shell: sizes, Sentry, the worker.
    for key in (
        "GUNICORN_WORKERS",
        "GUNICORN_THREADS",
        "SENTRY_DSN",
        "WORKER_COMMAND",
        "DJANGO_LOG_LEVEL",
        "DJANGO_REQUEST_LOG_LEVEL",
    ):
        if environ.get(key):
            values[key] = environ[key]
    return values


def app_environment(settings: dict[str, str]) -> dict[str, str]:
    keep = {key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
    return {**keep, **settings, "PYTHONUNBUFFERED": "1"}


# ---------------------------------------------------------------- nginx configuration


def render(template: Path, values: dict[str, str]) -> str:
    text = template.read_text()
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    if left := re.search(r"@[A-Z_]+@", text):
        raise StackError(f"{template}: {left.group()} was left unfilled")
    return text


def app_server_lines(ports: list[int]) -> str:
    return "\n".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;" for port in ports)


def site_config(*, listen: str, server_name: str, static_root: str, access_log: str, app_ports: list[int]) -> str:
    return render(
        DEPLOY / "nginx" / "forum.conf",
        {
            "LISTEN": listen,
            "SERVER_NAME": server_name,
            "STATIC_ROOT": static_root.rstrip("/"),
            "ACCESS_LOG": access_log,
            "APP_SERVERS": app_server_lines(app_ports),
        },
    )


def write_nginx_config(config: Config) -> Path:
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (config.nginx_dir / "temp" / name).mkdir(parents=True, exist_ok=True)
    (config.nginx_dir / "forum.conf").write_text(
        site_config(
            listen=f"127.0.0.1:{config.port}",
            server_name="localhost",
            static_root=str(config.static_root),
            access_log=str(config.nginx_dir / "access.log"),
            app_ports=config.app_ports,
        )
    )
    # As root, nginx would hand its workers to `nobody`, who may not read the checkout: keep them ours.
    user = ""
    if os.geteuid() == 0:
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};"
    main = config.nginx_dir / "nginx.conf"
    main.write_text(render(DEPLOY / "nginx" / "local.conf", {"USER": user, "NGINX_DIR": str(config.nginx_dir)}))
    return main


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((path for path in ("/usr/sbin/nginx",) if Path(path).exists()), None)


def install_nginx() -> str:
    """Debian's nginx package, without starting the system's nginx service (policy-rc.d says no)."""
    if os.geteuid() != 0:
        raise StackError("nginx is not installed: run `sudo apt-get install nginx`, then `make prod-up` again.")
    print("Installing nginx (Debian's package)...")
    policy = Path("/usr/sbin/policy-rc.d")
    made_policy = not policy.exists()
    if made_policy:
        policy.write_text("#!/bin/sh\n# make prod-up: install nginx without starting the system's service.\nexit 101\n")
        policy.chmod(0o755)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        install = ["apt-get", "install", "-y", "-qq", "nginx"]
        if subprocess.run(install, env=env, check=False).returncode:
            subprocess.run(["apt-get", "update", "-qq"], env=env, check=True)
            subprocess.run(install, env=env, check=True)
    finally:
        if made_policy:
            policy.unlink()
    binary = nginx_binary()
    if binary is None:
        raise StackError("apt-get installed nginx, yet no nginx binary was found.")
    return binary


# ---------------------------------------------------------------- PostgreSQL and Redis


def port_answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def wait_for_port(host: str, port: int, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not port_answers(host, port):
        if time.monotonic() > deadline:
            raise StackError(f"{what} did not start listening on {host}:{port} within {seconds:.0f} s.")
        time.sleep(0.3)


def ensure_postgresql(database_url: str) -> None:
    parts = urlsplit(database_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 5432
    if port_answers(host, port):
        return
    versions = sorted(Path("/etc/postgresql").iterdir()) if Path("/etc/postgresql").is_dir() else []
    if host not in LOOPBACK or not versions:
        raise StackError(f"PostgreSQL does not answer on {host}:{port}; start it, or set FORUM_DATABASE_URL.")
    print(f"Starting PostgreSQL {versions[-1].name}...")
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1].name, "main", "start"], check=True)
    wait_for_port(host, port, "PostgreSQL")


def ensure_redis(redis_url: str) -> None:
    parts = urlsplit(redis_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    if port_answers(host, port):
        return
    if host not in LOOPBACK or shutil.which("redis-server") is None:
        raise StackError(f"Redis does not answer on {host}:{port}; start it, or set FORUM_REDIS_URL.")
    print("Starting Redis...")
    subprocess.run([part.format(port=port) for part in REDIS_START], check=True)
    wait_for_port(host, port, "Redis")


def ensure_database(database_url: str) -> None:
    """Create the database if it does not exist (connecting to the server's `postgres` database)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if not name or name == "test":
        raise StackError(f"{database_url}: name a database of the stack's own (the `test` one is CI's).")
    maintenance = parts._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True, connect_timeout=10) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            print(f"Creating the database {name}...")
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# ---------------------------------------------------------------- processes


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def alive(pid: int | None, name: str) -> bool:
    """Whether `pid` runs and is the program we started (a pid file can outlive its process)."""
    if not pid:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except (OSError, IndexError):
        return False
    # A process that has just been started may show no command line yet (seen on this machine's kernel).
    return state not in ("Z", "X") and (not command or name in command)


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def start_process(argv: list[str], *, env: dict[str, str], log: Path, pid_file: Path) -> int:
    """Start `argv` in its own session (its own process group, which `down` signals), logging to `log`."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    pid_file.write_text(f"{process.pid}\n")
    return process.pid


def manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=False)
    if result.returncode:
        raise StackError(f"manage.py {' '.join(args)} failed (see above); nothing was started.")


def start_web(config: Config, env: dict[str, str], port: int) -> int:
    argv = [PYTHON, "-m", "gunicorn", "--config", str(DEPLOY / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}"]
    return start_process(argv, env=env, log=config.log_dir / f"web-{port}.log", pid_file=config.web_pid_file(port))


def start_worker(config: Config, env: dict[str, str]) -> int | None:
    """THE BACKGROUND WORKER: `manage.py $WORKER_COMMAND` (e.g. the mail queue's worker), when it is set.

    WORKER_COMMAND comes from deploy/forum.env.example (or the shell), as forum-worker.service reads it.
    """
    command = env.get("WORKER_COMMAND", "").strip()
    if not command:
        return None
    argv = [PYTHON, "manage.py", *shlex.split(command)]
    return start_process(argv, env=env, log=config.log_dir / "worker.log", pid_file=config.worker_pid_file)


def get_json(url: str, timeout: float = 5) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # a loopback address we just started
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def wait_healthy(url: str, *, seconds: float, watch: list[tuple[int, str, Path]] = ()) -> None:
    """Until `url` says {"status": "ok"}; fail early if a process we wait for died (its log says why)."""
    deadline = time.monotonic() + seconds
    last = "no answer"
    while time.monotonic() < deadline:
        for pid, name, log in watch:
            if not alive(pid, name):
                tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:]) if log.exists() else ""
                raise StackError(f"{name} (pid {pid}) exited while starting; the end of {log}:\n{tail}")
        try:
            status, body = get_json(url, timeout=2)
            if status == 200 and body.get("status") == "ok":
                return
            last = f"{status} {body}"
        except (OSError, ValueError) as error:
            last = str(error)
        time.sleep(0.3)
    raise StackError(f"{url} did not answer ok within {seconds:.0f} s (last: {last}).")


def stop_pid_file(path: Path, name: str, *, sig: int = signal.SIGTERM, seconds: float = 20) -> None:
    """Stop the process group started with this pid file; whatever is left after `seconds` is killed."""
    pid = read_pid(path)
    if pid is None:
        return
    if alive(pid, name):
        print(f"Stopping {name} (pid {pid})...")
        os.kill(pid, sig)
        deadline = time.monotonic() + seconds
        while alive(pid, name) and time.monotonic() < deadline:
            time.sleep(0.1)
    # What is left: gunicorn's workers, or those of a server that was killed, in the group we made for it.
    for member in group_members(pid, name):
        with contextlib.suppress(ProcessLookupError):
            os.kill(member, signal.SIGKILL)
    path.unlink(missing_ok=True)


def group_members(pgid: int, name: str) -> list[int]:
    """The processes of process group `pgid` running `name`: only what this script started."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        pid = int(stat.parent.name)
        if int(fields[2]) == pgid and alive(pid, name):  # fields after "(comm)": state, ppid, pgrp
            members.append(pid)
    return members


# ---------------------------------------------------------------- commands


def up(config: Config) -> None:
    nginx = nginx_binary() or install_nginx()
    try:
        start(config, nginx)
    except BaseException:
        down(config, quiet=True)  # nothing half-started is left behind
        raise


def start(config: Config, nginx: str) -> None:
    if any(alive(read_pid(path), name) for path, name in pid_files(config)):
        print("The stack is running already: restarting it.")
        down(config, quiet=True)
    for port in [config.port, *config.app_ports]:
        if not port_free(port):
            raise StackError(f"127.0.0.1:{port} is in use; choose others with FORUM_PORT / FORUM_APP_PORTS.")
    if len(set(config.app_ports)) < 2:
        raise StackError("FORUM_APP_PORTS needs two different ports.")
    ensure_postgresql(config.database_url)
    ensure_redis(config.redis_url)
    ensure_database(config.database_url)

    for directory in (config.run, config.log_dir, config.nginx_dir):
        directory.mkdir(parents=True, exist_ok=True)
    settings = local_settings(config)
    (config.run / "forum.env").write_text("".join(f"{key}={value}\n" for key, value in settings.items()))
    (config.run / "forum.env").chmod(0o600)
    env = app_environment(settings)

    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    manage(env, "import_article", ARTICLE, "--title", ARTICLE_TITLE, "--skip-existing")
    manage(env, "import_factors", FACTORS)
    manage(env, "create_demo_accounts", "--password-file", str(config.run / "demo-accounts.txt"))

    watch = []
    for port in config.app_ports:
        pid = start_web(config, env, port)
        watch.append((pid, "gunicorn", config.log_dir / f"web-{port}.log"))
    worker = start_worker(config, env)
    if worker is not None:
        print(f"Started the worker: manage.py {env['WORKER_COMMAND']} (pid {worker}).")
    for port in config.app_ports:
        wait_healthy(f"http://127.0.0.1:{port}/healthz", seconds=60, watch=watch)

    main = write_nginx_config(config)
    nginx_command = [nginx, "-p", str(config.nginx_dir), "-c", str(main), "-e", str(config.nginx_dir / "error.log")]
    test = subprocess.run([*nginx_command, "-t", "-q"], capture_output=True, text=True, check=False)
    if test.returncode:
        raise StackError(f"nginx refused its configuration ({main}):\n{test.stderr}")
    subprocess.run(nginx_command, check=True)  # nginx daemonizes; its pid file is nginx/nginx.pid
    wait_healthy(f"{config.url}healthz", seconds=30, watch=watch)

    print(f"\nThe forum runs behind nginx at {config.url}")
    print(f"  app servers: {', '.join(f'127.0.0.1:{port}' for port in config.app_ports)}; logs in {config.log_dir}/,")
    print(f"  nginx's in {config.nginx_dir}/; demo accounts in {config.run / 'demo-accounts.txt'}.")
    print("  Stop it with `make prod-down`.")


def pid_files(config: Config) -> list[tuple[Path, str]]:
    webs = sorted(config.run.glob("web-*.pid"))
    return [
        (config.nginx_pid_file, "nginx"),
        *((path, "gunicorn") for path in webs),
        (config.worker_pid_file, "manage.py"),
    ]


def down(config: Config, *, quiet: bool = False) -> None:
    # nginx first (QUIT: it finishes the requests it has), then the app servers (TERM: gunicorn's graceful stop).
    for path, name in pid_files(config):
        stop_pid_file(path, name, sig=signal.SIGQUIT if name == "nginx" else signal.SIGTERM)
    if not quiet:
        print("The stack is stopped (PostgreSQL and Redis keep running).")


def status(config: Config) -> int:
    running = True
    for path, name in pid_files(config):
        pid = read_pid(path)
        if pid is not None:
            state = "running" if alive(pid, name) else "NOT RUNNING"
            running &= state == "running"
            print(f"{path.name:<16} pid {pid:<8} {state}")
    try:
        code, body = get_json(f"{config.url}healthz", timeout=3)
        print(f"{config.url}healthz: {code} {body}")
        running &= code == 200
    except (OSError, ValueError) as error:
        print(f"{config.url}healthz: no answer ({error})")
        running = False
    return 0 if running else 1


def nginx_site(environ=os.environ) -> str:
    return site_config(
        listen=environ.get("FORUM_LISTEN") or "80",
        server_name=environ.get("FORUM_SERVER_NAME") or "forum.example.org",
        static_root=environ.get("DJANGO_STATIC_ROOT") or "/srv/forum/static",
        access_log=environ.get("FORUM_ACCESS_LOG") or "/var/log/nginx/forum.access.log",
        app_ports=app_ports(environ),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["up", "down", "status", "nginx-site"])
    command = parser.parse_args(argv).command
    config = Config()
    try:
        if command == "up":
            up(config)
        elif command == "down":
            down(config)
        elif command == "status":
            return status(config)
        else:
            sys.stdout.write(nginx_site())
    except (StackError, subprocess.CalledProcessError) as error:
        print(f"\n{command} failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
