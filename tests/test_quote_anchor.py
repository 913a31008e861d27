"""A result keeps its quote's anchor (``Result.quote_anchor``), the mark of its passage
on the source's page, which the exports read instead of hashing 330,000 quotes. Every
way a result is written leaves it what the rule (``rules.quotes.quote_anchor``) makes
of the quote, history included: a stale or forged one would send readers to a
passage that is not there."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from leaderboard.models import Result
from leaderboard.rules.quotes import quote_anchor

from .factories import make_result, set_value

pytestmark = pytest.mark.django_db

FORGED = "q-000000000000"


def wrong_anchors(rows):
    """The rows (results or their history) whose anchor is not their quote's."""
    return [
        (pk, stored)
        for pk, quote, stored in rows.values_list("pk", "quote", "quote_anchor")
        if stored != quote_anchor(quote)
    ]


def test_a_save_keeps_the_anchor_of_the_quote_it_saves():
    result = make_result(value=50)
    assert result.quote_anchor == quote_anchor(result.quote)
    first = result.quote_anchor
    set_value(result, 61)  # a correction changes the quote
    result.refresh_from_db()
    assert result.quote_anchor == quote_anchor(result.quote) != first
    # A forged anchor set before a save does not survive it.
    result.quote_anchor = FORGED
    result.save()
    assert not wrong_anchors(Result.objects.all())
    assert not wrong_anchors(Result.history.all())


def test_loaddata_derives_the_anchor_a_fixture_forges_or_leaves_out(article, tmp_path):
    assert Result.objects.exists() and not wrong_anchors(Result.objects.all())
    result = Result.objects.filter(quote__contains="AI Index").first()
    rows = json.loads(dump(Result.objects.filter(pk=result.pk)))
    rows[0]["fields"]["quote_anchor"] = FORGED
    fixture = tmp_path / "forged.json"
    fixture.write_text(json.dumps(rows))
    call_command("loaddata", str(fixture), verbosity=0)
    assert not wrong_anchors(Result.objects.all())
    assert not wrong_anchors(Result.history.all())


def dump(results):
    """``results`` as a fixture names them (natural keys, no primary keys)."""
    out = io.StringIO()
    call_command(
        "dumpdata",
        "leaderboard.result",
        pks=",".join(str(pk) for pk in results.values_list("pk", flat=True)),
        natural_foreign=True,
        natural_primary=True,
        stdout=out,
    )
    return out.getvalue()


@pytest.mark.django_db(transaction=True)  # a restore empties the tables: none may be pending
def test_a_restore_derives_anchors_a_backup_forges_or_leaves_out(article, tmp_path):
    backup = tmp_path / "backup.json"
    call_command("backup", str(backup), stdout=io.StringIO())
    rows = json.loads(backup.read_text())
    edited = 0
    for row in rows:
        if row["model"] in ("leaderboard.result", "leaderboard.historicalresult"):
            if edited % 2:
                row["fields"]["quote_anchor"] = FORGED
            else:
                del row["fields"]["quote_anchor"]  # as a backup made before it was kept
            edited += 1
    assert edited
    backup.write_text(json.dumps(rows))
    call_command("restore", str(backup), "--yes", stdout=io.StringIO())
    assert Result.objects.exists()
    assert not wrong_anchors(Result.objects.all())
    assert not wrong_anchors(Result.history.all())


def test_make_demo_data_writes_each_anchor():
    call_command("make_demo_data", "--models", "30", "--benchmarks", "4", stdout=io.StringIO())
    assert Result.objects.count() > 30
    assert not wrong_anchors(Result.objects.all())
    assert not wrong_anchors(Result.history.all())


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # each migration runs in its own, as in migrate
def test_the_migration_gives_every_result_and_history_row_its_anchor(article):
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("leaderboard")
    try:
        executor.migrate([("leaderboard", "0032_standings")])
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    assert Result.objects.exists() and Result.history.exists()
    assert not wrong_anchors(Result.objects.all())
    assert not wrong_anchors(Result.history.all())
