"""Serving a class from a laptop: `make run HOST=0.0.0.0`, i.e. `manage.py serve_lan`.

The server test binds 127.0.0.1 only: no test sends anything to another address.
"""

import contextlib
import fcntl
import http.client
import ipaddress
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.http.request import split_domain_port, validate_host
from django.urls import reverse

from forum.management.commands import serve_lan
from forum.management.commands.serve_lan import lan_server, network_addresses, parse_addresses, pupil_urls
from tests.factories import ClassroomFactory

BASE_DIR = django_settings.BASE_DIR
EVERY_IPV4 = "0.0.0.0"  # noqa: S104 (what `make run HOST=0.0.0.0` passes; nothing binds it here)
MAKE = shutil.which("make")

IP_OUTPUT = """\
1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
1: lo    inet6 ::1/128 scope host \\       valid_lft forever preferred_lft forever
2: wlp2s0    inet 192.168.1.20/24 brd 192.168.1.255 scope global dynamic wlp2s0\\       valid_lft 86000sec
2: wlp2s0    inet6 2001:db8::20/64 scope global dynamic \\       valid_lft 86000sec preferred_lft 14000sec
2: wlp2s0    inet6 fe80::1c2:3ff:fe44:5566/64 scope link \\       valid_lft forever preferred_lft forever
"""
IFCONFIG_OUTPUT = """\
lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 16384
\tinet 127.0.0.1 netmask 0xff000000
\tinet6 ::1 prefixlen 128
\tinet6 fe80::1%lo0 prefixlen 64 scopeid 0x1
en0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500
\tinet6 fe80::8a3:44ff:fe55:6677%en0 prefixlen 64 secured scopeid 0x6
\tinet 10.0.4.31 netmask 0xffffff00 broadcast 10.0.4.255
"""


def usable(addresses):
    return {address for address in addresses if serve_lan.reachable(address)}


def test_addresses_are_read_from_linux_ip_output_without_loopback_or_link_local():
    assert usable(parse_addresses(IP_OUTPUT)) == {"192.168.1.20", "2001:db8::20"}


def test_addresses_are_read_from_mac_ifconfig_output():
    assert usable(parse_addresses(IFCONFIG_OUTPUT)) == {"10.0.4.31"}


def interface_ipv4_addresses():
    """Each interface's IPv4 address, asked of the kernel directly (Linux's SIOCGIFADDR): no packet is sent."""
    found = set()
    for _, name in socket.if_nameindex():
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe, contextlib.suppress(OSError):
            request = struct.pack("256s", name.encode()[:15])
            found.add(socket.inet_ntoa(fcntl.ioctl(probe.fileno(), 0x8915, request)[20:24]))
    return found


def interface_ipv6_addresses():
    lines = Path("/proc/net/if_inet6").read_text().splitlines() if Path("/proc/net/if_inet6").exists() else []
    return {str(ipaddress.IPv6Address(bytes.fromhex(line.split()[0]))) for line in lines}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="asks the Linux kernel for the addresses to expect")
def test_discovery_finds_every_address_of_this_machines_interfaces():
    expected = usable(interface_ipv4_addresses() | interface_ipv6_addresses())
    found = network_addresses()
    assert expected <= set(found)
    assert not {"127.0.0.1", "::1"} & set(found)


def test_allowed_hosts_are_this_machines_name_addresses_and_loopback():
    server = lan_server(host=EVERY_IPV4, port=8000, threads=8, environ={})
    hosts = server.env["DJANGO_ALLOWED_HOSTS"].split(",")
    assert {"127.0.0.1", "localhost", socket.gethostname().lower()} <= set(hosts)
    for address in network_addresses():
        domain, _ = split_domain_port(f"http://{serve_lan.url_host(address)}:8000/".split("/")[2])
        assert validate_host(domain, hosts), address  # as the browser sends it: IPv6 in brackets


def test_lan_server_runs_gunicorn_with_debug_and_https_off():
    server = lan_server(host=EVERY_IPV4, port=8123, threads=8, environ={"DJANGO_DEBUG": "1", "DJANGO_HTTPS": "1"})
    assert server.argv[1:4] == ["-m", "gunicorn", "diplomacy.wsgi"]
    # One process, so rate limits and cache invalidation (in its memory, without Redis) hold for every request.
    assert server.argv[server.argv.index("--workers") + 1] == "1"
    assert server.argv[server.argv.index("--threads") + 1] == "8"
    assert server.argv[server.argv.index("--bind") + 1] == "0.0.0.0:8123"
    assert server.env["DJANGO_DEBUG"] == "0"
    assert server.env["DJANGO_HTTPS"] == "0"
    assert server.env["DJANGO_PROXY_SSL_HEADER"] == "0"


def test_lan_server_passes_the_kept_secret_key(monkeypatch):
    monkeypatch.setattr(serve_lan, "local_secret_key", lambda: "the-key-in-.secret_key")
    server = lan_server(host=EVERY_IPV4, port=8000, threads=8, environ={})
    assert server.env["DJANGO_SECRET_KEY"] == "the-key-in-.secret_key"


def test_lan_server_keeps_a_secret_key_the_teacher_set():
    server = lan_server(host=EVERY_IPV4, port=8000, threads=8, environ={"DJANGO_SECRET_KEY": "teachers-own"})
    assert server.env["DJANGO_SECRET_KEY"] == "teachers-own"


def test_lan_server_binds_an_ipv6_address_in_brackets():
    server = lan_server(host="::", port=8000, threads=8, environ={})
    assert server.argv[server.argv.index("--bind") + 1] == "[::]:8000"


def test_pupils_are_shown_the_ipv4_urls_when_listening_on_every_ipv4_interface():
    urls = pupil_urls(addresses=["192.168.1.20", "2001:db8::20"], bind_host=EVERY_IPV4, port=8000)
    assert urls == ["http://192.168.1.20:8000/"]


def test_pupils_are_shown_every_url_when_listening_on_ipv6_too():
    urls = pupil_urls(addresses=["192.168.1.20", "2001:db8::20"], bind_host="::", port=8000)
    assert urls == ["http://192.168.1.20:8000/", "http://[2001:db8::20]:8000/"]


def test_pupils_are_shown_only_the_address_the_server_listens_on():
    urls = pupil_urls(addresses=["192.168.1.20", "10.0.0.5"], bind_host="10.0.0.5", port=8000)
    assert urls == ["http://10.0.0.5:8000/"]


def make_run(*args, **env):
    if MAKE is None:
        pytest.skip("make is not installed")
    # Not as a sub-make of `make test`: that one would print "Entering/Leaving directory" lines.
    outer = {key: value for key, value in os.environ.items() if key not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
    result = subprocess.run(
        [MAKE, "--no-print-directory", "-n", "run", *args],
        cwd=BASE_DIR,
        env={**outer, **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return result.stdout.splitlines()[-1]


def test_make_run_still_serves_runserver_with_debug_on_by_default():
    assert make_run() == "DJANGO_DEBUG=1 .venv/bin/python manage.py runserver 127.0.0.1:8000"


def test_make_run_with_a_host_serves_the_local_network():
    assert make_run("HOST=0.0.0.0", "PORT=8123") == ".venv/bin/python manage.py serve_lan --host 0.0.0.0 --port 8123"


def test_a_host_variable_in_the_shell_does_not_change_make_run():
    assert "runserver 127.0.0.1:8000" in make_run(HOST="teachers-laptop")


# The real server, in a subprocess, on loopback.


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_listening(server, port, log, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"serve_lan exited with {server.returncode}:\n{log.read_text()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.2)
    pytest.fail(f"serve_lan did not listen within {timeout} s:\n{log.read_text()}")


def stop(server):
    server.terminate()  # gunicorn stops its workers on SIGTERM
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)  # its own session: this group is the server and its workers
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def lan(tmp_path_factory):
    """A LAN server as `make run HOST=...` starts it, on a throwaway database and static folder."""
    tmp = tmp_path_factory.mktemp("lan")
    env = {name: value for name, value in os.environ.items() if not name.startswith("DJANGO_")}
    env.update(DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}", DJANGO_STATIC_ROOT=str(tmp / "static"))
    manage = [sys.executable, "manage.py"]
    subprocess.run(
        [*manage, "migrate", "--noinput"], cwd=BASE_DIR, env=env, check=True, capture_output=True, timeout=180
    )
    port, log = free_port(), tmp / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [*manage, "serve_lan", "--host", "127.0.0.1", "--port", str(port), "--threads", "2"],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_listening(server, port, log)
        yield {"port": port, "log": log}
    finally:
        stop(server)


def fetch(lan, path, method="GET", body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", lan["port"], timeout=20)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def test_lan_server_prints_the_url_pupils_open(lan):
    assert f"Pupils open: http://127.0.0.1:{lan['port']}/" in lan["log"].read_text()


def test_lan_server_serves_the_home_page_over_plain_http(lan):
    response, _ = fetch(lan, "/")
    assert response.status == 200  # no redirect to https
    assert response.getheader("Strict-Transport-Security") is None


def test_lan_server_answers_a_missing_page_with_the_sites_404_not_a_debug_page(lan):
    response, html = fetch(lan, "/no-such-page/")
    assert response.status == 404
    assert "We could not find that page" in html
    assert "Using the URLconf" not in html and "DEBUG = True" not in html


def test_lan_server_serves_collected_static_files_under_hashed_names(lan):
    _, html = fetch(lan, "/")
    stylesheet = re.search(r"/static/css/site\.[0-9a-f]{12}\.css", html)
    assert stylesheet, "the page links the hashed stylesheet"
    response, css = fetch(lan, stylesheet.group())
    assert response.status == 200
    assert "immutable" in response.getheader("Cache-Control")


def test_a_pupil_can_post_the_login_form_over_plain_http(lan):
    response, html = fetch(lan, "/accounts/login/")
    cookie = SimpleCookie(response.getheader("Set-Cookie"))["csrftoken"]
    assert not cookie["secure"]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    form = urlencode({"csrfmiddlewaretoken": token, "username": "nobody", "password": "wrong"})
    response, html = fetch(
        lan,
        "/accounts/login/",
        method="POST",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie.value}",
            "Origin": f"http://127.0.0.1:{lan['port']}",
        },
    )
    assert response.status == 200  # the form again with its error, not a CSRF refusal
    assert "Please enter a correct username" in html


# Links the pages build for pupils use the address the teacher opened them with.

TEACHER_HOSTS = ["192.168.1.20:8000", "[2001:db8::20]:8000", "teachers-laptop.local:8000"]


@pytest.fixture
def classroom(db, settings):
    settings.ALLOWED_HOSTS = ["192.168.1.20", "[2001:db8::20]", "teachers-laptop.local"]
    return ClassroomFactory(name="10B")


@pytest.mark.parametrize("host", TEACHER_HOSTS)
def test_password_sheet_tells_pupils_the_address_the_teacher_used(client, classroom, host):
    client.force_login(classroom.teacher)
    response = client.post(
        reverse("forum:class_accounts", args=[classroom.pk]),
        {"names": "Dee Pupil"},
        headers={"host": host},
        follow=True,
    )
    html = response.content.decode()
    assert "dee.pupil" in html
    assert f"http://{host}/accounts/login/" in html
    assert "127.0.0.1" not in html


@pytest.mark.parametrize("host", TEACHER_HOSTS)
def test_class_page_join_link_uses_the_address_the_teacher_used(client, classroom, host):
    client.force_login(classroom.teacher)
    response = client.get(classroom.get_absolute_url(), headers={"host": host})
    html = response.content.decode()
    assert f"http://{host}/classes/join/{classroom.join_code}/" in html
    assert "127.0.0.1" not in html
