"""gunicorn's settings for one app server of the forum.

Used as is by `make prod-up` (two of them, `--bind 127.0.0.1:PORT` each) and by
deploy/systemd/forum-web@.service (one per port: forum-web@8001, forum-web@8002).
The numbers come from the environment (deploy/forum.env.example).
"""

import os
from pathlib import Path

wsgi_app = "diplomacy.wsgi"
chdir = str(Path(__file__).resolve().parent.parent)  # the checkout, wherever it is
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")]  # --bind on the command line wins

# Threads: a request mostly waits for PostgreSQL or Redis. Every worker shares nothing but them.
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Recycle workers now and then so a slow leak never grows; the jitter keeps them from restarting together.
max_requests = 2000
max_requests_jitter = 200

# nginx is the only client (on loopback): it alone may say a request came over HTTPS (X-Forwarded-Proto).
forwarded_allow_ips = "127.0.0.1,::1"

# Logs on stderr (journald, or make prod-up's files). No access log: the site writes one JSON line per
# request on the `forum.request` logger, with the request id nginx sends (forum/requestlog.py).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# gunicorn 27 otherwise opens a control socket in ~/.gunicorn, shared by every server a user runs.
control_socket_disable = True
