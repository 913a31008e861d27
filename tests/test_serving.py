"""The site as `make run` serves it (gunicorn with leaderboard/gunicorn_conf.py): a
crowd of clients that send their headers slowly cannot stop it answering others, and
they are dropped once their headers are late."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.conf import settings

from .support import free_port

pytestmark = pytest.mark.slow

SLOW_CLIENTS = 60


@pytest.fixture
def served(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "DJANGO_SECRET_KEY": "serving-test-key",
        "DJANGO_DEBUG": "0",
        "DJANGO_DOWNLOADS_DIR": str(tmp_path / "downloads"),
    }
    manage = [sys.executable, "manage.py"]
    for args in (
        ["migrate", "--noinput", "-v0"],
        ["loaddata", "article", "-v0"],
        ["collectstatic", "--noinput", "-v0"],  # as make run does: pages name hashed files
    ):
        subprocess.run(manage + args, cwd=settings.BASE_DIR, env=env, check=True, timeout=300)
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "leaderboard.wsgi"]
    command += ["-c", "python:leaderboard.gunicorn_conf", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "2"]
    server = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_slow_clients_cannot_hold_the_workers(served):
    slow = []
    for _ in range(SLOW_CLIENTS):
        sock = socket.create_connection(("127.0.0.1", served), timeout=10)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-a: b\r\n")  # headers unfinished
        slow.append(sock)
    time.sleep(1)
    started = time.monotonic()
    with urllib.request.urlopen(f"http://127.0.0.1:{served}/benchmarks/", timeout=5) as page:
        assert page.status == 200
    assert time.monotonic() - started < 2
    # Their headers are late (keepalive, 5 s): the server has closed them.
    time.sleep(6)
    closed = 0
    for sock in slow:
        try:
            sock.settimeout(2)
            closed += sock.recv(1) == b""
        except OSError:
            closed += 1
        finally:
            sock.close()
    assert closed == SLOW_CLIENTS


def test_an_export_is_served_its_kept_copy_as_a_file(served, tmp_path):
    """Under gunicorn, as in production: the second request for an export is its
    kept copy (``web.downloads``), sent whole with its length."""
    url = f"http://127.0.0.1:{served}/?_export=json"
    with urllib.request.urlopen(url, timeout=30) as first:
        built = first.read()
        assert first.headers["Content-Length"] is None  # streamed as it was built
    assert len(list((tmp_path / "downloads").glob("*.download"))) == 1
    with urllib.request.urlopen(url, timeout=30) as again:
        assert again.read() == built
        assert int(again.headers["Content-Length"]) == len(built)
        assert again.headers["Content-Disposition"] == first.headers["Content-Disposition"]
    data = json.loads(built)
    assert len(data["rows"]) == data["count"] > 0
