"""WSGI entry point, for gunicorn: `gunicorn diplomacy.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diplomacy.settings")
application = get_wsgi_application()
