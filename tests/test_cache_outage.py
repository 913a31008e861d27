"""The page cache is an accelerator: a real Redis, stopped and started under the site,
slows pages (they render) but never breaks them, and pages go back to the cache when
Redis returns. A stalled Redis (it accepts connections and never answers) costs a
request at most one wait, and a process one wait per retry interval. The in-process
cache is bounded."""

import logging
import shutil
import socket
import subprocess
import threading
import time

import pytest
import redis
from django.core.cache import caches

from leaderboard.web import caching

from .support import free_port, moved_back, yesterday

pytestmark = pytest.mark.slow

needs_redis_server = pytest.mark.skipif(
    not shutil.which("redis-server"),
    reason="Redis is not installed (apt-get install redis-server).",
)


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


class StalledServer:
    """A Redis that is up but stuck (as under ``CLIENT PAUSE`` or ``DEBUG SLEEP``): it
    accepts connections and never answers. It counts the connections it accepts: the
    site's Redis client drops a connection whose command timed out, so each cache
    operation that waited opened one."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.05)
        self.port = self.listener.getsockname()[1]
        self.accepted, self.stopping = [], threading.Event()
        self.thread = threading.Thread(target=self.accept, daemon=True)
        self.thread.start()

    def accept(self):
        while not self.stopping.is_set():
            try:
                self.accepted.append(self.listener.accept()[0])  # and never answer
            except TimeoutError:
                continue

    @property
    def connections(self):
        return len(self.accepted)

    def stop(self):
        self.stopping.set()
        self.thread.join()
        for connection in [self.listener, *self.accepted]:
            connection.close()


def redis_cache_at(port, timeout=0.5):
    """CACHES naming a Redis on this port, with the site's timeouts (or shorter)."""
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout},
        }
    }


@pytest.fixture(autouse=True)
def closed_breaker():
    """Each test starts with the page cache's breaker closed, and leaves it closed for
    the tests after it."""
    caching.breaker.reset()
    yield
    caching.breaker.reset()


class Clock:
    """The breaker's clock, moved on by a test instead of sleeping."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(caching.breaker, "clock", fake)
    return fake


@pytest.fixture
def redis_server(tmp_path, settings):
    server = RedisServer(tmp_path)
    server.start()
    settings.CACHES = redis_cache_at(server.port)
    yield server
    if server.process.poll() is None:
        server.stop()


@pytest.fixture
def stalled_redis(settings):
    server = StalledServer()
    # A shorter wait than the site's keeps the test quick; the test counts, never times.
    settings.CACHES = redis_cache_at(server.port, timeout=0.2)
    yield server
    server.stop()


@needs_redis_server
@pytest.mark.parametrize("url", ["/", "/benchmarks/ai-index/", "/models/nemotron-3-super/"])
def test_pages_render_while_redis_is_down_and_use_it_again_when_it_returns(
    client, article, redis_server, caplog, clock, settings, url
):
    assert client.get(url).status_code == 200
    assert redis_server.keys() > 0  # the page went into Redis

    redis_server.stop()
    with caplog.at_level(logging.WARNING, logger="leaderboard.web.caching"):
        down = client.get(url, {"while": "down"})
    assert down.status_code == 200 and b"Nemotron 3 Super" in down.content
    assert "Page cache unavailable" in caplog.text

    redis_server.start()  # the same port, empty
    assert redis_server.keys() == 0
    assert client.get(url, {"within": "the interval"}).status_code == 200
    assert redis_server.keys() == 0  # the process still serves without the cache
    clock.advance(settings.PAGE_CACHE_RETRY_SECONDS)
    assert client.get(url, {"after": "return"}).status_code == 200
    assert redis_server.keys() > 0  # back in the cache
    assert client.get(url, {"and": "after"}).status_code == 200
    assert redis_server.keys() > 2  # and it stays there


def test_a_stalled_redis_costs_one_wait_then_the_process_skips_it_for_a_while(
    client, article, stalled_redis, clock, settings, caplog
):
    """Before, a page waited for its cache read and again for its write (1.02–1.08 s
    with 0.5 s timeouts), on every request."""
    with caplog.at_level(logging.WARNING, logger="leaderboard.web.caching"):
        page = client.get("/")
    assert page.status_code == 200 and b"Nemotron 3 Super" in page.content
    assert stalled_redis.connections == 1  # the read waited; the write was skipped
    assert "Page cache unavailable" in caplog.text

    # Within the retry interval, no request of this process tries the cache.
    for url in ["/", "/benchmarks/ai-index/", "/models/nemotron-3-super/"]:
        assert client.get(url, {"within": "the interval"}).status_code == 200
    assert stalled_redis.connections == 1

    # After it, one request tries again, waits once, and the interval starts over.
    clock.advance(settings.PAGE_CACHE_RETRY_SECONDS)
    assert client.get("/", {"after": "the interval"}).status_code == 200
    assert stalled_redis.connections == 2
    assert client.get("/", {"and": "after"}).status_code == 200
    assert stalled_redis.connections == 2


def test_each_request_waits_for_a_stalled_redis_at_most_once(
    client, article, stalled_redis, settings
):
    """With no interval at all (every request tries the cache), each request still
    gives up on it after its first wait: one per request, never a read and a write."""
    settings.PAGE_CACHE_RETRY_SECONDS = 0
    for n, url in enumerate(["/", "/benchmarks/ai-index/", "/models/nemotron-3-super/"], 1):
        assert client.get(url).status_code == 200
        assert stalled_redis.connections == n


def test_while_one_request_tries_the_cache_again_the_others_skip_it(clock, settings):
    """The breaker lets one request (of any thread or greenlet) try a cache that
    failed, once the interval is over; the others skip it until that one answers."""
    breaker = caching.Breaker()
    breaker.clock = clock
    assert breaker.allows() and breaker.allows()  # closed: everyone
    breaker.record(False)
    assert not breaker.allows()
    clock.advance(settings.PAGE_CACHE_RETRY_SECONDS)
    assert breaker.allows()  # the one that tries
    assert not breaker.allows() and not breaker.allows()  # the others, meanwhile
    breaker.record(False)  # it failed: another interval
    assert not breaker.allows()
    clock.advance(settings.PAGE_CACHE_RETRY_SECONDS)
    assert breaker.allows()
    breaker.record(True)  # it answered: closed again
    assert breaker.allows() and breaker.allows()


def test_an_answer_begun_before_a_failure_does_not_close_the_breaker(clock):
    breaker = caching.Breaker()
    breaker.clock = clock
    breaker.record(False)
    breaker.record(True)  # a slow read that began while the cache still answered
    assert not breaker.allows()


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
    # Larger than the bound: not kept (the page's rows and parts are, being small).
    assert not [key for key in caches["default"]._cache if ":page:" in key or "views." in key]


@needs_redis_server
def test_a_page_as_of_a_past_day_renders_while_redis_is_down(client, article, redis_server, clock):
    moved_back()
    url = f"/?as_of={yesterday()}"
    redis_server.stop()
    down = client.get(url)
    assert down.status_code == 200 and b"Nemotron 3 Super" in down.content
    assert b"As it stood at the end of" in down.content
    redis_server.start()
    clock.advance(30)
    again = client.get(url, {"sort": "name"})
    assert again.status_code == 200 and b"Nemotron 3 Super" in again.content
