"""The page cache is an accelerator: a real Redis, stopped and started under the site,
slows pages (they render) but never breaks them, and pages go back to the cache when
Redis returns. The in-process cache is bounded."""

import logging
import shutil
import socket
import subprocess
import time

import pytest
import redis
from django.core.cache import caches

pytestmark = pytest.mark.skipif(
    not shutil.which("redis-server"),
    reason="Redis is not installed (apt-get install redis-server).",
)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A throwaway redis-server of our own, on a free port, keeping nothing on disk."""

    def __init__(self, tmp_path):
        self.port, self.tmp_path, self.process = free_port(), tmp_path, None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.tmp_path)],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)

    def keys(self):
        return redis.Redis(port=self.port).dbsize()


@pytest.fixture
def redis_server(tmp_path, settings):
    server = RedisServer(tmp_path)
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{server.port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    yield server
    if server.process.poll() is None:
        server.stop()


@pytest.mark.parametrize("url", ["/", "/benchmarks/ai-index/", "/models/nemotron-3-super/"])
def test_pages_render_while_redis_is_down_and_use_it_again_when_it_returns(
    client, article, redis_server, caplog, url
):
    assert client.get(url).status_code == 200
    assert redis_server.keys() > 0  # the page went into Redis

    redis_server.stop()
    with caplog.at_level(logging.WARNING, logger="leaderboard.caching"):
        down = client.get(url, {"while": "down"})
    assert down.status_code == 200 and b"Nemotron 3 Super" in down.content
    assert "Page cache unavailable" in caplog.text

    redis_server.start()  # the same port, empty
    assert redis_server.keys() == 0
    assert client.get(url, {"after": "return"}).status_code == 200
    assert redis_server.keys() > 0  # back in the cache


def test_the_in_process_cache_is_bounded(client, article, settings):
    """Each worker's own cache holds at most MAX_ENTRIES pages, none larger than
    PAGE_CACHE_MAX_BYTES: distinct URLs cannot grow a worker without bound."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 10},
        }
    }
    for i in range(40):
        assert client.get("/", {"page_view": i}).status_code == 200
    stored = caches["default"]._cache
    assert 0 < len(stored) <= 10 * 2  # a page and its Vary header list each
    settings.PAGE_CACHE_MAX_BYTES = 100
    caches["default"].clear()
    assert client.get("/", {"large": 1}).status_code == 200
    assert len(caches["default"]._cache) == 0  # larger than the bound: not kept
