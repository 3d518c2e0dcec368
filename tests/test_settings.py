import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command

PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "x7#kq-L0ng-r4nd0m-pr0duct10n-k3y-f0r-th3-d3pl0y-ch3ck-9a8b7c6d5e4f",
    "DJANGO_ALLOWED_HOSTS": "example.org",
}


def manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_deploy_check_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_secret_key_is_required_when_debug_is_off():
    result = manage("check", env={**PRODUCTION, "DJANGO_SECRET_KEY": ""})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_collectstatic_builds_hashed_compressed_files(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    names = {path.name for path in tmp_path.rglob("*")}
    assert "staticfiles.json" in names
    assert any(name.startswith("bootstrap.min.") and name.endswith(".css.gz") for name in names)
    assert any(name.startswith("htmx.min.") and name.endswith(".js") for name in names)


def test_manage_py_in_a_bare_checkout_runs_as_development():
    result = manage("shell", "-c", "from django.conf import settings; print(settings.DEBUG)", env={})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("True")


def test_manage_py_with_a_secret_key_keeps_debug_off():
    env = {name: value for name, value in PRODUCTION.items() if name != "DJANGO_DEBUG"}
    result = manage("shell", "-c", "from django.conf import settings; print(settings.DEBUG)", env=env)
    assert result.stdout.strip().endswith("False")


PRINT_TASKS_BACKEND = "from django.conf import settings; print(settings.TASKS['default']['BACKEND'])"


def test_production_with_a_database_url_queues_tasks_for_the_worker(tmp_path):
    env = {**PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    result = manage("shell", "-c", PRINT_TASKS_BACKEND, env=env)
    assert result.stdout.strip().endswith("django_tasks_db.DatabaseBackend"), result.stderr


def test_development_runs_tasks_at_once_without_a_worker():
    result = manage("shell", "-c", PRINT_TASKS_BACKEND, env={"DJANGO_DEBUG": "1"})
    assert result.stdout.strip().endswith("django_tasks.backends.immediate.ImmediateBackend"), result.stderr


def test_an_unknown_tasks_backend_is_refused():
    result = manage("check", env={**PRODUCTION, "DJANGO_TASKS_BACKEND": "celery"})
    assert result.returncode != 0
    assert "DJANGO_TASKS_BACKEND must be one of database, immediate" in result.stderr
