"""Security in production: headers, deploy checks, only GET and HEAD on public pages,
the admin login lockout (behind a proxy too), staff-only admin, and everything an editor
types staying text, in pages and in exports (formulas defused)."""

import csv
import io
import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from leaderboard.models import Benchmark, Source
from leaderboard.reading.exports import defuse
from leaderboard.rules import writes

from .factories import make_benchmark, make_model, make_organization, make_result
from .support import PUBLIC_URLS

pytestmark = pytest.mark.django_db


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


def test_lockout_counts_the_client_behind_the_proxy_not_the_proxy(settings, rf):
    from leaderboard.web.middleware import client_ip

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
