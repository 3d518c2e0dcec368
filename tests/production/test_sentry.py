"""Sentry: switched on by SENTRY_DSN alone."""

import os
import subprocess
import sys

import sentry_sdk
from django.conf import settings as django_settings

PROBE = (
    "import django, sentry_sdk; django.setup(); client = sentry_sdk.get_client(); "
    "print(client.is_active(), 'django' in client.integrations, client.options['send_default_pii'])"
)


def test_without_a_dsn_sentry_is_not_started():
    assert not sentry_sdk.get_client().is_active()


def test_a_dsn_starts_sentry_with_its_django_integration_and_no_personal_data():
    # Port 9 on loopback: nothing is sent anywhere, and nothing is reported during this check anyway.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "diplomacy.settings", "SENTRY_DSN": "http://key@127.0.0.1:9/1"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "False"]
