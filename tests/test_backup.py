"""Backups that round-trip: restore brings back every table unchanged, a broken
backup changes nothing, and SQLite readers keep working while an editor saves."""

import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from leaderboard.models import Organization, Result
from leaderboard.rules import writes

from .factories import make_organization

pytestmark = pytest.mark.django_db


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
