"""Data releases (``rules.releases``, /data/): every result in CSV and JSON with its
source, quote and settings; the same data gives the same bytes, a release downloads
as published whatever changes later, each data version is released once, and the
citation names the release, its date and its address."""

import csv
import hashlib
import io
import json

import pytest
from django.contrib.auth.models import Permission, User
from django.core.exceptions import ValidationError

from leaderboard.models import DataRelease, DataVersion, Result
from leaderboard.reading.data_releases import write_release
from leaderboard.rules import releases, writes

from .factories import make_benchmark, make_model, make_result

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def releases_dir(settings, tmp_path):
    settings.DATA_RELEASES_DIR = tmp_path / "releases"
    return settings.DATA_RELEASES_DIR


@pytest.fixture
def data():
    bench = make_benchmark(name="Release Bench")
    models = [make_model(name=f"Release Model {i}") for i in range(3)]
    results = [make_result(model=m, benchmark=bench, value=40 + i) for i, m in enumerate(models)]
    # A quote a spreadsheet would run as a formula is kept, defused in the CSV only.
    formula = make_model(name="=HYPERLINK Model")
    results.append(make_result(model=formula, benchmark=bench, value=1))
    return bench, results


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content), response


def test_a_release_holds_every_result_with_its_source_quote_and_settings(client, data):
    _, results = data
    release = releases.publish(notes="First.")
    assert (release.number, release.result_count) == (1, len(results))
    assert release.data_version == DataVersion.current().version
    body, response = download(client, "/data/1/results.json")
    assert response["ETag"] == f'"{release.json_sha256}"'
    assert hashlib.sha256(body).hexdigest() == release.json_sha256 == response["ETag"][1:-1]
    document = json.loads(body)
    assert document["data_version"] == release.data_version
    by_quote = {row["quote"]: row for row in document["results"]}
    for result in Result.objects.select_related("model", "source"):
        row = by_quote[result.quote]
        assert row["model"] == result.model.slug and row["value"] == int(result.value)
        assert row["source"]["slug"] == result.source.slug
        assert row["passage_url"].startswith(f"/sources/{result.source.slug}/?passage=q-")
        assert set(row["settings"]) >= {"metric", "harness", "precision"}
    text, _ = download(client, "/data/1/results.csv")
    assert hashlib.sha256(text).hexdigest() == release.csv_sha256
    rows = list(csv.DictReader(io.StringIO(text.decode())))
    assert len(rows) == len(results)
    assert {row["model_name"] for row in rows} >= {"'=HYPERLINK Model"}


def test_the_same_data_gives_the_same_bytes(data, tmp_path):
    version = DataVersion.current().version
    files = []
    for attempt in range(2):
        csv_path, json_path = tmp_path / f"{attempt}.csv", tmp_path / f"{attempt}.json"
        with open(csv_path, "wb") as csv_file, open(json_path, "wb") as json_file:
            write_release(csv_file, json_file, version)
        files.append((csv_path.read_bytes(), json_path.read_bytes()))
    assert files[0] == files[1]


def test_a_release_downloads_as_published_after_the_data_changes(client, data):
    _, results = data
    first = releases.publish()
    before, _ = download(client, "/data/1/results.json")
    top = results[0]
    top.value = 99
    top.quote = f"{top.model.name} scored 99 on {top.benchmark.name}."
    writes.save(top)
    writes.delete(results[1])
    second = releases.publish(notes="Corrected.")
    assert second.number == 2 and second.json_sha256 != first.json_sha256
    again, _ = download(client, "/data/1/results.json")
    assert again == before
    assert hashlib.sha256(again).hexdigest() == first.json_sha256
    latest = json.loads(download(client, "/data/2/results.json")[0])
    assert len(latest["results"]) == len(results) - 1


def test_one_data_version_is_released_once(data):
    releases.publish()
    with pytest.raises(ValidationError, match="has not changed since release 1"):
        releases.publish()
    assert DataRelease.objects.count() == 1


def test_a_release_that_fails_midway_leaves_nothing(data, releases_dir, monkeypatch):
    def broken(*args):
        raise OSError("disk full")

    monkeypatch.setattr(releases, "write_release", broken)
    with pytest.raises(OSError):
        releases.publish()
    assert DataRelease.objects.count() == 0
    assert list(releases_dir.iterdir()) == []


def test_a_release_whose_files_are_gone_says_so(client, data, releases_dir):
    release = releases.publish()
    release.path("json").unlink()
    response = client.get("/data/1/results.json")
    assert response.status_code == 404
    assert b"not kept on this server" in response.content
    release.path("csv").write_bytes(b"tampered")
    assert client.get("/data/1/results.csv").status_code == 404
    assert client.get("/data/9/results.csv").status_code == 404


def test_a_download_is_revalidated_by_its_digest(client, data):
    release = releases.publish()
    response = client.get("/data/1/results.csv", HTTP_IF_NONE_MATCH=f'"{release.csv_sha256}"')
    assert response.status_code == 304


def test_the_release_page_says_how_to_cite_it(client, data):
    release = releases.publish()
    page = client.get("/data/1/").content.decode()
    assert release.json_sha256 in page and release.csv_sha256 in page
    bib = client.get("/data/1/citation.bib").content.decode()
    assert "data release 1" in bib and "url = {http://testserver/data/1/}" in bib
    assert f"year = {{{release.published_at:%Y}}}" in bib
    cff = client.get("/data/1/CITATION.cff").content.decode()
    assert "cff-version: 1.2.0" in cff and "type: dataset" in cff
    assert f"date-released: {release.published_at:%Y-%m-%d}" in cff
    assert 'url: "http://testserver/data/1/"' in cff
    listing = client.get("/data/").content.decode()
    assert 'href="/data/1/"' in listing and "/data/1/results.csv" in listing


def test_the_data_page_lists_releases_in_a_bounded_number_of_queries(
    client, data, django_assert_max_num_queries
):
    releases.publish()
    for i in range(3):
        make_result(model=make_model(name=f"Later {i}"), benchmark=data[0], value=i)
        releases.publish()
    with django_assert_max_num_queries(6):
        page = client.get("/data/").content.decode()
    assert page.count("results.json") == 4


# The admin: "Add" publishes; nothing of a release changes afterwards.
def test_an_editor_publishes_from_the_admin(admin_client, data):
    response = admin_client.post("/admin/leaderboard/datarelease/add/", {"notes": "By hand."})
    assert response.status_code == 302
    release = DataRelease.objects.get()
    assert release.notes == "By hand." and release.result_count == len(data[1])
    again = admin_client.post("/admin/leaderboard/datarelease/add/", {"notes": "Twice."})
    assert again.status_code == 200 and b"nothing new to release" in again.content
    assert DataRelease.objects.count() == 1
    change = admin_client.post(
        f"/admin/leaderboard/datarelease/{release.pk}/change/", {"notes": "Rewritten."}
    )
    assert change.status_code == 403
    release.refresh_from_db()
    assert release.notes == "By hand."
    delete = admin_client.post(
        f"/admin/leaderboard/datarelease/{release.pk}/delete/", {"post": "yes"}
    )
    assert delete.status_code == 403 and DataRelease.objects.count() == 1


def test_a_staff_user_without_the_permission_cannot_publish(client, data):
    editor = User.objects.create_user("editor", password="pw-for-tests-only", is_staff=True)
    client.force_login(editor)
    assert client.post("/admin/leaderboard/datarelease/add/", {"notes": ""}).status_code == 403
    editor.user_permissions.add(Permission.objects.get(codename="add_datarelease"))
    assert client.post("/admin/leaderboard/datarelease/add/", {"notes": ""}).status_code == 302
    assert DataRelease.objects.count() == 1


def test_the_command_publishes_and_refuses_a_repeat(data):
    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("publish_release", notes="From the shell.", stdout=out)
    release = DataRelease.objects.get()
    assert f"Published release 1: {len(data[1])} results" in out.getvalue()
    assert release.json_sha256 in out.getvalue() and release.notes == "From the shell."
    with pytest.raises(CommandError, match="nothing new to release"):
        call_command("publish_release", stdout=io.StringIO())
