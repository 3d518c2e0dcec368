"""Serve the forum to a class on the local network: gunicorn, debug off, plain http.

`make run HOST=0.0.0.0` calls this after the usual setup (migrate, imports, demo
accounts). It collects the static files whitenoise serves, allows this machine's
own addresses and name as hosts, prints what pupils type, then becomes gunicorn.
"""

import contextlib
import ipaddress
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from diplomacy.settings import local_secret_key

# Tried in order until one runs: `ip` on Linux, `ifconfig` on macOS and the BSDs.
INTERFACE_COMMANDS = [["ip", "-o", "addr", "show"], ["ifconfig", "-a"]]
LOOPBACK_HOSTS = ["127.0.0.1", "localhost"]
EVERY_INTERFACE = ("0.0.0.0", "::")  # noqa: S104 (the point: pupils' devices connect)


@dataclass(frozen=True)
class LanServer:
    argv: list[str]
    env: dict[str, str]
    urls: list[str]  # what pupils type; empty when the machine is on no network
    name_urls: list[str]  # the same by this machine's name, where the network resolves it


def parse_addresses(output: str) -> set[str]:
    """The addresses after each "inet"/"inet6" in `ip -o addr` or `ifconfig` output."""
    tokens = output.split()
    found = set()
    for index, word in enumerate(tokens[:-1]):
        if word in ("inet", "inet6"):
            address = tokens[index + 1]
            if address == "addr:" and index + 2 < len(tokens):  # old Linux ifconfig: "inet6 addr: fe80::1/64"
                address = tokens[index + 2]
            found.add(address.removeprefix("addr:").split("/")[0].split("%")[0])
    return found


def reachable(address: str) -> bool:
    """Whether a pupil could type this address: not loopback, nor IPv6 link-local (it needs a zone)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if ip.is_loopback or ip.is_unspecified or ip.is_multicast:
        return False
    return not (ip.version == 6 and ip.is_link_local)


def network_addresses() -> list[str]:
    """This machine's non-loopback addresses, IPv4 first, read from its interfaces and its name."""
    found = set()
    for command in INTERFACE_COMMANDS:
        program = shutil.which(command[0])
        if program is None:
            continue
        try:
            # A fixed command, no shell, no input from anyone.
            output = subprocess.run(  # noqa: S603
                [program, *command[1:]], capture_output=True, text=True, timeout=5, check=True
            ).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        found |= parse_addresses(output)
        break
    with contextlib.suppress(OSError):  # a name that does not resolve: the interfaces are enough
        found |= {info[4][0].split("%")[0] for info in socket.getaddrinfo(socket.gethostname(), None)}
    usable = (ipaddress.ip_address(address) for address in found if reachable(address))
    return [str(ip) for ip in sorted(usable, key=lambda ip: (ip.version, ip))]


def host_names() -> list[str]:
    """This machine's name, and its mDNS form (`name.local`, answered by Bonjour or Avahi)."""
    name = socket.gethostname()
    if not name:
        return []
    return [name] if "." in name else [name, f"{name}.local"]


def url_host(address: str) -> str:
    return f"[{address}]" if ":" in address else address


def allowed_hosts(*, addresses: list[str], names: list[str], bind_host: str) -> list[str]:
    hosts = [*LOOPBACK_HOSTS, *names, *map(url_host, addresses)]
    if bind_host not in EVERY_INTERFACE:
        hosts.append(url_host(bind_host))
    return list(dict.fromkeys(host.lower() for host in hosts))


def pupil_urls(*, addresses: list[str], bind_host: str, port: int) -> list[str]:
    """The URLs that reach the server: 0.0.0.0 listens on IPv4 only, :: on both."""
    if bind_host == "0.0.0.0":  # noqa: S104 (comparing, not binding)
        shown = [address for address in addresses if ":" not in address]
    elif bind_host == "::":
        shown = addresses
    else:
        shown = [bind_host]
    return [f"http://{url_host(address)}:{port}/" for address in shown]


def lan_environment(base: Mapping[str, str], *, hosts: list[str]) -> dict[str, str]:
    """Production settings, except plain http: a laptop on a school network has no certificate."""
    return {
        **base,
        "DJANGO_DEBUG": "0",  # a pupil never sees a debug page
        "DJANGO_SECRET_KEY": base.get("DJANGO_SECRET_KEY") or local_secret_key(),
        "DJANGO_HTTPS": "0",  # no HTTPS redirect, no HSTS, no secure-only cookies
        "DJANGO_PROXY_SSL_HEADER": "0",  # no proxy in front: a pupil's X-Forwarded-Proto is not trusted
        "DJANGO_ALLOWED_HOSTS": ",".join(hosts),
    }


def lan_server(*, host: str, port: int, threads: int, environ: Mapping[str, str]) -> LanServer:
    """What to run, with which environment, and the URLs to print; starts nothing."""
    host = host.strip("[]")
    addresses = network_addresses()
    names = host_names()
    env = lan_environment(environ, hosts=allowed_hosts(addresses=addresses, names=names, bind_host=host))
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "diplomacy.wsgi",
        "--bind",
        f"{url_host(host)}:{port}",
        # One process with threads: without Redis the cache (rate limits, the versions that make
        # cached results stale) lives in that process's memory, so every request must see the same one.
        "--workers",
        "1",
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--chdir",
        str(settings.BASE_DIR),
        # gunicorn 27 otherwise opens a control socket in ~/.gunicorn, shared by every server a user runs.
        "--no-control-socket",
    ]
    return LanServer(
        argv=argv,
        env=env,
        urls=pupil_urls(addresses=addresses, bind_host=host, port=port),
        name_urls=[f"http://{name}:{port}/" for name in names] if host in EVERY_INTERFACE else [],
    )


class Command(BaseCommand):
    help = "Serve the site to the local network with debug off (gunicorn, plain http), for a class."

    def add_arguments(self, parser):
        parser.add_argument(
            "--host",
            default=EVERY_INTERFACE[0],
            help="Address to listen on: 0.0.0.0 (IPv4), :: (IPv6 and IPv4) or one address.",
        )
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8, help="Requests served at once (one process).")

    def handle(self, *args, host, port, threads, **options):
        server = lan_server(host=host, port=port, threads=threads, environ=os.environ)
        # In its own process: the hashed, compressed file names need debug off when settings load.
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py"), "collectstatic", "--noinput", "-v", "0"]
        if subprocess.run(manage, env=server.env, check=False).returncode:  # noqa: S603 (our own manage.py)
            raise CommandError("collectstatic failed (see above); the server was not started.")
        self.stdout.write("\n".join(self.banner(server, port)))
        sys.stdout.flush()  # exec drops anything still buffered
        os.execve(server.argv[0], server.argv, server.env)  # noqa: S606 (gunicorn replaces this process)

    def banner(self, server: LanServer, port: int) -> list[str]:
        lines = ["", "Serving the forum to the local network, with debug off. Stop it with Ctrl-C."]
        if not server.urls:
            return [
                *lines,
                "No network address found: is this computer on the school's network?",
                f"Meanwhile it answers at http://127.0.0.1:{port}/",
                "",
            ]
        lines += [f"Pupils open: {url}" for url in server.urls]
        if server.name_urls:
            lines.append(f"  (or {' or '.join(server.name_urls)} where the network knows this computer's name)")
        return [
            *lines,
            "Open the same address yourself: class pages and password sheets show pupils the address you used.",
            f"If pupils cannot connect, allow incoming connections to port {port} in this computer's firewall.",
            "",
        ]
