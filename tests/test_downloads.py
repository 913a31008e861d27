"""Exports kept on disk under the ETag they were built for (``web.downloads``): the
first request builds an export and keeps a copy as it streams; later requests under
the same ETag are served the copy, until the data changes. The copies only ever
speed exports up: a folder that cannot be written or a copy that cannot be read
means building again, and a download cut short keeps nothing."""

import io
import json
import logging
import os
import resource
import signal
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leaderboard.models import Result
from leaderboard.rules import writes
from leaderboard.web import downloads
from tests.factories import set_value

INDEX = reverse("index")


def export(client, export_format="json", **query):
    response = client.get(INDEX, {"_export": export_format, **query})
    assert response.status_code == 200 and response.streaming
    return response


def kept(settings, suffix=downloads.SUFFIX):
    folder = Path(settings.DOWNLOADS_DIR)
    return sorted(folder.glob(f"*{suffix}")) if folder.exists() else []


@pytest.mark.parametrize("export_format", ["csv", "json"])
def test_an_export_is_built_once_then_served_its_copy(
    client, crowd, settings, export_format, django_assert_max_num_queries
):
    first = export(client, export_format)
    body = first.getvalue()
    assert len(kept(settings)) == 1
    # Served the copy: only the data version is read, and the length is known.
    with django_assert_max_num_queries(1):
        again = export(client, export_format)
        assert again.getvalue() == body
    assert int(again["Content-Length"]) == len(body)
    for header in ("Content-Type", "Content-Disposition", "ETag"):
        assert again[header] == first[header]
    head = client.head(INDEX, {"_export": export_format})
    assert head.status_code == 200 and int(head["Content-Length"]) == len(body)


def test_a_change_to_the_data_builds_the_export_again(client, crowd, settings):
    before = json.loads(export(client).getvalue())
    result = Result.objects.filter(benchmark=crowd[0]).order_by("-value").first()
    result.stderr = None  # the new quote states the figure alone
    set_value(result, Decimal("99.5"))
    after = json.loads(export(client).getvalue())
    values = [row["results"][crowd[0].slug]["value"] for row in after["rows"]]
    assert 99.5 in values and 99.5 not in [
        row["results"][crowd[0].slug]["value"] for row in before["rows"]
    ]
    assert len(kept(settings)) == 2  # the old one is never asked for again


def test_each_url_and_host_has_its_own_copy(client, crowd, settings):
    settings.ALLOWED_HOSTS = ["testserver", "mirror.example"]
    everything = export(client).getvalue()
    one = export(client, show=crowd[0].slug).getvalue()
    assert one != everything
    mirrored = client.get(INDEX, {"_export": "json"}, HTTP_HOST="mirror.example").getvalue()
    assert b"http://mirror.example/" in mirrored and b"http://testserver/" not in mirrored
    assert len(kept(settings)) == 3
    assert export(client).getvalue() == everything


def test_a_download_cut_short_keeps_no_copy(tmp_path):
    """What a server does when its client goes: it stops reading the response's
    chunks and closes them."""
    path = tmp_path / f"leaderboard{downloads.SUFFIX}"
    headers = {"Content-Type": "application/json", "Content-Disposition": "attachment"}
    chunks = downloads.copying(iter([b"[1", b", 2", b"]"]), path, headers)
    assert next(chunks) == b"[1"
    chunks.close()
    assert list(tmp_path.iterdir()) == []
    assert b"".join(downloads.copying(iter([b"[1", b", 2", b"]"]), path, headers)) == b"[1, 2]"
    with path.open("rb") as copy:
        assert int(copy.readline()) == len(b"[1, 2]")
        assert json.loads(copy.readline()) == headers and copy.read() == b"[1, 2]"


def test_a_download_nobody_reads_writes_nothing(client, crowd, settings):
    export(client)  # answered, never read (a HEAD, or a client gone at once)
    assert not Path(settings.DOWNLOADS_DIR).exists()


def test_a_folder_that_cannot_be_written_only_means_building_again(
    client, crowd, settings, tmp_path, caplog, django_assert_max_num_queries
):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.DOWNLOADS_DIR = str(blocker / "downloads")
    with caplog.at_level(logging.WARNING, logger="leaderboard.web.downloads"):
        first = export(client).getvalue()
        second = export(client).getvalue()
    assert first == second and json.loads(first)["count"] == 25
    assert "Not keeping a copy of a download" in caplog.text


def test_a_disk_that_fills_mid_copy_still_sends_the_whole_export(client, crowd, settings):
    """The process may write no file past 20 KB (as a full disk refuses a write): the
    copy stops, the download goes on."""
    whole = export(client).getvalue()
    assert len(whole) > 40_000
    for path in kept(settings):
        path.unlink()
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG, not death
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, hard))
    try:
        body = export(client).getvalue()
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)
    assert body == whole
    assert kept(settings) == [] and kept(settings, downloads.PART_SUFFIX) == []


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda copy: b"not a length\n" + copy, id="no length"),
        pytest.param(lambda copy: copy.replace(b"Content-Type", b"Type", 1), id="no type"),
        pytest.param(lambda copy: copy[:-100], id="torn"),
        pytest.param(lambda copy: copy + b"]", id="longer"),
        pytest.param(lambda copy: b"", id="empty"),
    ],
)
def test_a_spoilt_copy_is_removed_and_the_export_built_again(client, crowd, settings, spoil):
    whole = export(client).getvalue()
    (copy,) = kept(settings)
    copy.write_bytes(spoil(copy.read_bytes()))
    assert export(client).getvalue() == whole
    (again,) = kept(settings)
    with again.open("rb") as file:
        assert int(file.readline()) == len(whole)
        assert json.loads(file.readline())["Content-Type"] == "application/json"


def test_the_copies_least_recently_served_go_first(client, crowd, settings):
    def size_of_one():
        export(client).getvalue()
        (copy,) = kept(settings)
        return copy.stat().st_size

    one = size_of_one()
    settings.DOWNLOADS_MAX_BYTES = int(
        one * 2.5
    )  # room for two copies (sorted otherwise, each is as long)
    first = kept(settings)[0]
    time.sleep(0.05)
    export(client, sort="name").getvalue()
    time.sleep(0.05)
    export(client).getvalue()  # the first copy, served again: now the most recent
    time.sleep(0.05)
    export(client, sort="-name").getvalue()
    names = {path.name for path in kept(settings)}
    assert len(names) == 2 and first.name in names


def test_a_part_left_by_a_process_that_died_is_removed(client, crowd, settings):
    folder = Path(settings.DOWNLOADS_DIR)
    folder.mkdir(parents=True)
    dead = folder / f"left{downloads.PART_SUFFIX}"
    dead.write_bytes(b"half")
    an_hour_ago = time.time() - downloads.STALE_PART_SECONDS - 1
    os.utime(dead, (an_hour_ago, an_hour_ago))
    live = folder / f"writing{downloads.PART_SUFFIX}"
    live.write_bytes(b"being written")
    export(client).getvalue()
    assert not dead.exists() and live.exists()


def test_copies_can_be_turned_off(client, crowd, settings):
    settings.DOWNLOADS_DIR = ""
    export(client).getvalue()
    with CaptureQueriesContext(connection) as queries:
        export(client).getvalue()
    assert len(queries) > 5  # built again


@pytest.mark.django_db(transaction=True)  # restore flushes the database
def test_every_door_that_changes_the_data_retires_the_kept_exports(client, article, tmp_path):
    """A copy is never served past a change, whichever way the change came in."""

    def results():
        rows = json.loads(export(client).getvalue())["rows"]
        return sorted(
            (row["model"]["slug"], slug) for row in rows for slug, r in row["results"].items() if r
        )

    backup = tmp_path / "backup.json"
    call_command("backup", str(backup), stdout=io.StringIO())
    whole = results()
    assert results() == whole  # the second from the copy
    deleted = Result.objects.filter(is_headline=True).first()
    writes.delete(deleted)
    assert (deleted.model.slug, deleted.benchmark.slug) not in results()
    call_command("restore", str(backup), stdout=io.StringIO())  # the backup, after deletes
    assert results() == whole
    writes.delete(Result.objects.filter(is_headline=True).first())
    call_command("loaddata", "article", verbosity=0)  # the fixture, loaded again
    assert results() == whole
