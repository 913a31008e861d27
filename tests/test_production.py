"""Production behaviour: caching that is never stale, security headers and checks,
login lockout, escaping everywhere, backups that round-trip, SQLite under load."""

import csv
import io
import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from leaderboard import writes
from leaderboard.exports import defuse
from leaderboard.models import AIModel, Benchmark, DataVersion, Organization, Result, Source

from .factories import make_benchmark, make_model, make_organization, make_result
from .support import change_form_data

pytestmark = pytest.mark.django_db

PUBLIC_URLS = [
    "/",
    "/benchmarks/",
    "/benchmarks/ai-index/",
    "/models/nemotron-3-super/",
    "/organizations/nvidia/",
    "/sources/gate-nvidia-enters-the-ai-large-model-race/",
    "/?_export=csv",
]


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
    from leaderboard import caching

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
    from leaderboard import caching

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


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_pages_accept_only_get_and_head(client, article, url):
    assert client.head(url).status_code == 200
    for method in ["post", "put", "patch", "delete"]:
        assert getattr(client, method)(url).status_code == 405, method


def test_security_headers(client, article):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    # The admin lives under the same policy.
    assert "unsafe-inline" not in client.get("/admin/login/")["Content-Security-Policy"]


def test_pages_carry_no_inline_script_or_style(client, article):
    for url in PUBLIC_URLS[:-1]:
        page = client.get(url).content.decode()
        assert "<script" not in page and "<style" not in page and " style=" not in page, url
        assert " onclick=" not in page and " onerror=" not in page, url


def test_deploy_checks_pass_with_production_settings():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SECRET_KEY="k" + "".join(chr(65 + (i * 7) % 50) for i in range(60)),
        DJANGO_ALLOWED_HOSTS="leaderboard.example.org",
        DJANGO_HTTPS="1",
        DJANGO_DEBUG="0",
    )
    completed = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "no issues" in completed.stdout


def login(client, password, **request):
    """An admin login attempt as "editor", from 203.0.113.9 unless ``request`` says."""
    return client.post(
        reverse("admin:login"),
        {"username": "editor", "password": password, "next": "/admin/"},
        **{"REMOTE_ADDR": "203.0.113.9", **request},
    )


def test_admin_login_brute_force_is_locked_out_then_cools_off(client, django_user_model):
    django_user_model.objects.create_user("editor", password="right-horse-battery", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "wrong").status_code == 200
    locked = login(client, "wrong")
    assert locked.status_code == 429
    # Even the right password is refused while locked out.
    assert login(client, "right-horse-battery").status_code == 429

    # After the cool-off the right password works again.
    from axes.models import AccessAttempt

    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    )
    response = login(client, "right-horse-battery")
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_only_staff_reach_the_admin(client, django_user_model):
    django_user_model.objects.create_user("reader", password="reader-pass-123")
    client.force_login(django_user_model.objects.get(username="reader"))
    response = client.get("/admin/leaderboard/result/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


HOSTILE = '<script>alert("x")</script>'


@pytest.fixture
def hostile_data(db):
    organization = make_organization(name=f"Org {HOSTILE}", slug="hostile-org")
    source = Source.objects.create(title=f"Src {HOSTILE}", slug="hostile-source")
    benchmark = make_benchmark(
        name=f"Bench {HOSTILE}", slug="hostile-bench", measures=HOSTILE, notes=HOSTILE
    )
    model = make_model(
        name=f"=HYPERLINK(1) {HOSTILE}",
        slug="hostile-model",
        organization=organization,
        description=HOSTILE,
        active_parameters=10**9,
    )
    model.aliases.create(name=HOSTILE)
    make_result(
        model=model,
        benchmark=benchmark,
        source=source,
        value=5,
        provenance="vendor_claim",
        claimed_by=organization,
    )
    return model


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/?show=hostile-bench&sort=benchmark-hostile-bench",
        "/benchmarks/",
        "/benchmarks/hostile-bench/",
        "/models/hostile-model/",
        "/organizations/hostile-org/",
        "/sources/hostile-source/",
        "/?q=%3Cscript%3E",
    ],
)
def test_everything_an_editor_types_stays_text(client, hostile_data, url):
    page = client.get(url).content.decode()
    assert "<script" not in page
    assert "&lt;script&gt;" in page


def test_csv_export_defuses_formulas_and_json_keeps_text(client, hostile_data):
    body = client.get("/", {"show": "hostile-bench", "_export": "csv"}).getvalue().decode()
    rows = list(csv.reader(io.StringIO(body)))
    cells = [cell for row in rows for cell in row]
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert f"'=HYPERLINK(1) {HOSTILE}" in cells
    data = json.loads(client.get("/", {"_export": "json"}).getvalue())
    assert data["rows"][0]["model"]["name"] == f"=HYPERLINK(1) {HOSTILE}"


def test_defuse_leaves_plain_numbers_alone():
    assert defuse("-1.5") == "-1.5"
    assert defuse("+3") == "+3"
    assert defuse("-1+1") == "'-1+1"
    assert defuse("@SUM(A1)") == "'@SUM(A1)"
    assert defuse(42) == 42


# Outside a test transaction: PostgreSQL cannot flush tables with pending checks.
@pytest.mark.django_db(transaction=True)
def test_backup_restores_everything_unchanged(admin_client, article, tmp_path):
    # Some history and an editor to keep.
    result = Result.objects.get(model__slug="nemotron-3-super", benchmark__slug="pinchbench")
    result.reported_on = timezone.now().date()
    writes.save(result)
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    call_command("backup", str(first), stdout=io.StringIO())
    dumped = json.loads(first.read_text())
    labels = {row["model"] for row in dumped}
    assert {"leaderboard.result", "leaderboard.historicalresult", "auth.user"} <= labels

    # Rows added after the backup do not survive a restore.
    make_organization(slug="added-later")
    call_command("restore", str(first), stdout=io.StringIO())
    call_command("backup", str(second), stdout=io.StringIO())
    assert json.loads(second.read_text()) == dumped
    assert not Organization.objects.filter(slug="added-later").exists()
    # The fixture load's "+" and the edit's "~": the restore adds none.
    assert Result.objects.get(pk=result.pk).history.count() == 2


@pytest.mark.django_db(transaction=True)
def test_restore_of_a_broken_backup_changes_nothing(article, tmp_path):
    good = tmp_path / "good.json"
    call_command("backup", str(good), stdout=io.StringIO())
    rows = json.loads(good.read_text())
    rows.append({"model": "leaderboard.aimodel", "pk": 999, "fields": {"name": "x"}})
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(rows))
    Organization.objects.filter(slug="openai").update(website="https://example.org/")
    before = sorted(map(str, Organization.objects.values_list()))
    with pytest.raises(Exception):  # noqa: B017 - any error will do, as long as nothing lands
        call_command("restore", str(broken), stdout=io.StringIO())
    # Not even the emptying that comes first is left behind.
    assert sorted(map(str, Organization.objects.values_list())) == before
    assert Result.objects.count() == 3


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="SQLite's own settings",
)
def test_sqlite_readers_keep_working_while_an_editor_saves(tmp_path):
    from django.db.backends.sqlite3.base import DatabaseWrapper

    config = {**settings.DATABASES["default"], "NAME": str(tmp_path / "site.sqlite3")}
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    writer, reader = DatabaseWrapper(dict(config), "writer"), DatabaseWrapper(dict(config), "r")
    with writer.cursor() as cursor:
        assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        cursor.execute("CREATE TABLE t (n INTEGER)")
        cursor.execute("INSERT INTO t VALUES (1)")
    writer.set_autocommit(False)  # Django opens the transaction with BEGIN IMMEDIATE
    with writer.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (2)")
        # The write lock is held; a reader still reads the last committed data.
        with reader.cursor() as read:
            assert read.execute("SELECT count(*) FROM t").fetchone()[0] == 1
    writer.commit()
    with reader.cursor() as read:
        assert read.execute("SELECT count(*) FROM t").fetchone()[0] == 2
    writer.close()
    reader.close()


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


def test_lockout_counts_the_client_behind_the_proxy_not_the_proxy(settings, rf):
    from leaderboard.middleware import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.5", REMOTE_ADDR="10.0.0.2")
    # No proxy configured (even with HTTPS on): the header is the client's own words.
    settings.HTTPS, settings.TRUSTED_PROXIES = True, 0
    assert client_ip(request) == "10.0.0.2"
    # One proxy appended the address it saw; what the client wrote comes before it.
    settings.TRUSTED_PROXIES = 1
    assert client_ip(request) == "203.0.113.5"
    # Two proxies: the outer one saw 198.51.100.7.
    settings.TRUSTED_PROXIES = 2
    assert client_ip(request) == "198.51.100.7"
    # A header shorter than the chain did not come through it.
    settings.TRUSTED_PROXIES = 3
    assert client_ip(request) == "10.0.0.2"


def test_a_forged_forwarded_for_does_not_escape_the_lockout(client, django_user_model, settings):
    """With HTTPS on and no proxy configured, a client that writes a new
    X-Forwarded-For on every attempt is still counted by its own address; and a
    username tried from many addresses is locked out too."""
    settings.HTTPS = True
    # Only the pair, so that what is tested is the address counted.
    settings.AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
    django_user_model.objects.create_user("editor", password="right-horse-battery", is_staff=True)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        forged = f"198.51.100.{attempt}"
        response = login(client, "wrong", HTTP_X_FORWARDED_FOR=forged, secure=True)
    assert response.status_code == 429


def test_a_username_tried_from_many_addresses_is_locked_out(client, django_user_model):
    django_user_model.objects.create_user("editor", password="right-horse-battery", is_staff=True)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        response = login(client, "wrong", REMOTE_ADDR=f"203.0.113.{attempt}")
    assert response.status_code == 429
    assert login(client, "right-horse-battery", REMOTE_ADDR="192.0.2.77").status_code == 429


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
    assert client.get(url).content != first.content


def test_defuse_covers_every_formula_start_and_the_header_row(client, article):
    for start in ["=", "+", "-", "@", "\t", "\r"]:
        assert defuse(f"{start}cmd") == f"'{start}cmd"
    assert defuse("plain") == "plain"
    assert defuse("-1.5") == "-1.5" and defuse("+3") == "+3" and defuse("12") == "12"
    assert defuse("1.5.2") == "1.5.2"  # starts with no formula sign
    assert defuse("-1.5x") == "'-1.5x"


def test_csv_header_cells_are_defused_too(client, article):
    benchmark = Benchmark.objects.get(slug="pinchbench")
    benchmark.name = "=HYPERLINK(1)"
    # The rename keeps "PinchBench" as an alias, so its quotes still name it.
    writes.save(benchmark)
    response = client.get("/", {"_export": "csv", "show": "pinchbench"})
    header = response.getvalue().decode().splitlines()[0]
    assert "'=HYPERLINK(1)" in header
    assert ",=HYPERLINK" not in header


def test_the_etag_names_the_data_version_its_time_and_the_release(client, article):
    from leaderboard import caching

    data = DataVersion.current()
    response = client.get("/benchmarks/")
    expected = f'"v{data.version}-{data.changed_at.timestamp():.6f}-{caching.RELEASE}"'
    assert response["ETag"] == expected


def test_the_release_is_a_digest_of_code_templates_and_static_files(
    settings, tmp_path, monkeypatch
):
    from leaderboard.caching import code_release

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
    (a write that bypasses the data version shows which)."""
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
