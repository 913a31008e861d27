"""Pages that are fast and never stale: validation by the data version and the
release, the page cache (local and Redis), and every kind of write showing on the next
request."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from leaderboard.models import AIModel, DataVersion, Result
from leaderboard.rules import writes

from .factories import make_organization
from .support import PUBLIC_URLS, change_form_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_pages_validate_with_the_data_version(client, article, url):
    first = client.get(url)
    assert first.status_code == 200
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert "no-cache" in first["Cache-Control"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"v0-other"').status_code == 200
    # If-Modified-Since alone never answers 304 (see the next test); beside a
    # matching ETag it changes nothing.
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 200
    both = client.get(url, HTTP_IF_NONE_MATCH=etag, HTTP_IF_MODIFIED_SINCE=last_modified)
    assert both.status_code == 304


def test_if_modified_since_alone_cannot_get_a_stale_page(client, article, monkeypatch):
    """Two edits within one second, and a new release, leave Last-Modified where it
    was (it has one-second resolution and knows no release): a client holding the
    older page must still get the new one."""
    from leaderboard.web import caching

    first = client.get("/models/nemotron-3-super/")
    model = AIModel.objects.get(slug="nemotron-3-super")
    model.description = "Edited within the same second."
    writes.save(model)
    DataVersion.objects.update(changed_at=DataVersion.objects.get().changed_at)
    again = client.get("/models/nemotron-3-super/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 200 and b"Edited within the same second." in again.content
    monkeypatch.setattr(caching, "RELEASE", "next-release")
    far_future = "Fri, 01 Jan 2100 00:00:00 GMT"
    after_release = client.get("/models/nemotron-3-super/", HTTP_IF_MODIFIED_SINCE=far_future)
    assert after_release.status_code == 200


def test_cached_pages_are_kept_apart_by_the_headers_they_vary_on(client, article, monkeypatch):
    """A page whose response varies on a header (here X-Reader, set by a view for the
    test) is cached once per value of that header, not served to every client from
    the first one's copy."""
    from django.utils.cache import patch_vary_headers

    from leaderboard import views

    original = views.BenchmarkListView.get

    def varying(self, request, *args, **kwargs):
        response = original(self, request, *args, **kwargs)
        response.render()
        response.content += request.headers.get("X-Reader", "none").encode()
        patch_vary_headers(response, ["X-Reader"])
        return response

    monkeypatch.setattr(views.BenchmarkListView, "get", varying)
    english = client.get("/benchmarks/", HTTP_X_READER="en")
    french = client.get("/benchmarks/", HTTP_X_READER="fr")
    assert english.content.endswith(b"en") and french.content.endswith(b"fr")
    monkeypatch.setattr(views.BenchmarkListView, "get", original)
    # Both are now answered from the cache, each with its own copy.
    assert client.get("/benchmarks/", HTTP_X_READER="fr").content.endswith(b"fr")
    assert client.get("/benchmarks/", HTTP_X_READER="en").content.endswith(b"en")


def test_a_new_release_invalidates_etags_and_cached_pages(client, article, monkeypatch):
    from leaderboard.web import caching

    first = client.get("/")
    assert caching.RELEASE in first["ETag"]
    monkeypatch.setattr(caching, "RELEASE", "next-release")
    again = client.get("/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and "next-release" in again["ETag"]


def test_a_cached_page_costs_one_query(client, article, django_assert_num_queries):
    client.get("/")
    with django_assert_num_queries(1):
        again = client.get("/")
    assert again.status_code == 200 and b"Nemotron 3 Super" in again.content


def test_every_kind_of_write_shows_on_the_next_request(admin_client, client, article, tmp_path):
    url = "/benchmarks/ai-index/"
    etags = [client.get(url)["ETag"]]

    # An admin save.
    model = AIModel.objects.get(slug="gpt-oss-largest")
    change_url = reverse("admin:leaderboard_aimodel_change", args=[model.pk])
    data = change_form_data(admin_client, change_url)
    data["name"] = "GPT-OSS (renamed by an editor)"
    assert admin_client.post(change_url, data).status_code == 302
    response = client.get(url, HTTP_IF_NONE_MATCH=etags[-1])
    assert response.status_code == 200
    assert b"GPT-OSS (renamed by an editor)" in response.content
    etags.append(response["ETag"])

    # A fixture load (loaddata names the model by slug and restores its name).
    call_command("loaddata", "article", verbosity=0)
    response = client.get(url, HTTP_IF_NONE_MATCH=etags[-1])
    assert b"GPT-OSS (largest version)" in response.content
    etags.append(response["ETag"])

    # A delete.
    writes.delete(Result.objects.get(model=model, benchmark__slug="ai-index"))
    response = client.get(url, HTTP_IF_NONE_MATCH=etags[-1])
    assert b"GPT-OSS (largest version)" not in response.content
    etags.append(response["ETag"])
    assert len(set(etags)) == 4


def test_data_version_counts_writes_only(article):
    before = DataVersion.current().version
    list(AIModel.objects.all())
    assert DataVersion.current().version == before
    make_organization()
    assert DataVersion.current().version == before + 1


def test_cache_backend_follows_redis_url():
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    show = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CACHES['default']['BACKEND'])"
    )
    outputs = []
    for extra in ({}, {"REDIS_URL": "redis://127.0.0.1:6379/1"}):
        completed = subprocess.run(
            [sys.executable, "-c", show],
            cwd=settings.BASE_DIR,
            env={**env, **extra, "DJANGO_SETTINGS_MODULE": "leaderboard.settings"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        outputs.append(completed.stdout.strip())
    assert outputs == [
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.redis.RedisCache",
    ]


def redis_reachable():
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_reachable() and not os.environ.get("CI"), reason="no Redis")
def test_pages_are_shared_through_redis(client, article, settings, django_assert_num_queries):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": f"test-{os.getpid()}",
        }
    }
    from django.core.cache import cache

    cache.clear()
    first = client.get("/models/nemotron-3-super/")
    with django_assert_num_queries(1):
        second = client.get("/models/nemotron-3-super/")
    assert second.content == first.content
    keys = cache._cache.get_client().keys()
    assert any(key.decode().startswith(f"test-{os.getpid()}") for key in keys)
    cache.clear()


def test_validation_headers_exactly_and_after_a_write(client, article):
    from email.utils import parsedate_to_datetime

    url = "/models/nemotron-3-super/"
    first = client.get(url)
    assert first["Cache-Control"] == "public, no-cache"
    not_modified = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304
    assert not_modified["ETag"] == first["ETag"]
    assert not_modified["Last-Modified"] == first["Last-Modified"]
    assert not_modified["Cache-Control"] == "public, no-cache"
    stamp = parsedate_to_datetime(first["Last-Modified"])
    assert stamp.replace(microsecond=0) == DataVersion.current().changed_at.replace(microsecond=0)

    model = AIModel.objects.get(slug="nemotron-3-super")
    model.description = "Edited."
    writes.save(model)
    DataVersion.objects.update(changed_at=DataVersion.current().changed_at + timedelta(seconds=5))
    after = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200 and b"Edited." in after.content
    assert after["ETag"] != first["ETag"]
    assert parsedate_to_datetime(after["Last-Modified"]) > stamp
    # Only what a page answers 200 or 304 gets the headers: a missing page does not.
    missing = client.get("/models/no-such-model/")
    assert missing.status_code == 404 and "ETag" not in missing


def test_a_page_is_cached_and_served_from_the_cache(client, article, settings):
    url = "/benchmarks/ai-index/"
    first = client.get(url)
    # A write that bypasses the data version (never done by the site) shows the cache
    # is what answered.
    Result.objects.filter(value=37).update(value=36)
    assert client.get(url).content == first.content
    settings.PAGE_CACHE_SECONDS = 0
    settings.PART_CACHE_SECONDS = 0  # rows and charts too are kept under the version
    assert client.get(url).content != first.content


def test_the_etag_names_the_data_version_its_time_and_the_release(client, article):
    from leaderboard.web import caching

    data = DataVersion.current()
    response = client.get("/benchmarks/")
    expected = f'"v{data.version}-{data.changed_at.timestamp():.6f}-{caching.RELEASE}"'
    assert response["ETag"] == expected


def test_the_release_is_a_digest_of_code_templates_and_static_files(
    settings, tmp_path, monkeypatch
):
    from leaderboard.web.caching import code_release

    monkeypatch.delenv("DJANGO_RELEASE", raising=False)
    for folder in ("leaderboard", "templates", "static"):
        (tmp_path / folder / "sub").mkdir(parents=True)
    page = tmp_path / "templates" / "sub" / "page.html"
    page.write_text("<p>one</p>")
    (tmp_path / "static" / "notes.txt").write_text("not part of a release")
    settings.BASE_DIR = tmp_path
    first = code_release()
    assert len(first) == 12 and int(first, 16) >= 0
    (tmp_path / "static" / "notes.txt").write_text("changed, and still not part of it")
    assert code_release() == first
    page.write_text("<p>two</p>")  # a template in a subfolder
    second = code_release()
    assert second != first
    (tmp_path / "static" / "sub" / "site.css").write_text("p {}")
    assert code_release() != second
    monkeypatch.setenv("DJANGO_RELEASE", "2026.11.30")
    assert code_release() == "2026.11.30"


def test_pages_up_to_the_byte_limit_are_cached(client, article, settings):
    """A page exactly at the limit is cached, one byte over is rendered each time
    (a write that bypasses the data version shows which; rows and parts, kept apart
    under the same version, are made afresh here so only the page cache is seen)."""
    settings.PART_CACHE_SECONDS = 0
    url = "/benchmarks/pinchbench/"
    size = len(client.get(url).content)
    settings.PAGE_CACHE_MAX_BYTES = size
    DataVersion.bump()  # a new version: a fresh cache entry
    first = client.get(url).content
    Result.objects.filter(rank=1).update(rank=2)
    assert client.get(url).content == first  # served from the cache
    settings.PAGE_CACHE_MAX_BYTES = size - 1
    DataVersion.bump()
    client.get(url)
    Result.objects.filter(rank=2).update(rank=3)
    assert b"#3" in client.get(url).content  # over the limit: rendered each time
