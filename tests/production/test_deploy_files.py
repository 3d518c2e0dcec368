"""The files in deploy/: nginx accepts the site as rendered, with and without HTTPS; the settings add up."""

import importlib.util
import re
import shutil
import subprocess

import pytest
from django.conf import settings as django_settings

BASE_DIR = django_settings.BASE_DIR
NGINX = shutil.which("nginx") or shutil.which("/usr/sbin/nginx")
OPENSSL = shutil.which("openssl")
needs_nginx = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx)")


def load_stack():
    spec = importlib.util.spec_from_file_location("deploy_stack", BASE_DIR / "deploy" / "stack.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


stack = load_stack()


def nginx_test(tmp_path, site: str) -> subprocess.CompletedProcess:
    """`nginx -t` on this site config, inside a minimal main config of the test's own."""
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n include /etc/nginx/mime.types;\n client_body_temp_path {tmp_path}/body;\n"
        f" proxy_temp_path {tmp_path}/proxy;\n include {tmp_path}/site.conf;\n}}\n"
    )
    command = [NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "error.log")]
    return subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)


def real_server_site(tmp_path) -> str:
    return stack.nginx_site(
        {"FORUM_SERVER_NAME": "forum.example.org", "FORUM_ACCESS_LOG": str(tmp_path / "access.log")}
    )


def with_https(site: str, certificate: str, key: str) -> str:
    """The README's steps: the TLS lines instead of `listen 80;`, and the redirect server uncommented."""
    site = site.replace("    listen 80;\n", "", 1)
    site = re.sub(r"^(\s*)# ((listen|ssl_)\S* .*;)$", r"\1\2", site, flags=re.MULTILINE)
    redirect = site[site.index("# server {") :]
    site = site.replace(redirect, re.sub(r"^# ?", "", redirect, flags=re.MULTILINE))
    return site.replace("/etc/letsencrypt/live/forum.example.org/fullchain.pem", certificate).replace(
        "/etc/letsencrypt/live/forum.example.org/privkey.pem", key
    )


@needs_nginx
def test_nginx_accepts_the_site_config_rendered_for_a_real_server(tmp_path):
    result = nginx_test(tmp_path, real_server_site(tmp_path))
    assert result.returncode == 0, result.stderr


@needs_nginx
@pytest.mark.skipif(OPENSSL is None, reason="openssl makes the test certificate")
def test_nginx_accepts_the_site_config_with_https_switched_on_as_the_readme_says(tmp_path):
    certificate, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            OPENSSL,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=forum.example.org",
            "-keyout",
            str(key),
            "-out",
            str(certificate),
        ],
        capture_output=True,
        timeout=60,
        check=True,
    )
    site = with_https(real_server_site(tmp_path), str(certificate), str(key))
    assert "listen 443 ssl http2;" in site and "return 301 https://$host$request_uri;" in site
    result = nginx_test(tmp_path, site)
    assert result.returncode == 0, result.stderr


def test_the_site_config_proxies_to_every_app_server_and_tells_them_who_asked(tmp_path):
    site = stack.nginx_site({"FORUM_APP_PORTS": "8001 8002 8003"})
    assert re.findall(r"server 127\.0\.0\.1:(\d+)", site) == ["8001", "8002", "8003"]
    for header in (
        "X-Forwarded-For $proxy_add_x_forwarded_for",
        "X-Forwarded-Proto $scheme",
        "X-Request-ID $request_id",
    ):
        assert f"proxy_set_header {header};" in site
    assert "proxy_next_upstream error timeout;" in site


def test_every_setting_in_the_env_file_template_is_one_the_site_reads():
    template = stack.read_env_file(BASE_DIR / "deploy" / "forum.env.example")
    readers = "".join(
        path.read_text()
        for path in [
            BASE_DIR / "diplomacy" / "settings.py",
            BASE_DIR / "deploy" / "gunicorn.conf.py",
            BASE_DIR / "deploy" / "systemd" / "forum-worker.service",
        ]
    )
    assert [key for key in template if f'"{key}"' not in readers and f"${key}" not in readers] == []


def test_the_local_stack_runs_the_template_with_plain_http_behind_one_trusted_proxy(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")  # a shell set up for the tests
    config = stack.Config({"FORUM_RUN_DIR": str(tmp_path)})
    local = stack.local_settings(config, environ={})
    assert local["DATABASE_URL"] == "postgres://postgres@127.0.0.1:5432/forum_prod"
    assert (local["DJANGO_HTTPS"], local["DJANGO_TRUSTED_PROXIES"], local["DJANGO_PROXY_SSL_HEADER"]) == ("0", "1", "1")
    assert local["DJANGO_DEBUG"] == "0" and len(local["DJANGO_SECRET_KEY"]) > 50


def test_the_stack_never_uses_the_database_ci_tests_on():
    with pytest.raises(stack.StackError, match="the `test` one is CI's"):
        stack.ensure_database("postgres://postgres@127.0.0.1:5432/test")
