"""How the site is served (``make run``, the browser test, ``make bench`` and
``make load`` all use it): gunicorn with gevent workers, so a client that sends its
request slowly holds a cheap greenlet, not a worker. Measured with
``bench/slow_clients.py``: behind 40 slowloris connections, sync and threaded (gthread,
8 threads) workers stopped answering; gevent workers answered in 65 ms (97 ms behind
300).

Each request's headers must arrive within ``keepalive`` seconds (gunicorn's gevent
worker reads them under that timeout), so slow clients are dropped, not kept. In
production, put a buffering proxy in front (nginx, Caddy): see the README.
"""

import os

worker_class = "gevent"
# Connections each worker holds at once, slow ones included.
worker_connections = 1000
# Seconds for a request's headers to arrive (and for an idle kept-alive connection).
keepalive = 5
# A worker busy past this many seconds is restarted. An admin import at its limit
# (10,000 rows) takes 22-32 s on a 2-core machine (`make scale`): 60 leaves it room.
timeout = 60

# Under gevent a database connection belongs to a greenlet, which lives as long as its
# client's connection. On SQLite keeping it is cheap and saves reopening the file per
# request (home page: 3,320 requests/s kept, 1,280 reopened; sync workers 2,900). On
# PostgreSQL each kept-alive client would hold a server connection: close after each
# request unless told otherwise (or put a pooler in front).
if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
    os.environ.setdefault("DJANGO_CONN_MAX_AGE", "0")
